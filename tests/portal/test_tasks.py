"""Celery with a real worker process on the configured broker (Redis, or the
filesystem queue when REDIS_URL is not set)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from portal.models import WorkerHeartbeat
from portal.tasks import heartbeat

BASE_DIR = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    s = connection.settings_dict
    host = quote(s["HOST"] or s["OPTIONS"].get("host", ""), safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{host}{port}/{s['NAME']}"


# A queue of its own, so a worker of `make run` or of another test run on this machine
# never takes the test's messages.
QUEUE = f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def worker(transactional_db):
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "-n",
            "test-worker@%h",
            "-l",
            "warning",
            "-Q",
            QUEUE,
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.worker
def test_heartbeat_runs_on_a_real_worker_and_is_idempotent(worker):
    heartbeat.apply_async(queue=QUEUE)
    assert _wait_for(
        lambda: WorkerHeartbeat.objects.filter(worker__startswith="test-worker@").exists()
    ), worker.stdout.read1().decode() if worker.poll() is not None else "worker gave no heartbeat"
    first = WorkerHeartbeat.objects.get(worker__startswith="test-worker@").beat_at
    heartbeat.apply_async(queue=QUEUE)
    assert _wait_for(
        lambda: WorkerHeartbeat.objects.get(worker__startswith="test-worker@").beat_at > first
    )
    # Beats overwrite one row per worker instead of piling up.
    assert WorkerHeartbeat.objects.filter(worker__startswith="test-worker@").count() == 1


@pytest.mark.django_db
def test_beat_schedule_has_the_heartbeat(settings):
    from portal.celery import app

    assert app.conf.beat_schedule["worker-heartbeat"]["task"] == "portal.tasks.heartbeat"
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "disclosure.tasks.refresh_compliance",
        "disclosure.tasks.send_deadline_reminders",
        "mailbox.tasks.scan_letter_reminders",
    } <= schedule
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
