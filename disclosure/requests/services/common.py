"""What the steps of a request share: the statuses in which the clock runs, the local
limits (OGI_* settings), the event and audit rows, the row lock, and the due date
recomputed from the current facts through disclosure.requests.deadlines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from disclosure.models import (
    InfoRequest,
    InfoRequestAttachment,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestStatus,
    Outcome,
)
from disclosure.requests import deadlines, permissions
from portal import uploads as files
from portal.models import AuditAction
from portal.services.audit import audit_record
from portal.services.errors import Conflict, NotAllowed
from portal.workdays import local_date

Status = InfoRequestStatus
Kind = InfoRequestEventKind

# The clock runs in these; it is suspended while the applicant corrects.
CLOCK_STATUSES = (Status.PROCESSING, Status.THIRD_PARTY)
OPEN_STATUSES = (Status.PENDING, Status.PROCESSING, Status.CORRECTION, Status.THIRD_PARTY)
# Art. 36 (5) "不属于本机关负责公开": counted as UNABLE_NOT_HELD (table 3), the reply
# letter names the competent body. Offered as its own choice on the reply form.
NOT_OURS = "not_ours"
# Replies that refuse all or part of what was asked: the reply gives the reasons.
REFUSAL_OUTCOMES = frozenset(
    value
    for value in Outcome.values
    if value.startswith(("refused_", "unable_", "not_processed_", "other")) or value == "partial"
)
# Set by the scan, never chosen as a reply.
SCAN_ONLY_OUTCOMES = (Outcome.OTHER_UNCORRECTED,)

NOTE_MAX = 300
REPLY_MAX = 20_000
NOTICE_MAX = 5_000
FEE_MAX = Decimal("99999999.99")


def max_description_chars() -> int:
    return settings.OGI_MAX_DESCRIPTION_CHARS


def max_attachments() -> int:
    return settings.OGI_MAX_ATTACHMENTS


def max_attachment_bytes() -> int:
    return settings.OGI_MAX_ATTACHMENT_BYTES


def check_attachments(attachments: list[tuple[str, bytes]] | None) -> list[tuple]:
    attachments = attachments or []
    if len(attachments) > max_attachments():
        raise ValidationError(
            {"attachments": [_("附件不能超过%(n)d个。") % {"n": max_attachments()}]}
        )
    checked = []
    for file_name, data in attachments:
        try:
            sniffed = files.check_upload(file_name, data, limit=max_attachment_bytes())
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from None
        checked.append((file_name, data, sniffed))
    return checked


def person_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def local_today(now: dt.datetime) -> dt.date:
    return local_date(now)


def day_text(value: dt.date) -> str:
    return date_format(value, "Y-m-d")


def event_add(
    info_request: InfoRequest, kind: str, actor: Any, at: dt.datetime, note: str = ""
) -> InfoRequestEvent:
    return InfoRequestEvent.objects.create(
        request=info_request, kind=kind, actor=person_or_none(actor), at=at, note=note
    )


def audit(info_request: InfoRequest, actor: Any, changes: dict, note: str = "", create=False):
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if create else AuditAction.CHANGE,
        obj=info_request,
        unit=info_request.unit,
        changes=changes,
        note=note,
    )


def locked(info_request: InfoRequest) -> InfoRequest:
    return (
        InfoRequest.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=info_request.pk)
    )


def require_status(info_request: InfoRequest, statuses: tuple[str, ...], message: str) -> None:
    if info_request.status not in statuses:
        raise Conflict(message)


def require_handler(info_request: InfoRequest, actor: Any) -> None:
    if not permissions.can_handle(actor, info_request):
        raise NotAllowed(_("只有受理机关的工作人员可以办理该申请。"))


def store_attachments(info_request: InfoRequest, checked: list[tuple], *, from_applicant: bool):
    for file_name, data, sniffed in checked:
        attachment = InfoRequestAttachment(
            request=info_request,
            from_applicant=from_applicant,
            token=files.new_token(),
            original_name=file_name[-200:],
            content_type=sniffed.content_type,
            size=len(data),
        )
        attachment.file.save(attachment.token + sniffed.extension, ContentFile(data), save=False)
        attachment.save()


def recompute_due(info_request: InfoRequest, today: dt.date) -> None:
    """Set due_on and due_is_provisional from the current facts (not saved). No due date
    before receipt, while the applicant corrects (the clock is suspended and restarts
    from the corrected application) or once the request is finished."""
    if info_request.received_on is None or info_request.status not in CLOCK_STATUSES:
        info_request.due_on, info_request.due_is_provisional = None, False
        return
    paused = deadlines.paused_working_days(
        info_request.consultations.all(), today, since=info_request.received_on
    )
    info_request.due_on, info_request.due_is_provisional = deadlines.due_date(
        received_on=info_request.received_on,
        extension_days=info_request.extension_days,
        paused_days=paused,
    )


def due_note(info_request: InfoRequest) -> str:
    if info_request.due_on is None:
        return ""
    note = _("答复期限：%(date)s") % {"date": day_text(info_request.due_on)}
    if info_request.due_is_provisional:
        note += _("（暂定）")
    return note


def received_note(info_request: InfoRequest) -> str:
    return _("收到申请日期：%(date)s；%(due)s") % {
        "date": day_text(info_request.received_on),
        "due": due_note(info_request),
    }
