"""A resident on a phone reads the village's special-fund projects: the list with each
project's money bar, then one project's timeline, money and payments; nothing on either
page scrolls sideways at 360 px."""

import pytest

from funds.services import projects as services
from tests.funds import conftest as funds_fixtures
from tests.funds.test_projects_helpers import accept, approved, make_project, pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The funds tests' fixtures, used here outside their folder.
money = funds_fixtures.money


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    assert width <= viewport, (width, viewport)


def test_projects_on_a_phone(geo, personas, money, live_server, browser, shot):
    project = approved(geo, personas, money)
    pay(project, money, 8_000, payee="王建国", person=True)
    pay(project, money, 62_000, payee="成都市新津区建设工程有限责任公司第三项目部")
    accept(project, personas, result="failed", final_accounts="70000")
    cancelled = make_project(geo, personas, money, name="平岗社区健身步道", budget=60_000)
    services.project_cancel(
        project=cancelled, reason="选址与规划冲突，待重新议决。", actor=personas.village_official
    )

    page = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780}).new_page()
    page.goto(f"{live_server.url}/funds/projects/?region={geo.village.code}")
    assert "平岗社区村级专项资金项目" in page.locator("h1").inner_text()
    assert "选址与规划冲突" in page.locator("main").inner_text()
    _no_sideways_scroll(page)
    shot(page, "fund-projects-phone")

    page.get_by_role("link", name="平岗社区文化广场改造").click()
    main = page.locator("main").inner_text()
    assert "王**" in main and "王建国" not in main
    assert "当前阶段" in main and "验收不合格" in main
    _no_sideways_scroll(page)
    shot(page, "fund-project-phone")
