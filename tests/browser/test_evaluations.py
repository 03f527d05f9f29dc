"""On a phone: a resident signs in from the round's page, rates both subjects in one form
and sees them marked 已评议; the results of last year's round with their bars and the
two-year badge; the county supervisor marks the flag handled. No page scrolls sideways."""

import pytest

from participation.models import EvaluationFlag
from participation.services import evaluations as services
from tests.conftest import PASSWORD
from tests.participation.conftest import make_resident
from tests.participation.test_evaluations_helpers import (
    after,
    cadre,
    during,
    make_round,
    past_round,
    rate_many,
    subject,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def _sign_in(page, username: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_rate_read_results_and_handle_the_flag(geo, personas, live_server, browser, settings, shot):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    base = live_server.url
    residents = [personas.resident] + [
        make_resident(geo.village, f"villager{i}", name, sequence=i)
        for i, name in enumerate(["王建国", "李淑芬", "张志强"])
    ]
    wang = cadre("cadre_wang", "王建华")
    for year, ratings in ((2024, ["unsatisfied"] * 4), (2025, ["unsatisfied"] * 3 + ["basic"])):
        last = past_round(
            geo,
            personas,
            year,
            subjects=[
                {"kind": "official", "official": wang, "role": "居委会主任"},
                {"kind": "service", "identifier": "PG-BM-01", "name": "便民服务中心"},
            ],
            title=f"平岗社区{year}年度村（社区）干部民主评议",
        )
        rate_many(last, subject(last, 1), residents, ratings, now=during(last))
        rate_many(last, subject(last, 2), residents, ["satisfied", "basic"], now=during(last))
        services.round_close(round=last, now=after(last))
    current = make_round(
        geo,
        personas,
        subjects=[
            {"kind": "official", "official": wang, "role": "居委会主任"},
            {"kind": "service", "identifier": "PG-BM-01", "name": "便民服务中心"},
        ],
    )

    phone = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780}).new_page()
    phone.goto(f"{base}/evaluations/{current.pk}/")
    assert "请先登录" in phone.locator("main").inner_text()
    phone.get_by_role("link", name="登录后评议").click()
    _sign_in(phone, "resident")
    phone.wait_for_url(f"**/evaluations/{current.pk}/")
    first = phone.get_by_role("group", name="王建华（居委会主任）")
    first.get_by_label("基本满意").check()
    first.get_by_label("意见（选填，不公开）").fill("希望多走访老人")
    phone.get_by_role("group", name="便民服务中心").get_by_label("满意", exact=True).check()
    _no_sideways_scroll(phone)
    shot(phone, "evaluation-form-phone")
    phone.get_by_role("button", name="提交评议").click()
    phone.wait_for_url(f"**/evaluations/{current.pk}/")
    text = phone.locator("main").inner_text()
    assert "评议已提交" in text and text.count("已评议") >= 2

    phone.goto(f"{base}/evaluations/{last.pk}/")
    text = phone.locator("main").inner_text()
    assert "连续两年多数不满意" in text and "3 人（75.0%）" in text
    _no_sideways_scroll(phone)
    shot(phone, "evaluation-results-phone")

    phone.goto(f"{base}/evaluations/?region={geo.county.code}")
    _no_sideways_scroll(phone)
    shot(phone, "evaluation-list-phone")

    supervisor = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}
    ).new_page()
    supervisor.goto(f"{base}/accounts/login/?next=/supervision/participation/")
    _sign_in(supervisor, "county_supervisor")
    supervisor.wait_for_url("**/supervision/participation/")
    assert "待处理（1 项）" in supervisor.locator("main").inner_text()
    _no_sideways_scroll(supervisor)
    shot(supervisor, "evaluation-flags-phone")
    supervisor.get_by_label("处理情况").fill("已约谈王建华，责令一个月内整改")
    supervisor.get_by_role("button", name="记录处理情况").click()
    supervisor.wait_for_url("**/supervision/participation/?region=*")
    assert "已处理（1 项）" in supervisor.locator("main").inner_text()
    assert EvaluationFlag.objects.get().handled_by == personas.county_supervisor
