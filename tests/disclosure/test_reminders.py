"""Deadline reminders: sent a few working days ahead, once per (unit, item, period), only
for what is not published yet; the tasks call the services and return quietly."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from disclosure import compliance, tasks
from disclosure.compliance import reminders_send
from disclosure.models import ReminderSent, UnitCompliance
from portal.models import Unit, User
from portal.services import people
from tests.disclosure import at, make_village_catalog, publish, without_review
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Thursday 15 October 2026: September's finance report and Q3's decisions are both due on
# Tuesday 20 October, the 3rd working day from here.
REMIND_DAY = dt.date(2026, 10, 15)


@pytest.fixture
def catalog(db):
    return make_village_catalog()


@pytest.fixture
def officials(geo, personas, catalog, calendar_2026, settings):
    settings.DISCLOSURE_COMPLIANCE_START = "2026-01-01"
    settings.DISCLOSURE_REMINDER_WORKING_DAYS = 3
    settings.DEFAULT_FROM_EMAIL = "noreply@portal.example"
    Unit.objects.update(created_at=at(2025, 1, 1))
    User.objects.filter(pk=personas.village_official.pk).update(email="li@village.example")
    # A colleague with no email address is simply not written to.
    people.membership_grant(
        user=UserFactory(username="no_email_editor", email=""),
        unit=geo.village_committee,
        role="editor",
        actor=personas.platform_admin,
    )
    other = UserFactory(username="heping_official", email="he@heping.example")
    people.membership_grant(
        user=other, unit=geo.other_village_committee, role="admin", actor=personas.platform_admin
    )
    for unit in (geo.village_committee, geo.other_village_committee):
        without_review(unit)
    return other


def test_reminder_is_sent_once_before_the_deadline(geo, officials, catalog):
    assert reminders_send(today=REMIND_DAY) == 2  # 平岗 and 和平, one email each
    to_pinggang = next(m for m in mail.outbox if m.to == ["li@village.example"])
    assert to_pinggang.from_email == "noreply@portal.example"
    assert "平岗社区居民委员会" in to_pinggang.subject
    assert "财务 · 财务收支（2026年9月）" in to_pinggang.body
    assert "村务 · 村民代表会议决议（2026年第3季度）" in to_pinggang.body
    assert "2026年10月20日" in to_pinggang.body
    claims = ReminderSent.objects.filter(unit=geo.village_committee)
    assert sorted(claims.values_list("item_id", "period_start")) == [
        (catalog.monthly.pk, dt.date(2026, 9, 1)),
        (catalog.quarterly.pk, dt.date(2026, 7, 1)),
    ]
    assert claims.first().deadline == dt.date(2026, 10, 20)

    # A second run, the same day or the next, sends nothing more.
    assert reminders_send(today=REMIND_DAY) == 0
    assert reminders_send(today=dt.date(2026, 10, 16)) == 0
    assert len(mail.outbox) == 2


def test_no_reminder_for_what_is_already_published(geo, officials, catalog):
    heping = geo.other_village_committee
    for item, start in (
        (catalog.monthly, dt.date(2026, 9, 1)),
        (catalog.quarterly, dt.date(2026, 7, 1)),
    ):
        publish(heping, item, officials, period_start=start, published_at=at(2026, 10, 12))
    reminders_send(today=REMIND_DAY)
    assert [m.to for m in mail.outbox] == [["li@village.example"]]
    assert not ReminderSent.objects.filter(unit=heping).exists()


def test_only_the_unpublished_item_is_mentioned(geo, personas, officials, catalog):
    publish(
        geo.village_committee,
        catalog.quarterly,
        personas.village_official,
        period_start=dt.date(2026, 7, 1),
        published_at=at(2026, 10, 12),
    )
    reminders_send(today=REMIND_DAY)
    body = next(m.body for m in mail.outbox if m.to == ["li@village.example"])
    assert "财务收支" in body and "村民代表会议决议" not in body


def test_nothing_is_sent_too_early(officials):
    # Monday 12 October: the 20th is 6 working days away.
    assert reminders_send(today=dt.date(2026, 10, 12)) == 0
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_a_missed_day_is_caught_up_but_a_passed_deadline_is_not_reminded(officials):
    # The worker was down on the 15th: the 19th still falls inside the window.
    assert reminders_send(today=dt.date(2026, 10, 19)) == 2
    mail.outbox.clear()
    ReminderSent.objects.all().delete()
    assert reminders_send(today=dt.date(2026, 10, 21)) == 0


def test_a_failed_send_releases_the_claim(geo, officials, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(compliance, "send_mail", broken)
    assert reminders_send(today=REMIND_DAY) == 0
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert reminders_send(today=REMIND_DAY) == 2


def test_a_claim_made_by_another_run_is_not_sent_again(geo, officials, catalog):
    due = [
        compliance.DuePeriod(
            catalog.quarterly,
            dt.date(2026, 7, 1),
            dt.date(2026, 9, 30),
            dt.date(2026, 10, 20),
            False,
        )
    ]
    args = {"unit": geo.village_committee, "due": due, "recipients": ["li@village.example"]}
    compliance.reminder_send(**args)
    with pytest.raises(IntegrityError):
        compliance.reminder_send(**args)
    assert len(mail.outbox) == 1
    # The scan skips what is claimed and reminds only of the rest.
    assert reminders_send(today=REMIND_DAY) == 2
    body = next(m.body for m in mail.outbox[1:] if m.to == ["li@village.example"])
    assert "财务收支" in body and "村民代表会议决议" not in body


def test_an_unreachable_mail_server_claims_nothing(officials, monkeypatch):
    class Down:
        def open(self):
            raise ConnectionRefusedError("smtp down")

        def close(self):
            pass

    monkeypatch.setattr(compliance, "get_connection", Down)
    assert reminders_send(today=REMIND_DAY) == 0
    assert not ReminderSent.objects.exists()


def test_logs_carry_no_personal_data(officials, caplog):
    with caplog.at_level(logging.INFO, logger="disclosure.compliance"):
        reminders_send(today=REMIND_DAY)
    assert "@" not in caplog.text and "李秀英" not in caplog.text


def test_tasks_call_the_services_and_return_quietly(geo, officials, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: REMIND_DAY)
    assert tasks.send_deadline_reminders() is None
    assert len(mail.outbox) == 2
    assert tasks.send_deadline_reminders() is None
    assert len(mail.outbox) == 2

    assert tasks.refresh_compliance([geo.village_committee.pk]) is None
    assert list(UnitCompliance.objects.values_list("unit_id", flat=True)) == [
        geo.village_committee.pk
    ]
    # A unit that is gone is not an error.
    assert tasks.refresh_compliance([987654]) is None
    assert tasks.refresh_compliance() is None
    assert UnitCompliance.objects.count() == Unit.objects.count()
