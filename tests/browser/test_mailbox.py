"""A citizen writes and tracks with the two codes; an official transfers, another replies;
the citizen rates; the supervisor sees the letter leave the overdue list."""

import datetime as dt

import pytest
from django.utils import timezone

from mailbox.models import Letter
from tests.browser.test_publishing import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "平岗路路灯连续一周不亮"


def test_letter_round_trip(geo, personas, calendar_2026, live_server, browser, settings, shot):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    base = live_server.url
    citizen = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    citizen.goto(f"{base}/units/{geo.village_committee.pk}/")
    citizen.get_by_role("link", name="给本单位写信").click()
    citizen.get_by_label("求助").check()
    citizen.fill("#id_subject", SUBJECT)
    citizen.fill(
        "#id_body", "平岗路88号至120号路段路灯连续一周不亮，老人晚上出行不便，请尽快维修。"
    )
    citizen.fill("#id_name", "王芳")
    citizen.fill("#id_phone", "13912345678")
    citizen.get_by_role("button", name="提交").click()
    citizen.wait_for_url("**/letters/receipt/")
    shot(citizen, "letter-receipt-phone")
    codes = citizen.locator(".receipt dd.code").all_inner_texts()
    tracking_code, query_code = codes[0].strip(), codes[1].strip()
    letter = Letter.objects.get(tracking_code=tracking_code)

    citizen.goto(f"{base}/letters/track/")
    citizen.fill("#id_tracking_code", tracking_code)
    citizen.fill("#id_query_code", query_code)
    citizen.get_by_role("button", name="查询").click()
    assert "已收到" in citizen.locator("main").inner_text()

    # Make it overdue, as if it had come in a fortnight ago.
    past = timezone.now() - dt.timedelta(days=14)
    Letter.objects.filter(pk=letter.pk).update(received_at=past, due_at=past + dt.timedelta(days=7))
    supervisor = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    ).new_page()
    admin_login(supervisor, base, "county_supervisor")
    supervisor.goto(f"{base}/supervision/letters/?region=510118000000")
    assert SUBJECT in supervisor.locator("main").inner_text()

    official = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    ).new_page()
    admin_login(official, base, "village_official")
    official.goto(f"{base}/admin/mailbox/letter/{letter.pk}/change/")
    official.select_option("#id_action", "transfer")
    official.fill("#id_to_unit", str(geo.township_office.pk))
    official.fill("#id_note", "路灯维护属街道职责，转五津街道办理。")
    official.click("input[name=_save]")
    official.wait_for_url("**/admin/mailbox/letter/")

    township = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    ).new_page()
    admin_login(township, base, "township_official")
    township.goto(f"{base}/admin/mailbox/letter/{letter.pk}/change/")
    township.select_option("#id_action", "reply")
    township.fill("#id_note", "您好！您反映的路灯问题已安排维修，11月30日前修复。感谢您的监督。")
    township.click("input[name=_save]")
    township.wait_for_url("**/admin/mailbox/letter/")

    citizen.goto(f"{base}/letters/track/")
    citizen.fill("#id_tracking_code", tracking_code)
    citizen.fill("#id_query_code", query_code)
    citizen.get_by_role("button", name="查询").click()
    page = citizen.locator("main").inner_text()
    assert "11月30日前修复" in page and "转办" in page
    citizen.get_by_label("满意", exact=True).check()
    citizen.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in citizen.locator("main").inner_text()
    shot(citizen, "letter-rated-phone")
    assert Letter.objects.get(pk=letter.pk).status == "closed"

    supervisor.reload()
    assert SUBJECT not in supervisor.locator("main").inner_text()
