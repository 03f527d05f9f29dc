"""The supervisors' dashboard of the proxy service: scope, figures per child place, the
overdue list, ratings, drill-down and the XLSX export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.services import people
from services.models import ProxyRequest
from services.services import proxy as services
from tests.factories import UserFactory
from tests.services import proxy_fixtures
from tests.services.proxy_fixtures import PHONE, submit

pytestmark = pytest.mark.django_db
proxy = proxy_fixtures.proxy
DASHBOARD = "/supervision/services/"


@pytest.fixture
def requests_made(proxy, calendar_2026):
    """平岗: one overdue (received), one done and rated 满意, one returned and rated 不满意;
    红岩: one in progress; 和平 (another county): one received."""
    agent = proxy.village_agent
    overdue, _ = submit(proxy.village_guide, proxy.village, detail="超期的")
    past = timezone.now() - dt.timedelta(days=10)
    ProxyRequest.objects.filter(pk=overdue.pk).update(
        received_at=past, due_at=past + dt.timedelta(days=3)
    )
    done, _ = submit(proxy.village_guide, proxy.village, detail="办结的")
    done = services.proxy_request_take(proxy_request=done, actor=agent)
    done = services.proxy_request_finish(proxy_request=done, actor=agent)
    services.proxy_request_rate(proxy_request=done, rating="satisfied", query_code=done.query_code)
    returned, _ = submit(proxy.village_guide, proxy.village, detail="退回的")
    returned = services.proxy_request_return(proxy_request=returned, actor=agent, reason="材料不全")
    services.proxy_request_rate(
        proxy_request=returned, rating="unsatisfied", query_code=returned.query_code
    )
    busy, _ = submit(proxy.village_guide, proxy.neighbour, detail="红岩的")
    services.proxy_request_take(proxy_request=busy, actor=proxy.neighbour_agent)
    elsewhere, _ = submit(proxy.jinjiang_guide, proxy.geo.other_village, detail="锦江的")
    return {"overdue": overdue, "done": done, "returned": returned, "elsewhere": elsewhere}


def test_county_supervisor_sees_figures_overdue_and_ratings(client, proxy, requests_made):
    client.force_login(proxy.personas.county_supervisor)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    context = response.context
    assert context["region"] == proxy.geo.county
    total = context["total"]
    assert (total.total, total.received, total.in_progress, total.done, total.returned) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert total.overdue == 1 and total.rated == 2
    assert str(total.satisfaction_rate) == "50.0" and str(total.average_rating) == "2.00"
    places = {place.name: place.stats.total for place in context["places"]}
    assert places == {"五津街道": 4}
    text = response.content.decode()
    assert reverse("proxy-request", args=[requests_made["overdue"].pk]) in text
    assert reverse("proxy-request", args=[requests_made["elsewhere"].pk]) not in text
    assert "王*" in text and "王芳" not in text and PHONE not in text


def test_drill_down_to_a_township_and_its_villages(client, proxy, requests_made):
    client.force_login(proxy.personas.county_supervisor)
    response = client.get(f"{DASHBOARD}?region={proxy.geo.township.code}")
    places = {place.name: place.stats for place in response.context["places"]}
    assert places["平岗社区"].total == 3 and places["平岗社区"].overdue == 1
    assert places["红岩社区"].in_progress == 1
    assert places["兴园社区"].total == 0
    village = client.get(f"{DASHBOARD}?region={proxy.village.code}")
    assert village.status_code == 200 and village.context["total"].total == 3
    # The request itself, read-only.
    detail = client.get(reverse("proxy-request", args=[requests_made["overdue"].pk]))
    assert detail.status_code == 200 and "接单，开始办理" not in detail.content.decode()


def test_status_filter_lists_only_that_status(client, proxy, requests_made):
    client.force_login(proxy.personas.county_supervisor)
    response = client.get(f"{DASHBOARD}?status=returned")
    listed = list(response.context["list_page"].object_list)
    assert [item.pk for item in listed] == [requests_made["returned"].pk]


@pytest.mark.parametrize(
    "who", ["citizen", "village_official", "township_official", "other_county_official"]
)
def test_people_without_a_scope_get_404(client, proxy, requests_made, who):
    client.force_login(getattr(proxy.personas, who))
    assert client.get(DASHBOARD).status_code == 404


def test_a_place_outside_the_scope_is_404(client, proxy, requests_made):
    client.force_login(proxy.personas.county_supervisor)
    assert client.get(f"{DASHBOARD}?region={proxy.geo.other_county.code}").status_code == 404
    assert client.get(f"{DASHBOARD}?region={proxy.geo.city.code}").status_code == 404
    outside = reverse("proxy-request", args=[requests_made["elsewhere"].pk])
    assert client.get(outside).status_code == 404


def test_anonymous_is_sent_to_login(client, proxy):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_township_supervisor_sees_only_their_township(client, proxy, requests_made):
    township_supervisor = UserFactory(username="wujin_supervisor")
    people.supervisor_grant(
        user=township_supervisor, region=proxy.geo.township, actor=proxy.personas.platform_admin
    )
    client.force_login(township_supervisor)
    response = client.get(DASHBOARD)
    assert response.context["region"] == proxy.geo.township
    assert client.get(f"{DASHBOARD}?region={proxy.geo.county.code}").status_code == 404


def test_platform_admin_sees_the_city(client, proxy, requests_made):
    client.force_login(proxy.personas.platform_admin)
    response = client.get(f"{DASHBOARD}?region={proxy.geo.city.code}")
    assert response.context["total"].total == 5


def test_xlsx_export_is_masked(client, proxy, requests_made):
    client.force_login(proxy.personas.county_supervisor)
    response = client.get(f"{DASHBOARD}?format=xlsx&list=all")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "查询编号" and len(rows) == 5
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert "王*" in flat and "139****5678" in flat
    assert PHONE not in flat and "王芳" not in flat and "锦江" not in flat
    overdue = client.get(f"{DASHBOARD}?format=xlsx&list=overdue")
    rows = list(load_workbook(io.BytesIO(overdue.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == requests_made["overdue"].tracking_code


def test_dashboard_query_count_is_bounded(
    client, proxy, requests_made, django_assert_max_num_queries
):
    for n in range(12):
        submit(proxy.village_guide, proxy.neighbour, detail=f"第{n}件", phone=f"1380000{n:04d}")
    client.force_login(proxy.personas.county_supervisor)
    client.get(DASHBOARD)
    with django_assert_max_num_queries(12):
        client.get(DASHBOARD)
    with django_assert_max_num_queries(12):
        client.get(f"{DASHBOARD}?region={proxy.geo.township.code}")
