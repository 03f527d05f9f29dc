import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_children_of_a_place(geo, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api.get("/api/v1/regions/", {"parent": "510100000000"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert set(first) >= {"code", "name", "tier"}
    assert [r["code"] for r in body["results"]] == ["510104000000", "510118000000"]
    assert first["tier"] == "county"


def test_region_subtree_filter(geo, api):
    response = api.get("/api/v1/regions/", {"region": "510118000000"})
    assert [r["code"] for r in response.json()["results"]] == [
        "510118000000",
        "510118001000",
        "510118001001",
    ]


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"parent": "5101"}, "parent", "12位"),
        ({"parent": "999999999999"}, "parent", "没有代码"),
        ({"parent": "510105000000"}, "parent", "没有代码"),
        ({"tier": "planet"}, "tier", ""),
    ],
)
def test_bad_filters_are_400_in_chinese(geo, api, params, field, fragment):
    response = api.get("/api/v1/regions/", params)
    assert response.status_code == 400
    assert field in response.json()
    assert fragment in response.json()[field][0]


def test_region_detail_with_ancestors(geo, api):
    response = api.get("/api/v1/regions/510118001001/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "平岗社区" and body["tier"] == "village"
    assert [a["code"] for a in body["ancestors"]] == [
        "510100000000",
        "510118000000",
        "510118001000",
    ]
    assert api.get("/api/v1/regions/510118009009/").status_code == 404
    assert api.get("/api/v1/regions/abc/").status_code == 404


def test_units_by_region_and_kind(geo, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api.get(
            "/api/v1/units/", {"region": "510118000000", "kind": "village_committee"}
        )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [u["name"] for u in results] == ["平岗社区居民委员会"]
    assert results[0]["region"]["code"] == "510118001001"
    everything = api.get("/api/v1/units/", {"region": "510118000000"}).json()
    assert everything["count"] == 3
    assert api.get("/api/v1/units/", {"kind": "bank"}).status_code == 400


def test_unit_list_pagination(geo, api):
    response = api.get("/api/v1/units/", {"page_size": 2})
    body = response.json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]


def test_inactive_units_are_not_listed(geo, api):
    geo.county_bureau.is_active = False
    geo.county_bureau.save()
    assert api.get(f"/api/v1/units/{geo.county_bureau.pk}/").status_code == 404
    names = [u["name"] for u in api.get("/api/v1/units/").json()["results"]]
    assert "新津区教育局" not in names


def test_workday_calculator(calendar_2026, api):
    response = api.get("/api/v1/workdays/add/", {"date": "2026-09-28", "days": "5"})
    assert response.status_code == 200
    assert response.json() == {"date": "2026-10-10", "provisional": False}
    provisional = api.get("/api/v1/workdays/add/", {"date": "2026-12-28", "days": "5"}).json()
    assert provisional["provisional"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2026-13-01", "days": "5"}, "date"),
        ({"date": "28/09/2026", "days": "5"}, "date"),
        ({"date": "2026-09-28", "days": "-1"}, "days"),
        ({"date": "2026-09-28", "days": "five"}, "days"),
        ({"date": "2026-09-28", "days": "100000"}, "days"),
        ({"days": "5"}, "date"),
    ],
)
def test_workday_calculator_rejects_bad_input(calendar_2026, api, params, field):
    response = api.get("/api/v1/workdays/add/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_english_error_messages_when_asked(geo, api):
    response = api.get("/api/v1/regions/", {"parent": "5101"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "12" in response.json()["parent"][0]


def test_token_auth_for_officials(personas, api):
    response = api.post(
        "/api/v1/auth/token/", {"username": "village_official", "password": "Pw-for-tests-2026"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == personas.village_official
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["units"][0]["name"] == "平岗社区居民委员会" and me["units"][0]["role"] == "admin"
    anonymous = APIClient().get("/api/v1/me/")
    assert anonymous.status_code in (401, 403)


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/regions/", "/api/v1/units/", "/api/v1/workdays/add/"):
        assert path in text
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_the_api_schema_generates_without_warnings(tmp_path):
    """Every endpoint documents its fields and enums unambiguously: drf-spectacular
    refuses (exit 1) on any warning or error, such as two names for one choice set."""
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    assert "/api/v1/info-requests/" in text and "/api/v1/service-guides/" in text
    assert "ParticipationStatusEnum" in text
