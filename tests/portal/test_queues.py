"""Celery queues (CELERY_TASK_ROUTES): each task lands in the queue of its kind of work,
every way of starting workers consumes every queue, and a worker of one queue leaves the
others' messages alone (a real worker on the configured broker)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from django.db import connection

from disclosure.tasks import refresh_compliance
from mailbox.tasks import scan_letter_reminders
from portal.celery import app

BASE_DIR = Path(__file__).resolve().parents[2]

# Every task of every app and its queue: a new task gets a queue on purpose.
QUEUE_OF = {
    "mailbox.tasks.scan_letter_reminders": "reminders",
    "disclosure.tasks.send_deadline_reminders": "reminders",
    "disclosure.tasks.scan_info_request_reminders": "reminders",
    "disclosure.requests.tasks.corrections_lapse": "reminders",
    "disclosure.requests.tasks.third_party_waits_refresh": "reminders",
    "disclosure.tasks.refresh_compliance": "publishing",
    "participation.tasks.close_due_votes": "publishing",
    "participation.tasks.close_due_rounds": "publishing",
    "portal.tasks.heartbeat": "celery",
    "funds.tasks.scan": "celery",
    "funds.tasks.statements_generate": "celery",
    "services.tasks.guides_flag_stale": "celery",
}
QUEUES = {"celery", "reminders", "publishing", "exports"}


def _queue(name: str, **options) -> str:
    return app.amqp.router.route(options, name)["queue"].name


def test_every_task_is_routed_to_its_queue():
    app.loader.import_default_modules()
    assert {name for name in app.tasks if not name.startswith("celery.")} == set(QUEUE_OF)
    for name, queue in QUEUE_OF.items():
        assert _queue(name) == queue, name
    # Exports are named <app>.tasks.export_<what>.
    assert _queue("funds.tasks.export_ledger") == "exports"
    # Beat sends by name, through the same routes.
    for entry in app.conf.beat_schedule.values():
        assert _queue(entry["task"]) == QUEUE_OF[entry["task"]]
    # An explicit queue still wins: the worker tests send to queues of their own.
    assert _queue("mailbox.tasks.scan_letter_reminders", queue="test-own") == "test-own"


def test_every_way_of_starting_workers_consumes_every_queue():
    run = (BASE_DIR / "scripts" / "run.py").read_text(encoding="utf-8")
    assert set(re.search(r'"-Q", "([\w,]+)"', run).group(1).split(",")) == QUEUES
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert set(re.search(r"WORKER_QUEUES:-([\w,]+)", makefile).group(1).split(",")) == QUEUES
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
    consumed = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "portal", "worker"]:
            consumed |= set(command[command.index("-Q") + 1].split(","))
    assert consumed == QUEUES


def _test_database_url() -> str:
    s = connection.settings_dict
    host = quote(s["HOST"] or s["OPTIONS"].get("host", ""), safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{host}{port}/{s['NAME']}"


def _waiting(queue: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=queue, passive=True).message_count


@pytest.mark.worker
def test_a_reminders_worker_runs_reminders_and_leaves_publishing(transactional_db):
    # The routed queues with a suffix of this run, so that no worker of `make run` or of
    # another test run on this machine takes the messages.
    suffix = uuid.uuid4().hex[:12]
    reminders = f"{_queue(scan_letter_reminders.name)}-{suffix}"
    publishing = f"{_queue(refresh_compliance.name)}-{suffix}"
    assert (reminders.split("-")[0], publishing.split("-")[0]) == ("reminders", "publishing")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo"),
            *("-n", f"reminders-{suffix}@%h", "-l", "info", "-Q", reminders),
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": _test_database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    threading.Thread(
        target=lambda: lines.extend(raw.decode(errors="replace") for raw in process.stdout),
        daemon=True,
    ).start()
    try:
        published = refresh_compliance.apply_async(kwargs={"unit_ids": []}, queue=publishing)
        reminded = scan_letter_reminders.apply_async(queue=reminders)
        deadline = time.monotonic() + 60
        while f"[{reminded.id}] succeeded" not in "".join(lines):
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines) or "the worker ran nothing"
            time.sleep(0.1)
        assert published.id not in "".join(lines)
        assert _waiting(publishing) == 1
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        # Leave nothing behind on the broker: messages, queues, bindings.
        with app.connection_for_write() as conn:
            for name in (reminders, publishing):
                queue = app.amqp.queues[name](conn.default_channel)
                queue.declare()
                queue.purge()
                queue.delete()
