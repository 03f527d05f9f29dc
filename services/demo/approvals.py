"""The demo's approval bureaus (行政审批局): 新津区's full catalog, 173 matters of 22
original departments, its commitment-system standards and a dozen investment projects
across the three stages; every other county's bureau a short catalog of the ten most
asked-for matters (where the department exists).

A bureau that already has matters, a scheme or projects keeps them; a department that
is not on the platform is skipped with its matters.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.demo.geography import XINJIN_CODE
from portal.models import Region, Sector, Tier, Unit, UnitKind
from services.demo.context import SHANGHAI, Context
from services.demo.texts import (
    COMMITMENT_PROJECTS,
    MATTER_MATERIALS,
    OTHER_COUNTY_MATTERS,
    SCHEME_STANDARDS,
    SCHEME_STEPS,
    SCHEME_TITLE,
    XINJIN_MATTERS,
)
from services.models import (
    ApprovalMatter,
    CommitmentProject,
    CommitmentScheme,
    CommitmentStage,
    MatterType,
)

XINJIN_MATTER_COUNT = 173
XINJIN_DEPARTMENT_COUNT = 22

# Letters of the catalog code by type (许可 XK, 确认 QR …), as provincial codes have.
TYPE_CODES = {
    MatterType.LICENSING: "XK",
    MatterType.CONFIRMATION: "QR",
    MatterType.FILING: "BA",
    MatterType.PAYMENT: "JF",
    MatterType.ADJUDICATION: "CJ",
    MatterType.OTHER_POWER: "QT",
    MatterType.PUBLIC_SERVICE: "GG",
}
FEES = {
    "拖拉机和联合收割机登记": "号牌、行驶证工本费按省定标准收取",
    "拖拉机和联合收割机驾驶证核发": "驾驶证工本费每本10元",
}


def matter_type(name: str) -> str:
    """The type a matter's name says it is."""
    if "备案" in name:
        return MatterType.FILING
    if "给付" in name:
        return MatterType.PAYMENT
    if "报销" in name:
        return MatterType.PUBLIC_SERVICE
    if any(word in name for word in ("初审", "审查", "审核", "受理", "手续")):
        return MatterType.OTHER_POWER
    if any(word in name for word in ("认定", "评定", "核实", "核定")):
        return MatterType.CONFIRMATION
    return MatterType.LICENSING


def _limits(ctx: Context, kind: str) -> tuple[int, int]:
    """(legal, promised) working days; the promise is at most the legal limit, usually
    well under it (the point of one window)."""
    rng = ctx.rng
    if kind == MatterType.FILING:
        return rng.choice((5, 5, 10)), rng.choice((0, 1, 1, 2))
    if kind == MatterType.LICENSING:
        legal = rng.choice((20, 20, 20, 15, 10, 30, 45))
        return legal, max(1, round(legal * rng.uniform(0.15, 0.5)))
    if kind == MatterType.CONFIRMATION:
        legal = rng.choice((20, 30))
        return legal, max(1, round(legal * rng.uniform(0.2, 0.5)))
    if kind == MatterType.OTHER_POWER:
        return 20, rng.choice((5, 7, 10))
    return 20, 10


def _materials(ctx: Context, sector: str) -> str:
    rng = ctx.rng
    pool = MATTER_MATERIALS.get(sector, ())
    specific = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
    lines = [
        "申请书（原件1份）",
        "营业执照或法定代表人（负责人）居民身份证（复印件1份）",
        *(f"{name}（{rng.choice(('原件', '复印件'))}1份）" for name in specific),
        "授权委托书及受托人居民身份证（委托办理的，原件1份）",
    ]
    return "\n".join(lines)


def _matter(ctx: Context, bureau: Unit, department: Unit, name: str, number: int) -> ApprovalMatter:
    kind = matter_type(name)
    legal, promised = _limits(ctx, kind)
    return ApprovalMatter(
        bureau=bureau,
        department=department,
        region_id=bureau.region_id,
        code=f"{bureau.region_id[:6]}-{TYPE_CODES[kind]}-{number:04d}",
        name=name,
        matter_type=kind,
        legal_limit_days=legal,
        promised_limit_days=promised,
        fees=FEES.get(name, "不收费"),
        materials=_materials(ctx, department.sector),
    )


def _departments(county_codes: list[str]) -> dict[str, dict[str, Unit]]:
    """Each county's departments by sector (the first, by id, where two share one)."""
    found: dict[str, dict[str, Unit]] = {}
    for unit in Unit.objects.filter(
        region_id__in=county_codes, kind=UnitKind.DEPARTMENT, is_active=True
    ).order_by("pk"):
        if unit.sector:
            found.setdefault(unit.region_id, {}).setdefault(unit.sector, unit)
    return found


def _projects(ctx: Context, bureau: Unit) -> list[CommitmentProject]:
    """Twelve projects in 新津区's townships: a third only committed, a third building,
    a third inspected, with dates in order and none in the future."""
    places = list(
        Region.objects.filter(
            parent_id=bureau.region_id, tier=Tier.TOWNSHIP, is_active=True
        ).values_list("code", flat=True)
    ) or [bureau.region_id]
    rng = ctx.rng
    stages = (CommitmentStage.COMMITTED, CommitmentStage.BUILDING, CommitmentStage.INSPECTED)
    projects = []
    for index, (name, investor, investment) in enumerate(COMMITMENT_PROJECTS):
        stage = stages[index % 3]
        building = inspected = None
        if stage == CommitmentStage.COMMITTED:
            committed = ctx.today - dt.timedelta(days=rng.randint(5, 40))
        elif stage == CommitmentStage.BUILDING:
            committed = ctx.today - dt.timedelta(days=rng.randint(90, 400))
            building = committed + dt.timedelta(days=rng.randint(10, 45))
        else:
            committed = ctx.today - dt.timedelta(days=rng.randint(480, 760))
            building = committed + dt.timedelta(days=rng.randint(10, 45))
            inspected = building + dt.timedelta(days=rng.randint(240, 420))
        projects.append(
            CommitmentProject(
                bureau=bureau,
                region_id=rng.choice(places),
                name=name,
                investor=investor,
                investment=Decimal(investment),
                stage=stage,
                committed_on=committed,
                building_on=building,
                inspected_on=inspected,
            )
        )
    return projects


def approvals_create(ctx: Context) -> dict[str, int]:
    bureaus = list(
        Unit.objects.filter(
            sector=Sector.APPROVAL,
            kind=UnitKind.DEPARTMENT,
            region__tier=Tier.COUNTY,
            is_active=True,
        ).order_by("region_id", "pk")
    )
    with_matters = set(
        ApprovalMatter.objects.filter(bureau__in=bureaus)
        .values_list("bureau_id", flat=True)
        .distinct()
    )
    departments = _departments([bureau.region_id for bureau in bureaus])
    matters: list[ApprovalMatter] = []
    counts = {"xinjin_matters": 0, "xinjin_departments": 0, "other_matters": 0, "other_bureaus": 0}
    for bureau in bureaus:
        if bureau.pk in with_matters:
            continue
        own = departments.get(bureau.region_id, {})
        if bureau.region_id == XINJIN_CODE:
            number = 0
            for sector, names in XINJIN_MATTERS:
                department = own.get(sector)
                if department is None:
                    continue
                counts["xinjin_departments"] += 1
                for name in names:
                    number += 1
                    matters.append(_matter(ctx, bureau, department, name, number))
            counts["xinjin_matters"] = number
        else:
            before = len(matters)
            for number, (sector, name) in enumerate(OTHER_COUNTY_MATTERS, start=1):
                if sector in own:
                    matters.append(_matter(ctx, bureau, own[sector], name, number))
            counts["other_matters"] += len(matters) - before
            counts["other_bureaus"] += 1
    ApprovalMatter.objects.bulk_create(matters, batch_size=1000)

    xinjin = next((bureau for bureau in bureaus if bureau.region_id == XINJIN_CODE), None)
    counts["schemes"] = counts["commitment_projects"] = 0
    if xinjin is not None:
        if not CommitmentScheme.objects.filter(bureau=xinjin).exists():
            published = ctx.today - dt.timedelta(days=ctx.rng.randint(400, 500))
            CommitmentScheme.objects.create(
                bureau=xinjin,
                title=SCHEME_TITLE,
                standards=SCHEME_STANDARDS,
                steps=SCHEME_STEPS,
                published_at=dt.datetime.combine(published, dt.time(10, 0), tzinfo=SHANGHAI),
            )
            counts["schemes"] = 1
        if not CommitmentProject.objects.filter(bureau=xinjin).exists():
            projects = CommitmentProject.objects.bulk_create(_projects(ctx, xinjin))
            counts["commitment_projects"] = len(projects)
    return counts
