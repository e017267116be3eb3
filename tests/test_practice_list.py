"""/practices/: filters, facets, search, sorting, pagination and bad input."""

import re

import pytest
from django.urls import reverse

from practices.models import EvidenceRating, PublishingState
from tests.factories import (
    AwardFactory,
    DepartmentFactory,
    JurisdictionFactory,
    PracticeFactory,
    RecognitionFactory,
    TopicFactory,
)

URL = reverse("practices:practice_list")


def titles(response) -> list[str]:
    return [practice.title for practice in response.context["practices"]]


def facet_group(response, name: str):
    (group,) = [group for group in response.context["facets"] if group.name == name]
    return group


def facet(response, name: str) -> dict[str, int]:
    for group in response.context["facets"]:
        if group.name == name:
            return {option.value: option.count for option in group.options}
    return {}


@pytest.fixture
def catalogue(db):
    """A small catalogue: published practices of several shapes, plus hidden ones."""
    violence = TopicFactory(name="Violence prevention", slug="violence")
    youth = TopicFactory(name="Youth violence", slug="youth-violence", parent=violence)
    lighting = TopicFactory(name="Street lighting", slug="lighting")
    parks = DepartmentFactory(name="Parks and recreation", slug="parks")
    police = DepartmentFactory(name="Police", slug="police")
    town = JurisdictionFactory(
        name="Smallville", slug="smallville", population=8_000, country="US", region="Kansas"
    )
    city = JurisdictionFactory(
        name="Big City", slug="big-city", population=900_000, country="US", region="Illinois"
    )
    san_salvador = JurisdictionFactory(
        name="Santa Tecla",
        slug="santa-tecla",
        population=120_000,
        country="SV",
        region="La Libertad",
    )
    award = AwardFactory(name="Excellence in Safety", slug="excellence")
    mentoring = PracticeFactory(
        published=True,
        title="Youth mentoring",
        slug="youth-mentoring",
        topics=[youth],
        departments=[parks],
        lead_jurisdiction=town,
        evidence_rating=EvidenceRating.EFFECTIVE,
        year_started=2012,
    )
    lights = PracticeFactory(
        published=True,
        title="Brighter streets",
        slug="brighter-streets",
        topics=[lighting],
        departments=[police],
        lead_jurisdiction=city,
        year_started=2018,
    )
    violence_plan = PracticeFactory(
        published=True,
        title="Citywide violence plan",
        slug="violence-plan",
        topics=[violence],
        departments=[parks, police],
        lead_jurisdiction=san_salvador,
        year_started=2020,
        language="es",
    )
    RecognitionFactory(practice=lights, award=award, year=2021)
    hidden = {}
    for state in (PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED):
        hidden[state] = PracticeFactory(
            title=f"Hidden {state} youth",
            slug=f"hidden-{state}",
            state=state,
            topics=[youth, lighting],
            departments=[parks],
            lead_jurisdiction=town,
        )
    return {
        "violence": violence,
        "youth": youth,
        "lighting": lighting,
        "mentoring": mentoring,
        "lights": lights,
        "plan": violence_plan,
        "award": award,
        "hidden": hidden,
    }


def test_lists_published_practices_only_with_count(client, catalogue):
    response = client.get(URL)
    assert response.status_code == 200
    assert sorted(titles(response)) == [
        "Brighter streets",
        "Citywide violence plan",
        "Youth mentoring",
    ]
    body = response.content.decode()
    assert "Hidden" not in body
    assert "3 practices found" in body
    assert 'role="status"' in body


def test_hidden_records_are_not_found_by_search(client, catalogue):
    # Every hidden practice has "youth" in its title.
    response = client.get(URL, {"q": "youth"})
    assert titles(response) == ["Youth mentoring"]
    assert "Hidden" not in response.content.decode()


def test_hidden_records_are_not_counted_in_facets(client, catalogue):
    response = client.get(URL)
    assert facet(response, "topic") == {"violence": 2, "youth-violence": 1, "lighting": 1}
    assert facet(response, "department") == {"parks": 2, "police": 2}
    assert facet(response, "population") == {"under-10k": 1, "50k-250k": 1, "250k-plus": 1}


def test_parent_topic_includes_subtopics(client, catalogue):
    response = client.get(URL, {"topic": "violence"})
    assert sorted(titles(response)) == ["Citywide violence plan", "Youth mentoring"]
    response = client.get(URL, {"topic": "youth-violence"})
    assert titles(response) == ["Youth mentoring"]


def test_several_values_of_one_filter_widen_the_selection(client, catalogue):
    response = client.get(URL, {"topic": ["youth-violence", "lighting"]})
    assert sorted(titles(response)) == ["Brighter streets", "Youth mentoring"]


def test_different_filters_narrow_the_selection(client, catalogue):
    response = client.get(URL, {"department": "parks", "country": "US"})
    assert titles(response) == ["Youth mentoring"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "police"}, ["Brighter streets", "Citywide violence plan"]),
        ({"country": "SV"}, ["Citywide violence plan"]),
        ({"region": "Kansas"}, ["Youth mentoring"]),
        ({"region": ["Kansas", "Illinois"]}, ["Brighter streets", "Youth mentoring"]),
        ({"population": "under-10k"}, ["Youth mentoring"]),
        ({"population": ["under-10k", "250k-plus"]}, ["Brighter streets", "Youth mentoring"]),
        ({"evidence": "effective"}, ["Youth mentoring"]),
        ({"awarded": "yes"}, ["Brighter streets"]),
        ({"awarded": "no"}, ["Citywide violence plan", "Youth mentoring"]),
        (
            {"awarded": ["yes", "no"]},
            ["Brighter streets", "Citywide violence plan", "Youth mentoring"],
        ),
        ({"award": "excellence"}, ["Brighter streets"]),
        ({"year_from": "2015"}, ["Brighter streets", "Citywide violence plan"]),
        ({"year_to": "2018"}, ["Brighter streets", "Youth mentoring"]),
        ({"year_from": "2013", "year_to": "2019"}, ["Brighter streets"]),
    ],
)
def test_each_filter(client, catalogue, params, expected):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert sorted(titles(response)) == expected


def test_facet_counts_apply_the_other_filters_but_not_their_own(client, catalogue):
    response = client.get(URL, {"department": "parks"})
    # Topic counts are over the parks selection (two practices).
    assert facet(response, "topic") == {"violence": 2, "youth-violence": 1}
    # Department counts ignore the department filter itself, so other choices stay visible.
    assert facet(response, "department") == {"parks": 2, "police": 2}
    assert facet(response, "country") == {"US": 1, "SV": 1}


def test_facets_render_as_labelled_checkboxes_in_fieldsets(client, catalogue):
    response = client.get(URL, {"topic": "lighting"})
    body = response.content.decode()
    assert '<fieldset class="facet" id="facet-topic">' in body
    match = re.search(
        r'<input type="checkbox" name="topic" value="lighting" id="([^"]+)" checked>', body
    )
    assert match
    assert f'<label for="{match.group(1)}">Street lighting' in body


def test_award_facet_lists_awards_with_counts(client, catalogue):
    response = client.get(URL)
    assert facet(response, "award") == {"excellence": 1}
    assert facet(response, "awarded") == {"yes": 1, "no": 2}


def test_sort_by_title_and_newest(client, catalogue):
    response = client.get(URL, {"sort": "title"})
    assert titles(response) == ["Brighter streets", "Citywide violence plan", "Youth mentoring"]
    response = client.get(URL, {"sort": "newest"})
    assert titles(response)[0] == "Citywide violence plan"  # published last


def test_relevance_sort_without_search_falls_back_to_newest(client, catalogue):
    response = client.get(URL, {"sort": "relevance"})
    assert response.status_code == 200
    assert response.context["sort"] == "newest"


def test_pagination_keeps_the_filters(client, db):
    topic = TopicFactory(slug="parks-topic")
    PracticeFactory.create_batch(25, published=True, topics=[topic])
    response = client.get(URL, {"topic": "parks-topic", "sort": "title"})
    assert len(titles(response)) == 20
    body = response.content.decode()
    assert 'href="?topic=parks-topic&amp;sort=title&amp;page=2" rel="next"' in body
    assert '<nav class="pagination list-pagination" aria-label="Pages of results">' in body
    response = client.get(URL, {"topic": "parks-topic", "sort": "title", "page": "2"})
    assert len(titles(response)) == 5
    assert 'rel="prev"' in response.content.decode()


def test_clear_all_link_and_export_link_keep_the_selection(client, catalogue):
    response = client.get(URL, {"country": "US", "page": "1"})
    body = response.content.decode()
    assert f'<a class="clear-all" href="{URL}">' in body
    assert f'href="{reverse("practices:practice_export")}?country=US"' in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"topic": "no-such-topic"},
            "“no-such-topic” is not one of the choices, so it was left out.",
        ),
        ({"topic": "<script>"}, "“&lt;script&gt;” is not one of the choices"),
        ({"year_from": "abc"}, "“abc” was left out: Enter a whole number."),
        ({"year_from": "2020", "year_to": "2010"}, "“2010” was left out: “To” year must be"),
        ({"year_to": "99999999999999999999"}, "less than or equal to 2100"),
        ({"country": "XX"}, "“XX” is not one of the choices"),
        ({"sort": "price"}, "“price” is not one of the choices"),
        ({"q": "x" * 201}, f"“{'x' * 59}…” was left out: The search text is too long"),
        ({"q": "violence\x00"}, "“violence” was left out: Null characters are not allowed."),
        ({"region": "a\x00b"}, "“ab” was left out: Null characters are not allowed."),
    ],
)
def test_a_bad_filter_value_is_left_out_with_a_notice_naming_it(client, catalogue, params, message):
    response = client.get(URL, params)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="filter-errors" role="alert"' in body
    assert message in body
    assert "<script>" not in body.split("<main", 1)[1]
    # The rest of the page still works: the valid part of the selection is shown.
    assert response.context["practices"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "abc"}, "is not a page number"),
        ({"page": "-1"}, "is not a page number"),
    ],
)
def test_a_bad_page_number_is_explained_with_400(client, catalogue, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="filter-errors" role="alert"' in body
    assert message in body
    assert response.context["practices"]


def test_an_unknown_topic_does_not_hide_the_known_one(client, catalogue):
    response = client.get(URL, {"topic": ["no-such-topic", "lighting"]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "“no-such-topic” is not one of the choices, so it was left out." in body
    assert titles(response) == ["Brighter streets"]
    assert response.context["page_obj"].paginator.count == 1
    assert "1 practice found" in body
    # Facets count the kept selection: lighting alone is ticked, the others count with it.
    topics = {option.value: option for option in facet_group(response, "topic").options}
    assert [value for value, option in topics.items() if option.selected] == ["lighting"]
    assert "no-such-topic" not in topics
    assert facet(response, "department") == {"police": 1}
    assert facet(response, "country") == {"US": 1}
    # Links in the page's content carry the kept selection only.
    content = body.split("<main", 1)[1]
    assert "no-such-topic" not in content.replace("“no-such-topic”", "")
    assert f'href="{reverse("practices:practice_export")}?topic=lighting"' in body


def test_bad_values_of_one_filter_leave_the_other_filters_applied(client, catalogue):
    params = {"topic": ["violence", "gone"], "country": ["SV", "ZZ"], "year_from": "soon"}
    response = client.get(URL, params)
    assert response.status_code == 200
    assert titles(response) == ["Citywide violence plan"]
    body = response.content.decode()
    for value in ("gone", "ZZ", "soon"):
        assert f"“{value}”" in body
    assert facet(response, "topic") == {"violence": 1}


def test_too_many_values_keep_the_first_fifty(client, catalogue):
    response = client.get(URL, {"region": ["Kansas", *(f"Region {n}" for n in range(60))]})
    assert response.status_code == 200
    assert "Only the first 50 values were used." in response.content.decode()
    assert titles(response) == ["Youth mentoring"]


def test_the_export_still_refuses_a_selection_with_a_bad_value(client, catalogue):
    response = client.get(
        reverse("practices:practice_export"), {"topic": ["no-such-topic", "lighting"]}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "The export could not be made" in text
    assert "no-such-topic" in text


def test_page_beyond_the_last_shows_the_last_page_with_404(client, catalogue):
    response = client.get(URL, {"page": "99999"})
    assert response.status_code == 404
    assert "There is no page 99999: the last page is 1, shown here." in response.content.decode()
    assert len(titles(response)) == 3


def test_punctuation_only_search_shows_everything_with_a_notice(client, catalogue):
    response = client.get(URL, {"q": "!!! ??? ..."})
    assert response.status_code == 200
    assert "Type at least one letter or number" in response.content.decode()
    assert len(titles(response)) == 3


def test_unbalanced_quotes_are_fine(client, catalogue):
    response = client.get(URL, {"q": '"youth mentoring'})
    assert response.status_code == 200
    assert titles(response) == ["Youth mentoring"]


def test_spanish_list_renders(client, catalogue):
    response = client.get("/es" + URL)
    assert response.status_code == 200
    assert len(titles(response)) == 3


def test_query_count_is_fixed_whatever_the_number_of_results(client, db, django_assert_num_queries):
    topic = TopicFactory(slug="t")
    award = AwardFactory(slug="a")
    PracticeFactory(published=True, topics=[topic], title="Alone")

    def hit():
        # Every filter at once, including a search.
        return client.get(
            URL,
            {
                "q": "corridor",
                "topic": "t",
                "country": "US",
                "population": "50k-250k",
                "evidence": "promising",
                "year_from": "2000",
                "awarded": ["yes", "no"],
            },
        )

    # 1 catalogue version, 1 bilingual vocabulary (read once per catalogue version),
    # 1 text match (the search's ids, read once per request), 1 count (over the facet
    # index), 2 page (ids, then rows), 2 prefetches (topics, recognitions+award),
    # 1 headlines, 1 suggestion (only looked for when the search finds little), 4 facet
    # queries (every count in one statement; the names of topics, departments and
    # awards), 1 topic slug check.
    with django_assert_num_queries(15):
        response = hit()
    assert len(titles(response)) == 1

    for n in range(60):
        practice = PracticeFactory(published=True, topics=[topic])
        RecognitionFactory(practice=practice, award=award, year=2000 + n % 20, category=None)
    # The same, without the suggestion: sixty-one results need none.
    with django_assert_num_queries(14):
        response = hit()
    assert len(titles(response)) == 20
    assert response.context["page_obj"].paginator.count == 61


def test_rejected_search_text_is_kept_in_the_box_without_nul(client, catalogue):
    response = client.get(URL, {"q": "youth\x00mentoring"})
    assert response.status_code == 200
    assert 'value="youthmentoring"' in response.content.decode()
    assert len(titles(response)) == 3, "the search was left out"


def test_facet_counts_are_grouped_by_thousands():
    from django.template.loader import render_to_string

    from practices.facets import Facet, FacetOption

    html = render_to_string(
        "practices/_facets.html",
        {"facets": [Facet("topic", "Topic", [FacetOption("a", "A", 12345, False)])]},
    )
    assert '(12,345<span class="visually-hidden"> practices</span>)' in html


def test_empty_values_mean_no_choice(client, catalogue):
    response = client.get(
        URL, {"topic": "", "country": ["", "US"], "evidence": "", "year_from": "", "sort": ""}
    )
    assert response.status_code == 200
    assert sorted(titles(response)) == ["Brighter streets", "Youth mentoring"]
