"""scripts/ensure_db.py: finding PostgreSQL, starting a private cluster, creating the database."""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ROOT, free_port

spec = importlib.util.spec_from_file_location("ensure_db", ROOT / "scripts" / "ensure_db.py")
ensure_db = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ensure_db)


def test_database_url_wins_and_database_is_created():
    name = "ch_ensure_db_probe"
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ensure_db.py")],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    try:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == url
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}")


@pytest.mark.slow
def test_private_cluster_starts_from_installed_binaries(monkeypatch):
    bindir = ensure_db.find_server_binaries()
    if bindir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are missing")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser")
    local = Path(tempfile.mkdtemp(prefix="ch-private-pg-", dir="/tmp"))
    local.chmod(0o755)
    port = free_port()
    monkeypatch.setattr(ensure_db, "LOCAL", local)
    monkeypatch.setattr(ensure_db, "PRIVATE_PORT", port)
    try:
        url = ensure_db.start_private_cluster(bindir)
        assert url == f"postgres://postgres@127.0.0.1:{port}/clearinghouse"
        ensure_db.ensure_database(url)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("clearinghouse",)
        # A second call reuses the running cluster.
        assert ensure_db.start_private_cluster(bindir) == url
    finally:
        subprocess.run(
            ensure_db.as_postgres_user(
                [str(bindir / "pg_ctl"), "-D", str(local / "pgdata"), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(local, ignore_errors=True)
