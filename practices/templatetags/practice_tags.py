"""Small template helpers for the practice pages."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The characters that could end a <script> element or start markup, as JSON escapes.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data) -> SafeString:
    """``data`` as JSON safe to place inside <script type="application/ld+json">.

    ``<``, ``>`` and ``&`` become JSON escapes, so a value holding ``</script>`` cannot end
    the element; JSON parsers read the escapes back as the original characters.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(JSON_SCRIPT_ESCAPES))  # noqa: S308 - escaped above


@register.filter
def population_band(jurisdiction) -> str:
    """The label of a jurisdiction's population band, or an empty string."""
    band = getattr(jurisdiction, "population_band", None)
    return band.label if band else ""
