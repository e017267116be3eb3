"""Read queries of the award pages and of the award sections of other pages."""

from collections import Counter

from django.db.models import Case, Count, IntegerField, Max, QuerySet, Value, When
from django.utils import timezone

from awards.models import Award, AwardCategory, Cycle, Decision, Recognition, RecognitionLevel
from clearinghouse.cache import cached
from practices.models import PublishingState
from practices.selectors import catalogue_counts

# Within a year: winners first, then finalists, then honorable mentions.
LEVEL_ORDER = Case(
    When(level=RecognitionLevel.WINNER, then=Value(0)),
    When(level=RecognitionLevel.FINALIST, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def public_recognitions() -> QuerySet:
    """Recognitions of published practices only, ready to show with their practice."""
    # A join on the practice's state (not "IN published ids"), so a short list read in an
    # index's order stops after its first rows.
    return Recognition.objects.filter(practice__state=PublishingState.PUBLISHED).select_related(
        "practice__lead_jurisdiction", "award", "category"
    )


def awards_with_counts() -> list[Award]:
    """Every award, active first, with ``recognition_count``, ``program_count`` and
    ``latest_year`` over public recognitions: one grouped pass over the recognitions, and
    the programs per award from the facet index."""
    totals = {
        award_id: (n, latest)
        for award_id, n, latest in public_recognitions()
        .order_by()
        .values_list("award_id")
        .annotate(n=Count("pk"), latest=Max("year"))
    }
    programs = catalogue_counts()
    awards = list(Award.objects.order_by("-active", "name"))
    for award in awards:
        award.recognition_count, award.latest_year = totals.get(award.pk, (0, None))
        award.program_count = programs.get(("award", str(award.pk)), 0)
    return awards


def award_summary(award_id: int) -> dict:
    """Counts over every public recognition of the award: categories, levels, years.

    One pass groups the recognitions by category, level and year; the number of programs
    (practices recognised at least once) is the award's count in the facet index."""
    rows = (
        public_recognitions()
        .filter(award_id=award_id)
        .order_by()
        .values_list("category_id", "level", "year")
        .annotate(n=Count("pk"))
    )
    categories, levels, years = Counter(), Counter(), Counter()
    for category_id, level, year, n in rows:
        if category_id is not None:
            categories[category_id] += n
        levels[level] += n
        years[year] += n
    return {
        "category_counts": {
            pk: categories[pk]
            for pk in AwardCategory.objects.filter(award_id=award_id).values_list("pk", flat=True)
        },
        "recognition_count": sum(levels.values()),
        "program_count": catalogue_counts().get(("award", str(award_id)), 0),
        "level_counts": [(value, levels[value]) for value in RecognitionLevel.values],
        "year_counts": dict(years),
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
