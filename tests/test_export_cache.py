"""A repeated download of the same selection comes from the shared cache, whole, and a
curator's change drops it."""

import gzip
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practices.views import practices as views
from tests import factories
from tests.conftest import require_redis

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    require_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"ch-test-{uuid.uuid4().hex}",
        }
    }
    settings.CATALOGUE_CACHE_SECONDS = 60
    yield
    # Only this test's keys: delete by prefix rather than flushing the whole database.
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}*"):
        client.delete(key)


def download(client, url: str) -> tuple[bytes, int]:
    """The CSV, and how many queries read practices (validating the filter's topic slug
    is a lookup of its own, needed either way)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
    return body, sum('"practices_practice"' in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def catalogue():
    topic = factories.TopicFactory(slug="lighting")
    for n in range(3):
        factories.PracticeFactory(published=True, title=f"Lighting {n}", topics=[topic])
    return topic


URL = reverse("practices:practice_export") + "?topic=lighting"


def test_repeat_download_is_one_cache_read(client, catalogue, redis_cache):
    first, first_queries = download(client, URL)
    assert first_queries > 0
    second, second_queries = download(client, URL)
    assert second == first
    assert second_queries == 0
    assert first.count(b"Lighting ") == 3


def test_a_change_drops_the_kept_download(client, catalogue, redis_cache):
    download(client, URL)
    factories.PracticeFactory(published=True, title="Lighting late", topics=[catalogue])
    body, queries = download(client, URL)
    assert b"Lighting late" in body and queries > 0


def test_large_selections_are_not_kept(client, catalogue, redis_cache, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_CACHE_MAX_ROWS", 2)
    download(client, URL)
    _body, queries = download(client, URL)
    assert queries > 0


def test_without_a_shared_cache_downloads_are_not_kept(client, catalogue):
    assert not cache.__class__.__name__.startswith("Redis")
    download(client, URL)
    _body, queries = download(client, URL)
    assert queries > 0


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_kept_download_is_compressed_once_and_serves_both_kinds_of_client(
    client, catalogue, redis_cache
):
    gzip_header = {"Accept-Encoding": "gzip"}
    first = client.get(URL, headers=gzip_header)
    assert first["Content-Encoding"] == "gzip"
    packed = body_of(first)
    kept = cache.get(views.export_cache_key(first.wsgi_request, views.settings.SITE_URL))
    # What is kept is the compressed download itself.
    assert kept == packed

    with CaptureQueriesContext(connection) as queries:
        again = client.get(URL, headers=gzip_header)
        assert not again.streaming
        assert body_of(again) == packed
        assert again["Content-Encoding"] == "gzip"
    assert not any('"practices_practice"' in q["sql"] for q in queries.captured_queries)

    plain, plain_queries = download(client, URL)
    assert plain_queries == 0
    assert plain == gzip.decompress(packed)
    assert plain.count(b"Lighting ") == 3


def test_a_plain_first_download_is_kept_for_compressing_clients(client, catalogue, redis_cache):
    plain, _queries = download(client, URL)
    response = client.get(URL, headers={"Accept-Encoding": "gzip"})
    assert not response.streaming
    assert gzip.decompress(body_of(response)) == plain
