"""Validators for catalogue fields."""

import re

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


# A PDF starts with "%PDF-" and a version at byte 0 (ISO 32000-1, 7.5.2; 32000-2 allows
# 2.0), and ends with "%%EOF" after the "startxref" pointer (7.5.5). Readers accept
# some junk before the header, which is exactly what a polyglot relies on, so this
# check does not: the header must come first.
PDF_HEADER = re.compile(rb"^%PDF-[12]\.[0-9][\r\n\s%]")
MARKUP = re.compile(rb"<\s*(html|script|body|svg|iframe)\b", re.IGNORECASE)
PDF_TAIL_BYTES = 2048
PDF_HEAD_BYTES = 1024


def _read_head_and_tail(file) -> tuple[bytes, bytes, int]:
    size = file.size
    file.seek(0)
    head = file.read(PDF_HEAD_BYTES)
    file.seek(max(0, size - PDF_TAIL_BYTES))
    tail = file.read(PDF_TAIL_BYTES)
    file.seek(0)
    return head, tail, size


def validate_upload_size(file, *, max_mb: int) -> None:
    """Refuse files larger than ``max_mb`` megabytes, saying how large they are."""
    limit = max_mb * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; files may be at most %(limit)d MB."),
            code="file_too_large",
            params={"size": file.size / (1024 * 1024), "limit": max_mb},
        )


def validate_pdf(file) -> None:
    """Accept only files whose content is a PDF, whatever their name says.

    Checks the header at byte 0, that the file has at least one indirect object, and
    that it ends with a cross-reference pointer and an end-of-file marker. HTML or
    images renamed .pdf, and polyglots that open with something else, are refused.
    """
    message = _("This file is not a PDF. Upload the document saved as PDF.")
    if not file or not file.size:
        raise ValidationError(_("The file is empty."), code="empty_file")
    head, tail, _size = _read_head_and_tail(file)
    if not PDF_HEADER.match(head):
        raise ValidationError(message, code="not_pdf")
    if MARKUP.search(head):
        # A PDF header followed by a web page: a browser could be tricked into
        # rendering it as HTML.
        raise ValidationError(message, code="not_pdf")
    if b"startxref" not in tail or b"%%EOF" not in tail:
        raise ValidationError(
            _("This PDF looks incomplete or damaged (no end-of-file marker)."),
            code="pdf_truncated",
        )
    if not re.search(rb"\d+\s+\d+\s+obj\b", head + tail) and not _has_object(file):
        raise ValidationError(message, code="not_pdf")


def _has_object(file) -> bool:
    """Look for an indirect object ("1 0 obj") anywhere, reading in chunks."""
    pattern = re.compile(rb"\d+\s+\d+\s+obj\b")
    overlap = b""
    file.seek(0)
    try:
        for chunk in file.chunks():
            if pattern.search(overlap + chunk):
                return True
            overlap = chunk[-32:]
        return False
    finally:
        file.seek(0)
