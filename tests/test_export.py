"""/practices/export.csv: the current selection as CSV, streamed."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from practices.csvio import EXPORT_COLUMNS
from practices.models import PublishingState
from tests.factories import (
    OutcomeFactory,
    PracticeFactory,
    RecognitionFactory,
    SourceFactory,
    TopicFactory,
)

URL = reverse("practices:practice_export")


def rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_export_is_a_streamed_csv_attachment_of_published_practices(client):
    PracticeFactory(published=True, title="Public program", slug="public-program")
    for state in (PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED):
        PracticeFactory(title=f"Hidden {state}", state=state)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="practices.csv"'
    data = rows(response)
    assert [row["title"] for row in data] == ["Public program"]
    assert list(data[0].keys()) == EXPORT_COLUMNS
    assert data[0]["url"] == "http://testserver/practices/public-program/"


@pytest.mark.django_db
def test_export_uses_the_same_filters_and_sort_as_the_list(client):
    topic = TopicFactory(slug="lighting")
    PracticeFactory(published=True, title="B lights", topics=[topic])
    PracticeFactory(published=True, title="A lamps", topics=[topic])
    PracticeFactory(published=True, title="C other")
    data = rows(client.get(URL, {"topic": "lighting", "sort": "title"}))
    assert [row["title"] for row in data] == ["A lamps", "B lights"]
    assert data[0]["topics"] == "lighting"


@pytest.mark.django_db
def test_export_with_search_text(client):
    PracticeFactory(published=True, title="Graffiti removal")
    PracticeFactory(published=True, title="Street lighting")
    data = rows(client.get(URL, {"q": "graffiti"}))
    assert [row["title"] for row in data] == ["Graffiti removal"]


@pytest.mark.django_db
def test_export_defuses_spreadsheet_formulas(client):
    PracticeFactory(published=True, title='=HYPERLINK("http://x")')
    data = rows(client.get(URL))
    assert data[0]["title"].startswith("'=")


PAYLOAD = "Chief;=1+1;=cmd|' /C calc'!A0"


@pytest.mark.django_db
@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_no_cell_becomes_a_formula_whatever_separator_a_spreadsheet_splits_at(client, delimiter):
    """A spreadsheet in a locale that separates with semicolons (or set to tabs or pipes)
    splits cells the export did not quote: no piece it gets may start a formula."""
    PracticeFactory(
        published=True,
        title=PAYLOAD,
        summary="Costs fell,-5%, then rose\n=SUM(A1:A9)\n\t@home|+1",
        partners='Police, =HYPERLINK("http://x")',
    )
    response = client.get(URL)
    text = b"".join(response.streaming_content).decode("utf-8")
    lines = text.splitlines()
    pieces = [piece for line in lines for piece in line.split(delimiter)]
    dangerous = [p for p in pieces if p.lstrip(' "').startswith(("=", "+", "-", "@"))]
    assert dangerous == []
    # And the export still reads back as the curator's text.
    assert rows(client.get(URL))[0]["title"] == "Chief;'=1+1;'=cmd|' /C calc'!A0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"topic": "nope"}, "Select a valid choice"),
        ({"year_from": "abc"}, "Enter a whole number"),
        ({"q": "x" * 500}, "too long"),
        ({"q": "\x00"}, "Null characters are not allowed"),
    ],
)
def test_export_bad_input_is_a_400_with_a_message(client, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()


@pytest.mark.django_db
def test_export_ignores_the_page_parameter(client):
    PracticeFactory(published=True)
    assert len(rows(client.get(URL, {"page": "abc"}))) == 1


@pytest.mark.django_db
def test_export_query_count_is_fixed(client, django_assert_num_queries):
    topic = TopicFactory(slug="t")

    def make():
        practice = PracticeFactory(published=True, topics=[topic])
        SourceFactory(practice=practice)
        OutcomeFactory(practice=practice)
        RecognitionFactory(practice=practice)

    make()
    # Topic slug check, count (the facet index's newest change, then the worker's bitsets,
    # built afresh inside a test's transaction), the export cursor's planner settings, then
    # one query for every row with its related values already joined
    # (tests/test_export_fast.py).
    with django_assert_num_queries(6):
        assert len(rows(client.get(URL, {"topic": "t"}))) == 1
    for _ in range(49):
        make()
    with django_assert_num_queries(6):
        assert len(rows(client.get(URL, {"topic": "t"}))) == 50


@pytest.mark.django_db
def test_too_large_a_selection_is_refused_with_advice(client, monkeypatch):
    from practices.views import practices as views

    monkeypatch.setattr(views, "EXPORT_MAX_ROWS", 2)
    topic = TopicFactory(slug="few")
    PracticeFactory.create_batch(2, published=True, topics=[topic])
    PracticeFactory(published=True)
    response = client.get(URL)
    assert response.status_code == 400
    assert "This selection has 3 practices; one download holds at most 2." in (
        response.content.decode()
    )
    # The list page says so instead of offering the link.
    body = client.get(reverse("practices:practice_list")).content.decode()
    assert "narrow the selection to 2 practices or fewer" in body
    assert URL not in body
    # A narrower selection downloads.
    assert len(rows(client.get(URL, {"topic": "few"}))) == 2


@pytest.mark.django_db
def test_export_reuses_the_count_of_the_list(client, django_assert_num_queries):
    topic = TopicFactory(slug="shared")
    PracticeFactory.create_batch(2, published=True, topics=[topic])
    assert client.get(reverse("practices:practice_list"), {"topic": "shared"}).status_code == 200
    # The list counted this selection already (page and sort do not change the count).
    with django_assert_num_queries(4):
        response = client.get(URL, {"topic": "shared", "sort": "title", "page": "2"})
        assert len(rows(response)) == 2
    # A change to the catalogue counts again (the newest change, then the bitsets).
    PracticeFactory(published=True, topics=[topic])
    with django_assert_num_queries(6):
        assert len(rows(client.get(URL, {"topic": "shared"}))) == 3
