"""A solicitation from the citizen's phone to the unit's report: a visitor is asked to
sign in, a citizen comments, the official publishes the opinion, groups it after the
window and publishes the report; the phone shows it without sideways scrolling."""

import datetime as dt

import pytest
from django.utils import timezone

from participation.models import Opinion, Solicitation
from participation.services import solicitations as services
from tests.browser.test_publishing import admin_login
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "建议在东门外增设12个临时停车位，晚上9点后对本小区居民开放。"


def phone(browser, width=360):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    return context.new_page()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_comment_moderate_and_report(geo, personas, live_server, browser, settings, shot):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    base = live_server.url
    now = timezone.now()
    solicitation = services.solicitation_publish(
        solicitation=services.solicitation_create(
            unit=geo.village_committee,
            title="平岗社区停车管理办法（征求意见稿）公开征求意见",
            summary="规范小区停车秩序，征求全体居民意见。",
            body="<p>第一条 为规范小区停车秩序，保障消防通道畅通，制定本办法。</p>"
            "<p>第二条 小区内车辆应停放在划定的车位内。</p>",
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=14),
            actor=personas.village_official,
        ),
        actor=personas.village_official,
    )

    visitor = phone(browser)
    visitor.goto(f"{base}/solicitations/?region={geo.county.code}")
    assert "停车管理办法" in visitor.locator("main").inner_text()
    no_sideways_scroll(visitor)
    shot(visitor, "solicitation-list-phone")
    visitor.get_by_role("link", name=solicitation.title).click()
    visitor.get_by_role("link", name="请先登录").click()
    visitor.fill("#id_username", "citizen")
    visitor.fill("#id_password", PASSWORD)
    visitor.locator("main button[type=submit], main input[type=submit]").first.click()
    visitor.wait_for_url(f"**/solicitations/{solicitation.pk}/")
    visitor.fill("#id_text", TEXT)
    visitor.get_by_role("button", name="提交意见").click()
    assert "您的意见已提交，审核后公开。" in visitor.locator(".messages").inner_text()
    assert "待审核" in visitor.locator("#my-opinions").inner_text()
    no_sideways_scroll(visitor)
    shot(visitor, "solicitation-submitted-phone")

    official = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    ).new_page()
    admin_login(official, base, "village_official")
    opinion = Opinion.objects.get()
    official.goto(f"{base}/admin/participation/opinion/{opinion.pk}/change/")
    official.select_option("#id_decision", "publish")
    official.click("input[name=_save]")
    official.wait_for_url("**/admin/participation/opinion/")

    Solicitation.objects.filter(pk=solicitation.pk).update(
        opens_at=now - dt.timedelta(days=15), closes_at=now - dt.timedelta(minutes=1)
    )
    official.goto(f"{base}/admin/participation/solicitation/{solicitation.pk}/change/")
    official.fill("#id_groups-0-summary", "增设临时停车位")
    official.select_option("#id_groups-0-adoption", "partly")
    official.fill("#id_groups-0-reason", "东门外道路属市政道路，可增设6个夜间临时车位。")
    official.check("#id_groups-0-opinions_0")
    official.select_option("#id_workflow", "report")
    official.fill("#id_report_text", "本次共收到意见1条，部分采纳1条。感谢居民朋友的参与。")
    shot(official, "solicitation-admin-report")
    official.click("input[name=_save]")
    official.wait_for_url("**/admin/participation/solicitation/")
    assert Solicitation.objects.get(pk=solicitation.pk).status == "reported"

    reader = phone(browser)
    reader.goto(f"{base}/solicitations/{solicitation.pk}/")
    report = reader.locator("#report").inner_text()
    assert "部分采纳" in report and "可增设6个夜间临时车位" in report
    assert "赵*" in reader.locator("#opinions").inner_text()
    no_sideways_scroll(reader)
    shot(reader, "solicitation-report-phone")
