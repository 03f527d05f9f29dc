"""Yearly evaluations of the village officials of 新津区 (民主评议村干部): the 2025 round
held in January 2026 and the 2026 round in November 2026, through the evaluation
services (create, add subjects, publish, close) on their own clock; the residents'
ratings are written in bulk with the services' own anonymous key.

Most officials are rated 满意; in one village one official was rated 不满意 by a
majority two years running, so closing the 2026 round flags them to the supervisors of
新津区; in another an official slipped in 2026 only (no flag). 平岗社区's 2026 round is
open now, for the `resident` login.
"""

from __future__ import annotations

import datetime as dt

from participation.demo.context import Context, Village, spread_times
from participation.demo.texts import EVALUATION_COMMENTS
from participation.models import Eligibility, Evaluation, Rating, SubjectKind
from participation.services import evaluations as services

ROUNDS = {
    2025: (dt.date(2026, 1, 6), dt.date(2026, 1, 20)),
    2026: (dt.date(2026, 11, 9), dt.date(2026, 11, 23)),
}
USUAL = (0.74, 0.2, 0.06)  # 满意, 基本满意, 不满意
POOR = (0.12, 0.26, 0.62)


def _round(ctx: Context, village: Village, year: int, opens, closes):
    official = village.official
    round_ = services.round_create(
        unit=village.committee,
        title=f"{village.region.name}{year}年度民主评议村（社区）干部",
        year=year,
        opens_at=opens,
        closes_at=closes,
        eligibility=Eligibility.RESIDENTS,
        electorate_region=village.region,
        description="请对以下干部本年度的工作作出评价。评议不记名，意见仅供本单位和上级监督人员查阅。",
        actor=official,
    )
    for user, role in village.officials:
        services.subject_add(
            round=round_, kind=SubjectKind.OFFICIAL, official=user, role=role, actor=official
        )
    return services.round_publish(round=round_, actor=official, now=opens - dt.timedelta(days=3))


def _ratings(ctx: Context, round_, village: Village, weights_of) -> None:
    subjects = list(round_.subjects.order_by("seq"))
    raters = ctx.rng.sample(
        village.residents, round(len(village.residents) * ctx.rng.uniform(0.55, 0.8))
    )
    rows = []
    for subject in subjects:
        weights = weights_of(subject)
        for rater in raters:
            rating = ctx.rng.choices(
                [Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED], weights=weights
            )[0]
            rows.append(
                Evaluation(
                    subject=subject,
                    round=round_,
                    region_id=round_.region_id,
                    evaluator_key=services.evaluator_key(subject.pk, rater),
                    rating=rating,
                    comment=ctx.rng.choice(EVALUATION_COMMENTS),
                )
            )
    Evaluation.objects.bulk_create(rows, batch_size=2000)
    span = int((round_.closes_at - round_.opens_at).total_seconds()) - 3600
    spread_times(Evaluation, [row.pk for row in rows], "created_at", round_.opens_at, span)


def evaluations_create(ctx: Context) -> int:
    """The demo's rounds; returns how many."""
    others = [v for v in ctx.villages if v.code != ctx.pinggang.code]
    troubled, slipped = ctx.rng.sample(others, 2) if len(others) >= 2 else (None, None)
    created = 0
    for year, (first, last) in ROUNDS.items():
        for village in ctx.villages:
            live = year == 2026 and village is ctx.pinggang
            if live:
                opens, closes = ctx.now - dt.timedelta(days=2), ctx.now + dt.timedelta(days=12)
            else:
                opens, closes = ctx.at(first, 8), ctx.at(last, 18)
            round_ = _round(ctx, village, year, opens, closes)
            created += 1
            if live:
                _live_ratings(ctx, round_, village)
                continue

            def weights_of(subject, village=village, year=year):
                poor = (village is troubled and subject.seq == 4) or (
                    village is slipped and subject.seq == 3 and year == 2026
                )
                return POOR if poor else USUAL

            _ratings(ctx, round_, village, weights_of)
            services.round_close(round=round_, now=closes + dt.timedelta(minutes=5))
    return created


def _live_ratings(ctx: Context, round_, village: Village) -> None:
    """平岗社区's open round: a third of its residents have rated, through the service."""
    subjects = list(round_.subjects.order_by("seq"))
    for rater in village.residents[: len(village.residents) // 3]:
        services.evaluation_submit(
            round=round_,
            user=rater,
            ratings=[
                {
                    "subject": subject.pk,
                    "rating": ctx.rng.choices(list(Rating), weights=USUAL)[0],
                    "comment": ctx.rng.choice(EVALUATION_COMMENTS),
                }
                for subject in subjects
            ],
        )
