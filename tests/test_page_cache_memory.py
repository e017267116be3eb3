"""Anonymous visitors cannot grow worker memory through the page cache: parameters a
page does not read are dropped before it runs (so they are neither echoed nor part of
a key), and each worker's local-memory cache is capped in bytes."""

import secrets
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import rss_kib
from tests.factories import PracticeFactory, TopicFactory
from tests.test_security_headers import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WORKERS = 3


def fetch(url: str) -> tuple[int, int]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - local URL
            return response.status, len(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, len(exc.read())


def junk_query(number: int) -> str:
    """About 4 KB of parameters no page reads (the test server keeps gunicorn's default
    request-line limit), plus an unknown value of one it does."""
    junk = "&".join(f"j{number}x{i}={secrets.token_hex(3)}" for i in range(230))
    return f"?topic=no-such-topic-{number}&{junk}"


def test_unique_junk_query_strings_leave_worker_memory_flat(gunicorn_server):
    topic = TopicFactory(slug="parks")
    for number in range(30):
        PracticeFactory(published=True, topics=[topic], title=f"Park program {number}")
    server = gunicorn_server(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url(),
            "CACHE_URL": "",
            "REDIS_URL": "",
        },
        workers=WORKERS,
    )
    with ThreadPoolExecutor(max_workers=6) as pool:
        # Warm every worker on the page and on a junk answer (its notice and code paths),
        # so what is measured is what each further junk request adds.
        warm = [f"{server}/practices/?topic=parks"] * 60
        warm += [f"{server}/practices/{junk_query(number)}" for number in range(1000, 1060)]
        for status, _size in pool.map(fetch, warm):
            assert status == 200
        time.sleep(0.5)
        pids = server.worker_pids()
        assert len(pids) == WORKERS
        before = {pid: rss_kib(pid) for pid in pids}
        answers = list(pool.map(fetch, [f"{server}/practices/{junk_query(n)}" for n in range(500)]))
    assert {status for status, _size in answers} <= {200, 400}
    # The junk is not echoed: a junk page is about as large as a plain one.
    plain = fetch(f"{server}/practices/")[1]
    assert max(size for _status, size in answers) < plain * 1.5
    after = {pid: rss_kib(pid) for pid in pids}
    growth_mib = {pid: (after[pid] - before[pid]) / 1024 for pid in pids}
    assert all(growth < 10 for growth in growth_mib.values()), growth_mib
