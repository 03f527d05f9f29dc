"""四议两公开 decisions and meeting records of the demo, for the villages of 新津区.

Decisions go through the decision services step by step, recorded by the village's own
official; the two disclosures are records of the village catalog, submitted for review
and approved by the platform admin (the demo's reviewer), then dated to when they would
have gone out. A few decisions fail at the party meeting or the resolution; 平岗社区 has
one carried out, one published and one halfway, for the timeline.

Meetings (representatives' meetings, councils, supervisory committee meetings and
evening talks) are written in bulk with the issues raised, who follows each up, and when
it was resolved; their rules (attendees named, resolved on or after the meeting with a
note) are the meeting services' own.
"""

from __future__ import annotations

import datetime as dt
import math

from disclosure.models import Record
from disclosure.services import record_approve
from participation.demo.context import Context, Village
from participation.demo.texts import (
    DECISION_TOPICS,
    MEETING_ISSUES,
    MEETING_TITLES,
    RESOLUTIONS,
    RESULT_TEXTS,
)
from participation.models import (
    Decision,
    Meeting,
    MeetingIssue,
    MeetingKind,
    Outcome,
    ResolutionMeeting,
    StepKind,
)
from participation.services import decisions as services

FIRST_DAY = dt.date(2025, 2, 1)
LAST_DAY = dt.date(2026, 10, 20)


def _votes(ctx: Context, attended: int, passed: bool) -> tuple[int, int, int]:
    half = attended // 2 + 1
    if passed:
        votes_for = ctx.rng.randint(max(half, round(attended * 0.8)), attended)
    else:
        votes_for = ctx.rng.randint(round(attended * 0.25), half - 1)
    against = ctx.rng.randint(0, attended - votes_for)
    return votes_for, against, attended - votes_for - against


def _record(decision: Decision, kind: str, held_on: dt.date, *, actor, passed=True, ctx) -> bool:
    """Record one step; returns whether it passed."""
    expected = {
        StepKind.PROPOSAL: 5,
        StepKind.CONSULTATION: 9,
        StepKind.PARTY_REVIEW: ctx.rng.randrange(30, 90),
        StepKind.RESOLUTION: ctx.rng.randrange(28, 56),
    }[kind]
    floor = math.ceil(expected * 2 / 3)
    attended = expected if kind == StepKind.PROPOSAL else ctx.rng.randint(floor, expected)
    voted = kind in (StepKind.PARTY_REVIEW, StepKind.RESOLUTION)
    votes = _votes(ctx, attended, passed) if voted else (None, None, None)
    services.decision_step_record(
        decision=decision,
        kind=kind,
        held_on=held_on,
        expected=expected,
        attended=attended,
        outcome=Outcome.PASSED if passed else Outcome.REJECTED,
        votes_for=votes[0],
        votes_against=votes[1],
        abstained=votes[2],
        meeting=ResolutionMeeting.REPRESENTATIVES if kind == StepKind.RESOLUTION else "",
        note="会议记录和签到表存村（居）委会档案。",
        actor=actor,
    )
    return passed


def _approve(ctx: Context, record_id: int, published_on: dt.date) -> None:
    record = record_approve(record=Record.objects.get(pk=record_id), actor=ctx.admin)
    moment = ctx.at(published_on, 10)
    Record.objects.filter(pk=record.pk).update(submitted_at=moment, published_at=moment)


def _decision(ctx: Context, village: Village, start: dt.date, *, steps: int = 4) -> Decision:
    title, matter, category, amount = ctx.rng.choice(DECISION_TOPICS)
    words = {
        "group": f"{ctx.rng.randrange(1, 9)}组",
        "length": ctx.rng.randrange(6, 30) * 50,
        "count": ctx.rng.randrange(12, 40),
        "area": ctx.rng.randrange(5, 30),
    }
    actor = village.official
    decision = services.decision_create(
        unit=village.committee,
        title=title.format(**words),
        matter=matter.format(**words),
        category=category,
        amount=amount,
        actor=actor,
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=ctx.at(start, 8))
    failing = ctx.rng.random() < 0.06
    day = start
    for index, kind in enumerate(
        [StepKind.PROPOSAL, StepKind.CONSULTATION, StepKind.PARTY_REVIEW, StepKind.RESOLUTION][
            :steps
        ]
    ):
        day += dt.timedelta(days=0 if index == 0 else ctx.rng.randrange(3, 12))
        passed = not (failing and index >= 2 and ctx.rng.random() < 0.6)
        _record(decision, kind, day, actor=actor, passed=passed, ctx=ctx)
        if not passed:
            return decision
    if steps < 4:
        return decision
    decision = services.decision_publish(decision=decision, actor=actor)
    published_on = min(day + dt.timedelta(days=2), ctx.today)
    _approve(ctx, decision.decision_record_id, published_on)
    completed = day + dt.timedelta(days=ctx.rng.randrange(30, 120))
    if completed < ctx.today - dt.timedelta(days=5):
        text = RESULT_TEXTS[category].format(
            date=completed.strftime("%Y年%-m月%-d日"),
            spent=f"{round((amount or 50_000) * ctx.rng.uniform(0.86, 0.99)):,}",
            rate=ctx.rng.randrange(88, 100),
        )
        decision = services.decision_result_publish(
            decision=decision, text=text, actor=actor, completed_on=completed
        )
        _approve(ctx, decision.result_record_id, completed + dt.timedelta(days=3))
    return decision


def decisions_create(ctx: Context) -> int:
    """One decision in each village of 新津区, three in 平岗社区; returns how many."""
    span = (LAST_DAY - FIRST_DAY).days
    created = 0
    for village in ctx.villages:
        if village is ctx.pinggang:
            continue
        _decision(ctx, village, FIRST_DAY + dt.timedelta(days=ctx.rng.randrange(span)))
        created += 1
    village = ctx.pinggang
    _decision(ctx, village, dt.date(2025, 9, 3))
    _decision(ctx, village, ctx.today - dt.timedelta(days=40))
    _decision(ctx, village, ctx.today - dt.timedelta(days=12), steps=2)
    return created + 3


def meetings_create(ctx: Context) -> int:
    """Three meeting records in each village of 新津区 over 2026; returns how many."""
    kinds = list(MeetingKind)
    meetings, issues_of = [], []
    for village in ctx.villages:
        for number, kind in enumerate(ctx.rng.sample(kinds, 3), start=1):
            held_on = dt.date(2026, 1, 10) + dt.timedelta(days=ctx.rng.randrange(300))
            people = ctx.rng.sample(
                village.residents, min(len(village.residents), ctx.rng.randrange(6, 12))
            )
            attendees = "、".join(user.full_name for user in people)
            title = MEETING_TITLES[kind].format(
                place=village.region.name,
                number=number + 2,
                month=held_on.month,
                group=f"{ctx.rng.randrange(1, 9)}组院坝",
            )
            meetings.append(
                Meeting(
                    unit=village.committee,
                    region=village.region,
                    created_by=village.official,
                    kind=kind,
                    title=title,
                    held_on=held_on,
                    location=f"{village.region.name}党群服务中心",
                    attendees=attendees,
                    attendee_count=len(people),
                    summary="会议听取了近期工作情况，围绕群众反映的问题逐一商量了解决办法。",
                    published_at=ctx.at(min(held_on + dt.timedelta(days=2), ctx.today), 17),
                )
            )
            raised = ctx.rng.sample(MEETING_ISSUES, ctx.rng.randint(1, 3))
            issues_of.append(
                [(text, follow_up, ctx.rng.choice(people).full_name) for text, follow_up in raised]
            )
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    issues = []
    for meeting, raised in zip(meetings, issues_of, strict=True):
        for seq, (text, follow_up, raised_by) in enumerate(raised, start=1):
            resolved_on = meeting.held_on + dt.timedelta(days=ctx.rng.randrange(3, 40))
            done = resolved_on <= ctx.today and ctx.rng.random() < 0.75
            issues.append(
                MeetingIssue(
                    meeting=meeting,
                    seq=seq,
                    text=text,
                    raised_by=raised_by,
                    follow_up=follow_up,
                    due_on=meeting.held_on + dt.timedelta(days=30),
                    resolved_on=resolved_on if done else None,
                    resolution=ctx.rng.choice(RESOLUTIONS) if done else "",
                )
            )
    MeetingIssue.objects.bulk_create(issues, batch_size=2000)
    for meeting in meetings:
        meeting.created_at = meeting.published_at
    Meeting.objects.bulk_update(meetings, ["created_at"], batch_size=1000)
    return len(meetings)
