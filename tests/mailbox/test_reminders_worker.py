"""Letter reminders on real Celery workers (prefork, two processes) on the configured
broker: Redis with REDIS_URL, else the filesystem queue. Two scans at once send each
reminder once; a worker killed mid-batch loses none and repeats none.

The workers run in other processes, so they are pointed at a notifier that writes one
file per notification (tests.mailbox.FileNotifier) by a settings module generated for
the test: `from portal.settings import *` plus the notifier lines.
"""

import contextlib
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from mailbox import tasks
from mailbox.models import EventKind, Letter, LetterEvent, LetterReminder
from mailbox.reminders import reclaim_after, reminders_applicable
from portal.workdays import add_working_days, end_of_day
from tests.mailbox import delivered, write_letter

BASE_DIR = Path(__file__).resolve().parents[2]
# A queue of its own: no other worker on this machine takes these messages.
QUEUE = f"test-mailbox-{uuid.uuid4().hex[:12]}"
SUBJECT = re.compile(r"^【(?P<label>[^】]+)】(?P<code>[A-Z0-9]+)")
LABELS = {"来信即将到期": ("due_soon", 0), "来信今日到期": ("due", 0), "来信已到期": ("due", 0)}


def _test_database_url() -> str:
    s = connection.settings_dict
    host = quote(s["HOST"] or s["OPTIONS"].get("host", ""), safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{host}{port}/{s['NAME']}"


def _wait_for(condition, seconds=90, interval=0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


class Worker:
    """`celery -A portal worker --pool prefork --concurrency 2` in its own process group,
    so SIGKILL takes the pool processes down with it, as a crash of the machine would."""

    def __init__(self, folder: Path, outbox: Path, delay: float) -> None:
        folder.mkdir()
        (folder / "mailbox_worker_settings.py").write_text(
            "from portal.settings import *  # noqa: F403\n"
            "MAILBOX_NOTIFIERS = ['tests.mailbox.FileNotifier']\n"
            f"MAILBOX_TEST_NOTIFY_DIR = {str(outbox)!r}\n"
            f"MAILBOX_TEST_NOTIFY_DELAY = {delay!r}\n",
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "DJANGO_SETTINGS_MODULE": "mailbox_worker_settings",
            "PYTHONPATH": os.pathsep.join([str(folder), str(BASE_DIR)]),
        }
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "portal", "worker"),
                *("--pool", "prefork", "--concurrency", "2"),
                *("-n", f"mailbox-{uuid.uuid4().hex[:8]}@%h", "-l", "info", "-Q", QUEUE),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace"))

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def finished(self, result) -> bool:
        return f"[{result.id}] succeeded" in self.log

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # pool processes left behind


@pytest.fixture
def outbox_dir(tmp_path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


@pytest.fixture
def start_worker(transactional_db, tmp_path, outbox_dir):
    workers: list[Worker] = []

    def start(delay: float) -> Worker:
        worker = Worker(tmp_path / f"worker{len(workers)}", outbox_dir, delay)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def open_letters(transactional_db, geo, calendar_2026, reminder_people) -> list[Letter]:
    """Six letters long overdue (due + 3 tiers each) and two due on the next working day."""
    received = timezone.now() - dt.timedelta(days=40)
    letters = [
        write_letter(geo.village_committee, now=received, subject=f"来信{n}") for n in range(8)
    ]
    tomorrow = end_of_day(add_working_days(timezone.localdate(), 1).date)
    Letter.objects.filter(pk__in=[letter.pk for letter in letters[6:]]).update(due_at=tomorrow)
    return letters


def expected_reminders() -> set[tuple[str, str, int]]:
    return {
        (reminder.letter.tracking_code, reminder.kind, reminder.tier)
        for reminder in reminders_applicable(now=timezone.now())
    }


def delivered_reminders(outbox_dir: Path) -> list[tuple[str, str, int]]:
    found = []
    for record in delivered(outbox_dir):
        match = SUBJECT.match(record["subject"])
        label = match["label"]
        if label.startswith("来信超期督办·第"):
            kind_tier = ("overdue", int(re.search(r"第(\d+)级", label)[1]))
        else:
            kind_tier = LABELS[label]
        found.append((match["code"], *kind_tier))
    return found


def claimed_reminders(*, sent: bool) -> set[tuple[str, str, int]]:
    return set(
        LetterReminder.objects.filter(sent_at__isnull=not sent).values_list(
            "letter__tracking_code", "kind", "tier"
        )
    )


@pytest.mark.worker
def test_two_scans_at_once_send_each_reminder_exactly_once(start_worker, open_letters, outbox_dir):
    expected = expected_reminders()
    assert len(expected) == 6 * 4 + 2
    worker = start_worker(delay=0.15)
    # Beat fired twice: two scans, one per pool process, over the same letters.
    first = tasks.scan_letter_reminders.apply_async(queue=QUEUE)
    second = tasks.scan_letter_reminders.apply_async(queue=QUEUE)
    assert _wait_for(lambda: worker.finished(first) and worker.finished(second), 120), worker.log

    sent = delivered_reminders(outbox_dir)
    assert sorted(sent) == sorted(expected)  # every one, none twice
    assert claimed_reminders(sent=True) == expected
    assert LetterReminder.objects.count() == len(expected)
    assert LetterEvent.objects.filter(kind=EventKind.REMINDED).count() == len(expected)
    # Both scans did part of the work: they really ran side by side.
    assert len({record["pid"] for record in delivered(outbox_dir)}) == 2


@pytest.mark.worker
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    start_worker, open_letters, outbox_dir
):
    expected = expected_reminders()
    worker = start_worker(delay=0.5)
    tasks.scan_letter_reminders.apply_async(queue=QUEUE)
    assert _wait_for(lambda: len(delivered(outbox_dir)) >= 4, 90), worker.log
    time.sleep(0.15)  # inside the 0.5 s of the fifth send
    worker.kill()

    # Each delivery before the kill was marked sent; the fifth is claimed, never sent.
    before = delivered_reminders(outbox_dir)
    assert set(before) == claimed_reminders(sent=True) and len(before) == len(set(before))
    in_flight = claimed_reminders(sent=False)
    assert len(in_flight) == 1 and not in_flight & set(before)
    assert len(before) < len(expected)

    # A new worker's scan sends the rest, but leaves the fresh claim alone: as far as it
    # can tell, its owner may still be sending.
    rescue = start_worker(delay=0)
    scan = tasks.scan_letter_reminders.apply_async(queue=QUEUE)
    assert _wait_for(lambda: rescue.finished(scan), 120), rescue.log
    assert claimed_reminders(sent=True) == expected - in_flight
    assert claimed_reminders(sent=False) == in_flight

    # MAILBOX_REMINDER_RECLAIM_MINUTES later the claim is abandoned: the next scan sends it.
    LetterReminder.objects.filter(sent_at=None).update(
        claimed_at=timezone.now() - reclaim_after() - dt.timedelta(seconds=1)
    )
    scan = tasks.scan_letter_reminders.apply_async(queue=QUEUE)
    assert _wait_for(lambda: rescue.finished(scan), 120), rescue.log

    sent = delivered_reminders(outbox_dir)
    assert sorted(sent) == sorted(expected)  # none lost, none twice
    assert claimed_reminders(sent=True) == expected
    assert not claimed_reminders(sent=False)
    assert LetterEvent.objects.filter(kind=EventKind.REMINDED).count() == len(expected)
