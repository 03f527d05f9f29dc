"""On a phone: a citizen asks 五津街道's office for government information (依申请公开) from
the unit's page and keeps the two codes; the office's official sends the one correction
notice (补正) from the back office; the citizen follows the request with the codes, reads
the notice and corrects it, and the due date moves (the clock restarts from the corrected
application); the official replies with a partial disclosure; the citizen reads the reply
and opens the reply letter; the unit's annual report for that year counts the request in
table 3, row （二）部分公开, column 自然人 (and 总计), and its check rule holds.

Screenshots go to var/screenshots/info-request-*.png."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from disclosure.models import (
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestStatus,
    Outcome,
)
from disclosure.requests import deadlines
from portal import identity
from portal.demo.people import id_number_for
from portal.workdays import working_days
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_publishing import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_SIZE = {"width": 390, "height": 844}
DESKTOP_SIZE = {"width": 1280, "height": 900}
# A synthetic person: an ID number well-formed under GB 11643, never a real one.
ID_NUMBER = id_number_for("510118", dt.date(1962, 3, 14), 246)
PHONE = "13987654321"
DESCRIPTION = "申请公开五津街道老旧小区改造项目的实施方案"
NOTICE = "请补充所需信息涉及的小区名称和年度，以便确定具体的政府信息。"
CORRECTED = "申请公开五津街道2026年平岗小区老旧小区改造项目的实施方案及资金安排"
REPLY = (
    "1.平岗小区老旧小区改造项目实施方案全文予以公开（共12页），请在本页下载。\n"
    "2.资金安排表中住户姓名和银行账户属于个人信息，公开会损害第三方合法权益，不予公开；"
    "其余部分予以提供。"
)
# What the unit discloses, as a file of the reply (a minimal PDF).
PLAN_PDF = {
    "name": "平岗小区老旧小区改造项目实施方案.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
}
# How long ago the application arrived (working days), so the correction is seen to move
# the due date: a correction today restarts the clock from today.
FILED_WORKING_DAYS_AGO = 3


def login(page, base, username):
    admin_login(page, base, username)
    page.wait_for_url("**/admin/")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shown(day: dt.date) -> str:
    """A date as the pages show it (DATE_FORMAT of zh-hans)."""
    with translation.override("zh-hans"):
        return date_format(day, "DATE_FORMAT")


def as_if_filed(item: InfoRequest, day: dt.date) -> dt.date:
    """Move an application filed today back to `day`, as the services would have stored
    it then (receipt, due date, the steps' times and notes). Returns its due date."""
    due, provisional = deadlines.due_date(received_on=day, extension_days=0, paused_days=0)
    moment = timezone.localtime(item.submitted_at)
    then = moment.replace(year=day.year, month=day.month, day=day.day)
    InfoRequest.objects.filter(pk=item.pk).update(
        submitted_at=then, received_on=day, due_on=due, due_is_provisional=provisional
    )
    InfoRequestEvent.objects.filter(request=item).update(at=then)
    InfoRequestEvent.objects.filter(request=item, kind=InfoRequestEventKind.RECEIVED).update(
        note=f"收到申请日期：{day:%Y-%m-%d}；答复期限：{due:%Y-%m-%d}"
    )
    return due


def track(page, base, tracking_code, query_code):
    page.goto(f"{base}/info-requests/track/")
    page.fill("#id_tracking_code", tracking_code)
    page.fill("#id_query_code", query_code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector(".ogi-status")


def official_step(page, base, item, action, fields, files=None, shot_name=""):
    """One step in the back office: choose the action, fill its fields, save."""
    page.goto(f"{base}/admin/disclosure/inforequest/{item.pk}/change/")
    page.select_option("#id_action", action)
    for selector, value in fields.items():
        if selector.startswith("select"):
            page.select_option(selector.removeprefix("select"), value)
        else:
            page.fill(selector, value)
    for selector, value in (files or {}).items():
        page.set_input_files(selector, value)
    if shot_name:
        page.screenshot(path=str(SCREENSHOTS / f"{shot_name}.png"), full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")


def partial_row(page) -> list[str]:
    """The figures of table 3's row （二）部分公开, column by column (自然人 … 总计)."""
    return page.evaluate(
        """() => {
          const rows = [...document.querySelectorAll('table.report-table3 tr')];
          const row = rows.find(r => [...r.querySelectorAll('th')]
            .some(th => th.textContent.trim().startsWith('（二）部分公开')));
          return row ? [...row.querySelectorAll('td')].map(td => td.textContent.trim()) : [];
        }"""
    )


def test_request_corrected_partly_disclosed_and_counted(
    geo, personas, calendar_2026, live_server, browser, settings, shot
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    base = live_server.url
    unit = geo.township_office
    today = timezone.localdate()

    # The citizen, on a phone, from the unit's page.
    citizen = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE).new_page()
    citizen.goto(f"{base}/units/{unit.pk}/")
    citizen.get_by_role("link", name="依申请公开", exact=True).click()
    citizen.wait_for_url(f"**/info-requests/new/{unit.pk}/")
    assert unit.name in citizen.locator("main").inner_text()
    citizen.check("input[name=applicant_type][value=natural_person]")
    citizen.fill("#id_applicant_name", "周桂兰")
    citizen.fill("#id_id_number", ID_NUMBER)
    citizen.fill("#id_phone", PHONE)
    citizen.fill("#id_description", DESCRIPTION)
    citizen.check("input[name=delivery][value=online]")
    assert no_sideways_scroll(citizen)
    shot(citizen, "info-request-form-phone")
    citizen.get_by_role("button", name="提交申请").click()
    citizen.wait_for_url("**/info-requests/receipt/")
    assert no_sideways_scroll(citizen)
    shot(citizen, "info-request-receipt-phone")
    codes = citizen.locator(".receipt dd.code").all_inner_texts()
    tracking_code, query_code = codes[0].strip(), codes[1].strip()
    item = InfoRequest.objects.get(tracking_code=tracking_code)
    assert item.query_code == query_code and item.unit == unit
    assert item.status == InfoRequestStatus.PROCESSING and item.received_on == today
    assert shown(item.due_on) in citizen.locator(".receipt").inner_text()
    # Only the hash and the mask of the ID number are kept.
    assert item.id_number_masked == identity.mask_id_number(ID_NUMBER)
    assert item.id_number_hash == identity.id_number_hash(ID_NUMBER)
    assert ID_NUMBER not in str(InfoRequest.objects.filter(pk=item.pk).values().get())

    # It arrived a few working days ago (within the 7 for a correction notice), in this
    # year, so the report of this year counts it as new.
    earlier = [d for d in working_days(dt.date(today.year, 1, 1), today) if d < today]
    assert len(earlier) >= FILED_WORKING_DAYS_AGO, "too early in January for this scenario"
    filed_on = earlier[-FILED_WORKING_DAYS_AGO]
    first_due = as_if_filed(item, filed_on)

    # The official sends the one correction notice.
    official = browser.new_context(locale="zh-CN", viewport=DESKTOP_SIZE).new_page()
    login(official, base, "township_official")
    official_step(official, base, item, "correction", {"#id_notice": NOTICE})
    item.refresh_from_db()
    assert item.status == InfoRequestStatus.CORRECTION
    assert item.correction_due_on == deadlines.correction_due(today)[0]

    # The citizen sees the notice and corrects.
    track(citizen, base, tracking_code, query_code)
    page_text = citizen.locator("main").inner_text()
    assert NOTICE in page_text
    assert "补正期间暂停计算" in page_text
    assert shown(item.correction_due_on) in page_text
    assert no_sideways_scroll(citizen)
    shot(citizen, "info-request-track-correction-phone")
    citizen.fill("#id_corrected_description", CORRECTED)
    citizen.get_by_role("button", name="提交补正").click()
    citizen.wait_for_selector("text=补正后的申请已收到")
    item.refresh_from_db()
    assert item.status == InfoRequestStatus.PROCESSING
    assert item.received_on == today
    # The clock restarts from the corrected application: the due date moves.
    new_due = deadlines.due_date(received_on=today, extension_days=0, paused_days=0)[0]
    assert item.due_on == new_due > first_due
    status_text = citizen.locator(".ogi-status").inner_text()
    assert shown(new_due) in status_text and shown(first_due) not in status_text
    assert "补正后重新计算" in status_text

    # The official replies: partly disclosed.
    official_step(
        official,
        base,
        item,
        "reply",
        {"select#id_reply_outcome": Outcome.PARTIAL, "#id_reply_body": REPLY},
        files={"#id_reply_files": PLAN_PDF},
        shot_name="info-request-admin-reply",
    )
    item.refresh_from_db()
    assert item.status == InfoRequestStatus.REPLIED and item.outcome == Outcome.PARTIAL

    # The citizen reads the reply and opens the letter.
    track(citizen, base, tracking_code, query_code)
    reply = citizen.locator(".ogi-reply").inner_text()
    assert "部分公开" in reply and "实施方案全文予以公开" in reply
    assert PLAN_PDF["name"] in reply
    assert "60日" in reply and "6个月" in reply
    assert no_sideways_scroll(citizen)
    shot(citizen, "info-request-reply-phone")
    citizen.get_by_role("link", name="查看答复书").click()
    citizen.wait_for_load_state()
    letter = citizen.locator("body").inner_text()
    assert f"{unit.name}政府信息公开申请答复书" in letter
    # The decision of a partial disclosure, the unit's reasons, the remedies.
    assert "作区分处理" in letter and "第三十七条" in letter and "不予公开" in letter
    assert "60日内" in letter and "行政复议" in letter and "6个月内" in letter
    shot(citizen, "info-request-letter-phone")

    # The annual report of this year (a draft the unit's official reads): one partial
    # disclosure to a natural person, and the check rule holds.
    official.goto(f"{base}/annual-reports/{unit.pk}/{today.year}/")
    figures = partial_row(official)
    assert figures[0] == "1" and figures[-1] == "1", figures
    assert all(value == "0" for value in figures[1:-1]), figures
    assert "勾稽关系成立" in official.locator("main").inner_text()
    shot(official, "info-request-annual-report")
