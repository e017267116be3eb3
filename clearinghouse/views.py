"""Site-wide views: home page and health check."""

from functools import partial
from operator import getitem

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from awards.models import RecognitionLevel
from awards.views import public_recognitions
from practices.cache import cache_key, cached, detach_prefetched
from practices.models import Practice, Publication
from practices.views.browse import departments_with_counts, practice_cards, topic_tree

HOME_NEWEST_PRACTICES = 6
HOME_AWARD_WINNERS = 6
HOME_PUBLICATIONS = 4
HOME_LISTS = ["topics", "departments", "newest_practices", "award_winners", "publications"]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    newest = practice_cards(Practice.objects.published()).order_by("-published_at", "title")
    winners = (
        public_recognitions()
        .filter(level=RecognitionLevel.WINNER)
        .order_by("-year", "-tagged_at", "practice__title")
    )
    publications = Publication.objects.published().order_by("-published_at", "title")

    def build() -> dict:
        return {
            "topics": detach_prefetched(topic_tree()),
            "departments": list(departments_with_counts()),
            "newest_practices": list(newest[:HOME_NEWEST_PRACTICES]),
            "award_winners": list(winners[:HOME_AWARD_WINNERS]),
            "publications": list(publications[:HOME_PUBLICATIONS]),
        }

    # The same for every visitor and language (names are chosen when rendering); the
    # topic and department counts scan the catalogue, so build it once per change. The
    # rendered sections are cached per language too (templates/home.html): the data is
    # only read when they are missing.
    data = SimpleLazyObject(lambda: cached("home", None, build))
    context = {name: SimpleLazyObject(partial(getitem, data, name)) for name in HOME_LISTS}
    context["home_cache_key"] = cache_key("home_html", get_language())
    context["home_cache_seconds"] = settings.CATALOGUE_CACHE_SECONDS
    return render(request, "home.html", context)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
