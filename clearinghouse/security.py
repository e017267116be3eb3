"""Helpers for the login throttle: the client's address and the throttling backend."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


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
