"""Award programs, their categories and committees, and the recognitions that
committees tag onto practices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from practices.models import MAX_YEAR, MIN_YEAR, year_validators


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
        ]

    def __str__(self) -> str:
        return f"{self.award.name} {self.year} ({self.get_level_display()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.category_id and self.award_id and self.category.award_id != self.award_id:
            raise ValidationError({"category": _("This category belongs to another award.")})
