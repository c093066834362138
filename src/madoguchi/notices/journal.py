"""Append-only journal of accepted messages, per notice and channel (``DATA_DIR/notices/``).

Mail (SMTP) has no idempotency key: between the server's "250 accepted" and the database's ``sent`` a killed
worker would leave a message sent but still ``queued``. One ``os.write`` of the delivery id to a file opened
``O_APPEND`` right after the accept closes most of that window (the kernel keeps the line when the process is
killed); a batch first marks the journal's ids ``sent`` (``reconcile``), then sends the rest. Workers that
retry on another machine see only the database (then the window is one ``NOTICES_DB_FLUSH_EVERY`` chunk).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def path(notice_id: int, channel: str) -> Path:
    folder = Path(settings.DATA_DIR) / "notices"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"journal-{int(notice_id)}-{channel}.log"


class Journal:
    """``with Journal(notice_id, channel) as j: j.accepted(delivery_id)``; ``read()`` → set of ids."""

    def __init__(self, notice_id: int, channel: str):
        self.path = path(notice_id, channel)
        self.fd: int | None = None

    def __enter__(self) -> Journal:
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def accepted(self, delivery_id: int) -> None:
        os.write(self.fd, b"%d\n" % delivery_id)

    def read(self) -> set[int]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return set()
        return {int(x) for x in data.split() if x.isdigit()}
