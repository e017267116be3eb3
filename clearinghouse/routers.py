"""Which PostgreSQL a query goes to: the primary, a read replica, or a direct connection.

Aliases (``clearinghouse/settings.py``, README "Deployment"):

- ``default``: the primary, through PgBouncer when ``DATABASE_POOLER_URL`` is set;
- ``direct``: the primary without the pooler (only with ``DATABASE_POOLER_URL``), for
  what needs a session of its own, such as the export's server-side cursor;
- ``replica_1``, ``replica_2`` ...: one per URL in ``DATABASE_REPLICA_URLS``.

Only anonymous GET and HEAD requests for public pages (views marked with
``clearinghouse.cache.public_page``) read from a replica, and only when the request
carries no session and no ``PRIMARY_COOKIE``: ``clearinghouse.cdn`` sets that cookie on
the answer to a visitor's POST (or other write), so the pages that follow their own
submission are read from the primary for ``READ_PRIMARY_COOKIE_SECONDS``. Everything
else (writes, the admin, staff, forms, feeds, the export) uses the primary. The choice is
made once per request, before its first query, so the catalogue version and the page's
data come from the same database. With no replica configured none of this is installed.

A replica is used while it answers and lags at most ``DATABASE_REPLICA_MAX_LAG``
seconds; each process checks that with one cheap query at most every
``DATABASE_REPLICA_CHECK_SECONDS``. A request whose replica fails midway is answered
again from the primary, and that replica is left alone until its next check.
"""

import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger("clearinghouse.database")

REPLICA_PREFIX = "replica_"
DIRECT_ALIAS = "direct"
PRIMARY_COOKIE = "read_primary"
# Tables that only staff and sign-in use: always the primary, whatever the request.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "axes", "admin"})
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)

# Seconds the replica is behind the primary: 0 when it has replayed all it received (an
# idle primary sends nothing, so the last replay time alone would grow), else the age of
# the last transaction it replayed. 0 on a primary.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
END::float8
"""

# The alias public reads of the current request go to (None: the primary).
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "database_read_alias", default=None
)


def read_database() -> str:
    """The alias this request reads from (the catalogue version must come from it too)."""
    return _read_alias.get() or DEFAULT_DB_ALIAS


def cursor_database(alias: str) -> str:
    """Where a server-side cursor reading ``alias`` can run: a transaction-mode pooler
    cannot keep one open across fetches, so the primary's goes to the direct connection."""
    if alias == DEFAULT_DB_ALIAS and DIRECT_ALIAS in settings.DATABASES:
        return DIRECT_ALIAS
    return alias


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def measure_lag(alias: str) -> float | None:
    """The replica's lag in seconds, or None when it does not answer."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DATABASE_DOWN_ERRORS as exc:
        log.warning("Replica %s unavailable: %s", alias, exc)
        with contextlib.suppress(Exception):
            connection.close()
        return None


class ReplicaSet:
    """The replicas of one process and what it last learnt about each."""

    def __init__(
        self,
        aliases: list[str],
        *,
        max_lag: float,
        check_seconds: float,
        measure: Callable[[str], float | None] = measure_lag,
    ):
        self.aliases = list(aliases)
        self.max_lag = max_lag
        self.check_seconds = check_seconds
        self.measure = measure
        self._state: dict[str, tuple[float, bool]] = {}  # alias: (checked at, usable)

    def usable(self, alias: str) -> bool:
        now = time.monotonic()
        checked_at, ok = self._state.get(alias, (None, False))
        if checked_at is None or now - checked_at >= self.check_seconds:
            lag = self.measure(alias)
            ok = lag is not None and lag <= self.max_lag
            if lag is not None and not ok:
                log.warning("Replica %s lags %.1f s; reading from the primary", alias, lag)
            self._state[alias] = (now, ok)
        return ok

    def pick(self) -> str | None:
        """A usable replica (None: read from the primary)."""
        usable = [alias for alias in self.aliases if self.usable(alias)]
        return random.choice(usable) if usable else None  # noqa: S311 - load spreading

    def mark_down(self, alias: str) -> None:
        self._state[alias] = (time.monotonic(), False)
        with contextlib.suppress(Exception):
            connections[alias].close()


class ReplicaRouter:
    """Reads go where the request was sent (``ReplicaRoutingMiddleware``); writes and
    migrations go to the primary."""

    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def may_read_replica(request: HttpRequest, view_func) -> bool:
    """An anonymous visitor's GET or HEAD of a public page, with no session and not
    right after a submission of their own."""
    return (
        request.method in ("GET", "HEAD")
        and getattr(view_func, "public_page_params", None) is not None
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and PRIMARY_COOKIE not in request.COOKIES
    )


class ReplicaRoutingMiddleware:
    """Chooses the database of each request (installed only when replicas are configured).

    It sits outside ``CatalogueVersionMiddleware``, so a request answered again from the
    primary after its replica failed reads the catalogue version afresh.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.replicas = ReplicaSet(
            replica_aliases(),
            max_lag=settings.DATABASE_REPLICA_MAX_LAG,
            check_seconds=settings.DATABASE_REPLICA_CHECK_SECONDS,
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _read_alias.set(None)
        try:
            response = self.get_response(request)
            alias = getattr(request, "database_read_alias", None)
            if alias and (
                getattr(request, "replica_failed", False)
                or getattr(request, "database_unavailable", False)
            ):
                log.warning(
                    "Replica %s failed for %s; answering from the primary", alias, request.path
                )
                self.replicas.mark_down(alias)
                _read_alias.set(None)
                request.database_read_alias = None
                request.database_unavailable = False
                request.replica_failed = False
                response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if settings.DATABASE_ROUTE_HEADER:
            response["X-Read-Database"] = getattr(request, "database_read_alias", None) or (
                DEFAULT_DB_ALIAS
            )
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        request.database_read_alias = None
        if may_read_replica(request, view_func):
            alias = self.replicas.pick()
            if alias:
                _read_alias.set(alias)
                request.database_read_alias = alias
        return None

    def process_exception(self, request: HttpRequest, exception: Exception):
        if getattr(request, "database_read_alias", None) and isinstance(
            exception, DATABASE_DOWN_ERRORS
        ):
            request.replica_failed = True
        return None
