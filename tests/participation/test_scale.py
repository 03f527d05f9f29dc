"""The votes and evaluations of the scale loader (participation.scale) on the village
slice of the city, at a tiny volume: every ballot and evaluation carries the services'
key of an eligible person (so the unique keys hold), closed votes hold the tally the
selectors compute, closed rounds their counts and flags, the officials may manage what
they created, the same seed gives the same data, and the pages render."""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Count

from participation import eligibility, scale
from participation.models import (
    Ballot,
    BallotChoice,
    Eligibility,
    Evaluation,
    EvaluationFlag,
    EvaluationRound,
    EvaluationSubject,
    PaperBatch,
    Rating,
    RoundStatus,
    Vote,
    VoteStatus,
)
from participation.permissions import can_manage
from participation.selectors.votes import electorate_size, vote_tally
from portal.models import AuditEntry, Residency, ResidencyStatus, User
from portal.scale import Preset, ScaleContext
from portal.scale.base import base_load

pytestmark = pytest.mark.django_db

SEED = 2026
TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime.combine(TODAY, dt.time(), tzinfo=ZoneInfo("Asia/Shanghai"))
# 300,000 × 0.004 = 1,200 ballots and evaluations over the slice's 42 villages.
TINY = Preset("tiny", 0.004, "测试用")


def _load() -> tuple[ScaleContext, dict[str, int]]:
    ctx = ScaleContext(preset=TINY, seed=SEED, today=TODAY)
    return ctx, scale.scale_load(ctx)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The village slice and its participation, once for the module, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        base_load("village", seed=SEED)
        yield _load()
        transaction.set_rollback(True)


def test_counts_are_what_was_written(loaded):
    ctx, counts = loaded
    ballots, evaluations = Ballot.objects.count(), Evaluation.objects.count()
    assert counts["ballots"] == ballots and counts["evaluations"] == evaluations
    assert counts["ballots_evaluations"] == ballots + evaluations
    assert abs(ballots + evaluations - ctx.count("ballots_evaluations")) < 150
    assert counts["votes"] == Vote.objects.count() and counts["paper_batches"] > 0
    assert counts["evaluation_rounds"] == EvaluationRound.objects.count() > 0
    assert AuditEntry.objects.filter(note__contains="民主投票与民主评议").count() == 1


def _keys(kind: str, object_id: int, users: list[int]) -> set[str]:
    return {eligibility.participant_key(kind, object_id, User(pk=pk)) for pk in users}


def test_ballots_carry_the_key_of_an_eligible_person(loaded):
    for vote in Vote.objects.select_related("electorate_region"):
        residents = Residency.objects.filter(
            region_id=vote.electorate_region_id, status=ResidencyStatus.VERIFIED
        )
        if vote.eligibility == Eligibility.HOUSEHOLDS:
            residents = residents.filter(is_household_head=True)
        keys = list(Ballot.objects.filter(vote=vote).values_list("voter_key", flat=True))
        assert len(keys) == len(set(keys))  # one person, one ballot
        people = list(residents.values_list("user_id", flat=True))
        assert set(keys) <= _keys("vote", vote.pk, people)
        assert not Ballot.objects.filter(vote=vote, voter__isnull=False).exists()  # secret
        for ballot in Ballot.objects.filter(vote=vote):
            assert vote.opens_at <= ballot.cast_at <= min(vote.closes_at, NOW)
        # Every person the portal counts may vote; the register is bigger.
        assert vote.registered_count >= eligibility.eligible_count(vote)


def test_closed_votes_hold_the_selectors_tally(loaded):
    closed = Vote.objects.filter(status=VoteStatus.CLOSED).prefetch_related("options")
    assert closed.exists()
    for vote in closed:
        assert vote.closes_at < NOW and vote.closed_at > vote.closes_at
        eligible = electorate_size(vote)
        assert vote.eligible_count == eligible
        assert vote.result == vote_tally(vote, eligible=eligible, final=True).as_json()
        batch = PaperBatch.objects.get(vote=vote)
        assert batch.counted_on == vote.closes_at.astimezone(NOW.tzinfo).date()
    for vote in Vote.objects.exclude(status=VoteStatus.CLOSED):
        assert vote.status == VoteStatus.PUBLISHED and vote.closes_at > NOW and not vote.result
        assert not PaperBatch.objects.filter(vote=vote).exists()
    choices = BallotChoice.objects.values("ballot_id").annotate(n=Count("id"))
    assert all(row["n"] >= 1 for row in choices)
    assert BallotChoice.objects.values("ballot_id").distinct().count() == Ballot.objects.count()


def test_evaluations_are_keyed_counted_and_flagged(loaded):
    for subject in EvaluationSubject.objects.select_related("round"):
        round_ = subject.round
        residents = Residency.objects.filter(region_id=round_.electorate_region_id)
        keys = list(subject.evaluations.values_list("evaluator_key", flat=True))
        assert len(keys) == len(set(keys))
        assert set(keys) <= _keys(
            "evaluation", subject.pk, list(residents.values_list("user_id", flat=True))
        )
        assert subject.subject_key.startswith("official:") and subject.year == round_.year
        ratings = Counter(subject.evaluations.values_list("rating", flat=True))
        if round_.status == RoundStatus.CLOSED:
            # round_close: the counts frozen, the electorate counted.
            assert subject.satisfied == ratings[Rating.SATISFIED]
            assert subject.basic == ratings[Rating.BASIC]
            assert subject.unsatisfied == ratings[Rating.UNSATISFIED]
            assert round_.eligible_count == eligibility.eligible_count(round_)
        else:
            assert subject.total == 0 and round_.closes_at > NOW
    for flag in EvaluationFlag.objects.select_related("subject", "previous"):
        assert flag.subject.majority_unsatisfied and flag.previous.majority_unsatisfied
        assert flag.previous.year == flag.subject.year - 1
        assert flag.previous.subject_key == flag.subject.subject_key
    # The officials are rated, most of them well.
    totals = Counter(Evaluation.objects.values_list("rating", flat=True))
    assert totals[Rating.SATISFIED] > totals[Rating.UNSATISFIED]


def test_officials_manage_what_they_created(loaded):
    for vote in Vote.objects.select_related("created_by", "unit")[:20]:
        assert can_manage(vote.created_by, vote)
    for round_ in EvaluationRound.objects.select_related("created_by", "unit")[:20]:
        assert can_manage(round_.created_by, round_)
        assert round_.created_by.is_staff


def test_same_seed_same_participation(loaded):
    def snapshot() -> list:
        votes = list(
            Vote.objects.order_by("opens_at", "unit_id", "title").values_list(
                "unit_id", "title", "opens_at", "status", "registered_count", "eligible_count"
            )
        )
        ballots = list(
            Vote.objects.annotate(n=Count("ballots"))
            .order_by("opens_at", "unit_id", "title")
            .values_list("n", flat=True)
        )
        users = list(
            User.objects.filter(residencies__isnull=False)
            .order_by("username")
            .values_list("username", "full_name", "phone")
        )
        ratings = sorted(
            Evaluation.objects.values_list("round__title", "rating", "comment", "created_at")
        )
        return [votes, ballots, users, ratings]

    first = snapshot()
    with transaction.atomic():
        created = User.objects.filter(username__regex=r"^(jm|cg)\d{12}")
        for model in (EvaluationFlag, Evaluation, EvaluationSubject, EvaluationRound):
            model.objects.all().delete()
        for model in (BallotChoice, Ballot):
            model.objects.all().delete()
        PaperBatch.objects.all().delete()
        Vote.objects.all().delete()
        Residency.objects.filter(user__in=created).delete()
        created.delete()
        _load()
        assert snapshot() == first
        transaction.set_rollback(True)


def test_pages_render(loaded, client):
    vote = Vote.objects.filter(status=VoteStatus.CLOSED).order_by("-closes_at").first()
    response = client.get(f"/votes/{vote.pk}/")
    assert response.status_code == 200 and vote.title in response.content.decode()
    round_ = EvaluationRound.objects.filter(status=RoundStatus.CLOSED).first()
    assert client.get(f"/evaluations/{round_.pk}/").status_code == 200
    assert client.get("/votes/", {"region": "510118000000"}).status_code == 200
