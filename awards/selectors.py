"""Reads for award cycles' public pages."""

from django.utils import timezone

from awards.models import Award, Cycle, Decision, RecognitionLevel


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
