"""A real SMTP server for the tests, run as its own process.

``python tests/smtp_sink.py PORT MAILDIR`` listens on 127.0.0.1:PORT with aiosmtpd and
writes every message it accepts to MAILDIR as ``<n>.eml`` (written under a temporary
name first, so a reader never sees half a message). It prints ``ready`` once listening
and runs until it is terminated.
"""

import itertools
import os
import signal
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory: Path):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        number = next(self.counter)
        temporary = self.directory / f".{os.getpid()}-{number}.tmp"
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.rename(self.directory / f"{number:05d}.eml")
        return "250 Message accepted for delivery"


def main() -> None:
    port, directory = int(sys.argv[1]), Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(SaveToDirectory(directory), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    try:
        stop.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
