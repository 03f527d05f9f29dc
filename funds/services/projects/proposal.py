"""Proposing a project (with the village's decision and funding lines), changing it
while proposed, and its approval (立项) by the township office: the "before" rules.

- no approval without a recorded village decision;
- the special-fund part of the village's approved projects of a year never exceeds its
  yearly allocation (the allocation row is locked, so two approvals of one village and
  year take turns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from funds.models import (
    SPECIAL_SOURCES,
    FundingLine,
    FundingSource,
    FundProject,
    ProjectCategory,
    ProjectStage,
    Stage,
    VillageAllocation,
)
from funds.selectors.projects import special_part
from funds.services.projects._common import (
    MAX_TEXT,
    Errors,
    _add,
    _check_amount,
    _clean_note,
    _locked,
    _raise_if,
    _reach,
    _require_runner,
    _require_stage,
    _require_supervisor,
    _text,
    _yuan,
    amount_of,
)
from participation.models import Decision, DecisionStatus
from portal.models import AuditAction, UnitKind
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, DomainError, NotAllowed

# The decisions a project may rest on: passed by the village (representatives') meeting.
DECISION_STATUSES = (DecisionStatus.RESOLVED, DecisionStatus.PUBLISHED, DecisionStatus.DONE)
# Stages whose special funds count against the village's yearly allocation.
COMMITTED_STAGES = (
    Stage.APPROVED,
    Stage.IMPLEMENTING,
    Stage.ACCEPTED,
    Stage.EVALUATED,
    Stage.CLOSED,
)
# The fields of a proposed project the village may still change (project_update).
EDITABLE_FIELDS = ("year", "name", "category", "description", "budget", "decision")
MAX_NAME = FundProject._meta.get_field("name").max_length
YEARS = (2000, 2100)


# --- Proposing -------------------------------------------------------------------------


def _clean_funding(funding: Any, budget: Decimal | None, errors: Errors) -> list:
    """[(source, amount)] from the lines given; every problem goes on `funding`."""
    lines: list[tuple[str, Decimal]] = []
    if not isinstance(funding, list | tuple) or not funding:
        _add(errors, "funding", _("请填写资金来源和金额。"))
        return lines
    seen: set[str] = set()
    for position, line in enumerate(funding, start=1):
        try:
            source, raw = line
        except (TypeError, ValueError):
            _add(errors, "funding", _("第%(n)d行资金来源无效。") % {"n": position})
            continue
        if source not in FundingSource.values:
            _add(errors, "funding", _("第%(n)d行：请选择资金来源。") % {"n": position})
            continue
        label = FundingSource(source).label
        if source in seen:
            _add(errors, "funding", _("资金来源“%(source)s”重复填写。") % {"source": label})
            continue
        seen.add(source)
        amount = amount_of(raw)
        if amount is None:
            _add(
                errors,
                "funding",
                _("“%(source)s”的金额应为大于0的金额（元），最多两位小数。") % {"source": label},
            )
            continue
        lines.append((source, amount))
    if "funding" not in errors and budget is not None:
        total = sum((amount for _source, amount in lines), Decimal(0))
        if total != budget:
            _add(
                errors,
                "funding",
                _("各项资金来源合计%(total)s元，应等于预算%(budget)s元。")
                % {"total": _yuan(total), "budget": _yuan(budget)},
            )
    return lines


def _project_errors(
    *,
    unit: Any,
    year: Any,
    name: str,
    category: Any,
    description: str,
    budget: Any,
    decision: Decision | None,
    funding: Any,
) -> tuple[Errors, Decimal | None, list]:
    errors: Errors = {}
    if not name:
        _add(errors, "name", _("请填写项目名称。"))
    elif len(name) > MAX_NAME:
        _add(errors, "name", _("项目名称不能超过%(n)d个字。") % {"n": MAX_NAME})
    if not isinstance(year, int) or isinstance(year, bool) or not YEARS[0] <= year <= YEARS[1]:
        _add(errors, "year", _("请填写项目年度，例如 2026。"))
    if category not in ProjectCategory.values:
        _add(errors, "category", _("请选择项目类别。"))
    if len(description) > MAX_TEXT:
        _add(errors, "description", _("建设内容不能超过%(n)d个字。") % {"n": MAX_TEXT})
    amount = _check_amount(errors, "budget", budget, _("预算"))
    if decision is not None:
        if decision.unit_id != unit.pk:
            _add(errors, "decision", _("只能选择本村（社区）的决议。"))
        elif decision.status not in DECISION_STATUSES:
            _add(
                errors,
                "decision",
                _("该事项尚未形成决议（当前：%(status)s），不能作为项目依据。")
                % {"status": decision.get_status_display()},
            )
    lines = _clean_funding(funding, amount, errors)
    return errors, amount, lines


def _write_funding(project: FundProject, lines: list[tuple[str, Decimal]]) -> None:
    project.funding.all().delete()
    FundingLine.objects.bulk_create(
        FundingLine(project=project, source=source, amount=amount) for source, amount in lines
    )


def _funding_snapshot(lines: Iterable[tuple[str, Decimal]]) -> list[list[str]]:
    return [[source, str(amount)] for source, amount in lines]


@transaction.atomic
def project_create(
    *,
    unit: Any,
    year: int,
    name: str,
    category: str,
    description: str,
    budget: Decimal,
    funding: list[tuple[str, Decimal]],
    decision: Decision | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> FundProject:
    """A proposed project of a village committee, with its funding lines (adding up to
    the budget) and, when it has one already, the decision that approved it."""
    if unit is None or unit.kind != UnitKind.VILLAGE_COMMITTEE:
        raise NotAllowed(_("专项资金项目由村（居）民委员会提出。"))
    _require_runner(actor, unit)
    now = now or timezone.now()
    name, description = _text(name), _text(description)
    errors, amount, lines = _project_errors(
        unit=unit,
        year=year,
        name=name,
        category=category,
        description=description,
        budget=budget,
        decision=decision,
        funding=funding,
    )
    _raise_if(errors)
    project = FundProject.objects.create(
        unit=unit,
        region_id=unit.region_id,
        year=year,
        name=name,
        category=category,
        description=description,
        budget=amount,
        decision=decision,
        stage=Stage.PROPOSED,
        stage_since=now,
        created_by=actor,
    )
    _write_funding(project, lines)
    ProjectStage.objects.create(project=project, stage=Stage.PROPOSED, reached_at=now, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=project,
        changes=diff(
            {},
            {
                **snapshot(project, ["year", "name", "category", "budget", "decision_id"]),
                "funding": _funding_snapshot(lines),
            },
        ),
    )
    return project


@transaction.atomic
def project_update(
    *,
    project: FundProject,
    actor: Any,
    funding: list[tuple[str, Decimal]] | None = None,
    **changes: Any,
) -> FundProject:
    """Change a proposed project (EDITABLE_FIELDS), and its funding lines when given."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"project_update() got unexpected fields: {sorted(unknown)}")
    project = _locked(project)
    _require_runner(actor, project)
    if project.stage != Stage.PROPOSED:
        raise Conflict(_("项目立项后不能再修改；如有错误，请在立项前修改或撤销项目。"))
    before_lines = [(line.source, line.amount) for line in project.funding.all()]
    fields = [FundProject._meta.get_field(name).attname for name in EDITABLE_FIELDS]
    before = {**snapshot(project, fields), "funding": _funding_snapshot(before_lines)}
    values = {
        "year": project.year,
        "name": project.name,
        "category": project.category,
        "description": project.description,
        "budget": project.budget,
        "decision": project.decision,
        **changes,
    }
    values["name"], values["description"] = _text(values["name"]), _text(values["description"])
    errors, amount, lines = _project_errors(
        unit=project.unit,
        funding=before_lines if funding is None else funding,
        **values,
    )
    _raise_if(errors)
    for field in EDITABLE_FIELDS:
        setattr(project, field, values[field])
    project.budget = amount
    project.save(update_fields=list(EDITABLE_FIELDS))
    if funding is not None and lines != before_lines:
        _write_funding(project, lines)
    changed = diff(before, {**snapshot(project, fields), "funding": _funding_snapshot(lines)})
    if changed:
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=project, changes=changed)
    return project


# --- Approval (事前) ------------------------------------------------------------------


def allocation_in_use(project: FundProject) -> Decimal:
    """The special funds of the village's other approved (or later) projects of the year."""
    used = (
        FundingLine.objects.filter(
            project__region_id=project.region_id,
            project__year=project.year,
            project__stage__in=COMMITTED_STAGES,
            source__in=SPECIAL_SOURCES,
        )
        .exclude(project_id=project.pk)
        .aggregate(total=Sum("amount"))["total"]
    )
    return used or Decimal(0)


@transaction.atomic
def project_approve(
    *, project: FundProject, actor: Any, note: str = "", now: dt.datetime | None = None
) -> FundProject:
    """立项: the township office approves a proposed project that rests on a village
    decision and whose special funds fit in what is left of the village's allocation."""
    project = _locked(project)
    _require_supervisor(actor, project)
    _require_stage(project, Stage.PROPOSED)
    note = _clean_note(note)
    if project.decision_id is None:
        raise DomainError(
            _("该项目没有村民（代表）会议决议，不能立项。请村（社区）先按“四议两公开”形成决议。")
        )
    decision = Decision.objects.get(pk=project.decision_id)
    if decision.status not in DECISION_STATUSES:
        raise DomainError(
            _("项目依据的事项尚未形成决议（当前：%(status)s），不能立项。")
            % {"status": decision.get_status_display()}
        )
    # Locked: approvals of one village and year take turns, so two cannot both fit.
    allocation = (
        VillageAllocation.objects.select_for_update()
        .filter(region_id=project.region_id, year=project.year)
        .first()
    )
    if allocation is None:
        raise DomainError(
            _("%(place)s尚未核定%(year)d年度专项资金额度，不能立项。请联系区（市）县核定额度。")
            % {"place": project.region.name, "year": project.year}
        )
    special = special_part(project.funding.values_list("source", "amount"))
    used = allocation_in_use(project)
    if used + special > allocation.amount:
        raise DomainError(
            _(
                "超出年度专项资金额度：%(year)d年度额度%(allocation)s元，已立项项目使用"
                "%(used)s元，剩余%(left)s元，本项目需专项资金%(special)s元。"
            )
            % {
                "year": project.year,
                "allocation": _yuan(allocation.amount),
                "used": _yuan(used),
                "left": _yuan(max(allocation.amount - used, Decimal(0))),
                "special": _yuan(special),
            }
        )
    now = now or timezone.now()
    _reach(project, Stage.APPROVED, actor=actor, now=now, note=note)
    audit_record(
        actor=actor,
        action=AuditAction.VERIFY,
        obj=project,
        changes={"stage": [Stage.PROPOSED, Stage.APPROVED], "special_funds": [None, str(special)]},
        note=note,
    )
    return project
