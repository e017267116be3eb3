"""The ``smtp_server`` fixture: a real SMTP server process that tests send mail to.

The server (tests/smtp_sink.py, aiosmtpd) starts once per test session on a free port.
Each test using the fixture gets an empty mailbox, and the Django settings point the
SMTP backend at the server. ``smtp_server.env`` holds the same settings as environment
variables, for a gunicorn started by the test.

    def test_it_mails(client, smtp_server):
        client.post(...)
        [message] = smtp_server.wait_for(1)
        assert message["To"] == "clerk@example.org"
"""

import email
import email.policy
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SINK = Path(__file__).with_name("smtp_sink.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    def __init__(self, port: int, directory: Path):
        self.port = port
        self.directory = directory
        self.env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}

    def clear(self) -> None:
        for path in self.directory.glob("*.eml"):
            path.unlink()

    def messages(self) -> list[email.message.EmailMessage]:
        """Every message received since the test began, oldest first."""
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.directory.glob("*.eml"))
        ]

    def wait_for(self, count: int, timeout: float = 10) -> list[email.message.EmailMessage]:
        """Wait until at least ``count`` messages arrived; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages()
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages())}")


@pytest.fixture(scope="session")
def _smtp_process(tmp_path_factory):
    directory = tmp_path_factory.mktemp("mailbox")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SINK), str(port), str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise RuntimeError(f"the SMTP server did not start: {proc.stderr.read()}")
    yield Mailbox(port, directory)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def smtp_server(_smtp_process, settings):
    """An empty mailbox on the real SMTP server, with Django's SMTP backend aimed at it."""
    _smtp_process.clear()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _smtp_process.port, "timeout": 10},
        }
    }
    yield _smtp_process
    _smtp_process.clear()
