"""On a phone: a resident finds their community by name and asks for a matter to be done
for them, keeps the codes; the village's agent takes it from the queue and finishes it;
the resident follows it and rates it. Screenshots go to var/screenshots/proxy-*.png."""

import datetime as dt

import pytest
from django.utils import timezone

from services.models import ProxyRequest, ProxyStatus
from tests.browser.test_publishing import admin_login
from tests.services import proxy_fixtures
from tests.services.proxy_fixtures import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
proxy = proxy_fixtures.proxy
PHONE_SIZE = {"width": 390, "height": 844}


def login(page, base, username):
    admin_login(page, base, username)
    page.wait_for_url("**/admin/")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_resident_asks_agent_finishes_resident_rates(
    proxy, calendar_2026, live_server, browser, settings, shot
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    base = live_server.url
    resident = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE).new_page()
    resident.goto(f"{base}/services/proxy/new/?guide={proxy.village_guide.pk}")
    resident.fill("#id_q", "平岗")
    resident.get_by_role("button", name="查找").click()
    resident.select_option("#id_region", proxy.village.code)
    resident.fill("#id_name", "王芳")
    resident.fill("#id_phone", "13912345678")
    resident.fill("#id_detail", "我父亲85岁，行动不便，请帮忙办理高龄津贴，材料已备齐。")
    assert no_sideways_scroll(resident)
    shot(resident, "proxy-form-phone")
    resident.get_by_role("button", name="提交代办申请").click()
    resident.wait_for_url("**/services/proxy/receipt/")
    assert no_sideways_scroll(resident)
    shot(resident, "proxy-receipt-phone")
    codes = resident.locator(".receipt dd.code").all_inner_texts()
    tracking_code, query_code = codes[0].strip(), codes[1].strip()
    item = ProxyRequest.objects.get(tracking_code=tracking_code)
    assert "平岗社区居民委员会" in resident.locator("main").inner_text()

    # Another one, long overdue: the queue puts it first.
    late, _ = submit(
        proxy.village_guide,
        proxy.village,
        name="李建国",
        phone="13800001234",
        detail="帮我母亲开具居住证明，用于办理养老保险。",
    )
    past = timezone.now() - dt.timedelta(days=12)
    ProxyRequest.objects.filter(pk=late.pk).update(
        received_at=past, due_at=past + dt.timedelta(days=7)
    )

    agent = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE).new_page()
    login(agent, base, "village_official")
    agent.goto(f"{base}/services/proxy/queue/")
    assert "高龄津贴申请" in agent.locator("main").inner_text()
    assert no_sideways_scroll(agent)
    shot(agent, "proxy-queue-phone")
    rows = agent.locator("li.proxy-row")
    assert "已超期" in rows.first.inner_text()  # the overdue one first
    agent.click(f"a[href='/services/proxy/requests/{item.pk}/']")
    assert "13912345678" in agent.locator("main").inner_text()
    agent.get_by_role("button", name="接单，开始办理").click()
    agent.wait_for_selector("text=已接单，请尽快联系申请人。")
    agent.fill("#id_note", "津贴已申报，下月起按月发放。")
    agent.get_by_role("button", name="确认办结").click()
    agent.wait_for_selector("text=已办结。申请人可以查看办理结果并评价。")
    shot(agent, "proxy-request-agent-phone")
    item.refresh_from_db()
    assert item.status == ProxyStatus.DONE

    resident.goto(f"{base}/services/proxy/track/")
    resident.fill("#id_tracking_code", tracking_code)
    resident.fill("#id_query_code", query_code)
    resident.get_by_role("button", name="查询").click()
    resident.wait_for_selector(".proxy-status")
    assert "津贴已申报" in resident.locator("main").inner_text()
    resident.get_by_label("满意", exact=True).check()
    shot(resident, "proxy-track-phone")
    resident.get_by_role("button", name="提交评价").click()
    resident.wait_for_selector("text=感谢您的评价")
    item.refresh_from_db()
    assert item.rating == "satisfied"

    supervisor = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE).new_page()
    login(supervisor, base, "county_supervisor")
    supervisor.goto(f"{base}/supervision/services/")
    text = supervisor.locator("main").inner_text()
    assert "新津区代办服务督办" in text and "李*" in text and "13800001234" not in text
    shot(supervisor, "proxy-supervision-phone")
