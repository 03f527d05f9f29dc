"""Fault: Redis (cache and Celery broker) stopped for a minute under a real web server.

Promise (issue 10): public pages still render, letters are accepted and stored, and after
Redis returns every due reminder is sent exactly once.

gunicorn (DEBUG off, 2 workers) serves the test database with REDIS_URL pointing at a
private redis-server, which the test kills (SIGKILL, as a crash) and starts again empty.
The reminders are then scanned by a real Celery worker on the restarted Redis
(tests/mailbox/test_reminders_worker.py's worker and file notifier).
"""

import collections
import datetime as dt
import itertools
import os
import re
import time

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from mailbox import tasks
from mailbox.models import EventKind, Letter, LetterEvent, LetterReminder
from portal import identity
from portal.celery import app
from portal.workdays import add_working_days, end_of_day
from tests.faults.servers import Gunicorn
from tests.mailbox import test_reminders_worker as letters_worker
from tests.mailbox.test_reminders_worker import (
    QUEUE,
    _test_database_url,
    _wait_for,
    claimed_reminders,
    delivered_reminders,
    expected_reminders,
)

# The worker, its file outbox and eight open letters of tests/mailbox.
start_worker = letters_worker.start_worker
outbox_dir = letters_worker.outbox_dir
open_letters = letters_worker.open_letters

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# How long Redis stays down while the pages and the letters keep coming.
OUTAGE_SECONDS = int(os.environ.get("PORTAL_FAULTS_REDIS_OUTAGE_SECONDS", "60"))
LETTER_EVERY_SECONDS = 4
_phones = itertools.count(1)

LETTER = {
    "type": "help",
    "subject": "路灯不亮",
    "body": "平岗路88号路灯坏了一周。",
    "name": "王芳",
}


@pytest.fixture
def web(tmp_path, private_redis, transactional_db, geo, calendar_2026):
    server = Gunicorn(
        tmp_path / "web",
        database_url=_test_database_url(),
        redis_url=private_redis.url,
        # The same key as this process: the test finds the letters by their phone's hash.
        env={"PORTAL_IDENTITY_HASH_KEY": settings.IDENTITY_HASH_KEY},
    )
    server.start()
    yield server
    server.stop()


def public_pages(geo) -> list[str]:
    """Home, place pages (with their participation counters), records, the published
    letters and their statistics, the participation statistics, the letter form."""
    return [
        "/",
        f"/regions/{geo.village.code}/",
        f"/regions/{geo.county.code}/",
        "/records/",
        "/letters/public/",
        f"/letters/public/stats/?region={geo.county.code}",
        f"/letters/public/stats/?region={geo.village.code}",
        f"/participation/stats/?region={geo.county.code}",
        f"/letters/write/{geo.village_committee.pk}/",
    ]


def new_phone() -> str:
    return f"1365{next(_phones):07d}"


def letter_by_api(base: str, unit_id: int, phone: str) -> int:
    payload = {**LETTER, "unit": unit_id, "phone": phone, "body": f"{LETTER['body']}{phone[-4:]}"}
    return requests.post(f"{base}/api/v1/letters/", json=payload, timeout=30).status_code


def letter_by_form(base: str, unit_id: int, phone: str) -> int:
    """The public form as a browser sends it: the page, then the POST with its token."""
    session = requests.Session()
    page = session.get(f"{base}/letters/write/{unit_id}/", timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = session.post(
        f"{base}/letters/write/{unit_id}/",
        data={
            **LETTER,
            "csrfmiddlewaretoken": token,
            "phone": phone,
            "body": f"{LETTER['body']}{phone[-4:]}",
        },
        allow_redirects=False,
        timeout=30,
    )
    return answer.status_code


def test_redis_down_for_a_minute_pages_render_letters_are_kept_reminders_go_out_once(
    web, private_redis, geo, open_letters, reminder_people, start_worker, outbox_dir, monkeypatch
):
    """Redis killed for OUTAGE_SECONDS: every page request is answered 200, every letter
    (API 201, form 302 to the receipt) is stored; after Redis returns, one worker scan per
    beat tick missed sends each due reminder of the letters written before and during the
    outage once, and the web log holds no phone number and no traceback."""
    pages = public_pages(geo)
    for page in pages:  # warm: pages and figures are in Redis when it dies
        assert requests.get(web.url + page, timeout=30).status_code == 200, page

    private_redis.stop()
    statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    letters: list[tuple[str, str, int]] = []  # (how, phone, status)
    unit_id = geo.village_committee.pk
    started = time.monotonic()
    next_letter = started
    for page in itertools.cycle(pages):
        now = time.monotonic()
        if now - started >= OUTAGE_SECONDS:
            break
        if now >= next_letter:
            how = "api" if len(letters) % 2 == 0 else "form"
            phone = new_phone()
            send = letter_by_api if how == "api" else letter_by_form
            letters.append((how, phone, send(web.url, unit_id, phone)))
            next_letter += LETTER_EVERY_SECONDS
        statuses[page][requests.get(web.url + page, timeout=30).status_code] += 1
    outage = time.monotonic() - started

    served = sum(sum(counter.values()) for counter in statuses.values())
    print(
        f"\nRedis down {outage:.0f} s: {served} page requests "
        f"({dict((page, dict(c)) for page, c in statuses.items())}); "
        f"{len(letters)} letters ({collections.Counter((h, s) for h, _p, s in letters)})"
    )
    assert all(set(counter) == {200} for counter in statuses.values()), dict(statuses)
    assert all(status == (201 if how == "api" else 302) for how, _p, status in letters), letters
    outage_phones = [phone for _how, phone, _status in letters]
    outage_letters = Letter.objects.filter(
        phone_hash__in=[identity.phone_hash(phone) for phone in outage_phones]
    )
    assert outage_letters.count() == len(letters) > 0

    log = web.log()
    assert "cache unavailable" in log  # the outage was noticed, and said so
    assert "Traceback" not in log and "Internal Server Error" not in log
    assert not any(phone in log for phone in outage_phones)

    private_redis.start()  # empty: nothing of the portal is lost with it
    for page in pages:
        assert requests.get(web.url + page, timeout=30).status_code == 200, page

    # Time passes: half of the outage's letters are long overdue, half due tomorrow.
    long_ago = timezone.now() - dt.timedelta(days=40)
    overdue = end_of_day(timezone.localdate() - dt.timedelta(days=30))
    tomorrow = end_of_day(add_working_days(timezone.localdate(), 1).date)
    for n, phone in enumerate(outage_phones):
        letter = Letter.objects.filter(phone_hash=identity.phone_hash(phone))
        if n % 2:
            letter.update(received_at=long_ago, due_at=overdue)
        else:
            letter.update(due_at=tomorrow)
    expected = expected_reminders()
    outage_codes = set(outage_letters.values_list("tracking_code", flat=True))
    assert {code for code, _kind, _tier in expected} >= outage_codes

    # Beat ticks that fell in the outage sent nothing (no broker); two ticks after it
    # arrive together, one per pool process, on the restarted Redis.
    monkeypatch.setenv("REDIS_URL", private_redis.url)
    worker = start_worker(delay=0.05)
    with app.connection_for_write(private_redis.url) as connection:
        scans = [
            tasks.scan_letter_reminders.apply_async(queue=QUEUE, connection=connection)
            for _ in range(2)
        ]
    assert _wait_for(lambda: all(worker.finished(scan) for scan in scans), 180), worker.log

    sent = delivered_reminders(outbox_dir)
    print(
        f"after Redis returned: {len(expected)} reminders due "
        f"({len([1 for code, _k, _t in expected if code in outage_codes])} of letters written "
        f"during the outage), {len(sent)} sent, {len(sent) - len(set(sent))} twice"
    )
    assert sorted(sent) == sorted(expected)  # every one, none twice
    assert claimed_reminders(sent=True) == expected
    assert LetterReminder.objects.count() == len(expected)
    assert LetterEvent.objects.filter(kind=EventKind.REMINDED).count() == len(expected)
