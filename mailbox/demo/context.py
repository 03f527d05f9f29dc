"""What the letter planner knows of the city, read once: the units that receive letters,
the places people write from, who handles letters in each unit, who supervises each place,
the working days, and the reply deadlines (computed by the mailbox's own rule)."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from mailbox.services import due_after
from portal import hierarchy, identity
from portal.models import (
    Membership,
    MembershipRole,
    Region,
    SupervisorScope,
    Tier,
    Unit,
    UnitKind,
    User,
)
from portal.workdays import add_working_days, end_of_day, working_days

FIRST_DAY = dt.date(2026, 5, 1)
# "Today" of the demo: the last day letters arrive (never later than the real today).
LAST_DAY = dt.date(2026, 11, 27)
# Letters go to these kinds of units; schools and accounting centres have no mailbox.
MAILBOX_KINDS = (
    UnitKind.VILLAGE_COMMITTEE,
    UnitKind.TOWNSHIP_OFFICE,
    UnitKind.DEPARTMENT,
    UnitKind.GOVERNMENT,
)


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    name: str
    kind: str
    sector: str
    region: str
    phone: str

    @property
    def level(self) -> str | None:
        """v (village committee), t (township office), c (county), x (city) or None."""
        if self.kind == UnitKind.VILLAGE_COMMITTEE:
            return "v"
        if self.kind == UnitKind.TOWNSHIP_OFFICE:
            return "t"
        tier = hierarchy.tier_of(self.region)
        return {Tier.COUNTY: "c", Tier.CITY: "x"}.get(tier)

    @property
    def area(self) -> str:
        """The code prefix of the places this unit hears from."""
        return self.region[: {"v": 12, "t": 9, "c": 6, "x": 4}[self.level or "x"]]


def is_rural(code: str) -> bool:
    """Villages (村) are numbered from 200 in their township, communities (社区) below."""
    return int(code[9:]) >= 200


class Workdays:
    """The working days of the loaded calendar (the rule of portal.workdays) over a span,
    for placing the handling steps; deadlines themselves come from `Context.due`."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.days: list[dt.date] = working_days(first, last)
        self._set = set(self.days)

    def is_working(self, day: dt.date) -> bool:
        return day in self._set

    def after(self, day: dt.date, count: int) -> dt.date:
        """The count-th working day after `day`; 0 is `day` itself when it is worked."""
        if count == 0 and self.is_working(day):
            return day
        index = bisect.bisect_right(self.days, day) + max(count, 1) - 1
        return self.days[min(index, len(self.days) - 1)]


class Context:
    """The city as the planner sees it. `units` narrows who receives letters (tests pass a
    handful); transfers may still go to any unit of the database."""

    def __init__(self, *, now: dt.datetime, units: list[Unit] | None = None) -> None:
        self.now = now
        self.today = timezone.localdate(now)
        self.last_day = min(LAST_DAY, self.today)
        rows = Unit.objects.filter(is_active=True, kind__in=MAILBOX_KINDS).values_list(
            "pk", "name", "kind", "sector", "region_id", "phone"
        )
        everyone = sorted((UnitInfo(*row) for row in rows), key=lambda u: (u.region, u.name))
        self.units = {unit.pk: unit for unit in everyone}
        wanted = {unit.pk for unit in units} if units is not None else None
        self.recipients = [u for u in everyone if u.level and (wanted is None or u.pk in wanted)]
        self.township_office: dict[str, UnitInfo] = {}
        self.departments: dict[tuple[str, str], list[UnitInfo]] = defaultdict(list)
        for unit in everyone:
            if unit.kind == UnitKind.TOWNSHIP_OFFICE:
                self.township_office.setdefault(unit.region, unit)
            elif unit.kind == UnitKind.DEPARTMENT and unit.level == "c":
                self.departments[(unit.region, unit.sector)].append(unit)

        self.names = dict(Region.objects.values_list("code", "name"))
        # (area prefix, rural) → village-tier codes, for every prefix a unit may cover.
        self.places: dict[tuple[str, bool], list[str]] = defaultdict(list)
        for code in sorted(c for c in self.names if hierarchy.tier_of(c) == Tier.VILLAGE):
            for length in (4, 6, 9):
                self.places[(code[:length], is_rural(code))].append(code)

        # Officials who may handle a unit's letters (mailbox.permissions.can_handle).
        officials: dict[int, set[int]] = defaultdict(set)
        for unit_id, user_id in Membership.objects.filter(
            role__in=[MembershipRole.EDITOR, MembershipRole.ADMIN]
        ).values_list("unit_id", "user_id"):
            officials[unit_id].add(user_id)
        self.officials = {pk: sorted(ids) for pk, ids in officials.items()}
        # The deepest scope first: the nearest supervisor grants an extension.
        self.supervisors = sorted(
            SupervisorScope.objects.values_list("region_id", "user_id"),
            key=lambda row: (-len(hierarchy.prefix_of(row[0])), row[1]),
        )
        self.resident = self._resident()
        self.workdays = Workdays(FIRST_DAY - dt.timedelta(days=120), self.today + dt.timedelta(90))
        self._due: dict[dt.date, tuple[dt.datetime, bool]] = {}
        self._extended: dict[tuple[dt.date, int], tuple[dt.datetime, bool]] = {}

    @staticmethod
    def _resident() -> tuple[int, str, str] | None:
        """The demo's resident login, who wrote a couple of 平岗社区's letters."""
        row = User.objects.filter(username="resident").values_list("pk", "full_name", "phone")
        row = row.first()
        if row is None or not identity.MOBILE_IN_TEXT.fullmatch(row[2] or ""):
            return None
        return row[0], row[1] or "杨桂芳", row[2]

    def name(self, code: str) -> str:
        return self.names.get(code, "")

    def official(self, rng: random.Random, unit: UnitInfo) -> int | None:
        ids = self.officials.get(unit.pk)
        return rng.choice(ids) if ids else None

    def supervisor(self, region: str) -> int | None:
        for scope, user_id in self.supervisors:
            if hierarchy.is_within(region, scope):
                return user_id
        return None

    def due(self, moment: dt.datetime) -> tuple[dt.datetime, bool]:
        """mailbox.services.due_after, once per day of receipt (it depends on nothing else)."""
        day = timezone.localdate(moment)
        if day not in self._due:
            self._due[day] = due_after(moment)
        return self._due[day]

    def extend(self, due_at: dt.datetime, days: int) -> tuple[dt.datetime, bool]:
        """The deadline after an extension, as mailbox.services.letter_extend computes it."""
        key = (timezone.localdate(due_at), days)
        if key not in self._extended:
            result = add_working_days(due_at, days)
            self._extended[key] = (end_of_day(result.date), result.provisional)
        return self._extended[key]
