"""Shared set-up of the decision and meeting tests (no tests here): an official of another
village, a decision walked through its steps, and a closed portal vote as the votes
module leaves it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from participation.models import (
    Decision,
    Eligibility,
    Outcome,
    ResolutionMeeting,
    StepKind,
    Vote,
    VoteOption,
    VoteStatus,
)
from participation.services import decisions as services
from portal.models import MembershipRole
from portal.services import people
from tests.factories import UserFactory


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def other_village_official(geo, personas):
    """An editor of 和平社区居委会 (another county's village committee)."""
    user = UserFactory(username="other_village_official", full_name="周敏")
    people.membership_grant(
        user=user,
        unit=geo.other_village_committee,
        role=MembershipRole.EDITOR,
        actor=personas.platform_admin,
    )
    user.refresh_from_db()
    return user


def start(geo, personas, title="平岗社区文化广场改造") -> Decision:
    return services.decision_create(
        unit=geo.village_committee,
        title=title,
        matter="拟使用村级公益事业专项资金改造文化广场，新增健身器材和照明。",
        category="project",
        amount=186000,
        actor=personas.village_official,
    )


# The four steps as a village records them; dates count back from today.
STEPS = {
    StepKind.PROPOSAL: {"held_on": 40, "expected": 7, "attended": 7},
    StepKind.CONSULTATION: {"held_on": 35, "expected": 9, "attended": 9},
    StepKind.PARTY_REVIEW: {
        "held_on": 30,
        "expected": 45,
        "attended": 32,
        "votes_for": 30,
        "votes_against": 1,
        "abstained": 1,
    },
    StepKind.RESOLUTION: {
        "held_on": 25,
        "expected": 60,
        "attended": 48,
        "votes_for": 41,
        "votes_against": 4,
        "abstained": 3,
        "meeting": ResolutionMeeting.REPRESENTATIVES,
    },
}


def record(decision, actor, kind, **overrides):
    fields = {**STEPS[kind], "outcome": Outcome.PASSED, **overrides}
    if isinstance(fields["held_on"], int):
        fields["held_on"] = days_ago(fields["held_on"])
    return services.decision_step_record(decision=decision, kind=kind, actor=actor, **fields)


def walk(decision, actor, upto=StepKind.RESOLUTION) -> Decision:
    """Record the steps in order, all passed, up to and including `upto`."""
    for kind in list(StepKind)[: list(StepKind).index(upto) + 1]:
        record(decision, actor, kind)
    decision.refresh_from_db()
    return decision


def closed_vote(
    geo,
    personas,
    *,
    unit=None,
    body=None,
    texts=("赞成", "反对", "弃权"),
    totals=(40, 5, 3),
    turnout=50,
    eligible=60,
    status=VoteStatus.CLOSED,
    closed_days_ago=26,
    multiple=False,
) -> Vote:
    """A vote as the votes module leaves it when it closes: status closed, the eligible
    count frozen and the tally kept in `result` (participation.selectors.votes.Tally)."""
    unit = unit or geo.village_committee
    closed_at = timezone.now() - dt.timedelta(days=closed_days_ago)
    vote = Vote.objects.create(
        unit=unit,
        region_id=unit.region_id,
        created_by=personas.village_official,
        title="文化广场改造方案表决",
        opens_at=closed_at - dt.timedelta(days=3),
        closes_at=closed_at,
        eligibility=Eligibility.BODY if body else Eligibility.RESIDENTS,
        body=body,
        electorate_region_id=None if body else unit.region_id,
        multiple=multiple,
        max_choices=len(texts) if multiple else 1,
        status=status,
        published_at=closed_at - dt.timedelta(days=3),
        closed_at=closed_at if status == VoteStatus.CLOSED else None,
        eligible_count=eligible,
    )
    options = [VoteOption.objects.create(vote=vote, seq=i, text=t) for i, t in enumerate(texts, 1)]
    vote.result = {
        "options": [
            {
                "id": option.pk,
                "seq": option.seq,
                "text": option.text,
                "online": total,
                "paper": 0,
                "total": total,
                "share": None,
            }
            for option, total in zip(options, totals, strict=True)
        ],
        "online_ballots": turnout,
        "paper_ballots": 0,
        "paper_invalid": 0,
        "eligible": eligible,
        "quorum": "half",
        "quorum_required": None if eligible is None else eligible // 2 + 1,
        "final": True,
        "turnout": turnout,
        "valid_ballots": turnout,
        "turnout_rate": None,
        "quorum_met": True,
    }
    vote.save(update_fields=["result"])
    return vote
