"""Security headers on public and admin pages, under production settings, and the
settings that protect the admin (URL prefix, staff sessions)."""

import secrets
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from tests.conftest import manage

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "HTTPS": "true",
    "EMAIL_HOST": "smtp.example.org",
    "BEHIND_PROXY": "true",
    "ALLOWED_HOSTS": "127.0.0.1",
}


def database_url() -> str:
    """The URL of the (migrated) test database, for a server in another process."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch_headers(url: str, headers: dict) -> tuple[int, dict, str]:
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - local URL
    try:
        with opener.open(request, timeout=15) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def csp_directives(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_security_headers(headers: dict, *, https: bool = True) -> None:
    headers = {k.lower(): v for k, v in headers.items()}
    csp = csp_directives(headers["content-security-policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].startswith("'self'")
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert "'unsafe-eval'" not in headers["content-security-policy"]
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    policy = headers["permissions-policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "interest-cohort=()"):
        assert feature in policy
    if https:
        assert "upgrade-insecure-requests" in csp
        assert headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )


@pytest.mark.django_db
def test_production_server_sends_every_security_header(gunicorn_server, collected_static):
    base = gunicorn_server(
        {**PRODUCTION_ENV, "DATABASE_URL": database_url(), "STATIC_ROOT": collected_static}
    )
    behind_tls = {"X-Forwarded-Proto": "https"}
    for path in ["/", "/admin/login/"]:
        status, headers, body = fetch_headers(base + path, behind_tls)
        assert status == 200, (path, body[:500])
        assert_security_headers(headers)
        if path.startswith("/admin/"):
            cookies = headers.get("Set-Cookie", "")
            assert "Secure" in cookies and "HttpOnly" not in cookies.split("csrftoken")[0]


@pytest.mark.django_db
def test_production_server_redirects_plain_http_to_https(gunicorn_server):
    base = gunicorn_server({**PRODUCTION_ENV, "DATABASE_URL": database_url()})
    status, headers, _ = fetch_headers(base + "/", {"X-Forwarded-Proto": "http"})
    assert status == 301
    assert headers["Location"].startswith("https://")


@pytest.mark.django_db
def test_session_cookie_is_secure_httponly_and_samesite(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    get_user_model().objects.create_superuser("boss", "boss@example.org", "x" * 12)
    response = client.post(
        reverse("admin:login"), {"username": "boss", "password": "x" * 12, "next": "/admin/"}
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True and cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # Expires when the browser closes: no Max-Age or Expires on the cookie.
    assert not cookie["max-age"] and not cookie["expires"]


@pytest.mark.django_db
def test_public_page_has_the_headers_and_no_inline_code(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_security_headers(response.headers, https=False)
    html = response.content.decode()
    assert "<style" not in html and " style=" not in html
    assert "<script>" not in html and " onload=" not in html and " onclick=" not in html


@pytest.mark.django_db
def test_admin_login_and_changelist_render_under_the_policy(client, admin_user):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_security_headers(response.headers, https=False)
    client.force_login(admin_user)
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 200
    assert_security_headers(response.headers, https=False)
    html = response.content.decode()
    # Django's admin uses script files only; nothing inline that the policy would block.
    assert "<script>" not in html and "<style" not in html
    assert admin_user.username in html


@pytest.mark.django_db
def test_nonce_is_in_the_header_only_when_a_page_uses_it(rf):
    from django.middleware.csp import ContentSecurityPolicyMiddleware
    from django.template import engines
    from django.template.context_processors import csp as csp_context

    template = engines["django"].from_string(
        '<script type="application/ld+json" nonce="{{ csp_nonce }}">{}</script>'
    )

    def view(request):
        from django.http import HttpResponse

        return HttpResponse(template.render(csp_context(request)))

    middleware = ContentSecurityPolicyMiddleware(view)
    request = rf.get("/")
    middleware.process_request(request)
    response = middleware(request)
    nonce = str(request._csp_nonce)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_deploy_check_is_clean_behind_a_proxy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("value", ["admin", "/admin/", "staff desk/", "a/../b/", "ad<min/"])
def test_bad_admin_url_stops_start_up(value):
    result = manage("check", env={**PRODUCTION_ENV, "ADMIN_URL": value})
    assert result.returncode == 2
    assert "ADMIN_URL" in result.stderr


def test_admin_url_prefix_is_configurable():
    code = (
        "from django.urls import reverse; print(reverse('admin:index'));"
        "from django.conf import settings;"
        "print(settings.SESSION_COOKIE_AGE, settings.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    env = {**PRODUCTION_ENV, "ADMIN_URL": "staff-desk/", "SESSION_COOKIE_AGE": "3600"}
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["/staff-desk/", "3600", "True"]


def test_staff_sessions_expire_after_eight_hours_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
