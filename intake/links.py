"""Links in what senders type: the source list ("title | link" per line) and a count of the
links anywhere in a text (link-stuffed spam is refused)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

MAX_URL_LENGTH = 500
MAX_TITLE_LENGTH = 300
LINK_RE = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)
url_validator = URLValidator(schemes=["http", "https"])


def count_links(text: str) -> int:
    return len(LINK_RE.findall(text or ""))


def parse_source_lines(text: str) -> list[tuple[str, str]]:
    """``[(title, url), ...]`` from one source per line, ``title | url`` or the bare url.

    Raises ValidationError naming the first bad line.
    """
    sources = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        title, _bar, url = line.rpartition("|")
        title, url = title.strip(), url.strip()
        if len(url) > MAX_URL_LENGTH:
            raise ValidationError(
                _("Line %(line)d: a link may be at most %(max)d characters long."),
                code="url_too_long",
                params={"line": number, "max": MAX_URL_LENGTH},
            )
        try:
            url_validator(url)
        except ValidationError:
            raise ValidationError(
                _("Line %(line)d is not a web address starting with http:// or https://."),
                code="invalid_url",
                params={"line": number},
            ) from None
        sources.append((title[:MAX_TITLE_LENGTH] or url[:MAX_TITLE_LENGTH], url))
    return sources
