"""Fault: the Celery worker killed (SIGKILL, with its pool) in the middle of a reminder
batch, while it sends the reminders of letters and of requests for information at once.

Promise (issue 10): after a restart no reminder is lost or sent twice.

The guarantee, from portal/reminders.py (one engine for both kinds of case): each
reminder is claimed (a row per case, deadline, kind and tier, committed before sending),
sent, then marked sent in one transaction with the case's "reminded" event. A worker
killed between claim and mark leaves a claim without sent_at; a later scan leaves it
alone while it is younger than MAILBOX_REMINDER_RECLAIM_MINUTES (more than the scan's
hard time limit: its owner could still be sending) and takes it over once older, with a
conditional update only one scan can win. What can still repeat is a kill in the few
milliseconds between the notifier's return and the mark's commit (the engine prefers a
rare repeat to a lost reminder); the test kills inside a send, where the notifier has
not returned, which is where a kill almost always lands.

The worker, its file outbox and the letters come from tests/mailbox/test_reminders_worker.py.
"""

import datetime as dt
import re
import time

import pytest
from django.utils import timezone

from disclosure import tasks as disclosure_tasks
from disclosure.models.requests import (
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestReminder,
)
from disclosure.requests import reminders as request_reminders
from mailbox import tasks as mailbox_tasks
from mailbox.models import EventKind, LetterEvent, LetterReminder
from mailbox.reminders import reclaim_after
from mailbox.reminders import reminders_applicable as letter_reminders_applicable
from portal.workdays import add_working_days
from tests.disclosure.requests_letter_fixtures import make_request
from tests.mailbox import delivered
from tests.mailbox import test_reminders_worker as letters_worker
from tests.mailbox.test_reminders_worker import QUEUE, _wait_for

start_worker = letters_worker.start_worker
outbox_dir = letters_worker.outbox_dir
open_letters = letters_worker.open_letters

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBJECT = re.compile(r"^【(?P<label>[^】]+)】(?P<code>[A-Z0-9]+)")
REQUESTS = 4


@pytest.fixture
def open_requests(geo, calendar_2026, reminder_people):
    """Four requests for information long overdue (due + 3 tiers each) and one due on the
    next working day."""
    today = timezone.localdate()
    overdue = [
        make_request(
            geo.village_committee,
            received_on=today - dt.timedelta(days=60),
            phone=f"1391234{n:04d}",
        )
        for n in range(REQUESTS)
    ]
    soon = make_request(
        geo.village_committee,
        received_on=today,
        due_on=add_working_days(today, 1).date,
        phone="13912349999",
    )
    return [*overdue, soon]


def kind_tier(label: str) -> tuple[str, int]:
    if "超期督办" in label:
        return "overdue", int(re.search(r"第(\d+)级", label)[1])
    if "即将到期" in label:
        return "due_soon", 0
    return "due", 0  # 今日到期, 已到期


def delivered_reminders(outbox) -> list[tuple[str, str, str, int]]:
    """(letter|request, tracking code, kind, tier) of every file the notifier wrote."""
    found = []
    for record in delivered(outbox):
        match = SUBJECT.match(record["subject"])
        what = "letter" if match["label"].startswith("来信") else "request"
        found.append((what, match["code"], *kind_tier(match["label"])))
    return found


def expected_reminders() -> set[tuple[str, str, str, int]]:
    now = timezone.now()
    letters = {
        ("letter", r.case.tracking_code, r.kind, r.tier)
        for r in letter_reminders_applicable(now=now)
    }
    requests = {
        ("request", r.case.tracking_code, r.kind, r.tier)
        for r in request_reminders.reminders_applicable(now=now)
    }
    return letters | requests


def claims(*, sent: bool) -> set[tuple[str, str, str, int]]:
    letters = LetterReminder.objects.filter(sent_at__isnull=not sent).values_list(
        "letter__tracking_code", "kind", "tier"
    )
    requests = InfoRequestReminder.objects.filter(sent_at__isnull=not sent).values_list(
        "request__tracking_code", "kind", "tier"
    )
    return {("letter", *row) for row in letters} | {("request", *row) for row in requests}


def both_scans():
    return [
        mailbox_tasks.scan_letter_reminders.apply_async(queue=QUEUE),
        disclosure_tasks.scan_info_request_reminders.apply_async(queue=QUEUE),
    ]


def test_a_worker_killed_mid_batch_of_letters_and_requests_loses_none_repeats_none(
    start_worker, open_letters, open_requests, outbox_dir
):
    """SIGKILL while both scans send (one per pool process, 0.5 s per send): what was
    delivered is exactly what is marked sent; the one or two reminders being sent are
    claimed, unsent. A new worker sends the rest and leaves those claims alone; once they
    are older than the reclaim delay the next scans send them. In the end every reminder
    of both kinds was delivered exactly once, with one "reminded" event each."""
    expected = expected_reminders()
    assert len([r for r in expected if r[0] == "request"]) == REQUESTS * 4 + 1
    worker = start_worker(delay=0.5)
    both_scans()

    def both_under_way() -> bool:
        sent = delivered_reminders(outbox_dir)
        return len(sent) >= 6 and {what for what, *_rest in sent} == {"letter", "request"}

    assert _wait_for(both_under_way, 90), worker.log
    time.sleep(0.15)  # inside the next 0.5 s send of each process
    worker.kill()

    before = delivered_reminders(outbox_dir)
    assert len(before) == len(set(before))
    assert set(before) == claims(sent=True)  # each delivery was marked, nothing else
    in_flight = claims(sent=False)
    assert 1 <= len(in_flight) <= 2 and not in_flight & set(before)
    assert len(before) + len(in_flight) < len(expected)

    rescue = start_worker(delay=0)
    scans = both_scans()
    assert _wait_for(lambda: all(rescue.finished(scan) for scan in scans), 120), rescue.log
    assert claims(sent=True) == expected - in_flight
    assert claims(sent=False) == in_flight  # its owner might still be sending: left alone

    # MAILBOX_REMINDER_RECLAIM_MINUTES later the claims are abandoned: the next scans send.
    aged = timezone.now() - reclaim_after() - dt.timedelta(seconds=1)
    LetterReminder.objects.filter(sent_at=None).update(claimed_at=aged)
    InfoRequestReminder.objects.filter(sent_at=None).update(claimed_at=aged)
    scans = both_scans()
    assert _wait_for(lambda: all(rescue.finished(scan) for scan in scans), 120), rescue.log

    sent = delivered_reminders(outbox_dir)
    print(
        f"\nworker killed after {len(before)} of {len(expected)} reminders "
        f"({len(in_flight)} in flight); after the restart and the reclaim delay "
        f"{len(sent)} delivered, {len(sent) - len(set(sent))} twice"
    )
    assert sorted(sent) == sorted(expected)  # none lost, none twice
    assert claims(sent=True) == expected and not claims(sent=False)
    letters = len([r for r in expected if r[0] == "letter"])
    assert LetterEvent.objects.filter(kind=EventKind.REMINDED).count() == letters
    assert (
        InfoRequestEvent.objects.filter(kind=InfoRequestEventKind.REMINDED).count()
        == len(expected) - letters
    )
