"""On a phone, a villager opens the collective's voucher page, passes the ID check and
opens a voucher, marked and logged; a person with a valid ID number who is not a member
is refused on the form."""

import pytest

from funds.models import VoucherGrant, VoucherView
from funds.services import vouchers as services
from tests.funds import conftest as funds_fixtures
from tests.funds import test_vouchers_helpers as helpers
from tests.funds.conftest import MEMBER_ID, OUTSIDER_ID
from tests.funds.test_vouchers_helpers import MEMBER_NAME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The funds tests' fixtures, used here outside their folder.
money = funds_fixtures.money
books = helpers.books

PHONE = {"width": 390, "height": 844}


def phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE).new_page()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check_identity(page, name: str, number: str) -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号码").fill(number)
    page.get_by_role("button", name="核对身份并查看").click()


def test_a_villager_opens_a_voucher_and_a_stranger_is_refused(
    books, money, live_server, browser, shot
):
    base = live_server.url
    collective = money.collective.pk

    villager = phone(browser)
    villager.goto(f"{base}/funds/vouchers/collective/{collective}/")
    villager.wait_for_url(f"**/funds/vouchers/access/{collective}/")
    assert "只有本集体经济组织登记在册的成员" in villager.locator("main").inner_text()
    assert no_sideways_scroll(villager)
    shot(villager, "voucher-access-phone")

    check_identity(villager, MEMBER_NAME, MEMBER_ID)
    villager.wait_for_url(f"**/funds/vouchers/collective/{collective}/")
    listing = villager.locator("main").inner_text()
    assert "购买广场照明灯具" in listing and "支付保洁服务费" in listing
    assert MEMBER_ID not in listing
    assert no_sideways_scroll(villager)
    shot(villager, "voucher-list-phone")

    with villager.expect_response(lambda r: "/file/" in r.url) as opened:
        villager.get_by_role("link", name="查看凭证 1").first.click()
    response = opened.value
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "private, no-store"
    shot(villager, "voucher-file-phone")
    view = VoucherView.objects.get()
    assert view.voucher == books.image
    assert view.viewer == services.viewer_label(money.members[0])

    stranger = phone(browser)
    stranger.goto(f"{base}/funds/vouchers/access/{collective}/")
    check_identity(stranger, "赵磊", OUTSIDER_ID)
    alert = stranger.get_by_role("alert").first
    assert "不符" in alert.inner_text()
    assert stranger.url.endswith(f"/funds/vouchers/access/{collective}/")
    shot(stranger, "voucher-refused-phone")
    # Still refused at the list; one grant only, the villager's.
    stranger.goto(f"{base}/funds/vouchers/collective/{collective}/")
    stranger.wait_for_url(f"**/funds/vouchers/access/{collective}/")
    assert VoucherGrant.objects.count() == 1
