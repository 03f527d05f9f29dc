"""On a phone: a resident posts a need, a neighbour replies and reports it; after three
reports the village official restores it from the moderation queue."""

import datetime as dt

import pytest
from django.utils import timezone

from participation.models import AidPost, AidStatus
from participation.services import mutual_aid as services
from tests.browser.test_publishing import admin_login
from tests.conftest import PASSWORD
from tests.participation.conftest import make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"
TITLE = "周三上午需要人陪老人去卫生院"


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    page.wait_for_url("**/accounts/")


def phone(browser):
    return browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780}).new_page()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_mutual_aid_on_a_phone(geo, personas, live_server, browser, settings, shot):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    base = live_server.url
    neighbours = [
        make_resident(geo.village, f"neighbour{i}", name, sequence=70 + i)
        for i, name in enumerate(["王建国", "李淑芬", "张志强"])
    ]

    author = phone(browser)
    login(author, base, "resident")
    author.goto(f"{base}/mutual-aid/?region={geo.village.code}")
    author.get_by_role("link", name="发布求助或帮忙信息").click()
    author.get_by_label("求助").check()
    author.select_option("#id_category", "elderly")
    author.fill("#id_title", TITLE)
    author.fill("#id_text", f"家里老人每周三复诊，子女在外地，想请邻居陪同。可以打我电话 {PHONE}。")
    author.get_by_label("本街道（五津街道）").check()
    expiry = timezone.localdate() + dt.timedelta(days=20)
    author.fill("#id_expires_on", expiry.isoformat())
    shot(author, "mutual-aid-new-phone")
    no_sideways_scroll(author)
    author.get_by_role("button", name="发布").click()
    author.wait_for_url("**/mutual-aid/*/")
    main = author.locator("main").inner_text()
    assert "发布成功" in main and TITLE in main and PHONE not in main
    post = AidPost.objects.get()
    assert post.scope_code == geo.township.code

    reader = phone(browser)
    login(reader, base, "neighbour0")
    reader.goto(f"{base}/mutual-aid/?region={geo.township.code}")
    reader.get_by_role("link", name=TITLE).click()
    reader.fill("#id_text", "我周三上午有空，可以陪同。")
    reader.get_by_role("button", name="发表回复").click()
    assert "回复已发布" in reader.locator("main").inner_text()
    reader.fill("#id_reason", "想核实一下是否真实")
    reader.get_by_role("button", name="提交举报").click()
    assert "举报已收到" in reader.locator("main").inner_text()
    shot(reader, "mutual-aid-detail-phone")
    no_sideways_scroll(reader)
    reader.goto(f"{base}/mutual-aid/?region={geo.township.code}")
    shot(reader, "mutual-aid-list-phone")
    no_sideways_scroll(reader)

    for neighbour in neighbours[1:]:
        services.aid_report(post=post, user=neighbour, reason="怀疑是骗局")
    post.refresh_from_db()
    assert post.status == AidStatus.HIDDEN

    official = phone(browser)
    admin_login(official, base, "village_official")
    official.goto(f"{base}/mutual-aid/moderation/")
    assert TITLE in official.locator("main").inner_text()
    shot(official, "mutual-aid-moderation-phone")
    no_sideways_scroll(official)
    official.get_by_role("button", name="恢复显示").click()
    assert "已恢复显示" in official.locator("main").inner_text()
    post.refresh_from_db()
    assert post.status == AidStatus.OPEN
