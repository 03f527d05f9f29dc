"""An official publishes in the admin; a citizen finds it by drilling down and by search;
after withdrawal the page shows why."""

import pytest

from disclosure.models import PublishingSetting, Record, ScheduleKind
from tests.conftest import PASSWORD
from tests.disclosure.conftest import item_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "平岗社区关于2026年冬季燃气安全检查的通知"


def admin_login(page, base, username):
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_publish_find_and_withdraw(geo, personas, catalog, live_server, browser, settings, shot):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    PublishingSetting.objects.create(unit=geo.village_committee, requires_review=False)
    item = item_of(geo.village_committee, kind=ScheduleKind.ON_CHANGE)
    official = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    ).new_page()
    admin_login(official, live_server.url, "village_official")
    official.goto(live_server.url + "/admin/disclosure/record/add/")
    official.select_option("#id_unit", str(geo.village_committee.pk))
    official.select_option("#id_item", str(item.pk))
    official.fill("#id_title", TITLE)
    official.fill("#id_body", "<p>社区将于12月1日至5日入户检查燃气管道，请居民配合。</p>")
    official.fill("#id_info_date", "2026-11-20")
    official.select_option("#id_workflow", "submit")
    shot(official, "admin-record-add")
    official.click("input[name=_save]")
    official.wait_for_url("**/admin/disclosure/record/")
    assert "成功" in official.locator(".messagelist").inner_text()
    record = Record.objects.get(title=TITLE)
    assert record.status == "published"

    citizen = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    citizen.goto(live_server.url + "/")
    citizen.get_by_role("link", name="新津区").click()
    citizen.get_by_role("link", name="五津街道").click()
    citizen.locator(".place-grid a", has_text="平岗社区").click()
    citizen.get_by_role("link", name=TITLE).click()
    assert citizen.locator("h1").inner_text() == TITLE
    assert "入户检查燃气管道" in citizen.locator(".record-body").inner_text()

    citizen.goto(live_server.url + "/search/")
    citizen.fill("#id_q", "燃气安全")
    citizen.fill("#id_region", "510100000000")
    citizen.get_by_role("button", name="查询").click()
    assert citizen.locator("mark").first.inner_text() == "燃气安全"
    shot(citizen, "search-phone")
    citizen.get_by_role("link", name=TITLE).click()
    assert citizen.locator("h1").inner_text() == TITLE

    official.goto(live_server.url + f"/admin/disclosure/record/{record.pk}/change/")
    official.select_option("#id_workflow", "withdraw")
    official.click("input[name=_save]")
    assert "撤回须公开说明原因" in official.locator(".errorlist").first.inner_text()
    assert official.input_value("#id_title") == TITLE  # refused, nothing typed is lost
    official.select_option("#id_workflow", "withdraw")
    official.fill("#id_workflow_note", "检查时间调整，另行通知")
    official.click("input[name=_save]")
    official.wait_for_url("**/admin/disclosure/record/")

    citizen.reload()
    notice = citizen.locator(".notice-withdrawn").inner_text()
    assert "该信息已撤回" in notice and "检查时间调整，另行通知" in notice
    shot(citizen, "record-withdrawn-phone")
