"""The demo's participation: residents of 新津区 voting, evaluating their officials,
commenting on drafts and helping each other; villages recording 四议两公开 decisions and
meetings. Everything is drawn from `random.Random(f"{seed}:participation")`, so the same
seed, places and units give the same content; the few live items of 平岗社区 (an open
vote, an open evaluation round, an open solicitation) are placed around the moment the
demo is loaded, so the `resident` login always finds something to take part in.

The parts: `context` (the residents and officials), `votes`, `evaluations`,
`solicitations`, `decisions` (decisions and meetings), `mutual_aid`, and `texts` (what
people vote on, raise and ask for).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from participation.demo.context import context_build
from participation.demo.decisions import decisions_create, meetings_create
from participation.demo.evaluations import evaluations_create
from participation.demo.mutual_aid import aid_create
from participation.demo.solicitations import solicitations_create
from participation.demo.votes import votes_create
from participation.models import VotingBody
from portal.demo.geography import DEFAULT_SEED, PINGGANG_CODE
from portal.models import AuditAction
from portal.services.audit import audit_record

# Created with the rest in one transaction: it exists exactly when the demo does.
MARKER_BODY = "平岗社区居民代表会议"


@dataclass
class DemoParticipation:
    votes: int = 0
    rounds: int = 0
    solicitations: int = 0
    decisions: int = 0
    meetings: int = 0
    aid_posts: int = 0
    seconds: float = 0.0


def demo_is_loaded() -> bool:
    return VotingBody.objects.filter(region_id=PINGGANG_CODE, name=MARKER_BODY).exists()


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, now: dt.datetime | None = None) -> DemoParticipation:
    """The demo's participation, unless it is there. Called by portal.demo.loader through
    settings.PORTAL_DEMO_LOADERS, after the places, units, logins, calendar, records and
    letters."""
    started = time.monotonic()
    if demo_is_loaded():
        return DemoParticipation(seconds=time.monotonic() - started)
    ctx = context_build(seed=seed, now=now or timezone.now())
    result = DemoParticipation(
        votes=votes_create(ctx),
        rounds=evaluations_create(ctx),
        solicitations=solicitations_create(ctx),
        decisions=decisions_create(ctx),
        meetings=meetings_create(ctx),
        aid_posts=aid_create(ctx),
    )
    body = VotingBody.objects.get(region_id=PINGGANG_CODE, name=MARKER_BODY)
    # One audit row for the bulk part (ballots, ratings, opinions, meetings, posts); the
    # votes, rounds, solicitations and decisions wrote their own through the services.
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=body,
        changes={"aid_posts": [0, result.aid_posts], "meetings": [0, result.meetings]},
        note="演示数据：公众参与",
    )
    result.seconds = time.monotonic() - started
    return result
