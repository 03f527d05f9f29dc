"""The proxy service's pages: the resident's form, receipt and progress page; the agents'
queue and request page with its actions; who sees what (outsiders get 404)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import ProxyRequest, ProxyStatus
from services.services import proxy as services
from tests.services import proxy_fixtures
from tests.services.proxy_fixtures import PHONE, submit

pytestmark = pytest.mark.django_db
proxy = proxy_fixtures.proxy
NEW = "/services/proxy/new/"


def form_data(**overrides):
    return {
        "name": "王芳",
        "phone": "139 1234 5678",
        "detail": "我父亲85岁，行动不便，请帮忙办理高龄津贴。",
        **overrides,
    }


# --- The form ---------------------------------------------------------------------------------


def test_guide_page_link_target_is_named(proxy):
    assert reverse("proxy-request-new") == NEW


def test_form_from_a_village_page_keeps_the_village(client, proxy, calendar_2026):
    url = f"{NEW}?guide={proxy.village_guide.pk}&region={proxy.village.code}"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "高龄津贴申请" in text and "平岗社区" in text
    assert 'type="hidden" name="region" value="510118001001"' in text
    response = client.post(url, form_data(region=proxy.village.code))
    assert response.status_code == 302 and response.url == reverse("proxy-receipt")
    item = ProxyRequest.objects.get()
    assert item.region == proxy.village and item.agent_unit == proxy.geo.village_committee
    assert item.phone == PHONE

    receipt = client.get(reverse("proxy-receipt")).content.decode()
    assert item.tracking_code in receipt and item.query_code in receipt
    assert "平岗社区居民委员会" in receipt
    # Shown once: the next visit is sent to the tracking page.
    again = client.get(reverse("proxy-receipt"))
    assert again.status_code == 302 and again.url == reverse("proxy-track")


def test_form_lists_and_searches_villages(client, proxy):
    base = f"{NEW}?guide={proxy.village_guide.pk}"
    text = client.get(base).content.decode()
    for name in ("平岗社区（五津街道）", "红岩社区（五津街道）", "兴园社区（五津街道）"):
        assert name in text
    assert "和平社区" not in text  # another county: the guide does not apply there
    text = client.get(base + "&q=红岩").content.decode()
    assert "红岩社区（五津街道）" in text and "平岗社区（五津街道）" not in text
    # From a township's page: that township's villages.
    text = client.get(base + f"&region={proxy.geo.township.code}").content.decode()
    assert "红岩社区（五津街道）" in text


def test_form_says_when_the_guide_does_not_apply(client, proxy):
    url = f"{NEW}?guide={proxy.village_guide.pk}&region={proxy.geo.other_village.code}"
    text = client.get(url).content.decode()
    assert "该事项不适用于和平社区" in text
    assert 'name="phone"' not in text


@pytest.mark.parametrize("guide", ["draft", "missing", "junk"])
def test_unknown_or_draft_guide_is_404(client, proxy, guide):
    value = {"draft": proxy.draft_guide.pk, "missing": 999999, "junk": "abc"}[guide]
    assert client.get(f"{NEW}?guide={value}").status_code == 404


def test_form_errors_are_shown_in_chinese_and_nothing_is_written(client, proxy, calendar_2026):
    url = f"{NEW}?guide={proxy.village_guide.pk}"
    response = client.post(url, form_data(region=proxy.geo.other_village.code, phone="123"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "请输入11位手机号码" in text
    assert "“高龄津贴申请”不适用于和平社区" in text
    response = client.post(url, form_data(region=proxy.village.code, name="", detail=""))
    text = response.content.decode()
    assert "请填写姓名" in text and "请说明需要代办员帮您办什么" in text
    assert not ProxyRequest.objects.exists()


def test_rate_limited_form_says_so(client, proxy, calendar_2026, settings):
    settings.SERVICES_PROXY_RATE_PER_PHONE = 1
    url = f"{NEW}?guide={proxy.village_guide.pk}"
    client.post(url, form_data(region=proxy.village.code))
    response = client.post(url, form_data(region=proxy.village.code, detail="另一件事"))
    assert response.status_code == 200
    assert "提交过于频繁" in response.content.decode()
    assert ProxyRequest.objects.count() == 1


# --- Tracking and rating ----------------------------------------------------------------


def test_track_with_codes_and_rate_once(client, proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village)
    track = reverse("proxy-track")
    for code in ("000000", "一二三四五六"):
        wrong = client.post(track, {"tracking_code": item.tracking_code, "query_code": code})
        assert "查询编号或查询码不正确" in wrong.content.decode()
    codes = {"tracking_code": item.tracking_code.lower(), "query_code": item.query_code}
    text = client.post(track, codes).content.decode()
    assert "已受理" in text and "平岗社区居民委员会" in text
    assert 'name="rating"' not in text  # not finished yet

    item = services.proxy_request_take(proxy_request=item, actor=proxy.village_agent)
    services.proxy_request_finish(
        proxy_request=item, actor=proxy.village_agent, note="津贴已申报，下月到账。"
    )
    text = client.post(track, codes).content.decode()
    assert "已办结" in text and "津贴已申报，下月到账。" in text and 'name="rating"' in text
    rated = client.post(track, {**codes, "rating": "satisfied", "comment": "很方便"})
    text = rated.content.decode()
    assert "感谢您的评价" in text and "您的评价：满意" in text
    item.refresh_from_db()
    assert item.rating == "satisfied"
    again = client.post(track, {**codes, "rating": "unsatisfied"}).content.decode()
    assert "每个申请只能评价一次" in again and 'name="rating"' not in again
    item.refresh_from_db()
    assert item.rating == "satisfied"


def test_owner_sees_and_rates_own_requests(client, proxy, calendar_2026):
    resident = proxy.personas.resident
    item, _ = submit(proxy.village_guide, proxy.village, user=resident)
    services.proxy_request_return(
        proxy_request=item, actor=proxy.village_agent, reason="请本人到社区核实。"
    )
    client.force_login(resident)
    assert "高龄津贴申请" in client.get(reverse("proxy-mine")).content.decode()
    url = reverse("proxy-mine-detail", args=[item.tracking_code])
    text = client.get(url).content.decode()
    assert "请本人到社区核实。" in text and 'name="rating"' in text
    client.post(url, {"rating": "basic"})
    item.refresh_from_db()
    assert item.rating == "basic"
    client.force_login(proxy.personas.citizen)
    assert client.get(url).status_code == 404


# --- The agents -------------------------------------------------------------------------------


def _past(item, days):
    """As if received `days` ago with the due date gone by."""
    past = timezone.now() - dt.timedelta(days=days)
    ProxyRequest.objects.filter(pk=item.pk).update(
        received_at=past, due_at=past + dt.timedelta(days=2)
    )


def test_queue_lists_own_units_requests_overdue_first(client, proxy, calendar_2026):
    soon, _ = submit(proxy.village_guide, proxy.village, detail="第一件")
    late, _ = submit(proxy.village_guide, proxy.village, detail="第二件")
    _past(late, 10)
    mine_not, _ = submit(proxy.village_guide, proxy.neighbour, detail="红岩的事")
    client.force_login(proxy.village_agent)
    text = client.get(reverse("proxy-queue")).content.decode()
    first = text.index(reverse("proxy-request", args=[late.pk]))
    second = text.index(reverse("proxy-request", args=[soon.pk]))
    assert first < second
    assert reverse("proxy-request", args=[mine_not.pk]) not in text
    assert "已超期" in text
    # Masked in the list; the full number is on the request's page.
    assert "139****5678" in text and PHONE not in text
    overdue = client.get(reverse("proxy-queue") + "?show=overdue").content.decode()
    assert reverse("proxy-request", args=[late.pk]) in overdue
    assert reverse("proxy-request", args=[soon.pk]) not in overdue


def test_queue_is_for_agents_only(client, proxy):
    assert client.get(reverse("proxy-queue")).status_code == 302  # to the login page
    client.force_login(proxy.personas.citizen)
    assert client.get(reverse("proxy-queue")).status_code == 404
    client.force_login(proxy.personas.county_supervisor)
    assert client.get(reverse("proxy-queue")).status_code == 404


def test_queue_query_count_is_bounded(client, proxy, calendar_2026, django_assert_max_num_queries):
    for n in range(15):
        submit(proxy.village_guide, proxy.village, detail=f"第{n}件", phone=f"1380000{n:04d}")
    client.force_login(proxy.village_agent)
    client.get(reverse("proxy-queue"))  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get(reverse("proxy-queue"))
    assert response.content.decode().count('<li class="proxy-row') == 15


def test_agent_sees_contact_and_acts(client, proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village)
    url = reverse("proxy-request", args=[item.pk])
    client.force_login(proxy.village_agent)
    text = client.get(url).content.decode()
    assert PHONE in text and "王芳" in text and "接单，开始办理" in text
    client.post(reverse("proxy-request-take", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == ProxyStatus.IN_PROGRESS and item.agent == proxy.village_agent
    # Taking twice is refused with a message, not an error page.
    response = client.post(reverse("proxy-request-take", args=[item.pk]), follow=True)
    assert "只有已受理、尚未开始办理的申请可以接单" in response.content.decode()
    client.post(reverse("proxy-request-finish", args=[item.pk]), {"note": "已办好。"})
    item.refresh_from_db()
    assert item.status == ProxyStatus.DONE


def test_return_without_reason_shows_the_error(client, proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village)
    client.force_login(proxy.village_agent)
    response = client.post(reverse("proxy-request-return", args=[item.pk]), {"reason": ""})
    assert response.status_code == 200 and "退回须说明原因" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ProxyStatus.RECEIVED
    client.post(reverse("proxy-request-return", args=[item.pk]), {"reason": "材料不全。"})
    item.refresh_from_db()
    assert item.status == ProxyStatus.RETURNED and item.return_reason == "材料不全。"


def test_actions_need_csrf(proxy, calendar_2026):
    from django.test import Client

    item, _ = submit(proxy.village_guide, proxy.village)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(proxy.village_agent)
    assert strict.post(reverse("proxy-request-take", args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.status == ProxyStatus.RECEIVED


@pytest.mark.parametrize("who", ["neighbour_agent", "township_agent", "citizen", "other_county"])
def test_outsiders_get_404(client, proxy, calendar_2026, who):
    item, _ = submit(proxy.village_guide, proxy.village)
    person = {
        "neighbour_agent": proxy.neighbour_agent,
        "township_agent": proxy.township_agent,
        "citizen": proxy.personas.citizen,
        "other_county": proxy.personas.other_county_official,
    }[who]
    client.force_login(person)
    assert client.get(reverse("proxy-request", args=[item.pk])).status_code == 404
    for name in ("proxy-request-take", "proxy-request-return"):
        assert client.post(reverse(name, args=[item.pk]), {"reason": "x"}).status_code == 404
    item.refresh_from_db()
    assert item.status == ProxyStatus.RECEIVED


def test_supervisor_reads_masked_without_actions(client, proxy, calendar_2026):
    item, _ = submit(proxy.village_guide, proxy.village, detail="请回电 13800001111，我在家。")
    client.force_login(proxy.personas.county_supervisor)
    response = client.get(reverse("proxy-request", args=[item.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "王*" in text and "139****5678" in text and PHONE not in text
    assert "13800001111" not in text
    assert "接单，开始办理" not in text and 'name="reason"' not in text
    assert client.post(reverse("proxy-request-take", args=[item.pk])).status_code == 404


def test_receipt_and_codes_never_in_a_url(client, proxy, calendar_2026):
    url = f"{NEW}?guide={proxy.village_guide.pk}&region={proxy.village.code}"
    response = client.post(url, form_data(region=proxy.village.code))
    item = ProxyRequest.objects.get()
    assert item.query_code not in response.url
    assert re.search(r"\d{6}", response.url) is None
