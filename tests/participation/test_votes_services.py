"""Votes through their services: the officials' lifecycle, one ballot per person, the
window on the clock, paper batches, closing and the quorum, and the voting bodies."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from participation.models import (
    Ballot,
    BallotChoice,
    BodyKind,
    BodyMember,
    Eligibility,
    PaperBatch,
    Quorum,
    Vote,
    VoteStatus,
)
from participation.selectors import votes as selectors
from participation.services import votes as services
from portal.models import AuditEntry
from portal.services.errors import DomainError
from tests.participation.conftest import make_resident
from tests.participation.test_votes_helpers import after_close, cast, make_vote, option_ids

pytestmark = pytest.mark.django_db


def audit_actions(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------------------
# The officials' lifecycle


def test_an_official_drafts_a_vote_with_its_options(geo, personas):
    vote = make_vote(geo, personas, publish=False, options=["同意", "不同意", "弃权"])
    assert vote.status == VoteStatus.DRAFT
    assert vote.region_id == geo.village.code
    assert list(vote.options.values_list("seq", "text")) == [
        (1, "同意"),
        (2, "不同意"),
        (3, "弃权"),
    ]
    assert audit_actions(vote) == ["create"]


@pytest.mark.parametrize(
    "who", ["township_official", "other_county_official", "county_supervisor", "citizen"]
)
def test_only_the_units_officials_draft_its_votes(geo, personas, who):
    with pytest.raises(DomainError, match="只有本单位的工作人员"):
        make_vote(geo, personas, publish=False, actor=getattr(personas, who))
    assert not Vote.objects.exists()


def test_every_bad_field_is_named(geo, personas):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.vote_create(
            unit=geo.village_committee,
            actor=personas.village_official,
            title="  ",
            options=["同意", "同意"],
            opens_at=now,
            closes_at=now - dt.timedelta(hours=1),
            multiple=True,
            max_choices=1,
            quorum=Quorum.COUNT,
            eligibility=Eligibility.RESIDENTS,
        )
    errors = caught.value.message_dict
    assert set(errors) == {
        "title",
        "options",
        "closes_at",
        "max_choices",
        "quorum_count",
        "electorate_region",
    }
    assert errors["closes_at"] == ["截止时间应晚于开始时间。"]
    assert errors["options"] == ["选项不能重复。"]


def test_the_electorate_must_be_the_units_own(geo, personas, village):
    with pytest.raises(ValidationError) as caught:
        make_vote(geo, personas, publish=False, electorate_region=geo.other_village)
    assert caught.value.message_dict["electorate_region"] == ["参与地区应在本单位所在地区范围内。"]
    other_body = services.body_create(
        unit=geo.other_village_committee,
        name="和平社区居民代表会议",
        kind=BodyKind.REPRESENTATIVES,
        actor=personas.platform_admin,
    )
    with pytest.raises(ValidationError) as caught:
        make_vote(geo, personas, publish=False, eligibility=Eligibility.BODY, body=other_body)
    assert caught.value.message_dict["body"] == ["只能选择本单位的议事组织。"]
    body_vote = make_vote(geo, personas, eligibility=Eligibility.BODY, body=village.body)
    assert body_vote.electorate_region is None  # cleared: the body rule needs no place


def test_everyone_may_vote_only_with_no_or_a_fixed_quorum(geo, personas):
    with pytest.raises(ValidationError) as caught:
        make_vote(geo, personas, eligibility=Eligibility.CITIZENS, quorum=Quorum.HALF)
    assert "只能选“不设”或“不少于规定人数”" in caught.value.message_dict["quorum"][0]
    vote = make_vote(
        geo, personas, eligibility=Eligibility.CITIZENS, quorum=Quorum.COUNT, quorum_count=100
    )
    assert vote.status == VoteStatus.PUBLISHED and vote.electorate_region is None


def test_publishing_checks_what_a_draft_may_lack(geo, personas):
    official = personas.village_official
    vote = make_vote(geo, personas, publish=False, options=["同意"])
    with pytest.raises(ValidationError) as caught:
        services.vote_publish(vote=vote, actor=official)
    assert caught.value.message_dict == {"options": ["至少需要两个选项。"]}
    with pytest.raises(ValidationError) as caught:
        services.vote_update(
            vote=vote, actor=official, options=["同意", "不同意"], multiple=True, max_choices=3
        )
    assert caught.value.message_dict == {"max_choices": ["最多可选项数不能超过选项数。"]}
    services.vote_update(vote=vote, actor=official, options=["同意", "不同意"])
    late = vote.closes_at + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as caught:
        services.vote_publish(vote=vote, actor=official, now=late)
    assert caught.value.message_dict == {"closes_at": ["截止时间已过，请修改后再发布。"]}
    with pytest.raises(DomainError):
        services.vote_publish(vote=vote, actor=personas.township_official)
    vote = services.vote_publish(vote=vote, actor=official)
    assert vote.status == VoteStatus.PUBLISHED and vote.published_at is not None
    assert list(vote.options.values_list("text", flat=True)) == ["同意", "不同意"]
    assert audit_actions(vote) == ["create", "change", "publish"]
    with pytest.raises(DomainError, match="只有草稿可以发布"):
        services.vote_publish(vote=vote, actor=official)


def test_a_published_vote_is_not_edited(geo, personas):
    vote = make_vote(geo, personas)
    with pytest.raises(DomainError, match="发布后不能再修改"):
        services.vote_update(vote=vote, actor=personas.village_official, title="改过的题目")
    assert Vote.objects.get(pk=vote.pk).title != "改过的题目"


def test_cancel_needs_a_public_reason_and_comes_before_the_close(geo, personas):
    official = personas.village_official
    vote = make_vote(geo, personas)
    with pytest.raises(ValidationError) as caught:
        services.vote_cancel(vote=vote, actor=official, reason=" ")
    assert caught.value.message_dict == {"reason": ["取消投票须公开说明原因。"]}
    with pytest.raises(DomainError):
        services.vote_cancel(vote=vote, actor=personas.other_county_official, reason="误发")
    with pytest.raises(DomainError, match="已截止"):
        services.vote_cancel(vote=vote, actor=official, reason="误发", now=after_close(vote))
    vote = services.vote_cancel(vote=vote, actor=official, reason="选项有误，将重新发起。")
    assert vote.status == VoteStatus.CANCELLED and vote.cancel_reason == "选项有误，将重新发起。"
    assert audit_actions(vote)[-1] == "withdraw"


# ---------------------------------------------------------------------------
# Ballots


def test_a_resident_casts_one_secret_ballot(geo, personas, village):
    vote = make_vote(geo, personas)
    ballot, changed = cast(vote, personas.resident, 1)
    assert not changed
    assert ballot.voter is None  # secret: nothing ties the person to the choices
    assert len(ballot.voter_key) == 64
    choice = BallotChoice.objects.get(ballot=ballot)
    assert choice.vote_id == vote.pk and choice.option_id == option_ids(vote)[1]
    # The person finds their own ballot by their key.
    assert selectors.ballot_of(vote, personas.resident) == ballot
    assert selectors.ballot_of(vote, village.residents[1]) is None


def test_an_open_ballot_records_the_voter(geo, personas, village):
    vote = make_vote(geo, personas, secret=False)
    ballot, _changed = cast(vote, personas.resident)
    assert ballot.voter == personas.resident


def test_a_second_ballot_is_refused(geo, personas, village):
    vote = make_vote(geo, personas)
    cast(vote, personas.resident, 0)
    with pytest.raises(services.BallotConflict) as caught:
        cast(vote, personas.resident, 1)
    assert caught.value.messages == ["您已投过票，本次投票不允许改票。"]
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert list(BallotChoice.objects.values_list("option_id", flat=True)) == [option_ids(vote)[0]]


def test_a_change_replaces_the_choices_until_the_close(geo, personas, village):
    vote = make_vote(geo, personas, allow_change=True)
    first, _ = cast(vote, personas.resident, 0)
    again, changed = cast(vote, personas.resident, 1)
    assert changed and again.pk == first.pk and again.changed_at is not None
    assert list(BallotChoice.objects.values_list("option_id", flat=True)) == [option_ids(vote)[1]]
    with pytest.raises(services.BallotConflict, match="投票已截止"):
        cast(vote, personas.resident, 0, now=after_close(vote))
    assert list(BallotChoice.objects.values_list("option_id", flat=True)) == [option_ids(vote)[1]]


def test_the_window_is_read_on_the_clock(geo, personas, village):
    vote = make_vote(geo, personas)
    with pytest.raises(services.BallotConflict) as caught:
        cast(vote, personas.resident, now=vote.opens_at - dt.timedelta(seconds=1))
    assert caught.value.messages == ["投票尚未开始。"]
    # Past the deadline a ballot is refused although the closing task has not run.
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.PUBLISHED
    with pytest.raises(services.BallotConflict) as caught:
        cast(vote, personas.resident, now=vote.closes_at)
    assert caught.value.messages == ["投票已截止。"]
    assert not Ballot.objects.exists()


def test_drafts_cancelled_and_closed_votes_take_no_ballot(geo, personas, village):
    draft = make_vote(geo, personas, publish=False)
    with pytest.raises(services.BallotConflict, match="尚未发布"):
        cast(draft, personas.resident)
    cancelled = make_vote(geo, personas)
    services.vote_cancel(vote=cancelled, actor=personas.village_official, reason="重复发起")
    with pytest.raises(services.BallotConflict, match="投票已取消"):
        cast(cancelled, personas.resident)
    closed = make_vote(geo, personas)
    services.vote_close(vote=closed, now=after_close(closed))
    with pytest.raises(services.BallotConflict, match="投票已截止"):
        cast(closed, personas.resident)


def test_who_may_vote(geo, personas, village):
    vote = make_vote(geo, personas)
    with pytest.raises(services.NotEligible) as caught:
        cast(vote, personas.citizen)
    assert caught.value.messages == ["本次仅限平岗社区已核实的村（居）民参与。"]
    households = make_vote(geo, personas, eligibility=Eligibility.HOUSEHOLDS)
    with pytest.raises(services.NotEligible, match="户代表"):
        cast(households, personas.resident)
    cast(households, village.households[0])
    body = make_vote(geo, personas, eligibility=Eligibility.BODY, body=village.body)
    with pytest.raises(services.NotEligible, match="成员名单"):
        cast(body, personas.resident)
    cast(body, village.representatives[2])
    anyone = make_vote(geo, personas, eligibility=Eligibility.CITIZENS, quorum=Quorum.NONE)
    cast(anyone, personas.citizen)
    assert Ballot.objects.count() == 3


@pytest.mark.parametrize(
    ("multiple", "max_choices", "picked", "message"),
    [
        (False, 1, [], "请至少选择一项。"),
        (False, 1, [0, 1], "本次投票为单选，只能选择一项。"),
        (True, 2, [0, 1, 2], "本次投票最多可选2项。"),
        (True, 2, [0, 0], "同一选项只能选一次。"),
    ],
)
def test_bad_choices_are_named(geo, personas, village, multiple, max_choices, picked, message):
    vote = make_vote(
        geo, personas, options=["甲", "乙", "丙"], multiple=multiple, max_choices=max_choices
    )
    ids = option_ids(vote)
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(
            vote=vote, voter=personas.resident, option_ids=[ids[i] for i in picked]
        )
    assert caught.value.message_dict == {"options": [message]}
    assert not Ballot.objects.exists()


def test_an_option_of_another_vote_is_refused(geo, personas, village):
    vote, other = make_vote(geo, personas), make_vote(geo, personas)
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(vote=vote, voter=personas.resident, option_ids=option_ids(other)[:1])
    assert caught.value.message_dict == {"options": ["所选选项不属于本次投票。"]}


def test_multiple_choice_ballots(geo, personas, village):
    vote = make_vote(
        geo, personas, options=["修路", "装路灯", "建广场"], multiple=True, max_choices=2
    )
    cast(vote, personas.resident, 0, 2)
    cast(vote, village.residents[1], 2)
    tally = selectors.vote_tally(vote, eligible=6)
    assert [(o.text, o.online) for o in tally.options] == [
        ("修路", 1),
        ("装路灯", 0),
        ("建广场", 2),
    ]
    assert tally.turnout == 2
    assert [o.share for o in tally.options] == [Decimal("50.0"), Decimal("0.0"), Decimal("100.0")]


# ---------------------------------------------------------------------------
# Paper ballots


def enter(vote, personas, counts, *, ballots, invalid=0, actor=None, counted_on=None):
    ids = option_ids(vote)
    return services.paper_batch_enter(
        vote=vote,
        counted_on=counted_on or timezone.localdate(),
        ballots=ballots,
        invalid=invalid,
        counts=dict(zip(ids, counts, strict=True)),
        note="居民代表会议现场计票",
        actor=actor or personas.village_official,
    )


def test_paper_ballots_add_to_the_online_ones(geo, personas, village):
    vote = make_vote(geo, personas, registered_count=100)
    cast(vote, personas.resident, 0)
    cast(vote, village.residents[1], 1)
    batch = enter(vote, personas, [30, 12], ballots=45, invalid=3)
    assert audit_actions(batch) == ["create"]
    tally = selectors.vote_tally(vote, eligible=100)
    assert [(o.online, o.paper, o.total) for o in tally.options] == [(1, 30, 31), (1, 12, 13)]
    assert (tally.online_ballots, tally.paper_ballots, tally.paper_invalid) == (2, 45, 3)
    assert tally.turnout == 47 and tally.valid_ballots == 44
    assert tally.turnout_rate == Decimal("47.0")


def test_a_single_choice_batch_must_add_up(geo, personas):
    vote = make_vote(geo, personas, registered_count=100)
    with pytest.raises(ValidationError) as caught:
        enter(vote, personas, [30, 12], ballots=45, invalid=2)
    assert "应等于收回选票数（45）" in caught.value.message_dict["counts"][0]
    assert not PaperBatch.objects.exists()


def test_a_multiple_choice_batch_stays_within_its_ballots(geo, personas):
    vote = make_vote(
        geo,
        personas,
        options=["甲", "乙", "丙"],
        multiple=True,
        max_choices=2,
        registered_count=100,
    )
    enter(vote, personas, [10, 8, 2], ballots=12, invalid=2)  # 20 marks on 10 valid ballots
    with pytest.raises(ValidationError, match="不能超过有效票数"):
        enter(vote, personas, [11, 0, 0], ballots=12, invalid=2)
    with pytest.raises(ValidationError, match="乘以最多可选项数"):
        enter(vote, personas, [10, 10, 1], ballots=12, invalid=2)
    with pytest.raises(ValidationError, match="至少选一项"):
        enter(vote, personas, [3, 3, 3], ballots=12, invalid=2)


def test_a_batch_names_its_bad_fields(geo, personas):
    vote = make_vote(geo, personas)
    with pytest.raises(ValidationError) as caught:
        services.paper_batch_enter(
            vote=vote,
            counted_on=timezone.localdate() + dt.timedelta(days=30),
            ballots=0,
            invalid=5,
            counts={option_ids(vote)[0]: 1},
            note="",
            actor=personas.village_official,
        )
    assert set(caught.value.message_dict) == {"counted_on", "ballots", "invalid", "note", "counts"}


@pytest.mark.parametrize("who", ["township_official", "county_supervisor", "resident"])
def test_only_the_units_officials_enter_paper_ballots(geo, personas, village, who):
    vote = make_vote(geo, personas)
    with pytest.raises(DomainError, match="组织单位的工作人员"):
        enter(vote, personas, [1, 1], ballots=2, actor=getattr(personas, who))


def test_a_wrong_batch_is_voided_never_edited(geo, personas):
    vote = make_vote(geo, personas, registered_count=100)
    wrong = enter(vote, personas, [40, 2], ballots=42)
    with pytest.raises(ValidationError) as caught:
        services.paper_batch_void(batch=wrong, reason="", actor=personas.village_official)
    assert caught.value.message_dict == {"reason": ["作废须说明原因。"]}
    with pytest.raises(DomainError):
        services.paper_batch_void(batch=wrong, reason="录错", actor=personas.township_official)
    services.paper_batch_void(
        batch=wrong, reason="同意与不同意票数录反", actor=personas.village_official
    )
    enter(vote, personas, [2, 40], ballots=42)
    tally = selectors.vote_tally(vote, eligible=None)
    assert [o.paper for o in tally.options] == [2, 40] and tally.paper_ballots == 42
    assert audit_actions(wrong) == ["create", "withdraw"]
    with pytest.raises(DomainError, match="已作废"):
        services.paper_batch_void(batch=wrong, reason="再作废", actor=personas.village_official)


def test_no_paper_entry_outside_the_vote(geo, personas):
    vote = make_vote(geo, personas, registered_count=100)
    with pytest.raises(ValidationError, match="投票期间"):
        enter(vote, personas, [1, 1], ballots=2, counted_on=vote.opens_at.date() - dt.timedelta(3))
    batch = enter(vote, personas, [1, 1], ballots=2)
    services.vote_close(vote=vote, now=after_close(vote))
    with pytest.raises(DomainError, match="尚未结束"):
        enter(vote, personas, [1, 1], ballots=2)
    with pytest.raises(DomainError, match="尚未结束"):
        services.paper_batch_void(batch=batch, reason="晚了", actor=personas.village_official)


# ---------------------------------------------------------------------------
# Closing, the result and the quorum


def test_close_freezes_the_result(geo, personas, village):
    vote = make_vote(geo, personas)
    cast(vote, village.residents[0], 0)
    cast(vote, village.residents[1], 0)
    cast(vote, village.residents[2], 1)
    enter(vote, personas, [1, 0], ballots=2, invalid=1)
    vote = services.vote_close(vote=vote, now=after_close(vote))
    assert vote.status == VoteStatus.CLOSED and vote.eligible_count == 6
    result = vote.result
    assert [(o["text"], o["online"], o["paper"], o["total"]) for o in result["options"]] == [
        ("同意", 2, 1, 3),
        ("不同意", 1, 0, 1),
    ]
    assert result["turnout"] == 5 and result["turnout_rate"] == "83.3"
    assert result["quorum"] == "half" and result["quorum_required"] == 4
    assert result["quorum_met"] is True and result["final"] is True
    # A resident verified after the close changes nothing frozen.
    make_resident(geo.village, "latecomer", "周晓明", sequence=40)
    assert selectors.vote_results(vote).eligible == 6
    assert audit_actions(vote)[-1] == "change"


def test_closing_twice_changes_nothing(geo, personas, village):
    vote = make_vote(geo, personas)
    cast(vote, personas.resident)
    first = services.vote_close(vote=vote, now=after_close(vote))
    again = services.vote_close(vote=vote, now=after_close(vote) + dt.timedelta(hours=5))
    assert again.closed_at == first.closed_at and again.result == first.result
    assert audit_actions(vote).count("change") == 1


def test_no_early_close(geo, personas):
    vote = make_vote(geo, personas)
    with pytest.raises(DomainError, match="尚未截止"):
        services.vote_close(vote=vote, actor=personas.village_official)
    with pytest.raises(DomainError):
        services.vote_close(vote=vote, actor=personas.township_official, now=after_close(vote))


def test_the_task_closes_what_is_due(geo, personas, village):
    due = make_vote(geo, personas)
    later = make_vote(geo, personas, closes_at=due.closes_at + dt.timedelta(days=2))
    draft = make_vote(geo, personas, publish=False)
    cancelled = make_vote(geo, personas)
    services.vote_cancel(vote=cancelled, actor=personas.village_official, reason="重复")
    now = after_close(due)
    assert services.votes_close_due(now=now) == 1
    assert services.votes_close_due(now=now) == 0
    statuses = dict(Vote.objects.values_list("pk", "status"))
    assert statuses == {
        due.pk: "closed",
        later.pk: "published",
        draft.pk: "draft",
        cancelled.pk: "cancelled",
    }


@pytest.mark.parametrize(
    ("rule", "count", "eligible", "turnout", "required", "met"),
    [
        (Quorum.HALF, None, 6, 3, 4, False),  # exactly half is not more than half
        (Quorum.HALF, None, 6, 4, 4, True),
        (Quorum.HALF, None, 7, 4, 4, True),
        (Quorum.TWO_THIRDS, None, 6, 3, 4, False),
        (Quorum.TWO_THIRDS, None, 6, 4, 4, True),
        (Quorum.TWO_THIRDS, None, 10, 6, 7, False),
        (Quorum.COUNT, 50, None, 50, 50, True),
        (Quorum.COUNT, 50, 200, 49, 50, False),
        (Quorum.NONE, None, 6, 0, None, True),
    ],
)
def test_quorum_rules(rule, count, eligible, turnout, required, met):
    tally = selectors.Tally(
        options=[],
        online_ballots=turnout,
        paper_ballots=0,
        paper_invalid=0,
        eligible=eligible,
        quorum=rule,
        quorum_required=selectors.quorum_required(rule, count, eligible),
        final=True,
    )
    assert (tally.quorum_required, tally.quorum_met) == (required, met)


def test_a_missed_quorum_is_recorded(geo, personas, village):
    vote = make_vote(geo, personas, eligibility=Eligibility.HOUSEHOLDS, quorum=Quorum.TWO_THIRDS)
    cast(vote, village.households[0])
    vote = services.vote_close(vote=vote, now=after_close(vote))
    assert vote.eligible_count == 2
    assert (vote.result["quorum_required"], vote.result["quorum_met"]) == (2, False)


# ---------------------------------------------------------------------------
# When results show


def test_results_show_only_when_the_rule_allows(geo, personas, village):
    hidden = make_vote(geo, personas)
    cast(hidden, personas.resident)
    assert not selectors.results_visible(hidden) and selectors.vote_results(hidden) is None
    live = make_vote(geo, personas, results_live=True)
    cast(live, personas.resident)
    assert selectors.vote_results(live).options[0].online == 1
    assert not selectors.results_visible(live, now=live.opens_at - dt.timedelta(minutes=1))
    assert selectors.vote_results(live).final is False
    services.vote_close(vote=hidden, now=after_close(hidden))
    hidden.refresh_from_db()
    assert selectors.vote_results(hidden).final is True
    cancelled = make_vote(geo, personas, results_live=True)
    services.vote_cancel(vote=cancelled, actor=personas.village_official, reason="重复")
    cancelled.refresh_from_db()
    assert not selectors.results_visible(cancelled)


# ---------------------------------------------------------------------------
# Voting bodies


def test_bodies_and_their_members(geo, personas, village):
    official = personas.village_official
    with pytest.raises(DomainError):
        services.body_create(
            unit=geo.village_committee,
            name="平岗社区议事会",
            kind=BodyKind.COUNCIL,
            actor=personas.other_county_official,
        )
    body = services.body_create(
        unit=geo.village_committee, name="平岗社区议事会", kind=BodyKind.COUNCIL, actor=official
    )
    assert body.region_id == geo.village.code and audit_actions(body) == ["create"]
    with pytest.raises(ValidationError) as caught:
        services.body_create(
            unit=geo.village_committee, name="平岗社区议事会", kind="nonsense", actor=official
        )
    assert set(caught.value.message_dict) == {"name", "kind"}
    member = services.body_member_add(
        body=body, user=personas.resident, name="杨桂芳", role="议事会成员", actor=official
    )
    with pytest.raises(ValidationError) as caught:
        services.body_member_add(body=body, user=personas.resident, name="杨桂芳", actor=official)
    assert caught.value.message_dict == {"user": ["该用户已是本组织的现任成员。"]}
    with pytest.raises(DomainError):
        services.body_member_add(
            body=body, user=personas.citizen, name="赵磊", actor=personas.township_official
        )
    with pytest.raises(ValidationError):
        services.body_member_end(
            member=member, ended_on=member.started_on - dt.timedelta(days=1), actor=official
        )
    services.body_member_end(member=member, actor=official)
    with pytest.raises(DomainError, match="已离任"):
        services.body_member_end(member=member, actor=official)
    assert BodyMember.objects.filter(pk=member.pk).exists()  # never deleted
    # Having left, the person may join again.
    services.body_member_add(body=body, user=personas.resident, name="杨桂芳", actor=official)
    assert audit_actions(member) == ["grant", "revoke"]


def test_the_village_register_measures_a_mixed_vote(geo, personas, village):
    """Six residents are on the portal, 1,200 adults on the register: turnout and quorum
    count against the register, and paper ballots cannot exceed it."""
    vote = make_vote(geo, personas, registered_count=1200, quorum="half")
    cast(vote, personas.resident, 0)
    enter(vote, personas, [560, 80], ballots=640)
    tally = selectors.vote_results(services.vote_close(vote=vote, now=after_close(vote)))
    assert (tally.eligible, tally.turnout, tally.quorum_required) == (1200, 641, 601)
    assert tally.quorum_met and tally.turnout_rate == Decimal("53.4")
    assert Vote.objects.get(pk=vote.pk).eligible_count == 1200


def test_paper_ballots_cannot_outnumber_the_electorate(geo, personas, village):
    vote = make_vote(geo, personas)  # no register: the six residents on the portal
    with pytest.raises(ValidationError) as caught:
        enter(vote, personas, [5, 2], ballots=7)
    assert "名册人数" in caught.value.message_dict["ballots"][0]
    assert not PaperBatch.objects.exists()
    enter(vote, personas, [4, 2], ballots=6)


def test_the_register_cannot_be_smaller_than_the_portal_knows(geo, personas, village):
    draft = make_vote(geo, personas, publish=False, registered_count=3)
    with pytest.raises(ValidationError) as caught:
        services.vote_publish(vote=draft, actor=personas.village_official)
    assert "6人" in caught.value.message_dict["registered_count"][0]
    # A body's members are known by name: a register figure means nothing there.
    body_vote = make_vote(
        geo,
        personas,
        eligibility=Eligibility.BODY,
        body=village.body,
        electorate_region=None,
        registered_count=500,
    )
    assert body_vote.registered_count is None
