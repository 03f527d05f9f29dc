"""四议两公开 through the services: the four steps in order with their thresholds, the
two disclosures as records of the village catalog, and who may act."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from disclosure.models import PublishingSetting, Record, RecordStatus
from disclosure.services import record_approve
from participation.models import (
    Decision,
    DecisionStatus,
    DecisionStep,
    Outcome,
    ResolutionMeeting,
    StepKind,
    VoteStatus,
)
from participation.services import decisions as services
from portal.models import AuditEntry, MembershipRole
from portal.services import people
from portal.services.errors import DomainError
from tests.factories import UserFactory
from tests.participation.test_decisions_helpers import (
    closed_vote,
    days_ago,
    other_village_official,
    record,
    start,
    walk,
)

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Starting ------------------------------------------------------------------------------


def test_village_official_starts_a_decision_and_it_is_audited(geo, personas):
    decision = start(geo, personas)
    assert decision.status == DecisionStatus.IN_PROGRESS
    assert decision.region_id == geo.village.code
    entry = AuditEntry.objects.get(object_id=str(decision.pk), action="create")
    assert entry.actor == personas.village_official and entry.unit == geo.village_committee


def test_start_names_every_bad_field(geo, personas):
    with pytest.raises(ValidationError) as excinfo:
        services.decision_create(
            unit=geo.village_committee,
            title=" ",
            matter="",
            category="nonsense",
            amount=-5,
            actor=personas.village_official,
        )
    assert set(errors_of(excinfo)) == {"title", "matter", "category", "amount"}


@pytest.mark.parametrize("who", ["township_official", "county_supervisor", "resident"])
def test_others_cannot_start_a_decision_of_the_village(geo, personas, who):
    with pytest.raises(DomainError):
        services.decision_create(
            unit=geo.village_committee,
            title="占用耕地建设停车场",
            matter="……",
            category="land",
            actor=getattr(personas, who),
        )
    assert not Decision.objects.exists()


def test_only_village_committees_run_decisions(geo, personas):
    # The township's own official, on the township's own unit: not a village committee.
    with pytest.raises(DomainError):
        services.decision_create(
            unit=geo.township_office,
            title="街道办公楼维修",
            matter="……",
            category="project",
            actor=personas.township_official,
        )


def test_another_villages_official_cannot_act_on_this_decision(geo, personas):
    decision = start(geo, personas)
    outsider = other_village_official(geo, personas)
    with pytest.raises(DomainError):
        record(decision, outsider, StepKind.PROPOSAL)
    with pytest.raises(DomainError):
        record(decision, personas.township_official, StepKind.PROPOSAL)
    assert not DecisionStep.objects.exists()


# --- The four steps ------------------------------------------------------------------------


def test_steps_out_of_order_are_refused(geo, personas):
    decision = start(geo, personas)
    with pytest.raises(ValidationError) as excinfo:
        record(decision, personas.village_official, StepKind.PARTY_REVIEW)
    assert errors_of(excinfo)["kind"] == ["下一个环节是“党支部提议”，四个环节须按顺序记录。"]
    record(decision, personas.village_official, StepKind.PROPOSAL)
    with pytest.raises(ValidationError) as excinfo:
        record(decision, personas.village_official, StepKind.PROPOSAL)
    assert "两委商议" in errors_of(excinfo)["kind"][0]
    assert DecisionStep.objects.count() == 1


def test_dates_follow_the_previous_step_and_are_not_in_the_future(geo, personas):
    decision = start(geo, personas)
    record(decision, personas.village_official, StepKind.PROPOSAL, held_on=10)
    with pytest.raises(ValidationError) as excinfo:
        record(decision, personas.village_official, StepKind.CONSULTATION, held_on=11)
    assert "不能早于上一环节（党支部提议" in errors_of(excinfo)["held_on"][0]
    with pytest.raises(ValidationError) as excinfo:
        record(decision, personas.village_official, StepKind.CONSULTATION, held_on=-1)
    assert errors_of(excinfo)["held_on"] == ["会议日期不能晚于今天。"]
    # The same day as the previous step is fine (商议 right after 提议).
    record(decision, personas.village_official, StepKind.CONSULTATION, held_on=10)


def test_party_review_needs_two_thirds_and_says_so(geo, personas):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.CONSULTATION)
    with pytest.raises(ValidationError) as excinfo:
        record(decision, personas.village_official, StepKind.PARTY_REVIEW, attended=29)
    assert errors_of(excinfo)["attended"] == ["党员大会应到45人，实到须不少于30人（三分之二）。"]
    # Rounded up: two thirds of 10 is 6.67, so 7.
    with pytest.raises(ValidationError) as excinfo:
        record(
            decision,
            personas.village_official,
            StepKind.PARTY_REVIEW,
            expected=10,
            attended=6,
            votes_for=6,
            votes_against=0,
            abstained=0,
        )
    assert errors_of(excinfo)["attended"] == ["党员大会应到10人，实到须不少于7人（三分之二）。"]
    record(decision, personas.village_official, StepKind.PARTY_REVIEW, attended=30, votes_for=28)


def test_the_database_refuses_a_party_review_short_of_two_thirds(geo, personas):
    """The CHECK constraint is the last line of defence, behind the service."""
    decision = start(geo, personas)
    with (
        pytest.raises(IntegrityError, match="decision_party_review_two_thirds"),
        transaction.atomic(),
    ):
        DecisionStep.objects.create(
            decision=decision,
            kind=StepKind.PARTY_REVIEW,
            held_on=days_ago(3),
            expected=45,
            attended=29,
            votes_for=29,
            votes_against=0,
            abstained=0,
            outcome=Outcome.PASSED,
            recorded_by=personas.village_official,
        )
    with pytest.raises(IntegrityError, match="decision_resolution_quorum"), transaction.atomic():
        DecisionStep.objects.create(
            decision=decision,
            kind=StepKind.RESOLUTION,
            meeting=ResolutionMeeting.VILLAGERS,
            held_on=days_ago(3),
            expected=100,
            attended=50,
            votes_for=50,
            votes_against=0,
            abstained=0,
            outcome=Outcome.REJECTED,
            recorded_by=personas.village_official,
        )
    assert not DecisionStep.objects.exists()


@pytest.mark.parametrize(
    ("meeting", "expected", "attended", "message"),
    [
        (
            ResolutionMeeting.VILLAGERS,
            100,
            50,
            "村民会议应到100人，实到须超过半数（不少于51人）。",
        ),
        (
            ResolutionMeeting.REPRESENTATIVES,
            60,
            39,
            "村民代表会议应到60人，实到须不少于40人（三分之二）。",
        ),
    ],
)
def test_resolution_meeting_quorum(geo, personas, meeting, expected, attended, message):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    with pytest.raises(ValidationError) as excinfo:
        record(
            decision,
            personas.village_official,
            StepKind.RESOLUTION,
            meeting=meeting,
            expected=expected,
            attended=attended,
            votes_for=attended,
            votes_against=0,
            abstained=0,
        )
    assert errors_of(excinfo)["attended"] == [message]


def test_resolution_needs_its_meeting_and_votes(geo, personas):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    with pytest.raises(ValidationError) as excinfo:
        record(
            decision,
            personas.village_official,
            StepKind.RESOLUTION,
            meeting="",
            votes_for=None,
            votes_against=None,
            abstained=None,
        )
    assert {"meeting", "votes_for", "votes_against", "abstained"} <= set(errors_of(excinfo))


def test_a_pass_needs_more_than_half_of_those_present(geo, personas):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    with pytest.raises(ValidationError) as excinfo:
        record(
            decision,
            personas.village_official,
            StepKind.RESOLUTION,
            votes_for=24,
            votes_against=20,
            abstained=4,
        )
    assert errors_of(excinfo)["votes_for"] == [
        "通过须经实到人数的过半数赞成：实到48人，赞成须不少于25票。"
    ]
    with pytest.raises(ValidationError) as excinfo:
        record(
            decision,
            personas.village_official,
            StepKind.RESOLUTION,
            votes_for=30,
            votes_against=20,
            abstained=4,
        )
    assert "不能超过实到人数（48人）" in errors_of(excinfo)["abstained"][0]


def test_the_database_refuses_a_pass_without_a_majority(geo, personas):
    decision = start(geo, personas)
    with (
        pytest.raises(IntegrityError, match="decision_step_passed_by_majority"),
        transaction.atomic(),
    ):
        DecisionStep.objects.create(
            decision=decision,
            kind=StepKind.PARTY_REVIEW,
            held_on=days_ago(3),
            expected=45,
            attended=40,
            votes_for=20,
            votes_against=20,
            abstained=0,
            outcome=Outcome.PASSED,
            recorded_by=personas.village_official,
        )


def test_a_rejected_step_ends_the_decision(geo, personas):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.CONSULTATION)
    record(
        decision,
        personas.village_official,
        StepKind.PARTY_REVIEW,
        votes_for=10,
        votes_against=20,
        abstained=2,
        outcome=Outcome.REJECTED,
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.REJECTED
    with pytest.raises(DomainError, match="议决程序已经结束"):
        record(decision, personas.village_official, StepKind.RESOLUTION)
    with pytest.raises(DomainError):
        services.decision_publish(decision=decision, actor=personas.village_official)


def test_a_passed_resolution_resolves_and_every_step_is_audited(geo, personas):
    decision = walk(start(geo, personas), personas.village_official)
    assert decision.status == DecisionStatus.RESOLVED
    assert AuditEntry.objects.filter(content_type__model="decisionstep").count() == 4
    assert AuditEntry.objects.filter(
        object_id=str(decision.pk), changes__status=["in_progress", "resolved"]
    ).exists()
    with pytest.raises(DomainError, match="已形成决议"):
        record(decision, personas.village_official, StepKind.RESOLUTION)


# --- A resolution taken by a portal vote -----------------------------------------------------


def test_resolution_by_a_closed_vote_reads_the_tally(geo, personas, village):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    vote = closed_vote(geo, personas, totals=(40, 5, 3), turnout=50, eligible=60)
    step = services.decision_step_record(
        decision=decision,
        kind=StepKind.RESOLUTION,
        held_on=days_ago(25),
        expected=None,
        attended=None,
        outcome=Outcome.PASSED,
        meeting=ResolutionMeeting.VILLAGERS,
        vote=vote,
        actor=personas.village_official,
    )
    # Option 1 赞成, option 2 反对; the rest of the turnout (option 3 and 2 blank) 弃权.
    assert (step.expected, step.attended) == (60, 50)
    assert (step.votes_for, step.votes_against, step.abstained) == (40, 5, 5)
    assert step.vote == vote
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.RESOLVED


def test_a_vote_of_the_representatives_body_is_a_representatives_meeting(geo, personas, village):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    vote = closed_vote(
        geo,
        personas,
        body=village.body,
        totals=(3, 0),
        texts=("同意", "不同意"),
        turnout=3,
        eligible=3,
    )
    step = services.decision_step_record(
        decision=decision,
        kind=StepKind.RESOLUTION,
        held_on=days_ago(25),
        expected=None,
        attended=None,
        outcome=Outcome.PASSED,
        vote=vote,
        actor=personas.village_official,
    )
    assert step.meeting == ResolutionMeeting.REPRESENTATIVES


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": VoteStatus.PUBLISHED}, "尚未结束"),
        ({"texts": ("张三", "李四"), "totals": (30, 20)}, "第1个选项应为“赞成（同意）”"),
        ({"texts": ("赞成",), "totals": (40,)}, "第1个选项应为“赞成（同意）”"),
        ({"multiple": True}, "可多选"),
        ({"eligible": None}, "投票资格人数"),
    ],
)
def test_an_unfit_vote_is_refused(geo, personas, kwargs, message):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    vote = closed_vote(geo, personas, **kwargs)
    with pytest.raises(ValidationError) as excinfo:
        services.decision_step_record(
            decision=decision,
            kind=StepKind.RESOLUTION,
            held_on=days_ago(25),
            expected=None,
            attended=None,
            outcome=Outcome.PASSED,
            meeting=ResolutionMeeting.VILLAGERS,
            vote=vote,
            actor=personas.village_official,
        )
    assert message in errors_of(excinfo)["vote"][0]


def test_the_resolution_date_is_not_before_the_vote_closed(geo, personas):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    vote = closed_vote(geo, personas, closed_days_ago=20)
    with pytest.raises(ValidationError) as excinfo:
        services.decision_step_record(
            decision=decision,
            kind=StepKind.RESOLUTION,
            held_on=days_ago(25),
            expected=None,
            attended=None,
            outcome=Outcome.PASSED,
            vote=vote,
            actor=personas.village_official,
        )
    assert excinfo.value.message_dict["held_on"] == [
        f"决议日期不能早于投票结束日期（{days_ago(20).isoformat()}）。"
    ]


def test_another_units_vote_cannot_decide_here(geo, personas):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    vote = closed_vote(geo, personas, unit=geo.other_village_committee)
    with pytest.raises(ValidationError) as excinfo:
        services.decision_step_record(
            decision=decision,
            kind=StepKind.RESOLUTION,
            held_on=days_ago(25),
            expected=None,
            attended=None,
            outcome=Outcome.PASSED,
            meeting=ResolutionMeeting.VILLAGERS,
            vote=vote,
            actor=personas.village_official,
        )
    assert errors_of(excinfo)["vote"] == ["只能关联本村（社区）组织的投票。"]


def test_a_vote_failing_the_quorum_is_refused_with_the_rule(geo, personas):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PARTY_REVIEW)
    vote = closed_vote(geo, personas, totals=(20, 5, 0), turnout=25, eligible=60)
    with pytest.raises(ValidationError) as excinfo:
        services.decision_step_record(
            decision=decision,
            kind=StepKind.RESOLUTION,
            held_on=days_ago(25),
            expected=None,
            attended=None,
            outcome=Outcome.PASSED,
            meeting=ResolutionMeeting.VILLAGERS,
            vote=vote,
            actor=personas.village_official,
        )
    assert errors_of(excinfo)["attended"] == ["村民会议应到60人，实到须超过半数（不少于31人）。"]


# --- The two disclosures ---------------------------------------------------------------------


def no_review(unit):
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})


def test_publishing_the_decision_creates_a_record_of_the_village_catalog(geo, personas, catalog):
    no_review(geo.village_committee)
    decision = walk(start(geo, personas), personas.village_official)
    with pytest.raises(DomainError, match="决议公开后"):
        services.decision_result_publish(
            decision=decision,
            text="已完工",
            completed_on=days_ago(1),
            actor=personas.village_official,
        )
    decision = services.decision_publish(decision=decision, actor=personas.village_official)
    assert decision.status == DecisionStatus.PUBLISHED
    published = Record.objects.get(pk=decision.decision_record_id)
    assert published.status == RecordStatus.PUBLISHED
    assert published.item.level2 == "“四议两公开”决议事项和决策过程"
    assert published.item.template.key == "village"
    assert published.title == "关于平岗社区文化广场改造的决议公开"
    assert published.info_date == days_ago(25)
    for text in (
        "党支部提议",
        "两委商议",
        "党员大会审议",
        "村（居）民代表会议",
        "赞成41，反对4，弃权3",
    ):
        assert text in published.body
    assert "<script" not in published.body
    assert AuditEntry.objects.filter(
        object_id=str(decision.pk), action="publish", changes__status=["resolved", "published"]
    ).exists()
    with pytest.raises(DomainError, match="已经公开"):
        services.decision_publish(decision=decision, actor=personas.village_official)

    decision = services.decision_result_publish(
        decision=decision,
        text="广场于本月完工验收，\n新增健身器材12件。",
        completed_on=days_ago(2),
        actor=personas.village_official,
    )
    assert decision.status == DecisionStatus.DONE
    result = Record.objects.get(pk=decision.result_record_id)
    assert result.item.level2 == "“四议两公开”实施结果"
    assert result.status == RecordStatus.PUBLISHED and result.info_date == days_ago(2)
    assert f'href="/records/{published.pk}/"' in result.body
    assert "新增健身器材12件" in result.body


def test_result_dates_and_text_are_checked(geo, personas, catalog):
    no_review(geo.village_committee)
    decision = walk(start(geo, personas), personas.village_official)
    decision = services.decision_publish(decision=decision, actor=personas.village_official)
    with pytest.raises(ValidationError) as excinfo:
        services.decision_result_publish(
            decision=decision, text=" ", completed_on=days_ago(26), actor=personas.village_official
        )
    assert errors_of(excinfo) == {
        "text": ["请填写实施结果。"],
        "completed_on": [f"完成日期不能早于决议日期（{days_ago(25).isoformat()}）。"],
    }
    with pytest.raises(ValidationError) as excinfo:
        services.decision_result_publish(
            decision=decision,
            text="完工",
            completed_on=days_ago(-1),
            actor=personas.village_official,
        )
    assert errors_of(excinfo)["completed_on"] == ["完成日期不能晚于今天。"]


def test_with_review_the_disclosure_waits_for_the_reviewer(geo, personas, catalog):
    # No setting: review is required by default.
    decision = walk(start(geo, personas), personas.village_official)
    decision = services.decision_publish(decision=decision, actor=personas.village_official)
    assert decision.status == DecisionStatus.PUBLISHED
    pending = Record.objects.get(pk=decision.decision_record_id)
    assert pending.status == RecordStatus.IN_REVIEW
    # The result waits until the decision itself is out.
    with pytest.raises(DomainError, match="待审核"):
        services.decision_result_publish(
            decision=decision,
            text="完工",
            completed_on=days_ago(1),
            actor=personas.village_official,
        )
    reviewer = UserFactory(username="village_reviewer", full_name="何芳")
    people.membership_grant(
        user=reviewer,
        unit=geo.village_committee,
        role=MembershipRole.REVIEWER,
        actor=personas.platform_admin,
    )
    record_approve(record=pending, actor=reviewer)
    decision = services.decision_result_publish(
        decision=decision, text="完工", completed_on=days_ago(1), actor=personas.village_official
    )
    assert Record.objects.get(pk=decision.result_record_id).status == RecordStatus.IN_REVIEW


def test_without_the_village_catalog_publishing_is_refused_plainly(geo, personas):
    decision = walk(start(geo, personas), personas.village_official)
    with pytest.raises(DomainError) as excinfo:
        services.decision_publish(decision=decision, actor=personas.village_official)
    assert excinfo.value.messages == [
        "本单位的标准目录中没有““四议两公开”决议事项和决策过程”事项，无法公开。"
    ]
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.RESOLVED


def test_outsiders_cannot_publish(geo, personas, catalog):
    decision = walk(start(geo, personas), personas.village_official)
    for outsider in (personas.township_official, other_village_official(geo, personas)):
        with pytest.raises(DomainError):
            services.decision_publish(decision=decision, actor=outsider)
    assert not Record.objects.exists()


def test_a_long_title_still_fits_the_record(geo, personas, catalog):
    no_review(geo.village_committee)
    decision = walk(start(geo, personas, title="长" * 200), personas.village_official)
    decision = services.decision_publish(decision=decision, actor=personas.village_official)
    title = Record.objects.get(pk=decision.decision_record_id).title
    assert len(title) == 200 and title.startswith("关于长") and title.endswith("…的决议公开")


def test_thresholds():
    assert [services.two_thirds(n) for n in (1, 3, 10, 45, 60)] == [1, 2, 7, 30, 40]
    assert [services.more_than_half(n) for n in (1, 2, 48, 100)] == [1, 2, 25, 51]
