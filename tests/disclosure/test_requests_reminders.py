"""Reminders and overdue escalation of requests for information: the letters' engine
(portal.reminders) with the requests' adapter. Due on Saturday 10 Oct 2026, a make-up
working day; at most once per (request, due_on, kind, tier), also under two scans at once."""

import datetime as dt
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from disclosure import tasks
from disclosure.models.requests import (
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestReminder,
    InfoRequestStatus,
)
from disclosure.requests import reminders
from disclosure.requests.reminders import reminders_applicable, reminders_scan
from mailbox.models import LetterReminder
from portal.workdays import add_working_days
from tests.disclosure.requests_letter_fixtures import ID_NUMBER, SH, make_request
from tests.mailbox import OutboxNotifier
from tests.mailbox import conftest as mailbox_fixtures

pytestmark = pytest.mark.django_db
# The letters' people and outbox: the same engine reminds the same officials.
reminder_people = mailbox_fixtures.reminder_people
outbox = mailbox_fixtures.outbox
# 20 working days after Mon 7 Sep 2026 (Sun 20 Sep worked, Mid-autumn and National Day
# off, Sat 10 Oct worked) is Saturday 10 Oct.
RECEIVED = dt.date(2026, 9, 7)
DUE = dt.date(2026, 10, 10)


def at(day: int, month: int = 10, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SH)


def kinds(planned) -> list[tuple[str, int]]:
    return [(reminder.kind, reminder.tier) for reminder in planned]


@pytest.fixture
def request_(geo, calendar_2026, reminder_people) -> InfoRequest:
    return make_request(geo.village_committee, received_on=RECEIVED)


def test_the_deadline_falls_on_the_make_up_saturday(request_):
    assert add_working_days(RECEIVED, 20).date == DUE
    assert request_.due_on == DUE and DUE.weekday() == 5
    assert not request_.due_is_provisional


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(8), []),
        (at(9, hour=0), [("due_soon", 0)]),  # Friday: the working day before the due date
        (at(9, hour=23), [("due_soon", 0)]),
        (at(10, hour=0), [("due", 0)]),  # the make-up Saturday: due today
        (at(11), [("due", 0)]),  # Sunday: no working day missed yet
        (at(12), [("due", 0), ("overdue", 1)]),
        (at(13), [("due", 0), ("overdue", 1)]),
        (at(14), [("due", 0), ("overdue", 1), ("overdue", 2)]),
        (at(16), [("due", 0), ("overdue", 1), ("overdue", 2), ("overdue", 3)]),
        (at(30), [("due", 0), ("overdue", 1), ("overdue", 2), ("overdue", 3)]),
    ],
)
def test_rules_on_the_2026_calendar(request_, moment, expected):
    assert kinds(reminders_applicable(now=moment)) == expected


def test_escalation_goes_up_the_places_supervisors(request_, reminder_people):
    p = reminder_people
    by_kind = {(r.kind, r.tier): r for r in reminders_applicable(now=at(16))}
    assert set(by_kind[("due", 0)].recipients) == {p.unit_admin}
    assert [by_kind[("overdue", t)].region.name for t in (1, 2, 3)] == [
        "五津街道",
        "新津区",
        "成都市",
    ]
    assert set(by_kind[("overdue", 1)].recipients) == {p.township_supervisor}
    assert set(by_kind[("overdue", 2)].recipients) == {p.county_supervisor}
    assert set(by_kind[("overdue", 3)].recipients) == {p.city_supervisor}
    (soon,) = reminders_applicable(now=at(9))
    assert soon.request == request_
    assert set(soon.recipients) == {p.unit_admin, p.unit_editor}


def test_a_county_department_escalates_to_the_city(geo, calendar_2026, reminder_people):
    make_request(geo.county_bureau, received_on=RECEIVED)
    planned = reminders_applicable(now=at(16))
    # 新津区教育局 sits at 新津区: its tier 1 is 成都市, the top; it has no admin, so no "due".
    assert kinds(planned) == [("overdue", 1)]
    assert planned[0].region.name == "成都市"


def test_each_reminder_is_sent_once_day_by_day(request_, reminder_people, outbox):
    sent_on = {}
    for day in range(5, 31):
        for hour in (8, 8, 17):  # beat fired twice, and once more later that day
            for reminder in reminders_scan(now=at(day, hour=hour)).reminders:
                sent_on[(reminder.kind, reminder.tier)] = day
    assert sent_on == {
        ("due_soon", 0): 9,
        ("due", 0): 10,
        ("overdue", 1): 12,
        ("overdue", 2): 14,
        ("overdue", 3): 16,
    }
    p = reminder_people
    assert [set(recipients) for recipients, _subject, _body in outbox] == [
        {p.unit_admin.username, p.unit_editor.username},
        {p.unit_admin.username},
        {p.township_supervisor.username},
        {p.county_supervisor.username},
        {p.city_supervisor.username},
    ]
    subjects = [subject for _recipients, subject, _body in outbox]
    code = request_.tracking_code
    assert subjects[0] == f"【依申请公开即将到期】{code} 请于2026年10月10日前答复"
    assert subjects[1] == f"【依申请公开今日到期】{code}"
    assert subjects[2] == f"【依申请公开超期督办·第1级】{code} 已超期1个工作日"
    assert subjects[3] == f"【依申请公开超期督办·第2级】{code} 已超期3个工作日"
    assert outbox[2][2].startswith("五津街道监督人员：\n\n平岗社区居民委员会办理的政府信息公开申请")
    claims = InfoRequestReminder.objects.filter(request=request_)
    assert claims.count() == 5 and not claims.filter(sent_at=None).exists()
    assert set(claims.values_list("due_on", flat=True)) == {DUE}
    notes = list(
        InfoRequestEvent.objects.filter(request=request_, kind=InfoRequestEventKind.REMINDED)
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes == [
        "即将到期提醒：已通知受理机关工作人员（2人）",
        "到期提醒：已通知受理机关负责人（1人）",
        "超期督办（第1级）：已提请五津街道监督人员督办（1人）",
        "超期督办（第2级）：已提请新津区监督人员督办（1人）",
        "超期督办（第3级）：已提请成都市监督人员督办（1人）",
    ]
    # Letters have their own claims: none was written for them.
    assert not LetterReminder.objects.exists()


def test_catch_up_after_an_outage(request_, outbox):
    result = reminders_scan(now=at(15))
    assert kinds(result.reminders) == [("due", 0), ("overdue", 1), ("overdue", 2)]
    assert "【依申请公开已到期】" in outbox[0][1]
    assert "已到期仍未答复" in outbox[0][2]
    assert not InfoRequestReminder.objects.filter(kind="due_soon").exists()


@pytest.mark.parametrize(
    ("status", "reminded"),
    [
        (InfoRequestStatus.PROCESSING, True),
        (InfoRequestStatus.THIRD_PARTY, True),  # still owed; the pause moves due_on
        (InfoRequestStatus.CORRECTION, False),  # the clock is suspended
        (InfoRequestStatus.PENDING, False),
        (InfoRequestStatus.REPLIED, False),
        (InfoRequestStatus.CLOSED, False),
    ],
)
def test_only_requests_whose_clock_runs_are_reminded(
    geo, calendar_2026, reminder_people, status, reminded
):
    extra = {"outcome": "public"} if status == InfoRequestStatus.REPLIED else {}
    make_request(geo.village_committee, received_on=RECEIVED, status=status, **extra)
    assert bool(reminders_applicable(now=at(16))) is reminded


def test_a_reply_between_plan_and_claim_stops_the_reminder(request_, outbox):
    (planned,) = reminders_applicable(now=at(9))
    InfoRequest.objects.filter(pk=request_.pk).update(
        status=InfoRequestStatus.REPLIED, outcome="public", replied_at=timezone.now()
    )
    stale = timezone.now() - reminders.engine.reclaim_after()
    assert (
        reminders.engine.reminder_send(
            reminders.INFO_REQUESTS,
            reminder=planned,
            notifier=OutboxNotifier(),
            now=at(9),
            stale_before=stale,
        )
        is None
    )
    assert outbox == [] and not InfoRequestReminder.objects.exists()


def test_a_new_due_date_starts_a_new_round(request_, outbox):
    assert reminders_scan(now=at(9)).sent == 1
    # Extended by 5 working days (the core's service sets due_on): due Fri 16 Oct.
    InfoRequest.objects.filter(pk=request_.pk).update(
        due_on=add_working_days(DUE, 5).date, extension_days=5, extension_reason="需调取档案"
    )
    assert reminders_scan(now=at(12)).sent == 0
    result = reminders_scan(now=at(15))
    assert kinds(result.reminders) == [("due_soon", 0)]
    assert "（已延长答复期限）" in outbox[-1][2]
    assert InfoRequestReminder.objects.filter(kind="due_soon").count() == 2


def test_a_failed_send_is_released_and_retried(request_, outbox):
    OutboxNotifier.fail = True
    assert (reminders_scan(now=at(9)).failed, InfoRequestReminder.objects.count()) == (1, 0)
    OutboxNotifier.fail = False
    assert reminders_scan(now=at(9, hour=11)).sent == 1
    assert reminders_scan(now=at(9, hour=12)).sent == 0


def test_one_row_per_reminder_in_the_database(request_):
    fields = {"request": request_, "due_on": DUE, "kind": "due", "tier": 0}
    InfoRequestReminder.objects.create(claimed_at=timezone.now(), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        InfoRequestReminder.objects.create(claimed_at=timezone.now(), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        InfoRequestReminder.objects.create(
            request=request_, due_on=DUE, kind="overdue", tier=0, claimed_at=timezone.now()
        )


def test_messages_never_carry_the_applicants_identity(request_, outbox):
    reminders_scan(now=at(16))
    assert len(outbox) == 4
    for _recipients, subject, body in outbox:
        assert request_.tracking_code in subject and request_.tracking_code in body
        for secret in ("王小芳", "13912345678", ID_NUMBER, "110105", "道路硬化", "平岗路88号"):
            assert secret not in subject + body
    notes = InfoRequestEvent.objects.filter(kind=InfoRequestEventKind.REMINDED)
    assert all("刘洋" not in note for note in notes.values_list("note", flat=True))


def test_the_task_scans_and_returns_quietly(request_, outbox):
    assert tasks.scan_info_request_reminders.apply().result is None  # today: long overdue
    assert InfoRequestReminder.objects.filter(sent_at__isnull=False).count() == 4
    assert tasks.scan_info_request_reminders.apply().result is None
    assert len(outbox) == 4


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_each_reminder_at_most_once(geo, calendar_2026, reminder_people):
    """Two scans in two threads (two database connections) over the same requests, with
    a slow channel so that they overlap: every reminder goes out once."""
    requests = [make_request(geo.village_committee, received_on=RECEIVED) for _ in range(3)]
    expected = {(r.case.tracking_code, r.kind, r.tier) for r in reminders_applicable(now=at(16))}
    assert len(expected) == 3 * 4
    delivered: list[tuple[str, str]] = []
    lock = threading.Lock()

    class SlowNotifier:
        def send(self, recipients, subject, body):
            time.sleep(0.05)
            with lock:
                delivered.append((threading.current_thread().name, subject))
            return len(recipients)

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def scan():
        try:
            start.wait()
            reminders_scan(now=at(16), notifier=SlowNotifier())
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, name=f"scan{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    subjects = [subject for _thread, subject in delivered]
    assert len(subjects) == len(set(subjects)) == len(expected)
    # Both scans did part of the work: they really ran side by side.
    assert {thread for thread, _subject in delivered} == {"scan1", "scan2"}
    claims = InfoRequestReminder.objects.filter(request__in=requests)
    assert claims.count() == len(expected) and not claims.filter(sent_at=None).exists()
    assert InfoRequestEvent.objects.filter(kind=InfoRequestEventKind.REMINDED).count() == len(
        expected
    )
