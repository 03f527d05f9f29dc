"""Reads of democratic votes: what the public sees, the tally, and where a person stands.

`results_visible()` is the one answer to "may the results be shown now?": the public
page, the API and the back office all ask it. A closed vote shows the result frozen when
it closed (`Vote.result`); a vote with live results shows the running count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from participation import eligibility
from participation.models import (
    Ballot,
    BallotChoice,
    Eligibility,
    PaperBatch,
    PaperCount,
    Phase,
    Quorum,
    Vote,
    VoteStatus,
)
from portal import hierarchy

PUBLIC_STATUSES = (VoteStatus.PUBLISHED, VoteStatus.CLOSED, VoteStatus.CANCELLED)


@dataclass(frozen=True)
class VoteFilter:
    region: str | None = None  # a 12-digit code: the votes of that place's subtree
    unit: int | None = None
    phase: str | None = None  # Phase value


def votes_public(
    criteria: VoteFilter = VoteFilter(), *, now: dt.datetime | None = None
) -> QuerySet[Vote]:
    """Published, closed and cancelled votes (never drafts), newest first."""
    now = now or timezone.now()
    votes = Vote.objects.filter(status__in=PUBLIC_STATUSES).select_related("unit", "region")
    if criteria.region:
        votes = hierarchy.in_subtree(votes, criteria.region)
    if criteria.unit:
        votes = votes.filter(unit_id=criteria.unit)
    published = Q(status=VoteStatus.PUBLISHED)
    if criteria.phase == Phase.UPCOMING:
        votes = votes.filter(published, opens_at__gt=now)
    elif criteria.phase == Phase.OPEN:
        votes = votes.filter(published, opens_at__lte=now, closes_at__gt=now)
    elif criteria.phase == Phase.ENDED:
        votes = votes.filter(
            Q(status__in=[VoteStatus.CLOSED, VoteStatus.CANCELLED])
            | (published & Q(closes_at__lte=now))
        )
    return votes.order_by("-opens_at", "-id")


def vote_public(pk: Any) -> Vote | None:
    """One vote as the public sees it; drafts and unknown ids are None (a 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Vote.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
        .select_related("unit", "region", "electorate_region", "body")
        .prefetch_related("options")
        .first()
    )


def phase_of(vote: Vote, now: dt.datetime | None = None) -> Phase:
    """Upcoming, open or ended; a closed or cancelled vote has ended whatever the clock."""
    if vote.status in (VoteStatus.CLOSED, VoteStatus.CANCELLED):
        return Phase.ENDED
    return vote.phase(now)


def window_refusal(vote: Vote, now: dt.datetime | None = None) -> str | None:
    """Why the vote takes no ballot at this moment (its status and the clock), or None.
    The clock counts, not only the status: after closes_at no ballot is taken even if
    the closing task has not run yet."""
    now = now or timezone.now()
    if vote.status == VoteStatus.CANCELLED:
        return _("投票已取消。")
    if vote.status == VoteStatus.CLOSED or (
        vote.status == VoteStatus.PUBLISHED and now >= vote.closes_at
    ):
        return _("投票已截止。")
    if vote.status != VoteStatus.PUBLISHED:
        return _("投票尚未发布。")
    if now < vote.opens_at:
        return _("投票尚未开始。")
    return None


def results_visible(vote: Vote, now: dt.datetime | None = None) -> bool:
    """The one rule: a closed vote shows its result; a vote with live results shows the
    running count once it has opened; nothing else shows any count."""
    if vote.status == VoteStatus.CLOSED:
        return True
    if vote.status == VoteStatus.PUBLISHED and vote.results_live:
        return (now or timezone.now()) >= vote.opens_at
    return False


# ---------------------------------------------------------------------------
# The tally


def _percent(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def quorum_required(rule: str, count: int | None, eligible: int | None) -> int | None:
    """The smallest turnout that meets the rule; None when there is no rule, or no
    eligible count to measure it by."""
    if rule == Quorum.COUNT:
        return count
    if rule == Quorum.NONE or eligible is None:
        return None
    if rule == Quorum.HALF:
        return eligible // 2 + 1  # more than half
    return max(1, -(-2 * eligible // 3))  # at least two thirds, rounded up


@dataclass
class OptionResult:
    id: int
    seq: int
    text: str
    online: int
    paper: int
    total: int
    share: Decimal | None  # per cent of the valid ballots that chose it

    @property
    def bar(self) -> str:
        """The bar's length in per cent, for the SVG's width attribute."""
        return f"{min(self.share or 0, Decimal(100)):.1f}"


@dataclass
class Tally:
    options: list[OptionResult]
    online_ballots: int
    paper_ballots: int
    paper_invalid: int
    eligible: int | None
    quorum: str
    quorum_required: int | None
    final: bool

    @property
    def turnout(self) -> int:
        return self.online_ballots + self.paper_ballots

    @property
    def valid_ballots(self) -> int:
        return self.turnout - self.paper_invalid

    @property
    def turnout_rate(self) -> Decimal | None:
        return _percent(self.turnout, self.eligible)

    @property
    def quorum_met(self) -> bool:
        if self.quorum_required is None:
            return self.quorum == Quorum.NONE
        return self.turnout >= self.quorum_required

    @property
    def online_total(self) -> int:
        return sum(option.online for option in self.options)

    @property
    def paper_total(self) -> int:
        return sum(option.paper for option in self.options)

    def as_json(self) -> dict[str, Any]:
        """What Vote.result keeps when the vote closes, and what the API returns."""
        data = asdict(self)
        for option in data["options"]:
            option["share"] = None if option["share"] is None else str(option["share"])
        rate = self.turnout_rate
        data.update(
            turnout=self.turnout,
            valid_ballots=self.valid_ballots,
            turnout_rate=None if rate is None else str(rate),
            quorum_met=self.quorum_met,
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        options = [
            OptionResult(
                **{
                    **option,
                    "share": None if option["share"] is None else Decimal(option["share"]),
                }
            )
            for option in data["options"]
        ]
        return cls(
            options=options,
            online_ballots=data["online_ballots"],
            paper_ballots=data["paper_ballots"],
            paper_invalid=data["paper_invalid"],
            eligible=data["eligible"],
            quorum=data["quorum"],
            quorum_required=data["quorum_required"],
            final=data["final"],
        )


def vote_tally(vote: Vote, *, eligible: int | None, final: bool = False) -> Tally:
    """Count online ballots and the paper batches not voided, per option: five queries
    (the options come from a prefetch when there is one)."""
    online = dict(
        BallotChoice.objects.filter(vote=vote)
        .values("option_id")
        .annotate(n=Count("id"))
        .values_list("option_id", "n")
    )
    paper = dict(
        PaperCount.objects.filter(batch__vote=vote, batch__voided_at__isnull=True)
        .values("option_id")
        .annotate(n=Sum("count"))
        .values_list("option_id", "n")
    )
    batches = PaperBatch.objects.filter(vote=vote, voided_at__isnull=True).aggregate(
        ballots=Sum("ballots"), invalid=Sum("invalid")
    )
    online_ballots = Ballot.objects.filter(vote=vote).count()
    paper_ballots, paper_invalid = batches["ballots"] or 0, batches["invalid"] or 0
    valid = online_ballots + paper_ballots - paper_invalid
    options = []
    for option in sorted(vote.options.all(), key=lambda o: o.seq):
        on, off = online.get(option.pk, 0), paper.get(option.pk, 0)
        options.append(
            OptionResult(
                id=option.pk,
                seq=option.seq,
                text=option.text,
                online=on,
                paper=off,
                total=on + off,
                share=_percent(on + off, valid),
            )
        )
    return Tally(
        options=options,
        online_ballots=online_ballots,
        paper_ballots=paper_ballots,
        paper_invalid=paper_invalid,
        eligible=eligible,
        quorum=vote.quorum,
        quorum_required=quorum_required(vote.quorum, vote.quorum_count, eligible),
        final=final,
    )


def vote_results(vote: Vote, now: dt.datetime | None = None) -> Tally | None:
    """The results as everyone may see them now, or None while they are not shown."""
    if not results_visible(vote, now):
        return None
    if vote.status == VoteStatus.CLOSED and vote.result:
        return Tally.from_json(vote.result)
    return vote_tally(vote, eligible=electorate_size(vote))


def electorate_size(vote: Vote) -> int | None:
    """How many may vote, the denominator of turnout and quorum: the village register's
    figure when the official gave one (most villagers vote on paper, not on the portal),
    otherwise the people the portal knows to be eligible (None for every registered user)."""
    if vote.registered_count:
        return vote.registered_count
    return eligibility.eligible_count(vote)


# ---------------------------------------------------------------------------
# One person and one vote


def ballot_of(vote: Vote, user: Any) -> Ballot | None:
    """The person's own ballot, found by their key (so also on a secret vote), with the
    chosen options in order."""
    if not (user and user.is_authenticated):
        return None
    key = eligibility.participant_key("vote", vote.pk, user)
    choices = BallotChoice.objects.select_related("option").order_by("option__seq")
    return (
        Ballot.objects.filter(vote=vote, voter_key=key)
        .prefetch_related(Prefetch("choices", queryset=choices))
        .first()
    )


@dataclass
class Standing:
    """Where a signed-in person stands on a vote. `refusal` is eligibility's answer
    (who may vote); `closed` is the window's (when); `may_cast` combines both with
    whether they voted already and may change it."""

    eligible: bool
    refusal: str | None
    closed: str | None
    ballot: Ballot | None
    may_cast: bool

    @property
    def chosen(self) -> list[Any]:
        return [choice.option for choice in self.ballot.choices.all()] if self.ballot else []


def standing(vote: Vote, user: Any, now: dt.datetime | None = None) -> Standing | None:
    """None for a visitor who is not signed in."""
    if not (user and user.is_authenticated):
        return None
    refusal = eligibility.refusal(user, vote)
    closed = window_refusal(vote, now)
    ballot = ballot_of(vote, user)
    may_cast = refusal is None and closed is None and (ballot is None or vote.allow_change)
    return Standing(
        eligible=refusal is None, refusal=refusal, closed=closed, ballot=ballot, may_cast=may_cast
    )


# ---------------------------------------------------------------------------
# The rules in plain words


def electorate_text(vote: Vote) -> str:
    if vote.eligibility == Eligibility.CITIZENS:
        return _("所有注册用户")
    if vote.eligibility == Eligibility.BODY:
        return _("%(body)s的现任成员") % {"body": vote.body.name}
    place = vote.electorate_region.name
    if vote.eligibility == Eligibility.HOUSEHOLDS:
        text = _("%(place)s已核实的户代表（每户一票）") % {"place": place}
    else:
        text = _("%(place)s已核实的村（居）民") % {"place": place}
    if vote.registered_count:
        # Those not on the portal vote on paper at the meeting.
        text += _("；名册共%(n)d人，未在平台登记的可在会议上投纸质票") % {
            "n": vote.registered_count
        }
    return text


def choice_text(vote: Vote) -> str:
    if vote.multiple:
        return _("可多选，最多选%(n)d项") % {"n": vote.max_choices}
    return _("单选，只能选一项")


def quorum_text(vote: Vote) -> str:
    if vote.quorum == Quorum.HALF:
        return _("参与投票的人数须超过有投票资格人数的一半")
    if vote.quorum == Quorum.TWO_THIRDS:
        return _("参与投票的人数须达到有投票资格人数的三分之二以上")
    if vote.quorum == Quorum.COUNT:
        return _("参与投票的人数不少于%(n)d人") % {"n": vote.quorum_count or 0}
    return _("不设参与率要求")


def secrecy_text(vote: Vote) -> str:
    if vote.secret:
        return _("无记名投票：平台不保存投票人与所投选项的对应关系")
    return _("记名投票：投票人与所投选项一并记录")


def results_text(vote: Vote) -> str:
    if vote.results_live:
        return _("投票开始后实时公布计票结果")
    return _("投票截止后公布计票结果")


def change_text(vote: Vote) -> str:
    if vote.allow_change:
        return _("截止前可以改票")
    return _("投票后不能更改")
