"""The publication form used for uploads: checks that the file really is a PDF."""

from django import forms

from practices.models import Publication
from practices.validators import validate_pdf_upload


class PublicationForm(forms.ModelForm):
    """Publication fields, with the uploaded file checked by ``validate_pdf_upload``."""

    class Meta:
        model = Publication
        fields = [
            "title",
            "slug",
            "kind",
            "authors",
            "publisher",
            "year",
            "edition",
            "isbn",
            "summary",
            "url",
            "file",
            "topics",
            "practices",
            "language",
            "state",
            "published_at",
        ]

    def clean_file(self):
        file = self.cleaned_data.get("file")
        # Only a newly uploaded file is checked; an unchanged stored file passed before.
        if file and hasattr(file, "content_type"):
            validate_pdf_upload(file)
        return file
