"""What local governments send in: practices of their own (submissions), corrections to a
practice page, and reports that they adopted a practice.

All three wait in one curators' queue with a shared state. Nothing here is public until
a curator acts: an accepted submission becomes a *draft* practice that still has to be
published; only accepted adoption reports appear on practice pages. Contact details are
kept for the curators and never shown publicly.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from clearinghouse.publicforms import fingerprint
from practices.models import (
    MAX_YEAR,
    MIN_YEAR,
    Jurisdiction,
    JurisdictionKind,
    Language,
    PopulationBand,
    Practice,
)

year_validators = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]

# References people quote back to us: no 0/O or 1/I/L to misread.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


class IntakeState(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WAITING = "waiting", _("Waiting for the sender")


OPEN_STATES = [IntakeState.NEW, IntakeState.IN_PROGRESS, IntakeState.WAITING]


def new_reference(prefix: str) -> str:
    """A random, unguessable reference such as ``S-7K3P9QXM`` (the prefix names the kind)."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{body}"


class IntakeItem(models.Model):
    """Fields every kind of report shares: its reference, state, sender and handling."""

    REFERENCE_PREFIX = ""

    reference = models.CharField(_("reference"), max_length=16, editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=IntakeState.choices, default=IntakeState.NEW
    )
    language = models.CharField(
        _("language of the sender"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_("Messages to the sender are written in this language."),
    )
    contact_name = models.CharField(_("contact name"), max_length=160, blank=True)
    contact_role = models.CharField(_("contact role"), max_length=160, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        editable=False,
        help_text=_("What was sent, hashed: the same report sent twice is recognised."),
    )
    curator_notes = models.TextField(
        _("curators' notes"), blank=True, help_text=_("Internal; never sent or shown publicly.")
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference(self.REFERENCE_PREFIX)
        if not self.fingerprint:
            self.fingerprint = fingerprint(*self.fingerprint_values())
        super().save(*args, **kwargs)

    def fingerprint_values(self) -> tuple:
        """What makes two reports the same report (case and spacing aside)."""
        raise NotImplementedError

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def admin_url(self) -> str:
        opts = self._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.pk])


def submission_upload_to(instance: "Submission", filename: str) -> str:
    """A generated name: the sender's file name is never used on disk."""
    return f"submissions/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class Submission(IntakeItem):
    """A practice sent in by a local government, in the shape of the practice profile."""

    REFERENCE_PREFIX = "S"

    title = models.CharField(_("name of the practice"), max_length=200)
    summary = models.TextField(_("summary"))
    problem = models.TextField(_("problem addressed"))
    approach = models.TextField(_("what they did"))
    results = models.TextField(_("results and evidence"), blank=True)
    cost_notes = models.TextField(_("cost"), blank=True)
    topic_names = models.TextField(
        _("topics"), blank=True, help_text=_("As the sender named them, one per line.")
    )
    department_names = models.TextField(
        _("departments involved"),
        blank=True,
        help_text=_("As the sender named them, one per line."),
    )
    partners = models.TextField(_("partners"), blank=True)
    jurisdiction_name = models.CharField(_("jurisdiction"), max_length=160)
    jurisdiction_kind = models.CharField(
        _("kind of government"),
        max_length=16,
        choices=JurisdictionKind.choices,
        default=JurisdictionKind.CITY,
    )
    country = CountryField(_("country"))
    region = models.CharField(_("state, province or department"), max_length=120, blank=True)
    population = models.IntegerField(
        _("population"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    year_started = models.SmallIntegerField(
        _("year started"), null=True, blank=True, validators=year_validators
    )
    year_ended = models.SmallIntegerField(
        _("year ended"), null=True, blank=True, validators=year_validators
    )
    source_links = models.TextField(
        _("sources"), blank=True, help_text=_("One link per line, optionally “title | link”.")
    )
    document = models.FileField(
        _("PDF document"), upload_to=submission_upload_to, blank=True, max_length=200
    )
    practice = models.OneToOneField(
        Practice,
        verbose_name=_("draft practice"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="submission",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("practice submission")
        verbose_name_plural = _("practice submissions")
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="submission_unique_reference"),
            # A report sent twice (a double click, a bot) is stored once.
            models.UniqueConstraint(fields=["fingerprint"], name="submission_unique_fingerprint"),
            models.CheckConstraint(
                condition=Q(year_started__isnull=True)
                | Q(year_ended__isnull=True)
                | Q(year_ended__gte=models.F("year_started")),
                name="submission_years_in_order",
            ),
        ]
        indexes = [
            # The queue lists open items, newest first.
            models.Index(fields=["state", "-created_at"], name="submission_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def fingerprint_values(self) -> tuple:
        return (
            "submission",
            self.title,
            self.summary,
            self.jurisdiction_name,
            self.country,
            self.contact_email,
        )


class CorrectionField(models.TextChoices):
    TITLE = "title", _("Title or summary")
    PROBLEM = "problem", _("The problem")
    APPROACH = "approach", _("What they did")
    RESULTS = "results", _("Results or evidence")
    COST = "cost", _("Cost")
    PLACE = "place", _("Jurisdiction, years or departments")
    CONTACT = "contact", _("Contact")
    SOURCES = "sources", _("Sources or links")
    OTHER = "other", _("Something else")


class Correction(IntakeItem):
    """A report that something on a practice page is wrong or out of date."""

    REFERENCE_PREFIX = "C"

    practice = models.ForeignKey(
        Practice,
        verbose_name=_("practice"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    field = models.CharField(_("what is wrong"), max_length=16, choices=CorrectionField.choices)
    correction = models.TextField(_("correction"))
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    history_entry = models.ForeignKey(
        "admin.LogEntry",
        verbose_name=_("entry in the practice's history"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="correction_unique_reference"),
            # A report sent twice (a double click, a bot) is stored once.
            models.UniqueConstraint(fields=["fingerprint"], name="correction_unique_fingerprint"),
        ]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="correction_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.practice}"

    def fingerprint_values(self) -> tuple:
        return (
            "correction",
            self.practice_id,
            self.field,
            self.correction,
            self.source_url,
            self.contact_email,
        )


class AdoptionOutcome(models.TextChoices):
    WORKED = "worked", _("It worked well")
    MIXED = "mixed", _("Mixed results")
    DID_NOT_WORK = "did_not_work", _("It did not work for us")
    TOO_EARLY = "too_early", _("Too early to tell")


class AdoptionQuerySet(models.QuerySet):
    def approved(self):
        """The only adoption reports the public may see."""
        return self.filter(state=IntakeState.ACCEPTED)

    def for_practice_page(self):
        """Approved reports as the practice page lists them ("Also tried in …"): oldest
        adoption first, with the matched jurisdiction, and without the sender's contact
        details (the page is cached whole)."""
        return (
            self.approved()
            .select_related("jurisdiction")
            .only(
                "practice_id",
                "jurisdiction_name",
                "jurisdiction__name",
                "jurisdiction__population",
                "country",
                "region",
                "population",
                "year_adopted",
                "outcome",
                "outcome_notes",
            )
            .order_by("year_adopted", "jurisdiction_name", "pk")
        )


class Adoption(IntakeItem):
    """A local government that adopted or adapted a practice, and how it went."""

    REFERENCE_PREFIX = "A"

    practice = models.ForeignKey(
        Practice,
        verbose_name=_("practice"),
        on_delete=models.CASCADE,
        related_name="adoptions",
    )
    jurisdiction_name = models.CharField(_("jurisdiction"), max_length=160)
    jurisdiction_kind = models.CharField(
        _("kind of government"),
        max_length=16,
        choices=JurisdictionKind.choices,
        default=JurisdictionKind.CITY,
    )
    country = CountryField(_("country"))
    region = models.CharField(_("state, province or department"), max_length=120, blank=True)
    population = models.IntegerField(
        _("population"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    year_adopted = models.SmallIntegerField(_("year adopted"), validators=year_validators)
    changes = models.TextField(_("what they changed"), blank=True)
    outcome = models.CharField(_("how it went"), max_length=16, choices=AdoptionOutcome.choices)
    outcome_notes = models.TextField(_("how it went, in their words"), blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("matched jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
        help_text=_("Set when the report is accepted: matched by name, or created."),
    )

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("adoption report")
        verbose_name_plural = _("adoption reports")
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="adoption_unique_reference"),
            # A report sent twice (a double click, a bot) is stored once.
            models.UniqueConstraint(fields=["fingerprint"], name="adoption_unique_fingerprint"),
        ]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="adoption_queue"),
            # Practice pages and the "adopted elsewhere" filter read approved reports only.
            models.Index(
                fields=["practice"],
                name="adoption_approved_by_practice",
                condition=Q(state=IntakeState.ACCEPTED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.jurisdiction_name} – {self.practice}"

    def fingerprint_values(self) -> tuple:
        return (
            "adoption",
            self.practice_id,
            self.jurisdiction_name,
            self.country,
            self.year_adopted,
            self.contact_email,
        )

    @property
    def population_band(self) -> PopulationBand | None:
        population = self.population
        if self.jurisdiction is not None and self.jurisdiction.population is not None:
            population = self.jurisdiction.population
        return PopulationBand.for_population(population)
