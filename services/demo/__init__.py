"""The demo's convenience services: the service guides residents read (city-wide and a
few local ones), the county approval bureaus' catalogs with 新津区's commitment-system
projects, and proxy requests in three townships of 新津区. Everything is drawn from
`random.Random(f"{seed}:services")`, so the same seed, places and units give the same
content, and written in bulk.

Each part works on whatever units are there, skipping what is missing, and leaves alone
what is already there, so it can run on a partial platform (the tests' small one) and
run again without doubling anything.

The parts: `context`, `guides`, `approvals`, `proxy`, and `texts` (what they say).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from portal.demo.geography import CITY_CODE, DEFAULT_SEED
from portal.models import AuditAction
from portal.services.audit import audit_record
from services.demo.approvals import approvals_create
from services.demo.context import context_build
from services.demo.guides import guides_create
from services.demo.proxy import proxy_create
from services.demo.texts import CITY_GUIDES
from services.models import ServiceGuide

# Created with the rest in one transaction: it exists exactly when the demo does.
MARKER_GUIDE = CITY_GUIDES[0].name


@dataclass
class DemoServices:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_is_loaded() -> bool:
    return ServiceGuide.objects.filter(region_id=CITY_CODE, name=MARKER_GUIDE).exists()


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, now: dt.datetime | None = None) -> DemoServices:
    """The demo's guides, approval catalogs and proxy requests, unless they are there.
    Called by portal.demo.loader through settings.PORTAL_DEMO_LOADERS, after the places,
    units, logins and calendar."""
    started = time.monotonic()
    if demo_is_loaded():
        return DemoServices(seconds=time.monotonic() - started)
    ctx = context_build(seed=seed, now=now or timezone.now())
    counts = guides_create(ctx)
    counts.update(approvals_create(ctx))
    counts.update(proxy_create(ctx))
    marker = ServiceGuide.objects.filter(region_id=CITY_CODE, name=MARKER_GUIDE).first()
    if marker is not None:
        # One audit row for the whole bulk load.
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=marker,
            changes={key: [0, value] for key, value in counts.items()},
            note="演示数据：便民服务",
        )
    return DemoServices(counts=counts, seconds=time.monotonic() - started)
