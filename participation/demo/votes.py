"""Votes of the demo, made through the votes services (create, publish, paper entry,
close) with their own clock set to the day they happened; only the online ballots of
the demo residents are written in bulk, keyed exactly as ballot_cast keys them.

Each village of 新津区 held one or two votes between March 2025 and November 2026: a
week online for its portal residents, closed by a meeting where the paper ballots of
everyone else were counted. 平岗社区 has three live ones for the `resident` login: an
open secret vote (results after the close), an open multiple-choice ranking of
household representatives (results live), and a representatives' vote not yet open.
"""

from __future__ import annotations

import datetime as dt

from participation.demo.context import Context, Village, spread_times
from participation.demo.texts import VOTE_TOPICS
from participation.eligibility import participant_key
from participation.models import (
    Ballot,
    BallotChoice,
    BodyKind,
    Eligibility,
    Quorum,
    Vote,
)
from participation.services import votes as services

FIRST_DAY = dt.date(2025, 3, 1)
LAST_DAY = dt.date(2026, 11, 15)


def _topic(ctx: Context, village: Village, day: dt.date, index: int | None = None) -> dict:
    """A question for a vote held on `day` (a ranking is for the next year's projects)."""
    title, description, options, max_choices = VOTE_TOPICS[
        ctx.rng.randrange(len(VOTE_TOPICS)) if index is None else index
    ]
    words = {
        "place": village.region.name,
        "group": f"{ctx.rng.randrange(1, 9)}组",
        "year": day.year + 1,
        "length": ctx.rng.randrange(6, 30) * 50,
        "amount": ctx.rng.randrange(8, 60),
        "area": ctx.rng.randrange(3, 40) * 50,
    }
    return {
        "title": title.format(**words),
        "description": description.format(**words),
        "options": list(options),
        "multiple": max_choices > 1,
        "max_choices": max_choices,
    }


def _shares(ctx: Context, count: int, valid: int, max_choices: int) -> list[int]:
    """How `valid` ballots spread over `count` options: mostly 同意 for a yes/no/abstain
    question; for a ranking, each ballot picks one to `max_choices` options."""
    if max_choices == 1:
        yes = round(valid * ctx.rng.uniform(0.70, 0.93))
        no = round((valid - yes) * ctx.rng.uniform(0.45, 0.75))
        return [yes, no, valid - yes - no][:count]
    weights = [ctx.rng.uniform(0.4, 1.0) for _ in range(count)]
    picks = [0] * count
    for _ballot in range(valid):
        for index in set(ctx.rng.choices(range(count), weights, k=ctx.rng.randint(1, max_choices))):
            picks[index] += 1
    return picks


def _pick(ctx: Context, options: list, max_choices: int) -> list:
    """One ballot's choices: mostly 同意 on a yes/no/abstain question."""
    if max_choices == 1:
        return ctx.rng.choices(options, weights=[0.8, 0.13, 0.07][: len(options)])
    return ctx.rng.sample(options, ctx.rng.randint(1, max_choices))


def _online_ballots(ctx: Context, vote: Vote, voters: list, cast_from: dt.datetime) -> None:
    """Bulk ballots of the demo residents, as ballot_cast would have stored them."""
    options = list(vote.options.order_by("seq"))
    ballots, chosen = [], []
    for voter in voters:
        picked = _pick(ctx, options, vote.max_choices)
        ballots.append(
            Ballot(
                vote=vote,
                voter_key=participant_key("vote", vote.pk, voter),
                voter=None if vote.secret else voter,
            )
        )
        chosen.append(picked)
    Ballot.objects.bulk_create(ballots)
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, option=option, vote=vote)
        for ballot, picked in zip(ballots, chosen, strict=True)
        for option in picked
    )
    window = min(vote.closes_at, ctx.now) - cast_from
    spread_times(Ballot, [b.pk for b in ballots], "cast_at", cast_from, int(window.total_seconds()))


def _historical(ctx: Context, village: Village, day: dt.date) -> Vote:
    topic = _topic(ctx, village, day)
    households = "收益分配" in topic["title"]
    opens = ctx.at(day, 8)
    closes = ctx.at(day + dt.timedelta(days=7), 20)
    official = village.official
    vote = services.vote_create(
        unit=village.committee,
        actor=official,
        opens_at=opens,
        closes_at=closes,
        eligibility=Eligibility.HOUSEHOLDS if households else Eligibility.RESIDENTS,
        electorate_region=village.region,
        quorum=Quorum.TWO_THIRDS if households else Quorum.HALF,
        registered_count=village.register_households if households else village.register_adults,
        **topic,
    )
    services.vote_publish(vote=vote, actor=official, now=opens - dt.timedelta(days=2))
    people = village.households if households else village.residents
    voters = ctx.rng.sample(people, round(len(people) * ctx.rng.uniform(0.35, 0.7)))
    _online_ballots(ctx, vote, voters, opens + dt.timedelta(hours=1))
    electorate = village.register_households if households else village.register_adults
    ballots = round(electorate * ctx.rng.uniform(0.58, 0.82)) - len(voters)
    invalid = ctx.rng.randrange(0, max(ballots // 60, 1) + 1)
    options = list(vote.options.order_by("seq"))
    shares = _shares(ctx, len(options), ballots - invalid, vote.max_choices)
    services.paper_batch_enter(
        vote=vote,
        counted_on=closes.date(),
        ballots=ballots,
        invalid=invalid,
        counts={option.pk: share for option, share in zip(options, shares, strict=True)},
        note="村（居）民会议现场投票，当场唱票、计票",
        actor=official,
    )
    return services.vote_close(vote=vote, now=closes + dt.timedelta(minutes=10))


def _pinggang(ctx: Context) -> list[Vote]:
    village = ctx.pinggang
    official = village.official
    body = services.body_create(
        unit=village.committee,
        name="平岗社区居民代表会议",
        kind=BodyKind.REPRESENTATIVES,
        actor=official,
    )
    members = [ctx.demo_resident, *village.residents[:24]]
    for index, user in enumerate(members):
        services.body_member_add(
            body=body,
            user=user,
            name=user.full_name,
            role="居民代表" if index else "居民代表（第3居民小组）",
            started_on=dt.date(2024, 1, 8),
            actor=official,
        )
    now = ctx.now
    square = services.vote_create(
        unit=village.committee,
        actor=official,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=11),
        eligibility=Eligibility.RESIDENTS,
        electorate_region=village.region,
        quorum=Quorum.HALF,
        registered_count=village.register_adults,
        **_topic(ctx, village, ctx.today, 1),
    )
    ranking = services.vote_create(
        unit=village.committee,
        actor=official,
        opens_at=now - dt.timedelta(days=5),
        closes_at=now + dt.timedelta(days=9),
        eligibility=Eligibility.HOUSEHOLDS,
        electorate_region=village.region,
        quorum=Quorum.NONE,
        results_live=True,
        **_topic(ctx, village, ctx.today, 2),
    )
    charter = services.vote_create(
        unit=village.committee,
        actor=official,
        opens_at=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=9),
        eligibility=Eligibility.BODY,
        body=body,
        quorum=Quorum.TWO_THIRDS,
        secret=False,
        **_topic(ctx, village, ctx.today, 5),
    )
    live = [square, ranking, charter]
    for vote in live:
        services.vote_publish(vote=vote, actor=official, now=now - dt.timedelta(days=6))
    _online_ballots(ctx, square, village.residents[: len(village.residents) // 2], square.opens_at)
    _online_ballots(ctx, ranking, village.households, ranking.opens_at)
    return live


def votes_create(ctx: Context) -> int:
    """The demo's votes; returns how many."""
    span = (LAST_DAY - FIRST_DAY).days
    created = 0
    for village in ctx.villages:
        for _vote in range(ctx.rng.choice((1, 1, 2))):
            _historical(ctx, village, FIRST_DAY + dt.timedelta(days=ctx.rng.randrange(span)))
            created += 1
    created += len(_pinggang(ctx))
    return created
