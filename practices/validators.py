"""Validators for catalogue fields."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_isbn(value: str) -> str:
    """Strip spaces and hyphens; upper-case a trailing x."""
    return value.replace("-", "").replace(" ", "").upper()


def isbn_is_valid(value: str) -> bool:
    digits = normalize_isbn(value)
    if len(digits) == 10:
        if not (digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "X")):
            return False
        total = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
        total += 10 if digits[9] == "X" else int(digits[9])
        return total % 11 == 0
    if len(digits) == 13:
        if not digits.isdigit():
            return False
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
        return total % 10 == 0
    return False


def validate_isbn(value: str) -> None:
    if value and not isbn_is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid ISBN-10 or ISBN-13 (check the digits)."),
            code="invalid_isbn",
            params={"value": value},
        )


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
    from django.conf import settings

    limit_mb = settings.MAX_UPLOAD_MB
    if file.size is not None and file.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(limit)s MB."),
            code="file_too_large",
            params={"limit": limit_mb},
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(1024)
    file.seek(position)
    if not head.startswith(PDF_MAGIC):
        raise ValidationError(_("This file is not a PDF: upload a PDF document."), code="not_a_pdf")
    lowered = head.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        raise ValidationError(
            _("This file contains web-page code and is refused: upload a plain PDF."),
            code="pdf_with_html",
        )
