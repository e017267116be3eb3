"""Random and hostile values for every parameter of /practices/, its CSV export and
/search/: the answer is a page or a 4xx with a message, never a 500."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practices.filters import PracticeFilter
from tests.factories import (
    AwardFactory,
    PracticeFactory,
    RecognitionFactory,
    TopicFactory,
)

LIST_URL = reverse("practices:practice_list")
EXPORT_URL = reverse("practices:practice_export")
SEARCH_URL = reverse("search")
PARAMETERS = [*PracticeFilter.base_filters, "page"]

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "'; DROP TABLE practices_practice; --",
    "<script>alert(1)</script>",
    '"',
    '"unbalanced',
    "-",
    "--",
    "!",
    "!!!",
    "&|!():*",
    "or",
    "-or -and",
    "\\",
    "%",
    "%00",
    "%s",
    "{}",
    "0",
    "-1",
    "1e9",
    "2015.5",
    "NaN",
    "Infinity",
    "９９",
    "99999999999999999999999999",
    "x" * 201,
    "policía",
    "ñandú",
    "\u202e",
    "\ufeff",
    "😀",
    "topic-0",
    "US",
    "under-10k",
    "yes",
    "relevance",
]

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=250,
)
value = st.one_of(st.sampled_from(HOSTILE), safe_text)
params = st.dictionaries(
    keys=st.sampled_from(PARAMETERS),
    values=st.one_of(value, st.lists(value, min_size=1, max_size=4)),
    max_size=6,
)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def some_practices(db):
    topic = TopicFactory(slug="topic-0")
    TopicFactory(slug="topic-1", parent=topic)
    practice = PracticeFactory(published=True, topics=[topic])
    PracticeFactory(published=True, title="Prevención de la violencia", language="es")
    RecognitionFactory(practice=practice, award=AwardFactory(slug="award-0"))


@FUZZ
@given(query=params)
def test_practice_list_never_fails(client, some_practices, query):
    response = client.get(LIST_URL, query)
    assert response.status_code in (200, 400, 404), query


@FUZZ
@given(query=params)
def test_practice_export_never_fails(client, some_practices, query):
    response = client.get(EXPORT_URL, query)
    assert response.status_code in (200, 400), query
    if response.status_code == 200:
        b"".join(response.streaming_content)


@FUZZ
@given(q=st.one_of(value, st.lists(value, min_size=1, max_size=3)))
def test_site_search_never_fails(client, some_practices, q):
    response = client.get(SEARCH_URL, {"q": q})
    assert response.status_code in (200, 400), q


@pytest.mark.parametrize(
    "raw",
    [
        "q=%ff%fe%fd",
        "topic=%c0%80",
        "q=%00",
        "page=%00",
        "year_from=%2B2015",
        "q=" + "%22" * 150,
        "&&&==&q",
        "sort&page&q",
    ],
)
@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL, SEARCH_URL])
def test_raw_query_strings_never_fail(client, some_practices, url, raw):
    response = client.get(url, QUERY_STRING=raw)
    assert response.status_code in (200, 400, 404)
