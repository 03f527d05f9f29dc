"""The back office of evaluations: an official sets up a round, adds its subjects and
publishes in one go; refusals become form errors; cancelling needs a reason; ratings and
comments are read-only, for the unit and its supervisors, after the window; flags are a
read-only list."""

import datetime as dt

import pytest
from django.utils import timezone

from participation.models import EvaluationRound, RoundStatus
from participation.services import evaluations as services
from tests.participation.test_evaluations_helpers import (
    after,
    cadre,
    during,
    make_round,
    past_round,
    rate,
    rate_many,
    subject,
)

pytestmark = pytest.mark.django_db

ROUNDS = "/admin/participation/evaluationround/"
EVALUATIONS = "/admin/participation/evaluation/"
FLAGS = "/admin/participation/evaluationflag/"


def _local(moment: dt.datetime) -> tuple[str, str]:
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def round_fields(geo, *, opens, closes, **overrides) -> dict:
    opens_date, opens_time = _local(opens)
    closes_date, closes_time = _local(closes)
    return {
        "title": "平岗社区2026年度干部民主评议",
        "year": "2026",
        "description": "",
        "opens_at_0": opens_date,
        "opens_at_1": opens_time,
        "closes_at_0": closes_date,
        "closes_at_1": closes_time,
        "eligibility": "residents",
        "electorate_region": geo.village.code,
        "body": "",
        **overrides,
    }


def inline(rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        "subjects-TOTAL_FORMS": str(len(rows)),
        "subjects-INITIAL_FORMS": str(initial),
        "subjects-MIN_NUM_FORMS": "0",
        "subjects-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"subjects-{index}-{key}"] = value
    return data


def errors_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def window():
    now = timezone.now()
    return {"opens": now + dt.timedelta(days=1), "closes": now + dt.timedelta(days=10)}


def test_an_official_sets_up_adds_subjects_and_publishes_in_one_go(client, geo, personas, window):
    wang = cadre("cadre_wang", "王建华")
    client.force_login(personas.village_official)
    response = client.post(
        f"{ROUNDS}add/",
        {"unit": str(geo.village_committee.pk), **round_fields(geo, **window)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    round = EvaluationRound.objects.get()
    assert round.status == RoundStatus.DRAFT and round.created_by == personas.village_official
    page = client.get(f"{ROUNDS}{round.pk}/change/").content.decode()
    assert 'name="subjects-0-official"' in page and "发布（发布后评议对象和设置不能再改）" in page
    response = client.post(
        f"{ROUNDS}{round.pk}/change/",
        {
            **round_fields(geo, **window),
            "workflow": "publish",
            **inline(
                [
                    {"kind": "official", "official": "cadre_wang", "role": "居委会主任"},
                    {"kind": "project", "identifier": "XJ-2026-003", "name": "平岗路硬化工程"},
                ]
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    round.refresh_from_db()
    assert round.status == RoundStatus.PUBLISHED
    assert list(round.subjects.values_list("subject_key", "name", "role")) == [
        (f"official:{wang.pk}", "王建华", "居委会主任"),
        ("project:XJ-2026-003", "平岗路硬化工程", ""),
    ]


def test_refusals_become_form_errors_and_nothing_is_saved(client, geo, personas, window):
    client.force_login(personas.village_official)
    round = make_round(geo, personas, publish=False, subjects=[], **{})
    # Publishing without subjects: refused beside the workflow choice.
    body = errors_of(
        client.post(
            f"{ROUNDS}{round.pk}/change/",
            {**round_fields(geo, **window), "workflow": "publish", **inline([])},
        )
    )
    assert "请至少添加一个评议对象" in body
    # An unknown user name and a place outside the unit: each said beside its field,
    # and the title typed meanwhile is not saved.
    body = errors_of(
        client.post(
            f"{ROUNDS}{round.pk}/change/",
            {
                **round_fields(
                    geo, **window, title="改过的名称", electorate_region=geo.other_village.code
                ),
                "workflow": "publish",
                **inline([{"kind": "official", "official": "nobody"}]),
            },
        )
    )
    assert "没有这个用户名的在用账号" in body
    body = errors_of(
        client.post(
            f"{ROUNDS}{round.pk}/change/",
            {
                **round_fields(
                    geo, **window, title="改过的名称", electorate_region=geo.other_village.code
                ),
                **inline([{"kind": "service", "identifier": "S1", "name": "便民服务"}]),
            },
        )
    )
    assert "参与地区应在本单位所在地区范围内" in body
    round.refresh_from_db()
    assert round.title != "改过的名称" and round.status == RoundStatus.DRAFT
    assert not round.subjects.exists()


def test_a_subject_already_evaluated_this_year_is_refused_on_its_row(client, geo, personas, window):
    wang = cadre("cadre_wang", "王建华")
    make_round(geo, personas, subjects=[{"kind": "official", "official": wang}])
    draft = make_round(geo, personas, publish=False, subjects=[], title="第二次评议")
    client.force_login(personas.village_official)
    body = errors_of(
        client.post(
            f"{ROUNDS}{draft.pk}/change/",
            {
                **round_fields(geo, **window, title="第二次评议"),
                **inline([{"kind": "official", "official": "cadre_wang"}]),
            },
        )
    )
    assert "每个对象每年只评议一次" in body
    assert not draft.subjects.exists()


def test_cancelling_needs_a_reason(client, geo, personas):
    round = make_round(geo, personas)
    client.force_login(personas.village_official)
    body = errors_of(
        client.post(
            f"{ROUNDS}{round.pk}/change/", {"workflow": "cancel", "workflow_note": "", **inline([])}
        )
    )
    assert "取消评议须说明原因" in body
    response = client.post(
        f"{ROUNDS}{round.pk}/change/",
        {"workflow": "cancel", "workflow_note": "时间冲突", **inline([])},
    )
    assert response.status_code == 302
    round.refresh_from_db()
    assert round.status == RoundStatus.CANCELLED and round.cancel_reason == "时间冲突"
    assert client.get(f"{ROUNDS}{round.pk}/change/").status_code == 200  # view only now


def test_outsiders_do_not_see_the_round_and_supervisors_only_read_it(client, geo, personas):
    round = make_round(geo, personas)
    client.force_login(personas.other_county_official)
    assert round.title not in client.get(ROUNDS).content.decode()
    assert client.get(f"{ROUNDS}{round.pk}/change/").status_code == 404  # as if missing
    client.force_login(personas.county_supervisor)
    assert round.title in client.get(ROUNDS).content.decode()
    assert client.get(f"{ROUNDS}{round.pk}/change/").status_code == 200
    response = client.post(
        f"{ROUNDS}{round.pk}/change/",
        {"workflow": "cancel", "workflow_note": "监督人员取消", **inline([])},
    )
    assert response.status_code == 403
    round.refresh_from_db()
    assert round.status == RoundStatus.PUBLISHED


def test_ratings_and_comments_are_read_only_after_the_window(client, geo, personas, village):
    ended = past_round(
        geo, personas, 2025, subjects=[{"kind": "service", "identifier": "S1", "name": "便民服务"}]
    )
    rate(
        ended,
        subject(ended),
        personas.resident,
        "unsatisfied",
        now=during(ended),
        comment="窗口经常没人",
    )
    running = make_round(
        geo, personas, subjects=[{"kind": "service", "identifier": "S2", "name": "环境卫生"}]
    )
    rate(running, subject(running), personas.resident, "basic", comment="垃圾清运不及时")
    client.force_login(personas.village_official)
    body = client.get(EVALUATIONS).content.decode()
    assert "窗口经常没人" in body
    assert "垃圾清运不及时" not in body  # still open: nobody watches it as it goes
    assert "evaluator" not in body and personas.resident.full_name not in body
    client.force_login(personas.county_supervisor)
    assert "窗口经常没人" in client.get(EVALUATIONS).content.decode()
    client.force_login(personas.other_county_official)
    assert "窗口经常没人" not in client.get(EVALUATIONS).content.decode()


def test_results_and_flags_are_read_only_in_the_back_office(client, geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    for year in (2025, 2026):
        round = past_round(
            geo,
            personas,
            year,
            subjects=[{"kind": "official", "official": wang}],
            title=f"{year}年度评议",
        )
        rate_many(round, subject(round), village.residents, ["unsatisfied"] * 4, now=during(round))
        services.round_close(round=round, now=after(round))
    client.force_login(personas.village_official)
    page = client.get(f"{ROUNDS}{round.pk}/change/").content.decode()
    assert "4（100.0%）" in page and "连续两年多数不满意" in page
    flags = client.get(FLAGS).content.decode()
    assert "王建华" in flags
    client.force_login(personas.county_supervisor)
    assert "王建华" in client.get(FLAGS).content.decode()
    client.force_login(personas.other_county_official)
    assert "王建华" not in client.get(FLAGS).content.decode()
