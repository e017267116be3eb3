"""Full-text search: ranking, English and Spanish, websearch syntax, suggestions, /search/."""

import pytest
from django.urls import reverse

from practices.models import PublishingState
from practices.search import parse, refresh_search_words, render_headline, suggest
from tests.factories import (
    AwardFactory,
    PracticeFactory,
    PublicationFactory,
)

LIST_URL = reverse("practices:practice_list")
SEARCH_URL = reverse("search")

NEUTRAL = {
    "summary": "A program run by the city.",
    "problem": "",
    "approach": "",
    "results": "",
}


def practice(title, **kwargs):
    return PracticeFactory(published=True, title=title, **{**NEUTRAL, **kwargs})


def found(query: str) -> list[str]:
    from practices.models import Practice
    from practices.search import search

    return [
        p.title
        for p in search(Practice.objects.published(), parse(query)).order_by("-rank", "title")
    ]


@pytest.mark.django_db
def test_title_match_ranks_above_body_match(client):
    practice("Evening programs", approach="Graffiti removal crews worked at night.")
    practice("Graffiti abatement")
    response = client.get(LIST_URL, {"q": "graffiti"})
    assert [p.title for p in response.context["practices"]] == [
        "Graffiti abatement",
        "Evening programs",
    ]
    assert response.context["sort"] == "relevance"


@pytest.mark.django_db
def test_summary_match_ranks_above_body_match():
    practice("Body", results="Fewer burglaries were reported.")
    practice("Summary", summary="Burglaries fell after the program.")
    assert found("burglary") == ["Summary", "Body"]


@pytest.mark.django_db
def test_spanish_query_finds_spanish_entry_with_and_without_accents():
    practice(
        "Prevención de la violencia juvenil",
        summary="La policía comunitaria y los jóvenes del barrio.",
        language="es",
    )
    practice("Unrelated", language="en")
    for query in ("policía", "policia", "prevencion", "jovenes", "juveniles", "POLICÍA"):
        assert found(query) == ["Prevención de la violencia juvenil"], query


@pytest.mark.django_db
def test_english_stemming_applies_to_english_entries():
    practice("Mentors for teenagers", summary="Mentoring reduced arrests.")
    assert found("mentored arrest") == ["Mentors for teenagers"]


@pytest.mark.django_db
def test_websearch_operators():
    practice("Street lighting upgrade", summary="New street lights in parks.")
    practice("Street outreach workers", summary="Violence interrupters on the street.")
    practice("Park rangers", summary="Rangers patrol the park at night.")
    # Quotes: an exact phrase.
    assert found('"street lighting"') == ["Street lighting upgrade"]
    # Minus: leave a word out.
    assert found("street -lighting") == ["Street outreach workers"]
    # or: either word.
    assert sorted(found("outreach or rangers")) == ["Park rangers", "Street outreach workers"]
    # Plain words: all of them.
    assert found("street outreach") == ["Street outreach workers"]


@pytest.mark.django_db
def test_search_results_show_highlighted_snippets(client):
    practice("Cure violence", summary="Workers & <b>mediators</b> interrupt retaliation.")
    response = client.get(LIST_URL, {"q": "retaliation"})
    body = response.content.decode()
    assert "<mark>retaliation</mark>" in body
    # The summary's own markup is never rendered: text is escaped, tags dropped.
    assert "Workers &amp;" in body
    assert "<b>mediators</b>" not in body


def test_render_headline_escapes_then_marks():
    assert render_headline("a <i> \ue000word\ue001 & b") == "a &lt;i&gt; <mark>word</mark> &amp; b"
    # An unterminated marker still gives balanced markup.
    assert render_headline("\ue000open") == "<mark>open</mark>"


@pytest.mark.django_db
def test_misspelled_word_gets_a_suggestion(client):
    practice("Neighbourhood graffiti removal", summary="Volunteers painted over tags.")
    practice("Policía comunitaria", summary="Patrullas a pie en el barrio.", language="es")
    PracticeFactory(title="Secret draft", summary="Clandestine operations.")
    refresh_search_words()
    assert suggest("grafiti removal") == "graffiti removal"
    assert suggest("polisia") == "policía"
    # A known word, with or without its accents, needs no correction.
    assert suggest("graffiti") is None
    assert suggest("policia") is None
    # Drafts do not feed the vocabulary.
    assert suggest("clandestin") is None

    response = client.get(LIST_URL, {"q": "grafiti", "country": "US"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="suggestion"' in body
    assert 'href="/practices/?q=graffiti&amp;country=US"' in body


@pytest.mark.django_db
def test_site_search_has_a_section_per_type_with_counts(client):
    practice("Safe routes to school", summary="Crossing guards and lighting.")
    PracticeFactory(title="Draft safe routes", summary="Crossing guards.")
    PracticeFactory(
        title="Archived safe routes", summary="Crossing.", state=PublishingState.ARCHIVED
    )
    PracticeFactory(title="Review safe routes", summary="Crossing.", state=PublishingState.REVIEW)
    PublicationFactory(published=True, title="Guide to safe crossings")
    PublicationFactory(title="Unpublished crossings guide")
    AwardFactory(name="Crossing Safety Award", slug="crossing-award")
    AwardFactory(name="Library Award", slug="library-award")

    response = client.get(SEARCH_URL, {"q": "crossing"})
    assert response.status_code == 200
    context = response.context
    assert [p.title for p in context["practices"]] == ["Safe routes to school"]
    assert context["practice_count"] == 1
    assert [p.title for p in context["publications"]] == ["Guide to safe crossings"]
    assert context["publication_count"] == 1
    assert [a.name for a in context["awards"]] == ["Crossing Safety Award"]
    body = response.content.decode()
    assert "Draft safe routes" not in body
    assert "Archived safe routes" not in body
    assert "Review safe routes" not in body
    assert "Unpublished crossings guide" not in body
    assert 'id="search-practices"' in body
    assert 'id="search-publications"' in body
    assert 'id="search-awards"' in body
    assert f'href="{LIST_URL}?q=crossing"' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "status", "text"),
    [
        ("", 200, "Search practices, publications and awards"),
        ("!!!", 200, "Type at least one letter or number"),
        ("x" * 201, 400, "too long"),
        ("a\x00b", 400, "Null characters are not allowed"),
        ('"unbalanced', 200, "0 practices,"),
        ("-", 200, "Type at least one letter or number"),
    ],
)
def test_site_search_bad_input(client, q, status, text):
    response = client.get(SEARCH_URL, {"q": q})
    assert response.status_code == status
    assert text in response.content.decode()


@pytest.mark.django_db
def test_site_search_query_count_is_fixed(client, django_assert_num_queries):
    practice("Crossing one")
    PublicationFactory(published=True, title="Crossing guide")
    AwardFactory(name="Crossing award")
    # Practices: page, topics, recognitions, headlines, count; publications: page,
    # headlines, count; awards; suggestion.
    with django_assert_num_queries(11):
        response = client.get(SEARCH_URL, {"q": "crossing"})
    assert len(response.context["practices"]) == 1
    for n in range(30):
        practice(f"Crossing {n}")
        PublicationFactory(published=True, title=f"Crossing guide {n}")
        AwardFactory(name=f"Crossing award {n}")
    with django_assert_num_queries(11):
        response = client.get(SEARCH_URL, {"q": "crossing"})
    assert len(response.context["practices"]) == 5
    assert response.context["practice_count"] == 31
    assert response.context["award_count"] == 31
