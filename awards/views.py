"""Award pages: all awards, and one award's recognized programs by year."""

from collections import Counter
from itertools import groupby

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from awards.models import Award, Recognition, RecognitionLevel
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


def award_list(request: HttpRequest) -> HttpResponse:
    public = Q(recognitions__practice__in=Practice.objects.published())
    awards = Award.objects.annotate(
        recognition_count=Count("recognitions", filter=public, distinct=True),
        program_count=Count("recognitions__practice", filter=public, distinct=True),
        latest_year=Max("recognitions__year", filter=public),
    ).order_by("-active", "name")
    return render(request, "awards/award_list.html", {"awards": awards})


def award_detail(request: HttpRequest, slug: str) -> HttpResponse:
    award = get_object_or_404(Award, slug=slug)
    categories = list(
        award.categories.annotate(
            recognition_count=Count(
                "recognitions",
                filter=Q(recognitions__practice__in=Practice.objects.published()),
            )
        ).order_by("name")
    )
    recognitions = list(
        public_recognitions()
        .filter(award=award)
        .order_by("-year", LEVEL_ORDER, "category__name", "practice__title")
    )
    by_year = [
        {"year": year, "recognitions": list(items)}
        for year, items in groupby(recognitions, key=lambda r: r.year)
    ]
    level_counts = Counter(r.level for r in recognitions)
    return render(
        request,
        "awards/award_detail.html",
        {
            "award": award,
            "categories": categories,
            "by_year": by_year,
            "recognition_count": len(recognitions),
            "program_count": len({r.practice_id for r in recognitions}),
            "level_counts": [
                (label, level_counts[value])
                for value, label in RecognitionLevel.choices
                if level_counts[value]
            ],
        },
    )
