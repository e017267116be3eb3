"""The About page: what the clearinghouse is, how evidence is rated, and where the
published catalogue's facts come from."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from practices.models import EvidenceRating, EvidenceStrength, Practice, Source


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    """Three queries whatever the size of the catalogue: practices, their sources, countries."""
    published = Practice.objects.published()
    practices = (
        published.only("title", "slug")
        .order_by("title")
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.only("practice_id", "title", "url"))
        )
    )
    country_count = published.values("lead_jurisdiction__country").distinct().count()
    return render(
        request,
        "about.html",
        {
            "practices": practices,
            "country_count": country_count,
            "ratings": EvidenceRating,
            "strengths": EvidenceStrength,
        },
    )
