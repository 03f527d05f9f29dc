"""The demo's proxy service (代办): about sixty requests from the villages and communities
of 五津街道, 花源街道 and 安西镇, each routed by the service's own rule (a village
matter to the village committee, anything else to the township office), with its due
date on the portal's calendar, a history of events that matches its status, and a
rating on most finished ones. Some open requests are past their due date.

Applicants are synthetic (portal.demo.people.make_person); one request is the `resident`
login's, in 平岗社区, in progress with 平岗社区's agent. The codes are drawn from the
demo's generator in the alphabet letters use, so the same seed gives the same codes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from portal import identity
from portal.codes import DIGITS, new_code
from portal.demo.geography import CITY_CODE, PINGGANG_CODE, XINJIN_CODE
from portal.demo.people import make_person
from portal.models import Membership, MembershipRole, Region, Tier, User
from services.demo.context import Context, office_moment
from services.demo.texts import (
    PROXY_DETAILS,
    PROXY_DONE_NOTES,
    RATING_COMMENTS,
    RETURN_REASONS,
)
from services.models import (
    GuideStatus,
    ProxyEvent,
    ProxyRating,
    ProxyRequest,
    ProxyStatus,
    ServiceGuide,
    ServiceTier,
)
from services.selectors.proxy import agent_unit_for
from services.services.proxy import due_after

TOWNSHIPS = ("510118001000", "510118002000", "510118102000")
REQUESTS = 60
# How many of the sixty end up in each status (the resident's is one of the in-progress).
STATUS_PLAN = (
    [ProxyStatus.RECEIVED] * 14
    + [ProxyStatus.IN_PROGRESS] * 16
    + [ProxyStatus.DONE] * 20
    + [ProxyStatus.RETURNED] * 10
)
# 平岗社区 gets a handful, so its agent's queue and the kiosk's figures show something.
PINGGANG_REQUESTS = 5
TIER_WEIGHTS = {ServiceTier.VILLAGE: 6, ServiceTier.TOWNSHIP: 3, ServiceTier.COUNTY: 1}


def _days(ctx: Context, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(days=ctx.rng.uniform(low, high))


def _agents(unit_ids: set[int]) -> dict[int, User]:
    """The first editor or admin of each agent unit: who takes its requests."""
    agents: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(
            unit_id__in=unit_ids, role__in=[MembershipRole.ADMIN, MembershipRole.EDITOR]
        )
        .select_related("user")
        .order_by("pk")
    ):
        agents.setdefault(membership.unit_id, membership.user)
    return agents


class _Plan:
    """One request and its events, before they are written."""

    def __init__(self, request: ProxyRequest, events: list[ProxyEvent]):
        self.request = request
        self.events = events


def _timeline(ctx: Context, request: ProxyRequest, status: str, agent: User | None) -> list:
    """Fill the request's moments for `status` and return its events, in order."""
    rng, now = ctx.rng, ctx.now
    events = [ProxyEvent(at=request.received_at, status=ProxyStatus.RECEIVED, actor=request.user)]
    request.status = status
    if status == ProxyStatus.RECEIVED:
        return events
    taken = status != ProxyStatus.RETURNED or rng.random() < 0.5
    if taken:
        request.agent = agent
        request.started_at = min(request.received_at + _days(ctx, 0.05, 1.5), now)
        events.append(
            ProxyEvent(at=request.started_at, status=ProxyStatus.IN_PROGRESS, actor=agent)
        )
    if status == ProxyStatus.IN_PROGRESS:
        return events
    since = request.started_at or request.received_at
    if status == ProxyStatus.DONE:
        # Most are done in time, some a few days late.
        if rng.random() < 0.8:
            span = max((request.due_at - since).total_seconds() / 86400 - 0.2, 0.1)
            finished = since + _days(ctx, 0.1, span)
        else:
            finished = request.due_at + _days(ctx, 0.5, 4)
        note = rng.choice(PROXY_DONE_NOTES)
    else:
        finished = since + _days(ctx, 0.2, 3)
        note = request.return_reason = rng.choice(RETURN_REASONS)
    request.finished_at = min(finished, now - dt.timedelta(minutes=30))
    events.append(ProxyEvent(at=request.finished_at, status=status, actor=agent, note=note))
    _rate(ctx, request)
    return events


def _rate(ctx: Context, request: ProxyRequest) -> None:
    rng = ctx.rng
    chance, weights = (
        (0.75, (70, 25, 5)) if request.status == ProxyStatus.DONE else (0.5, (20, 40, 40))
    )
    if rng.random() >= chance:
        return
    rated = request.finished_at + _days(ctx, 0.1, 3)
    if rated >= ctx.now:
        return
    rating = rng.choices(ProxyRating.values, weights=weights)[0]
    request.rating = rating
    request.rating_comment = rng.choice(RATING_COMMENTS[rating])
    request.rated_at = rated


def _received(ctx: Context, status: str, overdue: bool) -> dt.datetime:
    """When the request came in: finished ones over the last three months, open ones in
    the last few days, or weeks ago for the overdue."""
    if status in (ProxyStatus.DONE, ProxyStatus.RETURNED):
        day = ctx.today - dt.timedelta(days=ctx.rng.randint(6, 90))
    elif overdue:
        day = ctx.today - dt.timedelta(days=ctx.rng.randint(14, 40))
    else:
        day = ctx.today - dt.timedelta(days=ctx.rng.randint(0, 2))
    return min(office_moment(ctx, day), ctx.now - dt.timedelta(minutes=ctx.rng.randint(5, 300)))


def proxy_create(ctx: Context) -> dict[str, int]:
    rng = ctx.rng
    villages = list(
        Region.objects.filter(parent_id__in=TOWNSHIPS, tier=Tier.VILLAGE, is_active=True).order_by(
            "code"
        )
    )
    if not villages or ProxyRequest.objects.filter(region__in=villages).exists():
        return {"proxy_requests": 0}
    guides = list(
        ServiceGuide.objects.filter(
            status=GuideStatus.PUBLISHED,
            region_id__in=[CITY_CODE, XINJIN_CODE],
            lowest_tier__in=list(TIER_WEIGHTS),
        ).order_by("pk")
    )
    if not guides:
        return {"proxy_requests": 0}
    weights = [TIER_WEIGHTS[guide.lowest_tier] for guide in guides]
    pinggang = next((village for village in villages if village.code == PINGGANG_CODE), None)
    resident = User.objects.filter(username="resident").first() if pinggang else None

    statuses = list(STATUS_PLAN)
    rng.shuffle(statuses)
    if resident is not None:
        # The resident's request is the first, and in progress.
        statuses.remove(ProxyStatus.IN_PROGRESS)
        statuses.insert(0, ProxyStatus.IN_PROGRESS)
    routed = []
    for index, status in enumerate(statuses):
        village = pinggang if pinggang and index < PINGGANG_REQUESTS else rng.choice(villages)
        guide = rng.choices(guides, weights=weights)[0]
        if index == 0 and resident is not None:
            guide = next(
                (
                    g
                    for g in guides
                    if g.lowest_tier == ServiceTier.VILLAGE and g.category == "civil"
                ),
                guide,
            )
        unit = agent_unit_for(guide, village)
        if unit is not None:
            routed.append((index, status, village, guide, unit))
    agents = _agents({unit.pk for *_rest, unit in routed})

    plans: list[_Plan] = []
    codes: set[str] = set()
    for index, status, village, guide, unit in routed:
        overdue = status in (ProxyStatus.RECEIVED, ProxyStatus.IN_PROGRESS) and rng.random() < 0.35
        received = _received(ctx, status, overdue and not (index == 0 and resident))
        due_at, provisional = due_after(received, guide)
        if index == 0 and resident is not None:
            name, phone, user = resident.full_name, resident.phone, resident
        else:
            person = make_person(rng, area_code=XINJIN_CODE[:6])
            name, phone, user = person.full_name, person.mobile, None
        tracking = new_code(10, rng=ctx.rng)
        while tracking in codes:
            tracking = new_code(10, rng=ctx.rng)
        codes.add(tracking)
        request = ProxyRequest(
            tracking_code=tracking,
            query_code=new_code(6, DIGITS, rng=ctx.rng),
            guide=guide,
            region=village,
            agent_unit=unit,
            user=user,
            name=name,
            phone=phone,
            phone_hash=identity.phone_hash(phone),
            detail=rng.choice(PROXY_DETAILS).format(guide=guide.name),
            received_at=received,
            due_at=due_at,
            due_is_provisional=provisional,
        )
        events = _timeline(ctx, request, status, agents.get(unit.pk))
        plans.append(_Plan(request, events))

    # A code already used by a real request is drawn again (vanishingly rare).
    taken = set(
        ProxyRequest.objects.filter(tracking_code__in=codes).values_list("tracking_code", flat=True)
    )
    for plan in plans:
        while plan.request.tracking_code in taken:
            plan.request.tracking_code = new_code(10, rng=ctx.rng)
            if plan.request.tracking_code in codes:
                continue
            codes.add(plan.request.tracking_code)
    requests = ProxyRequest.objects.bulk_create([plan.request for plan in plans])
    events = []
    for request, plan in zip(requests, plans, strict=True):
        for event in plan.events:
            event.request = request
        events += plan.events
    ProxyEvent.objects.bulk_create(events)
    by_status = Counter(request.status for request in requests)
    return {
        "proxy_requests": len(requests),
        "proxy_events": len(events),
        "proxy_overdue": sum(
            1
            for request in requests
            if request.status in (ProxyStatus.RECEIVED, ProxyStatus.IN_PROGRESS)
            and request.due_at < ctx.now
        ),
        "proxy_rated": sum(1 for request in requests if request.rating),
        **{f"proxy_{status}": by_status.get(status, 0) for status in ProxyStatus.values},
    }
