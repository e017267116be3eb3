"""Publication uploads: a content check for PDFs and the publication form that uses it."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from practices.models import Publication

# Markers of a document a browser would render as a page. A PDF never has them in its
# first kilobyte; a file disguised as a PDF (an HTML page renamed, or an HTML/PDF
# polyglot) does.
HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<body", b"<svg", b"<iframe")
PDF_MAGIC = b"%PDF-"


def validate_pdf_upload(file) -> None:
    """Accept only a real PDF within ``settings.MAX_UPLOAD_MB``.

    Checks the content, not the name or the browser-sent content type: the file must
    start with ``%PDF-`` and its first kilobyte must not contain HTML.
    """
    limit_mb = settings.MAX_UPLOAD_MB
    if file.size is not None and file.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(limit)s MB."),
            code="file_too_large",
            params={"limit": limit_mb},
        )
    file.seek(0)
    head = file.read(1024)
    file.seek(0)
    if not head.startswith(PDF_MAGIC):
        raise ValidationError(_("This file is not a PDF: upload a PDF document."), code="not_a_pdf")
    lowered = head.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        raise ValidationError(
            _("This file contains web-page code and is refused: upload a plain PDF."),
            code="pdf_with_html",
        )


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
