"""四议两公开 in the back office: the village's officials start a decision, record its
steps and publish it through the real admin views; others cannot."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure.models import PublishingSetting, RecordStatus
from participation.models import Decision, DecisionStatus, DecisionStep, StepKind
from tests.participation.test_decisions_helpers import (
    STEPS,
    days_ago,
    other_village_official,
    start,
    walk,
)

pytestmark = pytest.mark.django_db

ADD = "/admin/participation/decision/add/"


def change_url(decision) -> str:
    return f"/admin/participation/decision/{decision.pk}/change/"


# The management form of the read-only steps inline, as the page sends it.
INLINE = {"steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0"}


def step_form(kind, **overrides) -> dict:
    fields = {**STEPS[kind], "outcome": "passed", **overrides}
    fields["held_on"] = days_ago(fields["held_on"]).isoformat()
    return {**INLINE, "action": "step", "kind": kind, **fields}


def test_official_starts_a_decision_in_the_admin(client, geo, personas):
    client.force_login(personas.village_official)
    assert client.get(ADD).status_code == 200
    refused = client.post(ADD, {"unit": geo.village_committee.pk, "title": "", "category": "x"})
    assert refused.status_code == 200 and not Decision.objects.exists()
    response = client.post(
        ADD,
        {
            "unit": geo.village_committee.pk,
            "title": "平岗社区文化广场改造",
            "matter": "改造文化广场。",
            "category": "project",
            "amount": "186000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = Decision.objects.get()
    assert decision.created_by == personas.village_official
    assert decision.region_id == geo.village.code


def test_steps_are_recorded_in_order_and_refusals_shown(client, geo, personas):
    decision = start(geo, personas)
    client.force_login(personas.village_official)
    page = client.get(change_url(decision)).content.decode()
    assert "党支部提议" in page and 'name="action"' in page
    # Out of order: the form says so and nothing is written.
    refused = client.post(change_url(decision), step_form(StepKind.PARTY_REVIEW))
    assert refused.status_code == 200
    assert "下一个环节是“党支部提议”" in refused.content.decode()
    assert not DecisionStep.objects.exists()
    for kind in (StepKind.PROPOSAL, StepKind.CONSULTATION):
        assert client.post(change_url(decision), step_form(kind)).status_code == 302
    short = client.post(change_url(decision), step_form(StepKind.PARTY_REVIEW, attended=29))
    assert short.status_code == 200
    html = short.content.decode()
    assert "党员大会应到45人，实到须不少于30人（三分之二）。" in html
    assert 'value="29"' in html  # what the official typed is kept
    assert DecisionStep.objects.count() == 2
    assert client.post(change_url(decision), step_form(StepKind.PARTY_REVIEW)).status_code == 302
    assert client.post(change_url(decision), step_form(StepKind.RESOLUTION)).status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.RESOLVED
    page = client.get(change_url(decision)).content.decode()
    # The four steps, read-only, in the inline.
    assert 'id="steps-3"' in page and 'id="steps-4"' not in page
    assert 'name="steps-0-held_on"' not in page


def test_publishing_both_disclosures_from_the_admin(client, geo, personas, catalog):
    PublishingSetting.objects.create(unit=geo.village_committee, requires_review=False)
    decision = walk(start(geo, personas), personas.village_official)
    client.force_login(personas.village_official)
    early = client.post(
        change_url(decision),
        {
            **INLINE,
            "action": "result",
            "result_text": "完工",
            "completed_on": days_ago(1).isoformat(),
        },
    )
    assert early.status_code == 200 and "决议公开后才能公开实施结果" in early.content.decode()
    assert client.post(change_url(decision), {**INLINE, "action": "publish"}).status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PUBLISHED
    assert decision.decision_record.status == RecordStatus.PUBLISHED
    missing = client.post(change_url(decision), {**INLINE, "action": "result", "result_text": ""})
    html = missing.content.decode()
    assert "请填写实施结果。" in html and "请填写完成日期。" in html
    response = client.post(
        change_url(decision),
        {
            **INLINE,
            "action": "result",
            "result_text": "完工",
            "completed_on": days_ago(1).isoformat(),
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE and decision.result_record is not None


def test_a_refusal_of_the_disclosure_services_is_a_form_error(client, geo, personas):
    # No standard catalogs loaded: the village has no item to publish under.
    decision = walk(start(geo, personas), personas.village_official)
    client.force_login(personas.village_official)
    response = client.post(change_url(decision), {**INLINE, "action": "publish"})
    assert response.status_code == 200
    assert "无法公开" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.RESOLVED


def test_township_and_other_village_officials_cannot_act(client, geo, personas):
    decision = start(geo, personas)
    client.force_login(personas.township_official)
    assert client.get(ADD).status_code == 403  # runs no village committee
    neighbour = other_village_official(geo, personas)
    for outsider in (personas.township_official, neighbour):
        client.force_login(outsider)
        assert client.get(change_url(decision)).status_code == 404  # as if missing
        client.post(change_url(decision), step_form(StepKind.PROPOSAL))
    assert not DecisionStep.objects.exists()
    # The neighbour may start decisions of their own village only.
    client.force_login(neighbour)
    refused = client.post(
        ADD,
        {
            "unit": geo.village_committee.pk,
            "title": "冒名事项",
            "matter": "……",
            "category": "other",
        },
    )
    assert refused.status_code == 200 and not Decision.objects.filter(title="冒名事项").exists()


def test_supervisor_reads_but_cannot_act(client, geo, personas):
    decision = walk(start(geo, personas), personas.village_official, upto=StepKind.PROPOSAL)
    client.force_login(personas.county_supervisor)
    listing = client.get("/admin/participation/decision/")
    assert [d.pk for d in listing.context["cl"].result_list] == [decision.pk]
    page = client.get(change_url(decision))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert 'name="action"' not in page.content.decode()
    assert 'id="steps-0"' in page.content.decode()
    assert client.post(change_url(decision), step_form(StepKind.CONSULTATION)).status_code == 403
    assert DecisionStep.objects.count() == 1


def test_admin_list_is_scoped_and_its_queries_do_not_grow(
    client, geo, personas, django_assert_max_num_queries
):
    start(geo, personas, title="事项")
    client.force_login(personas.village_official)
    client.get("/admin/participation/decision/")  # warm the per-user caches
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/participation/decision/")
    for number in range(14):
        start(geo, personas, title=f"事项{number}")
    # The admin's own overhead (the sidebar asks every registered model) is constant.
    with django_assert_max_num_queries(len(one)):
        listing = client.get("/admin/participation/decision/")
    assert len(listing.context["cl"].result_list) == 15
    client.force_login(other_village_official(geo, personas))
    assert not client.get("/admin/participation/decision/").context["cl"].result_list
