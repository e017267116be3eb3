"""Every database constraint holds even when the admin and the forms are bypassed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from awards.models import Recognition
from practices.models import Jurisdiction, Publication, PublishingState, Topic
from practices.validators import validate_isbn
from tests.factories import (
    AwardCategoryFactory,
    AwardFactory,
    DepartmentFactory,
    InitiativeFactory,
    JurisdictionFactory,
    PartnerPairFactory,
    PracticeFactory,
    PublicationFactory,
    RecognitionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def refused(constraint_name: str):
    """The database refuses the write, naming the constraint (or index) that did it."""
    return pytest.raises(IntegrityError, match=constraint_name)


# --- Recognitions -------------------------------------------------------------------


def test_a_duplicate_recognition_is_refused_by_the_database():
    first = RecognitionFactory()
    with transaction.atomic(), refused("recognition_unique_per_year"):
        Recognition.objects.create(
            practice=first.practice,
            award=first.award,
            category=first.category,
            year=first.year,
            level="finalist",
        )
    assert Recognition.objects.count() == 1


def test_two_uncategorised_recognitions_for_the_same_year_also_clash():
    first = RecognitionFactory(category=None)
    with transaction.atomic(), refused("recognition_unique_per_year"):
        Recognition.objects.create(
            practice=first.practice, award=first.award, category=None, year=first.year
        )


def test_the_same_award_in_another_year_or_category_is_fine():
    first = RecognitionFactory()
    RecognitionFactory(practice=first.practice, award=first.award, year=first.year + 1)
    RecognitionFactory(
        practice=first.practice,
        award=first.award,
        category=AwardCategoryFactory(award=first.award),
        year=first.year,
    )
    assert Recognition.objects.count() == 3


@pytest.mark.parametrize("year", [1899, 2101])
def test_recognition_year_is_sane(year):
    with transaction.atomic(), refused("recognition_year_sane"):
        RecognitionFactory(year=year)


def test_recognition_category_must_belong_to_its_award():
    recognition = RecognitionFactory.build(
        practice=PracticeFactory(),
        award=AwardFactory(),
        category=AwardCategoryFactory(),
    )
    with pytest.raises(ValidationError, match="another award"):
        recognition.full_clean()


# --- Unique slugs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "constraint"),
    [
        (TopicFactory, "topic_unique_slug"),
        (DepartmentFactory, "department_unique_slug"),
        (JurisdictionFactory, "jurisdiction_unique_slug"),
        (InitiativeFactory, "initiative_unique_slug"),
        (PracticeFactory, "practice_unique_slug"),
        (PublicationFactory, "publication_unique_slug"),
        (AwardFactory, "award_unique_slug"),
    ],
)
def test_slugs_are_unique(factory, constraint):
    factory(slug="same")
    with transaction.atomic(), refused(constraint):
        factory(slug="same")


def test_category_slugs_are_unique_within_an_award():
    award = AwardFactory()
    AwardCategoryFactory(award=award, slug="same")
    AwardCategoryFactory(slug="same")  # another award may reuse it
    with transaction.atomic(), refused("award_category_unique_slug"):
        AwardCategoryFactory(award=award, slug="same")


# --- Years, populations, countries -------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"year_started": 1800}, "practice_year_started_sane"),
        ({"year_ended": 2200}, "practice_year_ended_sane"),
        ({"year_started": 2020, "year_ended": 2010}, "practice_years_in_order"),
    ],
)
def test_practice_years(fields, constraint):
    with transaction.atomic(), refused(constraint):
        PracticeFactory(**fields)


def test_initiative_years_in_order():
    with transaction.atomic(), refused("initiative_years_in_order"):
        InitiativeFactory(year_started=2015, year_ended=2014)
    InitiativeFactory(year_started=2015, year_ended=2015)


def test_publication_year_is_sane():
    with transaction.atomic(), refused("publication_year_sane"):
        PublicationFactory(year=1066)


def test_population_cannot_be_negative():
    with transaction.atomic(), refused("jurisdiction_population_not_negative"):
        JurisdictionFactory(population=-1)
    assert JurisdictionFactory(population=0).population_band is not None


def test_population_year_is_sane():
    with transaction.atomic(), refused("jurisdiction_population_year_sane"):
        JurisdictionFactory(population_year=3000)


@pytest.mark.parametrize("country", ["XX", "ZZ", "us"])
def test_country_is_an_iso_3166_code(country):
    jurisdiction = JurisdictionFactory()
    with transaction.atomic(), refused("jurisdiction_country_iso_3166"):
        Jurisdiction.objects.filter(pk=jurisdiction.pk).update(country=country)


# --- ISBN ---------------------------------------------------------------------------


@pytest.mark.parametrize("isbn", ["12345", "978030640615X", "ABCDEFGHIJ", "978-0-306"])
def test_isbn_shape_is_enforced_by_the_database(isbn):
    publication = PublicationFactory()
    # update() skips save(), which would normalise the value first.
    with transaction.atomic(), refused("publication_isbn_shape"):
        Publication.objects.filter(pk=publication.pk).update(isbn=isbn)


def test_valid_isbns_are_normalised_and_stored():
    ten = PublicationFactory(isbn="0-306-40615-2")
    thirteen = PublicationFactory(isbn="978-0-306-40615-7")
    assert (ten.isbn, thirteen.isbn) == ("0306406152", "9780306406157")


@pytest.mark.parametrize("isbn", ["0-306-40615-3", "978-0-306-40615-8", "12345"])
def test_isbn_check_digit_is_validated(isbn):
    with pytest.raises(ValidationError, match="not a valid ISBN"):
        validate_isbn(isbn)


# --- Topics, pairs, publishing ------------------------------------------------------------


def test_a_topic_cannot_be_its_own_parent():
    topic = TopicFactory()
    with transaction.atomic(), refused("topic_not_its_own_parent"):
        Topic.objects.filter(pk=topic.pk).update(parent=topic)


def test_topic_depth_is_validated():
    top = TopicFactory()
    child = TopicFactory(parent=top)
    grandchild = TopicFactory.build(parent=child)
    with pytest.raises(ValidationError, match="two levels deep"):
        grandchild.full_clean()
    top.parent = TopicFactory()
    with pytest.raises(ValidationError, match="must stay at the top level"):
        top.full_clean()
    child.parent = child
    with pytest.raises(ValidationError, match="its own parent"):
        child.full_clean()


def test_partner_pairs_are_distinct_and_unique():
    pair = PartnerPairFactory()
    with transaction.atomic(), refused("partner_pair_unique"):
        PartnerPairFactory(initiative=pair.initiative, first=pair.first, second=pair.second)
    with transaction.atomic(), refused("partner_pair_distinct"):
        PartnerPairFactory(first=pair.first, second=pair.first)


@pytest.mark.parametrize(
    ("factory", "constraint"),
    [
        (PracticeFactory, "practice_published_has_date"),
        (PublicationFactory, "publication_published_has_date"),
    ],
)
def test_a_published_record_has_a_date(factory, constraint):
    with transaction.atomic(), refused(constraint):
        factory(state=PublishingState.PUBLISHED, published_at=None)
    assert factory(state=PublishingState.PUBLISHED, published_at=timezone.now()).is_published
