"""Award pages: all awards, and one award's recognized programs by year."""

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from awards import selectors
from awards.models import Award, RecognitionLevel
from clearinghouse.cache import public_page

# The award page lists the most recent recognitions; the practice list filtered by the
# award (linked from the page) pages through all of them.
AWARD_RECOGNITIONS_SHOWN = 100


@require_safe
@public_page()
def award_list(request: HttpRequest) -> HttpResponse:
    return render(request, "awards/award_list.html", {"awards": selectors.awards_with_counts()})


@require_safe
@public_page()
def award_detail(request: HttpRequest, slug: str) -> HttpResponse:
    award = get_object_or_404(Award, slug=slug)
    summary = selectors.cached_award_summary(award)
    categories = list(award.categories.order_by("name"))
    for category in categories:
        category.recognition_count = summary["category_counts"].get(category.pk, 0)
    recognitions = selectors.latest_recognitions(award, AWARD_RECOGNITIONS_SHOWN)
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
            "categories": categories,
            "by_year": by_year,
            "recognition_count": summary["recognition_count"],
            "program_count": summary["program_count"],
            "shown_count": len(recognitions),
            "level_counts": [
                (labels[value], number) for value, number in summary["level_counts"] if number
            ],
        },
    )
