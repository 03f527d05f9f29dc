"""The unit's steps: register the receipt of a paper application, the one correction
notice, the one extension, the third party's opinion, the reply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.models import (
    InfoRequest,
    Outcome,
    ThirdPartyConsultation,
)
from disclosure.requests import deadlines, permissions
from disclosure.requests.services.common import (
    CLOCK_STATUSES,
    FEE_MAX,
    NOT_OURS,
    NOTE_MAX,
    NOTICE_MAX,
    REFUSAL_OUTCOMES,
    REPLY_MAX,
    SCAN_ONLY_OUTCOMES,
    Kind,
    Status,
    audit,
    check_attachments,
    day_text,
    due_note,
    event_add,
    local_today,
    locked,
    person_or_none,
    received_note,
    recompute_due,
    require_handler,
    require_status,
    store_attachments,
)
from portal.services.errors import Conflict, NotAllowed


@transaction.atomic
def receipt_register(
    *, request: InfoRequest, received_on: dt.date, actor: Any, now: dt.datetime | None = None
) -> InfoRequest:
    """An application by post, fax or in person: the official enters the day the unit
    signed for it / confirmed it / was handed it (Art. 31), and its clock starts."""
    info_request = locked(request)
    require_handler(info_request, actor)
    require_status(info_request, (Status.PENDING,), _("该申请已登记收到。"))
    now = now or timezone.now()
    today = local_today(now)
    if not isinstance(received_on, dt.date):
        raise ValidationError({"received_on": [_("请填写收到申请的日期。")]})
    if received_on > today:
        raise ValidationError({"received_on": [_("收到申请的日期不能晚于今天。")]})
    submitted_on = local_today(info_request.submitted_at)
    if received_on < submitted_on:
        raise ValidationError(
            {
                "received_on": [
                    _("收到申请的日期不能早于申请提交（寄出）的日期 %(date)s。")
                    % {"date": day_text(submitted_on)}
                ]
            }
        )
    info_request.received_on = received_on
    info_request.status = Status.PROCESSING
    recompute_due(info_request, today)
    info_request.save(update_fields=["received_on", "status", "due_on", "due_is_provisional"])
    event_add(info_request, Kind.RECEIVED, actor, now, received_note(info_request))
    audit(
        info_request,
        actor,
        {
            "status": [Status.PENDING, info_request.status],
            "received_on": [None, str(received_on)],
            "due_on": [None, str(info_request.due_on)],
        },
    )
    return info_request


@transaction.atomic
def correction_notice_send(
    *, request: InfoRequest, notice: str, actor: Any, now: dt.datetime | None = None
) -> InfoRequest:
    """The one consolidated correction notice (Art. 30): within 7 working days of receipt,
    saying everything that must be corrected. The clock is suspended until the corrected
    application arrives; not corrected by correction_due_on, the request is closed."""
    info_request = locked(request)
    require_handler(info_request, actor)
    if info_request.correction_sent_at is not None:
        raise Conflict(_("补正告知只能发送一次，应一次性告知需要补正的全部事项。"))
    require_status(info_request, (Status.PROCESSING,), _("只有办理中的申请可以告知补正。"))
    now = now or timezone.now()
    today = local_today(now)
    until, _provisional = deadlines.correction_notice_allowed_until(info_request.received_on)
    if today > until:
        raise Conflict(
            _("补正告知应在收到申请之日起7个工作日内发出（截至%(date)s），现已超过。")
            % {"date": day_text(until)}
        )
    notice = (notice or "").strip()
    if not notice:
        raise ValidationError({"notice": [_("请一次性写明需要补正的全部事项。")]})
    if len(notice) > NOTICE_MAX:
        raise ValidationError({"notice": [_("补正告知不能超过%(n)d个字。") % {"n": NOTICE_MAX}]})
    info_request.correction_notice = notice
    info_request.correction_sent_at = now
    info_request.correction_due_on, _provisional = deadlines.correction_due(today)
    info_request.status = Status.CORRECTION
    recompute_due(info_request, today)
    info_request.save(
        update_fields=[
            "correction_notice",
            "correction_sent_at",
            "correction_due_on",
            "status",
            "due_on",
            "due_is_provisional",
        ]
    )
    event_add(
        info_request,
        Kind.CORRECTION_SENT,
        actor,
        now,
        _("请于%(date)s前补正；补正期间答复期限暂停计算，自收到补正后的申请之日起重新计算。")
        % {"date": day_text(info_request.correction_due_on)},
    )
    audit(
        info_request,
        actor,
        {
            "status": [Status.PROCESSING, info_request.status],
            "correction_due_on": [None, str(info_request.correction_due_on)],
        },
    )
    return info_request


@transaction.atomic
def extension_grant(
    *, request: InfoRequest, days: int, reason: str, actor: Any, now: dt.datetime | None = None
) -> InfoRequest:
    """The one extension (Art. 33): at most 20 working days, approved by a reviewer or
    admin of the unit before the reply is due, the reason told to the applicant."""
    info_request = locked(request)
    if not permissions.can_approve_extension(actor, info_request):
        raise NotAllowed(_("延长答复期限须经本机关的审核人员或单位管理员批准。"))
    require_status(info_request, CLOCK_STATUSES, _("只有正在办理的申请可以延长答复期限。"))
    if info_request.extension_days:
        raise Conflict(_("每个申请只能延长一次答复期限。"))
    now = now or timezone.now()
    today = local_today(now)
    if info_request.due_on is not None and today > info_request.due_on:
        raise Conflict(_("答复期限已过，不能再延长。"))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= deadlines.MAX_EXTENSION_DAYS:
        raise ValidationError({"days": [_("延长的期限应为1至20个工作日。")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("延长答复期限须说明理由，申请人可以看到。")]})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": [_("延期理由不能超过%(n)d个字。") % {"n": NOTE_MAX}]})
    before = info_request.due_on
    info_request.extension_days = days
    info_request.extension_reason = reason
    info_request.extended_at = now
    info_request.extension_approved_by = person_or_none(actor)
    recompute_due(info_request, today)
    info_request.save(
        update_fields=[
            "extension_days",
            "extension_reason",
            "extended_at",
            "extension_approved_by",
            "due_on",
            "due_is_provisional",
        ]
    )
    event_add(
        info_request,
        Kind.EXTENDED,
        actor,
        now,
        _("延长%(days)d个工作日，理由：%(reason)s；%(due)s")
        % {"days": days, "reason": reason.rstrip("。；;. "), "due": due_note(info_request)},
    )
    audit(
        info_request,
        actor,
        {"extension_days": [0, days], "due_on": [str(before), str(info_request.due_on)]},
        note=reason,
    )
    return info_request


@transaction.atomic
def third_party_ask(
    *,
    request: InfoRequest,
    third_party: str,
    asked_on: dt.date,
    actor: Any,
    now: dt.datetime | None = None,
) -> ThirdPartyConsultation:
    """The unit asks a third party's opinion (Art. 32); the wait, at most 15 working days
    in all, is not counted. The applicant sees the dates, not who was asked."""
    info_request = locked(request)
    require_handler(info_request, actor)
    require_status(info_request, CLOCK_STATUSES, _("只有正在办理的申请可以征求第三方意见。"))
    now = now or timezone.now()
    today = local_today(now)
    name = (third_party or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["third_party"] = [_("请填写第三方的姓名或名称。")]
    elif len(name) > 100:
        errors["third_party"] = [_("第三方的姓名或名称不能超过100个字。")]
    if not isinstance(asked_on, dt.date):
        errors["asked_on"] = [_("请填写征求意见的日期。")]
    elif asked_on > today:
        errors["asked_on"] = [_("征求意见的日期不能晚于今天。")]
    elif asked_on < info_request.received_on:
        errors["asked_on"] = [
            _("征求意见的日期不能早于收到申请的日期 %(date)s。")
            % {"date": day_text(info_request.received_on)}
        ]
    if errors:
        raise ValidationError(errors)
    consultation = ThirdPartyConsultation.objects.create(
        request=info_request, third_party=name, asked_on=asked_on
    )
    before = (info_request.status, info_request.due_on)
    info_request.status = Status.THIRD_PARTY
    recompute_due(info_request, today)
    info_request.save(update_fields=["status", "due_on", "due_is_provisional"])
    event_add(
        info_request,
        Kind.THIRD_PARTY_ASKED,
        actor,
        now,
        _("%(date)s起征求第三方意见，等待期间（最长15个工作日）不计入答复期限。")
        % {"date": day_text(asked_on)},
    )
    audit(
        info_request,
        actor,
        {
            "status": [before[0], info_request.status],
            "due_on": [str(before[1]), str(info_request.due_on)],
        },
        note=_("征求第三方意见"),
    )
    return consultation


@transaction.atomic
def third_party_answer(
    *,
    consultation: ThirdPartyConsultation,
    answered_on: dt.date,
    opinion: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> ThirdPartyConsultation:
    """The third party's opinion came back (or the unit records that it did not answer
    in time); once no consultation is open the request is in processing again."""
    info_request = locked(consultation.request)
    consultation = ThirdPartyConsultation.objects.select_for_update().get(pk=consultation.pk)
    require_handler(info_request, actor)
    if consultation.answered_on is not None:
        raise Conflict(_("该第三方意见已登记。"))
    require_status(info_request, (Status.THIRD_PARTY,), _("该申请不在征求第三方意见状态。"))
    now = now or timezone.now()
    today = local_today(now)
    if not isinstance(answered_on, dt.date):
        raise ValidationError({"answered_on": [_("请填写意见返回的日期。")]})
    if answered_on > today:
        raise ValidationError({"answered_on": [_("意见返回的日期不能晚于今天。")]})
    if answered_on < consultation.asked_on:
        raise ValidationError(
            {
                "answered_on": [
                    _("意见返回的日期不能早于征求意见的日期 %(date)s。")
                    % {"date": day_text(consultation.asked_on)}
                ]
            }
        )
    opinion = (opinion or "").strip()
    if len(opinion) > NOTICE_MAX:
        raise ValidationError({"opinion": [_("第三方意见不能超过%(n)d个字。") % {"n": NOTICE_MAX}]})
    consultation.answered_on = answered_on
    consultation.opinion = opinion
    consultation.save(update_fields=["answered_on", "opinion"])
    before = (info_request.status, info_request.due_on)
    if not info_request.consultations.filter(answered_on__isnull=True).exists():
        info_request.status = Status.PROCESSING
    recompute_due(info_request, today)
    info_request.save(update_fields=["status", "due_on", "due_is_provisional"])
    event_add(
        info_request,
        Kind.THIRD_PARTY_ANSWERED,
        actor,
        now,
        _("%(date)s第三方意见返回；%(due)s")
        % {"date": day_text(answered_on), "due": due_note(info_request)},
    )
    audit(
        info_request,
        actor,
        {
            "status": [before[0], info_request.status],
            "due_on": [str(before[1]), str(info_request.due_on)],
        },
        note=_("第三方意见返回"),
    )
    return consultation


def _outcome_of(outcome: str) -> tuple[str, bool]:
    """(stored outcome, whether it is "not ours")."""
    if outcome == NOT_OURS:
        return Outcome.UNABLE_NOT_HELD, True
    return outcome, False


@transaction.atomic
def reply(
    *,
    request: InfoRequest,
    outcome: str,
    reply_text: str,
    competent_body: str = "",
    fee_amount: Decimal | int | str = 0,
    fee_basis: str = "",
    attachments: list[tuple[str, bytes]] | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> InfoRequest:
    """The reply (Art. 36), one of the outcomes of table 3. A refusal in whole or in part
    gives its reasons; "not ours" (NOT_OURS, Art. 36 (5)) is counted as UNABLE_NOT_HELD
    and names the body that holds the information. Fees are recorded if any (default
    free)."""
    info_request = locked(request)
    require_handler(info_request, actor)
    require_status(
        info_request, CLOCK_STATUSES, _("该申请已答复、已终止或尚未登记收到，不能答复。")
    )
    stored, not_ours = _outcome_of(outcome)
    errors: dict[str, list[str]] = {}
    if stored not in Outcome.values or stored in SCAN_ONLY_OUTCOMES:
        errors["outcome"] = [_("请选择答复类型。")]
    text = (reply_text or "").strip()
    if not text:
        errors["reply_text"] = [
            _("不予公开、部分公开、无法提供、不予处理等答复须说明理由和依据。")
            if stored in REFUSAL_OUTCOMES
            else _("请填写答复内容（公开的信息或获取方式）。")
        ]
    elif len(text) > REPLY_MAX:
        errors["reply_text"] = [_("答复内容不能超过%(n)d个字。") % {"n": REPLY_MAX}]
    body = (competent_body or "").strip()
    if not_ours and not body:
        errors["competent_body"] = [_("不属于本机关负责公开的，须告知负责公开的机关名称。")]
    elif len(body) > 100:
        errors["competent_body"] = [_("机关名称不能超过100个字。")]
    try:
        fee = Decimal(str(fee_amount if fee_amount not in (None, "") else 0))
    except InvalidOperation:
        fee = None
    basis = (fee_basis or "").strip()
    if fee is None or not fee.is_finite() or fee < 0 or fee > FEE_MAX:
        errors["fee_amount"] = [_("请填写不小于0的金额（元）。")]
    elif fee != fee.quantize(Decimal("0.01")):
        errors["fee_amount"] = [_("金额最多保留两位小数。")]
    elif fee > 0 and not basis:
        errors["fee_basis"] = [_("收取信息处理费的，须写明收费依据和计算方式。")]
    if len(basis) > 200:
        errors["fee_basis"] = [_("收费依据不能超过200个字。")]
    if errors:
        raise ValidationError(errors)
    checked = check_attachments(attachments)
    now = now or timezone.now()
    before = info_request.status
    info_request.status = Status.REPLIED
    info_request.outcome = stored
    info_request.reply_text = text
    info_request.competent_body = body
    info_request.fee_amount = fee
    info_request.fee_basis = basis if fee > 0 else ""
    info_request.replied_at = now
    info_request.replied_by = person_or_none(actor)
    info_request.save(
        update_fields=[
            "status",
            "outcome",
            "reply_text",
            "competent_body",
            "fee_amount",
            "fee_basis",
            "replied_at",
            "replied_by",
        ]
    )
    store_attachments(info_request, checked, from_applicant=False)
    event_add(info_request, Kind.REPLIED, actor, now, Outcome(stored).label)
    audit(
        info_request,
        actor,
        {
            "status": [before, info_request.status],
            "outcome": ["", stored],
            "fee_amount": ["0", str(fee)],
        },
    )
    return info_request
