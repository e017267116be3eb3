"""The About page: what the clearinghouse is, how evidence is rated, and where the
published catalogue's facts come from."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from awards.models import Recognition
from clearinghouse.cache import public_page
from practices.models import (
    RATING_DEFINITIONS,
    STRENGTH_DEFINITIONS,
    EvidenceRating,
    EvidenceStrength,
    Practice,
    Source,
)


@require_safe
@public_page()
def about(request: HttpRequest) -> HttpResponse:
    """Four queries whatever the size of the catalogue: practices, their sources, countries,
    and the recognitions with the sponsors' pages that confirm them."""
    published = Practice.objects.published()
    practices = (
        published.only("title", "slug")
        .order_by("title")
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.only("practice_id", "title", "url"))
        )
    )
    country_count = published.values("lead_jurisdiction__country").distinct().count()
    recognitions = (
        Recognition.objects.filter(practice__in=published)
        .select_related("award", "practice")
        .only(
            "year",
            "level",
            "source_url",
            "award__name",
            "award__slug",
            "practice__title",
            "practice__slug",
        )
        .order_by("award__name", "-year", "practice__title")
    )
    return render(
        request,
        "about.html",
        {
            "practices": practices,
            "country_count": country_count,
            "recognitions": recognitions,
            "ratings": [(rating.label, RATING_DEFINITIONS[rating]) for rating in EvidenceRating],
            "strengths": [
                (strength.label, STRENGTH_DEFINITIONS[strength])
                for strength in EvidenceStrength
                if strength
            ],
        },
    )
