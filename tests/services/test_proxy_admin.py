"""The proxy requests in the back office: the same permission answer as the pages."""

import pytest

from services.models import ProxyStatus
from tests.services import proxy_fixtures
from tests.services.proxy_fixtures import PHONE, submit

pytestmark = pytest.mark.django_db
proxy = proxy_fixtures.proxy
LIST = "/admin/services/proxyrequest/"


@pytest.fixture
def two(proxy, calendar_2026):
    mine, _ = submit(proxy.village_guide, proxy.village, detail="平岗的")
    theirs, _ = submit(proxy.village_guide, proxy.neighbour, detail="红岩的")
    return mine, theirs


def test_agent_lists_own_units_requests_and_acts(client, proxy, two):
    mine, theirs = two
    client.force_login(proxy.village_agent)
    text = client.get(LIST).content.decode()
    assert mine.tracking_code in text and theirs.tracking_code not in text
    change = f"{LIST}{mine.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200 and PHONE in page.content.decode()
    response = client.post(change, {"action": "take", "note": ""})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == ProxyStatus.IN_PROGRESS and mine.agent == proxy.village_agent
    refused = client.post(change, {"action": "take", "note": ""})
    assert refused.status_code == 200 and "只有已受理" in refused.content.decode()
    empty_reason = client.post(change, {"action": "return", "note": ""})
    assert "退回须说明原因" in empty_reason.content.decode()
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code in (302, 404)


def test_supervisor_reads_masked_and_cannot_act(client, proxy, two):
    mine, _ = two
    client.force_login(proxy.personas.county_supervisor)
    page = client.get(f"{LIST}{mine.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "139****5678" in text and PHONE not in text and 'name="action"' not in text
    client.post(f"{LIST}{mine.pk}/change/", {"action": "take"})
    mine.refresh_from_db()
    assert mine.status == ProxyStatus.RECEIVED


def test_outsider_sees_nothing(client, proxy, two):
    client.force_login(proxy.personas.other_county_official)
    text = client.get(LIST).content.decode()
    assert all(item.tracking_code not in text for item in two)
    assert client.get(f"{LIST}{two[0].pk}/change/").status_code in (302, 404)
