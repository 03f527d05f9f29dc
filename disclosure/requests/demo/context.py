"""What the request planner knows of the city, read once: the units that receive
requests (新津区's government, departments and three township offices, and a few city
departments), the villages people live in, who handles requests in each unit, the
working days, and the deadlines (computed by disclosure.requests.deadlines)."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from disclosure.requests import deadlines
from portal.demo.geography import CITY_CODE, XINJIN_CODE
from portal.models import Membership, MembershipRole, Region, Tier, Unit, User
from portal.workdays import working_days

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = dt.date(2025, 1, 2)
# The three demo townships of 新津区 (as the proxy service's demo).
TOWNSHIPS = ("510118001000", "510118002000", "510118102000")
# Who receives requests and how often (relative weights); names without "新津区".
XINJIN_UNITS: tuple[tuple[str, int], ...] = (
    ("人民政府", 60),
    ("规划和自然资源局", 55),
    ("住房和城乡建设局", 30),
    ("生态环境局", 16),
    ("交通运输局", 12),
    ("民政局", 14),
    ("人力资源和社会保障局", 14),
    ("农业农村局", 12),
    ("财政局", 6),
    ("教育局", 8),
    ("市场监督管理局", 8),
    ("卫生健康局", 5),
    ("综合行政执法局", 8),
    ("行政审批局", 6),
    ("发展和改革局", 6),
    ("水务局", 5),
    ("应急管理局", 3),
)
POLICE = ("成都市公安局新津区分局", "公安局新津区分局", 3)
TOWNSHIP_WEIGHT = 22
CITY_UNITS: tuple[tuple[str, int], ...] = (
    ("成都市规划和自然资源局", 6),
    ("成都市生态环境局", 3),
    ("成都市住房和城乡建设局", 3),
    ("成都市交通运输局", 2),
    ("成都市人力资源和社会保障局", 2),
)


def handlers_by_unit(unit_ids: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """(officials, approvers) per unit, as disclosure.requests.permissions has it: editors
    and admins handle a request, reviewers and admins approve its extension."""
    officials: dict[int, list[int]] = defaultdict(list)
    approvers: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id, role in (
        Membership.objects.filter(unit_id__in=unit_ids)
        .order_by("pk")
        .values_list("unit_id", "user_id", "role")
    ):
        if role in (MembershipRole.ADMIN, MembershipRole.EDITOR):
            officials[unit_id].append(user_id)
        if role in (MembershipRole.ADMIN, MembershipRole.REVIEWER):
            approvers[unit_id].append(user_id)
    return dict(officials), dict(approvers)


@dataclass(frozen=True)
class Recipient:
    pk: int
    name: str
    region: str
    # The key of texts.TOPICS for what this unit is asked.
    topic: str
    weight: int
    # The township whose villages the applicants come from ("" for county and city).
    township: str = ""


class Workdays:
    """The working days of the loaded calendar over the demo's span (the rule of
    portal.workdays), for placing the handling steps."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.days: list[dt.date] = working_days(first, last)
        self._set = set(self.days)

    def is_working(self, day: dt.date) -> bool:
        return day in self._set

    def after(self, day: dt.date, count: int) -> dt.date:
        """The count-th working day after `day` (count ≥ 1); `day` itself for 0 when it
        is a working day, else the next one."""
        if count <= 0:
            return day if day in self._set else self.days[bisect.bisect_right(self.days, day)]
        return self.days[bisect.bisect_right(self.days, day) + count - 1]

    def before(self, day: dt.date, count: int) -> dt.date:
        """The count-th working day before `day` (count ≥ 1)."""
        return self.days[bisect.bisect_left(self.days, day) - count]

    def between(self, first: dt.date, last: dt.date) -> int:
        """Working days d with first < d <= last."""
        return bisect.bisect_right(self.days, last) - bisect.bisect_right(self.days, first)


class Context:
    def __init__(self, *, seed: int, now: dt.datetime) -> None:
        self.rng = random.Random(f"{seed}:inforequests")
        self.seed = seed
        self.now = now
        self.today = timezone.localdate(now)
        self.recipients = self._recipients()
        self.villages: dict[str, list[str]] = defaultdict(list)
        for name, parent in (
            Region.objects.filter(parent_id__in=TOWNSHIPS, tier=Tier.VILLAGE, is_active=True)
            .order_by("code")
            .values_list("name", "parent_id")
        ):
            self.villages[parent].append(name)
        self.township_names = dict(
            Region.objects.filter(code__in=TOWNSHIPS).values_list("code", "name")
        )
        self.officials, self.approvers = handlers_by_unit([r.pk for r in self.recipients])
        self.resident = User.objects.filter(username="resident").first()
        # Far enough on both sides for the longest history (correction, pause, extension).
        self.workdays = Workdays(FIRST_DAY - dt.timedelta(days=40), self.today + dt.timedelta(240))
        self._due: dict[tuple[dt.date, int, int], tuple[dt.date, bool]] = {}
        self._correction_due: dict[dt.date, dt.date] = {}

    def _recipients(self) -> list[Recipient]:
        wanted: dict[tuple[str, str], tuple[str, int, str]] = {}
        for short, weight in XINJIN_UNITS:
            wanted[(XINJIN_CODE, f"新津区{short}")] = (short, weight, "")
        wanted[(XINJIN_CODE, POLICE[0])] = (POLICE[1], POLICE[2], "")
        for name, weight in CITY_UNITS:
            wanted[(CITY_CODE, name)] = (name, weight, "")
        offices = Unit.objects.filter(
            region_id__in=TOWNSHIPS, kind="township_office", is_active=True
        ).values_list("pk", "name", "region_id")
        found = []
        for pk, name, region in offices:
            found.append(Recipient(pk, name, region, "township", TOWNSHIP_WEIGHT, region))
        rows = Unit.objects.filter(
            region_id__in=[XINJIN_CODE, CITY_CODE],
            name__in=[name for _region, name in wanted],
            is_active=True,
        ).values_list("pk", "name", "region_id")
        for pk, name, region in rows:
            if (region, name) in wanted:
                topic, weight, township = wanted[(region, name)]
                found.append(Recipient(pk, name, region, topic, weight, township))
        return sorted(found, key=lambda r: (r.region, r.name))

    def official(self, unit: Recipient) -> int | None:
        """An editor or admin of the unit (who handles its requests), if it has any."""
        ids = self.officials.get(unit.pk)
        return self.rng.choice(ids) if ids else None

    def approver(self, unit: Recipient) -> int | None:
        """A reviewer or admin of the unit (who approves an extension), if it has any."""
        ids = self.approvers.get(unit.pk)
        return self.rng.choice(ids) if ids else None

    def due(self, start: dt.date, *, extension: int = 0, paused: int = 0) -> tuple[dt.date, bool]:
        """The reply deadline by disclosure.requests.deadlines, once per distinct case."""
        key = (start, extension, paused)
        if key not in self._due:
            self._due[key] = deadlines.due_date(
                received_on=start, extension_days=extension, paused_days=paused
            )
        return self._due[key]

    def correction_due(self, sent: dt.date) -> dt.date:
        if sent not in self._correction_due:
            self._correction_due[sent] = deadlines.correction_due(sent)[0]
        return self._correction_due[sent]

    def moment(
        self, day: dt.date, *, start: int = 8 * 60 + 40, end: int = 17 * 60 + 20
    ) -> dt.datetime:
        minutes = self.rng.randint(start, end)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=SHANGHAI)
