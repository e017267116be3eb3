"""Site-wide middleware: request log, Permissions-Policy, and a friendly 503 when the
database is unavailable."""

import logging
import sys
import time

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

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
