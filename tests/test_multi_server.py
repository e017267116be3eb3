"""The site on several machines, all on this one: a PostgreSQL primary and a streaming
replica made with pg_basebackup, PgBouncer in transaction mode in front of the primary,
a shared Redis, two gunicorn app servers and nginx caching in front of both.

One test walks through what README.md, "Deployment", promises:

- a curator's change on server A shows on server B on the next request;
- public reads go to the replica, staff reads to the primary;
- sessions, the cache and sign-in lock-outs are shared by the two servers;
- the export's server-side cursor works with the pooler (it uses a direct connection);
- stopping the replica leaves the site answering, and starting it brings reads back;
- a visitor sees their own submission at once while replay on the replica is paused;
- nginx honours Cache-Control and ETag, and after a change serves the old page no
  longer than the s-maxage the app sends (CDN_CACHE_SECONDS, 3 s here).

Every process it starts is stopped at the end, whatever happens. The PostgreSQL server
binaries, nginx and PgBouncer come from Debian's packages (``.ci/run`` installs them);
without them the test skips, and fails under CI=true.
"""

import contextlib
import http.cookiejar
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import free_port, manage, redis_answers
from tests.test_db_outage import as_postgres, server_binaries

pytestmark = pytest.mark.slow

S_MAXAGE = 3  # CDN_CACHE_SECONDS of the app servers here (README: 60 by default)
PASSWORD = "a-long-curator-passphrase-for-tests"  # noqa: S105


def tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (path for path in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(path)),
        None,
    )


def requirements() -> dict:
    found = {"bindir": server_binaries(), "nginx": tool("nginx"), "pgbouncer": tool("pgbouncer")}
    missing = [name for name, path in found.items() if path is None]
    if not redis_answers():
        missing.append("Redis on 127.0.0.1:6379")
    if missing:
        message = f"the multi-server test needs {', '.join(missing)} (.ci/run installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


class Processes:
    """Starts commands and files in one private directory; ``close`` undoes all of it."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="ch-multi-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.clusters: list[Path] = []
        self.children: list[subprocess.Popen] = []

    def run(self, *command: str) -> str:
        result = subprocess.run(
            as_postgres(list(command)), capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def directory(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        if os.geteuid() == 0:
            shutil.chown(path, "postgres")
        return path

    # PostgreSQL
    def pg_ctl(self, data: Path, action: str, port: int | None = None) -> None:
        args = [str(self.bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60"]
        if action == "start":
            options = f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1"
            args += ["-l", str(data.parent / "server.log"), "-o", options, "start"]
        else:
            args += ["-m", "fast", "stop"]
        self.run(*args)

    def primary(self, port: int) -> Path:
        data = self.directory("primary") / "data"
        self.run(
            str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.clusters.append(data)
        self.pg_ctl(data, "start", port)
        return data

    def replica(self, primary_port: int, port: int) -> Path:
        data = self.directory("replica") / "data"
        self.run(
            str(self.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port),
            "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self.clusters.append(data)
        self.pg_ctl(data, "start", port)
        return data

    # Long-running children (PgBouncer, nginx)
    def spawn(self, command: list[str], port: int) -> None:
        log = open(self.root / f"{Path(command[0]).name}-{port}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.children.append(proc)
        wait_for_port(port, proc)

    def close(self) -> None:
        for proc in reversed(self.children):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for data in reversed(self.clusters):
            with contextlib.suppress(Exception):
                subprocess.run(
                    as_postgres([str(self.bindir / "pg_ctl"), "-D", str(data), "-m",
                                 "immediate", "-w", "stop"]),
                    capture_output=True, timeout=60,
                )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for_port(port: int, proc: subprocess.Popen | None = None, seconds: float = 20) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def sql(port: int, query: str, params=()):
    import psycopg

    url = f"postgres://postgres@127.0.0.1:{port}/clearinghouse"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else None


PGBOUNCER_INI = """\
[databases]
clearinghouse = host=127.0.0.1 port={primary} dbname=clearinghouse

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {root}/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 8
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
"""

NGINX_CONF = """\
{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    proxy_cache_path {root}/cache levels=1:2 keys_zone=pages:1m max_size=50m inactive=10m;
    upstream app {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Only what the app marks public (s-maxage) is kept; signed-in staff and a
            # visitor right after their own submission always reach the app.
            proxy_cache pages;
            proxy_cache_key $scheme$host$request_uri;
            proxy_cache_revalidate on;
            proxy_cache_bypass $cookie_sessionid $cookie_read_primary;
            proxy_no_cache $cookie_sessionid $cookie_read_primary;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


class Browser:
    """A visitor: one cookie jar for every server (cookies ignore the port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str, headers: dict | None = None):
        return self.send(urllib.request.Request(url, headers=headers or {}))  # noqa: S310

    def post(self, url: str, data: dict):
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self.send(urllib.request.Request(url, data=body, method="POST"))  # noqa: S310

    def send(self, request):
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers

    def sign_in(self, base: str, username: str, password: str) -> int:
        """The status of the answer (a success is followed to the admin's index: 200)."""
        _, page, _ = self.get(base + "/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, _ = self.post(
            base + "/admin/login/",
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        return status

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")


def title(body: str) -> str:
    match = re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", body, re.S)
    return match.group(1) if match else ""


def eventually(check, seconds: float, step: float = 0.1):
    """Polls ``check`` until it returns something true; returns (value, seconds taken)."""
    started = time.monotonic()
    while True:
        value = check()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not true within {seconds} s")
        time.sleep(step)


SETUP_DATA = """
from django.contrib.auth.models import Group, User
from tests.factories import PracticeFactory, TopicFactory
topic = TopicFactory(slug="street-lighting", name="Street lighting")
PracticeFactory(title="Lights on", slug="lights-on", published=True, topics=[topic])
PracticeFactory(title="Parks at night", slug="parks-at-night", published=True, topics=[topic])
curator = User.objects.create_user("curator", "curator@example.org", {password!r}, is_staff=True)
curator.groups.add(Group.objects.get(name="Curators"))
"""


@pytest.fixture
def topology(gunicorn_server):
    found = requirements()
    procs = Processes(found["bindir"])
    prefix = f"multi-server-{uuid.uuid4().hex}"
    try:
        ports = {name: free_port() for name in ("primary", "replica", "pgbouncer", "nginx")}
        procs.primary(ports["primary"])
        import psycopg

        with psycopg.connect(
            f"postgres://postgres@127.0.0.1:{ports['primary']}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE clearinghouse")
        primary_url = f"postgres://postgres@127.0.0.1:{ports['primary']}/clearinghouse"
        env = {"DATABASE_URL": primary_url, "SECRET_KEY": "setup-only", "DEBUG": "false"}
        for command in (
            ["migrate", "--noinput"],
            ["shell", "-c", SETUP_DATA.format(password=PASSWORD)],
        ):
            result = manage(*command, env=env, timeout=300)
            assert result.returncode == 0, result.stderr
        procs.replica(ports["primary"], ports["replica"])

        bouncer = procs.directory("pgbouncer")
        (bouncer / "userlist.txt").write_text('"postgres" ""\n')
        ini = bouncer / "pgbouncer.ini"
        ini.write_text(
            PGBOUNCER_INI.format(primary=ports["primary"], port=ports["pgbouncer"], root=bouncer)
        )
        procs.spawn(as_postgres([found["pgbouncer"], str(ini)]), ports["pgbouncer"])

        common = {
            "DJANGO_SETTINGS_MODULE": "tests.multi_server_settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),  # the same on both servers
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": primary_url,
            "DATABASE_POOLER_URL": (
                f"postgres://postgres@127.0.0.1:{ports['pgbouncer']}/clearinghouse"
            ),
            "DATABASE_REPLICA_URLS": (
                f"postgres://postgres@127.0.0.1:{ports['replica']}/clearinghouse"
            ),
            "DATABASE_REPLICA_MAX_LAG": "20",
            "DATABASE_REPLICA_CHECK_SECONDS": "1",
            "READ_PRIMARY_COOKIE_SECONDS": "30",
            "DATABASE_ROUTE_HEADER": "true",
            "CACHE_URL": "redis://127.0.0.1:6379/0",
            "CACHE_KEY_PREFIX": prefix,
            "CDN_CACHE_SECONDS": str(S_MAXAGE),
            "CDN_STALE_SECONDS": "2",
            "AXES_FAILURE_LIMIT": "3",
        }
        a = gunicorn_server(common, workers=2)
        b = gunicorn_server(common, workers=2)

        web = procs.directory("nginx")
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (web / "tmp" / name).mkdir(parents=True)
        conf = web / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                user="user root;" if os.geteuid() == 0 else "",
                root=web,
                a=a.rsplit(":", 1)[1],
                b=b.rsplit(":", 1)[1],
                port=ports["nginx"],
            )
        )
        procs.spawn(
            [found["nginx"], "-p", str(web), "-c", str(conf), "-e", str(web / "nginx-error.log"),
             "-g", "daemon off;"],
            ports["nginx"],
        )  # fmt: skip
        yield {
            "a": a,
            "b": b,
            "nginx": f"http://127.0.0.1:{ports['nginx']}",
            "ports": ports,
            "procs": procs,
        }
    finally:
        procs.close()
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis(host="127.0.0.1", port=6379)
            for key in client.scan_iter(f"{prefix}:*"):
                client.delete(key)


def caught_up(ports) -> bool:
    """The replica has replayed everything the primary has written."""
    primary_lsn = sql(ports["primary"], "SELECT pg_current_wal_lsn()")[0][0]
    replayed = sql(
        ports["replica"], "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [primary_lsn]
    )
    return replayed[0][0]


def test_two_servers_a_replica_a_pooler_and_nginx(topology):
    a, b, front, ports = topology["a"], topology["b"], topology["nginx"], topology["ports"]
    visitor = Browser()
    detail = "/practices/lights-on/"
    eventually(lambda: caught_up(ports), 10)

    # Public reads go to the replica on both servers; the page shows.
    for base in (a, b):
        status, body, headers = visitor.get(base + detail)
        assert status == 200
        assert title(body) == "Lights on"
        assert headers["X-Read-Database"] == "replica_1"
        assert "s-maxage=3" in headers["Cache-Control"]
    # The replica's own statistics saw the app's queries (not only the header says so).
    assert (
        sql(
            ports["replica"],
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'clearinghouse' "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
        )[0][0]
        >= 1
    )

    # Staff: signed in on server A, the same session works on server B, reading the primary.
    curator = Browser()
    assert curator.sign_in(a, "curator", PASSWORD) == 200
    assert any(cookie.name == "sessionid" for cookie in curator.jar)
    status, body, headers = curator.get(b + "/admin/")
    assert status == 200
    assert "curator" in body
    status, body, headers = curator.get(b + detail)
    assert headers["X-Read-Database"] == "default"
    assert headers["Cache-Control"] == "private, no-store"

    # A curator's change on server A shows on server B on the curator's next request
    # (the primary), and to anonymous visitors on B as soon as the replica replays it.
    practice_id = sql(
        ports["primary"], "SELECT id FROM practices_practice WHERE slug = 'lights-on'"
    )[0][0]
    status, _, _ = curator.post(
        a + "/admin/practices/practice/",
        {
            "csrfmiddlewaretoken": curator.csrf_token(),
            "action": "unpublish",
            "select_across": "0",
            "index": "0",
            "_selected_action": str(practice_id),
        },
    )
    assert status in (200, 302)
    assert "preview-banner" in curator.get(b + detail)[1]  # staff now see a draft preview
    _, replay_seconds = eventually(lambda: Browser().get(b + detail)[0] == 404, 5, step=0.02)
    for action in ("submit_for_review", "publish"):
        curator.post(
            a + "/admin/practices/practice/",
            {
                "csrfmiddlewaretoken": curator.csrf_token(),
                "action": action,
                "select_across": "0",
                "index": "0",
                "_selected_action": str(practice_id),
            },
        )
    assert "preview-banner" not in curator.get(b + detail)[1]
    eventually(lambda: Browser().get(b + detail)[0] == 200, 5, step=0.02)

    # Lock-outs are shared: failures on A lock the same name and address out on B.
    intruder = Browser()
    for _ in range(3):
        intruder.sign_in(a, "curator-typo", "wrong-password")
    assert intruder.sign_in(b, "curator-typo", "wrong-password") == 429

    # The export's server-side cursor runs on a direct connection, beside PgBouncer.
    status, body, headers = Browser().get(a + "/practices/export.csv?topic=street-lighting")
    assert status == 200
    assert body.count("\n") == 3  # the header and two practices
    pools = topology["procs"].run(
        str(topology["procs"].bindir / "psql"), "-h", "127.0.0.1", "-p", str(ports["pgbouncer"]),
        "-U", "postgres", "-At", "-c", "SHOW STATS", "pgbouncer",
    )  # fmt: skip
    stats = dict(line.split("|")[:2] for line in pools.splitlines())
    assert int(stats["clearinghouse"]) > 0  # transactions that went through the pooler

    # nginx keeps the public page (HIT), answers a conditional request with 304 and never
    # keeps staff pages.
    visitor.get(front + "/practices/parks-at-night/")
    status, body, headers = visitor.get(front + "/practices/parks-at-night/")
    assert headers["X-Cache-Status"] == "HIT"
    etag = headers["ETag"]
    assert visitor.get(front + "/practices/parks-at-night/", {"If-None-Match": etag})[0] == 304
    status, _, headers = curator.get(front + "/practices/parks-at-night/")
    assert headers["X-Cache-Status"] == "BYPASS"
    assert headers["Cache-Control"] == "private, no-store"

    # After a change nginx serves the old page at most S_MAXAGE seconds.
    sql(
        ports["primary"],
        "UPDATE practices_practice SET title = 'Parks after dark' WHERE slug = 'parks-at-night'",
    )
    changed_at = time.monotonic()
    _, seconds = eventually(
        lambda: title(visitor.get(front + "/practices/parks-at-night/")[1]) == "Parks after dark",
        S_MAXAGE + 5,
        step=0.1,
    )
    assert time.monotonic() - changed_at <= S_MAXAGE + replay_seconds + 1.0, seconds

    # A visitor's own submission shows to them at once while the replica is paused.
    eventually(lambda: caught_up(ports), 10)
    sql(ports["replica"], "SELECT pg_wal_replay_pause()")
    try:
        submitter = Browser()
        status, body, headers = submitter.post(
            front + "/visitor-title/", {"slug": "lights-on", "title": "Lights on, updated"}
        )
        assert status == 200  # followed the 303 to the practice's page
        assert title(body) == "Lights on, updated"
        assert headers["X-Read-Database"] == "default"
        for base in (a, b, front):
            assert title(submitter.get(base + detail)[1]) == "Lights on, updated"
        # Another visitor still reads the paused replica: the old title.
        status, body, headers = Browser().get(a + detail)
        assert headers["X-Read-Database"] == "replica_1"
        assert title(body) == "Lights on"
    finally:
        sql(ports["replica"], "SELECT pg_wal_replay_resume()")
    eventually(lambda: title(Browser().get(b + detail)[1]) == "Lights on, updated", 5)

    # Stopping the replica leaves the site answering from the primary ...
    procs = topology["procs"]
    procs.pg_ctl(procs.root / "replica" / "data", "stop")
    for base in (a, b, a, b, a, b):
        status, body, headers = Browser().get(base + detail)
        assert status == 200
        assert headers["X-Read-Database"] == "default"
        assert title(body) == "Lights on, updated"
    # ... and starting it again brings public reads back to it.
    procs.pg_ctl(procs.root / "replica" / "data", "start", ports["replica"])
    eventually(
        lambda: all(Browser().get(base + detail)[2]["X-Read-Database"] == "replica_1"
                    for base in (a, b, a, b)),
        15,
        step=0.5,
    )  # fmt: skip
