"""Every factory builds a valid row that the database accepts."""

import pytest

from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class",
    [
        factories.UserFactory,
        factories.TopicFactory,
        factories.DepartmentFactory,
        factories.JurisdictionFactory,
        factories.InitiativeFactory,
        factories.PartnerPairFactory,
        factories.PracticeFactory,
        factories.SourceFactory,
        factories.OutcomeFactory,
        factories.PublicationFactory,
        factories.AwardFactory,
        factories.AwardCategoryFactory,
        factories.RecognitionFactory,
        factories.SubmissionFactory,
        factories.CorrectionFactory,
        factories.AdoptionFactory,
    ],
)
def test_factory_builds_a_valid_saved_record(factory_class):
    record = factory_class()
    assert record.pk is not None
    if hasattr(record, "full_clean") and factory_class is not factories.UserFactory:
        record.full_clean()
    assert str(record)


@pytest.mark.django_db
def test_published_trait_publishes_with_a_date():
    practice = factories.PracticeFactory(published=True)
    assert practice.is_published and practice.published_at is not None
    assert list(type(practice).objects.published()) == [practice]
