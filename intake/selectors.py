"""Reads of intake data that other parts of the site show.

The practice page and the practice list read approved adoption reports through these two
functions only; they are the whole of what ``practices`` knows about ``intake``.
"""

from django.db.models import Prefetch, QuerySet

from intake.models import Adoption, IntakeState


def approved_adoptions_prefetch(to_attr: str = "approved_adoptions") -> Prefetch:
    """Prefetch a practice's approved adoption reports (with their matched jurisdiction),
    oldest adoption first, for the "Also tried in" list. Contacts are not read."""
    queryset = (
        Adoption.objects.approved()
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
            "changes",
            "outcome",
            "outcome_notes",
        )
        .order_by("year_adopted", "jurisdiction_name", "pk")
    )
    return Prefetch("adoptions", queryset=queryset, to_attr=to_attr)


def adopted_practice_ids() -> QuerySet:
    """Ids of practices with at least one approved adoption report (a subquery)."""
    return Adoption.objects.filter(state=IntakeState.ACCEPTED).order_by().values("practice_id")


def open_counts() -> dict[str, int]:
    """Open items per kind, for the queue's heading."""
    from intake.models import OPEN_STATES, Correction, Submission

    return {
        model._meta.model_name: model.objects.filter(state__in=OPEN_STATES).count()
        for model in (Submission, Correction, Adoption)
    }
