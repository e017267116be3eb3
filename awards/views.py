"""Award pages: all awards, and one award's recognized programs by year."""

from itertools import groupby

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from awards.models import Award, Recognition, RecognitionLevel
from practices.cache import cached
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


@require_safe
def award_list(request: HttpRequest) -> HttpResponse:
    public = Q(recognitions__practice__in=Practice.objects.published())
    awards = Award.objects.annotate(
        recognition_count=Count("recognitions", filter=public, distinct=True),
        program_count=Count("recognitions__practice", filter=public, distinct=True),
        latest_year=Max("recognitions__year", filter=public),
    ).order_by("-active", "name")
    return render(request, "awards/award_list.html", {"awards": awards})


# The award page lists the most recent recognitions; the practice list filtered by the
# award (linked from the page) pages through all of them.
AWARD_RECOGNITIONS_SHOWN = 100


def award_summary(award: Award) -> dict:
    """Counts over every public recognition of the award: categories, levels, years."""
    public = public_recognitions().filter(award=award).order_by()
    totals = public.aggregate(
        recognitions=Count("pk"),
        programs=Count("practice", distinct=True),
        **{value: Count("pk", filter=Q(level=value)) for value in RecognitionLevel.values},
    )
    categories = list(
        award.categories.annotate(
            recognition_count=Count(
                "recognitions",
                filter=Q(recognitions__practice__in=Practice.objects.published()),
            )
        ).order_by("name")
    )
    return {
        "categories": categories,
        "recognition_count": totals["recognitions"],
        "program_count": totals["programs"],
        "level_counts": [(value, totals[value]) for value in RecognitionLevel.values],
        "year_counts": dict(public.values_list("year").annotate(n=Count("pk"))),
    }


@require_safe
def award_detail(request: HttpRequest, slug: str) -> HttpResponse:
    award = get_object_or_404(Award, slug=slug)
    # The counts scan every recognition of the award: kept until the catalogue changes.
    summary = cached("award_summary", award.pk, lambda: award_summary(award))
    recognitions = list(
        public_recognitions()
        .filter(award=award)
        .order_by("-year", LEVEL_ORDER, "category__name", "practice__title")[
            :AWARD_RECOGNITIONS_SHOWN
        ]
    )
    by_year = [
        {
            "year": year,
            "recognitions": list(items),
            "count": summary["year_counts"].get(year, 0),
        }
        for year, items in groupby(recognitions, key=lambda r: r.year)
    ]
    labels = dict(RecognitionLevel.choices)
    return render(
        request,
        "awards/award_detail.html",
        {
            "award": award,
            "categories": summary["categories"],
            "by_year": by_year,
            "recognition_count": summary["recognition_count"],
            "program_count": summary["program_count"],
            "shown_count": len(recognitions),
            "level_counts": [
                (labels[value], number) for value, number in summary["level_counts"] if number
            ],
        },
    )
