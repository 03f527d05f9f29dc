"""The demo's requests for information (依申请公开): about 400 applications over 2025 and
2026 to 新津区's government, its departments, the offices of 五津街道, 花源街道 and 安西镇,
and a few city departments, with what happened to each (registration, correction,
third-party consultation, extension, reply, withdrawal), the reconsiderations and
lawsuits about some replies, and 新津区人民政府's annual report for 2025.

They are written in bulk, not through disclosure.requests.services, which handle one
request at a time; the rows keep the rules the services keep: the receipt date by channel
(Art. 31), deadlines of 20 working days plus the extension and the paused days of a
consultation on the portal's calendar (provisional where a year has no schedule), the
clock restarting from a corrected application, outcomes only on finished requests, codes
in the services' alphabets, ID numbers only hashed and masked, phones hashed, events in
order and never after now.

Everything is drawn from `random.Random(f"{seed}:inforequests")` over the units sorted by
place and name, so the same seed, units, calendar and `now` give the same requests. It
works on whatever units are there and does nothing a second time.

The parts: `context` (the units, places, officials and working days), `rules` (the clock),
`applicants`, `texts`, `plan` (each request's history, cut at now), `challenges` (table
4), `report` (the 2025 annual report).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from disclosure.models.requests import (
    Challenge,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestStatus,
    ThirdPartyConsultation,
)
from disclosure.requests.demo.challenges import challenges_plan
from disclosure.requests.demo.context import Context
from disclosure.requests.demo.plan import (
    DEMO_REQUEST_COUNT,
    MARKER_TRACKING_CODE,
    Planner,
    specs_make,
)
from disclosure.requests.demo.report import annual_report_publish
from portal.demo.geography import DEFAULT_SEED
from portal.models import AuditAction
from portal.services.audit import audit_record

__all__ = [
    "DEMO_REQUEST_COUNT",
    "MARKER_TRACKING_CODE",
    "DemoInfoRequests",
    "demo_is_loaded",
    "demo_load",
]


@dataclass
class DemoInfoRequests:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_is_loaded() -> bool:
    """One indexed query: the demo's first request carries a code no real one can have,
    and all of them are written in one transaction."""
    return InfoRequest.objects.filter(tracking_code=MARKER_TRACKING_CODE).exists()


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, now: dt.datetime | None = None) -> DemoInfoRequests:
    """The demo's requests, challenges and annual report, unless they are there. Called by
    portal.demo.loader through settings.PORTAL_DEMO_LOADERS, after the services demo."""
    started = time.monotonic()
    if demo_is_loaded():
        return DemoInfoRequests(seconds=time.monotonic() - started)
    ctx = Context(seed=seed, now=now or timezone.now())
    planner = Planner(ctx)
    plans = [plan for spec in specs_make(ctx) if (plan := planner.plan(spec)) is not None]
    if not plans:
        return DemoInfoRequests(seconds=time.monotonic() - started)
    plans[0].request.tracking_code = MARKER_TRACKING_CODE

    requests = InfoRequest.objects.bulk_create([plan.request for plan in plans])
    events, consultations = [], []
    for request, plan in zip(requests, plans, strict=True):
        for event in plan.events:
            event.request = request
        events += plan.events
        if plan.consultation is not None:
            plan.consultation.request = request
            consultations.append(plan.consultation)
    InfoRequestEvent.objects.bulk_create(events)
    ThirdPartyConsultation.objects.bulk_create(consultations)
    challenges = Challenge.objects.bulk_create(challenges_plan(ctx, plans))

    by_status = Counter(request.status for request in requests)
    counts = {
        "info_requests": len(requests),
        "info_request_events": len(events),
        "info_request_consultations": len(consultations),
        "info_request_challenges": len(challenges),
        "info_requests_overdue": sum(
            1
            for r in requests
            if r.status not in (InfoRequestStatus.REPLIED, InfoRequestStatus.CLOSED)
            and r.due_on is not None
            and r.due_on < ctx.today
        ),
        **{
            f"info_requests_{status}": by_status.get(status, 0)
            for status in InfoRequestStatus.values
        },
    }
    # One audit row for the bulk load, on the marker request.
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=requests[0],
        changes={key: [0, value] for key, value in counts.items()},
        note="演示数据：依申请公开",
    )
    counts.update(annual_report_publish(ctx))
    return DemoInfoRequests(counts=counts, seconds=time.monotonic() - started)
