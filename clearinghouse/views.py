"""Site-wide views: home page and health check."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from awards import selectors as award_selectors
from clearinghouse.cache import public_page
from practices import selectors

HOME_NEWEST_PRACTICES = 6
HOME_AWARD_WINNERS = 6
HOME_PUBLICATIONS = 4


@require_safe
@public_page()
def home(request: HttpRequest) -> HttpResponse:
    # The topic and department counts scan the catalogue and are kept per catalogue
    # version; the short lists come through indexes in their order.
    context = {
        "topics": selectors.topic_tree(),
        "departments": selectors.departments_with_counts(),
        "newest_practices": selectors.newest_practices(HOME_NEWEST_PRACTICES),
        "award_winners": award_selectors.latest_winners(HOME_AWARD_WINNERS),
        "publications": selectors.newest_publications(HOME_PUBLICATIONS),
    }
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
