"""GET /api/v1/fund-projects/ and /api/v1/fund-projects/<id>/: the same answers as the
pages, payees who are persons masked, paginated lists in bounded queries."""

import pytest
from django.urls import reverse

from funds.services import projects as services
from tests.funds.test_projects_helpers import (
    UNSATISFIED,
    accepted,
    approved,
    evaluate,
    make_project,
    make_residents,
    pay,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/fund-projects/"


def test_the_list_gives_budget_disbursed_and_stage(api, geo, personas, money):
    project = approved(geo, personas, money)
    pay(project, money, 50_000)
    body = api.get(LIST, {"region": geo.county.code}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == project.pk and row["name"] == "平岗社区文化广场改造"
    assert row["budget"] == "180000.00" and row["disbursed"] == "50000.00"
    assert row["remaining"] == "130000.00"
    assert row["stage"] == "implementing" and row["stage_label"] == "实施"
    assert row["region"]["code"] == geo.village.code
    assert row["unit"]["name"] == "平岗社区居民委员会"


def test_the_list_is_filtered_by_subtree_and_year(api, geo, personas, money):
    ours = make_project(geo, personas, money)
    make_project(geo, personas, money, name="去年的路灯", year=ours.year - 1)
    assert api.get(LIST, {"region": geo.other_county.code}).json()["count"] == 0
    assert api.get(LIST, {"region": geo.township.code}).json()["count"] == 2
    rows = api.get(LIST, {"region": geo.township.code, "year": ours.year}).json()["results"]
    assert [row["id"] for row in rows] == [ours.pk]
    assert api.get(LIST, {"stage": "approved"}).json()["count"] == 0


def test_bad_filters_are_a_400(api, db):
    assert api.get(LIST, {"region": "5101"}).status_code == 400
    assert api.get(LIST, {"region": "510118999999"}).status_code == 400
    assert api.get(LIST, {"year": "abc"}).status_code == 400
    assert api.get(LIST, {"stage": "finished"}).status_code == 400


def test_the_list_is_paginated_in_bounded_queries(
    api, geo, personas, money, django_assert_max_num_queries
):
    for number in range(60):
        make_project(geo, personas, money, name=f"第{number}号项目", budget=1000)
    with django_assert_max_num_queries(4):
        body = api.get(LIST, {"region": geo.county.code}).json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"]


def test_the_detail_has_timeline_money_and_masked_payees(api, geo, personas, money):
    project = approved(geo, personas, money)
    pay(project, money, 8_000, payee="王建国", person=True)
    pay(project, money, 42_000)
    response = api.get(f"{LIST}{project.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["money"] == {
        "budget": "180000.00",
        "disbursed": "50000.00",
        "remaining": "130000.00",
        "percent": "27.8",
        "special_funds": "180000.00",
    }
    assert [line["source"] for line in body["funding"]] == ["city", "county"]
    assert [(d["payee"], d["amount"]) for d in body["disbursements"]] == [
        ("王**", "8000.00"),
        ("新津建工有限公司", "42000.00"),
    ]
    assert "王建国" not in response.content.decode()
    states = [(item["stage"], item["state"]) for item in body["timeline"]]
    assert states == [
        ("proposed", "done"),
        ("approved", "done"),
        ("implementing", "current"),
        ("accepted", "todo"),
        ("evaluated", "todo"),
        ("closed", "todo"),
    ]
    assert body["timeline"][1]["reached_at"] and body["timeline"][3]["reached_at"] is None
    assert body["decision"]["id"] == money.decision.pk
    assert body["decision"]["url"] == reverse("decision", args=[money.decision.pk])
    assert body["evaluation"] is None and body["rectifications"] == []


def test_the_detail_after_evaluation(api, geo, personas, money):
    project = accepted(geo, personas, money)
    round = evaluate(project, personas, make_residents(geo, 3), UNSATISFIED)
    services.rectifications_scan()
    body = api.get(f"{LIST}{project.pk}/").json()
    assert body["stage"] == "evaluated"
    assert body["acceptances"][0]["result"] == "passed"
    assert body["evaluation"]["round"] == round.pk
    assert body["evaluation"]["url"] == reverse("evaluation", args=[round.pk])
    assert (body["evaluation"]["unsatisfied"], body["evaluation"]["basic"]) == (2, 1)
    assert body["evaluation"]["majority_unsatisfied"] is True
    assert [item["state"] for item in body["rectifications"]] == ["open"]


def test_a_cancelled_project_keeps_its_reason(api, geo, personas, money):
    project = make_project(geo, personas, money)
    services.project_cancel(project=project, reason="重新议决。", actor=personas.village_official)
    body = api.get(f"{LIST}{project.pk}/").json()
    assert body["stage"] == "cancelled" and body["cancel_reason"] == "重新议决。"
    assert body["timeline"][-1]["state"] == "cancelled"


def test_an_unknown_project_is_a_404(api, db):
    assert api.get(f"{LIST}999/").status_code == 404


def test_the_schema_describes_the_endpoints(api, db):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/fund-projects/" in schema["paths"]
    assert "/api/v1/fund-projects/{id}/" in schema["paths"]
