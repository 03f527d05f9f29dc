"""Helpers of the mailbox tests: letters with their own phone numbers, and notifiers that
record instead of sending (in this process, or in files for a worker process)."""

import json
import os
import secrets
import time
import uuid
from pathlib import Path

from django.conf import settings

from mailbox import services


def write_letter(unit, *, now, subject="路灯不亮", body="平岗路88号路灯坏了一周。", **extra):
    """A letter through the real service. Each gets a fresh phone number: the hourly
    rate limit counts per phone, in a cache that may be a shared Redis."""
    fields = {"type": "help", "name": "王芳", "phone": f"139{secrets.randbelow(10**8):08d}"}
    letter, created = services.letter_submit(
        unit=unit,
        subject=subject,
        body=f"{body}（{uuid.uuid4().hex[:6]}）",
        now=now,
        **fields | extra,
    )
    assert created
    return letter


class OutboxNotifier:
    """Selectable by MAILBOX_NOTIFIERS; keeps (usernames, subject, body) in `outbox`."""

    outbox: list[tuple[tuple[str, ...], str, str]] = []
    fail = False

    def send(self, recipients, subject, body):
        if type(self).fail:
            raise OSError("the gateway is down")
        type(self).outbox.append((tuple(user.username for user in recipients), subject, body))
        return len(recipients)


class FileNotifier:
    """For a worker in another process: each notification is one JSON file in
    MAILBOX_TEST_NOTIFY_DIR, written after MAILBOX_TEST_NOTIFY_DELAY seconds (a slow
    gateway). The file appearing is the delivery; it is renamed into place whole."""

    def send(self, recipients, subject, body):
        time.sleep(getattr(settings, "MAILBOX_TEST_NOTIFY_DELAY", 0))
        folder = Path(settings.MAILBOX_TEST_NOTIFY_DIR)
        name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        record = {
            "pid": os.getpid(),
            "subject": subject,
            "recipients": sorted(user.username for user in recipients),
        }
        partial = folder / f".{name}.tmp"
        partial.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        partial.replace(folder / f"{name}.json")
        return len(recipients)


def delivered(folder: Path) -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]
