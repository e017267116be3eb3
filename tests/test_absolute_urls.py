"""Absolute URLs come from SITE_URL, never from the request's Host or scheme, so a client
cannot make the site (or its page cache) print links to an address of its choosing."""

import http.client
import json
import re
import runpy
import secrets
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from clearinghouse.site_url import absolute_url, default_site_url, parse_site_url
from tests.conftest import ROOT, manage
from tests.factories import PracticeFactory, PublicationFactory
from tests.test_security_headers import database_url

POISONED_HOST = "127.0.0.1:6666"


def links(html: str) -> dict[str, list[str]]:
    """Every absolute link a page prints about itself."""
    found = {
        "canonical": re.findall(r'<link rel="canonical" href="([^"]+)"', html),
        "og:url": re.findall(r'<meta property="og:url" content="([^"]+)"', html),
        "hreflang": re.findall(r'<link rel="alternate" hreflang="[^"]+" href="([^"]+)"', html),
    }
    for block in re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S):
        data = json.loads(block)
        found.setdefault("json-ld", []).extend(data[key] for key in ("@id", "url") if key in data)
    return found


def assert_clean(html: str, origin: str) -> dict[str, list[str]]:
    found = links(html)
    for kind, urls in found.items():
        for url in urls:
            assert url.startswith(origin + "/"), (kind, url)
    assert "6666" not in html
    assert "evil.example" not in html
    return found


# --- Through the Django test client -------------------------------------------------


@pytest.mark.django_db
def test_page_links_ignore_the_host_port_and_the_forwarded_scheme(client):
    practice = PracticeFactory(published=True, slug="lights-on")
    poisoned = {
        "HTTP_HOST": POISONED_HOST,
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "evil.example",
    }
    response = client.get(practice.get_absolute_url(), **poisoned)
    assert response.status_code == 200
    found = assert_clean(response.content.decode(), "http://testserver")
    assert found["canonical"] == ["http://testserver/practices/lights-on/"]
    assert found["og:url"] == ["http://testserver/practices/lights-on/"]
    assert sorted(found["hreflang"]) == [
        "http://testserver/es/practices/lights-on/",
        "http://testserver/practices/lights-on/",
        "http://testserver/practices/lights-on/",
    ]
    assert found["json-ld"] == ["http://testserver/practices/lights-on/"] * 2


@pytest.mark.django_db
def test_feed_sitemap_robots_and_export_ignore_the_host(client, settings):
    settings.SITE_URL = "https://safety.example.org"
    PracticeFactory(published=True, slug="lights-on")
    publication = PublicationFactory(published=True)
    host = {"HTTP_HOST": POISONED_HOST}
    feed = client.get("/feeds/practices/", **host).content.decode()
    assert "https://safety.example.org/practices/lights-on/" in feed
    assert 'href="https://safety.example.org/feeds/practices/"' in feed
    index = client.get("/sitemap.xml", **host).content.decode()
    assert "<loc>https://safety.example.org/sitemap-practices.xml</loc>" in index
    sitemap = client.get("/sitemap-practices.xml", **host).content.decode()
    assert "<loc>https://safety.example.org/practices/lights-on/</loc>" in sitemap
    assert 'href="https://safety.example.org/es/practices/lights-on/"' in sitemap
    robots = client.get("/robots.txt", **host).content.decode()
    assert "Sitemap: https://safety.example.org/sitemap.xml" in robots
    export = client.get("/practices/export.csv", **host)
    body = b"".join(export.streaming_content).decode()
    assert "https://safety.example.org/practices/lights-on/" in body
    page = client.get(publication.get_absolute_url(), **host).content.decode()
    assert links(page)["json-ld"] == [f"https://safety.example.org{publication.get_absolute_url()}"]
    for text in (feed, index, sitemap, robots, body, page):
        assert "6666" not in text and "testserver" not in text


# --- The setting itself --------------------------------------------------------------


def test_site_url_defaults_to_the_first_allowed_host_and_the_https_setting():
    assert default_site_url(["example.org", "www.example.org"], https=True) == (
        "https://example.org"
    )
    assert default_site_url(["*", ".example.org"], https=False) == "http://example.org"
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        default_site_url(["*"], https=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://Example.org/", "https://example.org"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_site_url_is_normalised(value, expected):
    assert parse_site_url("SITE_URL", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "example.org",
        "ftp://example.org",
        "https://example.org/clearinghouse",
        "https://example.org?x=1",
        "https://user:pw@example.org",
        "https://example.org:99999",
        "https://",
    ],
)
def test_bad_site_url_stops_start_up(value):
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        parse_site_url("SITE_URL", value)
    result = manage("check", env={"SITE_URL": value})
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_deploy_check_wants_an_https_site_url_under_https():
    from tests.test_security_headers import PRODUCTION_ENV

    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={**PRODUCTION_ENV, "SITE_URL": "http://clearinghouse.example.org"},
    )  # fmt: skip
    assert result.returncode != 0
    assert "clearinghouse.W001" in result.stderr + result.stdout
    clean = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={**PRODUCTION_ENV, "SITE_URL": "https://clearinghouse.example.org"},
    )  # fmt: skip
    assert clean.returncode == 0, clean.stderr


def test_absolute_url_keeps_one_slash(settings):
    settings.SITE_URL = "https://example.org"
    assert absolute_url("/practices/") == "https://example.org/practices/"
    assert absolute_url("//evil.example/x") == "https://example.org/evil.example/x"
    assert absolute_url("") == "https://example.org/"


# --- Gunicorn trusts forwarded headers only from configured proxies --------------------


def gunicorn_setting(monkeypatch, name: str, **env: str):
    for key in ("BEHIND_PROXY", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(ROOT / "clearinghouse" / "gunicorn_conf.py"))[name]


def test_gunicorn_trusts_no_forwarded_header_without_a_proxy(monkeypatch):
    assert gunicorn_setting(monkeypatch, "forwarded_allow_ips") == ""
    # FORWARDED_ALLOW_IPS alone does not switch trust on: BEHIND_PROXY does.
    assert gunicorn_setting(monkeypatch, "forwarded_allow_ips", FORWARDED_ALLOW_IPS="*") == ""


def test_gunicorn_trusts_only_the_configured_proxies(monkeypatch):
    behind = {"BEHIND_PROXY": "true"}
    assert gunicorn_setting(monkeypatch, "forwarded_allow_ips", **behind) == "127.0.0.1,::1"
    assert (
        gunicorn_setting(
            monkeypatch, "forwarded_allow_ips", **behind, FORWARDED_ALLOW_IPS="10.0.0.2"
        )
        == "10.0.0.2"
    )


def raw_get(base: str, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
    """A GET with exactly these headers (Host included), on a fresh connection."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": parts.netloc, **(headers or {})}
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


SERVER_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "HTTPS": "false",
    "BEHIND_PROXY": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "",  # the default: http:// and the first allowed host
    "LOG_LEVEL": "WARNING",
    "CATALOGUE_CACHE_SECONDS": "300",
}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_poisoned_requests_leave_every_worker_serving_clean_links(gunicorn_server):
    """Done when (issue 18): through gunicorn with several workers, requests with a
    poisoned Host port and forwarded headers come first; every plain request after them
    gets links to the configured address."""
    workers = 3
    practice = PracticeFactory(published=True, slug="lights-on")
    publication = PublicationFactory(published=True)
    base = gunicorn_server({**SERVER_ENV, "DATABASE_URL": database_url()}, workers=workers)
    origin = "http://127.0.0.1"
    pages = [
        practice.get_absolute_url(),
        "/es" + practice.get_absolute_url(),
        publication.get_absolute_url(),
        "/practices/",
        "/",
    ]
    poisons = [
        {"Host": POISONED_HOST},
        {"X-Forwarded-Proto": "https"},
        {"Host": POISONED_HOST, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
        {"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example;proto=https"},
    ]
    # Each poison several times per page, so that every worker gets (and may cache) one.
    for path in pages:
        for headers in poisons:
            for _ in range(workers * 2):
                status, _headers, html = raw_get(base, path, headers)
                assert status == 200, (path, headers, status)
                assert_clean(html, origin)
    for path in pages:
        for _ in range(workers * 3):
            status, _headers, html = raw_get(base, path)
            assert status == 200, path
            found = assert_clean(html, origin)
            assert found["og:url"] and found["hreflang"], path
    detail = links(raw_get(base, practice.get_absolute_url())[2])
    assert detail["canonical"] == [f"{origin}/practices/lights-on/"]
    assert detail["json-ld"] == [f"{origin}/practices/lights-on/"] * 2
    feed = raw_get(base, "/feeds/practices/", {"Host": POISONED_HOST})[2]
    assert f"{origin}/practices/lights-on/" in feed and "6666" not in feed


@pytest.mark.slow
@pytest.mark.django_db
def test_forwarded_scheme_from_loopback_is_ignored_without_a_proxy(gunicorn_server):
    """With HTTPS on but no proxy, a loopback client's X-Forwarded-Proto does not make a
    plain request pass for HTTPS: it is still redirected."""
    env = {**SERVER_ENV, "HTTPS": "true", "DATABASE_URL": database_url(), "SITE_URL": ""}
    base = gunicorn_server(env)
    status, headers, _ = raw_get(base, "/", {"X-Forwarded-Proto": "https"})
    assert status == 301
    assert headers["Location"].startswith("https://")
