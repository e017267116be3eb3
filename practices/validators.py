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
