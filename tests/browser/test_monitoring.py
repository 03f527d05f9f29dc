"""The county supervisor opens the village-money dashboard on a phone, drills down to the
township, filters the list, opens an alert and notes what was done; nothing scrolls
sideways at 360 or 390 px."""

import datetime as dt

import pytest

from funds.models import Alert
from funds.services.monitoring import alerts_scan
from tests.browser.test_publishing import admin_login
from tests.funds import conftest as funds_fixtures
from tests.funds.test_monitoring_helpers import (
    at,
    make_entry,
    make_project,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The collective, its centre and the village decision of the funds tests.
money = funds_fixtures.money


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_supervisor_drills_down_and_notes(
    geo,
    personas,
    money,
    calendar_2026,
    live_server,
    browser,
    settings,
    shot,
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_project(geo, personas, money, disbursed=100_000)
    make_project(geo, personas, money, stage="proposed", since=at(2026, 6, 1), name="村道硬化")
    make_entry(money, booked_on=dt.date(2026, 9, 1), amount=68_000)
    make_entry(money, booked_on=dt.date(2026, 9, 2), amount=9000, direction="income", subject="101")
    alerts_scan(now=at(2026, 11, 2))
    assert Alert.objects.count() >= 6
    base = live_server.url

    for width in (360, 390):
        page = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": 844}
        ).new_page()
        admin_login(page, base, "county_supervisor")
        page.goto(f"{base}/supervision/funds/")
        assert page.locator("h1").inner_text() == "新津区村级资金监管"
        assert fits(page), width
        shot(page, f"funds-monitoring-county-{width}")

    page.get_by_role("link", name="五津街道").first.click()
    page.wait_for_url("**/supervision/funds/?region=510118001000*")
    assert page.locator("h1").inner_text() == "五津街道村级资金监管"
    page.select_option("#id_kind", "no_voucher")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**kind=no_voucher*")
    cards = page.locator(".alert-card")
    assert cards.count() == 1 and "支出无原始凭证" in cards.first.inner_text()
    assert fits(page)
    shot(page, "funds-monitoring-township-filtered")

    cards.first.get_by_role("link", name="处理记录").click()
    page.wait_for_url("**/supervision/funds/alerts/*/")
    page.fill("#id_note", "已要求报账员 3 日内补交发票原件。")
    page.get_by_role("button", name="记录处理情况").click()
    page.get_by_role("button", name="更新处理情况").wait_for()
    assert "已要求报账员 3 日内补交发票原件。" in page.locator("main").inner_text()
    assert fits(page)
    shot(page, "funds-monitoring-alert")
