"""Money paid out of an approved project (资金拨付): the "during" rule. `disbursed` is
raised by one conditional UPDATE that also checks the stage, and a CHECK constraint
keeps it within the budget whatever the concurrency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from funds.models import (
    Collective,
    Direction,
    Disbursement,
    FundProject,
    LedgerEntry,
    ProjectStage,
    Stage,
)
from funds.permissions import can_disburse
from funds.services.projects._common import (
    Errors,
    _add,
    _check_amount,
    _check_day,
    _raise_if,
    _require_stage,
    _stage_conflict,
    _text,
    _yuan,
)
from portal.models import AuditAction
from portal.services.audit import audit_record
from portal.services.errors import Conflict, NotAllowed

# Money may be paid out only between approval and acceptance.
PAYABLE_STAGES = (Stage.APPROVED, Stage.IMPLEMENTING)
MAX_PAYEE = Disbursement._meta.get_field("payee").max_length
MAX_PURPOSE = Disbursement._meta.get_field("purpose").max_length


def _village_collective(project: FundProject) -> Collective | None:
    """The village's own collective economic organisation, whose centre books its money."""
    return (
        Collective.objects.select_related("centre")
        .filter(region_id=project.region_id, group_name="")
        .first()
    )


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
    _check_day(
        errors,
        "paid_on",
        paid_on,
        project=project,
        now=now,
        missing=_("请填写拨付日期。"),
        future=_("拨付日期不能晚于今天。"),
        early=_("拨付日期不能早于立项日期（%(date)s）。"),
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
