"""The demo's village money: the collective accounts of every village kept by its
township's accounting centre, and the special-fund projects of every village, with the
alerts the rules raise on them. Everything is drawn from
`random.Random(f"{seed}:funds")`, so the same seed, places and units give the same books.

The parts: `context` (the villages, the centres' accountants), `ledger` (collectives,
members, entries, vouchers, registers, statements), `projects` (decisions, projects,
stages, payments, acceptances, publications; 平岗社区's through the services), `scans`
(the voucher images), `texts`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from funds.chart import chart_load
from funds.demo.context import context_build
from funds.demo.ledger import books_close, ledgers_create
from funds.demo.projects import projects_create
from funds.models import Collective, Voucher
from funds.services import vouchers
from funds.services.monitoring import alerts_scan
from portal.demo.geography import DEFAULT_SEED, PINGGANG_CODE
from portal.demo.people import demo_persons
from portal.models import AuditAction, User
from portal.services.audit import audit_record


@dataclass
class DemoFunds:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_is_loaded() -> bool:
    """One indexed query: 平岗社区's collective exists exactly when the demo's books do
    (they are written in one transaction)."""
    return Collective.objects.filter(region_id=PINGGANG_CODE, group_name="").exists()


def pinggang_collective() -> Collective:
    return Collective.objects.get(region_id=PINGGANG_CODE, group_name="")


def voucher_views_create(collective: Collective, *, seed: int) -> int:
    """Who has looked at 平岗社区's vouchers, so that the supervisors' page of views
    (/supervision/audit/) has something to show: the demo resident after the ID check, from
    a documentation address, and the accounting centre's accountant in the back office.
    Through the services, as a real visit writes them."""
    resident = demo_persons(seed)["resident"]
    grant, _token = vouchers.voucher_access_request(
        collective=collective,
        name=resident.full_name,
        id_number=resident.id_number,
        client="203.0.113.18",
    )
    recent = list(
        Voucher.objects.filter(entry__collective=collective).order_by("-entry__booked_on", "pk")[:5]
    )
    for voucher in recent[:3]:
        vouchers.voucher_view(voucher=voucher, grant=grant)
    accountant = User.objects.get(username="accountant")
    for voucher in recent[3:]:
        vouchers.voucher_view_by_official(voucher=voucher, official=accountant)
    return len(recent)


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, now: dt.datetime | None = None) -> DemoFunds:
    """The demo's books and projects, unless they are there. Called by portal.demo.loader
    through settings.PORTAL_DEMO_LOADERS, after the records and the participation."""
    started = time.monotonic()
    if demo_is_loaded():
        return DemoFunds(seconds=time.monotonic() - started)
    now = now or timezone.now()
    chart_load()
    ctx = context_build(seed=seed, now=now)
    pairs, counts = ledgers_create(ctx)
    collectives = {c.region_id: c for _village, c in pairs if not c.group_name}
    counts.update(projects_create(ctx, collectives))
    counts.update(books_close(ctx, pairs))
    counts["voucher_views"] = voucher_views_create(pinggang_collective(), seed=seed)
    scan = alerts_scan(now=now)
    counts["alerts"] = sum(scan.open.values())
    pinggang = pinggang_collective()
    # One audit row for the bulk part; 平岗社区's projects wrote their own through the
    # services.
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=pinggang,
        unit=pinggang.centre,
        changes={key: [0, value] for key, value in counts.items()},
        note="演示数据：村级资金和“三资”",
    )
    return DemoFunds(counts=counts, seconds=time.monotonic() - started)
