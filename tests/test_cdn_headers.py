"""Headers for a CDN or nginx in front: anonymous public pages may be kept by a shared
cache for CDN_CACHE_SECONDS and revalidated with a strong ETag tied to the catalogue
version (304 when nothing changed); staff, forms, sessions and writes are private."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from clearinghouse.routers import PRIMARY_COOKIE
from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=0, s-maxage=60, stale-while-revalidate=30"


@pytest.fixture
def practice():
    topic = factories.TopicFactory(slug="lighting", name="Street lighting")
    return factories.PracticeFactory(published=True, title="Corridor lighting", topics=[topic])


def test_anonymous_public_pages_may_be_kept_by_a_shared_cache(client, practice):
    for url in ("/", reverse("practices:practice_list"), practice.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == PUBLIC
        assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])  # strong: no W/
        assert "Cookie" in response["Vary"]


def test_a_conditional_request_is_answered_304_until_something_changes(client, practice):
    url = reverse("practices:practice_list") + "?topic=lighting"
    first = client.get(url)
    etag = first["ETag"]
    for _ in range(2):  # built afresh, then from the page cache: the same ETag
        again = client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == PUBLIC

    practice.title = "Corridor lighting and parks"
    practice.save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Corridor lighting and parks" in changed.content.decode()


def test_the_etag_names_the_language_and_the_canonical_url(client, practice):
    url = reverse("practices:practice_list")
    english = client.get(url)["ETag"]
    assert client.get("/es" + url)["ETag"] != english
    assert client.get(url + "?topic=lighting")["ETag"] != english
    # Parameters the page does not read are dropped, so they do not split the cache.
    assert client.get(url + "?utm_source=mail")["ETag"] == english


def test_without_the_catalogue_cache_the_etag_comes_from_the_page(client, practice):
    with override_settings(CATALOGUE_CACHE_SECONDS=0):
        url = reverse("practices:topic_list")
        first = client.get(url)
        assert first["Cache-Control"] == PUBLIC
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304


def test_staff_pages_are_private(client, practice, superuser):
    client.force_login(superuser)
    for url in (practice.get_absolute_url(), "/admin/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert "ETag" not in response


def test_any_session_or_a_recent_submission_makes_a_page_private(client, practice):
    url = practice.get_absolute_url()
    for cookie in ("sessionid", PRIMARY_COOKIE, "messages"):
        client.cookies.clear()
        client.cookies[cookie] = "x"
        assert client.get(url)["Cache-Control"] == "private, no-store", cookie


def test_a_visitors_submission_is_private_and_their_next_pages_skip_shared_caches(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response["Cache-Control"] == "private, no-store"
    cookie = response.cookies[PRIMARY_COOKIE]
    assert cookie["max-age"] == 30
    assert cookie["httponly"]
    # The browser sends it back: the next page is private.
    assert client.get("/")["Cache-Control"] == "private, no-store"


def test_forms_and_errors_are_not_marked_public(client):
    login = client.get("/admin/login/")
    assert login["Cache-Control"] != PUBLIC
    assert "no-store" in login["Cache-Control"]
    missing = client.get("/practices/no-such-practice/")
    assert missing.status_code == 404
    assert "s-maxage" not in missing.get("Cache-Control", "")
