"""Find or start PostgreSQL for this project, create the database, print its URL.

Order: DATABASE_URL if set; else the local server at 127.0.0.1:5432 if it answers;
else a private cluster started from installed PostgreSQL server binaries in
.local/pgdata (git-ignored); else a message naming the ways to get PostgreSQL.
Messages go to stderr; the only line on stdout is the database URL.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clearinghouse"
PRIVATE_PORT = int(os.environ.get("PRIVATE_PG_PORT", "54329"))


def say(message: str) -> None:
    print(message, file=sys.stderr)


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def find_server_binaries() -> Path | None:
    candidates = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/local/pgsql*/bin"), reverse=True)]
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def as_postgres_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root; run them as the postgres user then."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def start_private_cluster(bindir: Path) -> str:
    data = LOCAL / "pgdata"
    sockets = LOCAL / "pgsock"
    LOCAL.mkdir(exist_ok=True)
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres", str(sockets)], check=True)
    if not (data / "PG_VERSION").exists():
        say(f"Creating a private PostgreSQL cluster in {data} ...")
        data.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres", str(data)], check=True)
        subprocess.run(
            as_postgres_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if not answers("127.0.0.1", PRIVATE_PORT):
        say(f"Starting the private PostgreSQL cluster on 127.0.0.1:{PRIVATE_PORT} ...")
        options = f"-p {PRIVATE_PORT} -k {sockets} -c listen_addresses=127.0.0.1"
        subprocess.run(
            as_postgres_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return f"postgres://postgres@127.0.0.1:{PRIVATE_PORT}/clearinghouse"


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if not exists:
                    say(f"Creating database {name} ...")
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                say(f"Cannot reach PostgreSQL at {parts.hostname}:{parts.port}: {exc}")
                sys.exit(1)
            time.sleep(1)


def main() -> None:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        if answers("127.0.0.1", 5432):
            url = DEFAULT_URL
        else:
            bindir = find_server_binaries()
            if bindir is None:
                say(
                    "No PostgreSQL found. Any one of these works:\n"
                    "  - set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME\n"
                    "  - run a server on 127.0.0.1:5432 (e.g. apt-get install postgresql)\n"
                    "  - install the server binaries (initdb, pg_ctl) and this command\n"
                    "    starts a private cluster in .local/pgdata"
                )
                sys.exit(1)
            url = start_private_cluster(bindir)
    ensure_database(url)
    print(url)


if __name__ == "__main__":
    main()
