"""Working days on the official calendar: Monday–Friday, minus holidays, plus the weekend
days declared make-up working days (调休).

Deadlines count from the day after the starting instant, in Asia/Shanghai. A span that
touches a year whose schedule is not loaded is computed on weekends alone and returned
with provisional=True: the caller must say so, never present it as final.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from portal.models import CalendarDay, DayKind, WorkdayYear

MAX_DAYS = 366


@dataclass(frozen=True)
class WorkdayResult:
    date: dt.date
    provisional: bool
    # Holidays and weekend days passed over on the way, for explaining a deadline.
    skipped: tuple[CalendarDay, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class WorkdayCount:
    days: int
    provisional: bool


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date of an instant in the portal's time zone."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("an instant must carry its time zone")
        return timezone.localtime(value).date()
    return value


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of a calendar day in the portal's time zone (when a deadline ends)."""
    naive = dt.datetime.combine(day, dt.time(23, 59, 59, 999999))
    return timezone.make_aware(naive, timezone.get_default_timezone())


class _Calendar:
    """The overrides and loaded years for one span, fetched with two queries."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.days = {day.date: day for day in CalendarDay.objects.filter(date__range=(first, last))}
        self.loaded_years = set(WorkdayYear.objects.values_list("year", flat=True))

    def is_working_day(self, day: dt.date) -> bool:
        override = self.days.get(day)
        if override is not None:
            return override.kind == DayKind.WORKDAY
        return day.weekday() < 5

    def provisional(self, first: dt.date, last: dt.date) -> bool:
        return any(year not in self.loaded_years for year in range(first.year, last.year + 1))


def add_working_days(start: dt.date | dt.datetime, days: int) -> WorkdayResult:
    """The date on which the `days`-th working day after `start` falls.

    add_working_days(2026-09-28, 5) is 2026-10-10: 29th and 30th, then the National Day
    holiday, then 8th, 9th and the make-up Saturday 10th.
    """
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 0 and {MAX_DAYS}")
    origin = local_date(start)
    # Long holidays are at most ~9 days, so twice the span plus a month always suffices.
    calendar = _Calendar(origin, origin + dt.timedelta(days=days * 2 + 31))
    current, counted, skipped = origin, 0, []
    while counted < days:
        current += dt.timedelta(days=1)
        if calendar.is_working_day(current):
            counted += 1
        elif current in calendar.days:
            skipped.append(calendar.days[current])
    return WorkdayResult(
        date=current, provisional=calendar.provisional(origin, current), skipped=tuple(skipped)
    )


def count_working_days(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> WorkdayCount:
    """Working days d with start < d <= end (calendar dates in the portal's time zone);
    negative when end comes before start."""
    first, last = local_date(start), local_date(end)
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    calendar = _Calendar(first, last)
    total = sum(
        1
        for offset in range(1, (last - first).days + 1)
        if calendar.is_working_day(first + dt.timedelta(days=offset))
    )
    return WorkdayCount(days=sign * total, provisional=calendar.provisional(first, last))


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every working day from `first` to `last` inclusive, in order (two queries): for code
    that needs many deadlines at once and answers them from the list."""
    calendar = _Calendar(first, last)
    span = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in span if calendar.is_working_day(day)]


def missing_years(years: list[int]) -> list[int]:
    loaded = set(WorkdayYear.objects.filter(year__in=years).values_list("year", flat=True))
    return [year for year in years if year not in loaded]
