"""Reads of the proxy service (代办): where a guide's matter can be asked for, who acts
for the applicant, the agents' queue, the applicant's door (two codes, or their own
account) and the supervisors' figures.

Definitions (the queue, the dashboard and the export say the same):

- open (未办结): received (已受理) or in progress (办理中);
- overdue (已超期): open and past its due date;
- satisfaction rate (满意率) = (满意 + 基本满意) ÷ rated, as for letters;
- average rating (平均评价) = the mean of 满意 3, 基本满意 2, 不满意 1 over the rated
  requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr

from portal import hierarchy
from portal import selectors as places
from portal.models import Region, Tier, Unit, UnitKind
from services import permissions
from services.models import (
    GuideStatus,
    ProxyRating,
    ProxyRequest,
    ProxyStatus,
    ServiceGuide,
    ServiceTier,
)
from services.selectors.guides import applying_in

OPEN_STATUSES = (ProxyStatus.RECEIVED, ProxyStatus.IN_PROGRESS)
FINISHED_STATUSES = (ProxyStatus.DONE, ProxyStatus.RETURNED)
RATING_SCORES = {ProxyRating.SATISFIED: 3, ProxyRating.BASIC: 2, ProxyRating.UNSATISFIED: 1}
# The village select of the request form: more matches than this ask for a narrower name.
VILLAGE_CHOICES_LIMIT = 50
_ONE_DECIMAL = Decimal("0.1")
_TWO_DECIMALS = Decimal("0.01")


# --- Where a matter can be asked for, and who acts --------------------------------------


def guide_for_request(pk: Any) -> ServiceGuide | None:
    """A published guide (the matter a resident asks help with), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        ServiceGuide.objects.filter(pk=pk, status=GuideStatus.PUBLISHED)
        .select_related("unit", "region")
        .first()
    )


def guide_applies_in(guide: ServiceGuide, code: str) -> bool:
    return applying_in(ServiceGuide.objects.filter(pk=guide.pk), code).exists()


def village_scope(guide: ServiceGuide, place: Region | None) -> str | None:
    """The subtree a village is chosen from: where the guide applies, narrowed to the
    place the resident came from (a township's page offers that township's villages);
    None when the place lies outside where the guide applies."""
    if place is None or hierarchy.is_within(guide.region_id, place.code):
        return guide.region_id
    if hierarchy.is_within(place.code, guide.region_id):
        return place.code
    return None


def villages_for_guide(
    guide: ServiceGuide,
    query: str = "",
    within: str | None = None,
    limit: int = VILLAGE_CHOICES_LIMIT,
) -> list[Region]:
    """Active villages and communities inside `within` (by default where the guide
    applies) whose name contains `query`, in code order (so grouped by township), with
    their township; at most `limit` + 1, so the caller knows there are more."""
    villages = hierarchy.in_subtree(
        Region.objects.filter(tier=Tier.VILLAGE, is_active=True),
        within or guide.region_id,
        field="code",
    )
    query = (query or "").strip()
    if query:
        villages = villages.filter(name__contains=query)
    return list(villages.select_related("parent").order_by("code")[: limit + 1])


def village_for_guide(guide: ServiceGuide, code: str | None) -> Region | None:
    """The active village `code` names, when the guide applies there; else None."""
    region = places.region_public(code or "")
    if region is None or region.tier != Tier.VILLAGE or not guide_applies_in(guide, region.code):
        return None
    return Region.objects.select_related("parent").get(pk=region.pk)


def agent_unit_for(guide: ServiceGuide, region: Region) -> Unit | None:
    """小事不出村、大事不出镇: a matter that can be done in the village goes to its
    committee; anything else to the township office, which takes county and city matters
    up itself. A village with no committee on the platform is served by its township."""
    township = hierarchy.ancestor_at(region.code, Tier.TOWNSHIP)
    candidates = [(UnitKind.TOWNSHIP_OFFICE, township)]
    if guide.lowest_tier == ServiceTier.VILLAGE:
        candidates.insert(0, (UnitKind.VILLAGE_COMMITTEE, region.code))
    for kind, code in candidates:
        unit = (
            Unit.objects.filter(kind=kind, region_id=code, is_active=True)
            .select_related("region")
            .order_by("pk")
            .first()
        )
        if unit is not None:
            return unit
    return None


# --- The applicant's door ---------------------------------------------------------------


def _with_relations(requests: QuerySet[ProxyRequest]) -> QuerySet[ProxyRequest]:
    return requests.select_related(
        "guide", "region", "region__parent", "agent_unit", "agent"
    ).prefetch_related("events")


def request_by_codes(tracking_code: str, query_code: str) -> ProxyRequest | None:
    """A request found with both of its codes, else None (never says which was wrong)."""
    proxy_request = (
        _with_relations(ProxyRequest.objects.all())
        .filter(tracking_code=(tracking_code or "").strip().upper())
        .first()
    )
    return (
        proxy_request
        if permissions.can_follow(None, proxy_request, (query_code or "").strip())
        else None
    )


def requests_of_owner(user: Any) -> QuerySet[ProxyRequest]:
    if not getattr(user, "is_authenticated", False):
        return ProxyRequest.objects.none()
    return ProxyRequest.objects.filter(user=user).select_related("guide", "agent_unit")


def request_of_owner(user: Any, tracking_code: str) -> ProxyRequest | None:
    return _with_relations(requests_of_owner(user)).filter(tracking_code=tracking_code).first()


# --- The agents' queue ------------------------------------------------------------------

QUEUE_FILTERS = ("open", "overdue", "received", "in_progress", "done", "returned", "all")


def _urgency(now: dt.datetime) -> Case:
    """0 overdue, 1 open and not yet due, 2 finished."""
    return Case(
        When(status__in=OPEN_STATUSES, due_at__lt=now, then=Value(0)),
        When(status__in=OPEN_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def agent_queue(
    user: Any, now: dt.datetime, show: str = "open", unit: int | None = None
) -> QuerySet[ProxyRequest]:
    """The requests of this person's agent units, overdue first, then the soonest due;
    finished ones latest first."""
    requests = ProxyRequest.objects.filter(
        agent_unit__in=permissions.agent_units(user).values("pk")
    )
    if unit:
        requests = requests.filter(agent_unit_id=unit)
    if show == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif show == "overdue":
        requests = requests.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif show in ProxyStatus.values:
        requests = requests.filter(status=show)
    requests = requests.select_related("guide", "region", "agent_unit", "agent")
    if show in FINISHED_STATUSES:
        return requests.order_by("-finished_at", "-id")
    return requests.annotate(urgency=_urgency(now)).order_by("urgency", "due_at", "id")


def queue_counts(user: Any, now: dt.datetime, unit: int | None = None) -> dict[str, int]:
    """How many requests each queue filter holds, in one query."""
    requests = ProxyRequest.objects.filter(
        agent_unit__in=permissions.agent_units(user).values("pk")
    )
    if unit:
        requests = requests.filter(agent_unit_id=unit)
    return requests.aggregate(
        all=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        **{status: Count("id", filter=Q(status=status)) for status in ProxyStatus.values},
    )


def request_back_office(pk: int) -> ProxyRequest | None:
    """One request with what its page shows; the caller asks services.permissions."""
    return _with_relations(ProxyRequest.objects.filter(pk=pk)).first()


# --- The supervisors' figures -------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


@dataclass
class ProxyStats:
    total: int = 0
    received: int = 0
    in_progress: int = 0
    done: int = 0
    returned: int = 0
    overdue: int = 0
    late: int = 0  # finished after the due date
    rated: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    score: int = 0  # sum of RATING_SCORES over the rated requests

    @property
    def open(self) -> int:
        return self.received + self.in_progress

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _percent(self.satisfied + self.basic, self.rated)

    @property
    def average_rating(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.score) / self.rated).quantize(_TWO_DECIMALS, ROUND_HALF_UP)

    def add(self, other: ProxyStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class PlaceStats:
    code: str
    name: str
    stats: ProxyStats = field(default_factory=ProxyStats)


def _aggregates(now: dt.datetime) -> dict[str, Any]:
    score = Case(
        *(When(rating=rating, then=Value(points)) for rating, points in RATING_SCORES.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    return {
        "total": Count("id"),
        **{status: Count("id", filter=Q(status=status)) for status in ProxyStatus.values},
        "overdue": Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        "late": Count("id", filter=Q(status__in=FINISHED_STATUSES, finished_at__gt=F("due_at"))),
        "rated": Count("id", filter=~Q(rating="")),
        **{rating: Count("id", filter=Q(rating=rating)) for rating in ProxyRating.values},
        "score": Sum(score, default=0),
    }


def supervised_requests(region_code: str, status: str | None = None) -> QuerySet[ProxyRequest]:
    """The requests of the villages inside a place (a range on the village's code)."""
    requests = hierarchy.in_subtree(ProxyRequest.objects.all(), region_code)
    if status in ProxyStatus.values:
        requests = requests.filter(status=status)
    return requests


def stats_of(requests: QuerySet[ProxyRequest], now: dt.datetime) -> ProxyStats:
    return ProxyStats(**requests.aggregate(**_aggregates(now)))


def stats_by_child(region: Region, now: dt.datetime) -> tuple[ProxyStats, list[PlaceStats]]:
    """The place's figures and one row per child place (those with no request too): one
    grouped query and the list of children. A village has no children: its total only."""
    requests = supervised_requests(region.code)
    length = hierarchy.child_prefix_length(region.code)
    if length is None:
        return stats_of(requests, now), []
    rows = {
        hierarchy.pad_code(row.pop("prefix")): ProxyStats(**row)
        for row in requests.annotate(prefix=Substr("region_id", 1, length))
        .values("prefix")
        .annotate(**_aggregates(now))
        .order_by()
    }
    total = ProxyStats()
    for stats in rows.values():
        total.add(stats)
    children = [
        PlaceStats(code=child.code, name=child.name, stats=rows.get(child.code, ProxyStats()))
        for child in places.region_children(region.code)
    ]
    return total, children


def overdue_requests(region_code: str, now: dt.datetime) -> QuerySet[ProxyRequest]:
    """Open requests past their due date inside a place, the longest overdue first."""
    return (
        supervised_requests(region_code)
        .filter(status__in=OPEN_STATUSES, due_at__lt=now)
        .select_related("guide", "region", "agent_unit")
        .order_by("due_at", "id")
    )
