"""Every write of disclosure: the record lifecycle, attachments, search refresh.

draft → in review → published → withdrawn. With the unit's review setting on, an
editor's submission waits for a reviewer who is not its author; with it off, it goes
out at once. An edit after publication keeps the text it replaces as a version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure import catalogs, search
from disclosure.models import (
    Attachment,
    CatalogItem,
    PublishingSetting,
    Record,
    RecordKind,
    RecordStatus,
    RecordVersion,
    ScheduleKind,
    Scope,
)
from disclosure.permissions import can_edit, can_review
from portal import uploads as files
from portal.models import AuditAction, Unit, UnitKind
from portal.richtext import sanitize
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import DomainError

EDITABLE_FIELDS = [
    "title",
    "body",
    "document_number",
    "info_date",
    "period_start",
    "period_end",
    "scope",
    "interpretation_form",
    "video_url",
]
VERSIONED_FIELDS = ["title", "body", "document_number", "info_date", "period_start", "period_end"]
SCOPES_BY_UNIT_KIND = {
    UnitKind.VILLAGE_COMMITTEE: {Scope.PUBLIC, Scope.RESIDENTS},
    UnitKind.SCHOOL: {Scope.PUBLIC, Scope.PARENTS, Scope.STAFF},
}


def period_bounds(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """The month, quarter or year that starts on `start`."""
    if kind == ScheduleKind.MONTHLY:
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return start, end
    if kind == ScheduleKind.QUARTERLY:
        month = start.month + 2
        end = (dt.date(start.year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
            days=1
        )
        return start, end
    return start, dt.date(start.year, 12, 31)


def _period_starts_ok(kind: str, start: dt.date) -> bool:
    if start.day != 1:
        return False
    if kind == ScheduleKind.QUARTERLY:
        return start.month in (1, 4, 7, 10)
    if kind == ScheduleKind.YEARLY:
        return start.month == 1
    return True


def _validate(record: Record) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    record.title = (record.title or "").strip()
    if not record.title:
        add("title", _("请填写标题。"))
    if record.info_date and record.info_date > timezone.localdate():
        add("info_date", _("信息形成日期不能晚于今天。"))
    item = record.item
    if item.schedule_kind in (ScheduleKind.MONTHLY, ScheduleKind.QUARTERLY, ScheduleKind.YEARLY):
        if not record.period_start:
            add("period_start", _("该事项按期公开，请填写所属期间。"))
        elif not _period_starts_ok(item.schedule_kind, record.period_start):
            add("period_start", _("所属期间应从月、季度或年度的第一天开始。"))
        else:
            expected_end = period_bounds(item.schedule_kind, record.period_start)[1]
            if record.period_end and record.period_end != expected_end:
                add("period_end", _("所属期间应截至 %(end)s。") % {"end": expected_end})
            record.period_end = expected_end
    allowed = SCOPES_BY_UNIT_KIND.get(record.unit.kind, {Scope.PUBLIC})
    if record.scope not in allowed:
        add("scope", _("本单位不能按“%(scope)s”范围公开。") % {"scope": Scope(record.scope).label})
    if record.kind in (RecordKind.INTERPRETATION, RecordKind.RESPONSE):
        if record.policy is None or record.policy.kind != RecordKind.POLICY:
            add("policy", _("解读和回应须关联一份政策文件。"))
        elif record.policy.status != RecordStatus.PUBLISHED:
            add("policy", _("所关联的政策文件尚未发布。"))
    elif record.policy_id is not None:
        add("policy", _("只有解读和回应可以关联政策文件。"))
    if record.interpretation_form == "video" and not record.video_url:
        add("video_url", _("视频解读请填写视频链接。"))
    if errors:
        raise ValidationError(errors)


TRANSITIONS = {
    "submit": (RecordStatus.DRAFT,),
    "approve": (RecordStatus.IN_REVIEW,),
    "return": (RecordStatus.IN_REVIEW,),
    "withdraw": (RecordStatus.PUBLISHED,),
}


def transition_refusal(record: Record, action: str, actor: Any, note: str = "") -> str | None:
    """Why `actor` may not take `action` on `record` now, or None. No writes: the admin
    form asks this before saving so that a refusal costs the official nothing typed."""
    if record.status not in TRANSITIONS[action]:
        return _("当前状态（%(status)s）不能执行该操作。") % {"status": record.get_status_display()}
    if action == "submit" and not can_edit(actor, record):
        return _("您没有提交该信息的权限。")
    if action in ("approve", "return") and not can_review(actor, record):
        return _("须由本单位起草人以外的审核员审核。")
    if action == "return" and not note.strip():
        return _("退回时请写明修改意见。")
    if action == "withdraw":
        if not (can_edit(actor, record) or can_review(actor, record)):
            return _("您没有撤回该信息的权限。")
        if not note.strip():
            return _("撤回须公开说明原因。")
    return None


def creation_errors(record: Record, actor: Any) -> dict[str, list[str]]:
    """Everything wrong with a new record, without saving it."""
    if not catalogs_allow(record.unit, record.item):
        return {"item": [_("该事项不属于本单位的标准目录。")]}
    if not can_edit(actor, record):
        return {"unit": [_("您不是该单位的信息员，不能发布信息。")]}
    try:
        _validate(record)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def effective_changes(record: Record, proposed: dict[str, Any]) -> dict[str, Any]:
    """The proposed values that really differ from the record (bodies compared as stored)."""
    changes = {}
    for field, value in proposed.items():
        if field == "body":
            value = sanitize(value)
        if value != getattr(record, field):
            changes[field] = value
    return changes


def update_errors(
    record: Record, changes: dict[str, Any], actor: Any, note: str = ""
) -> dict[str, list[str]]:
    """Everything wrong with changing `record` this way, without saving it."""
    if not changes:
        return {}
    if not can_edit(actor, record):
        return {"__all__": [_("您没有修改该信息的权限。")]}
    if record.status == RecordStatus.WITHDRAWN:
        return {"__all__": [_("已撤回的信息不能再修改。")]}
    probe = Record.objects.select_related("unit", "item", "policy").get(pk=record.pk)
    for field, value in changes.items():
        setattr(probe, field, value)
    errors: dict[str, list[str]] = {}
    try:
        _validate(probe)
    except ValidationError as exc:
        errors = exc.message_dict
    if record.status == RecordStatus.PUBLISHED and not note.strip():
        errors.setdefault("change_note", []).append(_("修改已发布的信息须填写修订说明。"))
    return errors


def refresh_search(record: Record) -> None:
    attachment_text = search.joined(record.attachments.values_list("text", flat=True))
    Record.objects.filter(pk=record.pk).update(
        search_vector=search.vector_expression(
            record.title, search.plain_text(record.body), attachment_text
        )
    )


@transaction.atomic
def record_create(
    *,
    unit: Unit,
    item: CatalogItem,
    title: str,
    info_date: dt.date,
    actor: Any,
    body: str = "",
    document_number: str = "",
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    scope: str | None = None,
    kind: str = RecordKind.ORDINARY,
    policy: Record | None = None,
    interpretation_form: str = "",
    video_url: str = "",
) -> Record:
    record = Record(
        unit=unit,
        region_id=unit.region_id,
        unit_kind=unit.kind,
        item=item,
        kind=kind,
        policy=policy,
        interpretation_form=interpretation_form,
        video_url=video_url,
        title=title,
        body=sanitize(body),
        document_number=document_number.strip(),
        info_date=info_date,
        period_start=period_start,
        period_end=period_end,
        scope=scope or item.scope,
        author=actor,
    )
    errors = creation_errors(record, actor)
    if "unit" in errors:
        raise DomainError(errors["unit"][0])
    if errors:
        raise ValidationError(errors)
    record.save()
    refresh_search(record)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        changes=diff({}, snapshot(record, EDITABLE_FIELDS)),
    )
    return record


def catalogs_allow(unit: Unit, item: CatalogItem) -> bool:
    template = catalogs.catalog_for_unit(unit)
    return template is not None and item.template_id == template.pk


def _refuse(record: Record, action: str, actor: Any, note: str = "") -> None:
    refusal = transition_refusal(record, action, actor, note)
    if refusal:
        raise DomainError(refusal)


def _locked(record: Record) -> Record:
    return Record.objects.select_for_update().select_related("unit", "item").get(pk=record.pk)


@transaction.atomic
def record_update(*, record: Record, actor: Any, change_note: str = "", **changes: Any) -> Record:
    """Change a record. After publication the replaced text is kept as a version."""
    record = _locked(record)
    if not can_edit(actor, record):
        raise DomainError(_("您没有修改该信息的权限。"))
    if record.status == RecordStatus.WITHDRAWN:
        raise DomainError(_("已撤回的信息不能再修改。"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("不能修改这些字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    before = snapshot(record, EDITABLE_FIELDS)
    if "body" in changes:
        changes["body"] = sanitize(changes["body"])
    for field, value in changes.items():
        setattr(record, field, value)
    _validate(record)
    changed = diff(before, snapshot(record, EDITABLE_FIELDS))
    if not changed:
        return record
    if record.status == RecordStatus.PUBLISHED:
        if not change_note.strip():
            raise ValidationError({"change_note": [_("修改已发布的信息须填写修订说明。")]})
        RecordVersion.objects.create(
            record=record,
            version=record.version,
            replaced_by=actor,
            change_note=change_note.strip(),
            published_at=record.published_at,
            **{field: before[field] for field in VERSIONED_FIELDS},
        )
        record.version += 1
    record.save()
    refresh_search(record)
    audit_record(
        actor=actor, action=AuditAction.CHANGE, obj=record, changes=changed, note=change_note
    )
    return record


def _publish(record: Record, actor: Any) -> None:
    record.status = RecordStatus.PUBLISHED
    record.published_at = timezone.now()
    record.save(
        update_fields=[
            "status",
            "published_at",
            "reviewer",
            "review_note",
            "submitted_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=record,
        changes={"status": [RecordStatus.DRAFT, RecordStatus.PUBLISHED]},
    )


def requires_review(unit: Unit) -> bool:
    setting = PublishingSetting.objects.filter(unit=unit).first()
    return True if setting is None else setting.requires_review


@transaction.atomic
def record_submit(*, record: Record, actor: Any) -> Record:
    record = _locked(record)
    _refuse(record, "submit", actor)
    record.submitted_at = timezone.now()
    record.review_note = ""
    if requires_review(record.unit):
        record.status = RecordStatus.IN_REVIEW
        record.save(update_fields=["status", "submitted_at", "review_note", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=record,
            changes={"status": [RecordStatus.DRAFT, RecordStatus.IN_REVIEW]},
        )
    else:
        _publish(record, actor)
    return record


@transaction.atomic
def record_approve(*, record: Record, actor: Any, note: str = "") -> Record:
    record = _locked(record)
    _refuse(record, "approve", actor)
    record.reviewer = actor
    record.review_note = note.strip()
    _publish(record, actor)
    return record


@transaction.atomic
def record_return(*, record: Record, actor: Any, note: str) -> Record:
    record = _locked(record)
    _refuse(record, "return", actor, note)
    record.status = RecordStatus.DRAFT
    record.reviewer = actor
    record.review_note = note.strip()
    record.save(update_fields=["status", "reviewer", "review_note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=record,
        changes={"status": [RecordStatus.IN_REVIEW, RecordStatus.DRAFT]},
        note=note,
    )
    return record


@transaction.atomic
def record_withdraw(*, record: Record, actor: Any, reason: str) -> Record:
    """Withdrawn records stay: the page shows that and why, instead of vanishing."""
    record = _locked(record)
    _refuse(record, "withdraw", actor, reason)
    record.status = RecordStatus.WITHDRAWN
    record.withdrawn_at = timezone.now()
    record.withdraw_reason = reason.strip()
    record.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=record,
        changes={"status": [RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN]},
        note=reason,
    )
    return record


@transaction.atomic
def attachment_add(*, record: Record, name: str, data: bytes, actor: Any) -> Attachment:
    record = _locked(record)
    if not can_edit(actor, record):
        raise DomainError(_("您没有为该信息上传附件的权限。"))
    if record.status == RecordStatus.WITHDRAWN:
        raise DomainError(_("已撤回的信息不能再上传附件。"))
    sniffed = files.check_upload(name, data, limit=settings.DISCLOSURE_MAX_ATTACHMENT_BYTES)
    attachment = Attachment(
        record=record,
        token=files.new_token(),
        original_name=name[-200:],
        content_type=sniffed.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=files.extract_text(sniffed, data),
    )
    attachment.file.save(attachment.token + sniffed.extension, ContentFile(data), save=False)
    attachment.save()
    refresh_search(record)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=record,
        changes={"attachments": [None, attachment.original_name]},
    )
    return attachment
