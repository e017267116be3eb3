"""Shared fixtures: the site runs against the real PostgreSQL named by DATABASE_URL."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def redis_answers() -> bool:
    """Whether the Redis server that the machine runs answers on 127.0.0.1:6379."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def require_redis() -> None:
    """The one rule for tests that need Redis: skip when it does not answer, except under
    CI=true, where .ci/run starts it, so its absence fails the test."""
    if redis_answers():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("Redis is not answering on 127.0.0.1:6379 (.ci/run starts it under CI)")
    pytest.skip("no Redis on 127.0.0.1:6379")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_database_url() -> str:
    """DATABASE_URL of the database the tests run on, for a manage.py in another process."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def manage(*args: str, env: dict | None = None, timeout: int = 120):
    """Run manage.py in a fresh process with the given environment additions."""
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clearinghouse.settings", **(env or {})}
    full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Production serves hashed static files: collect them once, as a deploy does."""
    root = tmp_path_factory.mktemp("static")
    env = {"SECRET_KEY": "collectstatic-only-key", "DEBUG": "false", "STATIC_ROOT": str(root)}
    result = manage("collectstatic", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    return str(root)


class ServerURL(str):
    """A started server's base URL, with the process id of its gunicorn master."""

    def __new__(cls, url: str, pid: int):
        value = super().__new__(cls, url)
        value.pid = pid
        return value

    def worker_pids(self) -> list[int]:
        children = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(
                    line.split(":\t", 1)
                    for line in status.read_text().splitlines()
                    if ":\t" in line
                )
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.pid):
                children.append(int(status.parent.name))
        return sorted(children)


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"no VmRSS for {pid}")


@pytest.fixture
def gunicorn_server(collected_static, tmp_path):
    """Start gunicorn on a free port with extra environment; yields its base URL.

    It reads the project's gunicorn configuration, as production does. Static files come
    from a fresh collectstatic, so pages render as they do in production.
    """
    started = []

    def start(env: dict, workers: int = 1) -> str:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
            "STATIC_ROOT": collected_static,
            **env,
        }
        full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clearinghouse.wsgi:application",
                "--config",
                str(ROOT / "clearinghouse" / "gunicorn_conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
            # A file, not a pipe: a busy server's log would fill a pipe nobody reads and
            # block the workers.
            stderr=log.open("wb"),
        )
        started.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return ServerURL(f"http://127.0.0.1:{port}", proc.pid)
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(log.read_text()) from None
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


# --- Roles: one user per staff role, and two awards with their own committees. ------
# Groups come from the roles migration (practices 0002), so these fixtures use the
# real permissions a fresh database gets.


def _role_user(username: str, group_name: str | None = None, **extra):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    groups = [Group.objects.get(name=group_name)] if group_name else None
    return UserFactory(username=username, is_staff=True, groups=groups, **extra)


@pytest.fixture
def curator(db):
    return _role_user("curator", "Curators")


@pytest.fixture
def committee_a(db):
    return _role_user("committee-a", "Award committee")


@pytest.fixture
def committee_b(db):
    return _role_user("committee-b", "Award committee")


@pytest.fixture
def superuser(db):
    return _role_user("admin", is_superuser=True)


@pytest.fixture
def award_a(committee_a):
    from tests.factories import AwardCategoryFactory, AwardFactory

    award = AwardFactory(name="Award A", slug="award-a", committee=[committee_a])
    AwardCategoryFactory(award=award, name="Community safety A", slug="community-safety")
    return award


@pytest.fixture
def award_b(committee_b):
    from tests.factories import AwardCategoryFactory, AwardFactory

    award = AwardFactory(name="Award B", slug="award-b", committee=[committee_b])
    AwardCategoryFactory(award=award, name="Community safety B", slug="community-safety")
    return award


@pytest.fixture
def practice_form_data():
    """Builds the POST body of the practice admin form, inline management forms included."""

    def build(practice=None, *, lead, topics, sources=(), outcomes=(), **fields):
        data = {
            "title": practice.title if practice else "Lights on in the park",
            "slug": practice.slug if practice else "lights-on-in-the-park",
            "summary": practice.summary if practice else "Evening programs in a city park.",
            "language": "en",
            "evidence_rating": "promising",
            "evidence_strength": "",
            "lead_jurisdiction": lead.pk,
            "topics": [topic.pk for topic in topics],
        }
        for prefix, rows, keys in (
            ("sources", sources, ("title", "url")),
            ("outcomes", outcomes, ("description", "rating")),
        ):
            data[f"{prefix}-TOTAL_FORMS"] = len(rows)
            data[f"{prefix}-INITIAL_FORMS"] = 0
            for i, row in enumerate(rows):
                for key, value in zip(keys, row, strict=True):
                    data[f"{prefix}-{i}-{key}"] = value
                data[f"{prefix}-{i}-position"] = i
        existing = practice.recognitions.count() if practice else 0
        data["recognitions-TOTAL_FORMS"] = existing
        data["recognitions-INITIAL_FORMS"] = existing
        if practice:
            for i, recognition in enumerate(practice.recognitions.all()):
                data[f"recognitions-{i}-id"] = recognition.pk
                data[f"recognitions-{i}-practice"] = practice.pk
        data.update(fields)
        return data

    return build


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached pages never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# The real SMTP server fixture for email tests (tests/smtp.py).
from tests.smtp import _smtp_process, smtp_server  # noqa: E402, F401
