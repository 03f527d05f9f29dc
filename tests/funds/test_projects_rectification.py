"""The rule of "after": the public evaluation of an accepted project runs as a
participation round; when it closes, the scan moves the project on and, if a majority
was unsatisfied, opens one rectification item that the village answers and the township
closes before the project can be closed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from funds.models import ProjectStage, Rectification, Stage
from funds.services import projects as services
from participation.models import EvaluationRound, Rating, RoundStatus
from participation.services import evaluations
from portal.services.errors import Conflict, NotAllowed
from tests.funds.test_projects_helpers import (
    SATISFIED,
    UNSATISFIED,
    accepted,
    evaluate,
    make_residents,
    stage_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(geo):
    return make_residents(geo, 3)


def test_the_village_starts_the_evaluation_through_participation(geo, personas, money):
    project = accepted(geo, personas, money)
    now = timezone.now()
    round = services.evaluation_start(
        project=project,
        actor=personas.village_official,
        opens_at=now,
        closes_at=now + dt.timedelta(days=7),
    )
    assert round.status == RoundStatus.PUBLISHED and round.unit == geo.village_committee
    assert round.eligibility == "residents" and round.electorate_region == geo.village
    subject = round.subjects.get()
    assert subject.subject_key == f"project:{project.pk}" and subject.name == project.name
    with pytest.raises(Conflict, match="已经发起"):
        services.evaluation_start(
            project=project,
            actor=personas.village_official,
            opens_at=now,
            closes_at=now + dt.timedelta(days=7),
        )
    # The scan leaves a project alone while its round is open.
    assert services.rectifications_scan() == 0
    assert ProjectStage.objects.filter(project=project, stage=Stage.EVALUATED).count() == 0


@pytest.mark.parametrize("who", ["township_official", "other_county_official", "resident"])
def test_only_the_village_starts_it(geo, personas, money, who):
    project = accepted(geo, personas, money)
    now = timezone.now()
    with pytest.raises(NotAllowed):
        services.evaluation_start(
            project=project,
            actor=getattr(personas, who),
            opens_at=now,
            closes_at=now + dt.timedelta(days=7),
        )
    assert not EvaluationRound.objects.exists()


def test_bad_window_is_named(geo, personas, money):
    project = accepted(geo, personas, money)
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.evaluation_start(
            project=project, actor=personas.village_official, opens_at=now, closes_at=now
        )
    assert "closes_at" in caught.value.message_dict


def test_a_majority_unsatisfied_opens_one_rectification(geo, personas, money, residents):
    project = accepted(geo, personas, money)
    round = evaluate(project, personas, residents, UNSATISFIED)
    assert round.status == RoundStatus.CLOSED

    accepted_at = project.stage_since
    assert services.rectifications_scan() == 1
    project.refresh_from_db()
    # The round here closed "in the past", before the acceptance: never before it.
    assert project.stage == Stage.EVALUATED and project.stage_since == accepted_at
    note = project.stages.get(stage=Stage.EVALUATED).note
    assert note == "群众评议结果：满意0人，基本满意1人，不满意2人。多数不满意，已提出整改事项。"
    item = Rectification.objects.get()
    assert item.project == project and item.subject == round.subjects.get()

    # Running again changes nothing.
    assert services.rectifications_scan() == 0
    assert services.rectifications_scan() == 0
    assert Rectification.objects.count() == 1
    assert stage_rows(project).count(Stage.EVALUATED) == 1

    # The township cannot close it before the village answers, nor the project before that.
    with pytest.raises(Conflict, match="答复整改情况后才能销号"):
        services.rectification_close(
            rectification=item, note="同意销号", actor=personas.township_official
        )
    with pytest.raises(Conflict, match="未销号的整改事项"):
        services.project_close(project=project, actor=personas.township_official)

    # The village answers (and only the village).
    with pytest.raises(NotAllowed):
        services.rectification_answer(
            rectification=item, answer="已整改", actor=personas.township_official
        )
    with pytest.raises(ValidationError):
        services.rectification_answer(
            rectification=item, answer=" ", actor=personas.village_official
        )
    item = services.rectification_answer(
        rectification=item,
        answer="已更换破损地砖，增设夜间照明两处。",
        actor=personas.village_official,
    )
    assert item.answered_by == personas.village_official and item.answered_at is not None

    # The township closes it (and only the township).
    with pytest.raises(NotAllowed):
        services.rectification_close(
            rectification=item, note="同意销号", actor=personas.village_official
        )
    item = services.rectification_close(
        rectification=item, note="经现场核查，整改到位。", actor=personas.township_official
    )
    assert item.closed_by == personas.township_official
    with pytest.raises(Conflict, match="已销号"):
        services.rectification_answer(
            rectification=item, answer="补充", actor=personas.village_official
        )

    with pytest.raises(NotAllowed):
        services.project_close(project=project, actor=personas.village_official)
    project = services.project_close(project=project, actor=personas.township_official)
    assert project.stage == Stage.CLOSED
    assert stage_rows(project) == [
        Stage.PROPOSED,
        Stage.APPROVED,
        Stage.IMPLEMENTING,
        Stage.ACCEPTED,
        Stage.EVALUATED,
        Stage.CLOSED,
    ]


def test_a_satisfied_evaluation_needs_no_rectification(geo, personas, money, residents):
    project = accepted(geo, personas, money)
    evaluate(project, personas, residents, SATISFIED)
    assert services.rectifications_scan() == 1
    assert not Rectification.objects.exists()
    project = services.project_close(project=project, actor=personas.township_official)
    assert project.stage == Stage.CLOSED


def test_a_tie_is_not_a_majority(geo, personas, money, residents):
    project = accepted(geo, personas, money)
    evaluate(project, personas, residents, [Rating.UNSATISFIED, Rating.SATISFIED])
    services.rectifications_scan()
    assert not Rectification.objects.exists()


def test_another_units_round_does_not_speak_for_the_project(geo, personas, money, residents):
    """An identifier another unit typed may look like this project's number."""
    project = accepted(geo, personas, money)
    start = timezone.now() - dt.timedelta(days=10)
    round = evaluations.round_create(
        unit=geo.township_office,
        title="五津街道服务评议",
        year=start.year,
        opens_at=start,
        closes_at=start + dt.timedelta(days=7),
        eligibility="residents",
        electorate_region=geo.township,
        actor=personas.township_official,
    )
    evaluations.subject_add(
        round=round,
        kind="project",
        identifier=str(project.pk),
        name="街道项目",
        actor=personas.township_official,
    )
    evaluations.round_publish(
        round=round, actor=personas.township_official, now=start - dt.timedelta(hours=1)
    )
    evaluations.round_close(round=round, now=start + dt.timedelta(days=8))
    assert services.rectifications_scan() == 0
    project.refresh_from_db()
    assert project.stage == Stage.ACCEPTED


def test_evaluated_from_the_moment_the_round_closed(geo, personas, money, residents):
    project = accepted(geo, personas, money)
    now = timezone.now()
    round = services.evaluation_start(
        project=project,
        actor=personas.village_official,
        opens_at=now,
        closes_at=now + dt.timedelta(days=7),
    )
    round = evaluations.round_close(round=round, now=now + dt.timedelta(days=7, minutes=5))
    assert services.rectifications_scan(now=now + dt.timedelta(days=9)) == 1
    project.refresh_from_db()
    assert project.stage_since == round.closed_at
    assert project.stages.get(stage=Stage.EVALUATED).note.startswith("群众评议结果：满意0人")
