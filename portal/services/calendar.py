from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar
import holidays as holidays_package
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import AuditAction, CalendarDay, DayKind, WorkdayYear
from portal.services.audit import audit_record
from portal.services.errors import DomainError

# chinesecalendar names its holidays in English; the portal shows Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass
class CalendarLoad:
    year: int
    holidays: int
    workdays: int
    # Weekday holidays on which the two packages disagree: a reason to check by hand.
    disagreements: list[str] = field(default_factory=list)


def schedule_from_package(year: int) -> dict[dt.date, tuple[str, str]]:
    """{date: (kind, name)} for a year, from the chinesecalendar package."""
    days: dict[dt.date, tuple[str, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year == year:
            days[day] = (DayKind.HOLIDAY, HOLIDAY_NAMES.get(str(name), str(name)))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year:
            days[day] = (DayKind.WORKDAY, HOLIDAY_NAMES.get(str(name), str(name)))
    return days


def cross_check(year: int, schedule: dict[dt.date, tuple[str, str]]) -> list[str]:
    """Compare the weekday rest days with the `holidays` package's list for China."""
    try:
        other = holidays_package.country_holidays("CN", years=year)
    except NotImplementedError:
        return []
    ours = {
        d for d, (kind, _name) in schedule.items() if kind == DayKind.HOLIDAY and d.weekday() < 5
    }
    theirs = {d for d in other if d.weekday() < 5}
    if not theirs:
        return [_("holidays 包没有%(year)d年的数据，无法交叉核对。") % {"year": year}]
    notes = [
        _("%(day)s 在 chinesecalendar 中为假日，holidays 包未列出") % {"day": d}
        for d in sorted(ours - theirs)
    ]
    notes += [
        _("%(day)s 在 holidays 包中为假日，chinesecalendar 未列出") % {"day": d}
        for d in sorted(theirs - ours)
    ]
    return notes


def package_years() -> list[int]:
    return sorted({d.year for d in chinese_calendar.holidays})


@transaction.atomic
def calendar_load_year(
    *, year: int, actor: Any, replace: bool = False, require_agreement: bool = False
) -> CalendarLoad:
    """Load a year's official schedule. An already loaded year is left alone (officials may
    have corrected it in the admin) unless `replace` is given."""
    schedule = schedule_from_package(year)
    if not schedule:
        raise DomainError(
            _("chinesecalendar 包中没有%(year)d年的节假日安排，请在后台手工录入。") % {"year": year}
        )
    disagreements = cross_check(year, schedule)
    if require_agreement and disagreements:
        raise DomainError("; ".join(disagreements))
    existing = WorkdayYear.objects.filter(year=year).first()
    if existing and not replace:
        return CalendarLoad(year, 0, 0, disagreements)
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=kind, name=name)
        for day, (kind, name) in sorted(schedule.items())
    )
    version = getattr(chinese_calendar, "__version__", "")
    record, _created = WorkdayYear.objects.update_or_create(
        year=year,
        defaults={"source": f"chinesecalendar {version}".strip(), "loaded_by": actor or None},
    )
    counts = {
        "holidays": sum(1 for kind, _n in schedule.values() if kind == DayKind.HOLIDAY),
        "workdays": sum(1 for kind, _n in schedule.values() if kind == DayKind.WORKDAY),
    }
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=record,
        changes={key: [0, value] for key, value in counts.items()},
        note="; ".join(disagreements)[:300],
    )
    return CalendarLoad(year, counts["holidays"], counts["workdays"], disagreements)
