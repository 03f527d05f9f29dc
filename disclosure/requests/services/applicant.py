"""The applicant's steps: file a request (online, or typed in by the unit for post, fax
and in person), send the corrected application, withdraw."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.models import (
    InfoRequest,
    Outcome,
    RequestChannel,
)
from disclosure.requests import permissions
from disclosure.requests.services.common import (
    OPEN_STATUSES,
    Kind,
    Status,
    audit,
    check_attachments,
    day_text,
    event_add,
    local_today,
    locked,
    max_description_chars,
    person_or_none,
    received_note,
    recompute_due,
    require_status,
    store_attachments,
)
from disclosure.requests.services.validation import validate_request
from portal import identity
from portal.codes import DIGITS, new_code
from portal.models import Unit
from portal.ratelimit import ip_key, rate_check
from portal.services.errors import Conflict, NotAllowed


def _rate_check(phone_hash: str, ip: str | None) -> None:
    checks = [(f"inforequest:phone:{phone_hash}", settings.OGI_RATE_PER_PHONE)]
    if ip:
        checks.append((f"inforequest:ip:{ip_key(ip)}", settings.OGI_RATE_PER_IP))
    rate_check(checks)


def info_request_submit(
    *,
    unit: Unit | None,
    applicant_type: str,
    applicant_name: str,
    id_number: str = "",
    org_code: str = "",
    contact_person: str = "",
    phone: str,
    email: str = "",
    address: str = "",
    description: str,
    delivery: str,
    attachments: list[tuple[str, bytes]] | None = None,
    channel: str = RequestChannel.ONLINE,
    user: Any = None,
    ip: str | None = None,
    now: dt.datetime | None = None,
    actor: Any = None,
) -> InfoRequest:
    """Store an application. Online on the portal it is received the day it is submitted
    and its clock starts; by post, fax or in person it waits for the unit to register the
    day it received it (receipt_register). `actor` is the official typing in a paper
    application (else the applicant, `user`). The same application (unit, text) from the
    same phone within OGI_DUPLICATE_MINUTES returns the first one."""
    clean = validate_request(
        unit=unit,
        applicant_type=applicant_type,
        applicant_name=applicant_name,
        id_number=id_number,
        org_code=org_code,
        contact_person=contact_person,
        phone=phone,
        email=email,
        address=address,
        description=description,
        delivery=delivery,
        channel=channel,
    )
    checked = check_attachments(attachments)
    online = channel == RequestChannel.ONLINE
    if not online and not permissions.can_handle(actor, InfoRequest(unit=unit)):
        raise NotAllowed(_("信函、传真和当面提交的申请由受理机关的工作人员登记。"))
    now = now or timezone.now()
    phone_hash = identity.phone_hash(clean["phone"])
    with transaction.atomic():
        if online:
            # One writer at a time per phone, so a double click cannot file twice.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"inforequest:{phone_hash}"]
                )
            since = now - dt.timedelta(minutes=settings.OGI_DUPLICATE_MINUTES)
            first = (
                InfoRequest.objects.filter(
                    phone_hash=phone_hash,
                    unit=unit,
                    description=clean["description"],
                    channel=RequestChannel.ONLINE,
                    submitted_at__gte=since,
                )
                .order_by("submitted_at", "id")
                .first()
            )
            if first is not None:
                return first
            _rate_check(phone_hash, ip)
        number = clean.get("id_number", "")
        info_request = InfoRequest(
            tracking_code=new_code(10),
            query_code=new_code(6, DIGITS),
            unit=unit,
            region_id=unit.region_id,
            user=person_or_none(user),
            applicant_type=applicant_type,
            applicant_name=clean["applicant_name"],
            id_number_hash=identity.id_number_hash(number) if number else "",
            id_number_masked=identity.mask_id_number(number) if number else "",
            org_code=clean.get("org_code", ""),
            contact_person=clean["contact_person"],
            phone=clean["phone"],
            phone_hash=phone_hash,
            email=clean["email"],
            address=clean["address"],
            description=clean["description"],
            delivery=delivery,
            channel=channel,
            submitted_at=now,
            received_on=local_today(now) if online else None,
            status=Status.PROCESSING if online else Status.PENDING,
        )
        info_request.save()
        recompute_due(info_request, local_today(now))
        info_request.save(update_fields=["due_on", "due_is_provisional"])
        store_attachments(info_request, checked, from_applicant=True)
        event_add(info_request, Kind.SUBMITTED, actor or user, now, RequestChannel(channel).label)
        if online:
            event_add(info_request, Kind.RECEIVED, actor or user, now, received_note(info_request))
        audit(
            info_request,
            actor or user,
            {
                "status": [None, info_request.status],
                "channel": [None, channel],
                "received_on": [None, str(info_request.received_on or "")],
                "due_on": [None, str(info_request.due_on or "")],
            },
            create=True,
        )
    return info_request


@transaction.atomic
def correction_submit(
    *,
    request: InfoRequest,
    corrected_description: str,
    attachments: list[tuple[str, bytes]] | None = None,
    query_code: str | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> InfoRequest:
    """The applicant (with the query code, or signed in as the owner) sends the corrected
    application. It is received today: the clock restarts from it (Art. 30)."""
    info_request = locked(request)
    if not permissions.can_follow(actor, info_request, query_code):
        raise NotAllowed(_("只有申请人可以补正申请。"))
    require_status(info_request, (Status.CORRECTION,), _("该申请不在待补正状态。"))
    now = now or timezone.now()
    today = local_today(now)
    if info_request.correction_due_on and today > info_request.correction_due_on:
        raise Conflict(
            _("补正期限（%(date)s）已过，该申请不再处理。")
            % {"date": day_text(info_request.correction_due_on)}
        )
    text = identity.mask_id_numbers((corrected_description or "").strip())
    if not text:
        raise ValidationError({"corrected_description": [_("请填写补正后的申请内容。")]})
    if len(text) > max_description_chars():
        raise ValidationError(
            {
                "corrected_description": [
                    _("补正内容不能超过%(n)d个字。") % {"n": max_description_chars()}
                ]
            }
        )
    checked = check_attachments(attachments)
    before = (info_request.status, info_request.received_on)
    info_request.corrected_description = text
    info_request.corrected_at = now
    info_request.received_on = today
    info_request.status = Status.PROCESSING
    recompute_due(info_request, today)
    info_request.save(
        update_fields=[
            "corrected_description",
            "corrected_at",
            "received_on",
            "status",
            "due_on",
            "due_is_provisional",
        ]
    )
    store_attachments(info_request, checked, from_applicant=True)
    event_add(info_request, Kind.CORRECTED, actor, now, received_note(info_request))
    audit(
        info_request,
        actor,
        {
            "status": [before[0], info_request.status],
            "received_on": [str(before[1]), str(info_request.received_on)],
            "due_on": [None, str(info_request.due_on)],
        },
    )
    return info_request


@transaction.atomic
def withdraw(
    *,
    request: InfoRequest,
    reason: str = "",
    query_code: str | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> InfoRequest:
    """The applicant withdraws an open application; it is closed as "other"."""
    info_request = locked(request)
    if not permissions.can_follow(actor, info_request, query_code):
        raise NotAllowed(_("只有申请人可以撤回申请。"))
    require_status(info_request, OPEN_STATUSES, _("该申请已答复或已终止，不能撤回。"))
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": [_("撤回理由不能超过200个字。")]})
    now = now or timezone.now()
    before = info_request.status
    info_request.status = Status.CLOSED
    info_request.outcome = Outcome.OTHER
    info_request.closed_at = now
    info_request.close_reason = (
        _("申请人撤回申请：%(reason)s") % {"reason": reason} if reason else _("申请人撤回申请")
    )
    info_request.save(update_fields=["status", "outcome", "closed_at", "close_reason"])
    event_add(info_request, Kind.WITHDRAWN, actor, now, reason)
    audit(info_request, actor, {"status": [before, info_request.status]})
    return info_request
