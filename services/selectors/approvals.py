"""Reads of the approval bureau's catalog (行政审批局) and of investment projects under the
commitment system (承诺制): what the public sees inside a place, the figures the pages
print, and who manages a bureau's catalog in the back office. The pages, the API and the
admin all read here.

"Inside a place" is the place and everything below it (portal.hierarchy): a county's
page shows its bureau; a township's or a village's shows none of its own, and the page
points to the bureau of the county around it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, When
from django.utils.translation import gettext_lazy

from portal import hierarchy
from portal import permissions as core
from portal.models import Region, Sector, Tier, Unit, UnitKind
from portal.permissions import Action
from services.models import (
    ApprovalMatter,
    CommitmentProject,
    CommitmentScheme,
    CommitmentStage,
    GuideStatus,
    ServiceGuide,
)

STAGE_ORDER = (CommitmentStage.COMMITTED, CommitmentStage.BUILDING, CommitmentStage.INSPECTED)
# The date column of each stage.
STAGE_DATE = {
    CommitmentStage.COMMITTED: "committed_on",
    CommitmentStage.BUILDING: "building_on",
    CommitmentStage.INSPECTED: "inspected_on",
}


# --- Who runs a bureau -----------------------------------------------------------------


def is_bureau(unit: Unit | None) -> bool:
    """A county's approval bureau (行政审批局): a department of sector "approval"."""
    return unit is not None and unit.kind == UnitKind.DEPARTMENT and unit.sector == Sector.APPROVAL


def bureaus() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.DEPARTMENT, sector=Sector.APPROVAL)


def can_manage_bureau(user: Any, bureau: Unit | None) -> bool:
    """Keep the bureau's matters, scheme and projects: the bureau's own officials (and
    platform admins). The one answer the services and the admin ask."""
    return is_bureau(bureau) and core.can(user, Action.EDIT, bureau)


def bureaus_managed_by(user: Any) -> QuerySet[Unit]:
    """The active bureaus whose catalog this person keeps."""
    return (
        core.units_for(user, Action.EDIT)
        .filter(kind=UnitKind.DEPARTMENT, sector=Sector.APPROVAL, is_active=True)
        .select_related("region")
        .order_by("region_id", "name")
    )


def departments_for(bureau_units: QuerySet[Unit]) -> QuerySet[Unit]:
    """The departments whose matters these bureaus may hold: the active departments of
    the bureaus' own places."""
    return (
        Unit.objects.filter(
            kind=UnitKind.DEPARTMENT,
            is_active=True,
            region_id__in=bureau_units.values("region_id"),
        )
        .select_related("region")
        .order_by("region_id", "name")
    )


def guides_for(bureau_units: QuerySet[Unit]) -> QuerySet[ServiceGuide]:
    """Published guides a matter of these bureaus may link to: those applying in the
    bureaus' places (theirs, local ones inside them, and those of places around them)."""
    codes = list(bureau_units.values_list("region_id", flat=True).distinct())
    condition = Q()
    for code in codes:
        low, high = hierarchy.subtree_bounds(code)
        above = [*hierarchy.ancestor_codes(code), code]
        condition |= Q(region_id__in=above) | Q(region_id__gte=low, region_id__lte=high)
    if not codes:
        return ServiceGuide.objects.none()
    return (
        ServiceGuide.objects.filter(condition, status=GuideStatus.PUBLISHED)
        .select_related("unit")
        .order_by("name", "id")
    )


# --- Back office -------------------------------------------------------------------------


def matters_back_office(user: Any) -> QuerySet[ApprovalMatter]:
    """Matters a person reads in the back office: their bureaus' and, for supervisors,
    those of the bureaus in the places they supervise. Outsiders read none."""
    return core.scope_queryset(
        ApprovalMatter.objects.select_related("bureau", "department"),
        user,
        Action.VIEW,
        unit_field="bureau",
    )


def schemes_back_office(user: Any) -> QuerySet[CommitmentScheme]:
    return core.scope_queryset(
        CommitmentScheme.objects.select_related("bureau"), user, Action.VIEW, unit_field="bureau"
    )


def projects_back_office(user: Any) -> QuerySet[CommitmentProject]:
    return core.scope_queryset(
        CommitmentProject.objects.select_related("bureau", "region"),
        user,
        Action.VIEW,
        unit_field="bureau",
    )


# --- The public catalog ----------------------------------------------------------------


@dataclass(frozen=True)
class MatterFilter:
    region: str  # a 12-digit code: the matters of the bureaus in that place's subtree
    department: int | None = None  # a unit id
    matter_type: str | None = None  # MatterType value
    query: str | None = None  # part of the matter's name or code


def _active_matters(region: str) -> QuerySet[ApprovalMatter]:
    return hierarchy.in_subtree(ApprovalMatter.objects.filter(is_active=True), region)


def matters_public(criteria: MatterFilter) -> QuerySet[ApprovalMatter]:
    """Matters in use inside a place, bureau by bureau, then by original department and
    name. `public_guide_id` is the matter's guide while that guide is published."""
    matters = _active_matters(criteria.region)
    if criteria.department:
        matters = matters.filter(department_id=criteria.department)
    if criteria.matter_type:
        matters = matters.filter(matter_type=criteria.matter_type)
    if criteria.query:
        text = criteria.query.strip()
        matters = matters.filter(Q(name__icontains=text) | Q(code__iexact=text))
    return (
        matters.select_related("bureau", "department")
        .annotate(
            public_guide_id=Case(
                When(guide__status=GuideStatus.PUBLISHED, then=F("guide_id")),
                default=None,
                output_field=IntegerField(),
            )
        )
        .order_by("region_id", "bureau__name", "bureau_id", "department__name", "name", "id")
    )


def is_filtered(criteria: MatterFilter) -> bool:
    return bool(criteria.department or criteria.matter_type or criteria.query)


def materials_of(matter: ApprovalMatter) -> list[str]:
    """The application materials, one a line, blank lines dropped."""
    return [line.strip() for line in (matter.materials or "").splitlines() if line.strip()]


def days_saved(matter: ApprovalMatter) -> int:
    """Working days the promise saves against the legal limit."""
    return max(matter.legal_limit_days - matter.promised_limit_days, 0)


def _share_saved(legal: int, promised: int) -> Decimal | None:
    """How much shorter the promised limits are than the legal ones, in per cent."""
    if not legal:
        return None
    share = Decimal(legal - promised) * 100 / Decimal(legal)
    return share.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass
class DepartmentCount:
    id: int
    name: str
    matters: int


@dataclass
class BureauSummary:
    """One bureau's catalog in figures: 集中 173 项审批事项，涉及 22 个部门."""

    id: int
    name: str
    region_code: str
    region_name: str
    departments: list[DepartmentCount] = field(default_factory=list)
    legal_days: int = 0
    promised_days: int = 0

    @property
    def matters(self) -> int:
        return sum(d.matters for d in self.departments)

    @property
    def percent_saved(self) -> Decimal | None:
        return _share_saved(self.legal_days, self.promised_days)


def catalog_summary(region: str) -> list[BureauSummary]:
    """The bureaus inside a place with their matters counted by original department, in
    one grouped query, bureaus and departments by name."""
    rows = (
        _active_matters(region)
        .values(
            "bureau_id",
            "bureau__name",
            "bureau__region_id",
            "bureau__region__name",
            "department_id",
            "department__name",
        )
        .annotate(
            matters=Count("id"), legal=Sum("legal_limit_days"), promised=Sum("promised_limit_days")
        )
        .order_by("bureau__region_id", "bureau__name", "bureau_id", "department__name")
    )
    summaries: dict[int, BureauSummary] = {}
    for row in rows:
        summary = summaries.get(row["bureau_id"])
        if summary is None:
            summary = summaries[row["bureau_id"]] = BureauSummary(
                id=row["bureau_id"],
                name=row["bureau__name"],
                region_code=row["bureau__region_id"],
                region_name=row["bureau__region__name"],
            )
        summary.departments.append(
            DepartmentCount(
                id=row["department_id"], name=row["department__name"], matters=row["matters"]
            )
        )
        summary.legal_days += row["legal"] or 0
        summary.promised_days += row["promised"] or 0
    return list(summaries.values())


Key = tuple[int, int]  # (bureau id, department id): one heading of the catalog


def department_counts(criteria: MatterFilter) -> dict[Key, int]:
    """Matters per bureau and original department under the filter; one grouped query."""
    rows = (
        matters_public(criteria)
        .order_by()
        .values_list("bureau_id", "department_id")
        .annotate(n=Count("id"))
    )
    return {(bureau, department): n for bureau, department, n in rows}


def key_before(criteria: MatterFilter, index: int) -> Key | None:
    """The heading of the matter just before position `index` of the filtered list (the
    last one of the previous page), None at the start; one query."""
    if index <= 0:
        return None
    row = matters_public(criteria).values_list("bureau_id", "department_id")[index - 1 : index]
    found = list(row)
    return found[0] if found else None


@dataclass
class MatterGroup:
    """The matters of one department on one page of the catalog."""

    bureau: Unit
    department: Unit
    total: int  # the department's matters under the filter, on every page
    matters: list[ApprovalMatter]
    continued: bool  # the department's list began on the previous page


def group_by_department(
    matters: list[ApprovalMatter], totals: dict[Key, int], previous: Key | None = None
) -> list[MatterGroup]:
    """Consecutive matters of a bureau's department (as matters_public orders them) under
    one heading; the first group continues the previous page's last when `previous`, the
    key of that page's last matter, is its own."""
    groups: list[MatterGroup] = []
    keys: list[Key] = []
    for matter in matters:
        key = (matter.bureau_id, matter.department_id)
        if keys and keys[-1] == key:
            groups[-1].matters.append(matter)
            continue
        keys.append(key)
        groups.append(
            MatterGroup(
                bureau=matter.bureau,
                department=matter.department,
                total=totals.get(key, 0),
                matters=[matter],
                continued=not groups and previous == key,
            )
        )
    return groups


@dataclass(frozen=True)
class BureauEntry:
    """A bureau in the index of the page asked without a place."""

    id: int
    name: str
    region_code: str
    region_name: str
    matters: int
    departments: int


def bureau_index() -> list[BureauEntry]:
    """Every bureau with matters in use, by place; one grouped query."""
    rows = (
        ApprovalMatter.objects.filter(is_active=True)
        .values("bureau_id", "bureau__name", "bureau__region_id", "bureau__region__name")
        .annotate(matters=Count("id"), departments=Count("department_id", distinct=True))
        .order_by("bureau__region_id", "bureau__name")
    )
    return [
        BureauEntry(
            id=row["bureau_id"],
            name=row["bureau__name"],
            region_code=row["bureau__region_id"],
            region_name=row["bureau__region__name"],
            matters=row["matters"],
            departments=row["departments"],
        )
        for row in rows
    ]


def serving_bureaus(region: Region) -> list[Unit]:
    """For a township or a village: the active bureaus of the county around it, where
    its residents' and businesses' matters are approved. Empty above the county tier."""
    county = hierarchy.ancestor_at(region.code, Tier.COUNTY)
    if county is None or county == region.code:
        return []
    return list(
        bureaus().filter(region_id=county, is_active=True).select_related("region").order_by("name")
    )


# --- Commitment system ---------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFilter:
    region: str
    stage: str | None = None  # CommitmentStage value


def _public_projects(region: str) -> QuerySet[CommitmentProject]:
    return hierarchy.in_subtree(CommitmentProject.objects.filter(is_public=True), region)


def projects_public(criteria: ProjectFilter) -> QuerySet[CommitmentProject]:
    """Public projects located inside a place, latest commitment first."""
    projects = _public_projects(criteria.region)
    if criteria.stage:
        projects = projects.filter(stage=criteria.stage)
    return projects.select_related("bureau", "region").order_by("-committed_on", "-id")


def stage_counts(region: str) -> list[tuple[str, str, int]]:
    """(stage, label, public projects) for the three stages in order; one query."""
    counted = dict(_public_projects(region).order_by().values_list("stage").annotate(n=Count("id")))
    return [(stage.value, str(stage.label), counted.get(stage.value, 0)) for stage in STAGE_ORDER]


def schemes_public(region: str) -> list[CommitmentScheme]:
    """The published schemes a place's page shows: those of the bureaus inside it and of
    the bureaus whose public projects lie inside it (a township shows its county's)."""
    low, high = hierarchy.subtree_bounds(region)
    return list(
        CommitmentScheme.objects.filter(published_at__isnull=False)
        .filter(
            Q(bureau__region_id__gte=low, bureau__region_id__lte=high)
            | Q(bureau_id__in=_public_projects(region).values("bureau_id"))
        )
        .select_related("bureau", "bureau__region")
        .order_by("bureau__region_id", "bureau__name")
    )


def steps_of(scheme: CommitmentScheme) -> list[str]:
    """The scheme's steps, one a line, blank lines dropped."""
    return [line.strip() for line in (scheme.steps or "").splitlines() if line.strip()]


STEP_STATES = {
    "done": gettext_lazy("已完成"),
    "current": gettext_lazy("当前阶段"),
    "todo": gettext_lazy("待进行"),
}


@dataclass(frozen=True)
class ProjectStep:
    stage: str
    label: str
    state: str  # done / current / todo
    state_label: str
    on: dt.date | None


def project_timeline(project: CommitmentProject) -> list[ProjectStep]:
    """已承诺 → 开工建设 → 竣工验收 with the day each was reached. The stage reached last
    is current, except inspection, which ends the road."""
    reached = STAGE_ORDER.index(CommitmentStage(project.stage))
    steps = []
    for index, stage in enumerate(STAGE_ORDER):
        if index < reached or (index == reached and stage == CommitmentStage.INSPECTED):
            state = "done"
        elif index == reached:
            state = "current"
        else:
            state = "todo"
        steps.append(
            ProjectStep(
                stage=stage.value,
                label=str(stage.label),
                state=state,
                state_label=str(STEP_STATES[state]),
                on=getattr(project, STAGE_DATE[stage]) if index <= reached else None,
            )
        )
    return steps


def next_stage(project: CommitmentProject) -> str | None:
    """The stage a project moves to next, None once inspected."""
    index = STAGE_ORDER.index(CommitmentStage(project.stage))
    return STAGE_ORDER[index + 1].value if index + 1 < len(STAGE_ORDER) else None
