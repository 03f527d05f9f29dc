"""GET /api/v1/approval-matters/?region=: the matters in use of the bureaus inside a place,
each with its department and bureau, filtered by department, type and name, paginated in
a bounded number of queries; a missing or bad place is a 400 that says why in Chinese."""

import pytest

from services.models import ApprovalMatter, GuideStatus, ServiceGuide
from services.services import approvals as services
from tests.services import approvals_fixtures
from tests.services.approvals_fixtures import make_matter

approvals = approvals_fixtures.approvals

pytestmark = pytest.mark.django_db

LIST = "/api/v1/approval-matters/"


def test_each_matter_names_its_department_and_bureau(api, geo, approvals, guides):
    matter = make_matter(approvals, guide=guides.city_wide)
    body = api.get(LIST, {"region": geo.county.code}).json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": matter.pk,
            "code": "510118-WJ-0001",
            "name": "公共场所卫生许可",
            "matter_type": "licensing",
            "matter_type_label": "行政许可",
            "department": {"id": approvals.health.pk, "name": "新津区卫生健康局"},
            "bureau": {"id": approvals.bureau.pk, "name": "新津区行政审批局"},
            "legal_limit_days": 20,
            "promised_limit_days": 5,
            "fees": "不收费",
            "materials": ["卫生许可证申请表", "营业执照复印件", "卫生管理制度"],
            "guide": guides.city_wide.pk,
        }
    ]


def test_the_guide_is_given_only_while_published(api, geo, approvals, guides):
    make_matter(approvals, guide=guides.city_wide)
    ServiceGuide.objects.filter(pk=guides.city_wide.pk).update(status=GuideStatus.WITHDRAWN)
    row = api.get(LIST, {"region": geo.county.code}).json()["results"][0]
    assert row["guide"] is None


def test_the_region_is_the_place_and_everything_inside_it(api, geo, approvals):
    make_matter(approvals)
    make_matter(approvals, bureau=approvals.other_bureau, department=approvals.other_bureau)
    names = lambda code: [  # noqa: E731
        row["bureau"]["name"] for row in api.get(LIST, {"region": code}).json()["results"]
    ]
    assert names(geo.county.code) == ["新津区行政审批局"]
    assert names(geo.other_county.code) == ["锦江区行政审批局"]
    assert sorted(names(geo.city.code)) == ["新津区行政审批局", "锦江区行政审批局"]
    assert names(geo.township.code) == []  # the bureau sits at the county, above it


def test_only_matters_in_use_are_listed(api, geo, approvals):
    matter = make_matter(approvals)
    services.matter_deactivate(matter=matter, actor=approvals.official)
    assert api.get(LIST, {"region": geo.county.code}).json()["count"] == 0


def test_filters_by_department_type_and_name(api, geo, approvals):
    licence = make_matter(approvals)
    filing = make_matter(
        approvals, approvals.market, name="食品小作坊登记", matter_type="filing", code="X-2"
    )
    ids = lambda **query: [  # noqa: E731
        row["id"] for row in api.get(LIST, {"region": geo.county.code, **query}).json()["results"]
    ]
    assert ids(department=approvals.market.pk) == [filing.pk]
    assert ids(type="licensing") == [licence.pk]
    assert ids(q="作坊") == [filing.pk]
    assert ids(q="x-2") == [filing.pk]  # a matter's code, whole
    assert ids(q="卫生", type="filing") == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({}, "region", "请用 region 指定地区：12位行政区划代码，例如 510118000000。"),
        ({"region": "5101"}, "region", "应为12位行政区划代码，例如 510118000000。"),
        ({"region": "510118999000"}, "region", "没有代码为 510118999000 的行政区划。"),
        ({"department": "卫健局"}, "department", "department 应为单位编号（整数）。"),
        ({"department": "999999"}, "department", "没有编号为 999999 的单位。"),
        ({"type": "permit"}, "type", "没有“permit”这种事项类型。"),
        ({"q": "长" * 51}, "q", "查询词不能超过 50 个字。"),
    ],
)
def test_bad_queries_are_a_400_in_words(api, geo, query, field, message):
    if "region" not in query and field != "region":
        query = {"region": geo.county.code, **query}
    response = api.get(LIST, query)
    assert response.status_code == 400
    assert response.json()[field] == [message]


def test_the_list_is_paginated_in_bounded_queries(
    api, geo, approvals, guides, django_assert_max_num_queries
):
    for number in range(60):
        department = approvals.health if number % 2 else approvals.market
        make_matter(approvals, department, name=f"第{number}号事项", guide=guides.city_wide)
    # The place and the department are looked up, then the page is counted and read.
    with django_assert_max_num_queries(4):
        body = api.get(LIST, {"region": geo.county.code, "department": approvals.health.pk}).json()
    assert body["count"] == 30
    with django_assert_max_num_queries(3):
        body = api.get(LIST, {"region": geo.county.code}).json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"]
    # Department by department, then by name.
    departments = [row["department"]["name"] for row in body["results"]]
    assert departments == sorted(
        departments, key=["新津区卫生健康局", "新津区市场监督管理局"].index
    )
    assert ApprovalMatter.objects.count() == 60


def test_the_schema_documents_the_endpoint(client):
    text = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/approval-matters/" in text
