"""Reads of the monitoring of village money (县级监控、镇乡监管).

Two halves:

- the rules: each returns the causes of its alerts as they stand now, in a few set-based
  queries over the whole city (4,000+ villages), never a query per project or entry.
  A cause carries the alert's stable `key` (kind, object, and the stage or month where
  one object can have several), its place and a Chinese `detail`.
  funds.services.monitoring.alerts_scan turns them into alerts;
- the dashboards and the back office: alerts inside a place, counted by kind and by
  child place, filtered, and scoped to the person asking.

Definitions (the page says the same):

- STAGE_OVERDUE: a project not closed or cancelled whose stage began more than its limit
  (FUNDS_STAGE_LIMIT_DAYS) of working days ago: the limit-th working day after
  `stage_since` has ended. Working days as portal.workdays counts them;
- STAGE_UNPUBLISHED: a reached stage whose disclosure record is missing or not published
  once FUNDS_PUBLISH_STAGE_DAYS working days after it was reached have ended;
- NEAR_BUDGET: a project not closed or cancelled with disbursed ≥ FUNDS_NEAR_BUDGET_PERCENT
  % of its budget;
- RECTIFICATION: a rectification item not closed by the township;
- NO_VOUCHER: an expense entry (positive, not reversed by its corrections) without a
  scanned voucher FUNDS_NO_VOUCHER_DAYS days after its booking date;
- CASH_ABOVE_FLOAT: a collective whose cash (subject 101: income adds, expense takes,
  corrections included) is above its petty-cash float; one alert per episode, keyed by
  the month it began;
- LARGE_WITHOUT_DECISION: such an expense of at least FUNDS_LARGE_EXPENSE yuan with no
  village decision, neither on the entry nor on the project it pays;
- STATEMENT_LATE: a month with entries (from the collective's opening month on) whose
  statement is not published by the end of day FUNDS_STATEMENT_DUE_DAY of the next month
  (its record published: one waiting for review or withdrawn does not count).
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.models import RecordStatus
from funds import chart
from funds.models import (
    Alert,
    AlertKind,
    Direction,
    FundProject,
    LedgerEntry,
    MonthlyStatement,
    ProjectStage,
    Rectification,
    Stage,
    Voucher,
)
from portal import hierarchy
from portal.models import Region
from portal.workdays import end_of_day, local_date, working_days

# Projects in these stages are finished: no stage clock and no budget watch.
FINISHED = (Stage.CLOSED, Stage.CANCELLED)
MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class Cause:
    """Why an alert is (still) open: what the scan keeps in step with the Alert rows."""

    kind: str
    key: str
    region_id: str
    detail: str
    project_id: int | None = None
    collective_id: int | None = None
    entry_id: int | None = None


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _yuan(amount: Decimal | int) -> str:
    return f"{amount:,.2f}"


def _due_date(month: dt.date, day: int) -> dt.date:
    """Day `day` of the month after `month` (its last day when the month is shorter)."""
    following = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following.replace(day=min(day, calendar.monthrange(following.year, following.month)[1]))


class _WorkingDays:
    """The working days from the earliest date a rule asks about up to today, fetched
    once (two queries) and answered from memory for every project."""

    def __init__(self, first: dt.date, today: dt.date) -> None:
        self.today = today
        self.days = working_days(first, today)

    def ended(self, since: dt.date) -> int:
        """Working days that have ended after `since`: those d with since < d < today."""
        return bisect_left(self.days, self.today) - bisect_right(self.days, since)

    def nth_after(self, since: dt.date, n: int) -> dt.date:
        """The n-th working day after `since` (n ≥ 1, and at most ended(since))."""
        return self.days[bisect_right(self.days, since) + n - 1]


# --- "Before" and "during": projects -------------------------------------------------


def _stage_labels() -> dict[str, str]:
    return {stage: str(label) for stage, label in Stage.choices}


def _past_deadline(
    rows: list[tuple[int, str, str, dt.datetime]], today: dt.date, limit_of: Callable[[str], int]
) -> Iterator[tuple[int, str, str, dt.date, int, dt.date]]:
    """The rows (project, place, stage, moment) whose limit of working days after the
    moment's day has ended, each as (project, place, stage, that day, limit, deadline):
    the deadline is the limit-th working day after the day."""
    if not rows:
        return
    workdays = _WorkingDays(min(local_date(row[3]) for row in rows), today)
    for project_id, region_id, stage, moment in rows:
        day, limit = local_date(moment), limit_of(stage)
        if workdays.ended(day) < limit:
            continue
        yield project_id, region_id, stage, day, limit, workdays.nth_after(day, limit)


def stage_overdue_causes(now: dt.datetime) -> Iterator[Cause]:
    today = local_date(now)
    limits = {
        stage: days
        for stage, days in settings.FUNDS_STAGE_LIMIT_DAYS.items()
        if stage not in FINISHED
    }
    # n working days need more than n calendar days to end: a cheap filter in SQL
    # (served by the (stage, stage_since) index) before the exact count in Python.
    condition = Q(pk__in=[])
    for stage, days in limits.items():
        condition |= Q(stage=stage, stage_since__lt=_start_of_day(today - dt.timedelta(days=days)))
    rows = list(
        FundProject.objects.filter(condition)
        .order_by()
        .values_list("id", "region_id", "stage", "stage_since")
    )
    # Translated once per rule, not once per row: a city has tens of thousands of rows.
    text = _(
        "%(stage)s阶段超过 %(days)d 个工作日的时限：%(since)s 进入本阶段，"
        "应于 %(deadline)s 前完成。"
    )
    labels = _stage_labels()
    for project_id, region_id, stage, since, limit, deadline in _past_deadline(
        rows, today, limits.__getitem__
    ):
        yield Cause(
            kind=AlertKind.STAGE_OVERDUE,
            key=f"stage_overdue:project:{project_id}:{stage}",
            region_id=region_id,
            project_id=project_id,
            detail=text
            % {
                "stage": labels[stage],
                "days": limit,
                "since": since.isoformat(),
                "deadline": deadline.isoformat(),
            },
        )


def stage_unpublished_causes(now: dt.datetime) -> Iterator[Cause]:
    today = local_date(now)
    allowed = settings.FUNDS_PUBLISH_STAGE_DAYS
    rows = list(
        ProjectStage.objects.filter(
            reached_at__lt=_start_of_day(today - dt.timedelta(days=allowed))
        )
        .filter(Q(record__isnull=True) | ~Q(record__status=RecordStatus.PUBLISHED))
        .order_by()
        .values_list("project_id", "project__region_id", "stage", "reached_at")
    )
    text = _("%(stage)s阶段 %(reached)s 到达，%(days)d 个工作日内（%(deadline)s 前）未公开。")
    labels = _stage_labels()
    for project_id, region_id, stage, reached, _limit, deadline in _past_deadline(
        rows, today, lambda _stage: allowed
    ):
        yield Cause(
            kind=AlertKind.STAGE_UNPUBLISHED,
            key=f"stage_unpublished:project:{project_id}:{stage}",
            region_id=region_id,
            project_id=project_id,
            detail=text
            % {
                "stage": labels[stage],
                "reached": reached.isoformat(),
                "days": allowed,
                "deadline": deadline.isoformat(),
            },
        )


def near_budget_causes(now: dt.datetime) -> Iterator[Cause]:
    percent = settings.FUNDS_NEAR_BUDGET_PERCENT
    rows = (
        FundProject.objects.exclude(stage__in=FINISHED)
        .filter(disbursed__gt=0)
        .alias(hundredfold=F("disbursed") * 100, threshold=F("budget") * percent)
        .filter(hundredfold__gte=F("threshold"))
        .order_by()
        .values_list("id", "region_id", "budget", "disbursed")
    )
    reached = _("已拨付 %(disbursed)s 元，已达预算 %(budget)s 元。")
    near = _("已拨付 %(disbursed)s 元，达到预算 %(budget)s 元的 %(share)d%%。")
    for project_id, region_id, budget, disbursed in rows:
        yield Cause(
            kind=AlertKind.NEAR_BUDGET,
            key=f"near_budget:project:{project_id}",
            region_id=region_id,
            project_id=project_id,
            # The share rounded down: 89.99 % is not yet 90 %.
            detail=(reached if disbursed >= budget else near)
            % {
                "disbursed": _yuan(disbursed),
                "budget": _yuan(budget),
                "share": int(disbursed * 100 // budget),
            },
        )


# --- "After": rectification ----------------------------------------------------------


def rectification_causes(now: dt.datetime) -> Iterator[Cause]:
    rows = (
        Rectification.objects.filter(closed_at__isnull=True)
        .order_by()
        .values_list("id", "project_id", "project__region_id", "opened_at", "answered_at")
    )
    waiting = _("群众评议多数不满意，%(opened)s 提出整改，待村（社区）答复整改情况。")
    answered = _("群众评议多数不满意，整改情况已于 %(answered)s 答复，待镇（街道）销号。")
    for item_id, project_id, region_id, opened_at, answered_at in rows:
        yield Cause(
            kind=AlertKind.RECTIFICATION,
            key=f"rectification:item:{item_id}",
            region_id=region_id,
            project_id=project_id,
            detail=(waiting if answered_at is None else answered)
            % {
                "opened": local_date(opened_at).isoformat(),
                "answered": local_date(answered_at).isoformat() if answered_at else "",
            },
        )


# --- The three-asset ledgers ---------------------------------------------------------


def live_expenses() -> QuerySet[LedgerEntry]:
    """Expense entries still standing: positive, and not reversed by their corrections
    (the entry plus the red entries pointing at it no longer above zero). The reversed
    ones are found among the few corrections, not by a lookup per entry."""
    reversed_entries = (
        LedgerEntry.objects.filter(corrects__isnull=False)
        .order_by()
        .values("corrects_id", "corrects__amount")
        .annotate(total=Sum("amount"))
        .filter(total__lte=-F("corrects__amount"))
        .values("corrects_id")
    )
    return (
        LedgerEntry.objects.filter(direction=Direction.EXPENSE, amount__gt=0)
        .exclude(pk__in=reversed_entries)
        .order_by()
    )


# What names an entry in a detail. No summary or counterparty: they may name a person,
# and the detail is exported.
ENTRY_TEXT = gettext_lazy("记账凭证 %(number)s（%(day)s，%(subject)s %(amount)s 元）")


def _named_entries(entries: QuerySet[LedgerEntry]) -> Iterator[tuple[int, int, str, str]]:
    """(entry, collective, place, the entry named as ENTRY_TEXT says) for each entry."""
    template = str(ENTRY_TEXT)
    rows = entries.values_list(
        "id",
        "collective_id",
        "region_id",
        "voucher_number",
        "booked_on",
        "subject__name",
        "amount",
    )
    for entry_id, collective_id, region_id, number, booked_on, subject, amount in rows:
        named = template % {
            "number": number,
            "day": booked_on.isoformat(),
            "subject": subject,
            "amount": _yuan(amount),
        }
        yield entry_id, collective_id, region_id, named


def no_voucher_causes(now: dt.datetime) -> Iterator[Cause]:
    days = settings.FUNDS_NO_VOUCHER_DAYS
    expenses = (
        live_expenses()
        .filter(booked_on__lte=local_date(now) - dt.timedelta(days=days))
        .filter(~Exists(Voucher.objects.filter(entry=OuterRef("pk"))))
    )
    text = _("%(entry)s记账 %(days)d 天后仍未上传原始凭证。")
    for entry_id, collective_id, region_id, named in _named_entries(expenses):
        yield Cause(
            kind=AlertKind.NO_VOUCHER,
            key=f"no_voucher:entry:{entry_id}",
            region_id=region_id,
            collective_id=collective_id,
            entry_id=entry_id,
            detail=text % {"entry": named, "days": days},
        )


def large_without_decision_causes(now: dt.datetime) -> Iterator[Cause]:
    threshold = settings.FUNDS_LARGE_EXPENSE
    expenses = (
        live_expenses()
        .filter(amount__gte=threshold, decision__isnull=True)
        # A disbursement of a project carries the project's decision.
        .exclude(disbursement__project__decision__isnull=False)
    )
    text = _("%(entry)s达到 %(threshold)s 元，未附村民（代表）会议决议。")
    for entry_id, collective_id, region_id, named in _named_entries(expenses):
        yield Cause(
            kind=AlertKind.LARGE_WITHOUT_DECISION,
            key=f"large_without_decision:entry:{entry_id}",
            region_id=region_id,
            collective_id=collective_id,
            entry_id=entry_id,
            detail=text % {"entry": named, "threshold": f"{threshold:,}"},
        )


def cash_above_float_causes(now: dt.datetime) -> Iterator[Cause]:
    signed = Case(
        When(direction=Direction.INCOME, then=F("amount")),
        default=-F("amount"),
        output_field=MONEY,
    )
    rows = list(
        LedgerEntry.objects.filter(subject_id=chart.CASH)
        .order_by()
        .values("collective_id", "region_id", "collective__cash_float")
        .annotate(cash=Sum(signed))
        .filter(cash__gt=F("collective__cash_float"))
        .values_list("collective_id", "region_id", "collective__cash_float", "cash")
    )
    if not rows:
        return
    # An excess that goes on keeps the alert of the month it began; one that ends and
    # comes back in a later month is a new alert.
    current = dict(
        Alert.objects.filter(
            kind=AlertKind.CASH_ABOVE_FLOAT,
            cleared_at__isnull=True,
            collective_id__in=[row[0] for row in rows],
        ).values_list("collective_id", "key")
    )
    month = f"{local_date(now):%Y-%m}"
    text = _("库存现金 %(cash)s 元，超过备用金限额 %(limit)s 元。")
    for collective_id, region_id, cash_float, cash in rows:
        yield Cause(
            kind=AlertKind.CASH_ABOVE_FLOAT,
            key=current.get(collective_id)
            or f"cash_above_float:collective:{collective_id}:{month}",
            region_id=region_id,
            collective_id=collective_id,
            detail=text % {"cash": _yuan(cash), "limit": _yuan(cash_float)},
        )


def _first_not_due(today: dt.date) -> dt.date:
    """The first month whose statement is not due yet: a month is due once day
    FUNDS_STATEMENT_DUE_DAY of the next month has ended."""
    this_month = today.replace(day=1)
    if today.day > settings.FUNDS_STATEMENT_DUE_DAY:
        return this_month
    return (this_month - dt.timedelta(days=1)).replace(day=1)


def statement_late_causes(now: dt.datetime) -> Iterator[Cause]:
    due_day = settings.FUNDS_STATEMENT_DUE_DAY
    # Out for everyone to read: submitted to a reviewer or withdrawn is not published.
    published = MonthlyStatement.objects.filter(
        collective_id=OuterRef("collective_id"),
        month=OuterRef("month"),
        record__status=RecordStatus.PUBLISHED,
    )
    rows = (
        LedgerEntry.objects.filter(
            booked_on__lt=_first_not_due(local_date(now)),
            booked_on__gte=TruncMonth("collective__opened_on"),
        )
        .annotate(month=TruncMonth("booked_on"))
        .filter(~Exists(published))
        .order_by()
        .values_list("collective_id", "region_id", "month")
        .distinct()
    )
    text = _("%(year)d年%(month)d月的财务收支未在 %(due)s 前公开。")
    for collective_id, region_id, month in rows:
        yield Cause(
            kind=AlertKind.STATEMENT_LATE,
            key=f"statement_late:collective:{collective_id}:{month:%Y-%m}",
            region_id=region_id,
            collective_id=collective_id,
            detail=text
            % {
                "year": month.year,
                "month": month.month,
                "due": _due_date(month, due_day).isoformat(),
            },
        )


# The rules in the order the scan runs them.
RULES: dict[str, Callable[[dt.datetime], Iterator[Cause]]] = {
    AlertKind.STAGE_OVERDUE: stage_overdue_causes,
    AlertKind.STAGE_UNPUBLISHED: stage_unpublished_causes,
    AlertKind.NEAR_BUDGET: near_budget_causes,
    AlertKind.RECTIFICATION: rectification_causes,
    AlertKind.NO_VOUCHER: no_voucher_causes,
    AlertKind.CASH_ABOVE_FLOAT: cash_above_float_causes,
    AlertKind.LARGE_WITHOUT_DECISION: large_without_decision_causes,
    AlertKind.STATEMENT_LATE: statement_late_causes,
}


# --- Dashboards and back office -------------------------------------------------------

OPEN, CLEARED, ALL = "open", "cleared", "all"


@dataclass(frozen=True)
class AlertFilter:
    """What the dashboard's list and export show: inside `region` (or its child place
    `child`), of a kind, open or cleared, raised between two dates (inclusive)."""

    region: str
    kind: str | None = None
    status: str = OPEN
    child: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def alerts_filtered(criteria: AlertFilter) -> QuerySet[Alert]:
    """The alerts a filter names, newest first, with what a row shows."""
    alerts = hierarchy.in_subtree(Alert.objects.all(), criteria.child or criteria.region)
    if criteria.kind:
        alerts = alerts.filter(kind=criteria.kind)
    if criteria.status == OPEN:
        alerts = alerts.filter(cleared_at__isnull=True)
    elif criteria.status == CLEARED:
        alerts = alerts.filter(cleared_at__isnull=False)
    if criteria.since:
        alerts = alerts.filter(raised_at__gte=_start_of_day(criteria.since))
    if criteria.until:
        alerts = alerts.filter(raised_at__lte=end_of_day(criteria.until))
    return alerts.select_related("region", "project", "collective").order_by("-raised_at", "-id")


def open_by_kind(code: str) -> dict[str, int]:
    """Open alerts inside a place, by kind (every kind present, zero when none)."""
    counts = dict(
        hierarchy.in_subtree(Alert.objects.filter(cleared_at__isnull=True), code)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    return {kind: counts.get(kind, 0) for kind in AlertKind.values}


@dataclass
class PlaceAlerts:
    """Open alerts of one child place (or of the place's own level), by kind."""

    code: str
    name: str
    is_own_level: bool
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def counts(self) -> list[int]:
        """The counts in the order of AlertKind, for the table's columns."""
        return [self.by_kind.get(kind, 0) for kind in AlertKind.values]


def child_places(region: Region) -> list[Region]:
    return list(hierarchy.children(region.code).only("code", "name").order_by("code"))


def open_by_child(region: Region, children: list[Region]) -> list[PlaceAlerts]:
    """Open alerts of each child place by kind, in one grouped query; a row for the
    place's own level only when something is raised there."""
    places = {child.code: PlaceAlerts(child.code, child.name, False) for child in children}
    length = hierarchy.child_prefix_length(region.code)
    if length is None:
        return []
    rows = (
        hierarchy.in_subtree(Alert.objects.filter(cleared_at__isnull=True), region.code)
        .order_by()
        .annotate(prefix=Substr("region_id", 1, length))
        .values_list("prefix", "kind")
        .annotate(n=Count("id"))
    )
    own = PlaceAlerts(region.code, region.name, True)
    for prefix, kind, n in rows:
        code = hierarchy.pad_code(prefix)
        if code == region.code:
            place = own
        else:
            # A place missing from the register still shows, under its code.
            place = places.setdefault(code, PlaceAlerts(code, code, False))
        place.by_kind[kind] = place.by_kind.get(kind, 0) + n
    return [*places.values(), *([own] if own.by_kind else [])]


def alerts_in_scopes(scopes: list[str] | None) -> QuerySet[Alert]:
    """Alerts inside any of the places `scopes` names (None: all of them)."""
    alerts = Alert.objects.all()
    if scopes is None:
        return alerts
    return hierarchy.in_any_subtree(alerts, scopes)
