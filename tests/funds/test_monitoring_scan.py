"""The alert rules of funds.services.monitoring.alerts_scan: each raises its alert for the
case it names and not for the near miss, clears when the cause is gone, reopens when it
comes back; a second scan changes nothing and the number of queries does not follow the
number of rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funds.models import Alert, AlertKind, Direction, Disbursement, Stage
from funds.services.monitoring import alerts_scan
from portal.workdays import add_working_days
from tests.disclosure.conftest import publish
from tests.funds.test_monitoring_helpers import (
    at,
    attach_voucher,
    make_entry,
    make_project,
    make_rectification,
    make_stage,
    make_statement,
)

pytestmark = pytest.mark.django_db


def open_alerts(kind: str) -> list[Alert]:
    return list(Alert.objects.filter(kind=kind, cleared_at__isnull=True).order_by("id"))


def evening(day: dt.date) -> dt.datetime:
    return at(day.year, day.month, day.day, 22)


def next_morning(day: dt.date) -> dt.datetime:
    return at(day.year, day.month, day.day, 8) + dt.timedelta(days=1)


# --- Stages ------------------------------------------------------------------------------


def test_stage_overdue_counts_working_days_across_national_day(
    calendar_2026, geo, personas, money, settings
):
    settings.FUNDS_STAGE_LIMIT_DAYS = {**settings.FUNDS_STAGE_LIMIT_DAYS, "proposed": 20}
    since = at(2026, 9, 21, 10)
    project = make_project(geo, personas, money, stage=Stage.PROPOSED, since=since)
    deadline = add_working_days(since, 20).date
    # The National Day holiday lies inside: by weekdays alone the 20th would be Oct 19.
    assert deadline == dt.date(2026, 10, 26)

    # On the 20th working day itself, 19 have ended: not yet.
    result = alerts_scan(now=evening(deadline))
    assert open_alerts(AlertKind.STAGE_OVERDUE) == []
    assert result.raised[AlertKind.STAGE_OVERDUE] == 0

    # Once the 20th has ended, the alert is raised, once.
    result = alerts_scan(now=next_morning(deadline))
    [alert] = open_alerts(AlertKind.STAGE_OVERDUE)
    assert alert.key == f"stage_overdue:project:{project.pk}:proposed"
    assert alert.project == project and alert.region_id == geo.village.code
    assert "20 个工作日" in alert.detail and "2026-10-26" in alert.detail
    assert result.raised[AlertKind.STAGE_OVERDUE] == 1

    # Approved: the cause is gone and the alert clears.
    project.stage, project.stage_since = Stage.APPROVED, at(2026, 10, 24)
    project.save()
    result = alerts_scan(now=next_morning(deadline) + dt.timedelta(hours=2))
    assert open_alerts(AlertKind.STAGE_OVERDUE) == []
    assert result.cleared[AlertKind.STAGE_OVERDUE] == 1
    alert.refresh_from_db()
    assert alert.cleared_at is not None


def test_finished_projects_have_no_stage_clock(calendar_2026, geo, personas, money):
    make_project(geo, personas, money, stage=Stage.CLOSED, since=at(2025, 1, 6), disbursed=100_000)
    make_project(geo, personas, money, stage=Stage.CANCELLED, since=at(2025, 1, 6))
    alerts_scan(now=at(2026, 11, 2))
    assert not Alert.objects.exists()


def test_stage_unpublished_until_its_record_is_published(
    calendar_2026, catalog, geo, personas, money, settings
):
    settings.FUNDS_PUBLISH_STAGE_DAYS = 5
    project = make_project(geo, personas, money, stage=Stage.APPROVED, since=at(2026, 9, 28))
    reached = make_stage(project, Stage.APPROVED, at(2026, 9, 28, 15))
    deadline = add_working_days(reached.reached_at, 5).date  # across the holiday
    assert deadline == dt.date(2026, 10, 10)

    alerts_scan(now=evening(deadline))
    assert open_alerts(AlertKind.STAGE_UNPUBLISHED) == []
    alerts_scan(now=next_morning(deadline))
    [alert] = open_alerts(AlertKind.STAGE_UNPUBLISHED)
    assert alert.key == f"stage_unpublished:project:{project.pk}:approved"
    assert "2026-10-10" in alert.detail

    # A record that is only a draft does not count as published.
    record = publish(geo.village_committee, personas.village_official, title="立项公示")
    record.status, record.published_at = "draft", None
    record.save()
    reached.record = record
    reached.save()
    alerts_scan(now=next_morning(deadline) + dt.timedelta(hours=1))
    assert len(open_alerts(AlertKind.STAGE_UNPUBLISHED)) == 1

    record.status, record.published_at = "published", at(2026, 10, 12)
    record.save()
    alerts_scan(now=next_morning(deadline) + dt.timedelta(hours=2))
    assert open_alerts(AlertKind.STAGE_UNPUBLISHED) == []


# --- Money of projects ----------------------------------------------------------------


def test_near_budget_at_ninety_percent_not_eighty_nine(geo, personas, money, settings):
    settings.FUNDS_NEAR_BUDGET_PERCENT = 90
    below = make_project(geo, personas, money, budget=100_000, disbursed=89_999)
    near = make_project(geo, personas, money, budget=100_000, disbursed=90_000, name="路灯")
    alerts_scan(now=at(2026, 11, 2))
    [alert] = open_alerts(AlertKind.NEAR_BUDGET)
    assert alert.project == near and alert.key == f"near_budget:project:{near.pk}"
    assert "90%" in alert.detail and "已达预算" not in alert.detail

    # Fully disbursed: the same alert says so; the project below stays quiet.
    near.disbursed = Decimal(100_000)
    near.save()
    result = alerts_scan(now=at(2026, 11, 3))
    [same] = open_alerts(AlertKind.NEAR_BUDGET)
    assert same.pk == alert.pk and same.raised_at == alert.raised_at
    assert "已达预算" in same.detail
    assert result.raised[AlertKind.NEAR_BUDGET] == 0
    assert not Alert.objects.filter(project=below).exists()

    # Closed after acceptance: nothing left to watch.
    near.stage = Stage.CLOSED
    near.save()
    alerts_scan(now=at(2026, 11, 4))
    assert open_alerts(AlertKind.NEAR_BUDGET) == []


def test_rectification_open_until_closed(geo, personas, money):
    project = make_project(geo, personas, money, stage=Stage.EVALUATED)
    item = make_rectification(geo, personas, project)
    alerts_scan(now=at(2026, 11, 2))
    [alert] = open_alerts(AlertKind.RECTIFICATION)
    assert alert.project == project and "待村（社区）答复" in alert.detail

    item.answer, item.answered_at = "已更换照明灯具。", at(2026, 11, 5)
    item.answered_by = personas.village_official
    item.save()
    alerts_scan(now=at(2026, 11, 6))
    alert.refresh_from_db()
    assert alert.cleared_at is None and "待镇（街道）销号" in alert.detail

    item.closed_at, item.closed_by = at(2026, 11, 9), personas.township_official
    item.save()
    alerts_scan(now=at(2026, 11, 10))
    assert open_alerts(AlertKind.RECTIFICATION) == []


# --- Ledgers --------------------------------------------------------------------------


def test_no_voucher_after_fifteen_days_and_cleared_by_a_voucher(money, settings):
    settings.FUNDS_NO_VOUCHER_DAYS = 15
    today = dt.date(2026, 11, 20)
    fresh = make_entry(money, booked_on=today - dt.timedelta(days=14), amount=800)
    late = make_entry(money, booked_on=today - dt.timedelta(days=15), amount=1200)
    make_entry(money, booked_on=dt.date(2026, 10, 1), amount=500, direction=Direction.INCOME)
    alerts_scan(now=at(2026, 11, 20))
    [alert] = open_alerts(AlertKind.NO_VOUCHER)
    assert alert.entry == late and alert.collective == money.collective
    assert alert.key == f"no_voucher:entry:{late.pk}"
    assert late.voucher_number in alert.detail and "1,200.00" in alert.detail
    # No summary, handler or counterparty: the detail is exported.
    assert "王建国" not in alert.detail and "办公用品" not in alert.detail
    assert not Alert.objects.filter(entry=fresh).exists()

    attach_voucher(late, money.accountant)
    result = alerts_scan(now=at(2026, 11, 20, 15))
    assert open_alerts(AlertKind.NO_VOUCHER) == []
    assert result.cleared[AlertKind.NO_VOUCHER] == 1


def test_an_entry_reversed_by_its_correction_needs_no_voucher(money):
    wrong = make_entry(money, booked_on=dt.date(2026, 9, 1), amount=3000)
    # The red entry (the correction) is not an expense to document either.
    make_entry(money, booked_on=dt.date(2026, 9, 2), amount=-3000, corrects=wrong)
    partly = make_entry(money, booked_on=dt.date(2026, 9, 3), amount=3000)
    make_entry(money, booked_on=dt.date(2026, 9, 4), amount=-1000, corrects=partly)
    alerts_scan(now=at(2026, 11, 2))
    assert [a.entry for a in open_alerts(AlertKind.NO_VOUCHER)] == [partly]


def test_large_expense_needs_a_decision(money, geo, personas, settings):
    settings.FUNDS_LARGE_EXPENSE = 50_000
    below = make_entry(money, booked_on=dt.date(2026, 11, 2), amount="49999.99")
    large = make_entry(money, booked_on=dt.date(2026, 11, 2), amount=50_000)
    make_entry(money, booked_on=dt.date(2026, 11, 2), amount=80_000, decision=money.decision)
    # A project's disbursement carries the project's decision.
    project = make_project(geo, personas, money, budget=200_000, disbursed=60_000)
    paid = make_entry(money, booked_on=dt.date(2026, 11, 3), amount=60_000)
    Disbursement.objects.create(
        project=project,
        paid_on=dt.date(2026, 11, 3),
        amount=60_000,
        payee="成都某建设有限公司",
        purpose="广场地面",
        entry=paid,
        recorded_by=personas.township_official,
    )
    alerts_scan(now=at(2026, 11, 4))
    [alert] = open_alerts(AlertKind.LARGE_WITHOUT_DECISION)
    assert alert.entry == large and "50,000" in alert.detail
    assert not Alert.objects.filter(kind=AlertKind.LARGE_WITHOUT_DECISION, entry=below).exists()


def test_cash_above_float_one_alert_per_episode(money):
    collective = money.collective
    assert collective.cash_float == 5000
    make_entry(
        money, booked_on=dt.date(2026, 11, 2), amount=5000, direction="income", subject="101"
    )
    make_entry(money, booked_on=dt.date(2026, 11, 2), amount=99_000, subject="541")  # not cash
    alerts_scan(now=at(2026, 11, 3))
    assert open_alerts(AlertKind.CASH_ABOVE_FLOAT) == []  # at the limit is not above it

    make_entry(
        money, booked_on=dt.date(2026, 11, 3), amount="0.01", direction="income", subject="101"
    )
    alerts_scan(now=at(2026, 11, 4))
    [alert] = open_alerts(AlertKind.CASH_ABOVE_FLOAT)
    assert alert.key == f"cash_above_float:collective:{collective.pk}:2026-11"
    assert "5,000.01" in alert.detail and "5,000.00" in alert.detail

    # Still above in December: the same alert, not a second one.
    alerts_scan(now=at(2026, 12, 2))
    assert [a.pk for a in open_alerts(AlertKind.CASH_ABOVE_FLOAT)] == [alert.pk]

    # Paid out (a correction counts like any entry): cleared.
    extra = make_entry(money, booked_on=dt.date(2026, 12, 2), amount=900, subject="101")
    alerts_scan(now=at(2026, 12, 3))
    assert open_alerts(AlertKind.CASH_ABOVE_FLOAT) == []

    # Reversed: above again, a new episode keyed by this month.
    make_entry(money, booked_on=dt.date(2026, 12, 4), amount=-900, subject="101", corrects=extra)
    alerts_scan(now=at(2026, 12, 5))
    [again] = open_alerts(AlertKind.CASH_ABOVE_FLOAT)
    assert again.pk != alert.pk
    assert again.key == f"cash_above_float:collective:{collective.pk}:2026-12"


def test_statement_late_after_the_due_day(catalog, money, geo, personas, settings):
    settings.FUNDS_STATEMENT_DUE_DAY = 10
    make_entry(money, booked_on=dt.date(2026, 10, 12), amount=300)
    attach_voucher(make_entry(money, booked_on=dt.date(2026, 10, 13), amount=400), money.accountant)
    # Before the collective opened (2020-01-01): history carried over, no statement due.
    make_entry(money, booked_on=dt.date(2019, 12, 30), amount=100)

    alerts_scan(now=at(2026, 11, 10, 23))
    assert open_alerts(AlertKind.STATEMENT_LATE) == []

    statement = make_statement(money, dt.date(2026, 10, 1))  # generated, not published
    alerts_scan(now=at(2026, 11, 11, 8))
    [alert] = open_alerts(AlertKind.STATEMENT_LATE)
    assert alert.key == f"statement_late:collective:{money.collective.pk}:2026-10"
    assert alert.collective == money.collective
    assert "2026年10月" in alert.detail and "2026-11-10" in alert.detail

    # Submitted, but waiting for the village's reviewer: not yet public.
    record = publish(geo.village_committee, personas.village_official, title="2026年10月财务公开")
    record.status, record.published_at = "in_review", None
    record.save()
    statement.record, statement.published_at = record, at(2026, 11, 12)
    statement.save()
    alerts_scan(now=at(2026, 11, 12, 9))
    assert len(open_alerts(AlertKind.STATEMENT_LATE)) == 1

    record.status, record.published_at = "published", at(2026, 11, 13)
    record.save()
    alerts_scan(now=at(2026, 11, 13, 9))
    assert open_alerts(AlertKind.STATEMENT_LATE) == []


# --- The scan as a whole ---------------------------------------------------------------


def test_scanning_twice_creates_nothing_new(money, geo, personas):
    make_project(geo, personas, money, disbursed=95_000)
    make_entry(money, booked_on=dt.date(2026, 9, 1), amount=70_000)
    first = alerts_scan(now=at(2026, 11, 2))
    assert first.total_raised == Alert.objects.count() > 0
    rows = list(Alert.objects.values_list("id", "key", "raised_at", "detail").order_by("id"))
    second = alerts_scan(now=at(2026, 11, 2, 10))
    assert second.total_raised == 0 and second.total_cleared == 0
    assert (
        list(Alert.objects.values_list("id", "key", "raised_at", "detail").order_by("id")) == rows
    )


def test_a_cause_that_comes_back_reopens_its_alert(money):
    entry = make_entry(money, booked_on=dt.date(2026, 9, 1), amount=700)
    alerts_scan(now=at(2026, 11, 2))
    [alert] = open_alerts(AlertKind.NO_VOUCHER)
    voucher = attach_voucher(entry, money.accountant)
    alerts_scan(now=at(2026, 11, 3))
    alert.refresh_from_db()
    assert alert.cleared_at == at(2026, 11, 3)

    # The voucher turns out to belong elsewhere (moved by the centre): the cause is back.
    other = make_entry(money, booked_on=dt.date(2026, 11, 3), amount=20)
    voucher.entry = other
    voucher.save()
    result = alerts_scan(now=at(2026, 11, 4))
    [again] = open_alerts(AlertKind.NO_VOUCHER)
    assert again.pk == alert.pk and again.raised_at == at(2026, 11, 2)
    assert result.reopened[AlertKind.NO_VOUCHER] == 1
    assert result.raised[AlertKind.NO_VOUCHER] == 0


def test_the_scan_asks_the_same_number_of_queries_for_more_rows(
    calendar_2026, money, geo, personas
):
    def seed(n: int, day: int) -> None:
        for i in range(n):
            make_project(
                geo,
                personas,
                money,
                stage=Stage.PROPOSED,
                since=at(2026, 6, 1),
                disbursed=95_000,
                name=f"项目{day}-{i}",
            )
            make_entry(money, booked_on=dt.date(2026, 9, day), amount=60_000)
            make_entry(
                money,
                booked_on=dt.date(2026, 9, day),
                amount=9000,
                subject="101",
                direction="income",
            )

    def queries(now: dt.datetime) -> int:
        with CaptureQueriesContext(connection) as context:
            alerts_scan(now=now)
        return len(context.captured_queries)

    seed(2, 1)
    alerts_scan(now=at(2026, 11, 1))
    small = queries(at(2026, 11, 2))
    seed(20, 2)
    alerts_scan(now=at(2026, 11, 3))
    assert Alert.objects.count() > 80
    assert queries(at(2026, 11, 4)) == small
