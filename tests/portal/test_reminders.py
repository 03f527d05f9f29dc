"""The reminder engine shared by letters and requests for information (portal.reminders):
the tiers, the reclaim delay, the adapter contract, and two kinds of case side by side."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from disclosure.models.requests import InfoRequestReminder
from disclosure.requests import reminders as request_reminders
from mailbox import reminders as letter_reminders
from mailbox.models import LetterReminder
from portal import reminders as engine
from tests.disclosure.requests_letter_fixtures import make_request
from tests.mailbox import conftest as mailbox_fixtures
from tests.mailbox import write_letter

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
reminder_people = mailbox_fixtures.reminder_people
outbox = mailbox_fixtures.outbox


@pytest.mark.parametrize(
    ("late", "tier"), [(-3, 0), (0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (9, 5)]
)
def test_one_tier_on_the_first_working_day_late_then_one_every_two(late, tier):
    assert engine.overdue_tier(late) == tier


def test_the_reclaim_delay_must_outlast_the_scan(settings):
    settings.MAILBOX_REMINDER_RECLAIM_MINUTES = engine.SCAN_TIME_LIMIT // 60
    with pytest.raises(ImproperlyConfigured):
        engine.reclaim_after()
    settings.MAILBOX_REMINDER_RECLAIM_MINUTES = "15"
    with pytest.raises(ImproperlyConfigured):
        engine.reclaim_after()
    settings.MAILBOX_REMINDER_RECLAIM_MINUTES = 15
    assert engine.reclaim_after() == dt.timedelta(minutes=15)
    assert engine.SCAN_BUDGET_SECONDS < engine.SCAN_SOFT_TIME_LIMIT < engine.SCAN_TIME_LIMIT


def test_an_adapter_must_say_what_its_cases_are():
    class Incomplete(engine.ReminderAdapter):
        label = "thing reminder"

    with pytest.raises(NotImplementedError):
        Incomplete().open_cases(due_by=dt.date(2026, 10, 10))


def test_letters_and_requests_use_the_one_engine():
    assert isinstance(letter_reminders.LETTERS, engine.ReminderAdapter)
    assert isinstance(request_reminders.INFO_REQUESTS, engine.ReminderAdapter)
    assert letter_reminders.ScanResult is request_reminders.engine.ScanResult
    assert letter_reminders.reclaim_after is engine.reclaim_after
    assert letter_reminders.overdue_tier is engine.overdue_tier


def test_texts():
    assert engine.date_text(dt.date(2026, 10, 10)) == "2026年10月10日"
    assert engine.date_text(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)) == "2027年1月1日"
    assert engine.date_text(dt.date(2027, 2, 1), provisional=True) == "2027年2月1日（暂定）"
    assert engine.short("一二三", 3) == "一二三"
    assert engine.short("一二三四", 3) == "一二…"


@pytest.mark.django_db
def test_a_letter_and_a_request_of_one_unit_are_reminded_apart(
    geo, calendar_2026, reminder_people, outbox
):
    # Both due on Saturday 10 Oct 2026 at 平岗社区居委会.
    letter = write_letter(
        geo.village_committee, now=dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH), subject="路灯"
    )
    request = make_request(geo.village_committee, received_on=dt.date(2026, 9, 7))
    friday = dt.datetime(2026, 10, 9, 10, 0, tzinfo=SH)
    assert letter_reminders.reminders_scan(now=friday).sent == 1
    assert list(LetterReminder.objects.values_list("letter_id", "kind")) == [
        (letter.pk, "due_soon")
    ]
    assert not InfoRequestReminder.objects.exists()
    assert request_reminders.reminders_scan(now=friday).sent == 1
    assert list(InfoRequestReminder.objects.values_list("request_id", "kind")) == [
        (request.pk, "due_soon")
    ]
    assert [subject[:8] for _people, subject, _body in outbox] == [
        "【来信即将到期】",
        "【依申请公开即将",
    ]
    # Each scan has done its own work: a second round sends nothing.
    assert letter_reminders.reminders_scan(now=friday).sent == 0
    assert request_reminders.reminders_scan(now=friday).sent == 0
