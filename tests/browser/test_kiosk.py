"""The community centre's touch screen: a resident taps into a category and a guide,
walks away, and the kiosk goes back to its start page by itself; while someone keeps
touching it, it stays. The idle time is shortened to 2 s for the test."""

import re

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.services import kiosk_fixtures

# The kiosk's guides, a fixture used here by name.
kiosk_guides = kiosk_fixtures.kiosk_guides

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE = 2


def screen(page, name):
    """What the screen shows (the frame is fixed at its bottom, so not a full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def kiosk_page(browser):
    # A portrait touch screen of the kind community centres have.
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1080, "height": 1920}, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


def test_kiosk_returns_to_start_when_idle(geo, kiosk_guides, settings, live_server, kiosk_page):
    settings.SERVICES_KIOSK_IDLE_SECONDS = IDLE
    page = kiosk_page
    home = f"{live_server.url}/kiosk/{geo.village.code}/"
    page.goto(home)
    assert page.locator("body").get_attribute("data-kiosk-idle-seconds") == str(IDLE)
    screen(page, "kiosk-start")

    page.get_by_role("link", name=re.compile("办事指南")).tap()
    page.get_by_role("link", name=re.compile("就业创业和社会保险")).tap()
    page.get_by_role("link", name=re.compile("城乡居民基本养老保险参保登记")).tap()
    page.wait_for_url(re.compile(r"/guide/\d+/$"))
    assert "居民身份证" in page.locator("main").inner_text()
    screen(page, "kiosk-guide")

    # Nobody touches it: back to the start page on its own.
    page.wait_for_url(home, timeout=(IDLE + 3) * 1000)
    assert "欢迎使用" in page.locator("h1").inner_text()


def test_a_touch_restarts_the_count(geo, kiosk_guides, settings, live_server, kiosk_page):
    settings.SERVICES_KIOSK_IDLE_SECONDS = IDLE
    page = kiosk_page
    home = f"{live_server.url}/kiosk/{geo.village.code}/"
    guide = f"{live_server.url}/kiosk/{geo.village.code}/guide/{kiosk_guides.city_wide.pk}/"
    page.goto(guide)
    # Keep touching the page (on text, not a link) for longer than the idle time.
    for _touch in range(4):
        page.wait_for_timeout(IDLE * 1000 * 0.6)
        page.locator("h1").tap()
    assert page.url == guide
    # Then leave it alone.
    page.wait_for_url(home, timeout=(IDLE + 3) * 1000)


def test_frame_buttons(geo, kiosk_guides, settings, live_server, kiosk_page):
    settings.SERVICES_KIOSK_IDLE_SECONDS = 60
    page = kiosk_page
    code = geo.village.code
    page.goto(f"{live_server.url}/kiosk/{code}/guide/{kiosk_guides.city_wide.pk}/")
    back = page.get_by_role("link", name=re.compile("上一页"))
    home = page.get_by_role("link", name=re.compile("返回首页"))
    for button in (back, home):
        box = button.bounding_box()
        assert box["height"] >= 64 and box["width"] >= 64
    back.tap()
    page.wait_for_url(re.compile(rf"/kiosk/{code}/guides/labour/$"))
    page.get_by_role("link", name=re.compile("返回首页")).tap()
    page.wait_for_url(f"{live_server.url}/kiosk/{code}/")
    # No sideways scroll on the portrait screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("document.documentElement.clientWidth")
