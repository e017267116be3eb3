"""The knowledge catalogue: topics, departments, jurisdictions, initiatives,
practices (with their sources and outcomes) and publications.

Practices and publications share a publishing workflow; every public query goes
through ``published()`` so a draft can never leak.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from practices.validators import validate_isbn

MIN_YEAR = 1900
MAX_YEAR = 2100
ISO_COUNTRY_CODES = sorted(countries.countries.keys())

year_validators = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


# Text-search configurations created by migration 0001: the language's stemmer
# with accents folded (unaccent), so "policía" and "policia" match.
SEARCH_CONFIGS = {Language.ENGLISH: "ch_english", Language.SPANISH: "ch_spanish"}


def weighted_vector(weighted_fields: list[tuple[str, str]], config: str) -> SearchVector:
    vector = None
    for weight, field in weighted_fields:
        part = SearchVector(field, config=config, weight=weight)
        vector = part if vector is None else vector + part
    return vector


def language_aware_vector(weighted_fields: list[tuple[str, str]]) -> Case:
    """A stored search vector built with the configuration of the entry's language."""
    return Case(
        When(
            language=Language.SPANISH,
            then=weighted_vector(weighted_fields, SEARCH_CONFIGS[Language.SPANISH]),
        ),
        default=weighted_vector(weighted_fields, SEARCH_CONFIGS[Language.ENGLISH]),
        output_field=SearchVectorField(),
    )


class PublishingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class EvidenceRating(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PROMISING = "promising", _("Promising")
    NO_EFFECT = "no_effect", _("No effect")
    HARMFUL = "harmful", _("Harmful")
    INSUFFICIENT = "insufficient", _("Insufficient evidence / not yet evaluated")


class EvidenceStrength(models.TextChoices):
    NONE = "", _("Not stated")
    ONE_STUDY = "one_study", _("One study")
    SEVERAL_STUDIES = "several_studies", _("Several studies")
    SYSTEMATIC_REVIEW = "systematic_review", _("Systematic review or meta-analysis")


# What each rating and strength means: the one wording the About page and every practice
# page show.
RATING_DEFINITIONS = {
    EvidenceRating.EFFECTIVE: _(
        "A strong evaluation, usually a randomised trial or a closely matched comparison, "
        "found that the program achieved its main aim, with no sign that it caused harm."
    ),
    EvidenceRating.PROMISING: _(
        "An evaluation with a comparison group found good results, but the design was weaker, "
        "the results were mixed or faded, or they come from a single place."
    ),
    EvidenceRating.NO_EFFECT: _(
        "A sound evaluation found no meaningful difference in the main outcome."
    ),
    EvidenceRating.HARMFUL: _("A sound evaluation found that the program made the problem worse."),
    EvidenceRating.INSUFFICIENT: _(
        "No evaluation with a comparison group has been published yet. This says nothing "
        "against the program: many good ideas have simply not been studied."
    ),
}

STRENGTH_DEFINITIONS = {
    EvidenceStrength.NONE: _("The strength of the evidence is not stated."),
    EvidenceStrength.ONE_STUDY: _("The rating rests on one evaluation."),
    EvidenceStrength.SEVERAL_STUDIES: _(
        "Two or more evaluations, in one place or several, point the same way."
    ),
    EvidenceStrength.SYSTEMATIC_REVIEW: _(
        "A review that searched for and combined all comparable studies of this kind of program."
    ),
}


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """The only records the public may see."""
        return self.filter(state=PublishingState.PUBLISHED)


class Publishable(models.Model):
    """Fields shared by records that go through the publishing workflow."""

    state = models.CharField(
        _("publishing state"),
        max_length=16,
        choices=PublishingState.choices,
        default=PublishingState.DRAFT,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(
        _("language of the entry"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.state == PublishingState.PUBLISHED


class BilingualNameMixin:
    """Topics and departments carry an English and a Spanish name."""

    @property
    def display_name(self) -> str:
        if (get_language() or "en").startswith("es") and getattr(self, "name_es", ""):
            return self.name_es
        return self.name

    @property
    def display_description(self) -> str:
        if (get_language() or "en").startswith("es") and getattr(self, "description_es", ""):
            return self.description_es
        return self.description


class Topic(BilingualNameMixin, models.Model):
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=140)
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description in Spanish"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            # /topics/<slug>/ and the ?topic= filter look topics up by slug.
            models.UniqueConstraint(fields=["slug"], name="topic_unique_slug"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="topic_not_its_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    def get_absolute_url(self) -> str:
        return reverse("practices:topic_detail", kwargs={"slug": self.slug})

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A topic cannot be its own parent.")})
            if self.parent.parent_id:
                raise ValidationError(
                    {"parent": _("Topics go two levels deep at most: pick a top-level parent.")}
                )
            if self.pk and self.children.exists():
                raise ValidationError(
                    {"parent": _("This topic has subtopics, so it must stay at the top level.")}
                )


class Department(BilingualNameMixin, models.Model):
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=140)
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description in Spanish"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            # The ?department= filter looks departments up by slug.
            models.UniqueConstraint(fields=["slug"], name="department_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class JurisdictionKind(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    MUNICIPALITY = "municipality", _("Municipality")
    DISTRICT = "district", _("District")
    REGION = "region", _("Region")


class PopulationBand(models.TextChoices):
    """Derived from a jurisdiction's population, never stored.

    The first two bands match the population categories of local-government
    excellence awards; their "50,000 and over" is split in two here.
    """

    UNDER_10K = "under-10k", _("Under 10,000")
    FROM_10K = "10k-50k", _("10,000–49,999")
    FROM_50K = "50k-250k", _("50,000–249,999")
    FROM_250K = "250k-plus", _("250,000 and over")

    @classmethod
    def bounds(cls, band: str) -> tuple[int, int | None]:
        """Lower bound (inclusive) and upper bound (exclusive, None for open)."""
        return {
            cls.UNDER_10K: (0, 10_000),
            cls.FROM_10K: (10_000, 50_000),
            cls.FROM_50K: (50_000, 250_000),
            cls.FROM_250K: (250_000, None),
        }[cls(band)]

    @classmethod
    def for_population(cls, population: int | None) -> "PopulationBand | None":
        if population is None:
            return None
        for band in cls:
            low, high = cls.bounds(band)
            if population >= low and (high is None or population < high):
                return band
        return None

    @classmethod
    def q(cls, band: str, prefix: str = "") -> Q:
        """A filter on ``<prefix>population`` for the band."""
        low, high = cls.bounds(band)
        q = Q(**{f"{prefix}population__gte": low})
        if high is not None:
            q &= Q(**{f"{prefix}population__lt": high})
        return q


class Jurisdiction(models.Model):
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=180)
    kind = models.CharField(
        _("kind of government"),
        max_length=16,
        choices=JurisdictionKind.choices,
        default=JurisdictionKind.CITY,
    )
    country = CountryField(_("country"))
    region = models.CharField(
        _("region"), max_length=120, blank=True, help_text=_("State, province or department.")
    )
    population = models.IntegerField(
        _("population"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    population_year = models.SmallIntegerField(
        _("population counted in"), null=True, blank=True, validators=year_validators
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        constraints = [
            # /jurisdictions/<slug>/ looks jurisdictions up by slug.
            models.UniqueConstraint(fields=["slug"], name="jurisdiction_unique_slug"),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population__gte=0),
                name="jurisdiction_population_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(population_year__isnull=True)
                | Q(population_year__gte=MIN_YEAR, population_year__lte=MAX_YEAR),
                name="jurisdiction_population_year_sane",
            ),
            models.CheckConstraint(
                condition=Q(country__in=ISO_COUNTRY_CODES),
                name="jurisdiction_country_iso_3166",
            ),
        ]
        indexes = [
            # ?country= and ?region= filters join practices to their lead jurisdiction.
            models.Index(fields=["country", "region"], name="jurisdiction_country_region"),
            # ?population= bands are ranges on population.
            models.Index(fields=["population"], name="jurisdiction_population"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})" if self.country else self.name

    def get_absolute_url(self) -> str:
        return reverse("practices:jurisdiction_detail", kwargs={"slug": self.slug})

    @property
    def population_band(self) -> PopulationBand | None:
        return PopulationBand.for_population(self.population)


class Initiative(models.Model):
    """A program that spans several jurisdictions, often across countries."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    countries = CountryField(_("countries"), multiple=True, blank=True)
    year_started = models.SmallIntegerField(
        _("year started"), null=True, blank=True, validators=year_validators
    )
    year_ended = models.SmallIntegerField(
        _("year ended"), null=True, blank=True, validators=year_validators
    )
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="initiative_unique_slug"),
            models.CheckConstraint(
                condition=Q(year_started__isnull=True)
                | Q(year_ended__isnull=True)
                | Q(year_ended__gte=F("year_started")),
                name="initiative_years_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("practices:initiative_detail", kwargs={"slug": self.slug})


class PartnerPair(models.Model):
    """Two jurisdictions paired by an initiative (say, a U.S. and a Central American city)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("initiative")
    )
    first = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="+", verbose_name=_("jurisdiction")
    )
    second = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="+", verbose_name=_("paired with")
    )
    year_started = models.SmallIntegerField(
        _("year started"), null=True, blank=True, validators=year_validators
    )
    year_ended = models.SmallIntegerField(
        _("year ended"), null=True, blank=True, validators=year_validators
    )
    note = models.CharField(_("note"), max_length=240, blank=True)

    class Meta:
        ordering = ["initiative", "year_started", "id"]
        verbose_name = _("partner pair")
        verbose_name_plural = _("partner pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "first", "second"], name="partner_pair_unique"
            ),
            models.CheckConstraint(condition=~Q(first=F("second")), name="partner_pair_distinct"),
            models.CheckConstraint(
                condition=Q(year_started__isnull=True)
                | Q(year_ended__isnull=True)
                | Q(year_ended__gte=F("year_started")),
                name="partner_pair_years_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first} – {self.second}"


class Practice(Publishable):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    summary = models.TextField(_("summary"), help_text=_("One paragraph."))
    problem = models.TextField(_("problem addressed"), blank=True)
    approach = models.TextField(_("approach"), blank=True)
    partners = models.TextField(
        _("partners"), blank=True, help_text=_("Organisations that worked with the government.")
    )
    results = models.TextField(_("results"), blank=True)
    evidence_rating = models.CharField(
        _("evidence rating"),
        max_length=16,
        choices=EvidenceRating.choices,
        default=EvidenceRating.INSUFFICIENT,
    )
    evidence_strength = models.CharField(
        _("strength of evidence"),
        max_length=20,
        choices=EvidenceStrength.choices,
        default=EvidenceStrength.NONE,
        blank=True,
    )
    evidence_notes = models.TextField(
        _("why this rating"), blank=True, help_text=_("A short justification of the rating.")
    )
    cost_notes = models.TextField(_("cost"), blank=True)
    year_started = models.SmallIntegerField(
        _("year started"), null=True, blank=True, validators=year_validators
    )
    year_ended = models.SmallIntegerField(
        _("year ended"), null=True, blank=True, validators=year_validators
    )
    lead_jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("lead jurisdiction"),
        on_delete=models.PROTECT,
        related_name="led_practices",
    )
    partner_jurisdictions = models.ManyToManyField(
        Jurisdiction,
        verbose_name=_("partner jurisdictions"),
        blank=True,
        related_name="partner_practices",
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="practices")
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments involved"), related_name="practices", blank=True
    )
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practices",
    )
    contact_name = models.CharField(_("contact name"), max_length=160, blank=True)
    contact_role = models.CharField(_("contact role"), max_length=160, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True, max_length=500)

    search_vector = models.GeneratedField(
        expression=language_aware_vector(
            [
                ("A", "title"),
                ("B", "summary"),
                ("C", "problem"),
                ("C", "approach"),
                ("C", "results"),
                ("D", "partners"),
            ]
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        constraints = [
            # /practices/<slug>/ looks practices up by slug.
            models.UniqueConstraint(fields=["slug"], name="practice_unique_slug"),
            models.CheckConstraint(
                condition=Q(year_started__isnull=True)
                | Q(year_started__gte=MIN_YEAR, year_started__lte=MAX_YEAR),
                name="practice_year_started_sane",
            ),
            models.CheckConstraint(
                condition=Q(year_ended__isnull=True)
                | Q(year_ended__gte=MIN_YEAR, year_ended__lte=MAX_YEAR),
                name="practice_year_ended_sane",
            ),
            models.CheckConstraint(
                condition=Q(year_started__isnull=True)
                | Q(year_ended__isnull=True)
                | Q(year_ended__gte=F("year_started")),
                name="practice_years_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(state=PublishingState.PUBLISHED) | Q(published_at__isnull=False),
                name="practice_published_has_date",
            ),
        ]
        indexes = [
            # Full-text search: websearch queries against the stored vector.
            GinIndex(fields=["search_vector"], name="practice_search_gin"),
            # Public lists: published practices, newest first.
            models.Index(
                F("published_at").desc(),
                name="practice_published_newest",
                condition=Q(state=PublishingState.PUBLISHED),
            ),
            # /practices/ in its default order (newest, then title, then id), deep pages
            # included: the page's ids are read from this index alone (index-only scan).
            models.Index(
                fields=["-published_at", "title", "id"],
                name="practice_published_order",
                condition=Q(state=PublishingState.PUBLISHED),
            ),
            # Admin lists filter by state.
            models.Index(fields=["state"], name="practice_state"),
            # Facet counts of /practices/ (practices/filters.py): the published ids with the
            # few columns the counts and filters read (lead jurisdiction for country, region
            # and population, evidence rating, year started), so a count walks this small
            # index (index-only scan) instead of the wide table; in id order, it also answers
            # "id IN (practices of a topic, department or award)" semi-joins.
            models.Index(
                fields=["id"],
                include=["lead_jurisdiction", "evidence_rating", "year_started"],
                name="practice_published_facets",
                condition=Q(state=PublishingState.PUBLISHED),
            ),
            # The same columns by lead jurisdiction: ?country=, ?region= and ?population=
            # pick a few jurisdictions, then read only their published practices.
            models.Index(
                fields=["lead_jurisdiction"],
                include=["id", "evidence_rating", "year_started"],
                name="practice_published_by_lead",
                condition=Q(state=PublishingState.PUBLISHED),
            ),
            # Facet counts over the whole published catalogue subtract the practices that are
            # not published (usually few) instead of matching every published one.
            models.Index(
                fields=["id"],
                name="practice_unpublished_ids",
                condition=~Q(state=PublishingState.PUBLISHED),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:practice_detail", kwargs={"slug": self.slug})

    @property
    def evidence_definition(self) -> str:
        return RATING_DEFINITIONS.get(self.evidence_rating, "")

    @property
    def strength_definition(self) -> str:
        return STRENGTH_DEFINITIONS.get(self.evidence_strength, "")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.year_started and self.year_ended and self.year_ended < self.year_started:
            raise ValidationError(
                {"year_ended": _("The year ended cannot be before the year started.")}
            )


class Source(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="sources", verbose_name=_("practice")
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=500)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title


class Outcome(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("practice")
    )
    description = models.CharField(_("outcome"), max_length=300)
    rating = models.CharField(
        _("rating"), max_length=16, choices=EvidenceRating.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return self.description


class PublicationKind(models.TextChoices):
    MANUAL = "manual", _("Manual")
    GUIDE = "guide", _("Guide")
    REPORT = "report", _("Report")
    TOOLKIT = "toolkit", _("Toolkit")
    ARTICLE = "article", _("Article")


def publication_upload_to(instance: "Publication", filename: str) -> str:
    """A safe, generated name: the uploader's file name is never used on disk."""
    import uuid

    return f"publications/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class Publication(Publishable):
    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=270)
    kind = models.CharField(
        _("kind"), max_length=16, choices=PublicationKind.choices, default=PublicationKind.GUIDE
    )
    authors = models.CharField(_("authors"), max_length=400, blank=True)
    publisher = models.CharField(_("publisher"), max_length=250, blank=True)
    year = models.SmallIntegerField(_("year"), null=True, blank=True, validators=year_validators)
    edition = models.CharField(_("edition"), max_length=60, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=17, blank=True, validators=[validate_isbn])
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link"), blank=True, max_length=500)
    file = models.FileField(
        _("PDF file"), upload_to=publication_upload_to, blank=True, max_length=200
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="publications", blank=True
    )
    practices = models.ManyToManyField(
        Practice, verbose_name=_("related practices"), related_name="publications", blank=True
    )

    search_vector = models.GeneratedField(
        expression=language_aware_vector(
            [("A", "title"), ("B", "summary"), ("C", "authors"), ("C", "publisher")]
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            # /publications/<slug>/ looks publications up by slug.
            models.UniqueConstraint(fields=["slug"], name="publication_unique_slug"),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="publication_year_sane",
            ),
            # ISBN-10 or ISBN-13, digits only (hyphens are stripped on save).
            models.CheckConstraint(
                condition=Q(isbn="") | Q(isbn__regex=r"^([0-9]{9}[0-9X]|[0-9]{13})$"),
                name="publication_isbn_shape",
            ),
            models.CheckConstraint(
                condition=~Q(state=PublishingState.PUBLISHED) | Q(published_at__isnull=False),
                name="publication_published_has_date",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="publication_search_gin"),
            models.Index(fields=["state"], name="publication_state"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from practices.validators import normalize_isbn

        if self.isbn:
            self.isbn = normalize_isbn(self.isbn)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("practices:publication_detail", kwargs={"slug": self.slug})
