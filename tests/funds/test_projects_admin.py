"""Special-fund projects in the back office, through the real admin views: the village
proposes with its funding lines, the township approves, the centre pays; each is offered
only its own steps, a refusal is a form error, and each sees only the projects in scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funds.models import (
    Disbursement,
    FundProject,
    Rectification,
    Stage,
    StageDocument,
    VillageAllocation,
)
from funds.services import projects as services
from tests.funds.test_projects_helpers import (
    UNSATISFIED,
    YEAR,
    accepted,
    approved,
    evaluate,
    implementing,
    make_project,
    make_residents,
)

pytestmark = pytest.mark.django_db

ADMIN = "/admin/funds/fundproject/"
ADD = f"{ADMIN}add/"
# The management forms of the read-only rows under a project, as the page sends them.
ROWS = {
    f"{prefix}-{name}": "0"
    for prefix in ("stages", "disbursements", "acceptances", "rectifications")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
NO_FUNDING = {"funding-TOTAL_FORMS": "0", "funding-INITIAL_FORMS": "0"}


def change_url(project) -> str:
    return f"{ADMIN}{project.pk}/change/"


def action(name: str, **fields) -> dict:
    return {**ROWS, **NO_FUNDING, "action": name, **fields}


def test_the_village_proposes_with_funding_lines(client, geo, personas, money):
    client.force_login(personas.village_official)
    assert client.get(ADD).status_code == 200
    form = {
        "unit": geo.village_committee.pk,
        "year": YEAR,
        "name": "平岗社区文化广场改造",
        "category": "culture",
        "description": "改造广场地面、照明和健身器材。",
        "budget": "180000",
        "decision": money.decision.pk,
        "funding-TOTAL_FORMS": "2",
        "funding-INITIAL_FORMS": "0",
        "funding-0-source": "city",
        "funding-0-amount": "100000",
        "funding-1-source": "village",
        "funding-1-amount": "70000",
    }
    refused = client.post(ADD, form)
    assert refused.status_code == 200
    assert "各项资金来源合计170,000.00元，应等于预算180,000.00元。" in refused.content.decode()
    assert not FundProject.objects.exists()
    response = client.post(ADD, {**form, "funding-1-amount": "80000"})
    assert response.status_code == 302, response.content.decode()[:2000]
    project = FundProject.objects.get()
    assert project.created_by == personas.village_official and project.stage == Stage.PROPOSED
    assert sorted(project.funding.values_list("source", flat=True)) == ["city", "village"]


def test_the_township_cannot_propose(client, personas, money):
    client.force_login(personas.township_official)
    assert client.get(ADD).status_code == 403


def test_the_township_approves_and_refusals_are_form_errors(client, geo, personas, money):
    undecided = make_project(geo, personas, money, decision=None)
    client.force_login(personas.township_official)
    page = client.get(change_url(undecided)).content.decode()
    assert 'value="approve"' in page and 'value="disburse"' not in page
    refused = client.post(change_url(undecided), action("approve"))
    assert refused.status_code == 200
    assert "没有村民（代表）会议决议，不能立项" in refused.content.decode()
    assert FundProject.objects.get(pk=undecided.pk).stage == Stage.PROPOSED

    project = make_project(geo, personas, money, name="健身步道", budget=50_000)
    done = client.post(change_url(project), action("approve", note="符合年度计划。"))
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.APPROVED
    assert project.stages.get(stage=Stage.APPROVED).note == "符合年度计划。"


def test_the_village_may_not_approve_through_the_admin(client, geo, personas, money):
    project = make_project(geo, personas, money)
    client.force_login(personas.village_official)
    page = client.get(change_url(project)).content.decode()
    assert 'value="approve"' not in page and 'value="cancel"' in page
    response = client.post(change_url(project), action("approve"))
    assert response.status_code == 200  # not a choice offered: the form refuses it
    assert FundProject.objects.get(pk=project.pk).stage == Stage.PROPOSED


def test_the_centre_pays_and_the_budget_holds(client, geo, personas, money):
    project = approved(geo, personas, money, budget=100_000)
    client.force_login(money.accountant)
    payment = {
        "paid_on": timezone.localdate().isoformat(),
        "payee": "新津建工有限公司",
        "purpose": "工程进度款",
    }
    over = client.post(change_url(project), action("disburse", amount="100000.01", **payment))
    assert over.status_code == 200
    assert "超出预算：已拨付0.00元，剩余100,000.00元。" in over.content.decode()
    missing = client.post(change_url(project), action("disburse", amount="", **payment))
    assert "请填写拨付金额。" in missing.content.decode()
    assert not Disbursement.objects.exists()
    done = client.post(change_url(project), action("disburse", amount="60000", **payment))
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.disbursed == 60_000 and project.stage == Stage.IMPLEMENTING


def test_who_sees_which_projects(client, geo, personas, money, django_assert_max_num_queries):
    make_project(geo, personas, money, name="第0号项目", budget=1000)
    users = (
        personas.village_official,
        personas.township_official,
        money.accountant,
        personas.county_supervisor,
    )
    few = {}
    for user in users:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert "第0号项目" in client.get(ADMIN).content.decode(), user
        few[user.pk] = len(queries)
    for number in range(1, 25):
        make_project(geo, personas, money, name=f"第{number}号项目", budget=1000)
    for user in users:
        client.force_login(user)
        # The sidebar asks every app's admin about the person; the rows cost nothing more.
        with django_assert_max_num_queries(few[user.pk]):
            assert "第24号项目" in client.get(ADMIN).content.decode(), user
    client.force_login(personas.other_county_official)
    page = client.get(ADMIN)
    assert page.status_code == 200 and "第24号项目" not in page.content.decode()
    project = FundProject.objects.first()
    assert client.get(change_url(project)).status_code in (302, 403, 404)


def test_a_supervisor_reads_without_acting(client, geo, personas, money):
    project = approved(geo, personas, money)
    client.force_login(personas.county_supervisor)
    page = client.get(change_url(project))
    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()
    assert client.post(change_url(project), action("disburse")).status_code == 403


def test_allocations_are_kept_by_platform_admins(client, geo, personas, money):
    allocation = VillageAllocation.objects.get()
    url = f"/admin/funds/villageallocation/{allocation.pk}/change/"
    client.force_login(personas.township_official)
    assert client.get("/admin/funds/villageallocation/").status_code == 200
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"region": geo.village.code, "year": YEAR, "amount": "1"}).status_code
        == 403
    )
    client.force_login(personas.other_county_official)
    assert client.get(url).status_code in (302, 403, 404)
    client.force_login(personas.platform_admin)
    response = client.post(url, {"region": geo.village.code, "year": YEAR, "amount": "350000"})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.amount == 350_000


def test_acceptance_publication_and_documents_through_the_admin(
    client, geo, personas, money, catalog, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    project = implementing(geo, personas, money)
    client.force_login(personas.township_official)
    today = timezone.localdate().isoformat()
    assert client.get(change_url(project)).status_code == 200
    done = client.post(
        change_url(project),
        action(
            "accept",
            inspected_on=today,
            inspectors="五津街道规划建设办",
            result="passed",
            final_accounts="176000",
            note="符合设计要求。",
        ),
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    project.refresh_from_db()
    assert project.stage == Stage.ACCEPTED
    upload = SimpleUploadedFile("验收报告.pdf", PDF, content_type="application/pdf")
    done = client.post(
        change_url(project),
        action("document", stage_choice="accepted", document=upload, document_title="验收报告"),
    )
    assert done.status_code == 302
    document = StageDocument.objects.get()
    assert document.title == "验收报告" and document.file.read() == PDF
    stored = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(stored) == 1  # the trial run left no file behind

    client.force_login(personas.village_official)
    page = client.get(change_url(project)).content.decode()
    assert 'value="evaluate"' in page and 'value="publish"' in page
    done = client.post(change_url(project), action("publish", stage_choice="accepted"))
    assert done.status_code == 302
    assert project.stages.get(stage=Stage.ACCEPTED).record.item.level2 == (
        "专项资金项目实施、验收和群众评议"
    )
    again = client.post(change_url(project), action("publish", stage_choice="accepted"))
    assert again.status_code == 200 and "该阶段已经公开" in again.content.decode()


def test_rectification_answered_and_closed_through_the_admin(client, geo, personas, money):
    project = accepted(geo, personas, money)
    evaluate(project, personas, make_residents(geo, 3), UNSATISFIED)
    services.rectifications_scan()
    client.force_login(personas.township_official)
    page = client.get(change_url(project)).content.decode()
    assert 'value="close_rectification"' not in page and 'value="close"' not in page
    client.force_login(personas.village_official)
    empty = client.post(change_url(project), action("answer", note=""))
    assert empty.status_code == 200 and "请填写整改情况。" in empty.content.decode()
    done = client.post(change_url(project), action("answer", note="已更换破损地砖。"))
    assert done.status_code == 302
    client.force_login(personas.township_official)
    done = client.post(change_url(project), action("close_rectification", note="整改到位。"))
    assert done.status_code == 302
    done = client.post(change_url(project), action("close"))
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.CLOSED
    assert Rectification.objects.get().closed_by == personas.township_official
