"""Reads of decisions (四议两公开) and meeting records for the public pages and the API.

Decisions are public from the moment they are started: the process is the point, and
nothing personal is in them. Meetings are public once published; templates and the API
receive PublicMeeting / PublicIssue, which hold the attendees' and raisers' names masked
(张*) — also where the minutes' text mentions them — and that text with phone, ID and
e-mail removed, so a name the record lists cannot reach a public page unmasked.
`follow_up` is an official's name or role and is shown as written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.models import Record, RecordStatus
from participation.models import (
    STEP_ORDER,
    Decision,
    DecisionStatus,
    DecisionStep,
    Meeting,
    MeetingIssue,
    MeetingKind,
    StepKind,
)
from participation.services.decisions import attendance_minimum, more_than_half
from portal import hierarchy, identity

# --- Decisions ------------------------------------------------------------------------------


@dataclass
class DecisionFilter:
    region: str | None = None  # a subtree
    unit: int | None = None
    status: str | None = None


def decisions_public(criteria: DecisionFilter) -> QuerySet[Decision]:
    """Every decision inside a place (a code range on Decision.region), newest first,
    with how many steps it has walked."""
    decisions = Decision.objects.select_related("unit", "region").annotate(
        step_count=Count("steps")
    )
    if criteria.region:
        decisions = hierarchy.in_subtree(decisions, criteria.region)
    if criteria.unit:
        decisions = decisions.filter(unit_id=criteria.unit)
    if criteria.status:
        decisions = decisions.filter(status=criteria.status)
    return decisions.order_by("-created_at", "-id")


def decision_public(pk: int) -> Decision | None:
    return (
        Decision.objects.select_related("unit", "region", "decision_record", "result_record")
        .prefetch_related(
            Prefetch("steps", queryset=DecisionStep.objects.order_by("held_on", "id"))
        )
        .filter(pk=pk)
        .first()
    )


def current_step_label(decision: Decision) -> str:
    """Where an in-progress decision stands (needs the `step_count` annotation)."""
    if decision.status != DecisionStatus.IN_PROGRESS:
        return decision.get_status_display()
    count = getattr(decision, "step_count", 0)
    if count >= len(STEP_ORDER):
        return decision.get_status_display()
    return _("待%(step)s") % {"step": StepKind(STEP_ORDER[count]).label}


@dataclass(frozen=True)
class TimelineStep:
    """One of the four steps as the public timeline shows it."""

    kind: str
    label: str
    state: str  # done / current / todo / not_held
    state_label: str
    step: DecisionStep | None
    rule: str
    minimum: int | None  # how many had to attend, for a recorded step
    passed_minimum: int | None  # how many "for" votes a pass needed

    @property
    def note(self) -> str:
        return identity.public_text(self.step.note) if self.step else ""


# The plain note of each voted step's rule, shown beside it.
STEP_RULES = {
    StepKind.PARTY_REVIEW: gettext_lazy(
        "党员大会须有三分之二以上的党员到会，经到会党员过半数同意为通过。"
    ),
    StepKind.RESOLUTION: gettext_lazy(
        "村民会议须有过半数村民参加，村民代表会议须有三分之二以上组成人员参加；"
        "所作决定须经到会人员过半数同意。"
    ),
}
VOTED_STEPS = tuple(STEP_RULES)


def decision_timeline(decision: Decision) -> list[TimelineStep]:
    """The four steps in order: done, the current one, those to come, and (after a
    rejection) those that were never held. Reads the prefetched steps."""
    steps = {step.kind: step for step in decision.steps.all()}
    ended = decision.status == DecisionStatus.REJECTED
    current_found = False
    labels = {
        "done": _("已完成"),
        "current": _("进行中"),
        "todo": _("待进行"),
        "not_held": _("未进行"),
    }
    timeline = []
    for kind in STEP_ORDER:
        step = steps.get(kind)
        if step is not None:
            state = "done"
        elif ended:
            state = "not_held"
        elif not current_found:
            state, current_found = "current", True
        else:
            state = "todo"
        minimum = passed = None
        if step is not None and kind in VOTED_STEPS:
            minimum = attendance_minimum(kind, step.meeting, step.expected)
            passed = more_than_half(step.attended)
        timeline.append(
            TimelineStep(
                kind=kind,
                label=str(StepKind(kind).label),
                state=state,
                state_label=str(labels[state]),
                step=step,
                rule=str(STEP_RULES.get(kind, "")),
                minimum=minimum,
                passed_minimum=passed,
            )
        )
    return timeline


@dataclass(frozen=True)
class Disclosure:
    """One of the two disclosures: a link only once the record is out."""

    state: str  # not_yet / in_review / returned / published / withdrawn
    state_label: str
    record_id: int | None
    url: str | None
    title: str
    published_at: dt.datetime | None

    @property
    def linked(self) -> bool:
        return self.url is not None


def disclosure_of(record: Record | None) -> Disclosure:
    if record is None:
        return Disclosure("not_yet", _("尚未公开"), None, None, "", None)
    if record.status == RecordStatus.IN_REVIEW:
        return Disclosure("in_review", _("公开信息正在审核，审核通过后发布"), None, None, "", None)
    if record.status == RecordStatus.DRAFT:
        return Disclosure("returned", _("公开信息已退回修改，修改后重新提交"), None, None, "", None)
    url = reverse("record", args=[record.pk])
    if record.status == RecordStatus.WITHDRAWN:
        return Disclosure(
            "withdrawn", _("已撤回"), record.pk, url, record.title, record.published_at
        )
    return Disclosure("published", _("已公开"), record.pk, url, record.title, record.published_at)


# --- Meetings -------------------------------------------------------------------------------


@dataclass
class MeetingFilter:
    region: str | None = None  # a subtree
    unit: int | None = None
    kind: str | None = None


def published_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(published_at__isnull=False)


def meetings_public(criteria: MeetingFilter) -> QuerySet[Meeting]:
    """Published meetings inside a place, most recent first, with their issue counts."""
    meetings = (
        published_meetings()
        .select_related("unit", "region")
        .annotate(
            issue_count=Count("issues"),
            open_count=Count("issues", filter=Q(issues__resolved_on__isnull=True)),
        )
    )
    if criteria.region:
        meetings = hierarchy.in_subtree(meetings, criteria.region)
    if criteria.unit:
        meetings = meetings.filter(unit_id=criteria.unit)
    if criteria.kind:
        meetings = meetings.filter(kind=criteria.kind)
    return meetings.order_by("-held_on", "-id")


# Names in the minutes are separated by new lines, 、，, commas or semicolons; a role in
# brackets after a name ("王建国（村民代表）") is kept, the given name is masked.
_NAME_SEPARATORS = re.compile(r"[\n\r、，,；;]+")
_NAME_WITH_ROLE = re.compile(r"^(?P<name>[^（(]+)(?P<role>[（(].*)$")


def mask_person(text: str) -> str:
    text = (text or "").strip()
    match = _NAME_WITH_ROLE.match(text)
    if match:
        return identity.mask_name(match["name"].strip()) + identity.public_text(match["role"])
    return identity.mask_name(text)


def masked_attendees(text: str) -> list[str]:
    return [mask_person(part) for part in _NAME_SEPARATORS.split(text or "") if part.strip()]


def _names_in(text: str) -> set[str]:
    """The bare names of a list of people (roles in brackets left out)."""
    names = set()
    for part in _NAME_SEPARATORS.split(text or ""):
        part = part.strip()
        match = _NAME_WITH_ROLE.match(part)
        name = match["name"].strip() if match else part
        if len(name) >= 2:  # a single character would mask ordinary words
            names.add(name)
    return names


def _mask_known(text: str, names: list[str]) -> str:
    """Minutes often name the people who spoke: every name the record itself lists
    (attendees, who raised an issue) is masked wherever it appears in its text, and
    phone, ID and e-mail are removed."""
    text = identity.public_text(text)
    for name in names:  # longest first, so 欧阳娜娜 goes before 欧阳
        text = text.replace(name, identity.mask_name(name))
    return text


@dataclass(frozen=True)
class PublicIssue:
    seq: int
    text: str
    raised_by: str
    follow_up: str
    due_on: dt.date | None
    resolved_on: dt.date | None
    resolution: str

    @property
    def resolved(self) -> bool:
        return self.resolved_on is not None

    @property
    def status(self) -> str:
        return "resolved" if self.resolved else "open"

    @property
    def status_label(self) -> str:
        return _("已解决") if self.resolved else _("跟进中")

    @classmethod
    def of(cls, issue: MeetingIssue, names: list[str] | None = None) -> PublicIssue:
        names = names or []
        return cls(
            seq=issue.seq,
            text=_mask_known(issue.text, names),
            raised_by=mask_person(issue.raised_by),
            follow_up=issue.follow_up,
            due_on=issue.due_on,
            resolved_on=issue.resolved_on,
            resolution=_mask_known(issue.resolution, names),
        )


@dataclass(frozen=True)
class PublicMeeting:
    """A published meeting as the public sees it: names masked, contact data removed."""

    pk: int
    kind: str
    kind_label: str
    title: str
    held_on: dt.date
    location: str
    unit_id: int
    unit_name: str
    region_code: str
    region_name: str
    attendee_count: int
    attendees: tuple[str, ...]
    summary: str
    issues: tuple[PublicIssue, ...]
    issue_count: int
    open_count: int
    published_at: dt.datetime

    @classmethod
    def of(cls, meeting: Meeting, *, detail: bool = False) -> PublicMeeting:
        """`detail`: the issues were prefetched and the attendees are wanted."""
        known = _names_in(meeting.attendees)
        if detail:
            known |= {n for i in meeting.issues.all() for n in _names_in(i.raised_by)}
        names = sorted(known, key=len, reverse=True)
        issues = tuple(PublicIssue.of(i, names) for i in meeting.issues.all()) if detail else ()
        issue_count = getattr(meeting, "issue_count", len(issues))
        open_count = getattr(meeting, "open_count", sum(1 for i in issues if not i.resolved))
        return cls(
            pk=meeting.pk,
            kind=meeting.kind,
            kind_label=str(MeetingKind(meeting.kind).label),
            title=_mask_known(meeting.title, names),
            held_on=meeting.held_on,
            location=_mask_known(meeting.location, names),
            unit_id=meeting.unit_id,
            unit_name=meeting.unit.name,
            region_code=meeting.region_id,
            region_name=meeting.region.name,
            attendee_count=meeting.attendee_count,
            attendees=tuple(masked_attendees(meeting.attendees)) if detail else (),
            summary=_mask_known(meeting.summary, names) if detail else "",
            issues=issues,
            issue_count=issue_count,
            open_count=open_count,
            published_at=meeting.published_at,
        )


def meeting_public(pk: int) -> PublicMeeting | None:
    meeting = (
        published_meetings()
        .select_related("unit", "region")
        .prefetch_related(Prefetch("issues", queryset=MeetingIssue.objects.order_by("seq")))
        .filter(pk=pk)
        .first()
    )
    return PublicMeeting.of(meeting, detail=True) if meeting else None
