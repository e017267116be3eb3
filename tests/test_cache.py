"""Cached catalogue work (practices/cache.py) and its invalidation when curators edit."""

import uuid

import pytest
from django.core.cache import cache

from practices import cache as catalogue_cache
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


def test_keys_depend_on_version_and_params_only():
    key = catalogue_cache.cache_key("facets", {"a": 1, "b": 2}, version=7)
    assert key == catalogue_cache.cache_key("facets", {"b": 2, "a": 1}, version=7)
    assert key != catalogue_cache.cache_key("facets", {"a": 1, "b": 3}, version=7)
    assert key != catalogue_cache.cache_key("facets", {"a": 1, "b": 2}, version=8)
    assert key.startswith("catalogue:7:facets:")


def test_a_lost_version_never_revives_old_entries():
    first = catalogue_cache.catalogue_version()
    cache.delete(catalogue_cache.VERSION_KEY)
    assert catalogue_cache.catalogue_version() != first


@pytest.mark.django_db
def test_publishing_shows_up_at_once(django_capture_on_commit_callbacks):
    practice = PracticeFactory(title="Violence interrupters")
    PracticeFactory(title="Night basketball", published=True)
    assert published_titles() == ["Night basketball"]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        practice.state = PublishingState.PUBLISHED
        practice.published_at = practice.created_at
        practice.save()
    assert len(callbacks) == 1  # bumped once more after the commit
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
    with django_assert_num_queries(0):
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
    # Warm: the count and the facet queries are not run again (page, prefetches and the
    # topic slug check remain).
    with django_assert_max_num_queries(5):
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
def test_detach_prefetched_keeps_rows_and_pickles(django_assert_num_queries):
    import pickle

    from practices.cache import detach_prefetched
    from practices.models import Topic

    topic = TopicFactory(name="Parent")
    PracticeFactory(title="Night basketball", topics=[topic])
    topics = list(Topic.objects.prefetch_related("practices__topics"))
    restored = pickle.loads(pickle.dumps(detach_prefetched(topics)))  # noqa: S301 - our data
    with django_assert_num_queries(0):
        assert [t.name for t in restored] == ["Parent"]
        [practice] = restored[0].practices.all()
        assert practice.title == "Night basketball"
        assert [t.name for t in practice.topics.all()] == ["Parent"]


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
    assert done.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "30"]


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
    # Warm: only the topic slug check is left (form validation).
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
    with django_assert_num_queries(0):
        assert "Walking school bus" in client.get(url).content.decode()

    practice.title = "Safer routes to school"
    practice.save()
    assert "Safer routes to school" in client.get(url).content.decode()

    practice.state = PublishingState.ARCHIVED
    practice.save()
    assert client.get(url).status_code == 404
