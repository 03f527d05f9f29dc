"""Mailbox statistics per place and per unit: received, replied, replied on time, average
working days to reply, satisfaction (信箱统计).

Definitions (the public page and the supervisors' dashboard say the same):

- received (收到来信): every letter in scope, rejected ones included;
- replied (已答复): letters answered, i.e. status 已答复 or 已办结 (a reopened letter
  counts again once it is answered again);
- on time (按期答复): replied with replied_at <= due_at;
- on-time rate (按期答复率) = on time ÷ (replied + open letters already past their
  deadline). A letter still inside its deadline is not counted yet; an overdue one
  counts against the office before it is answered, not only after;
- average working days to reply (平均答复用时): working days from receipt to reply,
  counted as portal.workdays.count_working_days does (days d with receipt < d <= reply,
  in Asia/Shanghai, on the official calendar), averaged over the replied letters;
- satisfaction (满意率) = (满意 + 基本满意) ÷ letters rated.

Everything comes from one SQL statement per page, whatever the number of letters: the
letters in scope are grouped by child place with GROUP BY ROLLUP (the rollup row is the
total), and the working days are a join to a running count of working days over a
window of dates, built in the statement from portal_calendarday and the weekday rule
(the same rule as portal.workdays; tests/mailbox/test_stats.py holds them together).
Calling count_working_days per letter would be 100,000 calendar walks for the city; the
running count turns each letter into two hash lookups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from mailbox.models import Letter, Rating
from mailbox.models.letters import OPEN_STATUSES
from mailbox.selectors import ANSWERED_STATUSES, LetterFilter, filter_letters
from portal import cachesafe, hierarchy
from portal.models import DayKind, Region, Unit
from portal.workdays import missing_years

_ONE_DECIMAL = Decimal("0.1")
SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASIC)


def percent(part: int, whole: int) -> Decimal | None:
    """part/whole as a percentage with one decimal; None when there is nothing to count."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


@dataclass
class LetterStats:
    received: int = 0
    replied: int = 0
    on_time: int = 0
    open: int = 0
    overdue: int = 0
    rated: int = 0
    satisfied: int = 0  # 满意 or 基本满意
    reply_days: int = 0  # working days from receipt to reply, summed over replied letters
    # The replies span a year whose holiday schedule is not loaded: the average is
    # computed on weekends alone there, and the page must say so.
    provisional: bool = False

    @property
    def counted(self) -> int:
        """Letters whose deadline has come: the denominator of the on-time rate."""
        return self.replied + self.overdue

    @property
    def late(self) -> int:
        return self.counted - self.on_time

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.counted)

    @property
    def average_reply_days(self) -> Decimal | None:
        if not self.replied:
            return None
        return (Decimal(self.reply_days) / self.replied).quantize(_ONE_DECIMAL, ROUND_HALF_UP)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return percent(self.satisfied, self.rated)


@dataclass
class PlaceStats:
    code: str
    name: str
    is_own_level: bool  # the units at the place itself, not inside a child place
    stats: LetterStats


# The letters stream through one pass: no materialised CTE, so nothing spills to disk.
# `days` numbers the working days of a window of dates (a few years, a few hundred rows);
# n(day) counts them up to and including the day, so the working days in
# (received, replied] are n(replied) - n(received). An answered letter outside the
# window is counted in the last column, and the caller widens the window.
_STATS_SQL = """
WITH days AS (
    SELECT g.day::date AS day,
           sum(CASE c.kind WHEN %s THEN 1 WHEN %s THEN 0
                   ELSE CASE WHEN extract(isodow FROM g.day) < 6 THEN 1 ELSE 0 END END)
               OVER (ORDER BY g.day) AS n
    FROM generate_series(%s::date, %s::date, interval '1 day') AS g(day)
    LEFT JOIN portal_calendarday c ON c.date = g.day::date
),
base (code, unit_id, status, received_at, replied_at, due_at, rating) AS ({base}),
letters AS (
    SELECT {key} AS key,
           status = ANY(%s) AS answered,
           status = ANY(%s) AS is_open,
           replied_at <= due_at AS in_time,
           due_at,
           rating,
           (received_at AT TIME ZONE %s)::date AS received_on,
           (replied_at AT TIME ZONE %s)::date AS replied_on
    FROM base
)
SELECT l.key,
       count(*),
       count(*) FILTER (WHERE l.answered),
       count(*) FILTER (WHERE l.answered AND l.in_time),
       count(*) FILTER (WHERE l.is_open),
       count(*) FILTER (WHERE l.is_open AND l.due_at < %s),
       count(*) FILTER (WHERE l.rating <> ''),
       count(*) FILTER (WHERE l.rating = ANY(%s)),
       coalesce(sum(r.n - s.n) FILTER (WHERE l.answered), 0),
       min(l.received_on) FILTER (WHERE l.answered),
       max(l.replied_on) FILTER (WHERE l.answered),
       count(*) FILTER (WHERE l.answered AND (s.day IS NULL OR r.day IS NULL))
FROM letters l
LEFT JOIN days s ON l.answered AND s.day = l.received_on
LEFT JOIN days r ON l.answered AND r.day = l.replied_on
GROUP BY ROLLUP (l.key)
"""
# The first window of dates: Januaries of this year and the last few; older letters
# make a second pass with the exact span.
WINDOW_YEARS = 3


def _run(
    base_sql: str,
    base_params: tuple,
    key_sql: str,
    key_params: list,
    now: dt.datetime,
    window: tuple[dt.date, dt.date],
) -> list[tuple]:
    tz = settings.TIME_ZONE
    params = [
        DayKind.WORKDAY.value,
        DayKind.HOLIDAY.value,
        *window,
        *base_params,
        *key_params,
        list(ANSWERED_STATUSES),
        list(OPEN_STATUSES),
        tz,
        tz,
        now,
        list(SATISFIED_RATINGS),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL's JIT compiles this statement for ~30 ms and saves less than that
        # (measured in bench/letters.py); the setting ends with the transaction.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_STATS_SQL.format(base=base_sql, key=key_sql), params)
        return cursor.fetchall()


def _grouped(
    letters: QuerySet[Letter], now: dt.datetime, *, prefix_length: int | None = None
) -> tuple[LetterStats, dict[str | int, LetterStats]]:
    """(total, {key: stats}) in one statement (two for letters answered before the
    window). The key is the padded code of the child place (the code's first
    `prefix_length` characters), or the unit id without one."""
    base = letters.order_by().values_list(
        "region_id", "unit_id", "status", "received_at", "replied_at", "due_at", "rating"
    )
    base_sql, base_params = base.query.sql_with_params()
    if prefix_length:
        key_sql, key_params = "substr(code, 1, %s)", [prefix_length]
    else:
        key_sql, key_params = "unit_id", []
    today = timezone.localdate(now)
    window = (dt.date(today.year - WINDOW_YEARS, 1, 1), today + dt.timedelta(days=1))
    rows = _run(base_sql, base_params, key_sql, key_params, now, window)
    total_row = next((row for row in rows if row[0] is None), None)
    if total_row is not None and total_row[-1]:
        first_day, last_day = total_row[-3], total_row[-2]
        window = (min(first_day, window[0]), max(last_day, window[1]))
        rows = _run(base_sql, base_params, key_sql, key_params, now, window)

    total, groups = LetterStats(), {}
    first_day = last_day = None
    for key, *counts, first, last, _outside in rows:
        stats = LetterStats(*counts)
        if key is None:
            total, first_day, last_day = stats, first, last
        else:
            groups[hierarchy.pad_code(key) if prefix_length else key] = stats
    if first_day is not None and last_day is not None:
        total.provisional = bool(missing_years(list(range(first_day.year, last_day.year + 1))))
        for stats in groups.values():
            stats.provisional = total.provisional
    return total, groups


def place_stats(criteria: LetterFilter, now: dt.datetime | None = None) -> LetterStats:
    """The figures for the whole of criteria.region (or everything, without a region)."""
    total, _groups = _grouped(
        filter_letters(Letter.objects.all(), criteria),
        now or timezone.now(),
        prefix_length=hierarchy.CODE_LENGTH,
    )
    return total


def child_stats(
    region: Region, criteria: LetterFilter, now: dt.datetime | None = None
) -> tuple[LetterStats, list[PlaceStats]]:
    """The total for the place, and a row for its own-level units (when they have
    letters) and for each active child place, in code order: two queries in all."""
    letters = filter_letters(Letter.objects.all(), replace(criteria, region=region.code))
    child_length = hierarchy.child_prefix_length(region.code)
    total, groups = _grouped(
        letters, now or timezone.now(), prefix_length=child_length or hierarchy.CODE_LENGTH
    )
    rows = []
    own = groups.pop(region.code, None)
    if own is not None:
        rows.append(PlaceStats(region.code, region.name, True, own))
    if child_length is not None:
        for child in hierarchy.children(region.code).filter(is_active=True).order_by("code"):
            stats = groups.pop(child.code, None) or LetterStats(provisional=total.provisional)
            rows.append(PlaceStats(child.code, child.name, False, stats))
    # Letters of a place that has since been merged away still count, under their code.
    rows.extend(PlaceStats(code, code, False, stats) for code, stats in sorted(groups.items()))
    return total, rows


@dataclass
class UnitStats:
    unit: Unit
    stats: LetterStats


def unit_stats(
    region: Region, criteria: LetterFilter, now: dt.datetime | None = None
) -> list[UnitStats]:
    """A row for each active unit at the place itself (a county's departments, a
    village's committee), with its letters' figures: two queries."""
    letters = filter_letters(Letter.objects.filter(region_id=region.code), criteria)
    total, groups = _grouped(letters, now or timezone.now())
    return [
        UnitStats(unit, groups.get(unit.pk) or LetterStats(provisional=total.provisional))
        for unit in Unit.objects.filter(region=region, is_active=True).order_by("kind", "name")
    ]


@dataclass(frozen=True)
class HomeCounters:
    received: int
    replied: int
    on_time_rate: Decimal | None


def cache_seconds() -> int:
    """How long public figures may be served from the cache (local choice; 0 = never)."""
    return int(getattr(settings, "MAILBOX_STATS_CACHE_SECONDS", 300))


def home_counters(
    region_code: str, now: dt.datetime | None = None, *, cache_seconds: int = 0
) -> HomeCounters:
    """Received, replied and the on-time rate inside a place, for the home page: one
    aggregate query (no working-day join), ~80 ms for the city at 100,000 letters
    (bench/letters.py). With cache_seconds, the answer is kept that long per place."""
    if cache_seconds and now is None:
        key = f"mailbox:home:{region_code}"
        return cachesafe.get_or_compute(key, lambda: home_counters(region_code), cache_seconds)
    now = now or timezone.now()
    row = hierarchy.in_subtree(Letter.objects.all(), region_code).aggregate(
        received=Count("id"),
        replied=Count("id", filter=Q(status__in=ANSWERED_STATUSES)),
        on_time=Count("id", filter=Q(status__in=ANSWERED_STATUSES, replied_at__lte=F("due_at"))),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
    )
    return HomeCounters(
        received=row["received"],
        replied=row["replied"],
        on_time_rate=percent(row["on_time"], row["replied"] + row["overdue"]),
    )
