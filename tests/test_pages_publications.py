"""/publications/ (filters, full text, pagination, bad input) and /publications/<slug>/
(bibliographic facts, JSON-LD, related practices, staff preview)."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practices.models import Language, PublicationKind, PublishingState
from practices.views.browse import PUBLICATIONS_PER_PAGE
from tests import factories

UNPUBLISHED = [PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED]
LIST_URL = "/publications/"


def titles(response) -> list[str]:
    return [p.title for p in response.context["publications"]]


@pytest.mark.django_db
def test_publication_list_shows_published_only(client):
    factories.PublicationFactory(published=True, title="Public guide")
    for state in UNPUBLISHED:
        factories.PublicationFactory(state=state, title=f"Hidden {state}")
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert titles(response) == ["Public guide"]
    assert "Hidden" not in response.content.decode()
    assert response.context["page_obj"].paginator.count == 1


@pytest.mark.django_db
def test_every_filter_control_has_a_label(client):
    html = client.get(LIST_URL).content.decode()
    for name in ["q", "kind", "topic", "language", "year"]:
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html


@pytest.mark.django_db
def test_filter_by_kind_language_and_year(client):
    factories.PublicationFactory(
        published=True, title="Manual 2019", kind=PublicationKind.MANUAL, year=2019
    )
    factories.PublicationFactory(
        published=True, title="Report 2019", kind=PublicationKind.REPORT, year=2019
    )
    factories.PublicationFactory(
        published=True, title="Informe 2021", language=Language.SPANISH, year=2021
    )
    factories.PublicationFactory(state=PublishingState.DRAFT, year=2030)

    assert titles(client.get(LIST_URL, {"kind": "manual"})) == ["Manual 2019"]
    assert titles(client.get(LIST_URL, {"language": "es"})) == ["Informe 2021"]
    assert sorted(titles(client.get(LIST_URL, {"year": "2019"}))) == ["Manual 2019", "Report 2019"]
    # Only years of published publications are offered.
    years = [
        value
        for value, _label in client.get(LIST_URL).context["filter"].form.fields["year"].choices
    ]
    assert "2030" not in str(years)


@pytest.mark.django_db
def test_filter_by_topic_includes_subtopics(client):
    parent = factories.TopicFactory(slug="environmental-design")
    child = factories.TopicFactory(parent=parent)
    factories.PublicationFactory(published=True, title="On the parent", topics=[parent])
    factories.PublicationFactory(published=True, title="On the child", topics=[child])
    factories.PublicationFactory(published=True, title="Elsewhere")

    response = client.get(LIST_URL, {"topic": "environmental-design"})

    assert sorted(titles(response)) == ["On the child", "On the parent"]
    assert titles(client.get(LIST_URL, {"topic": child.slug})) == ["On the child"]


@pytest.mark.django_db
def test_full_text_search_finds_english_and_spanish_entries_ranked(client):
    factories.PublicationFactory(
        published=True, title="Street lighting and crime", summary="Lights reduce crime."
    )
    factories.PublicationFactory(
        published=True,
        title="Guía de prevención",
        summary="Manual para policías municipales.",
        language=Language.SPANISH,
    )
    factories.PublicationFactory(published=True, title="Unrelated", summary="Budgets.")
    factories.PublicationFactory(state=PublishingState.DRAFT, title="Lighting draft")

    assert titles(client.get(LIST_URL, {"q": "lighting"})) == ["Street lighting and crime"]
    # Accent-folded, stemmed Spanish: "policia" finds "policías".
    assert titles(client.get(LIST_URL, {"q": "policia"})) == ["Guía de prevención"]
    # websearch syntax: OR and quoted phrases are understood, not errors.
    assert sorted(titles(client.get(LIST_URL, {"q": 'lighting or "policías municipales"'}))) == [
        "Guía de prevención",
        "Street lighting and crime",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "novel"}, "Kind: “novel” is not one of the choices, so it was left out."),
        ({"topic": "no-such-topic"}, "Topic: “no-such-topic” is not one of the choices"),
        ({"language": "fr"}, "Language: “fr” is not one of the choices"),
        ({"year": "1066"}, "Year: “1066” is not one of the choices"),
        ({"year": "abc"}, "Year: “abc” is not one of the choices"),
        ({"q": "x" * 201}, "Words to find: “" + "x" * 59 + "…” was left out: Ensure"),
        ({"q": "nul\x00byte"}, "Words to find: “nulbyte” was left out: Null characters"),
    ],
)
def test_a_bad_filter_value_is_left_out_with_a_notice_naming_it(client, params, message):
    factories.PublicationFactory(published=True, year=2019, title="Still listed")
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filter values could not be used; the other filters apply:" in html
    assert 'id="filter-left-out" class="message message--warning" role="alert"' in html
    assert message in html
    assert titles(response) == ["Still listed"]


@pytest.mark.django_db
def test_a_bad_value_does_not_hide_the_good_filters(client):
    topic = factories.TopicFactory(slug="parks")
    factories.PublicationFactory(published=True, year=2019, title="Parks guide", topics=[topic])
    factories.PublicationFactory(published=True, year=2019, title="Other guide")
    factories.PublicationFactory(published=True, year=2020, title="Parks report", topics=[topic])
    response = client.get(LIST_URL, {"topic": "parks", "year": "2019", "kind": "novel"})
    assert response.status_code == 200
    assert titles(response) == ["Parks guide"]
    assert response.context["page_obj"].paginator.count == 1
    html = response.content.decode()
    assert "“novel” is not one of the choices" in html
    assert '<option value="parks" selected>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["&", "!", "'", "((", ":*", "a & | b", "-"])
def test_odd_search_text_never_fails(client, query):
    factories.PublicationFactory(published=True)
    assert client.get(LIST_URL, {"q": query}).status_code == 200


@pytest.mark.django_db
def test_publication_list_paginates_keeping_the_filters(client):
    for _ in range(PUBLICATIONS_PER_PAGE + 1):
        factories.PublicationFactory(published=True, kind=PublicationKind.TOOLKIT)
    first = client.get(LIST_URL, {"kind": "toolkit"})
    assert len(first.context["publications"]) == PUBLICATIONS_PER_PAGE
    assert "?kind=toolkit&amp;page=2" in first.content.decode()
    second = client.get(LIST_URL, {"kind": "toolkit", "page": "2"})
    assert len(second.context["publications"]) == 1
    assert client.get(LIST_URL, {"page": "abc"}).status_code == 404
    assert client.get(LIST_URL, {"page": "3"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 9])
def test_publication_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    topic = factories.TopicFactory()
    for year in range(count):
        factories.TopicFactory(parent=topic)
        factories.PublicationFactory(published=True, topics=[topic], year=2000 + year)
    # Topic choices, year choices, count, page; the bilingual vocabulary of the search
    # (read once per catalogue version).
    with django_assert_num_queries(6):
        assert client.get(LIST_URL, {"topic": topic.slug, "q": "guide"}).status_code == 200


@pytest.mark.django_db
def test_publication_detail_shows_bibliographic_facts_and_public_practices_only(client):
    topic = factories.TopicFactory(name="Crime analysis")
    publication = factories.PublicationFactory(
        published=True,
        title="Crime Analysis for Problem Solvers",
        authors="R. Clarke; J. Eck",
        publisher="A Justice Department Office",
        year=2005,
        edition="2nd",
        isbn="978-0-306-40615-7",
        kind=PublicationKind.MANUAL,
        summary="Sixty small steps.",
        url="https://example.org/steps",
        topics=[topic],
        practices=[
            factories.PracticeFactory(published=True, title="Hot spots program"),
            factories.PracticeFactory(state=PublishingState.DRAFT, title="Draft program"),
        ],
    )

    response = client.get(publication.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    for fact in [
        "R. Clarke; J. Eck",
        "A Justice Department Office",
        "2005",
        "2nd",
        "9780306406157",
        "Manual",
        "Sixty small steps.",
        "https://example.org/steps",
        "Crime analysis",
        "Hot spots program",
    ]:
        assert fact in html
    assert "Draft program" not in html
    assert "noindex" not in html


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_publication_json_ld_is_a_book_with_an_isbn_and_a_creative_work_without(client):
    book = factories.PublicationFactory(published=True, isbn="0306406152", year=2001)
    report = factories.PublicationFactory(published=True, isbn="", kind=PublicationKind.REPORT)

    book_data = json_ld(client.get(book.get_absolute_url()).content.decode())
    report_data = json_ld(client.get(report.get_absolute_url()).content.decode())

    assert book_data["@type"] == "Book"
    assert book_data["isbn"] == "0306406152"
    assert book_data["datePublished"] == "2001"
    assert book_data["name"] == book.title
    assert book_data["url"] == f"http://testserver{book.get_absolute_url()}"
    assert report_data["@type"] == "CreativeWork"
    assert "isbn" not in report_data


@pytest.mark.django_db
def test_publication_json_ld_cannot_break_out_of_its_script_element(client):
    publication = factories.PublicationFactory(
        published=True,
        title="</script><script>alert(1)</script> & more",
        summary="<!-- a > b -->",
    )
    html = client.get(publication.get_absolute_url()).content.decode()
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert json_ld(html)["name"] == "</script><script>alert(1)</script> & more"
    assert "<script>alert(1)" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("state", UNPUBLISHED)
def test_unpublished_publication_is_404_for_the_public_and_staff_without_permission(client, state):
    publication = factories.PublicationFactory(state=state)
    assert client.get(publication.get_absolute_url()).status_code == 404
    client.force_login(factories.UserFactory(is_staff=True))
    assert client.get(publication.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_staff_with_view_permission_preview_an_unpublished_publication(client):
    publication = factories.PublicationFactory(state=PublishingState.REVIEW, title="In the works")
    curator = factories.UserFactory(is_staff=True)
    curator.user_permissions.add(Permission.objects.get(codename="view_publication"))
    client.force_login(curator)

    response = client.get(publication.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "In the works" in html
    assert "Preview." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_published_publication_is_cacheable_and_indexable(client):
    response = client.get(factories.PublicationFactory(published=True).get_absolute_url())
    assert "X-Robots-Tag" not in response
    assert "private" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_publication_with_a_file_links_to_the_pdf(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    publication = factories.PublicationFactory(
        published=True,
        url="",
        file=SimpleUploadedFile("guide.pdf", b"%PDF-1.4 minimal", "application/pdf"),
    )
    html = client.get(publication.get_absolute_url()).content.decode()
    file_url = reverse("practices:publication_file", args=[publication.slug])
    assert f'href="{file_url}"' in html
    assert publication.file.url not in html
    assert "Download the PDF" in html
    assert "Read it at the publisher" not in html


@pytest.mark.django_db
def test_unknown_publication_is_404(client):
    response = client.get(reverse("practices:publication_detail", kwargs={"slug": "nope"}))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 6])
def test_publication_detail_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    publication = factories.PublicationFactory(
        published=True,
        topics=[factories.TopicFactory() for _ in range(count)],
        practices=[factories.PracticeFactory(published=True) for _ in range(count)],
    )
    with django_assert_num_queries(
        6
    ):  # version, publication, topics, practices with topics and awards
        assert client.get(publication.get_absolute_url()).status_code == 200
