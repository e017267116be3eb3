"""``{{ value|link_url }}``: a stored link made safe to put in ``href``.

Link fields are validated as http(s) URLs in the admin, but a link that reached the
database another way must still never become a ``javascript:`` (or ``data:``) link on a
public page. Use it wherever a stored URL goes into an attribute:
``<a href="{{ practice.website|link_url }}">``.
"""

from urllib.parse import urlsplit

from django import template

register = template.Library()

SAFE_SCHEMES = {"http", "https", "mailto"}


@register.filter
def link_url(value) -> str:
    """The URL if its scheme is http, https or mailto; otherwise an empty string."""
    if not value:
        return ""
    text = str(value).strip()
    # Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
    compact = "".join(ch for ch in text if ord(ch) > 0x20)
    try:
        scheme = urlsplit(compact).scheme.lower()
    except ValueError:
        return ""
    if scheme not in SAFE_SCHEMES:
        return ""
    return text
