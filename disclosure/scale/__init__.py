"""Published records at platform scale (`manage.py seed_scale`): 2,000,000 for the whole
city over five years, 20,000 for the village preset.

The records are the demo's (disclosure.demo): every unit planned by the demo's planners
(periodic items kept up, late or missing as the unit's diligence says, notices, policy
documents with their interpretations and responses, 新津区's full current year), only
denser and over five years; trimmed to the exact count and a few withdrawn with their
reasons by the demo's own rules. What changes is the writing: the bodies come in three
pieces (`bodies`) and the rows go through COPY and one INSERT … SELECT per chunk with the
table's indexes and keys made again afterwards (`writer`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from disclosure import catalogs
from disclosure.demo.context import Context, RecordPlan
from disclosure.demo.records import _trim, _withdraw, demo_units, plan_city
from disclosure.models import CatalogItem, Record, RecordKind, RecordStatus
from disclosure.scale import writer
from portal.models import AuditAction
from portal.scale import VOLUMES, ScaleContext, analyze
from portal.services.audit import audit_record

# The demo's recipes are per 40,000 records over 23 months ("density 1"); at this density
# the city plans about 5% more than the 2,000,000 it keeps, so one planning pass does.
DENSITY_AT_FULL_SCALE = 125.0
PLANNING_ROUNDS = 8


def plan_records(ctx: ScaleContext, demo: Context, count: int) -> list[RecordPlan]:
    """`count` record plans over the units of the base, by the demo's recipes: planned
    denser than needed, then trimmed and a few withdrawn as the demo does."""
    templates = catalogs.current_templates()
    items: dict[int, list[CatalogItem]] = defaultdict(list)
    for item in (
        CatalogItem.objects.filter(template__in=templates)
        .select_related("template")
        .order_by("template_id", "seq")
    ):
        items[item.template_id].append(item)
    units = demo_units()
    density = DENSITY_AT_FULL_SCALE * count / VOLUMES["records"] * 10_200 / max(len(ctx.units), 1)
    plans: list[RecordPlan] = []
    for _round in range(PLANNING_ROUNDS):
        plans = plan_city(
            demo, units, seed=ctx.seed, density=density, templates=templates, items=items
        )
        if len(plans) >= count or not plans:
            break
        # Periodic items do not grow with density: aim above, as the demo does.
        density *= count / len(plans) * 1.05
    plans = _trim(plans, count, ctx.seed, dt.date(ctx.today.year, 1, 1))
    _withdraw(demo, plans, ctx.seed)
    return plans


def scale_load(ctx: ScaleContext) -> dict[str, int]:
    count = ctx.count("records")
    started = time.monotonic()
    demo = Context.load(
        fallback_author=ctx.users["admin"], first_day=ctx.first_day, last_day=ctx.today
    )
    plans = plan_records(ctx, demo, count)
    plans, ids = writer.sort_and_number(plans)
    ctx.timings["disclosure.records.plan"] = round(time.monotonic() - started, 1)

    step = time.monotonic()
    dropped = writer.drop_indexes_and_keys()
    variants = writer.load(demo, plans, ids, seed=ctx.seed)
    ctx.timings["disclosure.records.write"] = round(time.monotonic() - step, 1)

    step = time.monotonic()
    writer.restore_indexes_and_keys(dropped)
    analyze(Record)
    ctx.timings["disclosure.records.index"] = round(time.monotonic() - step, 1)

    if plans:
        # One audit row for the batch, as the demo writes for its records.
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=Record.objects.get(pk=ids[0]),
            changes={"records": [0, len(plans)]},
            note="规模测试数据：批量发布公开信息",
        )
    return {
        "records": len(plans),
        "records_withdrawn": sum(p.status == RecordStatus.WITHDRAWN for p in plans),
        "record_policies": sum(p.kind == RecordKind.POLICY for p in plans),
        "record_body_variants": variants,
    }
