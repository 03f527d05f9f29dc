"""四议两公开 through the public doors: the list and the timeline page, and the API."""

import pytest

from disclosure.models import PublishingSetting, Record
from disclosure.services import record_approve
from participation.models import Outcome, StepKind
from participation.services import decisions as services
from portal.models import MembershipRole
from portal.services import people
from tests.factories import UserFactory
from tests.participation.test_decisions_helpers import (
    days_ago,
    other_village_official,
    record,
    start,
    walk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def decisions(geo, personas):
    """One decision at each stage in 平岗社区, and one in 和平社区 (another county)."""
    official = personas.village_official
    at_review = walk(start(geo, personas, title="村道硬化"), official, upto=StepKind.CONSULTATION)
    rejected = walk(
        start(geo, personas, title="出租集体厂房"), official, upto=StepKind.CONSULTATION
    )
    record(
        rejected,
        official,
        StepKind.PARTY_REVIEW,
        votes_for=5,
        votes_against=25,
        abstained=2,
        outcome=Outcome.REJECTED,
    )
    resolved = walk(start(geo, personas, title="文化广场改造"), official)
    elsewhere = services.decision_create(
        unit=geo.other_village_committee,
        title="和平社区停车位划线",
        matter="……",
        category="project",
        actor=other_village_official(geo, personas),
    )
    return {
        "at_review": at_review,
        "rejected": rejected,
        "resolved": resolved,
        "elsewhere": elsewhere,
    }


# --- Pages --------------------------------------------------------------------------------


def test_list_is_filtered_by_place_and_status(client, decisions):
    page = client.get("/decisions/", {"region": "510118001000"}).content.decode()
    assert "村道硬化" in page and "文化广场改造" in page and "出租集体厂房" in page
    assert "和平社区停车位划线" not in page
    assert "五津街道“四议两公开”事项" in page
    assert "待党员大会审议" in page  # where the first one stands
    rejected = client.get(
        "/decisions/", {"region": "510118000000", "status": "rejected"}
    ).content.decode()
    assert "出租集体厂房" in rejected and "村道硬化" not in rejected
    everywhere = client.get("/decisions/").content.decode()
    assert "和平社区停车位划线" in everywhere


def test_list_refuses_unknown_places_and_filters(client, decisions):
    assert client.get("/decisions/", {"region": "999999999999"}).status_code == 404
    assert client.get("/decisions/", {"region": "510118001009"}).status_code == 404
    assert client.get("/decisions/", {"status": "nonsense"}).status_code == 404
    assert client.get("/decisions/", {"unit": "999999"}).status_code == 404


def test_list_page_queries_do_not_grow_with_decisions(
    client, geo, personas, decisions, django_assert_max_num_queries
):
    for number in range(20):
        walk(
            start(geo, personas, title=f"事项{number}"),
            personas.village_official,
            upto=StepKind.CONSULTATION,
        )
    with django_assert_max_num_queries(8):
        response = client.get("/decisions/", {"region": "510118000000"})
    assert response.status_code == 200


def test_timeline_shows_the_steps_done_current_and_to_come(client, decisions):
    page = client.get(f"/decisions/{decisions['at_review'].pk}/").content.decode()
    assert page.count('class="decision-step step-done"') == 2
    assert 'class="decision-step step-current" aria-current="step"' in page
    assert page.count('class="decision-step step-todo"') == 1
    assert "应到 7 人，实到 7 人" in page
    assert "党员大会须有三分之二以上的党员到会" in page
    assert "事项形成决议后公开决议内容和决策过程" in page
    assert 'aria-label="当前位置"' in page and 'href="/regions/510118001001/"' in page


def test_timeline_of_a_resolved_decision(client, decisions):
    page = client.get(f"/decisions/{decisions['resolved'].pk}/").content.decode()
    assert page.count('class="decision-step step-done"') == 4
    assert "应到 45 人，实到 32 人" in page and "（到会须不少于 30 人）" in page
    assert "赞成 41 票，反对 4 票，弃权 3 票" in page
    assert "村（居）民代表会议" in page
    assert "186000.00 元" in page


def test_a_rejected_decision_says_it_ended(client, decisions):
    page = client.get(f"/decisions/{decisions['rejected'].pk}/").content.decode()
    assert "该事项未获通过，议决程序已经结束。" in page
    assert 'class="decision-step step-not_held"' in page
    assert 'id="disclosures-heading"' not in page


def test_unknown_decision_is_404(client, decisions):
    assert client.get("/decisions/999999/").status_code == 404


def test_disclosure_links_only_once_published(client, geo, personas, catalog, decisions):
    decision = services.decision_publish(
        decision=decisions["resolved"], actor=personas.village_official
    )
    pending = Record.objects.get(pk=decision.decision_record_id)
    page = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert "公开信息正在审核，审核通过后发布" in page
    assert f"/records/{pending.pk}/" not in page
    api = client.get(f"/api/v1/decisions/{decision.pk}/").json()
    assert api["decision_record"] is None and api["decision_record_state"] == "in_review"

    reviewer = UserFactory(username="village_reviewer", full_name="何芳")
    people.membership_grant(
        user=reviewer,
        unit=geo.village_committee,
        role=MembershipRole.REVIEWER,
        actor=personas.platform_admin,
    )
    record_approve(record=pending, actor=reviewer)
    page = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert f'href="/records/{pending.pk}/"' in page
    assert client.get(f"/records/{pending.pk}/").status_code == 200
    api = client.get(f"/api/v1/decisions/{decision.pk}/").json()
    assert api["decision_record"]["id"] == pending.pk
    assert api["decision_record"]["url"] == f"/records/{pending.pk}/"
    assert api["decision_record_state"] == "published"
    assert api["result_record"] is None and api["result_record_state"] == "not_yet"


def test_both_disclosures_linked_when_done(client, geo, personas, catalog, decisions):
    PublishingSetting.objects.create(unit=geo.village_committee, requires_review=False)
    official = personas.village_official
    decision = services.decision_publish(decision=decisions["resolved"], actor=official)
    decision = services.decision_result_publish(
        decision=decision, text="已完工。", completed_on=days_ago(1), actor=official
    )
    page = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert f'href="/records/{decision.decision_record_id}/"' in page
    assert f'href="/records/{decision.result_record_id}/"' in page
    api = client.get(f"/api/v1/decisions/{decision.pk}/").json()
    assert api["status"] == "done"
    assert api["result_record"]["url"] == f"/records/{decision.result_record_id}/"


# --- API ----------------------------------------------------------------------------------


def test_api_list_filters(client, geo, decisions):
    data = client.get("/api/v1/decisions/", {"region": "510118000000"}).json()
    assert {d["title"] for d in data["results"]} == {"村道硬化", "出租集体厂房", "文化广场改造"}
    assert data["count"] == 3
    first = next(d for d in data["results"] if d["title"] == "村道硬化")
    assert first["current_step"] == "party_review" and first["step_count"] == 2
    assert first["url"] == f"/decisions/{decisions['at_review'].pk}/"
    assert first["unit"]["name"] == "平岗社区居民委员会"
    assert first["region"]["code"] == "510118001001"
    by_unit = client.get("/api/v1/decisions/", {"unit": geo.other_village_committee.pk}).json()
    assert [d["title"] for d in by_unit["results"]] == ["和平社区停车位划线"]
    resolved = client.get("/api/v1/decisions/", {"status": "resolved"}).json()
    assert [d["title"] for d in resolved["results"]] == ["文化广场改造"]
    assert resolved["results"][0]["current_step"] is None


def test_api_list_bad_input_is_400(client, decisions):
    response = client.get("/api/v1/decisions/", {"region": "5101", "status": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["region"] == ["应为12位行政区划代码，例如 510118000000。"]
    assert "status" in body


def test_api_list_queries_are_bounded(
    client, geo, personas, decisions, django_assert_max_num_queries
):
    for number in range(20):
        start(geo, personas, title=f"事项{number}")
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/decisions/", {"region": "510118000000"})
    assert response.json()["count"] == 23


def test_api_detail_lists_the_steps(client, decisions):
    data = client.get(f"/api/v1/decisions/{decisions['resolved'].pk}/").json()
    assert [s["kind"] for s in data["steps"]] == [
        "proposal",
        "consultation",
        "party_review",
        "resolution",
    ]
    review = data["steps"][2]
    assert review["expected"] == 45 and review["attended"] == 32
    assert review["attendance_minimum"] == 30
    assert (review["votes_for"], review["votes_against"], review["abstained"]) == (30, 1, 1)
    assert review["outcome"] == "passed" and review["outcome_label"] == "通过"
    resolution = data["steps"][3]
    assert resolution["meeting"] == "representatives" and resolution["attendance_minimum"] == 40
    assert data["steps"][0]["attendance_minimum"] is None
    assert data["status"] == "resolved" and data["decision_record_state"] == "not_yet"
    assert client.get("/api/v1/decisions/999999/").status_code == 404


def test_api_schema_documents_the_paths(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    for path in ("/api/v1/decisions/", "/api/v1/decisions/{id}/"):
        assert path in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/decisions/"]["get"]["parameters"]}
    assert {"region", "unit", "status", "page"} <= parameters
