import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_walk_from_the_city_to_pinggang(geo, live_server, page, settings, shot):
    settings.PORTAL_ROOT_REGION = "510100000000"
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == settings.PORTAL_SITE_NAME
    shot(page, "home-phone")
    page.get_by_role("link", name="新津区").click()
    assert page.locator("h1").inner_text() == "新津区"
    page.get_by_role("link", name="五津街道").click()
    assert page.locator("h1").inner_text() == "五津街道"
    page.get_by_role("link", name="平岗社区").click()
    assert page.locator("h1").inner_text() == "平岗社区"
    crumbs = page.get_by_role("navigation", name="当前位置").inner_text()
    for name in ("首页", "成都市", "新津区", "五津街道", "平岗社区"):
        assert name in crumbs
    page.get_by_role("link", name="平岗社区居民委员会").click()
    assert page.locator("h1").inner_text() == "平岗社区居民委员会"
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "unit-phone")


def test_large_type_persists_to_the_next_page(geo, live_server, page, shot):
    page.goto(live_server.url + "/regions/510118000000/")
    base = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="大字版").click()
    page.wait_for_load_state()
    assert page.url.endswith("/regions/510118000000/")
    page.get_by_role("link", name="五津街道").click()
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= base * 1.5
    assert page.get_by_role("button", name="大字版").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="高对比度").click()
    page.wait_for_load_state()
    assert "high-contrast" in page.locator("body").get_attribute("class")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "township-large-contrast-phone")
