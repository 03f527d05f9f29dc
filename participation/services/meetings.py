"""Every write of meeting records: 居民代表会议, 议事会, 村务监督委员会 and 聊天夜谈 —
who came, which issues were raised, who follows each up and when it was resolved.

A meeting is kept by a village/community committee or a supervisory committee; its
officials record it, may correct it until it is published, and follow its issues up
afterwards (an issue's text and who raised it stay as the minutes have them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Meeting, MeetingIssue, MeetingKind
from participation.permissions import can_keep_meetings
from portal.models import AuditAction, Unit, UnitKind
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import DomainError

MEETING_FIELDS = [
    "kind",
    "title",
    "held_on",
    "location",
    "attendees",
    "attendee_count",
    "summary",
]
ISSUE_FIELDS = ["seq", "text", "raised_by", "follow_up", "due_on", "resolved_on", "resolution"]
MAX_ISSUES = 100


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _require_keeper(unit: Unit, actor: Any) -> None:
    if not can_keep_meetings(actor, unit):
        raise DomainError(_("只有本单位的工作人员可以记录和管理会议记录。"))


def meeting_errors(
    *,
    unit: Unit,
    kind: str,
    title: str,
    held_on: dt.date | None,
    location: str,
    attendees: str,
    attendee_count: int | None,
) -> dict[str, list[str]]:
    """Everything wrong with a meeting's own fields."""
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        _add(errors, "kind", _("请选择会议类型。"))
    elif unit.kind == UnitKind.SUPERVISORY_COMMITTEE and kind != MeetingKind.SUPERVISORY:
        _add(errors, "kind", _("村务监督委员会只记录本委员会的会议。"))
    if not title:
        _add(errors, "title", _("请填写会议名称。"))
    elif len(title) > 200:
        _add(errors, "title", _("会议名称不能超过200个字。"))
    if held_on is None:
        _add(errors, "held_on", _("请填写会议日期。"))
    elif held_on > timezone.localdate():
        _add(errors, "held_on", _("会议日期不能晚于今天。"))
    if len(location) > 100:
        _add(errors, "location", _("地点不能超过100个字。"))
    if not attendees:
        _add(errors, "attendees", _("请填写参会人员。"))
    if attendee_count is None or attendee_count < 1:
        _add(errors, "attendee_count", _("参会人数至少为1人。"))
    return errors


def issue_errors(
    *, text: str, raised_by: str, follow_up: str, due_on: dt.date | None, held_on: dt.date | None
) -> dict[str, list[str]]:
    """Everything wrong with a newly raised issue."""
    errors: dict[str, list[str]] = {}
    if not text:
        _add(errors, "text", _("请填写反映的问题。"))
    if len(raised_by) > 40:
        _add(errors, "raised_by", _("反映人不能超过40个字。"))
    _follow_up_errors(errors, follow_up=follow_up, due_on=due_on, held_on=held_on)
    return errors


def _follow_up_errors(
    errors: dict[str, list[str]], *, follow_up: str, due_on: dt.date | None, held_on: dt.date | None
) -> None:
    if not follow_up:
        _add(errors, "follow_up", _("请填写跟进人（姓名或职务）。"))
    elif len(follow_up) > 60:
        _add(errors, "follow_up", _("跟进人不能超过60个字。"))
    if due_on is not None and held_on is not None and due_on < held_on:
        _add(errors, "due_on", _("计划解决日期不能早于会议日期。"))


def _clean_issue(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": (data.get("text") or "").strip(),
        "raised_by": (data.get("raised_by") or "").strip(),
        "follow_up": (data.get("follow_up") or "").strip(),
        "due_on": data.get("due_on"),
    }


@transaction.atomic
def meeting_create(
    *,
    unit: Unit,
    kind: str,
    title: str,
    held_on: dt.date | None,
    location: str,
    attendees: str,
    attendee_count: int | None,
    summary: str,
    issues: list[dict[str, Any]],
    actor: Any,
) -> Meeting:
    """Record a meeting with the issues raised at it (each a dict of text, raised_by,
    follow_up and due_on). It stays unpublished until meeting_publish."""
    if unit is None:
        raise ValidationError({"unit": [_("请选择组织单位。")]})
    _require_keeper(unit, actor)
    title, location = (title or "").strip(), (location or "").strip()
    attendees, summary = (attendees or "").strip(), (summary or "").strip()
    errors = meeting_errors(
        unit=unit,
        kind=kind,
        title=title,
        held_on=held_on,
        location=location,
        attendees=attendees,
        attendee_count=attendee_count,
    )
    if not unit.is_active:
        _add(errors, "unit", _("该单位已停用。"))
    cleaned = [_clean_issue(issue) for issue in issues or []]
    if len(cleaned) > MAX_ISSUES:
        _add(errors, "issues", _("一次最多记录%(n)d个问题。") % {"n": MAX_ISSUES})
    for number, issue in enumerate(cleaned, start=1):
        for messages in issue_errors(**issue, held_on=held_on).values():
            for message in messages:
                _add(
                    errors,
                    "issues",
                    _("第%(n)d个问题：%(message)s") % {"n": number, "message": message},
                )
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        unit=unit,
        region_id=unit.region_id,
        created_by=actor,
        kind=kind,
        title=title,
        held_on=held_on,
        location=location,
        attendees=attendees,
        attendee_count=attendee_count,
        summary=summary,
    )
    MeetingIssue.objects.bulk_create(
        MeetingIssue(meeting=meeting, seq=seq, **issue) for seq, issue in enumerate(cleaned, 1)
    )
    changes = diff({}, snapshot(meeting, MEETING_FIELDS))
    if cleaned:
        changes["issues"] = [None, len(cleaned)]
    audit_record(actor=actor, action=AuditAction.CREATE, obj=meeting, changes=changes)
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor: Any, **changes: Any) -> Meeting:
    """Correct a meeting's own fields before it is published; afterwards the record
    stands as published and only its issues are followed up."""
    meeting = _locked(meeting)
    _require_keeper(meeting.unit, actor)
    if meeting.published_at is not None:
        raise DomainError(_("会议记录已公开，不能再修改；问题的跟进情况仍可更新。"))
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise DomainError(
            _("不能修改这些字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    before = snapshot(meeting, MEETING_FIELDS)
    for field, value in changes.items():
        setattr(meeting, field, value.strip() if isinstance(value, str) else value)
    errors = meeting_errors(
        unit=meeting.unit,
        kind=meeting.kind,
        title=meeting.title,
        held_on=meeting.held_on,
        location=meeting.location,
        attendees=meeting.attendees,
        attendee_count=meeting.attendee_count,
    )
    if meeting.held_on is not None:
        # The issues' dates were checked against the old date; they must still follow it.
        dates = meeting.issues.aggregate(due=Min("due_on"), resolved=Min("resolved_on"))
        if any(day is not None and day < meeting.held_on for day in dates.values()):
            _add(errors, "held_on", _("会议日期不能晚于已记录问题的计划解决日期或解决日期。"))
    if errors:
        raise ValidationError(errors)
    changed = diff(before, snapshot(meeting, MEETING_FIELDS))
    if changed:
        meeting.save(update_fields=list(changed))
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=meeting, changes=changed)
    return meeting


@transaction.atomic
def meeting_publish(*, meeting: Meeting, actor: Any) -> Meeting:
    """Make the record public (attendees' names masked there)."""
    meeting = _locked(meeting)
    _require_keeper(meeting.unit, actor)
    if meeting.published_at is not None:
        raise DomainError(_("该会议记录已经公开。"))
    meeting.published_at = timezone.now()
    meeting.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=meeting,
        changes={"published_at": [None, str(meeting.published_at)]},
    )
    return meeting


@transaction.atomic
def meeting_issue_add(
    *,
    meeting: Meeting,
    text: str,
    follow_up: str,
    actor: Any,
    raised_by: str = "",
    due_on: dt.date | None = None,
) -> MeetingIssue:
    """Add an issue raised at the meeting (numbered after the last one)."""
    meeting = _locked(meeting)
    _require_keeper(meeting.unit, actor)
    issue = _clean_issue(
        {"text": text, "raised_by": raised_by, "follow_up": follow_up, "due_on": due_on}
    )
    errors = issue_errors(**issue, held_on=meeting.held_on)
    if errors:
        raise ValidationError(errors)
    last = meeting.issues.aggregate(last=Max("seq"))["last"] or 0
    created = MeetingIssue.objects.create(meeting=meeting, seq=last + 1, **issue)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=created,
        unit=meeting.unit,
        changes=diff({}, snapshot(created, ISSUE_FIELDS)),
    )
    return created


@transaction.atomic
def meeting_issue_update(
    *,
    issue: MeetingIssue,
    follow_up: str,
    due_on: dt.date | None,
    resolved_on: dt.date | None,
    resolution: str,
    actor: Any,
) -> MeetingIssue:
    """Follow an issue up: who takes it, by when, and when and how it was resolved.
    Resolving needs a date (not before the meeting, not in the future) and what was done."""
    issue = MeetingIssue.objects.select_for_update().get(pk=issue.pk)
    meeting = Meeting.objects.select_related("unit").get(pk=issue.meeting_id)
    _require_keeper(meeting.unit, actor)
    follow_up, resolution = (follow_up or "").strip(), (resolution or "").strip()
    errors: dict[str, list[str]] = {}
    _follow_up_errors(errors, follow_up=follow_up, due_on=due_on, held_on=meeting.held_on)
    if resolved_on is not None:
        if resolved_on < meeting.held_on:
            _add(
                errors,
                "resolved_on",
                _("解决日期不能早于会议日期（%(date)s）。") % {"date": meeting.held_on.isoformat()},
            )
        elif resolved_on > timezone.localdate():
            _add(errors, "resolved_on", _("解决日期不能晚于今天。"))
        if not resolution:
            _add(errors, "resolution", _("标记为已解决时，请填写解决情况。"))
    if errors:
        raise ValidationError(errors)
    before = snapshot(issue, ISSUE_FIELDS)
    issue.follow_up, issue.due_on = follow_up, due_on
    issue.resolved_on, issue.resolution = resolved_on, resolution
    changed = diff(before, snapshot(issue, ISSUE_FIELDS))
    if changed:
        issue.save(update_fields=list(changed))
        audit_record(
            actor=actor, action=AuditAction.CHANGE, obj=issue, unit=meeting.unit, changes=changed
        )
    return issue
