"""Every write of a village decision under 四议两公开.

A decision walks four steps in STEP_ORDER. Each step is checked here before it is
written, and refused in words the official understands; the CHECK constraints of
DecisionStep (two thirds at the 党员大会, the resolution meeting's quorum, a pass needs
more than half of those present) are the last line of defence, not the message.

A rejected step ends the decision; a passed resolution resolves it. Then the two
disclosures are published as records of the village's standard catalog through the
disclosure services, so review, audit, search and feeds all apply to them.

A resolution may be taken by a closed portal vote of the same unit. The rule for
reading it: option 1 is 赞成, option 2 is 反对, and everything else counted in the
turnout (other options, invalid paper ballots) is 弃权; 应到 is the vote's frozen
eligible_count, 实到 its turnout (online and paper ballots).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html, linebreaks
from django.utils.translation import gettext as _

from disclosure import catalogs
from disclosure import services as disclosure
from disclosure.models import CatalogItem, Record, RecordStatus
from participation.models import (
    STEP_ORDER,
    BodyKind,
    Decision,
    DecisionCategory,
    DecisionStatus,
    DecisionStep,
    Eligibility,
    Outcome,
    ResolutionMeeting,
    StepKind,
    Vote,
    VoteStatus,
)
from participation.permissions import can_run_decisions
from portal.models import AuditAction, Unit
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import DomainError

# The village catalog items the two disclosures are published under (village.yaml).
DECISION_ITEM = "“四议两公开”决议事项和决策过程"
RESULT_ITEM = "“四议两公开”实施结果"
# Published records are written in the portal's language, whatever the official's.
RECORD_LANGUAGE = "zh-hans"

STEP_FIELDS = [
    "kind",
    "held_on",
    "expected",
    "attended",
    "votes_for",
    "votes_against",
    "abstained",
    "meeting",
    "vote_id",
    "outcome",
    "note",
]
# The steps at which those present vote (their counts are required).
VOTED_STEPS = (StepKind.PARTY_REVIEW, StepKind.RESOLUTION)


# --- The thresholds, one place for the service, the pages and the admin ----------------


def two_thirds(expected: int) -> int:
    """The fewest who make two thirds of `expected` (rounded up)."""
    return (2 * expected + 2) // 3


def more_than_half(count: int) -> int:
    """The fewest who make more than half of `count`."""
    return count // 2 + 1


def attendance_minimum(kind: str, meeting: str, expected: int) -> int:
    """How many must attend for the step to count."""
    if kind == StepKind.PARTY_REVIEW:
        return two_thirds(expected)
    if kind == StepKind.RESOLUTION:
        if meeting == ResolutionMeeting.VILLAGERS:
            return more_than_half(expected)
        return two_thirds(expected)
    return 1


def next_step_kind(decision: Decision) -> StepKind | None:
    """The step to record next, or None when all four are recorded."""
    done = set(decision.steps.values_list("kind", flat=True))
    return next((kind for kind in STEP_ORDER if kind not in done), None)


# --- Helpers ------------------------------------------------------------------------------


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("unit").get(pk=decision.pk)


def _require_runner(decision_or_unit: Any, actor: Any) -> None:
    unit = decision_or_unit if isinstance(decision_or_unit, Unit) else decision_or_unit.unit
    if not can_run_decisions(actor, unit):
        raise DomainError(_("只有本村（社区）的工作人员可以办理“四议两公开”事项。"))


def _today() -> dt.date:
    return timezone.localdate()


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _catalog_item(unit: Unit, level2: str) -> CatalogItem:
    item = catalogs.items_for_unit(unit).filter(level2=level2).first()
    if item is None:
        raise DomainError(_("本单位的标准目录中没有“%(item)s”事项，无法公开。") % {"item": level2})
    return item


def _record_title(pattern: str, title: str) -> str:
    """ "关于……的决议公开", shortened so it fits a record's title (200 characters)."""
    room = 200 - len(pattern % {"title": ""})
    if len(title) > room:
        title = title[: room - 1] + "…"
    return pattern % {"title": title}


# --- Creating a decision ----------------------------------------------------------------


@transaction.atomic
def decision_create(
    *,
    unit: Unit,
    title: str,
    matter: str,
    category: str,
    actor: Any,
    amount: Decimal | None = None,
) -> Decision:
    """Start a decision (it is public from now on: the process is the point)."""
    if unit is None:
        raise ValidationError({"unit": [_("请选择村（居）民委员会。")]})
    _require_runner(unit, actor)
    errors: dict[str, list[str]] = {}
    if not unit.is_active:
        _add(errors, "unit", _("该单位已停用。"))
    title, matter = (title or "").strip(), (matter or "").strip()
    if not title:
        _add(errors, "title", _("请填写决策事项。"))
    elif len(title) > 200:
        _add(errors, "title", _("决策事项不能超过200个字。"))
    if not matter:
        _add(errors, "matter", _("请填写事项内容。"))
    if category not in DecisionCategory.values:
        _add(errors, "category", _("请选择事项类别。"))
    if amount is not None and amount < 0:
        _add(errors, "amount", _("涉及金额不能为负数。"))
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        unit=unit,
        region_id=unit.region_id,
        created_by=actor,
        title=title,
        matter=matter,
        category=category,
        amount=amount,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=decision,
        changes=diff({}, snapshot(decision, ["title", "matter", "category", "amount"])),
    )
    return decision


# --- Recording a step ---------------------------------------------------------------------


@dataclass(frozen=True)
class VoteTally:
    """What a closed vote says about a resolution."""

    expected: int
    attended: int
    votes_for: int
    votes_against: int
    abstained: int
    closed_on: dt.date
    meeting: str


FOR_WORDS = ("赞成", "同意")
AGAINST_WORDS = ("反对", "不同意", "不赞成")


def _says_for(text: str) -> bool:
    return any(w in text for w in FOR_WORDS) and not any(w in text for w in AGAINST_WORDS)


def _says_against(text: str) -> bool:
    return any(w in text for w in AGAINST_WORDS)


def vote_tally(vote: Vote, decision: Decision) -> VoteTally:
    """Read a closed vote of the decision's unit as a resolution, or say what is wrong
    (ValidationError on "vote")."""

    def refuse(message: str) -> ValidationError:
        return ValidationError({"vote": [message]})

    if vote.unit_id != decision.unit_id:
        raise refuse(_("只能关联本村（社区）组织的投票。"))
    if vote.status != VoteStatus.CLOSED:
        raise refuse(_("关联的投票尚未结束，结束后才能作为决议结果。"))
    if vote.multiple:
        raise refuse(_("可多选的投票不能作为决议表决。"))
    if not vote.eligible_count:
        raise refuse(_("该投票没有确定的投票资格人数，不能作为决议表决。"))
    result = vote.result or {}
    # Vote.result is the tally frozen at closing (participation.selectors.votes.Tally):
    # "turnout" counts every ballot, online and paper (invalid paper ballots included).
    turnout = result.get("turnout")
    if not isinstance(turnout, int):
        raise refuse(_("该投票的结果尚未统计。"))
    options = list(vote.options.order_by("seq"))
    if len(options) < 2 or not (_says_for(options[0].text) and _says_against(options[1].text)):
        raise refuse(
            _(
                "关联投票的第1个选项应为“赞成（同意）”，第2个选项应为“反对（不同意）”，其余计为弃权。"
            )
        )
    totals = {row.get("id"): row.get("total", 0) for row in result.get("options", [])}
    votes_for, votes_against = totals.get(options[0].pk, 0), totals.get(options[1].pk, 0)
    if turnout > vote.eligible_count or votes_for + votes_against > turnout:
        raise refuse(_("该投票的计票结果与投票资格人数不符，请先核对投票结果。"))
    if DecisionStep.objects.filter(vote=vote).exclude(decision=decision).exists():
        raise refuse(_("该投票已作为其他事项的决议。"))
    by_body = vote.eligibility == Eligibility.BODY and vote.body.kind == BodyKind.REPRESENTATIVES
    return VoteTally(
        expected=vote.eligible_count,
        attended=turnout,
        votes_for=votes_for,
        votes_against=votes_against,
        abstained=turnout - votes_for - votes_against,
        closed_on=timezone.localdate(vote.closed_at or vote.closes_at),
        meeting=ResolutionMeeting.REPRESENTATIVES if by_body else ResolutionMeeting.VILLAGERS,
    )


def step_errors(
    *,
    decision: Decision,
    kind: str,
    held_on: dt.date | None,
    expected: int | None,
    attended: int | None,
    outcome: str,
    votes_for: int | None,
    votes_against: int | None,
    abstained: int | None,
    meeting: str,
) -> dict[str, list[str]]:
    """Everything wrong with this step, in the order an official would fix it."""
    errors: dict[str, list[str]] = {}
    steps = {step.kind: step for step in decision.steps.all()}
    expected_kind = next((k for k in STEP_ORDER if k not in steps), None)
    if kind not in StepKind.values:
        _add(errors, "kind", _("请选择决策环节。"))
        return errors
    if expected_kind is None:
        _add(errors, "kind", _("四个环节均已记录。"))
        return errors
    if kind != expected_kind:
        _add(
            errors,
            "kind",
            _("下一个环节是“%(next)s”，四个环节须按顺序记录。")
            % {"next": StepKind(expected_kind).label},
        )
        return errors
    label = StepKind(kind).label
    previous = steps.get(STEP_ORDER[STEP_ORDER.index(kind) - 1]) if kind != STEP_ORDER[0] else None
    if held_on is None:
        _add(errors, "held_on", _("请填写会议日期。"))
    elif held_on > _today():
        _add(errors, "held_on", _("会议日期不能晚于今天。"))
    elif previous is not None and held_on < previous.held_on:
        _add(
            errors,
            "held_on",
            _("会议日期不能早于上一环节（%(step)s，%(date)s）。")
            % {"step": previous.get_kind_display(), "date": previous.held_on.isoformat()},
        )
    if kind == StepKind.RESOLUTION:
        if meeting not in ResolutionMeeting.values:
            _add(errors, "meeting", _("请选择决议会议：村（居）民会议或村（居）民代表会议。"))
    elif meeting:
        _add(errors, "meeting", _("只有村民（代表）会议决议环节填写决议会议。"))
    if expected is None or expected < 1:
        _add(errors, "expected", _("应到人数至少为1人。"))
    if attended is None or attended < 1:
        _add(errors, "attended", _("实到人数至少为1人。"))
    elif expected and attended > expected:
        _add(errors, "attended", _("实到人数不能超过应到人数。"))
    elif expected and "meeting" not in errors:
        minimum = attendance_minimum(kind, meeting, expected)
        if attended < minimum:
            if kind == StepKind.PARTY_REVIEW:
                message = _("党员大会应到%(expected)d人，实到须不少于%(minimum)d人（三分之二）。")
            elif meeting == ResolutionMeeting.VILLAGERS:
                message = _("村民会议应到%(expected)d人，实到须超过半数（不少于%(minimum)d人）。")
            else:
                message = _(
                    "村民代表会议应到%(expected)d人，实到须不少于%(minimum)d人（三分之二）。"
                )
            _add(errors, "attended", message % {"expected": expected, "minimum": minimum})
    if outcome not in Outcome.values:
        _add(errors, "outcome", _("请选择结果：通过或未通过。"))
    counts = {"votes_for": votes_for, "votes_against": votes_against, "abstained": abstained}
    given = {name: value for name, value in counts.items() if value is not None}
    missing_message = {
        "votes_for": _("请填写赞成票数。"),
        "votes_against": _("请填写反对票数。"),
        "abstained": _("请填写弃权票数。"),
    }
    if kind in VOTED_STEPS or given:
        # 党员大会 and the resolution vote; the first two steps may record votes too,
        # but then all three numbers.
        for name in counts:
            if name not in given:
                _add(errors, name, missing_message[name])
        for name, value in given.items():
            if value < 0:
                _add(errors, name, _("票数不能为负数。"))
    votes_complete = len(given) == 3 and not any(
        name in errors for name in (*counts, "attended", "expected")
    )
    if votes_complete and attended is not None:
        total = votes_for + votes_against + abstained
        if total > attended:
            _add(
                errors,
                "abstained",
                _("赞成、反对、弃权合计%(total)d票，不能超过实到人数（%(attended)d人）。")
                % {"total": total, "attended": attended},
            )
        elif outcome == Outcome.PASSED and votes_for < more_than_half(attended):
            _add(
                errors,
                "votes_for",
                _("通过须经实到人数的过半数赞成：实到%(attended)d人，赞成须不少于%(minimum)d票。")
                % {"attended": attended, "minimum": more_than_half(attended)},
            )
        elif outcome == Outcome.REJECTED and votes_for >= more_than_half(attended):
            _add(
                errors,
                "outcome",
                _("赞成票已超过实到人数的半数，%(step)s的结果应为通过。") % {"step": label},
            )
    return errors


@transaction.atomic
def decision_step_record(
    *,
    decision: Decision,
    kind: str,
    held_on: dt.date | None,
    expected: int | None,
    attended: int | None,
    outcome: str,
    actor: Any,
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstained: int | None = None,
    meeting: str = "",
    vote: Vote | None = None,
    note: str = "",
) -> DecisionStep:
    """Record the next of the four steps. A rejected step ends the decision; a passed
    resolution resolves it. With `vote` (resolution only) the attendance and the counts
    are read from the closed vote, not typed."""
    decision = _locked(decision)
    _require_runner(decision, actor)
    if decision.status == DecisionStatus.REJECTED:
        raise DomainError(_("该事项未获通过，议决程序已经结束。"))
    if decision.status != DecisionStatus.IN_PROGRESS:
        raise DomainError(_("该事项已形成决议，不能再记录决策环节。"))
    meeting = meeting or ""
    if vote is not None:
        if kind != StepKind.RESOLUTION:
            raise ValidationError({"vote": [_("只有村民（代表）会议决议环节可以关联投票。")]})
        tally = vote_tally(vote, decision)
        if held_on is not None and held_on < tally.closed_on:
            raise ValidationError(
                {
                    "held_on": [
                        _("决议日期不能早于投票结束日期（%(date)s）。")
                        % {"date": tally.closed_on.isoformat()}
                    ]
                }
            )
        expected, attended = tally.expected, tally.attended
        votes_for, votes_against, abstained = tally.votes_for, tally.votes_against, tally.abstained
        meeting = meeting or tally.meeting
    errors = step_errors(
        decision=decision,
        kind=kind,
        held_on=held_on,
        expected=expected,
        attended=attended,
        outcome=outcome,
        votes_for=votes_for,
        votes_against=votes_against,
        abstained=abstained,
        meeting=meeting,
    )
    if errors:
        raise ValidationError(errors)
    step = DecisionStep.objects.create(
        decision=decision,
        kind=kind,
        held_on=held_on,
        expected=expected,
        attended=attended,
        votes_for=votes_for,
        votes_against=votes_against,
        abstained=abstained,
        meeting=meeting,
        vote=vote,
        outcome=outcome,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=step,
        unit=decision.unit,
        changes=diff({}, snapshot(step, STEP_FIELDS)),
    )
    before = decision.status
    if outcome == Outcome.REJECTED:
        decision.status = DecisionStatus.REJECTED
    elif kind == StepKind.RESOLUTION:
        decision.status = DecisionStatus.RESOLVED
    if decision.status != before:
        decision.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=decision,
            changes={"status": [before, decision.status]},
        )
    return step


# --- The two disclosures (两公开) ----------------------------------------------------------


def _steps_table(decision: Decision) -> str:
    rows = []
    for step in decision.steps.order_by("held_on", "id"):
        name = step.get_kind_display()
        if step.meeting:
            name = f"{name}（{step.get_meeting_display()}）"
        if step.votes_for is None:
            votes = "—"
        else:
            votes = _("赞成%(for)d，反对%(against)d，弃权%(abstained)d") % {
                "for": step.votes_for,
                "against": step.votes_against,
                "abstained": step.abstained,
            }
            if step.vote_id:
                votes += _("（网上投票）")
        rows.append(
            format_html(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                name,
                step.held_on.isoformat(),
                step.expected,
                step.attended,
                votes,
                step.get_outcome_display(),
            )
        )
    return format_html(
        "<table><caption>{}</caption><thead><tr>"
        + "<th>{}</th>" * 6
        + "</tr></thead><tbody>{}</tbody></table>",
        _("决策过程"),
        _("环节"),
        _("日期"),
        _("应到人数"),
        _("实到人数"),
        _("表决情况"),
        _("结果"),
        "".join(rows),
    )


def decision_record_body(decision: Decision) -> str:
    """The decision as published: what was decided and how, step by step."""
    parts = [
        format_html("<h2>{}</h2>", _("决议事项")),
        format_html("<p>{}</p>", decision.title),
        linebreaks(decision.matter, autoescape=True),
        format_html("<p>{}：{}</p>", _("事项类别"), DecisionCategory(decision.category).label),
    ]
    if decision.amount is not None:
        parts.append(format_html("<p>{}：{} 元</p>", _("涉及金额"), f"{decision.amount:,.2f}"))
    parts += [
        format_html("<h2>{}</h2>", _("决策过程")),
        _steps_table(decision),
        format_html(
            "<p>{}</p>",
            _(
                "党员大会到会须达应到人数的三分之二；村民会议到会须超过半数，"
                "村民代表会议到会须达三分之二；表决通过须经到会人员的过半数同意。"
            ),
        ),
    ]
    return "".join(str(part) for part in parts)


def _disclose(
    decision: Decision,
    *,
    field: str,
    status: str,
    level2: str,
    title: str,
    body: str,
    info_date: dt.date,
    actor: Any,
) -> Decision:
    """One of the two disclosures: create the record under the village's catalog item and
    submit it (published at once, or waiting for the unit's reviewer), link it from the
    decision's `field` and move the decision on to `status`."""
    before = decision.status
    record = disclosure.record_create(
        unit=decision.unit,
        item=_catalog_item(decision.unit, level2),
        title=title,
        body=body,
        info_date=info_date,
        actor=actor,
    )
    record = disclosure.record_submit(record=record, actor=actor)
    setattr(decision, field, record)
    decision.status = status
    decision.save(update_fields=[field, "status"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=decision,
        changes={"status": [before, status], field: [None, str(record.pk)]},
    )
    return decision


@transaction.atomic
def decision_publish(*, decision: Decision, actor: Any) -> Decision:
    """决议公开: publish the resolved decision with its four steps."""
    decision = _locked(decision)
    _require_runner(decision, actor)
    if decision.status != DecisionStatus.RESOLVED:
        if decision.status in (DecisionStatus.PUBLISHED, DecisionStatus.DONE):
            raise DomainError(_("该决议已经公开。"))
        raise DomainError(_("事项形成决议（村民（代表）会议通过）后才能公开。"))
    resolution = decision.steps.get(kind=StepKind.RESOLUTION)
    with translation.override(RECORD_LANGUAGE):
        title = _record_title(_("关于%(title)s的决议公开"), decision.title)
        body = decision_record_body(decision)
    return _disclose(
        decision,
        field="decision_record",
        status=DecisionStatus.PUBLISHED,
        level2=DECISION_ITEM,
        title=title,
        body=body,
        info_date=resolution.held_on,
        actor=actor,
    )


@transaction.atomic
def decision_result_publish(
    *, decision: Decision, text: str, actor: Any, completed_on: dt.date | None
) -> Decision:
    """实施结果公开: publish how the decision was carried out, after the decision itself
    has been published."""
    decision = _locked(decision)
    _require_runner(decision, actor)
    if decision.status == DecisionStatus.DONE:
        raise DomainError(_("该事项的实施结果已经公开。"))
    if decision.status != DecisionStatus.PUBLISHED:
        raise DomainError(_("决议公开后才能公开实施结果。"))
    published = Record.objects.get(pk=decision.decision_record_id)
    if published.status != RecordStatus.PUBLISHED:
        raise DomainError(
            _("决议公开信息当前为“%(status)s”，发布后才能公开实施结果。")
            % {"status": published.get_status_display()}
        )
    resolution = decision.steps.get(kind=StepKind.RESOLUTION)
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        _add(errors, "text", _("请填写实施结果。"))
    if completed_on is None:
        _add(errors, "completed_on", _("请填写完成日期。"))
    elif completed_on > _today():
        _add(errors, "completed_on", _("完成日期不能晚于今天。"))
    elif completed_on < resolution.held_on:
        _add(
            errors,
            "completed_on",
            _("完成日期不能早于决议日期（%(date)s）。") % {"date": resolution.held_on.isoformat()},
        )
    if errors:
        raise ValidationError(errors)
    with translation.override(RECORD_LANGUAGE):
        title = _record_title(_("关于%(title)s的实施结果公开"), decision.title)
        body = "".join(
            str(part)
            for part in (
                format_html(
                    '<p>{}：<a href="{}">{}</a></p>',
                    _("决议公开"),
                    reverse("record", args=[published.pk]),
                    published.title,
                ),
                format_html("<p>{}：{}</p>", _("完成日期"), completed_on.isoformat()),
                format_html("<h2>{}</h2>", _("实施结果")),
                linebreaks(escape(text)),
            )
        )
    return _disclose(
        decision,
        field="result_record",
        status=DecisionStatus.DONE,
        level2=RESULT_ITEM,
        title=title,
        body=body,
        info_date=completed_on,
        actor=actor,
    )
