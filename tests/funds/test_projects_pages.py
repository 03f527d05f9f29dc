"""The public project pages: the list inside a place with each project's money, one
project with its timeline, money, masked payees, acceptances, evaluation and
rectification, and its documents served privately."""

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.models import Stage
from funds.services import projects as services
from tests.funds.test_projects_helpers import (
    UNSATISFIED,
    accepted,
    approved,
    evaluate,
    implementing,
    make_project,
    make_residents,
    pay,
)

pytestmark = pytest.mark.django_db

LIST = reverse("fund-projects")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_shows_each_projects_money(client, geo, personas, money):
    project = implementing(geo, personas, money)  # 50 000 of 180 000
    page = html(client.get(LIST, {"region": geo.county.code}))
    assert "新津区村级专项资金项目" in page
    assert reverse("fund-project", args=[project.pk]) in page
    assert "180000.00 元" in page and "50000.00 元" in page and "130000.00 元" in page
    assert "已拨付预算的 27.8%" in page
    assert 'width="27.8"' in page  # the bar
    assert "平岗社区" in page  # a link to the place inside


def test_the_list_is_narrowed_by_place_year_stage_and_category(client, geo, personas, money):
    ours = make_project(geo, personas, money, name="文化广场改造")
    last_year = make_project(geo, personas, money, name="去年的路灯", year=ours.year - 1)
    assert "去年的路灯" not in html(client.get(LIST, {"year": ours.year}))
    assert "文化广场改造" not in html(client.get(LIST, {"year": last_year.year}))
    assert "文化广场改造" not in html(client.get(LIST, {"region": geo.other_county.code}))
    assert "文化广场改造" in html(client.get(LIST, {"stage": "proposed", "category": "culture"}))
    assert "文化广场改造" not in html(client.get(LIST, {"stage": "approved"}))
    assert client.get(LIST, {"region": "510118999999"}).status_code == 404
    assert client.get(LIST, {"stage": "finished"}).status_code == 404


def test_the_list_is_paginated_in_bounded_queries(
    client, geo, personas, money, django_assert_max_num_queries
):
    for number in range(25):
        make_project(geo, personas, money, name=f"第{number}号项目", budget=1000)
    with django_assert_max_num_queries(8):
        first = html(client.get(LIST, {"region": geo.village.code}))
    assert "共 25 个项目" in first and "第 1 / 2 页" in first


def test_a_cancelled_project_shows_its_reason(client, geo, personas, money):
    project = make_project(geo, personas, money)
    services.project_cancel(
        project=project, reason="群众意见较大，重新议决。", actor=personas.village_official
    )
    assert "群众意见较大，重新议决。" in html(client.get(LIST))
    page = html(client.get(reverse("fund-project", args=[project.pk])))
    assert "该项目已撤销。" in page and "群众意见较大，重新议决。" in page


def test_the_project_page_shows_the_timeline_and_the_money(client, geo, personas, money):
    project = approved(geo, personas, money)
    pay(project, money, 8_000, payee="王建国", person=True)
    pay(project, money, 42_000)
    page = html(client.get(reverse("fund-project", args=[project.pk])))
    assert "平岗社区文化广场改造" in page
    # The timeline: done, current, to come.
    assert page.count("已完成") == 2 and "当前阶段" in page and page.count("待进行") == 3
    assert timezone.localdate().isoformat() in page
    # The money: approved, disbursed, remaining.
    assert "180000.00 元" in page and "50000.00 元" in page and "130000.00 元" in page
    assert "市级专项资金" in page and "100000.00" in page
    # Payees: a person masked, a company by name.
    assert "王**" in page and "王建国" not in page
    assert "新津建工有限公司" in page
    assert reverse("decision", args=[money.decision.pk]) in page


def test_the_project_page_in_bounded_queries(
    client, geo, personas, money, django_assert_max_num_queries
):
    project = implementing(geo, personas, money)
    for _ in range(5):
        pay(project, money, 1000)
    with django_assert_max_num_queries(14):
        html(client.get(reverse("fund-project", args=[project.pk])))


def test_evaluation_and_rectification_on_the_page(client, geo, personas, money):
    project = accepted(geo, personas, money)
    round = evaluate(project, personas, make_residents(geo, 3), UNSATISFIED)
    services.rectifications_scan()
    page = html(client.get(reverse("fund-project", args=[project.pk])))
    assert reverse("evaluation", args=[round.pk]) in page
    assert "多数评议人不满意，须整改。" in page
    assert "待村（社区）答复整改情况" in page
    assert "验收合格" in page


def test_an_unknown_project_is_a_404(client, db):
    assert client.get(reverse("fund-project", args=[999])).status_code == 404


def test_documents_are_served_safely_and_not_once_cancelled(
    client, geo, personas, money, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    project = make_project(geo, personas, money)
    document = services.stage_document_add(
        stage=project.stages.get(stage=Stage.PROPOSED),
        title="村民代表会议决议",
        name="决议.pdf",
        data=PDF,
        actor=personas.village_official,
    )
    url = reverse("fund-project-document", args=[document.token])
    assert url in html(client.get(reverse("fund-project", args=[project.pk])))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "attachment" in response["Content-Disposition"]
    services.project_cancel(project=project, reason="重新议决。", actor=personas.village_official)
    assert client.get(url).status_code == 404
    assert client.get(reverse("fund-project-document", args=["0" * 32])).status_code == 404
