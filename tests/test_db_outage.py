"""PostgreSQL goes away under load and comes back: the site answers 503 with a friendly
page meanwhile, then 200 again by itself, with the same gunicorn workers and no data
lost.

The test runs its own private PostgreSQL cluster (never the shared server), started
with the installed server binaries as the postgres user when run as root.
"""

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, manage

SECRET = "outage-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def server_binaries() -> Path | None:
    candidates = [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    if shutil.which("pg_ctl"):
        candidates.insert(0, Path(shutil.which("pg_ctl")).resolve().parent)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivateCluster:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="ch-outage-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/clearinghouse"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            as_postgres([str(self.bindir / tool), *args]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def sql(self, query: str, database: str = "clearinghouse"):
        import psycopg

        url = f"postgres://postgres@127.0.0.1:{self.port}/{database}"
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(query)
            return cursor.fetchall() if cursor.description else None

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    bindir = server_binaries()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are required under CI")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    private = PrivateCluster(bindir)
    try:
        private.start()
        yield private
    finally:
        private.destroy()


def get(url: str, headers: dict | None = None) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - local URL
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def worker_pids(master: int) -> set[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True
    ).stdout
    return {int(pid) for pid in out.split()}


def test_view_database_error_becomes_the_friendly_503(rf):
    from django.db import OperationalError

    from clearinghouse.middleware import DatabaseUnavailableMiddleware

    def view(request):
        raise AssertionError("not called")

    middleware = DatabaseUnavailableMiddleware(view)
    request = rf.get("/practices/")
    response = middleware.process_exception(request, OperationalError("server closed"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "temporarily unavailable" in response.content.decode()
    assert middleware.process_exception(request, ValueError("other")) is None


def test_database_error_in_inner_middleware_also_becomes_503(rf):
    from django.core.handlers.exception import convert_exception_to_response
    from django.db import InterfaceError

    from clearinghouse.middleware import DatabaseUnavailableMiddleware

    def session_layer(request):
        raise InterfaceError("connection already closed")

    def other_failure(request):
        raise ValueError("a bug, not an outage")

    outage = DatabaseUnavailableMiddleware(convert_exception_to_response(session_layer))
    assert outage(rf.get("/")).status_code == 503
    bug = DatabaseUnavailableMiddleware(convert_exception_to_response(other_failure))
    assert bug(rf.get("/")).status_code == 500


@pytest.mark.slow
def test_site_answers_503_while_postgres_is_down_and_recovers_by_itself(cluster):
    cluster.sql("CREATE DATABASE clearinghouse", database="postgres")
    env = {
        "DATABASE_URL": cluster.url,
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    result = manage("migrate", "--noinput", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    created = manage(
        "shell",
        "-c",
        "from tests.factories import PracticeFactory; "
        "PracticeFactory(published=True, slug='corridor-lighting')",
        env=env,
    )
    assert created.returncode == 0, created.stderr

    port = free_port()
    static = Path(tempfile.mkdtemp(prefix="ch-static-"))
    collected = manage("collectstatic", "--noinput", env={**env, "STATIC_ROOT": str(static)})
    assert collected.returncode == 0, collected.stderr
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "clearinghouse.wsgi:application",
            "--config", "clearinghouse/gunicorn_conf.py",
            "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--access-logfile", "/dev/null",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
             "STATIC_ROOT": str(static), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    # A session cookie makes the admin look the session up in the database on every
    # request, whichever public pages exist yet.
    session = {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}
    pages = [("/healthz", {}), ("/admin/login/", session), ("/practices/corridor-lighting/", {})]
    statuses: list[int] = []
    live: list[tuple[str, dict]] = []
    stop_load = threading.Event()

    def load():
        while not stop_load.is_set():
            for path, headers in live:
                try:
                    statuses.append(get(base + path, headers)[0])
                except OSError:
                    statuses.append(-1)
            time.sleep(0.05)

    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        for path, headers in pages:
            assert get(base + path, headers)[0] == 200, path
        live.extend(pages)
        workers_before = worker_pids(server.pid)
        assert len(workers_before) == 2

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        time.sleep(1)

        cluster.stop("fast")
        time.sleep(0.5)
        # Pages that need the database, none of them cached by any worker (never asked
        # for before; the admin looks the session up on every request): exactly 503.
        uncached = [
            ("/healthz", {}),
            ("/admin/login/", session),
            ("/practices/?q=lighting+outage", {}),
            ("/es/practices/?q=outage", {}),
            ("/topics/", {}),
            ("/awards/", {}),
            ("/publications/?q=outage", {}),
        ]
        for path, extra in uncached:
            status, body, headers = get(base + path, extra)
            assert status == 503, (path, status, body[:300])
            if path != "/healthz":
                spanish = path.startswith("/es/")
                assert ("Intente de nuevo" if spanish else "temporarily unavailable") in body
                assert "Traceback" not in body
                assert headers["Retry-After"] == "30"
                assert "Content-Security-Policy" in headers

        cluster.start()
        restarted_at = time.monotonic()
        recovered_at = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if all(get(base + p, h)[0] == 200 for p, h in live):
                recovered_at = time.monotonic()
                break
            time.sleep(0.2)
        assert recovered_at is not None, "the site did not recover within 10 s"
        print(f"recovered {recovered_at - restarted_at:.2f} s after PostgreSQL was back")
        # Every worker serves again (several rounds reach both).
        for _ in range(10):
            for path, extra in live:
                assert get(base + path, extra)[0] == 200, path
        stop_load.set()
        loader.join(timeout=15)

        assert worker_pids(server.pid) == workers_before, "workers were restarted"
        assert server.poll() is None
        assert set(statuses) <= {200, 503}, sorted(set(statuses))
        assert 503 in statuses and 200 in statuses
        rows = cluster.sql(
            "SELECT slug, state FROM practices_practice WHERE slug = 'corridor-lighting'"
        )
        assert rows == [("corridor-lighting", "published")]
    finally:
        stop_load.set()
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(static, ignore_errors=True)


def test_503_page_falls_back_to_a_fixed_page_if_its_template_fails(settings):
    from clearinghouse.middleware import FALLBACK_503, database_unavailable_response

    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]  # 503.html not found
    response = database_unavailable_response()
    assert response.status_code == 503
    assert response.content.decode() == FALLBACK_503
    assert response["Retry-After"] == "30"
