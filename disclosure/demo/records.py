"""The records of the whole city: every unit planned, trimmed to the requested count,
a few withdrawn, the bodies rendered, then written in bulk (`writer`)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import transaction

from disclosure import catalogs
from disclosure.demo.bodies import body_for
from disclosure.demo.city import CityPlanner, issues_monthly
from disclosure.demo.context import (
    DEMO_RECORD_COUNT,
    FIRST_DAY,
    LAST_DAY,
    MARKER_TITLE,
    Context,
    RecordPlan,
    office_time,
)
from disclosure.demo.coverage import (
    ROUTINE,
    ShowcasePlanner,
    in_showcase_county,
    is_showcase,
    routine_body,
)
from disclosure.demo.planner import UnitPlanner
from disclosure.demo.writer import records_write
from disclosure.models import CatalogItem, CatalogTemplate, RecordKind, RecordStatus
from disclosure.models.catalog import PERIODIC
from portal.demo.geography import DEFAULT_SEED
from portal.models import AuditAction, Unit, UnitKind, User
from portal.richtext import sanitize
from portal.services.audit import audit_record

# Villages that have published nothing yet, so completeness reports show a zero. 简阳市's
# first community is one of them on purpose: portal's demo tests delete its units to
# check that a reload completes a half-loaded demo, and published records (PROTECT)
# would forbid that.
SILENT_VILLAGES = frozenset({"510185001001", "510121100201", "510182100203"})
SILENT_SHARE = 0.01
WITHDRAWN_SHARE = 0.004

WITHDRAW_REASONS = (
    "信息内容有误，已更正后重新发布。",
    "与已发布信息重复，予以撤回。",
    "公示内容包含未经脱敏的个人信息，已撤回并按规定处理后重新公示。",
    "所附数据统计口径有误，核实后重新发布。",
    "该事项已按上级要求调整，原公告撤回。",
)


def demo_units(units: Iterable[Unit] | None = None) -> list[Unit]:
    queryset = Unit.objects.filter(is_active=True) if units is None else units
    if hasattr(queryset, "select_related"):
        queryset = queryset.select_related("region").order_by("region_id", "kind", "name")
        return list(queryset)
    return sorted(queryset, key=lambda u: (u.region_id, u.kind, u.name))


def plan_city(
    ctx: Context,
    units: Sequence[Unit],
    *,
    seed: int,
    density: float,
    templates: Sequence[CatalogTemplate],
    items: dict[int, list[CatalogItem]],
) -> list[RecordPlan]:
    plans: list[RecordPlan] = []
    templates = list(templates)
    for unit in units:
        template = catalogs.template_for(unit.kind, unit.sector, unit.region.tier, templates)
        if template is None:
            continue
        if unit.kind == UnitKind.VILLAGE_COMMITTEE and not is_showcase(unit):
            # Decided per village, so a village is silent whichever others are planned.
            chance = random.Random(f"{seed}:silent:{unit.region_id}").random()  # noqa: S311
            if unit.region_id in SILENT_VILLAGES or chance < SILENT_SHARE:
                continue
        if issues_monthly(unit):
            planner_class = CityPlanner
        elif is_showcase(unit):
            planner_class = ShowcasePlanner
        else:
            planner_class = UnitPlanner
        planner = planner_class(ctx, unit, template, items[template.pk], seed=seed, density=density)
        plans.extend(planner.plan())
    return plans


# How readily the trim drops an ordinary record outside the showcase county: the periods
# of the current year are what the supervisors' dashboard counts, so the years before
# and the occasional notices thin first.
TRIM_WEIGHT_HISTORY = 1.0
TRIM_WEIGHT_ON_CHANGE = 0.5
TRIM_WEIGHT_THIS_YEAR = 0.25


def _trim_weight(plan: RecordPlan, year_start: dt.date) -> float:
    if plan.item.schedule_kind not in PERIODIC:
        return TRIM_WEIGHT_ON_CHANGE
    if plan.period_end is not None and plan.period_end >= year_start:
        return TRIM_WEIGHT_THIS_YEAR
    return TRIM_WEIGHT_HISTORY


def _trim(plans: list[RecordPlan], count: int, seed: int, year_start: dt.date) -> list[RecordPlan]:
    """Drop random ordinary records until `count` are left: the other counties' first,
    weighted (`_trim_weight`), the showcase county's only when nothing else is left.
    Guaranteed records and the publish–interpret–respond chains stay."""
    excess = len(plans) - count
    if excess <= 0:
        return plans
    rng = random.Random(f"{seed}:trim")  # noqa: S311
    ranked = []
    for i, plan in enumerate(plans):
        if plan.keep or plan.kind != RecordKind.ORDINARY:
            continue
        draw = rng.random()
        if in_showcase_county(plan.unit):
            ranked.append((1, draw, i))
        else:
            # A weighted sample without replacement (Efraimidis–Spirakis): the records
            # with the highest draw ** (1 / weight) go.
            ranked.append((0, -(draw ** (1 / _trim_weight(plan, year_start))), i))
    ranked.sort()
    dropped = {i for _tier, _key, i in ranked[:excess]}
    return [plan for i, plan in enumerate(plans) if i not in dropped]


def _withdraw(ctx: Context, plans: list[RecordPlan], seed: int) -> None:
    """A few records withdrawn after publication, each with its public reason."""
    rng = random.Random(f"{seed}:withdraw")  # noqa: S311
    candidates = [
        p
        for p in plans
        if not p.keep and p.kind == RecordKind.ORDINARY and p.published_at.date() < ctx.last_day
    ]
    for plan in rng.sample(candidates, round(len(candidates) * WITHDRAWN_SHARE)):
        published = plan.published_at.date()
        day = ctx.workdays.between(
            rng, published + dt.timedelta(days=1), min(published + dt.timedelta(30), ctx.last_day)
        )
        if day <= published:
            continue
        plan.status = RecordStatus.WITHDRAWN
        plan.withdrawn_at = office_time(rng, day)
        plan.withdraw_reason = rng.choice(WITHDRAW_REASONS)


def records_plan(
    *,
    seed: int = DEFAULT_SEED,
    count: int | None = DEMO_RECORD_COUNT,
    units: Iterable[Unit] | None = None,
    ctx: Context | None = None,
    fallback_author: int | None = None,
) -> list[RecordPlan]:
    """The records to write, bodies rendered; nothing is written. `count=None` plans what
    the recipes give at density 1; a count plans denser and trims to exactly that many
    (guaranteed records and policy chains are never trimmed)."""
    if ctx is None:
        ctx = Context.load(
            fallback_author=fallback_author or 0, first_day=FIRST_DAY, last_day=LAST_DAY
        )
    templates = catalogs.current_templates()
    items: dict[int, list[CatalogItem]] = defaultdict(list)
    for item in (
        CatalogItem.objects.filter(template__in=templates)
        .select_related("template")
        .order_by("template_id", "seq")
    ):
        items[item.template_id].append(item)
    unit_list = demo_units(units)

    def plan(density: float) -> list[RecordPlan]:
        return plan_city(
            ctx, unit_list, seed=seed, density=density, templates=templates, items=items
        )

    density = 1.0 if count is None else max(count / DEMO_RECORD_COUNT, 0.05)
    plans = plan(density)
    if count is not None:
        # Periodic items do not scale with density, so a few rounds may be needed.
        for _ in range(8):
            if len(plans) >= count or not plans:
                break
            density *= count / len(plans) * 1.05
            plans = plan(density)
        plans = _trim(plans, count, seed, dt.date(ctx.last_day.year, 1, 1))
    _withdraw(ctx, plans, seed)
    for plan_ in plans:
        render = routine_body if plan_.genre == ROUTINE else body_for
        plan_.body = sanitize(render(ctx, plan_))
    return plans


@transaction.atomic
def records_generate(
    *,
    seed: int = DEFAULT_SEED,
    count: int | None = DEMO_RECORD_COUNT,
    units: Iterable[Unit] | None = None,
    author: User | None = None,
    first_day: dt.date = FIRST_DAY,
    last_day: dt.date = LAST_DAY,
) -> list[RecordPlan]:
    """Plan and write the records; units without an official are authored by `author`
    (default: the demo's `admin`)."""
    author = author or User.objects.filter(username="admin").first()
    if author is None:
        raise LookupError("演示数据需要 admin 账号作为默认起草人")
    ctx = Context.load(fallback_author=author.pk, first_day=first_day, last_day=last_day)
    plans = records_plan(seed=seed, count=count, units=units, ctx=ctx)
    records_write(ctx, plans)
    if plans:
        first = next((p for p in plans if p.title == MARKER_TITLE), plans[0])
        # One audit row for the batch, as for the demo's units.
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=first.record,
            changes={"records": [0, len(plans)]},
            note="演示数据：批量发布公开信息",
        )
    return plans
