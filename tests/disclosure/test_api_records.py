import pytest
from rest_framework.test import APIClient

from disclosure.models import CatalogTemplate, PublishingSetting, Record, ScheduleKind
from tests.disclosure.conftest import item_of, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_catalog_list_and_detail(catalog, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        body = api.get("/api/v1/catalogs/").json()
    counts = {c["key"]: c["item_count"] for c in body["results"]}
    assert counts["village"] == 76 and counts["school"] == 35
    village = next(c for c in body["results"] if c["key"] == "village")
    assert village["tier"] == ["village"] and "village_committee" in village["unit_kinds"]
    detail = api.get(f"/api/v1/catalogs/{village['id']}/").json()
    assert len(detail["items"]) == 76
    assert {"level1", "level2", "channels", "schedule", "basis"} <= set(detail["items"][0])


def test_records_list_filters_and_bounded_queries(
    catalog, geo, personas, api, django_assert_max_num_queries
):
    for n in range(12):
        publish(geo.village_committee, personas.village_official, title=f"平岗社区低保公示{n}")
    with django_assert_max_num_queries(4):
        body = api.get("/api/v1/records/", {"region": "510118000000", "q": "低保"}).json()
    assert body["count"] == 12
    assert "<mark>" in (body["results"][0]["excerpt"] or "") or body["results"][0][
        "title"
    ].startswith("平岗")
    assert api.get("/api/v1/records/", {"region": "510104000000"}).json()["count"] == 0
    assert api.get("/api/v1/records/", {"since": "2026-99-01"}).status_code == 400
    assert api.get("/api/v1/records/", {"region": "123"}).status_code == 400


def test_officials_post_records_with_a_token(catalog, geo, personas, api):
    from rest_framework.authtoken.models import Token

    PublishingSetting.objects.create(unit=geo.village_committee, requires_review=False)
    token = Token.objects.create(user=personas.village_official)
    item = item_of(geo.village_committee, kind=ScheduleKind.ON_CHANGE)
    payload = {
        "unit": geo.village_committee.pk,
        "item": item.pk,
        "title": "微信端发布的通知",
        "body": "<p>正文</p>",
        "info_date": "2026-11-02",
        "submit": True,
    }
    assert api.post("/api/v1/records/", payload, format="json").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post("/api/v1/records/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "published"
    bad = api.post(
        "/api/v1/records/", {**payload, "title": "", "info_date": "2026/11/02"}, format="json"
    )
    assert bad.status_code == 400 and {"title", "info_date"} <= set(bad.json())
    foreign = api.post(
        "/api/v1/records/", {**payload, "unit": geo.other_village_committee.pk}, format="json"
    )
    assert foreign.status_code in (400, 403)
    wrong_item = item_of(geo.township_office)
    assert (
        api.post("/api/v1/records/", {**payload, "item": wrong_item.pk}, format="json").status_code
        == 400
    )
    assert Record.objects.count() == 1
    assert CatalogTemplate.objects.exists()
