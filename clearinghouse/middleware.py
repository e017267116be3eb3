"""Site-wide middleware: request log, Permissions-Policy, a friendly 503 when the
database is unavailable, and whole public pages served from the cache."""

import logging
import sys
import time

from django.conf import settings
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from practices.cache import cache_key

request_log = logging.getLogger("clearinghouse.requests")
database_log = logging.getLogger("clearinghouse.database")

# The errors PostgreSQL gives when it is down, restarting or unreachable.
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


class RequestLogMiddleware:
    """One line per request: method, path, status and duration in milliseconds.

    It is the outermost middleware, so the duration covers the whole stack. The query
    string is left out: it may carry search words people would not want kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        request_log.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            elapsed_ms,
        )
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy (from settings.PERMISSIONS_POLICY) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


FALLBACK_503 = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Temporarily unavailable</title>"
    "<h1>The clearinghouse is temporarily unavailable</h1><p>Please try again in a minute.</p>"
)


def database_unavailable_response() -> HttpResponse:
    """The 503 page. It renders without a request, so no context processor (and nothing
    else that could need the database) runs; if even that fails, a fixed page is sent."""
    try:
        body = render_to_string("503.html")
    except Exception:  # the page must go out whatever else is broken
        database_log.exception("The 503 template could not be rendered")
        body = FALLBACK_503
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _note_database_failure(sender, request=None, **kwargs):
    """Mark requests that failed because the database is down, wherever it happened
    (a view, a template, or middleware such as the session's)."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN_ERRORS):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    """Answers 503 with a friendly page and Retry-After when PostgreSQL is unavailable.

    A view's database error is caught in ``process_exception``. An error raised by
    inner middleware has already become a 500 by the time it gets here; the
    ``got_request_exception`` signal marks that request so its 500 is turned into the
    same 503. Django then discards the broken connection at the end of the request
    (``CONN_HEALTH_CHECKS`` checks a reused one before use), so the site recovers by
    itself when the database comes back.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(
            _note_database_failure, dispatch_uid="clearinghouse.database_unavailable"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            return database_unavailable_response()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_DOWN_ERRORS):
            database_log.warning(
                "Database unavailable for %s %s: %s", request.method, request.path, exception
            )
            return database_unavailable_response()
        return None


class PublicPageCacheMiddleware:
    """Serves whole public catalogue pages to anonymous visitors from the cache.

    Pages are stored under the catalogue version (``practices.cache``), the language and
    the full path with its query string, so any curator's change shows on the next
    request. Only what every anonymous visitor would get anyway is stored: a 200 answer of
    one of ``CACHEABLE_VIEWS``, to a GET or HEAD without a session cookie, that sets no
    cookie, is not marked private or no-store (draft previews are) and used no CSRF token.
    Headers added by outer middleware (security, CSP, language) are added afresh to every
    answer, cached or not.
    """

    CACHEABLE_VIEWS = {
        "home",
        "about",
        "search",
        "practices:practice_list",
        "practices:practice_detail",
        "practices:topic_list",
        "practices:topic_detail",
        "practices:publication_list",
        "practices:publication_detail",
        "practices:jurisdiction_detail",
        "awards:award_list",
        "awards:award_detail",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key and self.may_store(request, response):
            headers = [(name, value) for name, value in response.items()]
            cache.set(key, (response.content, headers), settings.CATALOGUE_CACHE_SECONDS)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            settings.CATALOGUE_CACHE_SECONDS <= 0
            or request.method not in {"GET", "HEAD"}
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or match is None
            or match.view_name not in self.CACHEABLE_VIEWS
        ):
            return None
        request._page_cache_key = cache_key(
            "page", [getattr(request, "LANGUAGE_CODE", ""), request.get_full_path()]
        )
        stored = cache.get(request._page_cache_key)
        if stored is None:
            return None
        request._page_cache_key = None  # already stored
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response

    @staticmethod
    def may_store(request: HttpRequest, response: HttpResponse) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-store" not in cache_control
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        )
