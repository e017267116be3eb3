"""Each worker's bitsets follow committed changes by catching up, and match a fresh build.

These tests commit (transaction=True), as a running site does: inside a transaction the
bitsets are built for one use and never kept.
"""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from practices import facet_bits
from practices.models import Practice, PublishingState
from tests.factories import (
    AwardFactory,
    JurisdictionFactory,
    PracticeFactory,
    RecognitionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_worker():
    facet_bits.forget()
    yield
    facet_bits.forget()


def counts(state: facet_bits.FacetBits) -> dict:
    """Every value's practices, as sets of ids (positions differ between copies)."""
    by_position = {position: pk for pk, position in state.positions.items()}
    result = {}
    for key, bits in state.bits.items():
        ids = {by_position[p] for p in range(bits.bit_length()) if bits >> p & 1}
        if ids:
            result[key] = ids
    return result


def fresh() -> facet_bits.FacetBits:
    with connection.cursor() as cursor:
        return facet_bits.build(cursor, 0)


def test_a_kept_copy_catches_up_with_each_change(monkeypatch):
    parent = TopicFactory(slug="violence")
    child = TopicFactory(slug="youth", parent=parent)
    town = JurisdictionFactory(country="US", region="Kansas", population=8_000)
    practices = [
        PracticeFactory(published=True, topics=[child], lead_jurisdiction=town) for _ in range(4)
    ]
    first = facet_bits.current()
    assert first is facet_bits.current()  # nothing changed: the same copy, no rebuild
    assert counts(first)["topic", str(parent.pk)] == {p.pk for p in practices}

    builds = []
    real_build = facet_bits.build
    monkeypatch.setattr(facet_bits, "build", lambda *args: builds.append(1) or real_build(*args))
    # An archive, a new practice, a recognition and a move to another place.
    practices[0].state = PublishingState.ARCHIVED
    practices[0].save()
    new = PracticeFactory(published=True, topics=[parent], year_started=2001)
    RecognitionFactory(practice=practices[1], award=AwardFactory(), category=None)
    Practice.objects.filter(pk=practices[2].pk).update(
        lead_jurisdiction=JurisdictionFactory(country="MX", population=None)
    )
    caught_up = facet_bits.current()
    assert builds == []  # caught up from the change log, not rebuilt
    assert caught_up is not first
    assert counts(caught_up) == counts(fresh())
    assert new.pk in caught_up.positions
    assert counts(caught_up)["topic", str(parent.pk)] == {
        practices[1].pk,
        practices[2].pk,
        practices[3].pk,
        new.pk,
    }
    assert caught_up.everyone.bit_count() == 4


def test_far_behind_it_rebuilds(monkeypatch):
    topic = TopicFactory()
    PracticeFactory(published=True, topics=[topic])
    facet_bits.current()
    monkeypatch.setattr(facet_bits, "CATCH_UP_LIMIT", 2)
    PracticeFactory.create_batch(3, published=True, topics=[topic])
    builds = []
    real_build = facet_bits.build
    monkeypatch.setattr(facet_bits, "build", lambda *args: builds.append(1) or real_build(*args))
    state = facet_bits.current()
    assert builds == [1]
    assert state.everyone.bit_count() == 4


def test_changes_seen_inside_a_transaction_are_never_kept():
    topic = TopicFactory()
    PracticeFactory(published=True, topics=[topic])
    kept = facet_bits.current()
    with transaction.atomic():
        draft = PracticeFactory(topics=[topic])
        draft.state, draft.published_at = PublishingState.PUBLISHED, timezone.now()
        draft.save()
        inside = facet_bits.current()
        assert inside.everyone.bit_count() == 2
        transaction.set_rollback(True)
    after = facet_bits.current()
    assert after is kept
    assert after.everyone.bit_count() == 1


def test_after_a_truncate_it_rebuilds(monkeypatch):
    topic = TopicFactory()
    PracticeFactory.create_batch(2, published=True, topics=[topic])
    facet_bits.current()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE practices_practice_topics")
    builds = []
    real_build = facet_bits.build
    monkeypatch.setattr(facet_bits, "build", lambda *args: builds.append(1) or real_build(*args))
    state = facet_bits.current()
    assert builds == [1]
    assert ("topic", str(topic.pk)) not in counts(state)
    assert counts(state) == counts(fresh())
