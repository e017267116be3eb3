"""factory_boy factories for every model. Records are drafts unless a test says otherwise;
``published=True`` (a factory trait) publishes practices and publications."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from awards.models import (
    Application,
    Award,
    AwardCategory,
    Criterion,
    Cycle,
    Judge,
    JudgeRole,
    Recognition,
    RecognitionLevel,
    Stage,
)
from intake.models import Adoption, AdoptionOutcome, Correction, CorrectionField, Submission
from practices.models import (
    Department,
    EvidenceRating,
    Initiative,
    Jurisdiction,
    JurisdictionKind,
    Outcome,
    PartnerPair,
    Practice,
    Publication,
    PublicationKind,
    PublishingState,
    Source,
    Topic,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*extracted)
        if create:
            self.save()


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    name_es = factory.LazyAttribute(lambda t: f"Tema {t.name.split()[-1]}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "Programs that address this problem."


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    name_es = factory.Sequence(lambda n: f"Departamento {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction

    name = factory.Sequence(lambda n: f"Springfield {n}")
    slug = factory.Sequence(lambda n: f"springfield-{n}")
    kind = JurisdictionKind.CITY
    country = "US"
    region = "Oregon"
    population = 61_000
    population_year = 2020


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    name = factory.Sequence(lambda n: f"Municipal partnership {n}")
    slug = factory.Sequence(lambda n: f"municipal-partnership-{n}")
    funder = "A development agency"
    countries = ["US", "SV"]
    year_started = 2011


class PartnerPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerPair

    initiative = factory.SubFactory(InitiativeFactory)
    first = factory.SubFactory(JurisdictionFactory)
    second = factory.SubFactory(JurisdictionFactory, country="SV", region="San Salvador")


def add_related(field: str) -> factory.PostGeneration:
    """``Factory(field=[a, b])`` adds a and b to the many-to-many ``field``."""

    def add(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field).add(*extracted)

    return factory.PostGeneration(add)


class PublishableFactory(factory.django.DjangoModelFactory):
    """Drafts by default; ``published=True`` publishes with today's date."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    state = PublishingState.DRAFT

    class Params:
        published = factory.Trait(
            state=PublishingState.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
        )


class PracticeFactory(PublishableFactory):
    class Meta:
        model = Practice

    title = factory.Sequence(lambda n: f"Neighbourhood safety program {n}")
    slug = factory.Sequence(lambda n: f"neighbourhood-safety-program-{n}")
    summary = "Residents, parks staff and police worked together to make a corridor safer."
    problem = "Repeated robberies near a transit stop after dark."
    approach = "Better lighting, evening recreation and problem-oriented policing."
    results = "Reported robberies fell over two years."
    evidence_rating = EvidenceRating.PROMISING
    year_started = 2015
    lead_jurisdiction = factory.SubFactory(JurisdictionFactory)

    topics = add_related("topics")

    departments = add_related("departments")

    partner_jurisdictions = add_related("partner_jurisdictions")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    practice = factory.SubFactory(PracticeFactory)
    title = factory.Sequence(lambda n: f"Evaluation report {n}")
    url = factory.Sequence(lambda n: f"https://example.org/reports/{n}")


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    practice = factory.SubFactory(PracticeFactory)
    description = "Fewer robberies near the transit stop"
    rating = EvidenceRating.PROMISING


class PublicationFactory(PublishableFactory):
    class Meta:
        model = Publication

    title = factory.Sequence(lambda n: f"Guide to problem solving {n}")
    slug = factory.Sequence(lambda n: f"guide-to-problem-solving-{n}")
    kind = PublicationKind.GUIDE
    authors = "A. Author"
    publisher = "A Publisher"
    year = 2019
    summary = "A practical guide for local governments."
    url = "https://example.org/guide"

    topics = add_related("topics")

    practices = add_related("practices")


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Award for Excellence {n}")
    slug = factory.Sequence(lambda n: f"award-for-excellence-{n}")
    sponsor = "An association of local governments"

    committee = add_related("committee")


class AwardCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardCategory

    award = factory.SubFactory(AwardFactory)
    name = factory.Sequence(lambda n: f"Community health and safety {n}")
    slug = factory.Sequence(lambda n: f"community-health-and-safety-{n}")


class RecognitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recognition

    practice = factory.SubFactory(PracticeFactory, published=True)
    award = factory.SubFactory(AwardFactory)
    category = factory.LazyAttribute(lambda r: AwardCategoryFactory(award=r.award))
    year = 2021
    level = RecognitionLevel.WINNER


# --- Intake: what local governments send in (all "new" unless a test says otherwise) ---


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    title = factory.Sequence(lambda n: f"Lights on in the park {n}")
    summary = "Evening programs and better lighting in a city park."
    problem = "Fights and robberies in the park after dark."
    approach = "Parks staff ran evening leagues; public works fixed the lights."
    results = "Calls for service fell by a third in two years."
    jurisdiction_name = "Lakeside"
    country = "US"
    region = "Ohio"
    population = 42_000
    year_started = 2019
    contact_name = "Ana Ruiz"
    contact_email = factory.Sequence(lambda n: f"ana{n}@lakeside.example.org")


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    practice = factory.SubFactory(PracticeFactory, published=True)
    field = CorrectionField.RESULTS
    correction = factory.Sequence(lambda n: f"The evaluation was published in 2020 ({n}).")
    contact_email = "reader@example.org"


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adoption

    practice = factory.SubFactory(PracticeFactory, published=True)
    jurisdiction_name = factory.Sequence(lambda n: f"Hillview {n}")
    country = "US"
    region = "Texas"
    population = 8_500
    year_adopted = 2022
    outcome = AdoptionOutcome.WORKED
    outcome_notes = "Fewer calls after dark."
    contact_name = "Sam Lee"
    contact_email = factory.Sequence(lambda n: f"sam{n}@hillview.example.org")


class CycleFactory(factory.django.DjangoModelFactory):
    """A public cycle whose call is open now and whose results come out in 60 days."""

    class Meta:
        model = Cycle
        skip_postgeneration_save = True

    award = factory.SubFactory(AwardFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    slug = factory.Sequence(lambda n: f"round-{n}")
    year = 2026
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    announce_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))
    blind = True

    categories = add_related("categories")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    cycle = factory.SubFactory(CycleFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    scale = 5
    position = factory.Sequence(lambda n: n)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    cycle = factory.SubFactory(CycleFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n)


class JudgeFactory(factory.django.DjangoModelFactory):
    """A judge of the cycle; the user is added to the award's committee."""

    class Meta:
        model = Judge
        skip_postgeneration_save = True

    cycle = factory.SubFactory(CycleFactory)
    user = factory.SubFactory(UserFactory, is_staff=True)
    role = JudgeRole.JUDGE

    @factory.post_generation
    def on_committee(self, create, extracted, **kwargs):
        if create and extracted is not False:
            self.cycle.award.committee.add(self.user)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    cycle = factory.SubFactory(CycleFactory)
    reference = factory.Sequence(lambda n: f"2026-T{n:06d}")
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    title = factory.Sequence(lambda n: f"Corridor safety partnership {n}")
    summary = "Lighting, youth programs and problem-solving policing along a corridor."
    scanning = "Robberies clustered near a transit stop."
    analysis = "Most happened after dark, near two vacant lots."
    response = "Lighting, lot clean-up, evening programs and patrols with residents."
    assessment = "Robberies fell by a third over two years against a comparison area."
    jurisdiction_name = "Riverside"
    country = "US"
    contact_name = "Pat Lee"
    contact_email = "pat.lee@example.org"
