"""Reconsiderations and lawsuits (table 4 of the annual report) about some of the demo's
refusals: filed within the time limits the reply letter names (60 days for a
reconsideration, six months for a lawsuit), decided some weeks or months later unless
still pending at now. Two are about 新津区人民政府's replies of 2025, so its report for
that year has a table 4 to show."""

from __future__ import annotations

import datetime as dt

from disclosure.models.requests import (
    Challenge,
    ChallengeKind,
    ChallengeResult,
    InfoRequestStatus,
    Outcome,
)
from disclosure.requests.demo import texts
from disclosure.requests.demo.context import Context
from disclosure.requests.demo.plan import Plan

CONTESTED = {
    Outcome.PARTIAL,
    Outcome.REFUSED_THIRD_PARTY,
    Outcome.REFUSED_PROCESS,
    Outcome.REFUSED_INTERNAL,
    Outcome.REFUSED_ENFORCEMENT,
    Outcome.UNABLE_NOT_HELD,
    Outcome.UNABLE_NEEDS_CREATION,
    Outcome.NOT_PROCESSED_REPEAT,
}
# (kind, intended result) of each challenge, in the order the requests are taken.
CHALLENGES = (
    (ChallengeKind.RECONSIDERATION, ChallengeResult.UPHELD),
    (ChallengeKind.RECONSIDERATION, ChallengeResult.CORRECTED),
    (ChallengeKind.RECONSIDERATION, ChallengeResult.UPHELD),
    (ChallengeKind.RECONSIDERATION, ChallengeResult.OTHER),
    (ChallengeKind.RECONSIDERATION, ChallengeResult.UPHELD),
    (ChallengeKind.RECONSIDERATION, ChallengeResult.UPHELD),
    (ChallengeKind.LITIGATION, ChallengeResult.UPHELD),
    (ChallengeKind.LITIGATION, ChallengeResult.CORRECTED),
    (ChallengeKind.LITIGATION_AFTER_RECONSIDERATION, ChallengeResult.UPHELD),
)
GOVERNMENT = "新津区人民政府"


def challenges_plan(ctx: Context, plans: list[Plan]) -> list[Challenge]:
    rng, today = ctx.rng, ctx.today
    replied = [
        p
        for p in plans
        if p.request.status == InfoRequestStatus.REPLIED and p.request.outcome in CONTESTED
    ]
    # 新津区人民政府's 2025 replies first (two of them), then any other.
    government = [p for p in replied if p.unit.name == GOVERNMENT and p.reply_day.year == 2025]
    chosen = rng.sample(government, min(2, len(government)))
    rest = [p for p in replied if p not in chosen]
    chosen += rng.sample(rest, min(len(CHALLENGES) - len(chosen), len(rest)))
    challenges = []
    for plan, (kind, result) in zip(chosen, CHALLENGES, strict=False):
        replied_on = plan.reply_day
        if kind == ChallengeKind.RECONSIDERATION:
            filed = replied_on + dt.timedelta(days=rng.randint(10, 55))
            decided = filed + dt.timedelta(days=rng.randint(40, 60))
            notes = texts.CHALLENGE_NOTES
        else:
            filed = replied_on + dt.timedelta(days=rng.randint(30, 170))
            decided = filed + dt.timedelta(days=rng.randint(80, 170))
            notes = texts.LITIGATION_NOTES
        if filed > today:
            continue
        if decided > today:
            result, decided = ChallengeResult.PENDING, None
        challenges.append(
            Challenge(
                unit_id=plan.unit.pk,
                request=plan.request,
                kind=kind,
                filed_on=filed,
                result=result,
                decided_on=decided,
                note=notes[result],
            )
        )
    return challenges
