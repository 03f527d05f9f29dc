"""Letter reminders: the rules on the 2026 calendar, recipients, at most once per
(letter, deadline, kind, tier), catch-up after an outage, retry after a failed send."""

import datetime as dt
import logging
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from mailbox import notify, reminders, services, tasks
from mailbox.models import EventKind, LetterEvent, LetterReminder
from mailbox.reminders import reminders_applicable, reminders_scan
from portal.models import SupervisorScope
from tests.mailbox import OutboxNotifier, write_letter

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
RECEIVED = dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH)  # due Saturday 10 Oct (a make-up day)


def at(day: int, month: int = 10, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SH)


@pytest.fixture
def letter(geo, calendar_2026, reminder_people):
    return write_letter(geo.village_committee, now=RECEIVED, subject="平岗路路灯不亮")


def kinds(planned) -> list[tuple[str, int]]:
    return [(reminder.kind, reminder.tier) for reminder in planned]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(8), []),
        (at(9, hour=0), [("due_soon", 0)]),  # Friday: the working day before the due date
        (at(9, hour=23), [("due_soon", 0)]),
        (at(10, hour=0), [("due", 0)]),  # Saturday 10 Oct, worked: due today
        # Sunday: past the deadline, but no working day has been missed yet.
        (at(11), [("due", 0)]),
        (at(12), [("due", 0), ("overdue", 1)]),
        (at(13), [("due", 0), ("overdue", 1)]),
        (at(14), [("due", 0), ("overdue", 1), ("overdue", 2)]),
        (at(15), [("due", 0), ("overdue", 1), ("overdue", 2)]),
        (at(16), [("due", 0), ("overdue", 1), ("overdue", 2), ("overdue", 3)]),
        # 成都市 is the top place with supervisors: no tier 4.
        (at(30), [("due", 0), ("overdue", 1), ("overdue", 2), ("overdue", 3)]),
    ],
)
def test_rules_on_the_2026_calendar(letter, moment, expected):
    assert letter.due_at.astimezone(SH).date() == dt.date(2026, 10, 10)
    assert kinds(reminders_applicable(now=moment)) == expected


def test_due_soon_comes_on_the_working_day_before_a_holiday(geo, calendar_2026, reminder_people):
    # Received Wed 23 Sep (Mid-autumn 25–27 Sep, National Day 1–7 Oct): due Thu 8 Oct,
    # and the working day before it is Wed 30 Sep.
    letter = write_letter(geo.village_committee, now=at(23, 9))
    assert letter.due_at.astimezone(SH).date() == dt.date(2026, 10, 8)
    assert reminders_applicable(now=at(29, 9)) == []
    assert kinds(reminders_applicable(now=at(30, 9))) == [("due_soon", 0)]
    # Missed on the 30th (an outage over the holiday): still sent before the due date.
    assert kinds(reminders_applicable(now=at(7))) == [("due_soon", 0)]
    assert kinds(reminders_applicable(now=at(8))) == [("due", 0)]


def test_recipients(letter, reminder_people):
    p = reminder_people
    by_kind = {(r.kind, r.tier): r for r in reminders_applicable(now=at(16))}
    assert set(by_kind[("due", 0)].recipients) == {p.unit_admin}
    assert [r.name for r in (by_kind[("overdue", t)].region for t in (1, 2, 3))] == [
        "五津街道",
        "新津区",
        "成都市",
    ]
    assert set(by_kind[("overdue", 1)].recipients) == {p.township_supervisor}
    assert set(by_kind[("overdue", 2)].recipients) == {p.county_supervisor}
    assert set(by_kind[("overdue", 3)].recipients) == {p.city_supervisor}
    (soon,) = reminders_applicable(now=at(9))
    # Handlers are editors and admins; the reviewer and the other county are never told.
    assert set(soon.recipients) == {p.unit_admin, p.unit_editor}


def test_a_place_without_supervisors_is_passed_over(letter, reminder_people):
    SupervisorScope.objects.filter(user=reminder_people.township_supervisor).delete()
    planned = reminders_applicable(now=at(30))
    assert kinds(planned) == [("due", 0), ("overdue", 1), ("overdue", 2)]
    assert set(planned[1].recipients) == {reminder_people.county_supervisor}
    assert set(planned[2].recipients) == {reminder_people.city_supervisor}


def test_each_reminder_is_sent_once_day_by_day(letter, reminder_people, outbox):
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
    claims = LetterReminder.objects.filter(letter=letter)
    assert claims.count() == 5 and not claims.filter(sent_at=None).exists()
    assert list(claims.order_by("tier", "kind").values_list("kind", "tier", "recipients")) == [
        ("due", 0, 1),
        ("due_soon", 0, 2),
        ("overdue", 1, 1),
        ("overdue", 2, 1),
        ("overdue", 3, 1),
    ]
    events = LetterEvent.objects.filter(letter=letter, kind=EventKind.REMINDED)
    assert events.count() == 5
    assert "已提请五津街道监督人员督办（1人）" in events.order_by("id")[2].note


def test_catch_up_after_an_outage_sends_what_is_due_now(letter, outbox):
    # Nothing ran from 8 to 14 October: due is sent late, due_soon is superseded, and
    # both tiers reached so far go out at once.
    result = reminders_scan(now=at(15))
    assert kinds(result.reminders) == [("due", 0), ("overdue", 1), ("overdue", 2)]
    assert "【来信已到期】" in outbox[0][1]
    assert "已到期仍未答复" in outbox[0][2]
    assert "已超期4个工作日" in outbox[1][1]
    assert kinds(reminders_scan(now=at(16)).reminders) == [("overdue", 3)]
    assert reminders_scan(now=at(16)).sent == 0
    assert not LetterReminder.objects.filter(kind="due_soon").exists()


def test_a_failed_send_is_released_and_retried_by_the_next_scan(letter, outbox):
    OutboxNotifier.fail = True
    result = reminders_scan(now=at(9))
    assert (result.sent, result.failed) == (0, 1)
    assert not LetterReminder.objects.exists()
    assert not LetterEvent.objects.filter(kind=EventKind.REMINDED).exists()
    OutboxNotifier.fail = False
    assert reminders_scan(now=at(9, hour=11)).sent == 1
    assert reminders_scan(now=at(9, hour=12)).sent == 0
    assert len(outbox) == 1


def test_an_abandoned_claim_is_taken_over_only_once_stale(letter, outbox):
    # A worker claimed the reminder and died before sending it.
    claim = LetterReminder.objects.create(
        letter=letter, due_at=letter.due_at, kind="due_soon", tier=0, claimed_at=timezone.now()
    )
    assert reminders_scan(now=at(9)).sent == 0  # it may still be sending: leave it
    LetterReminder.objects.filter(pk=claim.pk).update(
        claimed_at=timezone.now() - reminders.reclaim_after() - dt.timedelta(seconds=1)
    )
    assert reminders_scan(now=at(9)).sent == 1
    assert reminders_scan(now=at(9)).sent == 0
    claim.refresh_from_db()
    assert claim.sent_at is not None and claim.recipients == 2
    assert len(outbox) == 1 and LetterReminder.objects.count() == 1


def test_one_row_per_reminder_in_the_database(letter):
    fields = {"letter": letter, "due_at": letter.due_at, "kind": "due", "tier": 0}
    LetterReminder.objects.create(claimed_at=timezone.now(), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterReminder.objects.create(claimed_at=timezone.now(), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterReminder.objects.create(
            letter=letter, due_at=letter.due_at, kind="overdue", tier=0, claimed_at=timezone.now()
        )


def test_answered_letters_are_not_reminded(letter, reminder_people, outbox):
    services.letter_reply(letter=letter, actor=reminder_people.unit_admin, text="已修复。")
    assert reminders_applicable(now=at(9)) == []
    assert reminders_scan(now=at(20)).sent == 0


def test_an_extension_starts_a_new_round(letter, reminder_people, outbox):
    assert reminders_scan(now=at(9)).sent == 1
    services.letter_extend(
        letter=letter, actor=reminder_people.county_supervisor, days=5, reason="需现场核实"
    )
    letter.refresh_from_db()
    assert letter.due_at.astimezone(SH).date() == dt.date(2026, 10, 16)
    assert reminders_scan(now=at(10)).sent == 0  # no longer due on the 10th
    assert kinds(reminders_scan(now=at(15)).reminders) == [("due_soon", 0)]
    assert LetterReminder.objects.filter(kind="due_soon").count() == 2


def test_a_unit_with_nobody_in_the_role_is_not_claimed(geo, calendar_2026, outbox):
    lonely = write_letter(geo.township_office, now=RECEIVED)
    lonely.unit.memberships.all().delete()
    assert reminders_scan(now=at(9)).sent == 0
    assert not LetterReminder.objects.exists()


def test_default_channels_email_and_masked_sms(letter, reminder_people, settings, caplog):
    settings.MAILBOX_NOTIFIERS = list(notify.DEFAULT_NOTIFIERS)
    settings.MAILBOX_SMS_BACKEND = "mailbox.notify.LoggingSmsBackend"
    settings.DEFAULT_FROM_EMAIL = "noreply@portal.example"
    with caplog.at_level(logging.INFO, logger="mailbox.notify"):
        assert reminders_scan(now=at(9)).sent == 1
    (message,) = mail.outbox
    assert sorted(message.to) == ["li@pinggang.example", "pinggang_editor@gov.example"]
    assert (
        message.subject
        == f"【来信即将到期】{letter.tracking_code}「平岗路路灯不亮」请于2026年10月10日前答复"
    )
    assert "平岗社区居民委员会：" in message.body
    assert "答复期限为2026年10月10日" in message.body
    sms_lines = [r.getMessage() for r in caplog.records if r.name == "mailbox.notify"]
    assert sms_lines == [
        f"SMS ({len(notify.sms_text(message.subject))} chars) to 2 numbers: "
        "139****0001, 139****0006"
    ]
    assert "13900000001" not in caplog.text


def test_messages_never_carry_the_writers_identity(geo, calendar_2026, reminder_people, outbox):
    letter = write_letter(
        geo.village_committee, now=RECEIVED, name="王小芳", id_number="11010519491231002X"
    )
    reminders_scan(now=at(16))
    assert len(outbox) == 4
    for _recipients, subject, body in outbox:
        assert letter.tracking_code in subject and letter.tracking_code in body
        for secret in ("王小芳", letter.phone, "11010519491231002X", "1101051949"):
            assert secret not in subject + body
    assert "【来信超期督办·第3级】" in outbox[-1][1]
    assert outbox[-1][2].startswith("成都市监督人员：")
    notes = LetterEvent.objects.filter(letter=letter, kind=EventKind.REMINDED).values_list(
        "note", flat=True
    )
    assert all("supervisor" not in note and "刘洋" not in note for note in notes)


def test_a_failing_second_channel_does_not_undo_the_first(letter, outbox, caplog):
    class Broken:
        def send(self, recipients, subject, body):
            raise OSError("SMS gateway down")

    both = notify.MultiNotifier([OutboxNotifier(), Broken()])
    assert reminders_scan(now=at(9), notifier=both).sent == 1
    assert len(outbox) == 1
    only_broken = notify.MultiNotifier([Broken(), OutboxNotifier()])
    OutboxNotifier.fail = True
    assert reminders_scan(now=at(10), notifier=only_broken).failed == 1
    assert not LetterReminder.objects.filter(kind="due").exists()


def test_the_task_scans_and_returns_quietly(letter, outbox):
    assert tasks.scan_letter_reminders.apply().result is None  # today: long overdue
    assert LetterReminder.objects.filter(sent_at__isnull=False).count() == 4
    assert tasks.scan_letter_reminders.apply().result is None
    assert len(outbox) == 4


def test_the_reclaim_delay_must_outlast_the_task(settings):
    settings.MAILBOX_REMINDER_RECLAIM_MINUTES = 5
    with pytest.raises(ImproperlyConfigured):
        reminders.reclaim_after()
    settings.MAILBOX_REMINDER_RECLAIM_MINUTES = 10
    assert reminders.reclaim_after() == dt.timedelta(minutes=10)


def test_the_scan_has_a_time_budget(geo, calendar_2026, reminder_people, outbox):
    for _ in range(3):
        write_letter(geo.village_committee, now=RECEIVED)
    result = reminders_scan(now=at(9), budget_seconds=0)
    assert (result.sent, result.postponed) == (0, 3)
    assert reminders_scan(now=at(9)).sent == 3
