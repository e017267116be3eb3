"""Forms for curators: the admin's publication form checks uploaded files."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from practices.models import Publication
from practices.validators import validate_pdf, validate_upload_size


class PublicationAdminForm(forms.ModelForm):
    class Meta:
        model = Publication
        fields = [
            "title",
            "slug",
            "kind",
            "summary",
            "language",
            "authors",
            "publisher",
            "year",
            "edition",
            "isbn",
            "url",
            "file",
            "topics",
            "practices",
        ]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].help_text = _("PDF only, at most %(limit)d MB.") % {
                "limit": settings.MAX_UPLOAD_MB
            }

    def clean_file(self):
        file = self.cleaned_data.get("file")
        # Only a new upload needs checking; a stored file was checked when it came in.
        if isinstance(file, UploadedFile):
            validate_upload_size(file, max_mb=settings.MAX_UPLOAD_MB)
            validate_pdf(file)
        return file
