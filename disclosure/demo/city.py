"""The policy documents of the city government and of the departments whose documents
the city's gazette prints (disclosure.demo.gazette): not a few at random, as other units
issue them, but every month, numbered in order through the year."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from disclosure.demo.context import CITY_GOVERNMENT
from disclosure.demo.planner import UnitPlanner
from disclosure.demo.subjects import (
    CITY_DEPARTMENT_SUBJECTS,
    CITY_GOVERNMENT_SUBJECTS,
    POLICY_SUBJECTS,
)
from disclosure.demo.texts import document_issuer
from portal.demo.geography import CITY_CODE
from portal.models import Unit, UnitKind

# One of these departments issues each month, in turn; the city government issues one or
# two a month, in its own name (成府发) or, more often, its general office's (成办发).
GAZETTE_DEPARTMENTS = (
    "成都市教育局",
    "成都市民政局",
    "成都市人力资源和社会保障局",
    "成都市住房和城乡建设局",
    "成都市卫生健康委员会",
    "成都市农业农村局",
)
GOVERNMENT_OFFICE_SHARE = 0.6


def issues_monthly(unit: Unit) -> bool:
    """Whether the unit's policy documents are planned here rather than at random."""
    if unit.region_id != CITY_CODE:
        return False
    if unit.kind == UnitKind.GOVERNMENT:
        return unit.name == CITY_GOVERNMENT
    return unit.name in GAZETTE_DEPARTMENTS


class CityPlanner(UnitPlanner):
    """A unit of `issues_monthly`: everything else as any unit of its kind."""

    def policies(self, count: int) -> None:
        """Every complete month's documents instead of `count` at random, with their
        interpretations and responses as any policy document."""
        items = self._chain_items()
        if items is None:
            return
        ctx, workdays = self.ctx, self.ctx.workdays
        government = self.unit.kind == UnitKind.GOVERNMENT
        numbers: dict[tuple[str, int], int] = defaultdict(int)
        month, last = ctx.first_day.replace(day=1), ctx.last_day.replace(day=1)
        while month < last:
            end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            documents = [
                (workdays.between(self.rng, max(month, self.start), end), series, issuer)
                for series, issuer in self._series(month)
                # A smaller city (a count below the demo's) issues fewer.
                if self.rng.random() < self.density
            ]
            for info, series, issuer in sorted(documents):
                fresh = [
                    subject
                    for subject in self._subjects(series)
                    if f"{issuer}关于印发《{subject}》的通知" not in self.titles
                ]
                if not fresh:
                    continue
                subject = self.rng.choice(fresh)
                # Other documents of the series come between: the numbers leave gaps.
                numbers[series, info.year] += self.rng.randint(1, 4)
                number = f"{series}〔{info.year}〕{numbers[series, info.year]}号"
                # Out within days, well before the gazette prints it mid next month.
                day = min(workdays.add(info, self.rng.randint(1, 5)), ctx.last_day)
                title = f"{issuer}关于印发《{subject}》的通知"
                self._policy(
                    items, title, subject, info, day, number, issuer=issuer if government else ""
                )
            month = end + dt.timedelta(days=1)

    def _series(self, month: dt.date) -> list[tuple[str, str]]:
        """(series, issuer) of each document the unit issues in `month`."""
        if self.unit.kind == UnitKind.GOVERNMENT:
            return [
                ("成办发", f"{CITY_GOVERNMENT}办公厅")
                if self.rng.random() < GOVERNMENT_OFFICE_SHARE
                else ("成府发", CITY_GOVERNMENT)
                for _ in range(self.rng.randint(1, 2))
            ]
        turn = (month.year * 12 + month.month - 1) % len(GAZETTE_DEPARTMENTS)
        if GAZETTE_DEPARTMENTS[turn] != self.unit.name:
            return []
        return [(document_issuer(self.ctx, self.unit), self.unit.name)]

    def _subjects(self, series: str) -> tuple[str, ...]:
        if self.unit.kind == UnitKind.GOVERNMENT:
            return CITY_GOVERNMENT_SUBJECTS[series]
        sector = self.unit.sector
        own = tuple(s.format(place="成都市") for s in POLICY_SUBJECTS.get(sector, ()))
        return own + CITY_DEPARTMENT_SUBJECTS.get(sector, ())
