"""The site's connections turn PostgreSQL's JIT compilation off (README, "Configuration")."""

import subprocess
import sys

import pytest
from django.db import connection


@pytest.mark.django_db
def test_site_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_database_jit_true_keeps_the_server_setting(monkeypatch):
    monkeypatch.setenv("DATABASE_JIT", "true")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(repr(s.DATABASES['default']['OPTIONS'].get('options')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "None"
