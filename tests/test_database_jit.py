"""The site's connections turn PostgreSQL's JIT compilation and parallel query off
(README, "Configuration")."""

import subprocess
import sys

import pytest
from django.db import connection


@pytest.mark.django_db
def test_site_connections_run_without_jit_or_parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


def startup_options(monkeypatch, **env) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(repr(s.DATABASES['default']['OPTIONS'].get('options')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_database_jit_true_keeps_the_server_setting(monkeypatch):
    assert startup_options(monkeypatch, DATABASE_JIT="true") == (
        "'-c max_parallel_workers_per_gather=0'"
    )


def test_both_true_keep_the_server_settings(monkeypatch):
    options = startup_options(monkeypatch, DATABASE_JIT="true", DATABASE_PARALLEL_QUERY="true")
    assert options == "None"
