"""Read queries of the award pages and of the award sections of other pages."""

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone

from awards.models import Award, AwardCategory, Cycle, Decision, Recognition, RecognitionLevel
from clearinghouse.cache import cached
from practices.models import Practice

# Within a year: winners first, then finalists, then honorable mentions.
LEVEL_ORDER = Case(
    When(level=RecognitionLevel.WINNER, then=Value(0)),
    When(level=RecognitionLevel.FINALIST, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def public_recognitions() -> QuerySet:
    """Recognitions of published practices only, ready to show with their practice."""
    return Recognition.objects.filter(practice__in=Practice.objects.published()).select_related(
        "practice__lead_jurisdiction", "award", "category"
    )


def awards_with_counts() -> QuerySet:
    public = Q(recognitions__practice__in=Practice.objects.published())
    return Award.objects.annotate(
        recognition_count=Count("recognitions", filter=public, distinct=True),
        program_count=Count("recognitions__practice", filter=public, distinct=True),
        latest_year=Max("recognitions__year", filter=public),
    ).order_by("-active", "name")


def award_summary(award_id: int) -> dict:
    """Counts over every public recognition of the award: categories, levels, years."""
    public = public_recognitions().filter(award_id=award_id).order_by()
    totals = public.aggregate(
        recognitions=Count("pk"),
        programs=Count("practice", distinct=True),
        **{value: Count("pk", filter=Q(level=value)) for value in RecognitionLevel.values},
    )
    categories = (
        AwardCategory.objects.filter(award_id=award_id)
        .annotate(
            recognition_count=Count(
                "recognitions",
                filter=Q(recognitions__practice__in=Practice.objects.published()),
            )
        )
        .order_by("name")
        .values_list("pk", "recognition_count")
    )
    return {
        "category_counts": dict(categories),
        "recognition_count": totals["recognitions"],
        "program_count": totals["programs"],
        "level_counts": [(value, totals[value]) for value in RecognitionLevel.values],
        "year_counts": dict(public.values_list("year").annotate(n=Count("pk"))),
    }


def cached_award_summary(award: Award) -> dict:
    """The award's counts (they scan every recognition of it), kept per catalogue version."""
    return cached("award_summary", award.pk, lambda: award_summary(award.pk))


def latest_recognitions(award: Award, limit: int) -> list[Recognition]:
    return list(
        public_recognitions()
        .filter(award=award)
        .order_by("-year", LEVEL_ORDER, "category__name", "practice__title")[:limit]
    )


def latest_winners(limit: int) -> list[Recognition]:
    return list(
        public_recognitions()
        .filter(level=RecognitionLevel.WINNER)
        .order_by("-year", "-tagged_at", "practice__title")[:limit]
    )


# --- Award cycles ---------------------------------------------------------------


def public_cycles(award: Award, now=None) -> dict[str, list[Cycle]]:
    """The award's public cycles a visitor can act on: calls open now, calls opening
    later, and cycles whose results are announced."""
    now = now or timezone.now()
    cycles = list(award.cycles.public().order_by("-opens_at"))
    return {
        "open": [cycle for cycle in cycles if cycle.is_open(now)],
        "upcoming": [cycle for cycle in cycles if cycle.opens_at > now],
        "announced": [cycle for cycle in cycles if cycle.is_announced(now)],
    }


def announced_decisions(cycle: Cycle) -> list[Decision]:
    """Winners, finalists and honorable mentions of the cycle, winners first. Only the
    program, the jurisdiction and the citation are shown: never contacts or scores."""
    order = {value: position for position, value in enumerate(RecognitionLevel.values)}
    decisions = list(
        Decision.objects.filter(application__cycle=cycle)
        .select_related("application__category")
        .only(
            "level",
            "citation",
            "application__title",
            "application__jurisdiction_name",
            "application__country",
            "application__category__name",
        )
    )
    decisions.sort(
        key=lambda d: (
            order[d.level],
            d.application.category.name if d.application.category else "",
            d.application.title,
        )
    )
    return decisions
