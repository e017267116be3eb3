"""The catalogue version kept by PostgreSQL (clearinghouse/cache.py), the shared
computations cached under it, and the byte-capped local-memory cache."""

import pickle
import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from clearinghouse import cache as catalogue_cache
from clearinghouse.cache_backends import BoundedLocMemCache
from practices.models import Practice, PublishingState
from tests.conftest import manage, require_redis
from tests.factories import (
    AwardFactory,
    PracticeFactory,
    PublicationFactory,
    RecognitionFactory,
    TopicFactory,
)


def published_titles():
    """What a public page would cache: built from published practices only."""
    return catalogue_cache.cached(
        "titles",
        {"lang": "en"},
        lambda: sorted(Practice.objects.published().values_list("title", flat=True)),
    )


@pytest.mark.django_db
def test_cached_builds_once_per_version_and_params():
    calls = []

    def build():
        calls.append(1)
        return {"count": len(calls)}

    assert catalogue_cache.cached("facets", {"topic": "a"}, build) == {"count": 1}
    assert catalogue_cache.cached("facets", {"topic": "a"}, build) == {"count": 1}
    assert catalogue_cache.cached("facets", {"topic": "b"}, build) == {"count": 2}
    catalogue_cache.bump_catalogue_version()
    assert catalogue_cache.cached("facets", {"topic": "a"}, build) == {"count": 3}


@pytest.mark.django_db
def test_a_falsy_value_is_cached_too():
    calls = []

    def build():
        calls.append(1)
        return []

    catalogue_cache.cached("empty", None, build)
    catalogue_cache.cached("empty", None, build)
    assert len(calls) == 1


def test_timeout_zero_turns_caching_off(settings):
    settings.CATALOGUE_CACHE_SECONDS = 0
    calls = []
    catalogue_cache.cached("off", None, lambda: calls.append(1))
    catalogue_cache.cached("off", None, lambda: calls.append(1))
    assert len(calls) == 2


def test_keys_depend_on_version_and_params_only(monkeypatch):
    monkeypatch.setattr(catalogue_cache, "catalogue_version", lambda: 7)
    key = catalogue_cache.cache_key("facets", {"a": 1, "b": 2})
    assert key == catalogue_cache.cache_key("facets", {"b": 2, "a": 1})
    assert key != catalogue_cache.cache_key("facets", {"a": 1, "b": 3})
    assert key.startswith("catalogue:7:facets:")
    monkeypatch.setattr(catalogue_cache, "catalogue_version", lambda: 8)
    assert key != catalogue_cache.cache_key("facets", {"a": 1, "b": 2})


def tracked_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers "
            "WHERE trigger_name = %s",
            [catalogue_cache.TRIGGER_NAME],
        )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_every_table_a_public_page_reads_is_tracked():
    from django.apps import apps

    public_apps = {"practices", "awards"}
    # Staff-only tables: committees, and the judging of award cycles.
    private = {
        "awards_award_committee",
        "awards_application",
        "awards_score",
        "awards_recusal",
        "awards_judge",
        "awards_historyentry",
    }
    expected = set()
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.app_label in public_apps and table not in private:
            expected.add(table)
    assert expected <= set(tracked_tables())


@pytest.mark.django_db
def test_plain_sql_on_any_tracked_table_replaces_the_version():
    for table in tracked_tables():
        before = catalogue_cache.read_catalogue_version()
        with connection.cursor() as cursor:
            # Any column will do (not every table has an "id": search documents are keyed
            # by their practice).
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s ORDER BY ordinal_position LIMIT 1",
                [table],
            )
            column = cursor.fetchone()[0]
            cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE false")  # noqa: S608
        assert catalogue_cache.read_catalogue_version() > before, table


@pytest.mark.django_db
def test_a_request_reads_the_version_once(client, django_assert_num_queries):
    PracticeFactory(published=True)
    client.get("/practices/")
    with django_assert_num_queries(1):  # the version; the page itself comes from the cache
        assert client.get("/practices/").status_code == 200


@pytest.mark.django_db
def test_a_write_inside_a_request_reads_the_version_afresh(rf):
    request = rf.post("/")
    seen = []

    def view(request):
        seen.append(catalogue_cache.catalogue_version())
        TopicFactory()
        seen.append(catalogue_cache.catalogue_version())
        return None

    catalogue_cache.CatalogueVersionMiddleware(view)(request)
    assert seen[1] > seen[0]


@pytest.mark.django_db
def test_publishing_shows_up_at_once():
    practice = PracticeFactory(title="Violence interrupters")
    PracticeFactory(title="Night basketball", published=True)
    assert published_titles() == ["Night basketball"]

    practice.state = PublishingState.PUBLISHED
    practice.published_at = practice.created_at
    practice.save()
    assert published_titles() == ["Night basketball", "Violence interrupters"]

    practice.state = PublishingState.ARCHIVED
    practice.save()
    assert published_titles() == ["Night basketball"]

    Practice.objects.get(title="Night basketball").delete()
    assert published_titles() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda p: RecognitionFactory(practice=p, award=AwardFactory()),
        lambda p: PublicationFactory(published=True, practices=[p]),
        lambda p: p.topics.add(TopicFactory()),
        lambda p: TopicFactory(),
    ],
    ids=["recognition", "publication", "topics-m2m", "topic"],
)
def test_related_changes_drop_cached_work(change):
    practice = PracticeFactory(published=True)
    before = catalogue_cache.catalogue_version()
    change(practice)
    assert catalogue_cache.catalogue_version() != before


@pytest.mark.django_db
def test_home_is_built_once_and_shows_a_publication_at_once(client, django_assert_num_queries):
    PracticeFactory(title="Night basketball", published=True, topics=[TopicFactory()])
    draft = PracticeFactory(title="Violence interrupters")
    assert b"Night basketball" in client.get("/").content
    with django_assert_num_queries(1):  # the catalogue version
        response = client.get("/")
    assert b"Night basketball" in response.content
    assert b"Violence interrupters" not in response.content

    draft.state = PublishingState.PUBLISHED
    draft.published_at = draft.created_at
    draft.save()
    assert b"Violence interrupters" in client.get("/").content

    draft.state = PublishingState.DRAFT
    draft.save()
    assert b"Violence interrupters" not in client.get("/").content


def list_figures(client, query: dict) -> tuple[int, dict[str, int], list[str]]:
    response = client.get("/practices/", query)
    assert response.status_code == 200
    topics = next(f for f in response.context["facets"] if f.name == "topic")
    return (
        response.context["page_obj"].paginator.count,
        {o.value: o.count for o in topics.options},
        [p.title for p in response.context["practices"]],
    )


@pytest.mark.django_db
def test_list_page_reuses_counts_and_shows_a_publication_at_once(
    client, django_assert_max_num_queries
):
    lighting = TopicFactory(slug="lighting")
    PracticeFactory(title="Brighter corridors", published=True, topics=[lighting])
    draft = PracticeFactory(title="Lit parks", topics=[lighting])
    query = {"topic": "lighting"}
    assert list_figures(client, query) == (1, {"lighting": 1}, ["Brighter corridors"])
    html = client.get("/practices/", query).content.decode()
    assert '(1<span class="visually-hidden"> practice</span>)' in html
    # Warm: the count and the facet queries are not run again (the version, the page, its
    # prefetches and the topic slug check remain).
    with django_assert_max_num_queries(6):
        assert list_figures(client, {**query, "sort": "title"})[0] == 1

    draft.state = PublishingState.PUBLISHED
    draft.published_at = draft.created_at
    draft.save()
    count, facet, titles = list_figures(client, query)
    assert (count, facet) == (2, {"lighting": 2})
    assert sorted(titles) == ["Brighter corridors", "Lit parks"]
    # The rendered facet fragment is cached too, and follows the change.
    html = client.get("/practices/", query).content.decode()
    assert '(2<span class="visually-hidden"> practices</span>)' in html

    draft.delete()
    assert list_figures(client, query)[:2] == (1, {"lighting": 1})


@pytest.mark.django_db
def test_list_counts_are_cached_per_selection_and_language(client):
    PracticeFactory(published=True, topics=[TopicFactory(slug="parks", name_es="Parques")])
    TopicFactory(slug="empty")
    english = client.get("/practices/", {"topic": "parks"})
    spanish = client.get("/es/practices/", {"topic": "parks"})
    everything = client.get("/practices/", {"topic": "empty"})
    assert b"Parques" in spanish.content and b"Parques" not in english.content
    assert english.context["page_obj"].paginator.count == 1
    assert everything.context["page_obj"].paginator.count == 0


@pytest.mark.django_db
def test_reading_never_invalidates():
    PracticeFactory(published=True)
    version = catalogue_cache.catalogue_version()
    list(Practice.objects.published())
    published_titles()
    assert catalogue_cache.catalogue_version() == version


@pytest.mark.django_db
def test_redis_backed_cache_is_invalidated_too(settings):
    require_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"ch-test-{uuid.uuid4().hex}",
        }
    }
    practice = PracticeFactory(title="Safe passage")
    try:
        assert published_titles() == []
        practice.state = PublishingState.PUBLISHED
        practice.published_at = practice.created_at
        practice.save()
        assert published_titles() == ["Safe passage"]
    finally:
        cache.clear()


SECRET = {"SECRET_KEY": "cache-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"}
SHOW_CACHE = (
    "from django.conf import settings as s; "
    "print(s.CACHES['default']['BACKEND'], s.CATALOGUE_CACHE_SECONDS)"
)


def test_cache_defaults_to_local_memory():
    done = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        SHOW_CACHE,
        env={**SECRET, "CACHE_URL": "", "REDIS_URL": ""},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["clearinghouse.cache_backends.BoundedLocMemCache", "300"]


def test_redis_url_selects_redis():
    env = {**SECRET, "CACHE_URL": "", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    done = manage("shell", "--verbosity", "0", "-c", SHOW_CACHE, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "300"]


def test_a_cache_url_that_is_not_redis_stops_start_up():
    done = manage("check", env={**SECRET, "CACHE_URL": "memcached://127.0.0.1:11211"})
    assert done.returncode != 0
    assert "CACHE_URL" in done.stderr


@pytest.mark.django_db
def test_home_sections_are_cached_per_language(client):
    PracticeFactory(published=True, topics=[TopicFactory(name="Parks", name_es="Parques")])
    assert "Parques" not in client.get("/").content.decode()
    assert "Parques" in client.get("/es/").content.decode()
    assert "Parques" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_list_results_are_cached_per_query_and_follow_changes(
    client, django_assert_max_num_queries
):
    topic = TopicFactory(slug="parks")
    first = PracticeFactory(title="Parks after dark", published=True, topics=[topic])
    assert "Parks after dark" in client.get("/practices/", {"topic": "parks"}).content.decode()
    # Warm: the catalogue version, and the page comes from the cache.
    with django_assert_max_num_queries(1):
        html = client.get("/practices/", {"topic": "parks"}).content.decode()
    assert "Parks after dark" in html
    assert "Parks after dark" in client.get("/practices/", {"sort": "title"}).content.decode()

    first.title = "Parks after dusk"
    first.save()
    html = client.get("/practices/", {"topic": "parks"}).content.decode()
    assert "Parks after dusk" in html and "Parks after dark" not in html


@pytest.mark.django_db
def test_detail_is_read_once_and_follows_changes(client, django_assert_num_queries):
    topic = TopicFactory()
    practice = PracticeFactory(title="Safe routes to school", published=True, topics=[topic])
    PracticeFactory(title="Walking school bus", published=True, topics=[topic])
    url = practice.get_absolute_url()
    html = client.get(url).content.decode()
    assert "Safe routes to school" in html and "Walking school bus" in html
    with django_assert_num_queries(1):  # the catalogue version
        assert "Walking school bus" in client.get(url).content.decode()

    practice.title = "Safer routes to school"
    practice.save()
    assert "Safer routes to school" in client.get(url).content.decode()

    practice.state = PublishingState.ARCHIVED
    practice.save()
    assert client.get(url).status_code == 404


def test_the_local_memory_cache_keeps_to_its_byte_cap():
    store = BoundedLocMemCache(
        f"bounded-{uuid.uuid4().hex}", {"OPTIONS": {"MAX_BYTES": 100_000, "MAX_ENTRIES": 10_000}}
    )
    for number in range(100):
        store.set(f"page-{number}", "x" * 5_000)
    assert store.bytes_held <= 100_000
    assert store.get("page-99") is not None  # the newest stay
    assert store.get("page-0") is None  # the oldest went first
    store.delete("page-99")
    assert store.bytes_held == sum(
        len(pickle.dumps(store.get(f"page-{n}"), pickle.HIGHEST_PROTOCOL))
        for n in range(100)
        if store.get(f"page-{n}") is not None
    )
    store.clear()
    assert store.bytes_held == 0
