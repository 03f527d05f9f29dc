"""Shared set-up of the evaluation tests (this module holds no tests).

Rounds are made and run through participation.services.evaluations with explicit
instants, so a round can lie in the past (ended, closed) or around the real clock (open,
for the pages and the API, which read timezone.now())."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from participation.models import Eligibility, EvaluationRound, EvaluationSubject
from participation.services import evaluations as services
from tests.factories import UserFactory

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def cadre(username: str, full_name: str):
    """A village official evaluated by name: a portal user (no role needed)."""
    return UserFactory(username=username, full_name=full_name)


def make_round(
    geo,
    personas,
    *,
    year: int = 2026,
    opens: dt.datetime | None = None,
    closes: dt.datetime | None = None,
    subjects: list[dict] | None = None,
    publish: bool = True,
    title: str | None = None,
    unit=None,
    actor=None,
    **electorate,
) -> EvaluationRound:
    """A round of 平岗社区居委会 open to the village's verified residents, with the given
    subjects (keyword arguments of services.subject_add), published the day before it
    opens unless publish=False. Without dates it is open now for a week."""
    now = timezone.now()
    opens = opens or now - dt.timedelta(days=1)
    closes = closes or now + dt.timedelta(days=7)
    actor = actor or personas.village_official
    electorate = electorate or {
        "eligibility": Eligibility.RESIDENTS,
        "electorate_region": geo.village,
    }
    round = services.round_create(
        unit=unit or geo.village_committee,
        title=title or f"平岗社区{year}年度村（社区）干部民主评议",
        year=year,
        opens_at=opens,
        closes_at=closes,
        description="请对社区“两委”成员和便民服务中心一年来的工作作出评价。",
        actor=actor,
        **electorate,
    )
    if subjects is None:
        subjects = [{"kind": "service", "identifier": "PG-BM-01", "name": "便民服务"}]
    for fields in subjects:
        services.subject_add(round=round, actor=actor, **fields)
    if publish:
        round = services.round_publish(round=round, actor=actor, now=opens - dt.timedelta(days=1))
    return round


def subject(round: EvaluationRound, seq: int = 1) -> EvaluationSubject:
    return round.subjects.get(seq=seq)


def rate(round, subject, user, rating: str, *, now=None, comment: str = ""):
    return services.evaluation_submit(
        round=round,
        ratings=[{"subject": subject.pk, "rating": rating, "comment": comment}],
        user=user,
        now=now,
    )


def rate_many(round, subject, voters, ratings: list[str], *, now=None) -> None:
    """Voter i gives ratings[i]."""
    for user, rating in zip(voters, ratings, strict=False):
        rate(round, subject, user, rating, now=now)


def past_round(geo, personas, year: int, *, subjects: list[dict], **kwargs) -> EvaluationRound:
    """A round of `year` whose window (1–15 December) has ended."""
    return make_round(
        geo,
        personas,
        year=year,
        opens=at(year, 12, 1),
        closes=at(year, 12, 15),
        subjects=subjects,
        **kwargs,
    )


def during(round: EvaluationRound) -> dt.datetime:
    """An instant inside the round's window."""
    return round.opens_at + (round.closes_at - round.opens_at) / 2


def after(round: EvaluationRound) -> dt.datetime:
    return round.closes_at + dt.timedelta(hours=1)
