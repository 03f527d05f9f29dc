"""The public pages of the approval bureau: its catalog grouped by original department
with the figures computed from the data, filters that say what is wrong, and the projects
under the commitment system with the published scheme, the counts per stage and each
project's three dated steps. Lists are read in a bounded number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from services.models import GuideStatus, ServiceGuide
from services.services import approvals as services
from tests.services import approvals_fixtures
from tests.services.approvals_fixtures import make_matter, make_project

approvals = approvals_fixtures.approvals

pytestmark = pytest.mark.django_db

CATALOG = reverse("approval-matters")
COMMITMENT = reverse("commitment-projects")


def _text(response) -> str:
    """The page's text without tags, spaces folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" （", "（")


def _catalog(approvals) -> None:
    make_matter(approvals)
    make_matter(
        approvals,
        name="医疗机构执业登记",
        legal_limit_days=45,
        promised_limit_days=15,
        materials="申请书\n房屋产权证明\n执业人员资格证明\n规章制度",
        code="",
    )
    make_matter(
        approvals,
        approvals.market,
        name="食品小作坊登记",
        matter_type="filing",
        legal_limit_days=0,
        promised_limit_days=0,
        fees="免费",
        materials="登记申请表",
        code="",
    )


def test_the_catalog_is_grouped_by_department_with_figures_from_the_data(client, geo, approvals):
    _catalog(approvals)
    response = client.get(CATALOG, {"region": geo.county.code})
    assert response.status_code == 200
    text = _text(response)
    assert "新津区行政审批局" in text
    assert "集中 3 项审批事项，涉及 2 个部门" in text
    assert "承诺时限合计比法定时限缩短 69%" in text  # (65 - 20) / 65
    assert "新津区卫生健康局（2项）" in text and "新津区市场监督管理局（1项）" in text
    # Each matter: its type, the two limits and the days saved, the fees, the materials.
    assert "医疗机构执业登记 行政许可" in text
    assert "法定时限 45 个工作日 承诺时限 15 个工作日 提速 少等 30 个工作日" in text
    assert "食品小作坊登记 行政备案" in text and "法定时限 即办 承诺时限 即办" in text
    assert "收费： 免费" in text
    assert "申请材料（4 项） 申请书 房屋产权证明 执业人员资格证明 规章制度" in text
    # Departments are listed by name, each group under its own heading.
    html = response.content.decode()
    assert html.index("新津区卫生健康局（2项）") < html.index("新津区市场监督管理局（1项）")
    assert reverse("commitment-projects") + f"?region={geo.county.code}" in html


def test_the_catalog_is_filtered_by_department_type_and_name(client, geo, approvals):
    _catalog(approvals)
    query = {"region": geo.county.code}
    by_department = _text(client.get(CATALOG, {**query, "department": approvals.market.pk}))
    assert "找到 1 项" in by_department and "食品小作坊登记" in by_department
    assert "医疗机构执业登记" not in by_department
    # The summary still counts the whole catalog.
    assert "集中 3 项审批事项，涉及 2 个部门" in by_department
    by_type = _text(client.get(CATALOG, {**query, "type": "licensing"}))
    assert "找到 2 项" in by_type and "食品小作坊登记" not in by_type
    by_name = _text(client.get(CATALOG, {**query, "q": "医疗"}))
    assert "找到 1 项" in by_name and "新津区卫生健康局（1项）" in by_name
    nothing = _text(client.get(CATALOG, {**query, "q": "不存在的事项"}))
    assert "没有符合条件的事项。" in nothing


def test_a_bad_filter_says_what_is_wrong(client, geo, approvals):
    _catalog(approvals)
    response = client.get(
        CATALOG,
        {"region": geo.county.code, "department": approvals.other_bureau.pk, "type": "permit"},
    )
    assert response.status_code == 400
    text = _text(response)
    assert "所选部门在本地区的审批事项目录中没有事项，请重新选择。" in text
    assert "请从列表中选择事项类型。" in text
    assert "医疗机构执业登记" not in text


def test_the_place_is_the_subtree_and_a_township_is_pointed_to_its_county(client, geo, approvals):
    _catalog(approvals)
    make_matter(approvals, bureau=approvals.other_bureau, department=approvals.other_bureau)
    other = _text(client.get(CATALOG, {"region": geo.other_county.code}))
    assert "锦江区行政审批局" in other and "医疗机构执业登记" not in other
    city = _text(client.get(CATALOG, {"region": geo.city.code}))
    assert "集中 3 项审批事项，涉及 2 个部门" in city
    assert "集中 1 项审批事项，涉及 1 个部门" in city
    village = client.get(CATALOG, {"region": geo.village.code})
    assert village.status_code == 200
    assert "平岗社区的审批事项由新津区行政审批局集中办理。" in _text(village)
    assert f'href="{CATALOG}?region={geo.county.code}"' in village.content.decode()


def test_without_a_place_the_bureaus_are_listed_and_a_wrong_place_is_a_404(client, geo, approvals):
    _catalog(approvals)
    index = client.get(CATALOG)
    assert index.status_code == 200
    assert "新津区行政审批局 集中 3 项审批事项，涉及 2 个部门" in _text(index)
    assert client.get(CATALOG, {"region": "510118999000"}).status_code == 404
    assert client.get(CATALOG, {"region": "abc"}).status_code == 404
    assert client.get(COMMITMENT).status_code == 200


def test_deactivated_matters_are_not_shown(client, geo, approvals):
    matter = make_matter(approvals)
    services.matter_deactivate(matter=matter, actor=approvals.official)
    text = _text(client.get(CATALOG, {"region": geo.county.code}))
    assert "公共场所卫生许可" not in text
    assert "该地区暂无行政审批局公布事项目录。" in text


def test_the_guide_is_linked_while_published(client, geo, approvals, guides):
    make_matter(approvals, guide=guides.city_wide)
    url = reverse("service-guide", args=[guides.city_wide.pk])
    html = client.get(CATALOG, {"region": geo.county.code}).content.decode()
    assert f'href="{url}"' in html and "查看办事指南" in html
    ServiceGuide.objects.filter(pk=guides.city_wide.pk).update(status=GuideStatus.WITHDRAWN)
    html = client.get(CATALOG, {"region": geo.county.code}).content.decode()
    assert f'href="{url}"' not in html


def test_the_catalog_is_paged_in_bounded_queries(
    client, geo, approvals, django_assert_max_num_queries
):
    for number in range(70):
        department = approvals.health if number < 60 else approvals.market
        make_matter(approvals, department, name=f"事项{number:02d}", code="")
    with django_assert_max_num_queries(8):
        first = client.get(CATALOG, {"region": geo.county.code})
    assert "集中 70 项审批事项，涉及 2 个部门" in _text(first)
    with django_assert_max_num_queries(9):
        second = client.get(CATALOG, {"region": geo.county.code, "page": 2})
    text = _text(second)
    # The health bureau's 60 matters run over onto the second page.
    assert "新津区卫生健康局（60项）（续）" in text and "新津区市场监督管理局（10项）" in text
    assert "事项59" in text and "事项00" not in text
    with django_assert_max_num_queries(9):
        client.get(CATALOG, {"region": geo.county.code, "type": "licensing", "page": 2})


def test_pages_keep_to_the_content_security_policy(client, geo, approvals):
    _catalog(approvals)
    make_project(approvals, geo.county)
    for url in (CATALOG, COMMITMENT):
        html = client.get(url, {"region": geo.county.code}).content.decode()
        assert "style=" not in html and "<script" not in html
        assert "services/approvals.css" in html


# --- The commitment system ------------------------------------------------------------------


def _projects(geo, approvals):
    committed = make_project(approvals, geo.county, name="新津区智能制造产业园标准厂房")
    building = make_project(
        approvals,
        geo.township,
        name="五津街道农产品冷链仓储中心",
        investor="成都五津冷链有限公司",
        investment="8600.5",
        committed_on=dt.date(2026, 2, 10),
    )
    services.project_advance(
        project=building, stage="building", on=dt.date(2026, 3, 15), actor=approvals.official
    )
    inspected = make_project(
        approvals, geo.county, name="天府农博园游客中心", committed_on=dt.date(2025, 11, 3)
    )
    services.project_advance(
        project=inspected, stage="building", on=dt.date(2025, 11, 20), actor=approvals.official
    )
    services.project_advance(
        project=inspected, stage="inspected", on=dt.date(2026, 9, 30), actor=approvals.official
    )
    hidden = make_project(approvals, geo.county, name="未公开的项目", is_public=False)
    return committed, building, inspected, hidden


def test_the_commitment_page_shows_the_scheme_counts_and_timelines(client, geo, approvals):
    services.scheme_publish(
        bureau=approvals.bureau,
        actor=approvals.official,
        title="新津区企业投资项目承诺制实施办法",
        standards="符合国土空间规划和产业政策。\n企业书面承诺达到环保、安全、节能标准。",
        steps="企业提交承诺书\n审批局审查承诺材料\n企业开工建设\n竣工后联合验收",
    )
    _projects(geo, approvals)
    response = client.get(COMMITMENT, {"region": geo.county.code})
    assert response.status_code == 200
    text = _text(response)
    assert "新津区企业投资项目承诺制实施办法" in text
    assert "企业书面承诺达到环保、安全、节能标准。" in text
    assert "办理流程 企业提交承诺书 审批局审查承诺材料 企业开工建设 竣工后联合验收" in text
    assert "全部 3 已承诺 1 开工建设 1 竣工验收 1" in text
    assert "未公开的项目" not in text
    assert (
        "五津街道农产品冷链仓储中心 建设单位 成都五津冷链有限公司 总投资 8600.50 万元 "
        "项目所在地 五津街道 ✓ 已承诺 2026-02-10 2 开工建设 2026-03-15 3 竣工验收 待进行"
    ) in text
    assert "✓ 开工建设 2025-11-20 ✓ 竣工验收 2026-09-30" in text
    html = response.content.decode()
    assert 'aria-current="step"' in html
    assert f"{CATALOG}?region={geo.county.code}" in html


def test_the_projects_are_filtered_by_stage(client, geo, approvals):
    _projects(geo, approvals)
    text = _text(client.get(COMMITMENT, {"region": geo.county.code, "stage": "building"}))
    assert "五津街道农产品冷链仓储中心" in text and "天府农博园游客中心" not in text
    bad = client.get(COMMITMENT, {"region": geo.county.code, "stage": "done"})
    assert bad.status_code == 400 and "请从列表中选择项目进度。" in _text(bad)


def test_a_township_shows_its_projects_under_its_county_scheme(client, geo, approvals):
    services.scheme_publish(
        bureau=approvals.bureau,
        actor=approvals.official,
        title="新津区企业投资项目承诺制实施办法",
        standards="先建后验。",
        steps="承诺\n开工\n验收",
    )
    _projects(geo, approvals)
    text = _text(client.get(COMMITMENT, {"region": geo.township.code}))
    assert "新津区企业投资项目承诺制实施办法" in text
    assert "全部 1 已承诺 0 开工建设 1 竣工验收 0" in text
    elsewhere = _text(client.get(COMMITMENT, {"region": geo.other_county.code}))
    assert "新津区企业投资项目承诺制实施办法" not in elsewhere and "暂无项目。" in elsewhere


def test_an_unpublished_scheme_is_not_shown(client, geo, approvals):
    from services.models import CommitmentScheme

    CommitmentScheme.objects.create(
        bureau=approvals.bureau, title="草拟中的办法", standards="……", steps="……"
    )
    assert "草拟中的办法" not in _text(client.get(COMMITMENT, {"region": geo.county.code}))


def test_the_project_list_is_read_in_bounded_queries(
    client, geo, approvals, django_assert_max_num_queries
):
    for number in range(30):
        make_project(approvals, geo.township, name=f"项目{number}")
    with django_assert_max_num_queries(8):
        response = client.get(COMMITMENT, {"region": geo.county.code})
    assert "全部 30 已承诺 30" in _text(response)
    assert "第 1 / 2 页" in _text(response)
