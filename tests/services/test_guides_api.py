"""GET /api/v1/service-guides/ and /api/v1/service-guides/<id>/: the guides that apply in
a place, by category and search, paginated in bounded queries; one guide in full; bad
filters are a 400 with the field's error in Chinese, drafts and withdrawn guides 404."""

import pytest
from django.urls import reverse

from services.services import guides as services
from tests.services.conftest import make_guide, make_overdue

pytestmark = pytest.mark.django_db

LIST = "/api/v1/service-guides/"


def test_the_list_gives_each_guides_summary(api, geo, guides):
    body = api.get(LIST, {"region": geo.village.code, "category": "assistance"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row == {
        "id": guides.township.pk,
        "name": "五津街道城乡居民最低生活保障申请",
        "category": "assistance",
        "category_label": "社会救助",
        "lowest_tier": "township",
        "lowest_tier_label": "乡镇（街道）",
        "unit": {"id": geo.township_office.pk, "name": "新津区五津街道办事处"},
        "region": {"code": geo.township.code, "name": "五津街道"},
        "legal_limit_days": 30,
        "promised_limit_days": 15,
        "fees": "不收费",
        "verified_on": guides.township.verified_on.isoformat(),
    }


def test_the_list_is_what_applies_in_the_place(api, geo, guides):
    def names(**query):
        return {row["name"] for row in api.get(LIST, query).json()["results"]}

    assert names(region=geo.village.code) == {
        "城乡居民基本养老保险参保登记",
        "五津街道城乡居民最低生活保障申请",
        "居住证明开具",
    }
    assert names(region=geo.other_village.code) == {
        "城乡居民基本养老保险参保登记",
        "和平社区停车位申请",
    }
    assert "失业登记" not in names()  # a draft
    assert names(q="居住证明") == {"居住证明开具"}


def test_bad_filters_are_a_400_in_chinese(api, db):
    response = api.get(LIST, {"category": "sports"})
    assert response.status_code == 400
    assert response.json()["category"] == ["没有“sports”这个服务类别。"]
    response = api.get(LIST, {"region": "5101"})
    assert response.status_code == 400 and "12位行政区划代码" in response.json()["region"][0]
    response = api.get(LIST, {"region": "510118999999"})
    assert response.status_code == 400
    assert response.json()["region"] == ["没有代码为 510118999999 的行政区划。"]


def test_the_list_is_paginated_in_bounded_queries(
    api, geo, personas, django_assert_max_num_queries
):
    for number in range(60):
        make_guide(geo.township_office, personas.township_official, name=f"第{number}号事项")
    with django_assert_max_num_queries(3):
        body = api.get(LIST, {"region": geo.village.code}).json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"]


def test_the_detail_has_materials_steps_and_where(api, geo, guides):
    guide = guides.city_wide
    response = api.get(f"{LIST}{guide.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "城乡居民基本养老保险参保登记"
    assert body["lowest_tier_text"] == "在村（社区）即可办理"
    assert body["applies_where"] == "成都市全域通用"
    assert body["verification_overdue"] is False
    assert body["applicants"].startswith("年满16周岁")
    assert body["materials"][1] == {
        "position": 2,
        "name": "户口簿",
        "form": "copy",
        "form_label": "复印件",
        "copies": 2,
        "note": "首页和本人页",
    }
    assert [step["title"] for step in body["steps"]] == ["申请", "受理审核", "办结领取"]
    assert body["office_address"] == "户籍所在地村（社区）便民服务站"
    assert body["office_hours"].startswith("周一至周五")
    assert body["phone"] == "028-12333"
    assert body["online_url"] == "https://www.sczwfw.gov.cn/"
    assert "社会保险法" in body["legal_basis"]
    assert body["url"] == reverse("service-guide", args=[guide.pk])
    assert body["print_url"] == reverse("service-guide-print", args=[guide.pk])
    assert body["unit"] == {"id": guides.city_bureau.pk, "name": "成都市人力资源和社会保障局"}


def test_an_overdue_guide_says_so(api, guides):
    make_overdue(guides.village)
    assert api.get(f"{LIST}{guides.village.pk}/").json()["verification_overdue"] is True


def test_drafts_withdrawn_and_unknown_are_404(api, personas, guides):
    services.guide_withdraw(
        guide=guides.township, reason="事项调整", actor=personas.township_official
    )
    for pk in (guides.draft.pk, guides.township.pk, 999999):
        assert api.get(f"{LIST}{pk}/").status_code == 404


def test_the_schema_describes_the_endpoints(api, db):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/service-guides/"]["get"]
    assert {"category", "region", "q", "page"} <= {p["name"] for p in operation["parameters"]}
    assert "/api/v1/service-guides/{id}/" in schema["paths"]
    detail = schema["components"]["schemas"]["GuideDetail"]["properties"]
    assert {"materials", "steps", "office_address", "url", "print_url"} <= set(detail)
