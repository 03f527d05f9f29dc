"""The demo's service guides: the city-wide set (every category, each with its city
department) and a few local guides of 新津区, 五津街道 and 平岗社区. All are published;
most were verified within the year, a few are more than a year old and carry the stale
flag, set by the same rule as the daily scan (services.selectors.guides.stale_cutoff).

A guide whose responsible unit is not on the platform is skipped, and a guide already
there (same place, same name) is left alone, so the part can run on any set of units.
"""

from __future__ import annotations

import datetime as dt
import re

from portal.demo.geography import CITY_CODE
from portal.demo.loader import PLATFORM_OPENED
from portal.models import Unit, UnitKind
from services.demo.context import SHANGHAI, Context, office_phone
from services.demo.texts import (
    CITY_GUIDES,
    LOCAL_GUIDES,
    STEPS,
    WHERE_BY_SECTOR,
    WHERE_BY_TIER,
    GuideText,
)
from services.models import (
    GuideCategory,
    GuideMaterial,
    GuideStatus,
    GuideStep,
    MaterialForm,
    ServiceGuide,
)
from services.selectors.guides import stale_cutoff
from services.services.guides import refresh_search

FORMS = {
    "o": MaterialForm.ORIGINAL,
    "c": MaterialForm.COPY,
    "b": MaterialForm.BOTH,
    "e": MaterialForm.ELECTRONIC,
}
_MATERIAL = re.compile(r"^(?P<name>.+):(?P<form>[ocbe])(?P<copies>\d*)$")
# Every tenth-or-so guide was last verified more than a year ago.
STALE_EVERY = 12
DEFAULT_HOURS = "周一至周五 9:00-12:00，13:30-17:30"
VILLAGE_HOURS = "周一至周五 9:00-12:00，14:00-17:30；周末轮流值班"
ONLINE_HALL = "https://www.sczwfw.gov.cn/jiq/front/item/bszn_detail?areaCode={area}&itemCode={code}"


def parse_materials(text: str) -> list[GuideMaterial]:
    rows = []
    for position, part in enumerate(text.split(";"), start=1):
        match = _MATERIAL.match(part.strip())
        if match is None:
            raise ValueError(f"bad material {part!r}")
        rows.append(
            GuideMaterial(
                position=position,
                name=match["name"],
                form=FORMS[match["form"]],
                copies=int(match["copies"] or 1),
            )
        )
    if len(rows) < 2:
        rows.append(
            GuideMaterial(
                position=len(rows) + 1,
                name="申请表（可在窗口领取或网上下载）",
                form=MaterialForm.ORIGINAL,
            )
        )
    return rows


def _city_unit(units: list[Unit], spec: str) -> Unit | None:
    """The city department a guide names: by sector, then by part of its name."""
    sector, _sep, part = spec.partition(":")
    candidates = [unit for unit in units if unit.sector == sector]
    if part:
        named = [unit for unit in candidates if part in unit.name]
        candidates = named or candidates
    return candidates[0] if candidates else None


def _dates(ctx: Context, index: int) -> tuple[dt.date, dt.datetime]:
    """(verified_on, published_at): mostly verified in the last eleven months, every
    STALE_EVERY-th more than a year ago; published on or before the verification, not
    before the platform opened."""
    if index % STALE_EVERY == STALE_EVERY // 2:
        verified = ctx.today - dt.timedelta(days=ctx.rng.randint(380, 640))
    else:
        verified = ctx.today - dt.timedelta(days=ctx.rng.randint(3, 330))
    published = verified - dt.timedelta(days=ctx.rng.randint(0, 90))
    published = max(published, PLATFORM_OPENED.date() + dt.timedelta(days=ctx.rng.randint(1, 20)))
    published = min(published, ctx.today)
    moment = dt.datetime.combine(
        published, dt.time(ctx.rng.randint(9, 17), ctx.rng.randint(0, 59)), tzinfo=SHANGHAI
    )
    return verified, min(moment, ctx.now)


def _guide(
    ctx: Context,
    text: GuideText,
    *,
    unit: Unit,
    region_code: str,
    where: str,
    hours: str,
    index: int,
) -> tuple[ServiceGuide, list[GuideMaterial], list[GuideStep]]:
    verified, published = _dates(ctx, index)
    category_number = GuideCategory.values.index(text.category) + 1
    guide = ServiceGuide(
        unit=unit,
        region_id=region_code,
        name=text.name,
        category=text.category,
        lowest_tier=text.tier,
        applicants=text.applicants,
        conditions=text.conditions,
        legal_limit_days=text.legal,
        promised_limit_days=text.promised,
        fees=text.fees,
        office_address=where,
        office_hours=hours,
        phone=unit.phone or office_phone(ctx),
        online_url=ONLINE_HALL.format(
            area=region_code, code=f"{region_code[:6]}{category_number:02d}{index:04d}"
        ),
        legal_basis=text.basis,
        verified_on=verified,
        stale_since=ctx.now if verified < stale_cutoff(ctx.today) else None,
        status=GuideStatus.PUBLISHED,
        published_at=published,
        created_by=ctx.author,
    )
    steps = [
        GuideStep(position=number, title=title, description=description.format(where=where))
        for number, (title, description) in enumerate(STEPS[text.steps], start=1)
    ]
    return guide, parse_materials(text.materials), steps


def _city_where(text: GuideText, unit: Unit) -> str:
    where = WHERE_BY_SECTOR.get((unit.sector, text.tier)) or WHERE_BY_TIER[text.tier]
    return where.format(dept=unit.name.removeprefix("成都市"), address=unit.address or unit.name)


def _local_unit(units: list[Unit], region: str, kind: str, sector: str) -> Unit | None:
    for unit in units:
        if unit.region_id == region and unit.kind == kind and (not sector or unit.sector == sector):
            return unit
    return None


def guides_create(ctx: Context) -> dict[str, int]:
    """The guides, their materials and steps, in bulk; each one's search vector as the
    guides' own service computes it. Returns counts."""
    if ctx.author is None:
        return {"guides": 0, "guides_skipped": len(CITY_GUIDES) + len(LOCAL_GUIDES)}
    city_units = list(
        Unit.objects.filter(region_id=CITY_CODE, kind=UnitKind.DEPARTMENT, is_active=True).order_by(
            "pk"
        )
    )
    local_units = list(
        Unit.objects.filter(
            region_id__in={local.region for local in LOCAL_GUIDES}, is_active=True
        ).order_by("pk")
    )
    existing = set(
        ServiceGuide.objects.filter(
            region_id__in={CITY_CODE, *(local.region for local in LOCAL_GUIDES)}
        ).values_list("region_id", "name")
    )
    planned: list[tuple[ServiceGuide, list[GuideMaterial], list[GuideStep]]] = []
    skipped = 0
    for index, text in enumerate(CITY_GUIDES):
        unit = _city_unit(city_units, text.unit)
        if unit is None or (CITY_CODE, text.name) in existing:
            skipped += 1
            continue
        hours = VILLAGE_HOURS if text.tier == "village" else unit.office_hours or DEFAULT_HOURS
        planned.append(
            _guide(
                ctx,
                text,
                unit=unit,
                region_code=CITY_CODE,
                where=_city_where(text, unit),
                hours=hours,
                index=index,
            )
        )
    for index, local in enumerate(LOCAL_GUIDES, start=len(CITY_GUIDES)):
        unit = _local_unit(local_units, local.region, local.unit_kind, local.sector)
        if unit is None or (local.region, local.text.name) in existing:
            skipped += 1
            continue
        planned.append(
            _guide(
                ctx,
                local.text,
                unit=unit,
                region_code=local.region,
                where=unit.address or unit.name,
                hours=unit.office_hours or DEFAULT_HOURS,
                index=index,
            )
        )
    guides = ServiceGuide.objects.bulk_create([guide for guide, _m, _s in planned])
    materials, steps = [], []
    for guide, (_g, guide_materials, guide_steps) in zip(guides, planned, strict=True):
        for row in (*guide_materials, *guide_steps):
            row.guide = guide
        materials += guide_materials
        steps += guide_steps
    GuideMaterial.objects.bulk_create(materials)
    GuideStep.objects.bulk_create(steps)
    for guide in guides:
        refresh_search(guide)
    return {
        "guides": len(guides),
        "guides_stale": sum(1 for guide in guides if guide.stale_since is not None),
        "guide_materials": len(materials),
        "guide_steps": len(steps),
        "guides_skipped": skipped,
    }
