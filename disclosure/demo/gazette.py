"""The city government's gazette (成都市人民政府公报) over the demo's span: one issue a
month, 2025年第1期 (总第1期) to the last complete month, each out on the 15th of the
next month (or the next working day), its table of contents the city-level policy
documents made that month.

Written after the records, from the database: whatever the planner gave the city
government and its departments (disclosure.demo.city makes sure that is a few a month).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from disclosure.demo.context import CITY_GOVERNMENT, FIRST_DAY, LAST_DAY, WorkingDays
from disclosure.models import GazetteEntry, GazetteIssue, Record, RecordKind, RecordStatus
from portal.demo.geography import CITY_CODE
from portal.models import AuditAction, Unit, UnitKind
from portal.services.audit import audit_record

# The gazette's sections, in the order an issue prints them.
SECTIONS = ("市政府文件", "市政府办公厅文件", "部门文件")
PUBLISHED_ON_DAY = 15


@dataclass
class DemoGazette:
    issues_created: int = 0
    entries_created: int = 0


def section_of(unit_kind: str, title: str) -> str:
    """The government's documents in its own name or its general office's (the office
    issues under the government's unit); everything else is a department's."""
    if unit_kind != UnitKind.GOVERNMENT:
        return "部门文件"
    if title.startswith(f"{CITY_GOVERNMENT}办公厅"):
        return "市政府办公厅文件"
    return "市政府文件"


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def issue_dates(first_day: dt.date, last_day: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(month, publication day) of every issue out by `last_day`: the complete months
    from `first_day`'s on."""
    workdays = WorkingDays(first_day, last_day + dt.timedelta(days=60))
    dates = []
    month = first_day.replace(day=1)
    while _next_month(month) <= last_day:
        published_on = workdays.on_or_after(_next_month(month).replace(day=PUBLISHED_ON_DAY))
        if published_on > last_day:
            break
        dates.append((month, published_on))
        month = _next_month(month)
    return dates


@transaction.atomic
def gazette_generate(
    *, first_day: dt.date = FIRST_DAY, last_day: dt.date = LAST_DAY
) -> DemoGazette:
    """Bulk-create the issues and their tables of contents. Nothing when there is no city
    government, or it has a gazette already (the demo is loaded once: demo_is_loaded)."""
    publisher = Unit.objects.filter(
        region_id=CITY_CODE, kind=UnitKind.GOVERNMENT, name=CITY_GOVERNMENT
    ).first()
    if publisher is None or GazetteIssue.objects.filter(publisher=publisher).exists():
        return DemoGazette()
    dates = issue_dates(first_day, last_day)
    if not dates:
        return DemoGazette()

    issues: dict[dt.date, GazetteIssue] = {}
    per_year: dict[int, int] = defaultdict(int)
    for cumulative, (month, published_on) in enumerate(dates, start=1):
        per_year[month.year] += 1
        issues[month] = GazetteIssue(
            publisher=publisher,
            year=month.year,
            number=per_year[month.year],
            cumulative=cumulative,
            published_on=published_on,
            is_published=True,
        )
    GazetteIssue.objects.bulk_create(issues.values())

    # The city government's and its departments' documents (a city-level unit is one
    # whose place is the city itself), by the month they were made.
    documents = Record.objects.filter(
        region_id=CITY_CODE,
        kind=RecordKind.POLICY,
        status=RecordStatus.PUBLISHED,
        info_date__gte=dates[0][0],
        info_date__lt=_next_month(dates[-1][0]),
    ).values_list("pk", "info_date", "unit_kind", "title")
    contents: dict[dt.date, list[tuple[int, dt.date, int, str]]] = defaultdict(list)
    for pk, info_date, unit_kind, title in documents:
        section = section_of(unit_kind, title)
        contents[info_date.replace(day=1)].append((SECTIONS.index(section), info_date, pk, section))
    entries = [
        GazetteEntry(issue=issues[month], record_id=pk, section=section, order=order)
        for month, rows in sorted(contents.items())
        # Section by section, each in the order the documents were made.
        for order, (_index, _made, pk, section) in enumerate(sorted(rows), start=1)
    ]
    GazetteEntry.objects.bulk_create(entries, batch_size=1000)

    first = next(iter(issues.values()))
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=first,
        unit=publisher,
        changes={"gazette_issues": [0, len(issues)], "gazette_entries": [0, len(entries)]},
        note="演示数据：政府公报",
    )
    return DemoGazette(len(issues), len(entries))
