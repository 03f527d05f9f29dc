"""The centre's accountant books an entry in the back office and generates the month; the
village official publishes it; a resident on a phone reads the month, its entries and the
registers without scrolling sideways."""

import datetime as dt
from decimal import Decimal

import pytest

from disclosure.models import PublishingSetting
from funds.models import LedgerEntry, MonthlyStatement
from funds.selectors import ledger as selectors
from funds.services import ledger as services
from tests.browser.test_publishing import admin_login
from tests.funds import conftest as funds_fixtures
from tests.funds.test_ledger_helpers import (
    PNG,
    book,
    committee,
    day_in,
    months_ago,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

money = funds_fixtures.money


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_book_publish_and_read_on_a_phone(
    geo, personas, money, catalog, live_server, browser, settings, shot, tmp_path
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    PublishingSetting.objects.create(unit=committee(money), requires_review=False)
    last = months_ago(1)
    book(
        money, booked_on=day_in(last, 2), subject="102", direction="income", amount=Decimal("52000")
    )
    book(
        money,
        booked_on=day_in(last, 3),
        subject="522",
        direction="income",
        amount=Decimal("52000"),
        summary="收到村级公共服务和社会管理专项资金",
        counterparty="新津区财政局",
    )
    services.asset_register(
        collective=money.collective,
        name="平岗社区党群服务中心综合楼",
        category="房屋及建筑物",
        value=Decimal("2860000"),
        location="平岗社区五组平岗路88号",
        acquired_on=dt.date(2016, 9, 1),
        status="leased",
        lessee="刘德华",
        lessee_is_person=True,
        lease_start=dt.date(2025, 1, 1),
        lease_end=dt.date(2027, 12, 31),
        annual_rent=Decimal("36000"),
        actor=money.accountant,
    )
    services.resource_register(
        collective=money.collective,
        kind="water",
        name="平岗大堰塘（鱼塘）",
        area=Decimal("18.6"),
        holder="王建国",
        holder_is_person=True,
        term_start=dt.date(2021, 1, 1),
        term_end=dt.date(2030, 12, 31),
        annual_rent=Decimal("7440"),
        actor=money.accountant,
    )
    base = live_server.url

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    admin_login(desk, base, "accountant")
    desk.goto(f"{base}/admin/funds/ledgerentry/add/")
    desk.select_option("#id_collective", str(money.collective.pk))
    desk.fill("#id_booked_on", day_in(last, 18).isoformat())
    desk.fill("#id_voucher_number", "记-2026-088")
    desk.fill("#id_summary", "支付文化广场照明改造工程款（第一期）")
    desk.select_option("#id_subject", "541")
    desk.select_option("#id_direction", "expense")
    desk.fill("#id_amount", "18650.00")
    desk.fill("#id_counterparty", "成都市新津光明电气工程有限公司")
    desk.fill("#id_handler", "王建国")
    desk.fill("#id_approver", "李秀英")
    desk.fill("#id_reviewer", "邓监委")
    desk.click("input[name=_save]")
    desk.wait_for_url("**/admin/funds/ledgerentry/")
    entry = LedgerEntry.objects.get(voucher_number="记-2026-088")
    desk.goto(f"{base}/admin/funds/ledgerentry/{entry.pk}/change/")
    assert desk.locator("#id_amount").count() == 0  # booked: never edited
    desk.set_input_files(
        "#id_voucher_file", files=[{"name": "发票.png", "mimeType": "image/png", "buffer": PNG}]
    )
    desk.click("input[name=_continue]")
    desk.wait_for_load_state()
    assert "已上传原始凭证" in desk.locator("body").inner_text()
    shot(desk, "ledger-admin-entry")
    desk.goto(f"{base}/admin/funds/monthlystatement/add/")
    desk.select_option("#id_collective", str(money.collective.pk))
    desk.fill("#id_month", selectors.month_key(last))
    desk.click("input[name=_save]")
    desk.wait_for_url("**/admin/funds/monthlystatement/")
    statement = MonthlyStatement.objects.get()
    shot(desk, "ledger-admin-statements")

    desk.context.clear_cookies()
    admin_login(desk, base, "village_official")
    desk.goto(f"{base}/admin/funds/monthlystatement/")
    desk.check(f"input[name=_selected_action][value='{statement.pk}']")
    desk.select_option("select[name=action]", "publish_selected")
    desk.click("button[name=index]")
    desk.wait_for_load_state()
    statement.refresh_from_db()
    assert statement.record is not None and statement.published_at is not None

    phone = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 800}).new_page()
    phone.goto(f"{base}/funds/collectives/?region={geo.county.code}")
    assert fits(phone)
    phone.get_by_role("link", name="平岗社区股份经济合作社").click()
    main = phone.locator("main").inner_text()
    assert "支付文化广场照明改造工程款" in main and "18,650.00" in main
    assert "刘**" in main and "刘德华" not in main
    assert "王**" in main and "王建国" not in main
    assert fits(phone)
    shot(phone, "ledger-collective-phone")
