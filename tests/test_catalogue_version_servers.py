"""A change made anywhere, even with plain SQL, shows on the very next request on every
worker of every app server: the catalogue version lives in PostgreSQL.

Real gunicorn servers with their own processes: three workers with no Redis (what
`make run` starts), and two servers sharing PostgreSQL and Redis.
"""

import os
import secrets
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.conftest import redis_answers
from tests.factories import PracticeFactory, TopicFactory
from tests.test_security_headers import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

needs_redis = pytest.mark.skipif(
    not redis_answers() and os.environ.get("CI") != "true",
    reason="no Redis on 127.0.0.1:6379 (under CI=true, .ci/run starts it)",
)


def server_env(**extra) -> dict:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "CACHE_URL": "",
        "REDIS_URL": "",
        **extra,
    }


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - local URL
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def fetch_many(urls: list[str]) -> list[tuple[int, str]]:
    """Many requests at once, so that every worker of every server answers some."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(fetch, urls))


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def published_practice():
    topic = TopicFactory(slug="street-lighting", name="Street lighting")
    return PracticeFactory(
        title="Lights before the change",
        slug="lights-on",
        published=True,
        topics=[topic],
    )


def assert_every_answer(bases: list[str], path: str, *, status: int, has: str, lacks: str):
    answers = fetch_many([base + path for base in bases] * 12)
    for code, body in answers:
        assert code == status, path
        if has:
            assert has in body, path
        if lacks:
            assert lacks not in body, path


def warm_change_and_check(bases: list[str], practice) -> None:
    detail = practice.get_absolute_url()
    for path in (detail, "/practices/", "/practices/?topic=street-lighting", "/"):
        assert_every_answer(bases, path, status=200, has="Lights before the change", lacks="")

    sql("UPDATE practices_practice SET title = %s WHERE id = %s", ["Lights after", practice.pk])
    for path in (detail, "/practices/", "/practices/?topic=street-lighting", "/"):
        assert_every_answer(
            bases, path, status=200, has="Lights after", lacks="Lights before the change"
        )

    sql("UPDATE practices_practice SET state = 'archived' WHERE id = %s", [practice.pk])
    assert_every_answer(bases, detail, status=404, has="", lacks="Lights after")
    for path in ("/practices/", "/"):
        assert_every_answer(bases, path, status=200, has="", lacks="Lights after")


def test_three_workers_without_redis_see_a_plain_sql_change_at_once(
    gunicorn_server, published_practice
):
    base = gunicorn_server(server_env(), workers=3)
    warm_change_and_check([base], published_practice)


@needs_redis
def test_two_servers_sharing_redis_see_a_plain_sql_change_at_once(
    gunicorn_server, published_practice
):
    shared = {
        "CACHE_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": f"servers-test-{uuid.uuid4().hex}",
    }
    first = gunicorn_server(server_env(**shared), workers=2)
    second = gunicorn_server(server_env(**shared), workers=2)
    warm_change_and_check([first, second], published_practice)


def test_two_servers_with_their_own_memory_see_a_plain_sql_change_at_once(
    gunicorn_server, published_practice
):
    first = gunicorn_server(server_env(), workers=2)
    second = gunicorn_server(server_env(), workers=2)
    warm_change_and_check([first, second], published_practice)
