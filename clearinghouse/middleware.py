"""Site-wide middleware: request log, Permissions-Policy, a friendly 503 when the
database is unavailable, and whole public pages served from the cache."""

import logging
import sys
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from clearinghouse.cache import cache_key, claim_or_wait, release_build

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
    """Serves whole public pages to anonymous visitors from the cache.

    A view takes part by being decorated with ``clearinghouse.cache.public_page``, which
    names the query parameters it reads. Before such a view runs, every other parameter
    is dropped from ``request.GET``, so a page never echoes junk; the page is stored under
    the catalogue version, the language, the path and the remaining parameters in sorted
    order. Nothing else of the request goes into a page: absolute links come from
    ``SITE_URL``, never from the Host header or the scheme (README, "Security").

    Only what every anonymous visitor would get anyway is stored: a 200 answer to a GET
    or HEAD without a session or messages cookie, that sets no cookie, is not marked
    private or no-store (draft previews are) and used no CSRF token, and whose canonical
    query string is at most ``MAX_QUERY_LENGTH`` characters. Headers added by outer
    middleware (security, CSP, language) are added afresh to every answer.
    """

    MAX_QUERY_LENGTH = 1000
    BYPASS_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
            key = getattr(request, "_page_cache_key", None)
            if key and self.may_store(request, response):
                headers = [(name, value) for name, value in response.items()]
                cache.set(key, (response.content, headers), settings.CATALOGUE_CACHE_SECONDS)
        finally:
            # The page is stored (or will not be): requests waiting for it go on.
            claimed = getattr(request, "_page_build_claimed", None)
            if claimed:
                release_build(claimed)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        params = getattr(view_func, "public_page_params", None)
        if params is None or request.method not in {"GET", "HEAD"}:
            return None
        if any(name not in params for name in request.GET):
            request.GET = known_parameters(request.GET, params)
            request.META["QUERY_STRING"] = request.GET.urlencode()
        if (
            settings.CATALOGUE_CACHE_SECONDS <= 0
            or any(name in request.COOKIES for name in self.BYPASS_COOKIES)
            or request.user.is_authenticated
        ):
            return None
        canonical = canonical_query(request.GET)
        if len(canonical) > self.MAX_QUERY_LENGTH:
            return None
        request._page_cache_key = cache_key(
            "page", [getattr(request, "LANGUAGE_CODE", ""), request.path, canonical]
        )
        stored = cache.get(request._page_cache_key)
        if stored is None:
            # After a change every page misses at once: one request builds each page and
            # the others wait for it (clearinghouse/cache.py, "One build per value").
            claimed, stored = claim_or_wait(request._page_cache_key, None)
            if claimed:
                request._page_build_claimed = request._page_cache_key
            if stored is None:  # this request builds the page (or waited long enough)
                return None
        request._page_cache_key = None  # already stored
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        # A miss reads the session (and says so); a hit depends on the cookies just as much.
        patch_vary_headers(response, ("Cookie",))
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


def known_parameters(query: QueryDict, params: frozenset[str]) -> QueryDict:
    """``query`` without the parameters a page does not read."""
    kept = QueryDict(mutable=True)
    for name in query:
        if name in params:
            kept.setlist(name, query.getlist(name))
    kept._mutable = False
    return kept


def canonical_query(query: QueryDict) -> str:
    """The parameters in a fixed order, so equivalent URLs share one cached page."""
    return urlencode(sorted((name, value) for name in query for value in query.getlist(name)))
