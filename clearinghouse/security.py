"""Security helpers: the client's address and the login throttle's backend, and two small
middlewares (Cross-Origin-Resource-Policy on every response; a 400 for NUL characters in
an admin query string)."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


def _valid_address(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent the request.

    With ``PROXY_COUNT`` = 0 it is ``REMOTE_ADDR``. Behind N reverse proxies it is the
    N-th address from the right of ``X-Forwarded-For``: those entries were appended by
    proxies we run, whereas anything further left was sent by the client and may be
    forged. A missing or malformed header falls back to ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
        ]
        if len(forwarded) >= count:
            address = _valid_address(forwarded[-count])
            if address:
                return address
    return _valid_address(remote) or remote or None


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' throttle, checked before the password.

    Web logins (the admin's login form) always pass the request. Code that signs a user
    in without a request (management commands, the test client's ``login()``) is not a
    network client to throttle, so it goes straight to the next backend instead of
    failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page shown to a locked-out sign-in: 429 with a plain explanation."""
    from axes.helpers import get_cool_off, get_failure_limit
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": minutes,
    }
    response = render(request, "axes/lockout.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


class CrossOriginResourcePolicyMiddleware:
    """Adds Cross-Origin-Resource-Policy (settings.CROSS_ORIGIN_RESOURCE_POLICY) to every
    response, static files included (it sits outside WhiteNoise): other sites' pages may
    not load this site's pages, images or files into theirs."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CROSS_ORIGIN_RESOURCE_POLICY", "same-origin")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Cross-Origin-Resource-Policy", self.policy)
        return response


class AdminNullCharacterMiddleware:
    """Answers 400 to an admin address whose query string holds a NUL character.

    PostgreSQL cannot store or compare text with NUL in it, so a list filter
    (``?state__exact=%00``), a search or the autocomplete's ``term`` would end in a
    server error. No admin page has a use for one.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.prefix) and any(
            "\x00" in name or any("\x00" in value for value in values)
            for name, values in request.GET.lists()
        ):
            message = _("The address holds a null character, which no page accepts.")
            return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
