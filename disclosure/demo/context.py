"""What every part of the demo's records shares: the span they cover, the plan of one
record before it is written, the working days, and what the planner knows of the city."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from disclosure.models import CatalogItem, Record, RecordKind, RecordStatus
from portal.models import Membership, MembershipRole, Region, Unit, UnitKind
from portal.workdays import working_days

DEMO_RECORD_COUNT = 40_000
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2026, 11, 20)
# Present exactly when the demo's records are: demo_is_loaded() looks for it.
MARKER_TITLE = "平岗社区2026年第三季度村务公开"
# The city's people's government: the gazette's publisher, and the issuer of most of it.
CITY_GOVERNMENT = "成都市人民政府"
# The quarter of the guaranteed records (the marker, 新津区's 低保 lists): 2026 Q3.
GUARANTEED_QUARTER = dt.date(2026, 7, 1)

# --- the record plans --------------------------------------------------------------------


@dataclass
class RecordPlan:
    """One record to write, before it has an id. The body is rendered after the plans are
    trimmed to the requested count, from `body_seed`, so trimming costs no text."""

    unit: Unit
    item: CatalogItem
    genre: str
    title: str
    info_date: dt.date
    published_at: dt.datetime
    body_seed: int
    kind: str = RecordKind.ORDINARY
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    document_number: str = ""
    interpretation_form: str = ""
    policy: RecordPlan | None = None
    # The policy's short title, for the interpretation and response texts.
    subject: str = ""
    # Who signs a policy document when not the unit itself: 成都市人民政府办公厅 issues
    # under the city government (which is the publishing unit), as does the government.
    issuer: str = ""
    status: str = RecordStatus.PUBLISHED
    withdrawn_at: dt.datetime | None = None
    withdraw_reason: str = ""
    # Guaranteed by the demo (the marker, 新津区's 低保 lists): never trimmed or withdrawn.
    keep: bool = False
    body: str = ""
    record: Record | None = field(default=None, repr=False)

    def key(self) -> tuple:
        """What the record is, without ids: equal plans write equal rows."""
        return (
            self.unit.region_id,
            self.unit.name,
            self.item.template.key,
            self.item.seq,
            self.kind,
            self.title,
            self.body,
            self.info_date,
            self.published_at,
            self.period_start,
            self.period_end,
            self.document_number,
            self.status,
        )


# --- working days and times --------------------------------------------------------------


class WorkingDays:
    """Working days of the official calendar (as loaded in the database) over a span; on a
    database without a calendar, Monday to Friday."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.days: list[dt.date] = working_days(first, last)

    def on_or_after(self, day: dt.date) -> dt.date:
        index = bisect.bisect_left(self.days, day)
        return self.days[min(index, len(self.days) - 1)]

    def add(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (as portal.workdays counts)."""
        index = bisect.bisect_right(self.days, day) + count - 1
        return self.days[min(max(index, 0), len(self.days) - 1)]

    def between(self, rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
        low = bisect.bisect_left(self.days, first)
        high = bisect.bisect_right(self.days, last) - 1
        if high < low:
            return self.on_or_after(first)
        return self.days[rng.randint(low, high)]


def office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """An instant in Asia/Shanghai office hours (9:00–12:00, 14:00–17:30) on `day`."""
    minute = rng.randrange(180) if rng.random() < 0.45 else 300 + rng.randrange(210)
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        9 + minute // 60,
        minute % 60,
        rng.randrange(60),
        tzinfo=timezone.get_default_timezone(),
    )


# --- the units' context -------------------------------------------------------------------


@dataclass
class Context:
    """What the planner knows about the city: place names, authors, working days."""

    names: dict[str, str]
    villages_in: dict[str, list[str]]  # township code → its villages' names
    workdays: WorkingDays
    authors: dict[int, int]  # unit id → user id of its first official
    fallback_author: int
    first_day: dt.date = FIRST_DAY
    last_day: dt.date = LAST_DAY

    @classmethod
    def load(cls, *, fallback_author: int, first_day: dt.date, last_day: dt.date) -> Context:
        names = dict(Region.objects.values_list("code", "name"))
        villages_in: dict[str, list[str]] = defaultdict(list)
        for code in sorted(names):
            if not code.endswith("000"):
                villages_in[code[:9] + "000"].append(names[code])
        # Editors draft, so an editor is the author; an admin will do; a reviewer does
        # not draft (the services would refuse them), so that unit falls back.
        preference = {MembershipRole.EDITOR: 0, MembershipRole.ADMIN: 1}
        authors: dict[int, tuple[int, int, int]] = {}
        for pk, unit_id, user_id, role in Membership.objects.filter(
            role__in=list(preference)
        ).values_list("pk", "unit_id", "user_id", "role"):
            rank = (preference[role], pk, user_id)
            if unit_id not in authors or rank < authors[unit_id]:
                authors[unit_id] = rank
        return cls(
            names=names,
            villages_in=villages_in,
            workdays=WorkingDays(first_day - dt.timedelta(days=400), last_day + dt.timedelta(60)),
            authors={unit_id: rank[2] for unit_id, rank in authors.items()},
            fallback_author=fallback_author,
            first_day=first_day,
            last_day=last_day,
        )

    def county(self, unit: Unit) -> str:
        return self.names.get(unit.region_id[:6] + "000000", "")

    def township(self, unit: Unit) -> str:
        return self.names.get(unit.region_id[:9] + "000", "")

    def who(self, unit: Unit) -> str:
        """How titles name the publisher: the place for villages and townships (平岗社区,
        五津街道), the unit's own name otherwise."""
        if unit.kind in (UnitKind.VILLAGE_COMMITTEE, UnitKind.TOWNSHIP_OFFICE):
            return self.names.get(unit.region_id, unit.name)
        return unit.name
