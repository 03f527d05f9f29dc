"""Village votes and evaluations at platform scale (`manage.py seed_scale`): about 300,000
ballots cast online and evaluation answers over the city's villages and communities, with
the votes and rounds they belong to and the people who may take part.

Who takes part: each village has some residents on the portal (verified, a third of them
household representatives; most villagers vote on paper at the meeting, counted from the
village register) and five officials with accounts, the first of whom keeps the
committee's content (an editor of the committee, as membership_grant makes one). Votes
(民主投票) run a week online and close with a meeting whose paper ballots are entered in one
batch; the tally frozen at the close is the selectors' own Tally. Evaluation rounds
(民主评议村干部) are yearly in the villages that evaluate online, January for the year
before, with each official rated by most residents; an official rated 不满意 by a majority
two years running is flagged to the supervisors, as round_close flags them.

The recipes are the participation demo's (participation.demo: topics, roles, comments,
turnout, shares of 同意, rating weights); ballots and evaluations carry the services' own
keyed hash of (vote or subject, person), so the unique keys hold. Everything is cut at
now (the start of `today`): votes and rounds still open have the ballots cast so far and
no result; later ones are published and waiting. The rows go to PostgreSQL by COPY
(portal.scale.set_aside); seed_scale's closing VACUUM ANALYZE gathers statistics.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from guardian.models import UserObjectPermission
from psycopg.types.json import Jsonb

from participation.demo.evaluations import POOR, USUAL
from participation.demo.texts import (
    EVALUATION_COMMENTS,
    OFFICIAL_ROLES_COMMUNITY,
    OFFICIAL_ROLES_VILLAGE,
)
from participation.demo.votes import _pick, _shares, _topic
from participation.eligibility import participant_key
from participation.models import (
    Ballot,
    BallotChoice,
    Eligibility,
    Evaluation,
    EvaluationFlag,
    EvaluationRound,
    EvaluationSubject,
    PaperBatch,
    PaperCount,
    Quorum,
    Rating,
    RoundStatus,
    SubjectKind,
    Vote,
    VoteOption,
    VoteStatus,
)
from participation.selectors.votes import OptionResult, Tally, _percent, quorum_required
from portal import identity
from portal.demo.logins import DEMO_PASSWORD
from portal.demo.people import make_person
from portal.models import (
    AuditAction,
    Membership,
    MembershipRole,
    Residency,
    ResidencyStatus,
    Unit,
    User,
)
from portal.permissions import PERMISSION, Action
from portal.scale import ScaleContext, UnitRow, copy_rows, reserve_ids, set_aside
from portal.services.audit import audit_record

# Of ctx.count("ballots_evaluations"), the ballots' share (the reference platform counted
# 78,019 votes and 71,261 evaluations).
BALLOT_SHARE = 0.52
# Residents on the portal per village: a long tail around the median, communities more.
RESIDENTS_MEDIAN, RESIDENTS_SIGMA, RESIDENTS_RANGE = 18, 0.5, (6, 90)
OFFICIALS_PER_VILLAGE = 5
# Turnout online (of the portal's eligible residents) and in all (of the register), as
# the demo draws them.
ONLINE_TURNOUT, TOTAL_TURNOUT = (0.35, 0.7), (0.58, 0.82)
RATER_SHARE = (0.55, 0.8)
# A vote runs a week: opens 08:00, closes 20:00 seven days later, published two days
# before; the meeting's paper ballots are entered just after the close.
VOTE_DAYS = 7
# An evaluation round for year Y runs in January of Y + 1 (the demo's 2025 round).
ROUND_OPENS, ROUND_DAYS = (1, 6), 14
# Of the villages evaluating online for two years or more, the share with an official
# rated 不满意 by a majority two years running (flagged), and with one who slipped once.
TROUBLED_SHARE, SLIPPED_SHARE = 0.03, 0.05
GROWTH_FROM = 0.4
PAPER_NOTE = "村（居）民会议现场投票，当场唱票、计票"
RATINGS = list(Rating.values)  # 满意, 基本满意, 不满意: the order of the demo's weights
USUAL_CUMULATIVE = list(itertools.accumulate(USUAL))
POOR_CUMULATIVE = list(itertools.accumulate(POOR))


@dataclass
class Person:
    """A resident or official as the keys see them (participant_key reads `.pk`)."""

    pk: int
    name: str = ""
    head: bool = False


@dataclass
class Village:
    unit: UnitRow
    name: str
    community: bool
    residents: list[Person] = field(default_factory=list)
    officials: list[tuple[Person, str]] = field(default_factory=list)
    register_adults: int = 0
    register_households: int = 0

    @property
    def households(self) -> list[Person]:
        return [person for person in self.residents if person.head]

    @property
    def official(self) -> Person:
        return self.officials[0][0]


class Loader:
    """Draws from one generator and writes by COPY: people, then votes, then rounds;
    `counts` collects what was written."""

    def __init__(self, ctx: ScaleContext, rng: random.Random) -> None:
        self.ctx, self.rng = ctx, rng
        self.tz = timezone.get_default_timezone()
        self.now = ctx.now
        # What the demo's helpers read of their context: its generator.
        self.demo = SimpleNamespace(rng=rng)
        self.counts: dict[str, int] = {}

    def at(self, day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def within(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """An instant in [start, end) to the second."""
        span = max(int((end - start).total_seconds()), 1)
        return start + dt.timedelta(seconds=self.rng.randrange(span))

    # --- people --------------------------------------------------------------------------

    def villages(self) -> list[Village]:
        rng, ctx = self.rng, self.ctx
        villages = []
        for unit in ctx.units_of_kind("village_committee"):
            name = ctx.regions[unit.region_id][0]
            village = Village(unit=unit, name=name, community=name.endswith("社区"))
            village.register_adults = rng.randrange(900, 2600)
            village.register_households = village.register_adults // 3 + rng.randrange(-40, 40)
            villages.append(village)
        return villages

    def people(self, villages: list[Village]) -> None:
        """Users, verified residencies and the officials' grants, by COPY."""
        rng, ctx = self.rng, self.ctx
        low, high = RESIDENTS_RANGE
        editors = dict(
            Membership.objects.filter(
                unit_id__in=[v.unit.id for v in villages],
                role__in=[MembershipRole.ADMIN, MembershipRole.EDITOR],
            )
            .order_by("pk")
            .values_list("unit_id", "user_id")
        )
        names = dict(User.objects.values_list("pk", "full_name"))
        plans = []
        for village in villages:
            count = round(rng.lognormvariate(0, RESIDENTS_SIGMA) * RESIDENTS_MEDIAN)
            count = min(max(round(count * (1.4 if village.community else 1)), low), high)
            plans.append(count)
        total = sum(plans) + OFFICIALS_PER_VILLAGE * len(villages)
        ids = iter(reserve_ids(User, total))
        password = make_password(DEMO_PASSWORD)
        joined = self.at(ctx.first_day - dt.timedelta(days=30), 9)
        users, residencies, grants = [], [], []
        admin = ctx.users.get("admin")
        for village, count in zip(villages, plans, strict=True):
            code = village.unit.region_id
            area = code[:6]
            taken: set[str] = set()
            roles = OFFICIAL_ROLES_COMMUNITY if village.community else OFFICIAL_ROLES_VILLAGE
            for index, role in enumerate(roles[:OFFICIALS_PER_VILLAGE], start=1):
                person = make_person(rng, area_code=area)
                pk = next(ids)
                if index == 1 and village.unit.id in editors:
                    # The committee's own official (平岗社区's is the village_official login).
                    existing = editors[village.unit.id]
                    village.officials.append((Person(existing, names.get(existing, "")), role))
                    continue
                users.append((pk, f"cg{code}{index}", person, joined))
                village.officials.append((Person(pk, person.full_name), role))
                if index == 1:
                    grants.append((pk, village.unit.id))
            decided_by = village.official.pk
            for index in range(1, count + 1):
                person = make_person(rng, area_code=area)
                digest = identity.id_number_hash(person.id_number)
                while digest in taken:
                    person = make_person(rng, area_code=area)
                    digest = identity.id_number_hash(person.id_number)
                taken.add(digest)
                pk = next(ids)
                head = index % 3 == 1  # a third are household representatives
                since = joined + dt.timedelta(days=rng.randrange(20), minutes=rng.randrange(600))
                users.append((pk, f"jm{code}{index:03d}", person, since))
                residencies.append(
                    (pk, code, person.full_name, digest, identity.mask_id_number(person.id_number),
                     f"{rng.randint(1, 12)}组", head, ResidencyStatus.VERIFIED, decided_by,
                     since + dt.timedelta(days=rng.randint(1, 10)), "", since)
                )  # fmt: skip
                village.residents.append(Person(pk, person.full_name, head))
        staff = {pk for pk, _unit in grants}
        self.counts["participation_users"] = copy_rows(
            User,
            ("id", "password", "is_superuser", "username", "first_name", "last_name", "email",
             "is_staff", "is_active", "date_joined", "full_name", "phone"),
            (
                (pk, password, False, username, "", "", "", pk in staff, True, since,
                 person.full_name, person.mobile)
                for pk, username, person, since in users
            ),
        )  # fmt: skip
        self.counts["residencies"] = copy_rows(
            Residency,
            ("user_id", "region_id", "real_name", "id_number_hash", "id_number_masked",
             "group_name", "is_household_head", "status", "decided_by_id", "decided_at",
             "reject_reason", "created_at"),
            residencies,
        )  # fmt: skip
        self._grant_editors(grants, admin, joined)

    def _grant_editors(self, grants: list[tuple[int, int]], admin: int | None, at: Any) -> None:
        """membership_grant(role=EDITOR) in bulk: the membership and the guardian object
        permission it syncs (portal.services.people._sync_unit_permissions)."""
        copy_rows(
            Membership,
            ("user_id", "unit_id", "role", "granted_by_id", "granted_at"),
            ((user, unit, MembershipRole.EDITOR, admin, at) for user, unit in grants),
        )
        content_type = ContentType.objects.get_for_model(Unit)
        app_label, codename = PERMISSION[Action.EDIT].split(".")
        permission = content_type.permission_set.get(codename=codename)
        assert permission.content_type.app_label == app_label  # noqa: S101 - a typo guard  # nosec B101
        copy_rows(
            UserObjectPermission,
            ("object_pk", "content_type_id", "permission_id", "user_id"),
            ((str(unit), content_type.pk, permission.pk, user) for user, unit in grants),
        )

    # --- votes ---------------------------------------------------------------------------

    def votes(self, villages: list[Village], target: int) -> None:
        rng, ctx = self.rng, self.ctx
        first, last = ctx.first_day, ctx.today + dt.timedelta(days=10)
        span = (last - first).days
        days = [first + dt.timedelta(days=n) for n in range(span + 1)]
        day_weights = list(
            itertools.accumulate(
                GROWTH_FROM + (1 - GROWTH_FROM) * n / span for n in range(span + 1)
            )
        )
        village_weights = list(itertools.accumulate(len(v.residents) for v in villages))
        planned: list[tuple[dt.date, Village, dict, bool]] = []
        expected = 0.0
        while expected < target and villages:
            village = rng.choices(villages, cum_weights=village_weights)[0]
            day = rng.choices(days, cum_weights=day_weights)[0]
            topic = _topic(
                self.demo, SimpleNamespace(region=SimpleNamespace(name=village.name)), day
            )
            households = "收益分配" in topic["title"]
            people = village.households if households else village.residents
            if self.at(day, 8) < self.now:
                expected += len(people) * sum(ONLINE_TURNOUT) / 2
            planned.append((day, village, topic, households))
        planned.sort(key=lambda row: (row[0], row[1].unit.id))

        vote_ids = iter(reserve_ids(Vote, len(planned)))
        votes, options, ballots, choices, batches, paper = [], [], [], [], [], []
        option_total = sum(len(topic["options"]) for _d, _v, topic, _h in planned)
        option_ids = iter(reserve_ids(VoteOption, option_total))
        for day, village, topic, households in planned:
            pk = next(vote_ids)
            opens, closes = self.at(day, 8), self.at(day + dt.timedelta(days=VOTE_DAYS), 20)
            published = opens - dt.timedelta(days=2)
            people = village.households if households else village.residents
            register = village.register_households if households else village.register_adults
            quorum = Quorum.TWO_THIRDS if households else Quorum.HALF
            vote_options = [(next(option_ids), seq, text) for seq, text in
                            enumerate(topic["options"], start=1)]  # fmt: skip
            options += [(oid, pk, seq, text) for oid, seq, text in vote_options]
            ids = [oid for oid, _seq, _text in vote_options]
            online: dict[int, int] = dict.fromkeys(ids, 0)
            cast = 0
            if opens < self.now:
                voters = rng.sample(people, round(len(people) * rng.uniform(*ONLINE_TURNOUT)))
                until = min(closes, self.now)
                for voter in voters:
                    ballots.append(
                        (pk, participant_key("vote", pk, voter), self.within(opens, until))
                    )
                    picked = _pick(self.demo, ids, topic["max_choices"])
                    for option in picked:
                        online[option] += 1
                    choices.append((pk, picked))
                cast = len(voters)
            status, closed_at, result, eligible = VoteStatus.PUBLISHED, None, {}, None
            if closes < self.now:
                # The meeting's paper ballots, then vote_close freezes the tally.
                counted = round(register * rng.uniform(*TOTAL_TURNOUT)) - cast
                invalid = rng.randrange(0, max(counted // 60, 1) + 1)
                shares = self.shares(len(ids), counted - invalid, topic["max_choices"])
                batches.append((pk, closes.date(), counted, invalid, village.official.pk,
                                closes + dt.timedelta(minutes=5)))  # fmt: skip
                paper.append(list(zip(ids, shares, strict=True)))
                status, closed_at, eligible = (
                    VoteStatus.CLOSED,
                    closes + dt.timedelta(minutes=10),
                    register,
                )
                result = self.tally(
                    vote_options, online, shares, cast, counted, invalid, register, quorum
                )
            votes.append(
                (pk, village.unit.id, village.unit.region_id, village.official.pk,
                 published - dt.timedelta(hours=rng.randint(2, 30)), opens, closes,
                 Eligibility.HOUSEHOLDS if households else Eligibility.RESIDENTS,
                 village.unit.region_id, topic["title"], topic["description"],
                 topic["multiple"], topic["max_choices"], True, False, False, quorum, register,
                 status, published, closed_at, "", eligible, Jsonb(result))
            )  # fmt: skip
        self.counts["votes"] = copy_rows(
            Vote,
            ("id", "unit_id", "region_id", "created_by_id", "created_at", "opens_at", "closes_at",
             "eligibility", "electorate_region_id", "title", "description", "multiple",
             "max_choices", "secret", "results_live", "allow_change", "quorum",
             "registered_count", "status", "published_at", "closed_at", "cancel_reason",
             "eligible_count", "result"),
            votes,
        )  # fmt: skip
        copy_rows(VoteOption, ("id", "vote_id", "seq", "text"), options)
        ballot_ids = reserve_ids(Ballot, len(ballots))
        # Secret ballots (every vote here): no voter on the row.
        self.counts["ballots"] = copy_rows(
            Ballot,
            ("id", "vote_id", "voter_key", "cast_at"),
            (
                (bid, vote, key, at)
                for bid, (vote, key, at) in zip(ballot_ids, ballots, strict=True)
            ),
        )
        copy_rows(
            BallotChoice,
            ("ballot_id", "option_id", "vote_id"),
            (
                (bid, option, vote)
                for bid, (vote, picked) in zip(ballot_ids, choices, strict=True)
                for option in picked
            ),
        )
        batch_ids = reserve_ids(PaperBatch, len(batches))
        copy_rows(
            PaperBatch,
            ("id", "vote_id", "counted_on", "ballots", "invalid", "note", "entered_by_id",
             "entered_at", "void_reason"),
            ((bid, vote, on, n, bad, PAPER_NOTE, by, at, "")
             for bid, (vote, on, n, bad, by, at) in zip(batch_ids, batches, strict=True)),
        )  # fmt: skip
        copy_rows(
            PaperCount,
            ("batch_id", "option_id", "count"),
            (
                (bid, option, count)
                for bid, counts in zip(batch_ids, paper, strict=True)
                for option, count in counts
            ),
        )
        self.counts["paper_batches"] = len(batches)

    def shares(self, count: int, valid: int, max_choices: int) -> list[int]:
        """How `valid` paper ballots spread over the options: the demo's _shares for a
        yes/no/abstain question; for a ranking, its expectation (the demo draws every
        ballot, too slow for thousands of meetings)."""
        if max_choices == 1:
            return _shares(self.demo, count, valid, max_choices)
        weights = [self.rng.uniform(0.4, 1.0) for _ in range(count)]
        picks = (1 + max_choices) / 2  # each ballot picks one to max_choices options
        return [min(valid, round(valid * picks * w / sum(weights))) for w in weights]

    @staticmethod
    def tally(
        options: list[tuple[int, int, str]],
        online: dict[int, int],
        paper: list[int],
        online_ballots: int,
        paper_ballots: int,
        paper_invalid: int,
        eligible: int,
        quorum: str,
    ) -> dict[str, Any]:
        """Vote.result as vote_close freezes it: the selectors' Tally of the same counts."""
        valid = online_ballots + paper_ballots - paper_invalid
        results = [
            OptionResult(
                id=oid, seq=seq, text=text, online=online[oid], paper=off,
                total=online[oid] + off, share=_percent(online[oid] + off, valid),
            )
            for (oid, seq, text), off in zip(options, paper, strict=True)
        ]  # fmt: skip
        return Tally(
            options=results,
            online_ballots=online_ballots,
            paper_ballots=paper_ballots,
            paper_invalid=paper_invalid,
            eligible=eligible,
            quorum=quorum,
            quorum_required=quorum_required(quorum, None, eligible),
            final=True,
        ).as_json()

    # --- evaluations ---------------------------------------------------------------------

    def evaluations(self, villages: list[Village], target: int) -> None:
        rng, ctx = self.rng, self.ctx
        years = [
            year
            for year in range(ctx.first_day.year, ctx.today.year + 1)
            if self.at(dt.date(year + 1, *ROUND_OPENS), 8) - dt.timedelta(days=3) <= self.now
            and dt.date(year + 1, *ROUND_OPENS) >= ctx.first_day
        ]
        if not years:
            return
        rounds = []  # (village, year, raters)
        expected = 0
        for village in rng.sample(villages, len(villages)):
            if expected >= target:
                break
            # Villages took up online evaluation over the years, most of them lately.
            start = rng.choices(years, weights=range(1, len(years) + 1))[0]
            for year in range(start, years[-1] + 1):
                share = rng.uniform(*RATER_SHARE)
                raters = rng.sample(village.residents, round(len(village.residents) * share))
                rounds.append((village, year, raters))
                expected += len(raters) * len(village.officials)
        rounds.sort(key=lambda row: (row[1], row[0].unit.id))
        round_ids = iter(reserve_ids(EvaluationRound, len(rounds)))
        subject_ids = iter(
            reserve_ids(EvaluationSubject, sum(len(v.officials) for v, _y, _r in rounds))
        )
        # Who is rated poorly: one official of a few villages two years running (flagged),
        # one of a few others in the latest year only.
        multi = sorted({v.unit.id for v, year, _r in rounds if year < years[-1]})
        troubled = set(rng.sample(multi, round(len(multi) * TROUBLED_SHARE)))
        slipped = set(rng.sample(multi, round(len(multi) * SLIPPED_SHARE))) - troubled
        round_rows, subject_rows, evaluations, flags = [], [], [], []
        last_subject: dict[str, tuple[int, bool, int]] = {}  # key → (subject, poor, year)
        for village, year, raters in rounds:
            pk = next(round_ids)
            day = dt.date(year + 1, *ROUND_OPENS) + dt.timedelta(days=rng.randrange(10))
            opens = self.at(day, 8)
            closes = self.at(day + dt.timedelta(days=ROUND_DAYS), 18)
            closed = closes < self.now
            poor_seq = {4} if village.unit.id in troubled and year >= years[-1] - 1 else set()
            if village.unit.id in slipped and year == years[-1]:
                poor_seq = {3}
            until = min(closes, self.now)
            for seq, (official, role) in enumerate(village.officials, start=1):
                subject = next(subject_ids)
                cumulative = POOR_CUMULATIVE if seq in poor_seq else USUAL_CUMULATIVE
                tally = dict.fromkeys(RATINGS, 0)
                for rater in raters:
                    at = (
                        self.within(opens, until - dt.timedelta(hours=1)) if opens < until else None
                    )
                    if at is None:
                        break
                    rating = rng.choices(RATINGS, cum_weights=cumulative)[0]
                    tally[rating] += 1
                    evaluations.append(
                        (subject, pk, village.unit.region_id,
                         participant_key("evaluation", subject, rater), rating,
                         rng.choice(EVALUATION_COMMENTS), at)
                    )  # fmt: skip
                counted = tally if closed else dict.fromkeys(RATINGS, 0)
                subject_rows.append(
                    (subject, pk, SubjectKind.OFFICIAL, f"official:{official.pk}", official.name,
                     role, seq, year, counted[Rating.SATISFIED], counted[Rating.BASIC],
                     counted[Rating.UNSATISFIED], False)
                )  # fmt: skip
                key = f"official:{official.pk}"
                poor = closed and tally[Rating.UNSATISFIED] * 2 > sum(tally.values())
                previous = last_subject.get(key)
                if poor and previous and previous[1] and previous[2] == year - 1:
                    flags.append(
                        (subject, previous[0], village.unit.id, village.unit.region_id,
                         closes + dt.timedelta(minutes=5))
                    )  # fmt: skip
                last_subject[key] = (subject, poor, year)
            round_rows.append(
                (pk, village.unit.id, village.unit.region_id, village.official.pk,
                 opens - dt.timedelta(days=4), opens, closes, Eligibility.RESIDENTS,
                 village.unit.region_id, f"{village.name}{year}年度民主评议村（社区）干部", year,
                 "请对以下干部本年度的工作作出评价。评议不记名，意见仅供本单位和上级监督人员查阅。",
                 RoundStatus.CLOSED if closed else RoundStatus.PUBLISHED,
                 opens - dt.timedelta(days=3), closes + dt.timedelta(minutes=5) if closed else None,
                 "", len(village.residents) if closed else None)
            )  # fmt: skip
        self.counts["evaluation_rounds"] = copy_rows(
            EvaluationRound,
            ("id", "unit_id", "region_id", "created_by_id", "created_at", "opens_at", "closes_at",
             "eligibility", "electorate_region_id", "title", "year", "description", "status",
             "published_at", "closed_at", "cancel_reason", "eligible_count"),
            round_rows,
        )  # fmt: skip
        copy_rows(
            EvaluationSubject,
            ("id", "round_id", "kind", "subject_key", "name", "role", "seq", "year", "satisfied",
             "basic", "unsatisfied", "cancelled"),
            subject_rows,
        )  # fmt: skip
        self.counts["evaluations"] = copy_rows(
            Evaluation,
            ("subject_id", "round_id", "region_id", "evaluator_key", "rating", "comment",
             "created_at"),
            evaluations,
        )  # fmt: skip
        self.counts["evaluation_flags"] = copy_rows(
            EvaluationFlag,
            ("subject_id", "previous_id", "unit_id", "region_id", "raised_at", "handling_note"),
            ((s, p, u, r, at, "") for s, p, u, r, at in flags),
        )


def scale_load(ctx: ScaleContext) -> dict[str, int]:
    """settings.PORTAL_SCALE_LOADERS: ctx.count("ballots_evaluations") ballots and evaluation
    answers over the preset's villages."""
    total = ctx.count("ballots_evaluations")
    loader = Loader(ctx, ctx.rng("participation"))
    villages = loader.villages()
    if not villages:
        return {}
    tables = (User, Residency, Membership, UserObjectPermission, Vote, VoteOption, Ballot,
              BallotChoice, PaperBatch, PaperCount, EvaluationRound, EvaluationSubject,
              Evaluation, EvaluationFlag)  # fmt: skip
    with set_aside(*tables):
        loader.people(villages)
        loader.votes(villages, round(total * BALLOT_SHARE))
        loader.evaluations(villages, total - loader.counts.get("ballots", 0))
    counts = {**loader.counts, "ballots_evaluations": loader.counts.get("ballots", 0)
              + loader.counts.get("evaluations", 0)}  # fmt: skip
    marker = Vote.objects.order_by("pk").first()
    if marker is not None:
        # One audit row for the bulk load, as the demo writes for its bulk part.
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=marker,
            changes={key: [0, value] for key, value in counts.items()},
            note="规模测试数据：民主投票与民主评议",
        )
    return counts
