"""Facet counts of /practices/: the same numbers as the filters give, from few, narrow queries.

Every count beside an option must equal the number of practices the list shows when that
option alone is ticked in its group (the other groups as they are). The tests check that
on a mixed catalogue with hidden practices, across many selections, and check that the
counts come from the facet index PostgreSQL keeps (migration clearinghouse/0003).
"""

import random

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from practices import facets, filters
from practices.models import EvidenceRating, PopulationBand, Practice, PublishingState
from tests.factories import (
    AwardFactory,
    DepartmentFactory,
    JurisdictionFactory,
    PracticeFactory,
    RecognitionFactory,
    TopicFactory,
)

HIDDEN_STATES = [PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED]


@pytest.fixture
def mixed_catalogue(db):
    """Practices of every shape: families of topics, places of every band (and none),
    several recognitions of one award, and a quarter of them hidden."""
    rng = random.Random(20261126)
    family = TopicFactory(slug="violence", position=1)
    topics = [
        family,
        TopicFactory(slug="youth", parent=family),
        TopicFactory(slug="guns", parent=family),
        TopicFactory(slug="lighting", position=2),
        TopicFactory(slug="traffic", position=3),
    ]
    departments = [
        DepartmentFactory(slug="police", name="Police", position=2),
        DepartmentFactory(slug="parks", name="Parks", position=1),
        DepartmentFactory(slug="libraries", name="Libraries", position=1),
    ]
    places = [
        JurisdictionFactory(country="US", region="Kansas", population=8_000),
        JurisdictionFactory(country="US", region="Kansas", population=40_000),
        JurisdictionFactory(country="US", region="Ohio", population=300_000),
        JurisdictionFactory(country="SV", region="La Libertad", population=120_000),
        JurisdictionFactory(country="MX", region="", population=None),
        JurisdictionFactory(country="MX", region="Jalisco", population=1_500_000),
    ]
    awards = [AwardFactory(slug="excellence"), AwardFactory(slug="prize")]
    ratings = [value for value, _label in EvidenceRating.choices]
    for n in range(48):
        hidden = n % 4 == 3
        practice = PracticeFactory(
            published=not hidden,
            state=rng.choice(HIDDEN_STATES) if hidden else PublishingState.PUBLISHED,
            topics=rng.sample(topics, rng.randint(1, 3)),
            departments=rng.sample(departments, rng.randint(0, 2)),
            lead_jurisdiction=rng.choice(places),
            evidence_rating=rng.choice(ratings),
            year_started=rng.choice([None, 2005, 2012, 2019]),
        )
        if n % 3 == 0:
            award = rng.choice(awards)
            RecognitionFactory(practice=practice, award=award, year=2020, category=None)
            if n % 2 == 0:
                # A second year of the same award: still one practice for that award.
                RecognitionFactory(practice=practice, award=award, year=2021, category=None)
    return {"topics": topics, "departments": departments, "awards": awards, "places": places}


def option_values(catalogue) -> dict[str, list[str]]:
    places = catalogue["places"]
    return {
        "topic": [topic.slug for topic in catalogue["topics"]],
        "department": [department.slug for department in catalogue["departments"]],
        "country": sorted({str(place.country) for place in places}),
        "region": sorted({place.region for place in places if place.region}),
        "population": [band.value for band in PopulationBand],
        "evidence": [value for value, _label in EvidenceRating.choices],
        "awarded": [filters.AwardedChoice.YES, filters.AwardedChoice.NO],
        "award": [award.slug for award in catalogue["awards"]],
    }


def filterset(data: dict) -> filters.PracticeFilter:
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return filters.PracticeFilter(query, queryset=Practice.objects.published())


SELECTIONS = [
    {},
    {"topic": "violence"},
    {"topic": ["youth", "lighting"]},
    {"department": "parks"},
    {"department": ["parks", "police"], "country": "US"},
    {"country": "US", "population": "under-10k"},
    {"country": ["US", "MX"], "region": "Kansas"},
    {"region": ["Kansas", "Jalisco"], "evidence": "effective"},
    {"population": ["10k-50k", "250k-plus"], "awarded": "yes"},
    {"awarded": "no", "evidence": ["promising", "harmful"]},
    {"awarded": ["yes", "no"]},
    {"award": "excellence", "topic": "traffic"},
    {"year_from": "2010", "year_to": "2015"},
    {"q": "corridor", "topic": "guns"},
    {"q": "corridor"},
    {"q": "corridor", "country": "US"},
    {"q": "!!!"},
    {
        "topic": "violence",
        "department": "police",
        "country": "US",
        "region": "Kansas",
        "population": "under-10k",
        "evidence": "promising",
        "awarded": "yes",
        "award": "prize",
        "year_from": "2000",
    },
]


@pytest.mark.parametrize("data", SELECTIONS, ids=lambda data: "&".join(data) or "everything")
def test_each_count_is_what_ticking_that_option_alone_shows(mixed_catalogue, data):
    groups = facets.facets(filterset(data))
    assert [group.name for group in groups] == [
        "topic",
        "department",
        "population",
        "country",
        "region",
        "evidence",
        "awarded",
        "award",
    ]
    shown = {group.name: {o.value: o.count for o in group.options} for group in groups}
    for name, values in option_values(mixed_catalogue).items():
        for value in values:
            expected = filterset({**data, name: [value]}).qs.count()
            selected = value in (
                data.get(name) if isinstance(data.get(name), list) else [data.get(name)]
            )
            if expected or selected:
                assert shown[name].get(value) == expected, (name, value)
            else:
                assert value not in shown[name], (name, value)


def test_hidden_practices_count_nowhere(mixed_catalogue):
    everything = {group.name: group for group in facets.facets(filterset({}))}
    published = Practice.objects.published()
    # Every published practice has one rating, one awarded state and one country.
    for name in ("evidence", "awarded", "country"):
        assert sum(o.count for o in everything[name].options) == published.count()
    hidden = Practice.objects.exclude(state=PublishingState.PUBLISHED)
    assert hidden.count() == 12
    Practice.objects.filter(pk__in=hidden).delete()
    after = {group.name: group for group in facets.facets(filterset({}))}
    for name, group in everything.items():
        assert [(o.value, o.count) for o in group.options] == [
            (o.value, o.count) for o in after[name].options
        ], name


def test_departments_and_awards_are_listed_in_their_own_order(mixed_catalogue):
    groups = {group.name: group for group in facets.facets(filterset({}))}
    assert [o.value for o in groups["department"].options] == ["libraries", "parks", "police"]
    assert [o.value for o in groups["award"].options] == ["excellence", "prize"]


@pytest.mark.parametrize("data", [{}, {"topic": "violence", "country": "US", "q": "corridor"}])
def test_few_queries_whatever_the_selection(mixed_catalogue, django_assert_num_queries, data):
    chosen = filterset(data)
    chosen.errors  # noqa: B018 - the form's own look-ups are not facet queries
    chosen.text_match_ids("corridor")  # the search is matched once per request, before
    # The kept counts (nothing narrows) or, for a selection, the newest change of the
    # index and the worker's bitsets (built afresh inside a test's transaction); then the
    # names of topics, departments and awards.
    with django_assert_num_queries(4 if not data else 5):
        facets.facets(chosen)


def test_narrows_ignores_what_keeps_every_practice(db):
    assert not filterset({}).narrows()
    assert not filterset({"q": "!!! ..."}).narrows()
    assert not filterset({"awarded": ["yes", "no"]}).narrows()
    assert not filterset({"sort": "title"}).narrows()
    assert not filterset({"country": "US"}).narrows("country")
    assert filterset({"country": "US"}).narrows("region")
    assert filterset({"year_from": "2000"}).narrows()
    assert filterset({"q": "lighting"}).narrows()
    assert filterset({"awarded": "no"}).narrows()


def facet_sqls(data: dict) -> list[str]:
    chosen = filterset(data)
    chosen.errors  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        facets.facets(chosen)
    return [query["sql"] for query in queries.captured_queries]


def test_unfiltered_counts_are_read_as_kept(mixed_catalogue):
    (counts,) = [sql for sql in facet_sqls({}) if "catalogue_facet" in sql]
    assert "FROM catalogue_facet_count" in counts
    assert "practices_practice" not in counts


def test_selection_counts_read_only_the_narrow_rows(mixed_catalogue):
    data = {"topic": "violence", "country": "US", "evidence": "promising", "year_from": "2000"}
    reads = [sql for sql in facet_sqls(data) if "catalogue_facet" in sql]
    assert len(reads) == 2  # the newest change, then the rows (built afresh in a test)
    for sql in reads:
        for wide in ("practices_practice", "summary", "title", "search_vector"):
            assert wide not in sql


def test_a_search_alone_is_matched_once_for_the_count_and_every_facet(mixed_catalogue):
    chosen = filterset({"q": "corridor"})
    chosen.errors  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        total = facets.selection_total(chosen)
        groups = facets.facets(chosen)
    assert total == filterset({"q": "corridor"}).qs.count() > 0
    # One statement matches the text; the count and the facets read its ids.
    assert sum("@@" in query["sql"] for query in queries.captured_queries) == 1
    assert len(queries.captured_queries) == 6
    assert sum(o.count for o in {g.name: g for g in groups}["country"].options) == total
