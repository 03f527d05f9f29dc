"""Every write of the mailbox. Each step appends an event with its actor and time."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailbox.models import (
    EventKind,
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterStatus,
    LetterType,
    Rating,
)
from mailbox.models.letters import OPEN_STATUSES
from mailbox.permissions import can_handle, can_supervise
from portal import identity
from portal import uploads as files
from portal.codes import DIGITS, new_code
from portal.models import AuditAction, Unit
from portal.ratelimit import ip_key, rate_check
from portal.services.audit import audit_record
from portal.services.errors import DomainError
from portal.workdays import add_working_days, end_of_day


# No 0/O, 1/I/L: codes are read out over the phone.
def due_after(moment: dt.datetime, days: int | None = None) -> tuple[dt.datetime, bool]:
    """End of the N-th working day after `moment` (Asia/Shanghai), and whether provisional."""
    result = add_working_days(moment, settings.MAILBOX_REPLY_WORKING_DAYS if days is None else days)
    return end_of_day(result.date), result.provisional


def _rate_check(phone_hash: str, ip: str | None) -> None:
    checks = [(f"mailbox:phone:{phone_hash}", settings.MAILBOX_RATE_PER_PHONE)]
    if ip:
        checks.append((f"mailbox:ip:{ip_key(ip)}", settings.MAILBOX_RATE_PER_IP))
    rate_check(checks)


def _content_hash(unit_id: int, type_: str, subject: str, body: str) -> str:
    text = f"{unit_id}\n{type_}\n{subject.strip()}\n{body.strip()}"
    return hashlib.sha256(text.encode()).hexdigest()


def validate_letter(
    *,
    unit: Unit | None,
    type: str,
    subject: str,
    body: str,
    name: str,
    phone: str,
    email: str = "",
    id_number: str = "",
) -> dict[str, Any]:
    """Normalised fields, or a ValidationError naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if unit is None or not unit.is_active:
        errors["unit"] = [_("请选择收信单位。")]
    if type not in LetterType.values:
        errors["type"] = [_("请选择来信类型：咨询、建议、求助、投诉或举报。")]
    subject, body, name = (subject or "").strip(), (body or "").strip(), (name or "").strip()
    subject, body = identity.mask_id_numbers(subject), identity.mask_id_numbers(body)
    if not subject:
        errors["subject"] = [_("请填写标题。")]
    elif len(subject) > 100:
        errors["subject"] = [_("标题不能超过100个字。")]
    if not body:
        errors["body"] = [_("请填写来信内容。")]
    elif len(body) > settings.MAILBOX_MAX_BODY_CHARS:
        errors["body"] = [_("来信内容不能超过%(n)d个字。") % {"n": settings.MAILBOX_MAX_BODY_CHARS}]
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > 40:
        errors["name"] = [_("姓名不能超过40个字。")]
    try:
        clean["phone"] = identity.validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if email:
        try:
            validate_email(email.strip())
        except ValidationError:
            errors["email"] = [_("请输入有效的电子邮箱地址。")]
    if id_number:
        try:
            clean["id_number"] = identity.validate_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if errors:
        raise ValidationError(errors)
    clean.update(subject=subject, body=body, name=name, email=(email or "").strip())
    return clean


def _event(letter: Letter, kind: str, actor: Any = None, **fields: Any) -> LetterEvent:
    return LetterEvent.objects.create(
        letter=letter,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )


def letter_submit(
    *,
    unit: Unit | None,
    type: str,
    subject: str,
    body: str,
    name: str,
    phone: str,
    email: str = "",
    id_number: str = "",
    publish_consent: bool = False,
    attachments: list[tuple[str, bytes]] | None = None,
    user: Any = None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Letter, bool]:
    """Store a letter and start its clock. Returns (letter, created): the same letter
    from the same phone within MAILBOX_DUPLICATE_MINUTES returns the first one."""
    clean = validate_letter(
        unit=unit,
        type=type,
        subject=subject,
        body=body,
        name=name,
        phone=phone,
        email=email,
        id_number=id_number,
    )
    attachments = attachments or []
    if len(attachments) > settings.MAILBOX_MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": [_("附件不能超过%(n)d个。") % {"n": settings.MAILBOX_MAX_ATTACHMENTS}]}
        )
    checked = []
    for file_name, data in attachments:
        try:
            checked.append(
                (
                    file_name,
                    data,
                    files.check_upload(
                        file_name, data, limit=settings.MAILBOX_MAX_ATTACHMENT_BYTES
                    ),
                )
            )
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from None
    now = now or timezone.now()
    phone_hash = identity.phone_hash(clean["phone"])
    content_hash = _content_hash(unit.pk, type, clean["subject"], clean["body"])
    since = now - dt.timedelta(minutes=settings.MAILBOX_DUPLICATE_MINUTES)
    with transaction.atomic():
        # One writer at a time per phone, so two identical submissions cannot both pass
        # the duplicate check (a transaction-scoped advisory lock, no table needed).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"letter:{phone_hash}"])
        first = (
            Letter.objects.filter(
                phone_hash=phone_hash, content_hash=content_hash, received_at__gte=since
            )
            .order_by("received_at")
            .first()
        )
        if first is not None:
            return first, False
        _rate_check(phone_hash, ip)
        due_at, provisional = due_after(now)
        number = clean.get("id_number", "")
        letter = Letter.objects.create(
            tracking_code=new_code(10),
            query_code=new_code(6, DIGITS),
            unit=unit,
            first_unit=unit,
            region_id=unit.region_id,
            type=type,
            subject=clean["subject"],
            body=clean["body"],
            writer_name=clean["name"],
            phone=clean["phone"],
            phone_hash=phone_hash,
            email=clean["email"],
            id_number_hash=identity.id_number_hash(number) if number else "",
            id_number_masked=identity.mask_id_number(number) if number else "",
            content_hash=content_hash,
            publish_consent=bool(publish_consent),
            user=user if getattr(user, "is_authenticated", False) else None,
            received_at=now,
            due_at=due_at,
            due_is_provisional=provisional,
        )
        for file_name, data, sniffed in checked:
            attachment = LetterAttachment(
                letter=letter,
                token=files.new_token(),
                original_name=file_name[-200:],
                content_type=sniffed.content_type,
                size=len(data),
            )
            attachment.file.save(
                attachment.token + sniffed.extension, ContentFile(data), save=False
            )
            attachment.save()
        _event(letter, EventKind.RECEIVED, user, unit=unit, due_at=due_at)
    return letter, True


def _locked(letter: Letter) -> Letter:
    return Letter.objects.select_for_update().select_related("unit").get(pk=letter.pk)


def _require(letter: Letter, statuses: tuple[str, ...], message: str) -> None:
    if letter.status not in statuses:
        raise DomainError(message)


def _handler(letter: Letter, actor: Any) -> None:
    if not can_handle(actor, letter):
        raise DomainError(_("只有办理单位的工作人员可以办理该来信。"))


@transaction.atomic
def letter_accept(*, letter: Letter, actor: Any) -> Letter:
    letter = _locked(letter)
    _handler(letter, actor)
    _require(letter, (LetterStatus.RECEIVED, LetterStatus.TRANSFERRED), _("该来信已受理或已办结。"))
    letter.status = LetterStatus.ACCEPTED
    letter.save(update_fields=["status"])
    _event(letter, EventKind.ACCEPTED, actor, unit=letter.unit)
    return letter


@transaction.atomic
def letter_reject(*, letter: Letter, actor: Any, reason: str) -> Letter:
    letter = _locked(letter)
    _handler(letter, actor)
    _require(
        letter,
        (LetterStatus.RECEIVED, LetterStatus.TRANSFERRED),
        _("只有未受理的来信可以不予受理。"),
    )
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("不予受理须说明理由。")]})
    letter.status = LetterStatus.REJECTED
    letter.reject_reason = reason.strip()[:300]
    letter.closed_at = timezone.now()
    letter.save(update_fields=["status", "reject_reason", "closed_at"])
    _event(letter, EventKind.REJECTED, actor, unit=letter.unit, note=letter.reject_reason)
    return letter


@transaction.atomic
def letter_transfer(*, letter: Letter, actor: Any, to_unit: Unit, note: str = "") -> Letter:
    """转办: the competent unit takes over; the clock keeps running."""
    letter = _locked(letter)
    _handler(letter, actor)
    _require(letter, OPEN_STATUSES, _("该来信已办结，不能转办。"))
    if to_unit.pk == letter.unit_id or not to_unit.is_active:
        raise ValidationError({"to_unit": [_("请选择另一个在用的单位。")]})
    from_unit = letter.unit
    letter.unit = to_unit
    letter.region_id = to_unit.region_id
    letter.status = LetterStatus.TRANSFERRED
    letter.save(update_fields=["unit", "region", "status"])
    _event(letter, EventKind.TRANSFERRED, actor, unit=from_unit, to_unit=to_unit, note=note.strip())
    return letter


@transaction.atomic
def letter_reply(*, letter: Letter, actor: Any, text: str) -> Letter:
    letter = _locked(letter)
    _handler(letter, actor)
    _require(letter, OPEN_STATUSES, _("该来信已答复或已办结。"))
    if not (text or "").strip():
        raise ValidationError({"reply": [_("请填写答复内容。")]})
    letter.status = LetterStatus.REPLIED
    letter.reply = text.strip()
    letter.replied_at = timezone.now()
    letter.reply_unit = letter.unit
    letter.save(update_fields=["status", "reply", "replied_at", "reply_unit"])
    _event(letter, EventKind.REPLIED, actor, unit=letter.unit, note=letter.reply)
    return letter


@transaction.atomic
def letter_rate(*, letter: Letter, rating: str, reopen: bool = False, comment: str = "") -> Letter:
    """The writer rates the reply; an unsatisfied writer may reopen the letter once, which
    starts a new due date."""
    letter = _locked(letter)
    _require(letter, (LetterStatus.REPLIED,), _("只能评价已答复的来信。"))
    if rating not in Rating.values:
        raise ValidationError({"rating": [_("请选择满意、基本满意或不满意。")]})
    now = timezone.now()
    letter.rating, letter.rated_at = rating, now
    _event(letter, EventKind.RATED, None, note=f"{Rating(rating).label} {comment.strip()}".strip())
    if reopen:
        if rating != Rating.UNSATISFIED:
            raise ValidationError({"reopen": [_("只有不满意时可以要求重新办理。")]})
        if letter.reopened:
            raise ValidationError({"reopen": [_("每封来信只能要求重新办理一次。")]})
        letter.reopened = True
        letter.status = LetterStatus.ACCEPTED
        letter.due_at, letter.due_is_provisional = due_after(now)
        _event(letter, EventKind.REOPENED, None, unit=letter.unit, due_at=letter.due_at)
    else:
        letter.status = LetterStatus.CLOSED
        letter.closed_at = now
        _event(letter, EventKind.CLOSED, None, unit=letter.unit)
    letter.save()
    return letter


@transaction.atomic
def letter_extend(*, letter: Letter, actor: Any, days: int, reason: str) -> Letter:
    """One extension, granted by a supervisor of the place, shown to the writer."""
    letter = _locked(letter)
    if not can_supervise(actor, letter):
        raise DomainError(_("只有上级监督人员可以批准延期。"))
    _require(letter, OPEN_STATUSES, _("该来信已答复或已办结，无需延期。"))
    if letter.extended:
        raise DomainError(_("每封来信只能延期一次。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("延期须说明理由。")]})
    if not 1 <= days <= 30:
        raise ValidationError({"days": [_("延期天数应在1至30个工作日之间。")]})
    result = add_working_days(letter.due_at, days)
    letter.due_at, letter.due_is_provisional = end_of_day(result.date), result.provisional
    letter.extended = True
    letter.save(update_fields=["due_at", "due_is_provisional", "extended"])
    _event(
        letter,
        EventKind.EXTENDED,
        actor,
        unit=letter.unit,
        note=reason.strip(),
        due_at=letter.due_at,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=letter,
        unit=letter.unit,
        changes={"due_at": [None, str(letter.due_at)]},
        note=reason,
    )
    return letter
