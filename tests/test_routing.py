"""The database router: anonymous public reads go to a usable replica, everything else
(staff, writes, forms, the request after a visitor's own submission) to the primary.

The routing middleware is driven directly with small views, so each kind of request is
checked on its own; the multi-server test (tests/test_multi_server.py) shows the same
with a real streaming replica.
"""

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import OperationalError, router
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from clearinghouse import routers
from clearinghouse.cache import public_page
from clearinghouse.routers import (
    PRIMARY_COOKIE,
    ReplicaRouter,
    ReplicaRoutingMiddleware,
    ReplicaSet,
    cursor_database,
    measure_lag,
    read_database,
)
from practices.models import Practice
from tests.conftest import manage

ROUTER = "clearinghouse.routers.ReplicaRouter"


def seen(request):
    """What a view's reads would use: the page data, the catalogue version, sessions."""
    request.seen = {
        "practice": router.db_for_read(Practice),
        "version": read_database(),
        "session": router.db_for_read(Session),
        "user": router.db_for_read(User),
        "write": router.db_for_write(Practice),
    }
    return HttpResponse("ok")


public_view = public_page()(seen)


def form_view(request):  # a form, the admin: not marked public
    return seen(request)


def healthy(alias):
    return 0.0


def middleware(view, measure=healthy, aliases=("replica_1",)):
    """The routing middleware around a one-view handler, as Django would call it."""

    def handler(request):
        mw.process_view(request, view, (), {})
        try:
            return view(request)
        except Exception as exc:
            mw.process_exception(request, exc)
            return HttpResponse(status=503)

    with override_settings(DATABASE_REPLICA_MAX_LAG=10, DATABASE_REPLICA_CHECK_SECONDS=60):
        mw = ReplicaRoutingMiddleware(handler)
    mw.replicas = ReplicaSet(list(aliases), max_lag=10, check_seconds=60, measure=measure)
    return mw


@pytest.fixture(autouse=True)
def replica_router():
    with override_settings(DATABASE_ROUTERS=[ROUTER], DATABASE_ROUTE_HEADER=True):
        yield


def test_anonymous_public_read_goes_to_the_replica():
    request = RequestFactory().get("/practices/")
    response = middleware(public_view)(request)
    assert request.seen["practice"] == "replica_1"
    # The catalogue version comes from the same database as the page's data.
    assert request.seen["version"] == "replica_1"
    assert response["X-Read-Database"] == "replica_1"
    # Sign-in tables and every write stay on the primary.
    assert request.seen["session"] == "default"
    assert request.seen["user"] == "default"
    assert request.seen["write"] == "default"


def test_anonymous_head_goes_to_the_replica():
    request = RequestFactory().head("/practices/")
    middleware(public_view)(request)
    assert request.seen["practice"] == "replica_1"


def test_staff_read_goes_to_the_primary():
    request = RequestFactory().get("/practices/")
    request.COOKIES["sessionid"] = "a-staff-session"
    response = middleware(public_view)(request)
    assert request.seen["practice"] == "default"
    assert request.seen["version"] == "default"
    assert response["X-Read-Database"] == "default"


def test_write_goes_to_the_primary():
    request = RequestFactory().post("/practices/", {"title": "x"})
    middleware(public_view)(request)
    assert request.seen["practice"] == "default"
    assert request.seen["version"] == "default"
    assert request.seen["write"] == "default"


def test_the_request_after_a_visitors_own_submission_goes_to_the_primary():
    request = RequestFactory().get("/practices/")
    request.COOKIES[PRIMARY_COOKIE] = "1"
    middleware(public_view)(request)
    assert request.seen["practice"] == "default"
    assert request.seen["version"] == "default"


def test_forms_and_the_admin_read_the_primary_even_anonymously():
    request = RequestFactory().get("/admin/login/")
    middleware(form_view)(request)
    assert request.seen["practice"] == "default"
    assert request.seen["version"] == "default"


def test_a_lagging_or_unreachable_replica_is_not_used():
    for measure in (lambda alias: 11.0, lambda alias: None):
        request = RequestFactory().get("/practices/")
        middleware(public_view, measure=measure)(request)
        assert request.seen["practice"] == "default"
        assert request.seen["version"] == "default"


def test_routing_ends_with_the_request():
    middleware(public_view)(RequestFactory().get("/practices/"))
    assert read_database() == "default"
    assert router.db_for_read(Practice) == "default"


def test_a_replica_failing_midway_is_answered_again_from_the_primary():
    calls = []

    @public_page()
    def breaks_on_the_replica(request):
        calls.append(read_database())
        if read_database() != "default":
            raise OperationalError("connection to server was lost")
        return seen(request)

    mw = middleware(breaks_on_the_replica)
    request = RequestFactory().get("/practices/")
    response = mw(request)
    assert response.status_code == 200
    assert calls == ["replica_1", "default"]
    assert response["X-Read-Database"] == "default"
    # The failed replica is left alone until its next check.
    second = RequestFactory().get("/practices/")
    mw(second)
    assert second.seen["practice"] == "default"


def test_health_is_checked_once_per_interval():
    measured = []

    def measure(alias):
        measured.append(alias)
        return 0.5

    replicas = ReplicaSet(["replica_1", "replica_2"], max_lag=1, check_seconds=60, measure=measure)
    picks = {replicas.pick() for _ in range(50)}
    assert picks == {"replica_1", "replica_2"}  # reads are spread over usable replicas
    assert sorted(measured) == ["replica_1", "replica_2"]


@pytest.mark.django_db
def test_the_lag_query_runs_on_postgresql():
    # The primary is not in recovery: no lag.
    assert measure_lag("default") == 0.0
    assert ReplicaSet(["default"], max_lag=0, check_seconds=0).pick() == "default"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_export_cursor_skips_a_transaction_mode_pooler():
    assert cursor_database("default") == "default"
    assert cursor_database("replica_1") == "replica_1"
    with override_settings(DATABASES={"default": {}, "direct": {}}):  # read, never connected
        assert cursor_database("default") == "direct"


def test_migrations_run_on_the_primary_only():
    assert ReplicaRouter().allow_migrate("default", "practices")
    assert not ReplicaRouter().allow_migrate("replica_1", "practices")
    assert not ReplicaRouter().allow_migrate("direct", "practices")


SHOW_SETTINGS = (
    "ORDER = ('Routing' + 'Middleware', 'VersionMiddleware', 'CdnHeadersMiddleware', "
    "'PageCacheMiddleware'); "
    "from django.conf import settings as s; "
    "print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []), "
    "[m.rsplit('.', 1)[1] for m in s.MIDDLEWARE if m.endswith(ORDER)], "
    "[s.DATABASES[a].get('DISABLE_SERVER_SIDE_CURSORS', False) for a in sorted(s.DATABASES)])"
)


def settings_with(**env) -> str:
    env = {"DATABASE_REPLICA_URLS": "", "DATABASE_POOLER_URL": "", **env}
    result = manage("shell", "-c", SHOW_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_no_replica_configured_installs_nothing():
    assert settings_with() == (
        "['default'] [] "
        "['CatalogueVersionMiddleware', 'CdnHeadersMiddleware', 'PublicPageCacheMiddleware'] "
        "[False]"
    )


def test_replicas_and_a_pooler_from_the_environment():
    out = settings_with(
        DATABASE_REPLICA_URLS="postgres://r@10.0.0.2/db,postgres://r@10.0.0.3/db",
        DATABASE_POOLER_URL="postgres://p@127.0.0.1:6432/db",
    )
    assert out == (
        "['default', 'direct', 'replica_1', 'replica_2'] "
        "['clearinghouse.routers.ReplicaRouter'] "
        # Routing is chosen before the catalogue version is read or a cached page served.
        "['ReplicaRoutingMiddleware', 'CatalogueVersionMiddleware', 'CdnHeadersMiddleware', "
        "'PublicPageCacheMiddleware'] "
        "[True, False, True, True]"
    )


def test_the_primary_cookie_must_outlast_the_allowed_lag():
    result = manage(
        "check",
        env={
            "DATABASE_REPLICA_URLS": "postgres://r@10.0.0.2/db",
            "DATABASE_REPLICA_MAX_LAG": "30",
            "READ_PRIMARY_COOKIE_SECONDS": "20",
        },
    )
    assert result.returncode != 0
    assert "READ_PRIMARY_COOKIE_SECONDS=20 must be larger than DATABASE_REPLICA_MAX_LAG=30" in (
        result.stderr
    )


@pytest.mark.django_db
def test_the_catalogue_version_is_read_from_the_requests_database():
    from django.utils.connection import ConnectionDoesNotExist

    from clearinghouse.cache import read_catalogue_version

    read_catalogue_version()  # the primary, outside any routed request
    token = routers._read_alias.set("replica_9")
    try:
        with pytest.raises(ConnectionDoesNotExist, match="replica_9"):
            read_catalogue_version()
    finally:
        routers._read_alias.reset(token)
