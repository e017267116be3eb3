"""The catalogue version, and caching of work every visitor shares.

PostgreSQL keeps one number, the *catalogue version*, in the table ``catalogue_version``.
A statement-level trigger on every table the public pages read replaces it in the same
transaction as the change, whoever made it: the admin, the CSV import, the generator,
raw SQL or another app server. Everything cached for the public (whole pages and the
shared computations below) is stored under the version it was built from, so a change is
seen by every worker of every server on its next request, and old entries are never read
again (they expire by themselves).

A request reads the version once, with one indexed query, before it reads any data: what
it then builds can only be as new as, or newer than, the version it is stored under.

New public tables join with the migration operation ``TrackCatalogueChanges``.
"""

import contextvars
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.migrations.operations import RunSQL

from clearinghouse.routers import read_database

VERSION_TABLE = "catalogue_version"
BUMP_FUNCTION = "catalogue_version_bump"
TRIGGER_NAME = "catalogue_version_bump"
_MISSING = object()

# The version read by the current request (None until it is first needed). Outside a
# request (commands, tests without a client) every call reads the database.
_request_version: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "catalogue_request_version", default=None
)


def read_catalogue_version() -> int:
    """The version as PostgreSQL has it now (0 before anything was ever tracked), read
    from the database this request reads its data from (a replica or the primary)."""
    with connections[read_database()].cursor() as cursor:
        cursor.execute("SELECT version FROM catalogue_version WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def catalogue_version() -> int:
    """The version for this request: read once, on first use, then kept until it ends."""
    memo = _request_version.get()
    if memo is None:
        return read_catalogue_version()
    if "version" not in memo:
        memo["version"] = read_catalogue_version()
    return memo["version"]


def known_catalogue_version() -> int | None:
    """The version this request has already read, or None (never queries)."""
    memo = _request_version.get()
    return memo.get("version") if memo else None


class CatalogueVersionMiddleware:
    """Reads the catalogue version at most once per safe request.

    A request that writes (POST and the like) reads it afresh each time, so nothing it
    builds after its own change is stored under the version from before it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        memo = {} if request.method in ("GET", "HEAD") else None
        token = _request_version.set(memo)
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)


def cache_key(name: str, params: Any = None) -> str:
    """A key for ``name`` and ``params`` (anything JSON can write) at the current version."""
    digest = hashlib.blake2b(
        json.dumps(params, sort_keys=True, default=str).encode(), digest_size=12
    ).hexdigest()
    return f"catalogue:{catalogue_version()}:{name}:{digest}"


def cached(name: str, params: Any, build: Callable[[], Any]) -> Any:
    """The value ``build()`` returns, computed once per catalogue version and ``params``.

    Put in ``params`` everything the value depends on (filters, language). ``build`` must
    return plain data (numbers, strings, lists and dicts of them), never model instances.
    """
    timeout = settings.CATALOGUE_CACHE_SECONDS
    if timeout <= 0:
        return build()
    key = cache_key(name, params)
    value = cache.get(key, _MISSING)
    if value is not _MISSING:
        return value
    claimed, value = claim_or_wait(key)
    if value is not _MISSING:
        return value
    try:
        value = build()
        cache.set(key, value, timeout)
    finally:
        if claimed:
            release_build(key)
    return value


# --- One build per value (no stampede after a change) --------------------------------
#
# A change replaces the catalogue version, so every key is new at once and every visitor
# misses together. The first request to miss a key claims it (``cache.add`` of a short
# lock, atomic in Redis and in a worker's local memory); the others wait for that one
# build and then read its result. They never get the previous version's value: a waiter
# read the new version before it looked, and the builder read the same version before it
# read any data, so the change is visible to everyone on their next request; at worst a
# visitor waits for one build of the value instead of doing it too. A waiter builds the
# value itself if the claim goes away without a value (the builder failed, or its answer
# may not be stored) or after BUILD_WAIT_SECONDS. With local-memory caches the claim is
# per worker process; with Redis it covers every worker of every server.

BUILD_LOCK_SECONDS = 30  # a crashed builder's claim expires by itself
BUILD_WAIT_SECONDS = 10.0
BUILD_POLL_SECONDS = 0.02


def _lock_key(key: str) -> str:
    return key + ":building"


def claim_build(key: str) -> bool:
    """True when this request is the one to build ``key`` (and must release it)."""
    return cache.add(_lock_key(key), 1, BUILD_LOCK_SECONDS)


def release_build(key: str) -> None:
    cache.delete(_lock_key(key))


def claim_or_wait(key: str, default: Any = _MISSING) -> tuple[bool, Any]:
    """After a miss of ``key``: ``(True, default)`` when this request is to build it (and
    release the claim), ``(False, value)`` once another request has stored it, or
    ``(False, default)`` after BUILD_WAIT_SECONDS (build it, without a claim).

    When a builder ends without storing a value (it failed, or its answer may not be
    kept), the next waiter claims the key in its turn: still one build at a time."""
    lock = _lock_key(key)
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    while True:
        if claim_build(key):
            return True, default
        while True:
            if time.monotonic() >= deadline:
                return False, default
            time.sleep(BUILD_POLL_SECONDS)
            found = cache.get_many([key, lock])
            if key in found:
                return False, found[key]
            if lock not in found:
                # The value may have been stored just before the claim was released.
                value = cache.get(key, _MISSING)
                if value is not _MISSING:
                    return False, value
                break


def public_page(*params: str):
    """Mark a view whose answers to anonymous visitors may be cached whole
    (``clearinghouse.middleware.PublicPageCacheMiddleware``); ``params`` are the query
    parameters it reads, and any other is dropped before it runs."""

    def decorate(view):
        view.public_page_params = frozenset(params)
        return view

    return decorate


CREATE_VERSION_SQL = """
CREATE TABLE IF NOT EXISTS catalogue_version (
    id smallint PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
-- A fresh number on every change: never smaller than the clock in microseconds, so a
-- database restored from a backup or re-created for tests never repeats an old version
-- that a long-running worker may still hold entries for.
CREATE OR REPLACE FUNCTION catalogue_version_next() RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO catalogue_version AS v (id, version)
    VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = greatest(v.version + 1, EXCLUDED.version)
    RETURNING version;
$$;
CREATE OR REPLACE FUNCTION catalogue_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM catalogue_version_next();
    RETURN NULL;
END
$$;
"""

DROP_VERSION_SQL = """
DROP FUNCTION IF EXISTS catalogue_version_bump() CASCADE;
DROP FUNCTION IF EXISTS catalogue_version_next();
DROP TABLE IF EXISTS catalogue_version;
"""


class TrackCatalogueChanges(RunSQL):
    """Migration operation: any write to these tables replaces the catalogue version."""

    def __init__(self, *tables: str):
        create = [
            f"CREATE TRIGGER {TRIGGER_NAME} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {BUMP_FUNCTION}();"
            for table in tables
        ]
        drop = [f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {table};" for table in tables]
        super().__init__(create, drop)
        self.tables = tables

    def deconstruct(self):
        return (self.__class__.__qualname__, self.tables, {})

    def describe(self):
        return f"Track catalogue changes on {', '.join(self.tables)}"


def bump_catalogue_version() -> None:
    """Make everything cached stale at once, as any tracked write does (for tooling)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT catalogue_version_next()")
