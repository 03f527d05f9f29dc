"""A resident votes on a phone and sees the result once the vote is closed by the
closing task's service; an outsider is told on the page why they may not vote."""

import pytest

from participation.services import votes as services
from tests.conftest import PASSWORD
from tests.participation.conftest import make_resident
from tests.participation.test_votes_helpers import after_close, cast, make_vote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE).new_page()


def sign_in(page, username):
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_votes_and_sees_the_result(geo, personas, live_server, browser, settings, shot):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Four verified residents of 平岗社区: personas.resident and three neighbours.
    neighbours = [
        make_resident(geo.village, f"neighbour{i}", name, sequence=i)
        for i, name in enumerate(["王建国", "李淑芬", "张志强"])
    ]
    vote = make_vote(geo, personas, options=["同意", "不同意"])
    cast(vote, neighbours[0], 0)
    cast(vote, neighbours[1], 1)
    url = f"{live_server.url}/votes/{vote.pk}/"

    page = phone(browser)
    page.goto(url)
    assert "请先登录" in page.locator(".my-ballot").inner_text()
    page.get_by_role("link", name="登录后投票").click()
    sign_in(page, "resident")
    page.wait_for_url(url)
    page.get_by_label("同意", exact=True).check()
    shot(page, "vote-form-phone")
    page.get_by_role("button", name="投票", exact=True).click()
    page.wait_for_url(url)
    ballot = page.locator(".my-ballot").inner_text()
    assert "您已投票" in ballot and "同意" in ballot
    assert "投票成功" in page.locator(".messages").inner_text()
    assert "计票结果将在投票截止后公布" in page.locator("main").inner_text()
    assert no_sideways_scroll(page)
    shot(page, "vote-cast-phone")

    assert services.votes_close_due(now=after_close(vote)) == 1
    page.reload()
    results = page.locator("section[aria-labelledby=results-heading]").inner_text()
    assert "投票结果" in results
    assert "网上 2 票" in results and "66.7%" in results  # 同意: 2 of 3
    assert "3 人（网上 3，纸质 0）" in results and "已达到" in results  # 3 of 4: over half
    assert page.locator(".vote-bar").count() == 2
    assert no_sideways_scroll(page)
    shot(page, "vote-result-phone")


def test_an_outsider_is_told_they_may_not_vote(geo, personas, live_server, browser, settings, shot):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    vote = make_vote(geo, personas)
    url = f"{live_server.url}/votes/{vote.pk}/"
    page = phone(browser)
    page.goto(f"{live_server.url}/accounts/login/?next=/votes/{vote.pk}/")
    sign_in(page, "citizen")
    page.wait_for_url(url)
    assert "本次仅限平岗社区已核实的村（居）民参与。" in page.locator(".my-ballot").inner_text()
    assert page.locator("input[name=options]").count() == 0
    assert no_sideways_scroll(page)
    shot(page, "vote-refused-phone")

    page.get_by_role("link", name="民主投票").click()
    assert page.get_by_role("heading", level=1).inner_text() == "平岗社区民主投票"
    assert vote.title in page.locator(".vote-list").inner_text()
    assert no_sideways_scroll(page)
    shot(page, "votes-list-phone")
