"""Award programs, their categories and committees, and the recognitions that
committees tag onto practices."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from practices.models import MAX_YEAR, MIN_YEAR, PopulationBand, year_validators


class Award(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    sponsor = models.CharField(_("sponsor"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True, max_length=500)
    active = models.BooleanField(_("active"), default=True)
    committee = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committee members"),
        blank=True,
        related_name="award_committees",
        help_text=_("These users may tag practices with this award's recognitions."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            # /awards/<slug>/ and the ?award= filter look awards up by slug.
            models.UniqueConstraint(fields=["slug"], name="award_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("awards:award_detail", kwargs={"slug": self.slug})


class AwardCategory(models.Model):
    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="categories", verbose_name=_("award")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    description = models.TextField(_("description"), blank=True)
    population_band = models.CharField(
        _("population band"),
        max_length=12,
        choices=PopulationBand.choices,
        blank=True,
        help_text=_("For categories by population of the applying jurisdiction."),
    )

    class Meta:
        ordering = ["award", "name"]
        verbose_name = _("award category")
        verbose_name_plural = _("award categories")
        constraints = [
            models.UniqueConstraint(fields=["award", "slug"], name="award_category_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.award.name}: {self.name}"


class RecognitionLevel(models.TextChoices):
    WINNER = "winner", _("Winner")
    FINALIST = "finalist", _("Finalist")
    HONORABLE_MENTION = "honorable_mention", _("Honorable mention")


class Recognition(models.Model):
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.CASCADE,
        related_name="recognitions",
        verbose_name=_("practice"),
    )
    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="recognitions", verbose_name=_("award")
    )
    category = models.ForeignKey(
        AwardCategory,
        on_delete=models.PROTECT,
        related_name="recognitions",
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    year = models.SmallIntegerField(_("year"), validators=year_validators)
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=RecognitionLevel.choices,
        default=RecognitionLevel.WINNER,
    )
    citation = models.TextField(_("citation"), blank=True)
    source_url = models.URLField(
        _("confirmed at"),
        max_length=500,
        blank=True,
        # A database default, so bulk loads that copy rows column by column
        # (the scale-data generator) need not name this column.
        db_default="",
        help_text=_("The award sponsor's page that names this recognition."),
    )
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("tagged by"),
    )
    tagged_at = models.DateTimeField(_("tagged at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "award__name", "level"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        constraints = [
            # One recognition per practice, award, category and year; a missing
            # category counts as a value, so two uncategorised rows also clash.
            models.UniqueConstraint(
                fields=["practice", "award", "category", "year"],
                name="recognition_unique_per_year",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="recognition_year_sane",
            ),
        ]
        indexes = [
            # /awards/<slug>/ lists winners by year.
            models.Index(fields=["award", "-year"], name="recognition_award_year"),
            # The home page's latest winners, read newest first until enough are found.
            models.Index(fields=["level", "-year", "-tagged_at"], name="recognition_level_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.award.name} {self.year} ({self.get_level_display()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.category_id and self.award_id and self.category.award_id != self.award_id:
            raise ValidationError({"category": _("This category belongs to another award.")})


# --- Award cycles: calls for entries, applications, judging and decisions ------------


class CycleQuerySet(models.QuerySet):
    def public(self):
        """Cycles whose pages anyone may see (sample judging data never is)."""
        return self.filter(public=True)

    def open_at(self, moment):
        return self.public().filter(opens_at__lte=moment, closes_at__gt=moment)

    def announced_at(self, moment):
        return self.public().filter(announce_at__lte=moment)


class Cycle(models.Model):
    """One round of an award: its call for entries, rubric, stages, judges and results."""

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="cycles", verbose_name=_("award")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("For example “2027 awards”."))
    slug = models.SlugField(_("slug"), max_length=120)
    year = models.SmallIntegerField(
        _("year"), validators=year_validators, help_text=_("The year recognitions carry.")
    )
    description = models.TextField(_("about this call"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    categories = models.ManyToManyField(
        AwardCategory, verbose_name=_("categories"), blank=True, related_name="cycles"
    )
    opens_at = models.DateTimeField(_("call opens at"))
    closes_at = models.DateTimeField(_("call closes at"))
    announce_at = models.DateTimeField(_("results announced at"))
    blind = models.BooleanField(
        _("blind judging"),
        default=True,
        help_text=_("Judges do not see the applicant's name, jurisdiction or contact."),
    )
    scoring_closed_at = models.DateTimeField(_("scoring closed at"), null=True, blank=True)
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Sample cycles for trying the judging are never public."),
    )
    demonstration = models.BooleanField(
        _("demonstration"),
        default=False,
        help_text=_("Shown with a notice that the call is only a demonstration."),
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["award", "-year", "name"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        constraints = [
            # /awards/<award>/cycles/<slug>/ looks cycles up by award and slug.
            models.UniqueConstraint(fields=["award", "slug"], name="cycle_unique_slug"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="cycle_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(announce_at__gte=F("closes_at")),
                name="cycle_announced_after_closing",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="cycle_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award.name}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("awards:cycle_detail", kwargs={"award": self.award.slug, "slug": self.slug})

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The call must close after it opens.")
        if self.closes_at and self.announce_at and self.announce_at < self.closes_at:
            errors["announce_at"] = _("Results cannot be announced before the call closes.")
        if errors:
            raise ValidationError(errors)

    def is_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at

    def is_announced(self, moment=None) -> bool:
        return self.announce_at <= (moment or timezone.now())

    @property
    def scoring_closed(self) -> bool:
        return self.scoring_closed_at is not None


class Criterion(models.Model):
    """One line of a cycle's rubric, scored from 0 to ``scale``."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("cycle")
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    scale = models.PositiveSmallIntegerField(
        _("scale"), default=5, help_text=_("Scores go from 0 to this number.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["cycle", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(scale__gte=1, scale__lte=100), name="criterion_scale_sane"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A step applications move through (screening, scoring, finalists, decision)."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="stages", verbose_name=_("cycle")
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["cycle", "position", "pk"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.name


class JudgeRole(models.TextChoices):
    JUDGE = "judge", _("Judge")
    CHAIR = "chair", _("Chair")


class Judge(models.Model):
    """A committee member assigned to judge a cycle; the chair also runs it.

    ``jurisdiction`` is where the judge works: its applications are recused for them.
    """

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="judges", verbose_name=_("cycle")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="judging",
        verbose_name=_("committee member"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=JudgeRole.choices, default=JudgeRole.JUDGE
    )
    jurisdiction = models.ForeignKey(
        "practices.Jurisdiction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("own jurisdiction"),
        help_text=_("Applications from this jurisdiction are recused automatically."),
    )

    class Meta:
        ordering = ["cycle", "role", "user__username"]
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="judge_once_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        member = self.cycle_id and self.user_id
        if member and not self.cycle.award.committee.filter(pk=self.user_id).exists():
            raise ValidationError(
                {"user": _("Only members of the award's committee can judge its cycles.")}
            )

    @property
    def is_chair(self) -> bool:
        return self.role == JudgeRole.CHAIR


def application_upload_to(instance: "Application", filename: str) -> str:
    """A random name: the applicant's file name is never used on disk."""
    return f"applications/{uuid.uuid4().hex}.pdf"


class Application(models.Model):
    """An entry to a cycle, sent through the public form (problem-solving shape:
    scanning, analysis, response, assessment). The contact is never public."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="applications", verbose_name=_("cycle")
    )
    reference = models.CharField(_("reference"), max_length=20, editable=False)
    category = models.ForeignKey(
        AwardCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title of the program"), max_length=200)
    summary = models.TextField(_("summary"))
    scanning = models.TextField(_("scanning"))
    analysis = models.TextField(_("analysis"))
    response = models.TextField(_("response"))
    assessment = models.TextField(_("assessment"))
    jurisdiction = models.ForeignKey(
        "practices.Jurisdiction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="award_applications",
        verbose_name=_("jurisdiction"),
        help_text=_("Matched from the name and country the applicant gave."),
    )
    jurisdiction_name = models.CharField(_("jurisdiction as entered"), max_length=160)
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=120, blank=True)
    population = models.IntegerField(
        _("population"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    contact_name = models.CharField(_("contact name"), max_length=160)
    contact_role = models.CharField(_("contact role"), max_length=160, blank=True)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    document = models.FileField(
        _("document (PDF)"), upload_to=application_upload_to, blank=True, max_length=200
    )
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="award_applications",
        verbose_name=_("practice in the catalogue"),
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("stage"),
    )
    language = models.CharField(_("language"), max_length=5, default="en")
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    sample = models.BooleanField(_("sample data"), default=False, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["cycle", "submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            # The receipt page looks applications up by reference.
            models.UniqueConstraint(fields=["reference"], name="application_unique_reference"),
            # The same entry sent twice to one cycle (clearinghouse.publicforms.fingerprint).
            models.UniqueConstraint(
                fields=["cycle", "fingerprint"], name="application_unique_fingerprint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("judging:application", kwargs={"pk": self.pk})


class RecusalKind(models.TextChoices):
    DECLARED = "declared", _("Declared conflict")
    AUTOMATIC = "automatic", _("Own jurisdiction (automatic)")


class Recusal(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="recusals",
        verbose_name=_("application"),
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("judge"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RecusalKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "created_at"]
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [
            models.UniqueConstraint(fields=["application", "judge"], name="recusal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.judge.get_username()} / {self.application.reference}"


class Score(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scores", verbose_name=_("application")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("judge"),
    )
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        ordering = ["application", "judge", "criterion"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "judge"], name="score_once_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} {self.criterion}: {self.value}"


class Decision(models.Model):
    """The chair's decision on an application; it creates the recognition."""

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="decision",
        verbose_name=_("application"),
    )
    level = models.CharField(_("level"), max_length=20, choices=RecognitionLevel.choices)
    citation = models.TextField(_("citation"))
    recognition = models.ForeignKey(
        Recognition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recognition"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["application__cycle", "level"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.get_level_display()}"


class HistoryAction(models.TextChoices):
    SUBMITTED = "submitted", _("Application received")
    SCORED = "scored", _("Scored")
    RECUSED = "recused", _("Recused")
    STAGE = "stage", _("Moved to a stage")
    SCORING_CLOSED = "scoring_closed", _("Scoring closed")
    DECIDED = "decided", _("Decided")


class HistoryEntry(models.Model):
    """What happened in a cycle, who did it and when; written by awards.judging."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="history", verbose_name=_("cycle")
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="history",
        verbose_name=_("application"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=20, choices=HistoryAction.choices)
    detail = models.TextField(_("detail"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
