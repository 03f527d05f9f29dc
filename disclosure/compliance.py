"""Completeness and timeliness of disclosure (公开及时率): what was due, what came in time.

What is counted, for each active unit that follows a standard catalog:

* Periodic items (monthly, quarterly, yearly). Every period that ends on or after the
  unit's counting start and before today is due once. Its deadline is `schedule_days`
  working days after the period ends (monthly, quarterly) or schedule_month/schedule_day
  of the following year (yearly), and lasts to the end of that day in Asia/Shanghai. The
  period is *on time* when a record of that unit, item and period was published (it may
  have been withdrawn since) by the deadline, *late* when the first such record came
  after it, *missing* when none came and the deadline has passed, and *pending* (not
  counted) when none came and the deadline is still ahead.
* On-change and immediate items. Every record published with an information date on
  or after the counting start is counted once: *late* when
  count_working_days(info_date, published_at) > schedule_days, *on time* otherwise.

The counting start of a unit is the later of the day it was created and
settings.DISCLOSURE_COMPLIANCE_START (default: 1 January of the current year).

score = on_time / (on_time + late + missing) × 100, one decimal, half up; a unit (or a
place) with nothing counted has no score (None), which is not the same as 0. Late
counts as not on time: there is no half credit. A place's score is computed from the
summed counts of the units in its subtree, never by averaging unit scores.

Records are matched to a unit's current catalog items by (template key, 一级事项,
二级事项), so a record filed under an earlier version of the same template still counts.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from smtplib import SMTPException
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from psycopg import sql

from disclosure import catalogs
from disclosure.models import (
    CatalogItem,
    CatalogTemplate,
    LateRecord,
    PeriodOutcome,
    PeriodStatus,
    Record,
    RecordStatus,
    ReminderSent,
    ScheduleKind,
    UnitCompliance,
)
from disclosure.models.catalog import PERIODIC
from disclosure.services import period_bounds
from portal import hierarchy
from portal.models import Membership, Region, Unit
from portal.workdays import (
    WorkdayResult,
    add_working_days,
    end_of_day,
    local_date,
    missing_years,
    working_days,
)

logger = logging.getLogger(__name__)

BATCH_UNITS = 2000
INSERT_BATCH = 5000
# Published, or withdrawn after having been published: either way it went out.
WENT_OUT = (RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN)
_MONTHS_PER_PERIOD = {ScheduleKind.MONTHLY: 1, ScheduleKind.QUARTERLY: 3, ScheduleKind.YEARLY: 12}


# --- Settings ------------------------------------------------------------------------


def compliance_start(today: dt.date) -> dt.date:
    """The first day that counts: DISCLOSURE_COMPLIANCE_START, or 1 January this year
    (a supervisor reads "this year so far"; set the variable for a longer window)."""
    value = getattr(settings, "DISCLOSURE_COMPLIANCE_START", None)
    if not value:
        return dt.date(today.year, 1, 1)
    if isinstance(value, dt.datetime):
        return local_date(value)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ImproperlyConfigured(
            f"DISCLOSURE_COMPLIANCE_START must be a date (YYYY-MM-DD), not {value!r}"
        ) from None


def reminder_working_days() -> int:
    value = getattr(settings, "DISCLOSURE_REMINDER_WORKING_DAYS", 3)
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= 60:
        raise ImproperlyConfigured("DISCLOSURE_REMINDER_WORKING_DAYS must be 0–60 working days")
    return days


# --- Pure pieces ---------------------------------------------------------------------


def score_of(on_time: int, counted: int) -> Decimal | None:
    """on_time / counted as a percentage with one decimal; None when nothing is counted."""
    if counted <= 0:
        return None
    return (Decimal(on_time) * 100 / Decimal(counted)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def periods_between(kind: str, first: dt.date, today: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """The (start, end) of every month, quarter or year of `kind` that ends on or after
    `first` and before `today`: the periods that are over and so may be due."""
    step = _MONTHS_PER_PERIOD[ScheduleKind(kind)]
    month = (first.month - 1) // step * step + 1
    start = dt.date(first.year, month, 1)
    while True:
        start, end = period_bounds(kind, start)
        if end >= today:
            return
        yield start, end
        start = end + dt.timedelta(days=1)


def yearly_deadline(year: int, month: int, day: int) -> dt.date:
    """month/day of `year`; a day past the month's end (2月30日) means its last day."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def classify_period(
    deadline: dt.date,
    published_at: dt.datetime | None,
    today: dt.date,
    due_at: dt.datetime | None = None,
) -> PeriodOutcome:
    """The outcome of one period; `due_at` (the deadline's last instant) may be passed in
    when it is already known."""
    if published_at is not None:
        due_at = due_at or end_of_day(deadline)
        return PeriodOutcome.ON_TIME if published_at <= due_at else PeriodOutcome.LATE
    return PeriodOutcome.MISSING if today > deadline else PeriodOutcome.PENDING


class Period(NamedTuple):
    start: dt.date
    end: dt.date
    deadline: dt.date
    provisional: bool
    due_at: dt.datetime  # the end of the deadline day in Asia/Shanghai


class Deadlines:
    """Working-day arithmetic for one run, asked of portal.workdays as few times as
    possible (each add_working_days call costs two queries).

    Periodic deadlines meet only a few distinct (period end, days) pairs, so each is
    asked once. On-change records have hundreds of distinct information dates, so for
    those the run walks the working days once, one add_working_days(day, 1) step per
    working day, and answers every "n-th working day after d" from that list.
    """

    def __init__(self, origin: dt.date | None = None) -> None:
        self._memo: dict[tuple[dt.date, int], WorkdayResult] = {}
        # The walk starts here: the day before the first information date that counts.
        self._origin = origin
        self._days: list[dt.date] = []  # the working days after _origin, in order
        self._unknown_years: dict[int, bool] = {}

    def after(self, day: dt.date, days: int) -> WorkdayResult:
        key = (day, days)
        result = self._memo.get(key)
        if result is None:
            result = self._memo[key] = add_working_days(day, days)
        return result

    def nth_working_day(self, day: dt.date, days: int) -> dt.date:
        """add_working_days(day, days).date, from the walked list."""
        if days == 0:
            return day
        if self._origin is None or day < self._origin:
            return self.after(day, days).date
        while not self._days or self._days[-1] <= day:
            self._step()
        index = bisect.bisect_right(self._days, day)
        while len(self._days) < index + days:
            self._step()
        return self._days[index + days - 1]

    def _step(self) -> None:
        # The next working days after the walked ones, two months at a time.
        last = self._days[-1] if self._days else self._origin
        self._days.extend(working_days(last + dt.timedelta(days=1), last + dt.timedelta(days=62)))

    def provisional(self, first: dt.date, last: dt.date) -> bool:
        """Whether a span touches a year whose holiday schedule is not loaded."""
        years = [y for y in range(first.year, last.year + 1) if y not in self._unknown_years]
        if years:
            unknown = set(missing_years(years))
            self._unknown_years.update({y: y in unknown for y in years})
        return any(self._unknown_years[y] for y in range(first.year, last.year + 1))

    def periodic(self, item: CatalogItem, period_end: dt.date) -> tuple[dt.date, bool]:
        """(deadline, provisional) of the period of `item` that ends on `period_end`."""
        if item.schedule_kind == ScheduleKind.YEARLY:
            deadline = yearly_deadline(period_end.year + 1, item.schedule_month, item.schedule_day)
            return deadline, False
        result = self.after(period_end, item.schedule_days)
        return result.date, result.provisional

    def on_change(self, item: CatalogItem, info_date: dt.date) -> tuple[dt.date, bool]:
        deadline = self.nth_working_day(info_date, item.schedule_days)
        return deadline, self.provisional(info_date, deadline)

    def on_change_late(
        self, item: CatalogItem, info_date: dt.date, published_at: dt.datetime
    ) -> bool:
        """count_working_days(info_date, published_at) > schedule_days: more than n working
        days lie in (info_date, published] exactly when the (n+1)-th working day after
        info_date falls on or before the publication date."""
        first_late = self.nth_working_day(info_date, item.schedule_days + 1)
        return local_date(published_at) >= first_late


# --- The catalog side of a run -------------------------------------------------------


@dataclass
class TemplatePlan:
    """What a unit following one template owes, over the whole counting window."""

    periodic: list[tuple[CatalogItem, list[Period]]] = field(default_factory=list)
    items: dict[int, CatalogItem] = field(default_factory=dict)


@dataclass
class Catalogs:
    templates: list[CatalogTemplate]
    plans: dict[int, TemplatePlan]
    # Any version's item id → the current item with the same template key and names.
    alias: dict[int, CatalogItem]


def _catalogs(global_start: dt.date, today: dt.date, deadlines: Deadlines) -> Catalogs:
    templates = catalogs.current_templates()
    current_items = list(
        CatalogItem.objects.filter(template__in=templates).select_related("template")
    )
    by_name = {(i.template.key, i.level1, i.level2): i for i in current_items}
    alias = {
        pk: by_name[(key, level1, level2)]
        for pk, key, level1, level2 in CatalogItem.objects.filter(
            template__key__in=[t.key for t in templates]
        ).values_list("pk", "template__key", "level1", "level2")
        if (key, level1, level2) in by_name
    }
    plans = {t.pk: TemplatePlan() for t in templates}
    for item in sorted(current_items, key=lambda i: i.seq):
        plan = plans[item.template_id]
        plan.items[item.pk] = item
        if item.schedule_kind in PERIODIC:
            periods = []
            for start, end in periods_between(item.schedule_kind, global_start, today):
                deadline, provisional = deadlines.periodic(item, end)
                periods.append(Period(start, end, deadline, provisional, end_of_day(deadline)))
            plan.periodic.append((item, periods))
    return Catalogs(templates=templates, plans=plans, alias=alias)


def _units(units: Iterable[Unit | int] | None) -> QuerySet[Unit]:
    queryset = Unit.objects.filter(is_active=True).select_related("region")
    if units is not None:
        ids = [u.pk if isinstance(u, Unit) else int(u) for u in units]
        queryset = queryset.filter(pk__in=ids)
    return queryset.only("id", "kind", "sector", "region_id", "created_at", "region__tier")


def _unit_start(unit: Unit, global_start: dt.date) -> dt.date:
    return max(global_start, local_date(unit.created_at))


# --- Refresh -------------------------------------------------------------------------


@dataclass
class RefreshResult:
    units: int = 0
    periods: int = 0
    late_records: int = 0


# PeriodStatus rows travel as tuples in this order: a city has about a million of them,
# too many to build as model instances and insert through the ORM every night.
PERIOD_COLUMNS = (
    "unit_id",
    "item_id",
    "region_code",
    "period_start",
    "period_end",
    "deadline",
    "deadline_provisional",
    "status",
    "record_id",
    "published_at",
)


@dataclass
class _UnitResult:
    row: UnitCompliance
    periods: list[tuple[Any, ...]]
    late: list[LateRecord]


def _write_periods(unit_ids: list[int], rows: list[tuple[Any, ...]]) -> None:
    """Make the PeriodStatus rows of these units equal to `rows`, touching only the rows
    that changed: from one night to the next that is a few periods falling due, not the
    million rows of the city."""
    key_of = itemgetter(0, 1, 3)  # unit, item, period_start
    stored = {
        key_of(row): (pk, row)
        for pk, *row in PeriodStatus.objects.filter(unit_id__in=unit_ids)
        .order_by()
        .values_list("pk", *PERIOD_COLUMNS)
        .iterator(chunk_size=10000)
    }
    fresh = []
    for row in rows:
        known = stored.pop(key_of(row), None)
        if known is None:
            fresh.append(row)
        elif tuple(known[1]) != row:
            stored[key_of(row)] = known  # replaced below: deleted, then inserted anew
            fresh.append(row)
    stale = [pk for pk, _row in stored.values()]
    for start in range(0, len(stale), INSERT_BATCH):
        PeriodStatus.objects.filter(pk__in=stale[start : start + INSERT_BATCH]).delete()
    _copy_periods(fresh)


def _copy_periods(rows: list[tuple[Any, ...]]) -> None:
    """Insert PeriodStatus rows with COPY: ~20× faster than bulk_create at this size."""
    if not rows:
        return
    meta = PeriodStatus._meta
    columns = [meta.get_field(name).column for name in PERIOD_COLUMNS]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _published_records(
    unit_ids: list[int], alias: dict[int, CatalogItem], today: dt.date
) -> Iterator[tuple[int, int, int, dt.date | None, dt.date, dt.datetime]]:
    """(record, unit, item, period_start, info_date, published_at) of everything that went
    out by the end of `today`, for these units: one query."""
    return (
        Record.objects.filter(
            unit_id__in=unit_ids,
            item_id__in=list(alias),
            status__in=WENT_OUT,
            published_at__lte=end_of_day(today),
        )
        .order_by()
        .values_list("pk", "unit_id", "item_id", "period_start", "info_date", "published_at")
        .iterator(chunk_size=5000)
    )


def _compute_unit(
    unit: Unit,
    plan: TemplatePlan,
    start: dt.date,
    firsts: dict[tuple[int, dt.date], tuple[dt.datetime, int]],
    on_change: list[tuple[int, CatalogItem, dt.date, dt.datetime]],
    deadlines: Deadlines,
    today: dt.date,
) -> _UnitResult:
    counts = dict.fromkeys(PeriodOutcome.values, 0)
    periods = []
    for item, item_periods in plan.periodic:
        for period_start, period_end, deadline, provisional, due_at in item_periods:
            if period_end < start:
                continue
            published_at, record_id = firsts.get((item.pk, period_start), (None, None))
            status = classify_period(deadline, published_at, today, due_at)
            counts[status] += 1
            periods.append(
                (
                    unit.pk,
                    item.pk,
                    unit.region_id,
                    period_start,
                    period_end,
                    deadline,
                    provisional,
                    status,
                    record_id,
                    published_at,
                )
            )
    late = []
    for record_id, item, info_date, published_at in on_change:
        if info_date < start:
            continue
        if deadlines.on_change_late(item, info_date, published_at):
            counts[PeriodOutcome.LATE] += 1
            deadline, provisional = deadlines.on_change(item, info_date)
            late.append(
                LateRecord(
                    record_id=record_id,
                    unit_id=unit.pk,
                    item_id=item.pk,
                    info_date=info_date,
                    deadline=deadline,
                    deadline_provisional=provisional,
                    published_at=published_at,
                )
            )
        else:
            counts[PeriodOutcome.ON_TIME] += 1
    on_time, n_late, missing = (
        counts[PeriodOutcome.ON_TIME],
        counts[PeriodOutcome.LATE],
        counts[PeriodOutcome.MISSING],
    )
    row = UnitCompliance(
        unit_id=unit.pk,
        region_code=unit.region_id,
        as_of=today,
        on_time=on_time,
        late=n_late,
        missing=missing,
        pending=counts[PeriodOutcome.PENDING],
        score=score_of(on_time, on_time + n_late + missing),
    )
    return _UnitResult(row=row, periods=periods, late=late)


def _refresh_batch(
    batch: list[Unit], run: Catalogs, global_start: dt.date, deadlines: Deadlines, today: dt.date
) -> RefreshResult:
    ids = [unit.pk for unit in batch]
    firsts: dict[int, dict[tuple[int, dt.date], tuple[dt.datetime, int]]] = defaultdict(dict)
    on_change: dict[int, list[tuple[int, CatalogItem, dt.date, dt.datetime]]] = defaultdict(list)
    for record_id, unit_id, item_id, period_start, info_date, published_at in _published_records(
        ids, run.alias, today
    ):
        item = run.alias[item_id]
        if item.schedule_kind in PERIODIC:
            if period_start is None:
                continue
            key = (item.pk, period_start)
            known = firsts[unit_id].get(key)
            # The first publication decides; a later correction does not make it late.
            if known is None or published_at < known[0]:
                firsts[unit_id][key] = (published_at, record_id)
        else:
            on_change[unit_id].append((record_id, item, info_date, published_at))

    results = []
    for unit in batch:
        template = catalogs.catalog_for_unit(unit, run.templates)
        plan = run.plans.get(template.pk) if template else None
        if plan is None:
            # No catalog (accounting centre, supervisory committee): a row with no score.
            results.append(
                _UnitResult(
                    row=UnitCompliance(unit_id=unit.pk, region_code=unit.region_id, as_of=today),
                    periods=[],
                    late=[],
                )
            )
            continue
        # Records under items of another template (the unit changed kind) do not count.
        mine = [entry for entry in on_change.get(unit.pk, ()) if entry[1].pk in plan.items]
        results.append(
            _compute_unit(
                unit,
                plan,
                _unit_start(unit, global_start),
                firsts.get(unit.pk, {}),
                mine,
                deadlines,
                today,
            )
        )

    periods = [p for r in results for p in r.periods]
    late = [x for r in results for x in r.late]
    with transaction.atomic():
        _write_periods(ids, periods)
        LateRecord.objects.filter(unit_id__in=ids).delete()
        UnitCompliance.objects.filter(unit_id__in=ids).delete()
        UnitCompliance.objects.bulk_create([r.row for r in results], batch_size=INSERT_BATCH)
        LateRecord.objects.bulk_create(late, batch_size=INSERT_BATCH)
    return RefreshResult(units=len(batch), periods=len(periods), late_records=len(late))


def compliance_refresh(
    *, units: Iterable[Unit | int] | None = None, today: dt.date | None = None
) -> RefreshResult:
    """Recompute UnitCompliance, PeriodStatus and LateRecord for `units` (all when None).

    Units are done in batches of BATCH_UNITS, each in its own transaction, so dashboards
    read either the old or the new numbers of a unit, never half of each; the published
    records of a batch are read with one query, and only the PeriodStatus rows that
    changed are rewritten. Units that are gone or deactivated lose their rows. The whole
    demo city (10,200 units, ~1 million periods) takes about 20–30 seconds.
    """
    today = today or timezone.localdate()
    requested = None if units is None else [u.pk if isinstance(u, Unit) else int(u) for u in units]
    global_start = compliance_start(today)
    deadlines = Deadlines(origin=global_start - dt.timedelta(days=1))
    run = _catalogs(global_start, today, deadlines)
    # Ten thousand units with a handful of fields each: one query, held in memory.
    active = list(_units(requested).order_by("pk"))

    total = RefreshResult()
    for start in range(0, len(active), BATCH_UNITS):
        _add(
            total,
            _refresh_batch(
                active[start : start + BATCH_UNITS], run, global_start, deadlines, today
            ),
        )
    seen = {unit.pk for unit in active}

    stale = UnitCompliance.objects.exclude(unit_id__in=seen)
    if requested is not None:
        stale = stale.filter(unit_id__in=requested)
    stale_ids = list(stale.values_list("unit_id", flat=True))
    if stale_ids:
        with transaction.atomic():
            PeriodStatus.objects.filter(unit_id__in=stale_ids).delete()
            LateRecord.objects.filter(unit_id__in=stale_ids).delete()
            UnitCompliance.objects.filter(unit_id__in=stale_ids).delete()
    logger.info(
        "compliance refreshed: %d units, %d periods, %d late records",
        total.units,
        total.periods,
        total.late_records,
    )
    return total


def _add(total: RefreshResult, part: RefreshResult) -> None:
    total.units += part.units
    total.periods += part.periods
    total.late_records += part.late_records


# --- Reading the precomputed tables --------------------------------------------------

_SUMS = {
    "on_time": Sum("on_time"),
    "late": Sum("late"),
    "missing": Sum("missing"),
    "pending": Sum("pending"),
    "units": Count("unit_id"),
}


@dataclass
class Rollup:
    """Summed counts of the units of a place."""

    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0
    units: int = 0

    @classmethod
    def of(cls, sums: dict[str, Any]) -> Rollup:
        return cls(**{name: sums.get(name) or 0 for name in _SUMS})

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def score(self) -> Decimal | None:
        return score_of(self.on_time, self.counted)


def compliance_in(code: str) -> QuerySet[UnitCompliance]:
    """Rows of every unit inside the place `code`."""
    return hierarchy.in_subtree(UnitCompliance.objects.all(), code, field="region_code")


def place_rollup(code: str) -> Rollup:
    return Rollup.of(compliance_in(code).aggregate(**_SUMS))


@dataclass
class PlaceRollup:
    code: str
    name: str
    is_own_level: bool
    rollup: Rollup


def child_rollups(region: Region) -> list[PlaceRollup]:
    """The place's own-level units, then each child place: two queries in all."""
    length = hierarchy.child_prefix_length(region.code)
    if length is None:
        return []
    sums = {
        hierarchy.pad_code(row.pop("prefix")): Rollup.of(row)
        for row in compliance_in(region.code)
        .annotate(prefix=Substr("region_code", 1, length))
        .order_by()
        .values("prefix")
        .annotate(**_SUMS)
    }
    rows = []
    own = sums.pop(region.code, None)
    if own is not None:
        rows.append(PlaceRollup(region.code, region.name, True, own))
    for child in hierarchy.children(region.code).filter(is_active=True).order_by("code"):
        rows.append(PlaceRollup(child.code, child.name, False, sums.pop(child.code, Rollup())))
    # Units in a place that is no longer active still count, under their code.
    for code, rollup in sorted(sums.items()):
        rows.append(PlaceRollup(code, code, False, rollup))
    return rows


def lagging_units(code: str) -> QuerySet[UnitCompliance]:
    """Units with something counted, the worst first: lowest score, then most missing."""
    return (
        compliance_in(code)
        .filter(score__isnull=False)
        .select_related("unit", "unit__region")
        .order_by("score", "-missing", "-late", "unit__name", "unit_id")
    )


def unit_issues(unit: Unit) -> dict[str, list[Any]]:
    """A unit's missing, late and pending periods and its late records, for the drill-down:
    two queries however many there are."""
    issues: dict[str, list[Any]] = {status: [] for status in PeriodOutcome.values}
    for period in (
        PeriodStatus.objects.filter(unit=unit)
        .exclude(status=PeriodOutcome.ON_TIME)
        .select_related("item")
        .order_by("deadline", "item__seq")
    ):
        period.label = period_label(period.item.schedule_kind, period.period_start)
        issues[period.status].append(period)
    issues["late_records"] = list(
        LateRecord.objects.filter(unit=unit)
        .select_related("item", "record")
        .order_by("deadline", "record_id")
    )
    return issues


# --- Reminders -----------------------------------------------------------------------


def format_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_label(kind: str, start: dt.date) -> str:
    """2026年9月, 2026年第3季度, 2026年度."""
    if kind == ScheduleKind.MONTHLY:
        return f"{start.year}年{start.month}月"
    if kind == ScheduleKind.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年度"


@dataclass(frozen=True)
class DuePeriod:
    item: CatalogItem
    period_start: dt.date
    period_end: dt.date
    deadline: dt.date
    provisional: bool


def _reminder_message(unit: Unit, due: list[DuePeriod]) -> tuple[str, str]:
    lines = []
    for entry in due:
        provisional = "（暂定）" if entry.provisional else ""
        lines.append(
            f"- {entry.item.level1} · {entry.item.level2}"
            f"（{period_label(entry.item.schedule_kind, entry.period_start)}），"
            f"公开期限：{format_date(entry.deadline)}{provisional}"
        )
    subject = f"【政务公开提醒】{unit.name}：{len(due)}项定期公开事项即将到期"
    body = "\n".join(
        [
            f"{unit.name}：",
            "",
            "以下定期公开事项尚未发布，请在公开期限届满前发布：",
            "",
            *lines,
            "",
            f"本邮件由{settings.PORTAL_SITE_NAME}自动发送；每个事项每期只提醒一次。",
        ]
    )
    return subject, body


@transaction.atomic
def reminder_send(
    *, unit: Unit, due: list[DuePeriod], recipients: list[str], mail_connection: Any = None
) -> None:
    """Claim every (unit, item, period) of `due`, then send one email about them.

    The claims are unique rows written before the email goes out, in one transaction: if
    another run claimed any of them first, IntegrityError is raised and nothing is sent
    here (that run sends); if sending fails, the claims roll back and the next run retries.
    """
    ReminderSent.objects.bulk_create(
        ReminderSent(
            unit_id=unit.pk,
            item_id=entry.item.pk,
            period_start=entry.period_start,
            deadline=entry.deadline,
        )
        for entry in due
    )
    subject, body = _reminder_message(unit, due)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, connection=mail_connection)


def reminders_send(*, today: dt.date | None = None) -> int:
    """Email each unit's officials about the periods that fall due within
    DISCLOSURE_REMINDER_WORKING_DAYS working days and have not been published yet: one
    email per unit, each (unit, item, period) at most once (see reminder_send).
    Returns the number of emails sent.
    """
    today = today or timezone.localdate()
    horizon = add_working_days(today, reminder_working_days()).date
    global_start = compliance_start(today)
    run = _catalogs(global_start, today, Deadlines())
    due_by_template: dict[int, list[DuePeriod]] = defaultdict(list)
    for template_id, plan in run.plans.items():
        for item, periods in plan.periodic:
            for period in periods:
                if today <= period.deadline <= horizon:
                    due_by_template[template_id].append(
                        DuePeriod(
                            item, period.start, period.end, period.deadline, period.provisional
                        )
                    )
    if not due_by_template:
        return 0

    recipients: dict[int, set[str]] = defaultdict(set)
    for unit_id, email in (
        Membership.objects.filter(unit__is_active=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("unit_id", "user__email")
    ):
        recipients[unit_id].add(email)
    units = list(_units(recipients).order_by("pk"))
    unit_ids = [unit.pk for unit in units]
    due_items = {entry.item.pk for entries in due_by_template.values() for entry in entries}
    due_starts = {entry.period_start for entries in due_by_template.values() for entry in entries}
    # What went out, and what was reminded already: two queries, not one per unit.
    done = {
        (unit_id, run.alias[item_id].pk, period_start)
        for unit_id, item_id, period_start in Record.objects.filter(
            unit_id__in=unit_ids,
            item_id__in=[pk for pk, item in run.alias.items() if item.pk in due_items],
            period_start__in=due_starts,
            status__in=WENT_OUT,
        ).values_list("unit_id", "item_id", "period_start")
    }
    done.update(
        ReminderSent.objects.filter(
            unit_id__in=unit_ids, item_id__in=due_items, period_start__in=due_starts
        ).values_list("unit_id", "item_id", "period_start")
    )

    sent = 0
    mail_connection = get_connection()
    opened = False
    try:
        for unit in units:
            template = catalogs.catalog_for_unit(unit, run.templates)
            if template is None:
                continue
            start = _unit_start(unit, global_start)
            due = [
                entry
                for entry in due_by_template.get(template.pk, ())
                if entry.period_end >= start
                and (unit.pk, entry.item.pk, entry.period_start) not in done
            ]
            if not due:
                continue
            if not opened:
                try:
                    mail_connection.open()  # one connection for the whole run
                except (SMTPException, OSError):
                    logger.exception("deadline reminders: the mail server is unreachable")
                    break  # nothing was claimed: the next run sends everything
                opened = True
            try:
                reminder_send(
                    unit=unit,
                    due=due,
                    recipients=sorted(recipients[unit.pk]),
                    mail_connection=mail_connection,
                )
            except IntegrityError:
                continue  # a concurrent run claimed them and sends them
            except (SMTPException, OSError):
                # Claims rolled back with the failed send: the next run tries again.
                logger.exception("deadline reminder for unit %s not sent", unit.pk)
                continue
            sent += 1
    finally:
        mail_connection.close()
    logger.info("deadline reminders sent: %d", sent)
    return sent
