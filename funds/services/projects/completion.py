"""After the work: acceptance (验收) by the township office, the public evaluation (群众评议,
a participation round), the rectification it may call for, closing (结项), and cancelling.

The "after" rule: a public evaluation with a majority unsatisfied opens a rectification
item that the village answers and the township closes before the project can be closed.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from funds.models import (
    Acceptance,
    AcceptanceResult,
    FundProject,
    Rectification,
    Stage,
)
from funds.selectors.projects import subject_key
from funds.services.projects._common import (
    MAX_TEXT,
    RECORD_LANGUAGE,
    Errors,
    _add,
    _check_day,
    _clean_note,
    _locked,
    _raise_if,
    _reach,
    _require_runner,
    _require_stage,
    _require_supervisor,
    _shortened,
    _text,
    _yuan,
    amount_of,
)
from participation.models import Eligibility, EvaluationRound, EvaluationSubject, RoundStatus
from participation.models import SubjectKind as EvaluationKind
from participation.services import evaluations
from portal.models import AuditAction
from portal.services.audit import audit_record
from portal.services.errors import Conflict

# Log lines keep the package's name, whichever of its modules writes them.
logger = logging.getLogger(__package__)

MAX_REASON = FundProject._meta.get_field("cancel_reason").max_length
MAX_INSPECTORS = Acceptance._meta.get_field("inspectors").max_length
MAX_CLOSING_NOTE = Rectification._meta.get_field("closing_note").max_length
MAX_SUBJECT_NAME = EvaluationSubject._meta.get_field("name").max_length


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
    _check_day(
        errors,
        "inspected_on",
        inspected_on,
        project=project,
        now=now,
        missing=_("请填写验收日期。"),
        future=_("验收日期不能晚于今天。"),
        early=_("验收日期不能早于立项日期（%(date)s）。"),
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


def _require_open(item: Rectification) -> None:
    if item.closed_at is not None:
        raise Conflict(_("该整改事项已销号。"))


@transaction.atomic
def rectification_answer(
    *, rectification: Rectification, answer: str, actor: Any, now: dt.datetime | None = None
) -> Rectification:
    """The village says what it has put right; it may answer again until the item is
    closed (the audit trail keeps every answer)."""
    item = _locked_rectification(rectification)
    _require_runner(actor, item.project)
    _require_open(item)
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
    _require_open(item)
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
    note = _clean_note(note)
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
