"""The proxy service's API contract: POST /api/v1/proxy-requests/ and the tracking GET."""

import re

import pytest

from services.models import ProxyRequest
from services.services import proxy as services
from tests.services import proxy_fixtures
from tests.services.proxy_fixtures import PHONE, submit

pytestmark = pytest.mark.django_db
proxy = proxy_fixtures.proxy
URL = "/api/v1/proxy-requests/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def payload(proxy, **overrides):
    return {
        "guide": proxy.village_guide.pk,
        "region": proxy.village.code,
        "name": "王芳",
        "phone": PHONE,
        "detail": "请帮我父亲办理高龄津贴。",
        **overrides,
    }


def test_submit_returns_the_receipt(api, proxy, calendar_2026):
    response = api.post(URL, payload(proxy), format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "tracking_code",
        "query_code",
        "received_at",
        "due_at",
        "due_is_provisional",
        "agent_unit",
    }
    assert body["agent_unit"] == {
        "id": proxy.geo.village_committee.pk,
        "name": "平岗社区居民委员会",
        "phone": "028-82510001",  # the unit has no phone of its own: the guide's
    }
    item = ProxyRequest.objects.get(tracking_code=body["tracking_code"])
    assert item.query_code == body["query_code"] and body["due_is_provisional"] is False
    # The same request again is answered with the first one.
    again = api.post(URL, payload(proxy), format="json")
    assert again.status_code == 201 and again.json()["tracking_code"] == body["tracking_code"]


def test_township_matter_names_the_township_office(api, proxy, calendar_2026):
    response = api.post(URL, payload(proxy, guide=proxy.township_guide.pk), format="json")
    assert response.json()["agent_unit"]["name"] == "新津区五津街道办事处"


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"phone": "12345"}, {"phone"}),
        ({"region": "510118001000"}, {"region"}),  # a township, not a village
        ({"region": "abc"}, {"region"}),
        ({"guide": 999999}, {"guide"}),
        ({"guide": "abc"}, {"guide"}),
        ({"name": "", "detail": ""}, {"name", "detail"}),
    ],
)
def test_field_errors_are_400_in_chinese(api, proxy, calendar_2026, overrides, fields):
    response = api.post(URL, payload(proxy, **overrides), format="json")
    assert response.status_code == 400
    body = response.json()
    assert fields <= set(body)
    assert all(CHINESE.search(message) for field in fields for message in body[field])
    assert not ProxyRequest.objects.exists()


def test_missing_guide_is_400_in_chinese(api, proxy, calendar_2026):
    data = payload(proxy)
    del data["guide"]
    response = api.post(URL, data, format="json")
    assert response.status_code == 400 and CHINESE.search(response.json()["guide"][0])


def test_rate_limited_is_429(api, proxy, calendar_2026, settings):
    settings.SERVICES_PROXY_RATE_PER_IP = 1
    assert api.post(URL, payload(proxy), format="json").status_code == 201
    response = api.post(URL, payload(proxy, phone="13800000001", detail="另一件事"), format="json")
    assert response.status_code == 429
    assert "提交过于频繁" in response.json()["detail"]


def test_track_needs_both_codes(api, proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village)
    url = f"{URL}{item.tracking_code}/"
    assert api.get(url).status_code == 404
    assert api.get(url, {"query_code": "000000"}).status_code == 404
    assert api.get(f"{URL}NOSUCHCODE/", {"query_code": item.query_code}).status_code == 404
    response = api.get(url, {"query_code": item.query_code})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "received" and body["status_label"] == "已受理"
    assert body["guide"] == {"id": proxy.village_guide.pk, "name": "高龄津贴申请"}
    assert body["region"]["code"] == proxy.village.code
    assert [event["status"] for event in body["events"]] == ["received"]
    assert body["due_at"] and "phone" not in body and "name" not in body


def test_rating_through_the_api(api, proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village)
    url = f"{URL}{item.tracking_code}/rating/"
    early = api.post(url, {"query_code": item.query_code, "rating": "satisfied"}, format="json")
    assert early.status_code == 409
    item = services.proxy_request_take(proxy_request=item, actor=proxy.village_agent)
    services.proxy_request_finish(proxy_request=item, actor=proxy.village_agent, note="已办好")
    wrong = api.post(url, {"query_code": "000000", "rating": "satisfied"}, format="json")
    assert wrong.status_code == 404
    bad = api.post(url, {"query_code": item.query_code, "rating": "great"}, format="json")
    assert bad.status_code == 400 and CHINESE.search(bad.json()["rating"][0])
    ok = api.post(url, {"query_code": item.query_code, "rating": "basic"}, format="json")
    assert ok.status_code == 200 and ok.json()["rating"] == "basic"
    twice = api.post(url, {"query_code": item.query_code, "rating": "satisfied"}, format="json")
    assert twice.status_code == 409


def test_owner_rates_with_a_token(api, proxy, calendar_2026):
    resident = proxy.personas.resident
    item, _ = submit(proxy.village_guide, proxy.village, user=resident)
    services.proxy_request_return(proxy_request=item, actor=proxy.village_agent, reason="不符合")
    url = f"{URL}{item.tracking_code}/rating/"
    client = api.as_user(proxy.personas.citizen)
    assert client.post(url, {"rating": "basic"}, format="json").status_code == 404
    client = api.as_user(resident)
    assert client.post(url, {"rating": "basic"}, format="json").status_code == 200
