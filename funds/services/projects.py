"""Every write of village special-fund projects (村级公共服务和社会管理专项资金).

proposed (with the village council's decision) → approved by the township office (立项)
→ implementing (from the first disbursement) → accepted (验收) → evaluated (群众评议, a
participation round) → closed by the township; or cancelled with a public reason before
any money is paid. Each stage reached is a ProjectStage row; the village publishes it as
a record of its standard catalog through the disclosure services.

Supervision "before, during, after" as rules that run:
- before: no approval without a recorded village decision; the special-fund part of the
  village's approved projects of a year never exceeds its yearly allocation (the
  allocation row is locked, so two approvals of one village and year take turns);
- during: `disbursed` is raised by one conditional UPDATE that also checks the stage, and
  a CHECK constraint keeps it within the budget whatever the concurrency;
- after: a public evaluation with a majority unsatisfied opens a rectification item that
  the village answers and the township closes before the project can be closed.

Permission refusals raise NotAllowed, a wrong stage Conflict, a broken rule DomainError,
bad input a ValidationError naming each field. Officials' actions are audited in the
same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.translation import gettext as _

from disclosure import catalogs
from disclosure import services as disclosure
from disclosure.models import CatalogItem, RecordStatus
from funds.models import (
    SPECIAL_SOURCES,
    Acceptance,
    AcceptanceResult,
    Collective,
    Direction,
    Disbursement,
    FundingLine,
    FundingSource,
    FundProject,
    LedgerEntry,
    ProjectCategory,
    ProjectStage,
    Rectification,
    Stage,
    StageDocument,
    VillageAllocation,
)
from funds.permissions import can_disburse, can_run_project, can_supervise_project
from funds.selectors.projects import subject_key
from participation.models import (
    Decision,
    DecisionStatus,
    Eligibility,
    EvaluationRound,
    EvaluationSubject,
    RoundStatus,
)
from participation.models import SubjectKind as EvaluationKind
from participation.services import evaluations
from portal import identity
from portal import uploads as files
from portal.models import AuditAction, UnitKind
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, DomainError, NotAllowed

logger = logging.getLogger(__name__)

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
# Money may be paid out only between approval and acceptance.
PAYABLE_STAGES = (Stage.APPROVED, Stage.IMPLEMENTING)
# The village catalog items the stages are published under (disclosure/catalogs/village.yaml).
PROPOSAL_ITEM = "村级公共服务和社会管理专项资金项目议决"
DELIVERY_ITEM = "专项资金项目实施、验收和群众评议"
PROPOSAL_STAGES = (Stage.PROPOSED, Stage.APPROVED)
# Published records are written in the portal's language, whatever the official's.
RECORD_LANGUAGE = "zh-hans"
# The fields of a proposed project the village may still change (project_update).
EDITABLE_FIELDS = ("year", "name", "category", "description", "budget", "decision")

MAX_NAME = FundProject._meta.get_field("name").max_length
MAX_REASON = FundProject._meta.get_field("cancel_reason").max_length
MAX_PAYEE = Disbursement._meta.get_field("payee").max_length
MAX_PURPOSE = Disbursement._meta.get_field("purpose").max_length
MAX_INSPECTORS = Acceptance._meta.get_field("inspectors").max_length
MAX_CLOSING_NOTE = Rectification._meta.get_field("closing_note").max_length
MAX_DOCUMENT_TITLE = StageDocument._meta.get_field("title").max_length
MAX_SUBJECT_NAME = EvaluationSubject._meta.get_field("name").max_length
MAX_TEXT = 5000
YEARS = (2000, 2100)
# Amounts are yuan with fen: below the columns' 14 digits, two of them decimals.
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")

Errors = dict[str, list[str]]


# --- Helpers -------------------------------------------------------------------------


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def amount_of(value: Any) -> Decimal | None:
    """A positive sum of yuan with at most two decimals, or None when it is not one."""
    if value is None or isinstance(value, bool | float):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        return None
    if amount != amount.quantize(CENT):
        return None
    return amount.quantize(CENT)


def _check_amount(errors: Errors, field: str, value: Any, label: str) -> Decimal | None:
    amount = amount_of(value)
    if amount is None:
        if value in (None, ""):
            _add(errors, field, _("请填写%(label)s。") % {"label": label})
        else:
            _add(
                errors,
                field,
                _("%(label)s应为大于0的金额（元），最多两位小数。") % {"label": label},
            )
    return amount


def _text(value: Any) -> str:
    return str(value or "").strip()


def _locked(project: FundProject) -> FundProject:
    return (
        FundProject.objects.select_for_update(of=("self",))
        .select_related("unit", "region")
        .get(pk=project.pk)
    )


def _require_runner(actor: Any, project_or_unit: Any) -> None:
    if not can_run_project(actor, project_or_unit):
        raise NotAllowed(_("只有本村（社区）居（村）民委员会的工作人员可以办理该项目。"))


def _require_supervisor(actor: Any, project: FundProject) -> None:
    if not can_supervise_project(actor, project):
        raise NotAllowed(_("只有项目所在乡镇（街道）的工作人员可以办理此事项。"))


def _stage_conflict(project: FundProject, wanted: Iterable[str]) -> Conflict:
    labels = "、".join(str(Stage(stage).label) for stage in wanted)
    return Conflict(
        _("项目当前处于“%(stage)s”阶段，此操作只能在“%(wanted)s”阶段办理。")
        % {"stage": project.get_stage_display(), "wanted": labels}
    )


def _require_stage(project: FundProject, *stages: str) -> None:
    if project.stage not in stages:
        raise _stage_conflict(project, stages)


def _reach(
    project: FundProject, stage: str, *, actor: Any, now: dt.datetime, note: str = ""
) -> ProjectStage:
    """Move a locked project to `stage` and record the moment (one row per stage)."""
    project.stage = stage
    project.stage_since = now
    project.save(update_fields=["stage", "stage_since"])
    return ProjectStage.objects.create(
        project=project,
        stage=stage,
        reached_at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


def _approved_on(project: FundProject) -> dt.date | None:
    reached = (
        ProjectStage.objects.filter(project=project, stage=Stage.APPROVED)
        .values_list("reached_at", flat=True)
        .first()
    )
    return timezone.localdate(reached) if reached else None


def _village_collective(project: FundProject) -> Collective | None:
    """The village's own collective economic organisation, whose centre books its money."""
    return (
        Collective.objects.select_related("centre")
        .filter(region_id=project.region_id, group_name="")
        .first()
    )


def special_part(lines: Iterable[tuple[str, Decimal]]) -> Decimal:
    """The part of a project's funding that counts against the yearly allocation."""
    return sum((amount for source, amount in lines if source in SPECIAL_SOURCES), Decimal(0))


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
    note = _text(note)
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": [_("说明不能超过%(n)d个字。") % {"n": MAX_TEXT}]})
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


# --- Disbursements (事中) -------------------------------------------------------------


def _entry_errors(
    entry: LedgerEntry, project: FundProject, amount: Decimal | None, errors: Errors
) -> None:
    collective = _village_collective(project)
    if collective is None or entry.collective_id != collective.pk:
        _add(errors, "entry", _("记账凭证应是本村（社区）集体经济组织的凭证。"))
        return
    if entry.direction != Direction.EXPENSE:
        _add(errors, "entry", _("记账凭证应是支出凭证。"))
    if amount is not None and entry.amount != amount:
        _add(
            errors,
            "entry",
            _("记账凭证金额（%(entry)s元）与拨付金额不一致。") % {"entry": _yuan(entry.amount)},
        )
    if Disbursement.objects.filter(entry=entry).exists():
        _add(errors, "entry", _("该记账凭证已关联其他拨付记录。"))


def _over_budget(project_id: int) -> Conflict:
    current = FundProject.objects.get(pk=project_id)
    if current.stage not in PAYABLE_STAGES:
        return _stage_conflict(current, PAYABLE_STAGES)
    return Conflict(
        _("超出预算：已拨付%(disbursed)s元，剩余%(left)s元。")
        % {"disbursed": _yuan(current.disbursed), "left": _yuan(current.remaining)}
    )


@transaction.atomic
def disbursement_record(
    *,
    project: FundProject,
    paid_on: dt.date | None,
    amount: Decimal,
    payee: str,
    payee_is_person: bool,
    purpose: str,
    actor: Any,
    entry: LedgerEntry | None = None,
    now: dt.datetime | None = None,
) -> Disbursement:
    """Record money paid out of an approved project. The first payment moves it to
    implementing. Refused with Conflict when it would take the project over its budget.

    The project row is not locked first: one conditional UPDATE raises `disbursed` only
    if the project may still be paid and the sum stays within the budget, so payments in
    flight wait for each other only as long as that statement, and a cancellation or an
    acceptance that committed meanwhile is seen by it. The CHECK constraint on the table
    is the last line."""
    project = FundProject.objects.select_related("unit", "region").get(pk=project.pk)
    if not can_disburse(actor, project):
        raise NotAllowed(
            _("只有为本村（社区）代理记账的中心或乡镇（街道）办事处工作人员可以录入资金拨付。")
        )
    _require_stage(project, *PAYABLE_STAGES)
    now = now or timezone.now()
    payee, purpose = _text(payee), _text(purpose)
    errors: Errors = {}
    money = _check_amount(errors, "amount", amount, _("拨付金额"))
    if paid_on is None:
        _add(errors, "paid_on", _("请填写拨付日期。"))
    elif paid_on > timezone.localdate(now):
        _add(errors, "paid_on", _("拨付日期不能晚于今天。"))
    else:
        approved_on = _approved_on(project)
        if approved_on is not None and paid_on < approved_on:
            _add(
                errors,
                "paid_on",
                _("拨付日期不能早于立项日期（%(date)s）。") % {"date": approved_on.isoformat()},
            )
    if not payee:
        _add(errors, "payee", _("请填写收款方。"))
    elif len(payee) > MAX_PAYEE:
        _add(errors, "payee", _("收款方不能超过%(n)d个字。") % {"n": MAX_PAYEE})
    if not purpose:
        _add(errors, "purpose", _("请填写用途。"))
    elif len(purpose) > MAX_PURPOSE:
        _add(errors, "purpose", _("用途不能超过%(n)d个字。") % {"n": MAX_PURPOSE})
    if entry is not None:
        _entry_errors(entry, project, money, errors)
    _raise_if(errors)
    raised = FundProject.objects.filter(
        pk=project.pk,
        stage__in=PAYABLE_STAGES,
        disbursed__lte=F("budget") - money,
    ).update(disbursed=F("disbursed") + money)
    if raised != 1:
        raise _over_budget(project.pk)
    # The row is ours until commit: only one payment can be the first.
    started = FundProject.objects.filter(pk=project.pk, stage=Stage.APPROVED).update(
        stage=Stage.IMPLEMENTING, stage_since=now
    )
    if started:
        ProjectStage.objects.create(
            project=project,
            stage=Stage.IMPLEMENTING,
            reached_at=now,
            actor=actor,
            note=_("首笔资金拨付，项目开始实施。"),
        )
    try:
        with transaction.atomic():
            disbursement = Disbursement.objects.create(
                project=project,
                paid_on=paid_on,
                amount=money,
                payee=payee,
                payee_is_person=bool(payee_is_person),
                purpose=purpose,
                entry=entry,
                recorded_by=actor,
            )
    except IntegrityError:
        # The same ledger entry was linked to another payment a moment ago.
        raise ValidationError({"entry": [_("该记账凭证已关联其他拨付记录。")]}) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=disbursement,
        unit=project.unit,
        changes={
            "project": [None, str(project.pk)],
            "paid_on": [None, str(paid_on)],
            "amount": [None, str(money)],
            "entry": [None, str(entry.pk) if entry else None],
        },
    )
    return disbursement


# --- Acceptance (验收) ----------------------------------------------------------------


@transaction.atomic
def acceptance_record(
    *,
    project: FundProject,
    inspected_on: dt.date | None,
    inspectors: str,
    result: str,
    final_accounts: Decimal,
    note: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> Acceptance:
    """验收 by the township office. A passed result moves the project to accepted; a
    failed one stays on the record and the project stays under way, to be inspected
    again after it is put right."""
    project = _locked(project)
    _require_supervisor(actor, project)
    _require_stage(project, Stage.IMPLEMENTING)
    now = now or timezone.now()
    inspectors, note = _text(inspectors), _text(note)
    errors: Errors = {}
    if inspected_on is None:
        _add(errors, "inspected_on", _("请填写验收日期。"))
    elif inspected_on > timezone.localdate(now):
        _add(errors, "inspected_on", _("验收日期不能晚于今天。"))
    else:
        approved_on = _approved_on(project)
        if approved_on is not None and inspected_on < approved_on:
            _add(
                errors,
                "inspected_on",
                _("验收日期不能早于立项日期（%(date)s）。") % {"date": approved_on.isoformat()},
            )
    if not inspectors:
        _add(errors, "inspectors", _("请填写验收人员。"))
    elif len(inspectors) > MAX_INSPECTORS:
        _add(errors, "inspectors", _("验收人员不能超过%(n)d个字。") % {"n": MAX_INSPECTORS})
    if result not in AcceptanceResult.values:
        _add(errors, "result", _("请选择验收结果。"))
    accounts = None
    if final_accounts in (None, ""):
        _add(errors, "final_accounts", _("请填写决算金额。"))
    else:
        accounts = amount_of(final_accounts)
        if accounts is None:
            _add(errors, "final_accounts", _("决算金额应为大于0的金额（元），最多两位小数。"))
        elif accounts > project.budget:
            _add(
                errors,
                "final_accounts",
                _("决算金额不能超过预算（%(budget)s元）。") % {"budget": _yuan(project.budget)},
            )
    if len(note) > MAX_TEXT:
        _add(errors, "note", _("验收意见不能超过%(n)d个字。") % {"n": MAX_TEXT})
    _raise_if(errors)
    acceptance = Acceptance.objects.create(
        project=project,
        inspected_on=inspected_on,
        inspectors=inspectors,
        result=result,
        final_accounts=accounts,
        note=note,
        recorded_by=actor,
    )
    changes = {"result": [None, result], "final_accounts": [None, str(accounts)]}
    if result == AcceptanceResult.PASSED:
        _reach(
            project,
            Stage.ACCEPTED,
            actor=actor,
            now=now,
            note=_("%(date)s验收合格，决算金额%(amount)s元。")
            % {"date": inspected_on.isoformat(), "amount": _yuan(accounts)},
        )
        changes["stage"] = [Stage.IMPLEMENTING, Stage.ACCEPTED]
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=acceptance,
        unit=project.unit,
        changes=changes,
        note=note,
    )
    return acceptance


# --- Public evaluation and rectification (事后) --------------------------------------


def _shortened(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


@transaction.atomic
def evaluation_start(
    *,
    project: FundProject,
    actor: Any,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> EvaluationRound:
    """The village opens the public evaluation of an accepted project: a published
    participation round of its committee, with the project as its one subject, open to
    the village's verified residents. The scan moves the project on once it closes."""
    project = _locked(project)
    _require_runner(actor, project)
    _require_stage(project, Stage.ACCEPTED)
    running = (
        EvaluationSubject.objects.filter(
            subject_key=subject_key(project), round__unit_id=project.unit_id, cancelled=False
        )
        .select_related("round")
        .first()
    )
    if running is not None:
        raise Conflict(
            _("该项目的群众评议已经发起（%(title)s）。") % {"title": running.round.title}
        )
    now = now or timezone.now()
    year = timezone.localtime(opens_at).year if opens_at else project.year
    with translation.override(RECORD_LANGUAGE):
        title = _("%(name)s群众满意度评议") % {"name": _shortened(project.name, 180)}
        description = _(
            "%(year)d年度村级公共服务和社会管理专项资金项目“%(name)s”已通过验收，"
            "请本村（社区）居民对项目实施情况作出评价。"
        ) % {"year": project.year, "name": project.name}
    round = evaluations.round_create(
        unit=project.unit,
        title=title,
        year=year,
        opens_at=opens_at,
        closes_at=closes_at,
        eligibility=Eligibility.RESIDENTS,
        electorate_region=project.region,
        description=description,
        actor=actor,
    )
    evaluations.subject_add(
        round=round,
        kind=EvaluationKind.PROJECT,
        identifier=str(project.pk),
        name=_shortened(project.name, MAX_SUBJECT_NAME),
        actor=actor,
    )
    round = evaluations.round_publish(round=round, actor=actor, now=now)
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=project,
        changes={"evaluation_round": [None, str(round.pk)]},
        note=_("发起群众评议"),
    )
    return round


def _evaluation_note(subject: EvaluationSubject) -> str:
    note = _("群众评议结果：满意%(s)d人，基本满意%(b)d人，不满意%(u)d人。") % {
        "s": subject.satisfied,
        "b": subject.basic,
        "u": subject.unsatisfied,
    }
    if subject.majority_unsatisfied:
        note += _("多数不满意，已提出整改事项。")
    return note


def _evaluate(project_id: int, subject: EvaluationSubject, now: dt.datetime) -> bool:
    """Move one accepted project on; False when another run did it or it moved away."""
    project = (
        FundProject.objects.select_for_update(skip_locked=True)
        .filter(pk=project_id, stage=Stage.ACCEPTED)
        .first()
    )
    if project is None:
        return False
    with translation.override(RECORD_LANGUAGE):
        note = _evaluation_note(subject)
    # Evaluated when the round closed (not when this scan ran); never before accepted.
    reached = max(subject.round.closed_at or now, project.stage_since)
    _reach(project, Stage.EVALUATED, actor=None, now=reached, note=note)
    changes = {"stage": [Stage.ACCEPTED, Stage.EVALUATED]}
    if subject.majority_unsatisfied:
        item, created = Rectification.objects.get_or_create(
            subject=subject, defaults={"project": project}
        )
        if created:
            changes["rectification"] = [None, str(item.pk)]
    audit_record(actor=None, action=AuditAction.CHANGE, obj=project, changes=changes, note=note)
    return True


def rectifications_scan(*, now: dt.datetime | None = None) -> int:
    """For each accepted project whose evaluation round (of its own committee) has
    closed: move it to evaluated with the counts, and open a rectification item when a
    majority was unsatisfied. Returns how many projects this run moved. Each project is
    its own transaction; running twice changes nothing."""
    now = now or timezone.now()
    accepted = FundProject.objects.filter(stage=Stage.ACCEPTED).values_list("pk", "unit_id")
    units = dict(accepted.iterator(chunk_size=2000))
    moved = 0
    keys = {subject_key(pk): pk for pk in units}
    key_list = list(keys)
    for start in range(0, len(key_list), 1000):
        subjects = (
            EvaluationSubject.objects.filter(
                subject_key__in=key_list[start : start + 1000],
                cancelled=False,
                round__status=RoundStatus.CLOSED,
            )
            .select_related("round")
            .order_by("round__closed_at", "pk")
        )
        for subject in subjects:
            project_id = keys[subject.subject_key]
            # Only the project's own committee's round speaks for it: an identifier typed
            # by another unit may happen to look like this project's number.
            if subject.round.unit_id != units[project_id]:
                continue
            try:
                with transaction.atomic():
                    moved += _evaluate(project_id, subject, now)
            except Exception:
                logger.exception("evaluating fund project %s failed", project_id)
    return moved


def _locked_rectification(rectification: Rectification) -> Rectification:
    item = Rectification.objects.select_for_update().get(pk=rectification.pk)
    item.project = FundProject.objects.select_related("unit", "region").get(pk=item.project_id)
    return item


@transaction.atomic
def rectification_answer(
    *, rectification: Rectification, answer: str, actor: Any, now: dt.datetime | None = None
) -> Rectification:
    """The village says what it has put right; it may answer again until the item is
    closed (the audit trail keeps every answer)."""
    item = _locked_rectification(rectification)
    _require_runner(actor, item.project)
    if item.closed_at is not None:
        raise Conflict(_("该整改事项已销号。"))
    answer = _text(answer)
    if not answer:
        raise ValidationError({"answer": [_("请填写整改情况。")]})
    if len(answer) > MAX_TEXT:
        raise ValidationError({"answer": [_("整改情况不能超过%(n)d个字。") % {"n": MAX_TEXT}]})
    before = item.answer
    item.answer = answer
    item.answered_at = now or timezone.now()
    item.answered_by = actor
    item.save(update_fields=["answer", "answered_at", "answered_by"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=item,
        unit=item.project.unit,
        changes={"answer": [before, answer]},
    )
    return item


@transaction.atomic
def rectification_close(
    *, rectification: Rectification, note: str, actor: Any, now: dt.datetime | None = None
) -> Rectification:
    """销号: the township office closes an item the village has answered."""
    item = _locked_rectification(rectification)
    _require_supervisor(actor, item.project)
    if item.closed_at is not None:
        raise Conflict(_("该整改事项已销号。"))
    if item.answered_at is None:
        raise Conflict(_("村（社区）答复整改情况后才能销号。"))
    note = _text(note)
    if not note:
        raise ValidationError({"note": [_("请填写销号意见。")]})
    if len(note) > MAX_CLOSING_NOTE:
        raise ValidationError(
            {"note": [_("销号意见不能超过%(n)d个字。") % {"n": MAX_CLOSING_NOTE}]}
        )
    item.closed_at = now or timezone.now()
    item.closed_by = actor
    item.closing_note = note
    item.save(update_fields=["closed_at", "closed_by", "closing_note"])
    audit_record(
        actor=actor,
        action=AuditAction.VERIFY,
        obj=item,
        unit=item.project.unit,
        changes={"closed_at": [None, str(item.closed_at)]},
        note=note,
    )
    return item


# --- Closing and cancelling ------------------------------------------------------------


@transaction.atomic
def project_close(
    *, project: FundProject, actor: Any, note: str = "", now: dt.datetime | None = None
) -> FundProject:
    """结项 by the township office once evaluated, with every rectification closed."""
    project = _locked(project)
    _require_supervisor(actor, project)
    _require_stage(project, Stage.EVALUATED)
    if project.rectifications.filter(closed_at__isnull=True).exists():
        raise Conflict(_("该项目还有未销号的整改事项，销号后才能结项。"))
    note = _text(note)
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": [_("说明不能超过%(n)d个字。") % {"n": MAX_TEXT}]})
    _reach(project, Stage.CLOSED, actor=actor, now=now or timezone.now(), note=note)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=project,
        changes={"stage": [Stage.EVALUATED, Stage.CLOSED]},
        note=note,
    )
    return project


@transaction.atomic
def project_cancel(
    *, project: FundProject, reason: str, actor: Any, now: dt.datetime | None = None
) -> FundProject:
    """Cancel a project with a public reason: by the village before approval, by the
    township after it; never once money has been paid. Its special funds return to
    the village's allocation."""
    project = _locked(project)
    if project.stage == Stage.PROPOSED:
        _require_runner(actor, project)
    elif project.stage == Stage.APPROVED:
        _require_supervisor(actor, project)
    elif project.stage == Stage.CANCELLED:
        raise Conflict(_("该项目已撤销。"))
    else:
        raise Conflict(_("项目已拨付资金或已办结，不能撤销。"))
    # The row is locked, so a payment now waits for us and then finds the project gone.
    if project.disbursed or project.disbursements.exists():
        raise Conflict(_("项目已拨付资金或已办结，不能撤销。"))
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": [_("撤销项目须公开说明原因。")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("撤销原因不能超过%(n)d个字。") % {"n": MAX_REASON}]})
    before = project.stage
    project.cancel_reason = reason
    project.save(update_fields=["cancel_reason"])
    _reach(project, Stage.CANCELLED, actor=actor, now=now or timezone.now(), note=reason)
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=project,
        changes={"stage": [before, Stage.CANCELLED]},
        note=reason,
    )
    return project


# --- Publication ---------------------------------------------------------------------


def _catalog_item(project: FundProject, stage: str) -> CatalogItem:
    if stage == Stage.CANCELLED:
        approved = project.stages.filter(stage=Stage.APPROVED).exists()
        level2 = DELIVERY_ITEM if approved else PROPOSAL_ITEM
    else:
        level2 = PROPOSAL_ITEM if stage in PROPOSAL_STAGES else DELIVERY_ITEM
    item = catalogs.items_for_unit(project.unit).filter(level2=level2).first()
    if item is None:
        raise DomainError(_("本单位的标准目录中没有“%(item)s”事项，无法公开。") % {"item": level2})
    return item


def record_title(project: FundProject, stage: str) -> str:
    """The title of a stage's record, the project's name shortened to fit 200 characters."""
    patterns = {
        Stage.PROPOSED: _("关于%(name)s的项目议决公示"),
        Stage.APPROVED: _("关于%(name)s的立项公示"),
        Stage.IMPLEMENTING: _("%(name)s实施和资金拨付情况公示"),
        Stage.ACCEPTED: _("%(name)s验收结果公示"),
        Stage.EVALUATED: _("%(name)s群众评议结果公示"),
        Stage.CLOSED: _("%(name)s结项公示"),
        Stage.CANCELLED: _("关于撤销%(name)s的公示"),
    }
    pattern = patterns[Stage(stage)]
    room = 200 - len(pattern % {"name": ""})
    return pattern % {"name": _shortened(project.name, room)}


def _facts(rows: list[tuple[str, Any]]) -> str:
    return str(
        format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows),
        )
    )


def _project_section(project: FundProject) -> str:
    decision = project.decision
    if decision is None:
        decision_text = _("尚未形成决议")
    elif decision.decision_record_id:
        decision_text = format_html(
            '<a href="{}">{}</a>', reverse("record", args=[decision.decision_record_id]), decision
        )
    else:
        decision_text = format_html("{}（{}）", decision, decision.get_status_display())
    parts = [
        format_html("<h2>{}</h2>", _("项目基本情况")),
        _facts(
            [
                (_("项目名称"), project.name),
                (_("项目年度"), project.year),
                (_("项目类别"), project.get_category_display()),
                (_("实施村（社区）"), project.region.name),
                (_("预算金额"), _("%(amount)s元") % {"amount": _yuan(project.budget)}),
                (_("村民（代表）会议决议"), decision_text),
            ]
        ),
    ]
    if project.description:
        parts += [format_html("<h3>{}</h3>", _("建设内容")), linebreaks(project.description, True)]
    lines = list(project.funding.all())
    parts += [
        format_html("<h3>{}</h3>", _("资金来源")),
        format_html(
            "<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("来源"),
            _("金额（元）"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td></tr>",
                ((line.get_source_display(), _yuan(line.amount)) for line in lines),
            ),
        ),
    ]
    return "".join(str(part) for part in parts)


def _disbursement_section(project: FundProject) -> str:
    rows = [
        (
            d.paid_on.isoformat(),
            _yuan(d.amount),
            identity.mask_name(d.payee) if d.payee_is_person else d.payee,
            d.purpose,
        )
        for d in project.disbursements.order_by("paid_on", "id")
    ]
    return "".join(
        str(part)
        for part in (
            format_html("<h2>{}</h2>", _("资金拨付")),
            _facts(
                [
                    (_("预算金额"), _("%(amount)s元") % {"amount": _yuan(project.budget)}),
                    (_("已拨付"), _("%(amount)s元") % {"amount": _yuan(project.disbursed)}),
                    (_("剩余"), _("%(amount)s元") % {"amount": _yuan(project.remaining)}),
                ]
            ),
            format_html(
                "<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
                "<th scope='col'>{}</th><th scope='col'>{}</th></tr></thead><tbody>{}</tbody>"
                "</table>",
                _("拨付日期"),
                _("金额（元）"),
                _("收款方"),
                _("用途"),
                format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
            )
            if rows
            else format_html("<p>{}</p>", _("尚未拨付资金。")),
        )
    )


def _acceptance_section(project: FundProject) -> str:
    parts = [format_html("<h2>{}</h2>", _("项目验收"))]
    for acceptance in project.acceptances.order_by("inspected_on", "id"):
        parts.append(
            _facts(
                [
                    (_("验收日期"), acceptance.inspected_on.isoformat()),
                    (_("验收人员"), acceptance.inspectors),
                    (_("验收结果"), acceptance.get_result_display()),
                    (
                        _("决算金额"),
                        _("%(amount)s元") % {"amount": _yuan(acceptance.final_accounts)},
                    ),
                    (_("验收意见"), acceptance.note or "—"),
                ]
            )
        )
    return "".join(str(part) for part in parts)


def stage_record_body(project: FundProject, row: ProjectStage) -> str:
    """What the village publishes when a stage is reached: the project, its money so
    far and the facts of that stage, in Chinese (payees who are persons masked)."""
    stage = row.stage
    parts = [
        format_html(
            "<p>{}</p>",
            _("%(date)s，项目进入“%(stage)s”阶段。")
            % {
                "date": timezone.localdate(row.reached_at).isoformat(),
                "stage": row.get_stage_display(),
            },
        ),
    ]
    if row.note and stage != Stage.CANCELLED:  # a cancellation's note is its reason, below
        parts.append(format_html("<p>{}：{}</p>", _("说明"), row.note))
    parts.append(_project_section(project))
    if stage == Stage.APPROVED:
        allocation = VillageAllocation.objects.filter(
            region_id=project.region_id, year=project.year
        ).first()
        if allocation is not None:
            parts.append(
                format_html(
                    "<p>{}</p>",
                    _("%(year)d年度本村（社区）专项资金额度%(amount)s元。")
                    % {"year": project.year, "amount": _yuan(allocation.amount)},
                )
            )
    if stage in (Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.EVALUATED, Stage.CLOSED):
        parts.append(_disbursement_section(project))
    if stage in (Stage.ACCEPTED, Stage.EVALUATED, Stage.CLOSED):
        parts.append(_acceptance_section(project))
    if stage in (Stage.EVALUATED, Stage.CLOSED):
        for item in project.rectifications.all():
            state = _("已销号") if item.closed_at else _("整改中")
            parts.append(
                format_html(
                    "<h2>{}</h2><p>{}</p>{}",
                    _("整改事项"),
                    state,
                    linebreaks(item.answer, True) if item.answer else "",
                )
            )
    if stage == Stage.CANCELLED:
        parts.append(format_html("<h2>{}</h2><p>{}</p>", _("撤销原因"), project.cancel_reason))
    return "".join(str(part) for part in parts)


@transaction.atomic
def stage_publish(*, project: FundProject, stage: str, actor: Any) -> ProjectStage:
    """The village publishes a reached stage as a record of its catalog (立项公示 …):
    submitted for review or published at once, as the unit's setting says. A stage whose
    record was withdrawn may be published again."""
    project = _locked(project)
    _require_runner(actor, project)
    row = (
        ProjectStage.objects.select_for_update(of=("self",))
        .filter(project=project, stage=stage)
        .select_related("record")
        .first()
    )
    if row is None:
        label = Stage(stage).label if stage in Stage.values else stage
        raise Conflict(_("项目尚未进入“%(stage)s”阶段，不能公开。") % {"stage": label})
    if row.record is not None and row.record.status != RecordStatus.WITHDRAWN:
        raise Conflict(
            _("该阶段已经公开（%(status)s）。") % {"status": row.record.get_status_display()}
        )
    project = FundProject.objects.select_related("unit", "region", "decision").get(pk=project.pk)
    with translation.override(RECORD_LANGUAGE):
        title = record_title(project, stage)
        body = stage_record_body(project, row)
    record = disclosure.record_create(
        unit=project.unit,
        item=_catalog_item(project, stage),
        title=title,
        body=body,
        info_date=timezone.localdate(row.reached_at),
        actor=actor,
    )
    record = disclosure.record_submit(record=record, actor=actor)
    before = row.record_id
    row.record = record
    row.save(update_fields=["record"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=project,
        changes={f"record_{stage}": [before, str(record.pk)]},
    )
    return row


@transaction.atomic
def stage_document_add(
    *, stage: ProjectStage, title: str, name: str, data: bytes, actor: Any
) -> StageDocument:
    """Attach a document to a reached stage (the decision, the approval notice, the
    acceptance report …): the village or the township office. The type is read from the
    content; the file is stored privately and served through the project's visibility."""
    stage = ProjectStage.objects.get(pk=stage.pk)
    project = _locked(stage.project)
    if not (can_run_project(actor, project) or can_supervise_project(actor, project)):
        raise NotAllowed(_("只有本村（社区）或所在乡镇（街道）的工作人员可以上传项目文件。"))
    if project.stage == Stage.CANCELLED:
        raise Conflict(_("项目已撤销，不能再上传文件。"))
    name = _text(name) or _("附件")
    title = _text(title) or name
    errors: Errors = {}
    if len(title) > MAX_DOCUMENT_TITLE:
        _add(errors, "title", _("文件名称不能超过%(n)d个字。") % {"n": MAX_DOCUMENT_TITLE})
    sniffed = None
    try:
        sniffed = files.check_upload(
            name, data or b"", limit=settings.DISCLOSURE_MAX_ATTACHMENT_BYTES
        )
    except ValidationError as exc:
        errors["file"] = exc.messages
    _raise_if(errors)
    document = StageDocument(
        stage=stage,
        token=files.new_token(),
        title=title,
        content_type=sniffed.content_type,
        size=len(data),
    )
    document.file.save(document.token, ContentFile(data), save=False)
    document.save()
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=project,
        changes={f"documents_{stage.stage}": [None, title]},
    )
    return document
