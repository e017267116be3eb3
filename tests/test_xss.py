"""Hostile text typed into any field never comes back executable on a public page,
feed, CSV export or JSON-LD block.

Curators' text is plain text: the site accepts no HTML or Markdown, and templates
escape everything. Each public URL is checked with records whose every text field holds
script tags, event-handler attributes and ``javascript:`` links (URL fields included,
stored straight into the database as a faulty import could), and hostile text in the
query string is echoed back by search boxes and filter notices. Every page must answer
200; none is skipped, and a public page added later must join the sweep (a test walks the
URL map to check).
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from awards.models import Award, AwardCategory, Recognition
from practices.models import Department, Initiative, Jurisdiction, Practice, Publication, Topic
from tests.factories import (
    AwardCategoryFactory,
    AwardFactory,
    DepartmentFactory,
    InitiativeFactory,
    JurisdictionFactory,
    OutcomeFactory,
    PracticeFactory,
    PublicationFactory,
    RecognitionFactory,
    SourceFactory,
    TopicFactory,
)
from tests.public_urls import public_urls

# Each text field gets as much of this as fits; every piece is dangerous on its own.
PAYLOAD = (
    "Lighting <script>alert('xss')</script>"
    '"><img src=x onerror=alert(1)>'
    "<a href=\"javascript:alert(2)\" onclick='alert(3)'>x</a>"
    "</script><svg/onload=alert(4)>"
)
SHORT_PAYLOAD = "<svg/onload=alert(1)>"  # for fields of 40 characters or fewer
JS_URL = "javascript:alert(document.cookie)"


def hostile_values(model, exclude: set[str] = frozenset()) -> dict:
    """A hostile value for every editable text and URL field of ``model``."""
    from django.db import models

    values = {}
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or field.name in exclude:
            continue
        if getattr(field, "choices", None):
            continue
        if isinstance(field, models.URLField):
            values[field.name] = JS_URL
        elif isinstance(field, models.SlugField | models.EmailField):
            continue
        elif isinstance(field, models.CharField | models.TextField):
            limit = field.max_length or 10_000
            values[field.name] = PAYLOAD[:limit] if limit >= len(PAYLOAD) else SHORT_PAYLOAD
    return values


@pytest.fixture
def hostile_catalogue(db):
    topic = TopicFactory(**hostile_values(Topic))
    department = DepartmentFactory(**hostile_values(Department))
    jurisdiction = JurisdictionFactory(**hostile_values(Jurisdiction))
    initiative = InitiativeFactory(**hostile_values(Initiative))
    practice = PracticeFactory(
        published=True,
        lead_jurisdiction=jurisdiction,
        initiative=initiative,
        topics=[topic],
        departments=[department],
        contact_email="contact@example.org",
        **hostile_values(Practice, exclude={"isbn"}),
    )
    SourceFactory(practice=practice, title=PAYLOAD, url=JS_URL)
    OutcomeFactory(practice=practice, description=PAYLOAD)
    publication = PublicationFactory(
        published=True,
        topics=[topic],
        practices=[practice],
        **hostile_values(Publication, exclude={"isbn", "edition"}),
        edition=SHORT_PAYLOAD,
    )
    award = AwardFactory(**hostile_values(Award))
    category = AwardCategoryFactory(award=award, **hostile_values(AwardCategory))
    RecognitionFactory(
        practice=practice, award=award, category=category, **hostile_values(Recognition)
    )
    return {
        "practice": practice,
        "publication": publication,
        "award": award,
        "topic": topic,
        "jurisdiction": jurisdiction,
        "initiative": initiative,
    }


# (URL name, record whose slug the URL takes, query string)
PUBLIC_URLS = [
    ("home", None, {}),
    ("about", None, {}),
    ("search", None, {"q": PAYLOAD}),
    ("practices:practice_list", None, {}),
    ("practices:practice_list", None, {"q": PAYLOAD}),
    # Values a filter cannot use are named in the page's notices.
    ("practices:practice_list", None, {"topic": PAYLOAD, "year_from": PAYLOAD, "sort": PAYLOAD}),
    ("practices:practice_detail", "practice", {}),
    ("practices:publication_list", None, {}),
    ("practices:publication_list", None, {"q": PAYLOAD[:200], "kind": PAYLOAD}),
    ("practices:publication_detail", "publication", {}),
    ("practices:topic_list", None, {}),
    ("practices:topic_detail", "topic", {}),
    ("practices:jurisdiction_detail", "jurisdiction", {}),
    ("practices:initiative_list", None, {}),
    ("practices:initiative_detail", "initiative", {}),
    ("awards:award_list", None, {}),
    ("awards:award_detail", "award", {}),
    ("practice_feed", None, {}),
    ("follow_search", None, {}),
    ("follow_topic", "topic", {}),
    ("follow_award", "award", {}),
    ("practices:practice_export", None, {}),
    ("practices:practice_spreadsheet", None, {}),
    ("practices:jurisdiction_list", None, {}),
    ("practices:compare", None, {}),
    ("practices:evidence_map", None, {}),
    ("practices:practice_map", None, {}),
    ("practices:places_like_mine", None, {}),
    ("intake:share", None, {}),
    ("intake:correction", "practice", {}),
    ("intake:adoption", "practice", {}),
]
# Public URLs that show no text from records or visitors.
NO_TEXT = {"healthz", "robots_txt", "sitemap", "sitemap_section", "publication_file", "favicon"}
# Pages swept with hostile text by their own tests, which build the records they need:
# award cycles and judging (tests/test_award_applications.py, test_award_judging_
# permissions.py) and the intake receipts (tests/test_intake_hostile.py).
SWEPT_ELSEWHERE = {
    "cycle_detail",
    "cycle_apply",
    "cycle_receipt",
    "cycle_results",
    "cycle",
    "application",
    "document",
    "decide",
    "recuse",
    "stage",
    "close_scoring",
    "export",
    "history",
    "ranking",
    "received",
}

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


class ExecutableFinder(HTMLParser):
    """Parses a page as a browser would and lists whatever could run: script elements
    that are not data or files, event-handler attributes, ``javascript:`` URLs; and
    collects JSON-LD blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value:
                compact = re.sub(r"[\x00-\x20]", "", value).lower()
                if compact.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            kind = (dict(attrs).get("type") or "").lower()
            if kind == "application/ld+json":
                self._in_json_ld = True
                self.json_ld.append("")
            elif kind not in DATA_SCRIPT_TYPES and not dict(attrs).get("src"):
                self.found.append("inline <script>")
        if tag in {"iframe", "object", "embed", "base"}:
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def fetch(client, catalogue, name, record, query):
    kwargs = {"slug": catalogue[record].slug} if record else {}
    url = reverse(name, kwargs=kwargs)
    response = client.get(url, query)
    assert response.status_code == 200, f"{name} answered {response.status_code}"
    return response


def test_every_public_page_is_in_the_sweep():
    swept = {name.rpartition(":")[2] for name, _record, _query in PUBLIC_URLS}
    pages = {name for _path, name in public_urls()}
    assert pages - NO_TEXT - SWEPT_ELSEWHERE <= swept, "add the new page to PUBLIC_URLS"


def assert_nothing_executable(body: str) -> None:
    assert "<script>alert" not in body.lower()
    finder = ExecutableFinder()
    finder.feed(body)
    finder.close()
    assert finder.found == [], finder.found
    for block in finder.json_ld:
        try:
            json.loads(block)
        except ValueError:
            raise AssertionError(f"JSON-LD cut short or broken: {block[:200]}") from None
        assert "</" not in block.lower(), "JSON-LD must escape < (as \\u003c)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "record", "query"),
    PUBLIC_URLS,
    ids=[f"{n}{'-' + '-'.join(q) if q else ''}" for n, _, q in PUBLIC_URLS],
)
def test_hostile_text_never_comes_back_executable(client, hostile_catalogue, name, record, query):
    response = fetch(client, hostile_catalogue, name, record, query)
    content_type = response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    body = body.decode()
    if name in {"practices:practice_export", "practices:practice_spreadsheet"}:
        # CSV carries the text as it is, as data: it must never be taken for a page.
        assert content_type.startswith("text/csv"), content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        return
    assert_nothing_executable(body)
    if name in {"practices:practice_detail", "practices:publication_detail"}:
        assert "&lt;script&gt;" in body or "\\u003cscript" in body, "hostile text not shown"


def test_the_checks_catch_what_they_look_for():
    dangerous = [
        "<p><script>alert(1)</script></p>",
        '<img src=x onerror="alert(1)">',
        "<svg/onload=alert(4)>",
        '<a href="javascript:alert(2)">x</a>',
        "<a href = 'JavaScript:alert(2)'>x</a>",
        '<a href="&#106;ava&#x09;script:alert(2)">x</a>',
        '<script type="application/ld+json">{"name": "</script><b>"}</script>',
    ]
    for body in dangerous:
        with pytest.raises(AssertionError):
            assert_nothing_executable(body)
    safe = (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1) javascript:alert(2)</p>"
        '<input name="q" value="&lt;img src=x onerror=alert(1)&gt; &quot;javascript:x">'
        '<a href="/search/?q=javascript%3Aalert(1)">again</a>'
        '<script src="/static/js/site.js"></script>'
        '<script type="application/ld+json">{"name": "\\u003c/script\\u003e"}</script>'
    )
    assert_nothing_executable(safe)
