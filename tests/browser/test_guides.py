"""A resident on a phone finds a service guide from the page of their village: 办事指南,
a category tile, the guide, then its print page for the notice board, whose QR code
leads back to the guide online; printed, the page shows the guide and none of the site's
navigation. Nothing scrolls sideways at 360 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.services import conftest as services_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The services tests' fixture, used here outside their folder.
guides = services_fixtures.guides


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    assert width <= viewport, (width, viewport)


def test_a_resident_finds_a_guide_by_category_and_prints_it(
    geo, guides, live_server, browser, shot
):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/regions/{geo.village.code}/")
    page.locator("main").get_by_role("link", name="办事指南", exact=True).click()

    expect(page.locator("h1")).to_have_text("平岗社区办事指南")
    expect(page.locator(".category-tile")).to_have_count(14)  # 全部类别 and the 13
    _no_sideways_scroll(page)
    shot(page, "guides-phone-list")

    page.locator(".category-tile", has_text="社会救助").click()
    expect(page.locator(".category-tile.is-current")).to_contain_text("社会救助")
    assert "category=assistance" in page.url and f"region={geo.village.code}" in page.url
    expect(page.locator(".guide-row")).to_have_count(1)
    page.get_by_role("link", name="五津街道城乡居民最低生活保障申请").click()

    expect(page.locator("h1")).to_have_text("五津街道城乡居民最低生活保障申请")
    assert page.locator(".tier-banner").inner_text().startswith("在乡镇（街道）即可办理")
    assert page.locator(".materials-table tbody tr").count() == 3
    assert page.locator(".guide-step").count() == 4
    assert page.locator('a[href="tel:028-82512345"]').count() >= 1
    _no_sideways_scroll(page)
    shot(page, "guides-phone-detail")
    guide_url = page.url

    page.get_by_role("link", name="打印", exact=True).click()
    page.wait_for_url(f"{guide_url}print/")
    qr = page.locator("svg.guide-qr")
    expect(qr).to_have_count(1)
    expect(qr).to_be_visible()
    assert re.search(r"^0 0 \d+ \d+$", qr.get_attribute("viewBox"))
    # The address the code holds is printed under it as well.
    assert guide_url in page.locator(".sheet-foot").inner_text()
    print_button = page.get_by_role("button", name="打印本页")
    expect(print_button).to_be_visible()  # shown by print.js: the script ran under the CSP
    _no_sideways_scroll(page)
    shot(page, "guides-phone-print-screen")

    page.emulate_media(media="print")
    for selector in (".site-header", ".main-nav", ".breadcrumbs", ".site-footer", ".print-actions"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("h1").is_visible() and qr.is_visible()
    assert page.locator(".materials-table").is_visible()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    shot(page, "guides-print-a4")
    context.close()
