"""Shared fixtures: the site runs against the real PostgreSQL named by DATABASE_URL."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict | None = None, timeout: int = 120):
    """Run manage.py in a fresh process with the given environment additions."""
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clearinghouse.settings", **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def gunicorn_server():
    """Start gunicorn on a free port with extra environment; yields its base URL."""
    started = []

    def start(env: dict) -> str:
        port = free_port()
        full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clearinghouse.settings", **env}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clearinghouse.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return f"http://127.0.0.1:{port}"
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()) from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 30 s")

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def default_language_for_each_test():
    """A request to /es/ leaves Spanish active in the thread; start each test in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached pages never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
