"""The facet index (catalogue_facet_row, catalogue_facet_count) follows every change.

PostgreSQL keeps it with triggers, whoever writes: each test changes the catalogue one way
(the ORM as the admin does, plain SQL, deletes, moves in the topic tree) and checks the
index against what the catalogue says, computed here independently, and against a rebuild
from scratch.
"""

from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from practices.models import PopulationBand, Practice, PublishingState
from practices.selectors import catalogue_counts
from tests.factories import (
    AwardFactory,
    DepartmentFactory,
    JurisdictionFactory,
    PracticeFactory,
    RecognitionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def index_rows() -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT practice_id, topic_ids, department_ids, award_ids, country, region, band,"
            " rating, year_started FROM catalogue_facet_row"
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def expected_rows() -> dict[int, tuple]:
    """What the rows should say, from the ORM."""
    rows = {}
    for practice in Practice.objects.published().prefetch_related(
        "topics", "departments", "recognitions"
    ):
        topics = {t.pk for t in practice.topics.all()} | {
            t.parent_id for t in practice.topics.all() if t.parent_id
        }
        place = practice.lead_jurisdiction
        band = PopulationBand.for_population(place.population)
        rows[practice.pk] = (
            sorted(topics),
            sorted(d.pk for d in practice.departments.all()),
            sorted({r.award_id for r in practice.recognitions.all()}),
            str(place.country),
            place.region,
            band.value if band else None,
            practice.evidence_rating,
            practice.year_started,
        )
    return rows


def expected_counts() -> dict[tuple[str, str], int]:
    counts = Counter()
    for (
        topics,
        departments,
        awards,
        country,
        region,
        band,
        rating,
        _year,
    ) in expected_rows().values():
        counts["total", ""] += 1
        counts.update(("topic", str(t)) for t in topics)
        counts.update(("department", str(d)) for d in departments)
        counts.update(("award", str(a)) for a in awards)
        counts["awarded", "yes" if awards else "no"] += 1
        counts["country", country] += 1
        if region:
            counts["region", region] += 1
        if band:
            counts["population", band] += 1
        counts["evidence", rating] += 1
    return dict(counts)


def assert_index_is_current():
    assert index_rows() == expected_rows()
    assert catalogue_counts() == expected_counts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT catalogue_facet_rebuild()")
    assert index_rows() == expected_rows()
    assert catalogue_counts() == expected_counts()


@pytest.fixture
def catalogue():
    parent = TopicFactory(slug="violence")
    child = TopicFactory(slug="youth", parent=parent)
    other = TopicFactory(slug="lighting")
    police, parks = DepartmentFactory(slug="police"), DepartmentFactory(slug="parks")
    town = JurisdictionFactory(country="US", region="Kansas", population=8_000)
    city = JurisdictionFactory(country="SV", region="", population=300_000)
    award = AwardFactory(slug="excellence")
    practices = [
        PracticeFactory(
            published=True, topics=[child], departments=[police, parks], lead_jurisdiction=town
        ),
        PracticeFactory(published=True, topics=[parent, other], lead_jurisdiction=city),
        PracticeFactory(published=True, topics=[other], year_started=2015),
        PracticeFactory(state=PublishingState.DRAFT, topics=[child], lead_jurisdiction=town),
    ]
    RecognitionFactory(practice=practices[0], award=award, category=None)
    return {
        "practices": practices,
        "topics": (parent, child, other),
        "places": (town, city),
        "departments": (police, parks),
        "award": award,
    }


def test_the_index_holds_published_practices_with_parent_topics(catalogue):
    first = catalogue["practices"][0]
    parent, child, _other = catalogue["topics"]
    assert index_rows()[first.pk][0] == sorted([parent.pk, child.pk])
    assert catalogue["practices"][3].pk not in index_rows()
    assert catalogue_counts()["total", ""] == 3
    # The parent counts each practice once, whether filed under it or its subtopic.
    assert catalogue_counts()["topic", str(parent.pk)] == 2
    assert_index_is_current()


def test_publishing_archiving_and_deleting(catalogue):
    first, second, _third, draft = catalogue["practices"]
    draft.state, draft.published_at = PublishingState.PUBLISHED, timezone.now()
    draft.save()
    assert draft.pk in index_rows()
    first.state = PublishingState.ARCHIVED
    first.save()
    assert first.pk not in index_rows()
    second.delete()
    assert_index_is_current()


def test_edits_of_links_ratings_places_and_awards(catalogue):
    first, second, third, _draft = catalogue["practices"]
    parent, child, other = catalogue["topics"]
    town, city = catalogue["places"]
    police, _parks = catalogue["departments"]
    first.topics.remove(child)
    first.topics.add(other)
    second.departments.add(police)
    third.evidence_rating = "effective"
    third.year_started = 2001
    third.lead_jurisdiction = city
    third.save()
    RecognitionFactory(practice=second, award=catalogue["award"], category=None)
    first.recognitions.all().delete()
    town.population = 60_000
    town.region = "Ohio"
    town.save()
    assert_index_is_current()


def test_moving_a_topic_in_the_tree(catalogue):
    parent, child, other = catalogue["topics"]
    child.parent = other
    child.save()
    first = catalogue["practices"][0]
    assert index_rows()[first.pk][0] == sorted([child.pk, other.pk])
    assert_index_is_current()


def test_plain_sql_and_bulk_changes(catalogue):
    first, second, third, draft = catalogue["practices"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE practices_practice SET state = 'published', published_at = now() WHERE id = %s",
            [draft.pk],
        )
        cursor.execute(
            "UPDATE practices_practice SET evidence_rating = 'promising' WHERE id IN (%s, %s)",
            [first.pk, second.pk],
        )
        cursor.execute("DELETE FROM practices_practice_topics WHERE practice_id = %s", [third.pk])
        cursor.execute(
            "UPDATE practices_jurisdiction SET country = 'MX' WHERE id = %s",
            [catalogue["places"][1].pk],
        )
    assert_index_is_current()
    # An update that touches nothing the index holds leaves it alone.
    Practice.objects.filter(pk=first.pk).update(summary="Changed summary")
    assert_index_is_current()


def test_a_new_practice_written_before_its_place(catalogue):
    """The practice's key to its place is checked at commit, so an import can write the
    practice first; the place's insert completes its row."""
    place = JurisdictionFactory.build(country="GT", region="Guatemala", population=20_000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) + 1000 FROM practices_jurisdiction")
        (future_id,) = cursor.fetchone()
    practice = PracticeFactory.build(lead_jurisdiction=None)
    practice.lead_jurisdiction_id = future_id
    practice.state, practice.published_at = PublishingState.PUBLISHED, timezone.now()
    practice.save()
    assert practice.pk not in index_rows()
    place.pk = future_id
    place.save(force_insert=True)
    assert practice.pk in index_rows()
    assert_index_is_current()


def test_many_changes_in_one_statement(catalogue):
    topic = catalogue["topics"][2]
    place = catalogue["places"][0]
    new = PracticeFactory.create_batch(30, published=True, topics=[topic], lead_jurisdiction=place)
    Practice.objects.filter(pk__in=[p.pk for p in new[:10]]).update(state=PublishingState.ARCHIVED)
    assert catalogue_counts()["topic", str(topic.pk)] == 2 + 20
    assert_index_is_current()
