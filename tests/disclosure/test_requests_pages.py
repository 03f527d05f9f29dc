"""The applicant's pages: file a request with a unit, the receipt (codes shown once),
the track page (status, due date, correction, reply, withdrawal) and the request's
files."""

import datetime as dt
import sys
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import clear_url_caches, include, path

from disclosure.models import InfoRequest, InfoRequestStatus, Outcome
from disclosure.requests import services
from tests.disclosure import requests_fixtures
from tests.disclosure.requests_fixtures import (
    at,
    person_fields,
    submit,
)

pytestmark = pytest.mark.django_db
ogi = requests_fixtures.ogi
D = dt.date
TRACK = "/info-requests/track/"


@contextmanager
def frozen(instant: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield


def new_url(unit) -> str:
    return f"/info-requests/new/{unit.pk}/"


def form_data(**overrides):
    data = person_fields(**overrides)
    data.pop("user", None)
    return data


def test_the_form_files_a_request_and_the_receipt_shows_the_codes_once(ogi, calendar_2026, client):
    page = client.get(new_url(ogi.unit))
    assert page.status_code == 200
    text = page.content.decode()
    assert ogi.unit.name in text and "20个工作日" in text and 'name="id_number"' in text
    with frozen(at(2026, 9, 14, 9)):
        response = client.post(
            new_url(ogi.unit),
            {
                **form_data(),
                "attachments": [SimpleUploadedFile("身份证明.pdf", b"%PDF-1.4 scan")],
            },
        )
        assert response.status_code == 302 and response["Location"] == "/info-requests/receipt/"
        receipt = client.get("/info-requests/receipt/")
    item = InfoRequest.objects.get()
    text = receipt.content.decode()
    assert item.tracking_code in text and item.query_code in text
    assert "2026年9月14日" in text and "2026年10月16日" in text
    assert "工作日日历" in text  # the calendar note
    assert [a.original_name for a in item.attachments.all()] == ["身份证明.pdf"]
    assert client.get("/info-requests/receipt/").status_code == 404


def test_a_bad_field_is_shown_beside_it_and_nothing_is_stored(ogi, calendar_2026, client):
    response = client.post(new_url(ogi.unit), form_data(id_number="110105194912310021"))
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in response.content.decode()
    assert not InfoRequest.objects.exists()


def test_every_missing_field_and_rule_is_named_at_once(ogi, calendar_2026, client):
    response = client.post(
        new_url(ogi.unit),
        {"applicant_type": "natural_person", "delivery": "email", "phone": "13912345678"},
    )
    text = response.content.decode()
    for message in (
        "请填写申请人姓名或单位名称。",
        "自然人申请须填写身份证号码。",
        "选择电子邮件方式获取的，请填写电子邮箱。",
        "请写明所需政府信息的名称、文号或者便于查询的其他特征。",
    ):
        # Beside its field and in the error summary above the form, once each.
        assert text.count(message) == 2, message
    assert not InfoRequest.objects.exists()


def test_an_inactive_or_missing_unit_is_a_404(ogi, client):
    ogi.unit.is_active = False
    ogi.unit.save()
    assert client.get(new_url(ogi.unit)).status_code == 404
    assert client.get("/info-requests/new/999999/").status_code == 404


def track(client, item, code=None, **extra):
    return client.post(
        TRACK,
        {"tracking_code": item.tracking_code, "query_code": code or item.query_code, **extra},
    )


def test_track_needs_both_codes(ogi, calendar_2026, client):
    item = submit(ogi.unit, at(2026, 9, 14))
    assert client.get(TRACK).status_code == 200
    wrong = track(client, item, "000000" if item.query_code != "000000" else "111111")
    assert "申请编号或查询码不正确" in wrong.content.decode()
    page = track(client, item).content.decode()
    assert "办理中" in page and "2026年10月16日" in page and "王**" in page
    assert "王小明" not in page and item.phone not in page


def test_the_applicant_corrects_on_the_track_page(ogi, calendar_2026, client):
    item = submit(ogi.unit, at(2026, 9, 14))
    services.correction_notice_send(
        request=item, notice="请写明所需名单的年份。", actor=ogi.admin, now=at(2026, 9, 15)
    )
    page = track(client, item).content.decode()
    assert "请写明所需名单的年份。" in page and 'name="corrected_description"' in page
    assert "2026年10月12日" in page  # correct by
    empty = track(client, item, corrected_description="")
    assert "请填写补正后的申请内容" in empty.content.decode()
    with frozen(at(2026, 9, 16)):
        done = track(client, item, corrected_description="2025年平岗社区低保对象名单")
    text = done.content.decode()
    assert "答复期限自今日重新计算" in text
    item.refresh_from_db()
    assert item.status == InfoRequestStatus.PROCESSING and item.received_on == D(2026, 9, 16)
    assert 'name="corrected_description"' not in text


def test_the_applicant_withdraws(ogi, calendar_2026, client):
    item = submit(ogi.unit, at(2026, 9, 14))
    unconfirmed = track(client, item, withdraw="1")
    assert "请勾选确认后再撤回" in unconfirmed.content.decode()
    track(client, item, withdraw="1", confirm="on", reason="不需要了")
    item.refresh_from_db()
    assert item.status == InfoRequestStatus.CLOSED and item.outcome == Outcome.OTHER


def test_reply_with_files_opened_from_the_track_page(ogi, calendar_2026, client):
    item = submit(ogi.unit, at(2026, 9, 14))
    services.reply(
        request=item,
        outcome=Outcome.PUBLIC,
        reply_text="所需名单见附件。",
        attachments=[("名单.pdf", b"%PDF-1.4 list")],
        actor=ogi.admin,
        now=at(2026, 9, 30),
    )
    file = item.attachments.get()
    url = f"/info-requests/{item.tracking_code}/files/{file.token}/"
    assert client.get(url).status_code == 404  # not yet opened with the codes
    page = track(client, item).content.decode()
    assert "予以公开" in page and "所需名单见附件。" in page and url in page
    assert "60日" in page and "6个月" in page  # the remedies
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 list"
    assert response["Cache-Control"] == "private, no-store"


def test_files_for_the_unit_only_in_the_back_office(ogi, calendar_2026, client):
    item = submit(ogi.unit, at(2026, 9, 14), attachments=[("证明.pdf", b"%PDF-1.4 id")])
    url = f"/info-requests/{item.tracking_code}/files/{item.attachments.get().token}/"
    for person, status in (
        (ogi.editor, 200),
        (ogi.reviewer, 200),
        (ogi.supervisor, 404),
        (ogi.outsider, 404),
        (ogi.personas.citizen, 404),
    ):
        client.force_login(person)
        assert client.get(url).status_code == status, person
    assert client.get(f"/info-requests/{item.tracking_code}/files/nosuchtoken/").status_code == 404


def test_track_page_queries_are_bounded(ogi, calendar_2026, client, django_assert_max_num_queries):
    item = submit(ogi.unit, at(2026, 9, 2))
    services.extension_grant(
        request=item, days=3, reason="量大", actor=ogi.admin, now=at(2026, 9, 20)
    )
    for day in (21, 22, 23):
        consultation = services.third_party_ask(
            request=item,
            third_party=f"第三方{day}",
            asked_on=D(2026, 9, day),
            actor=ogi.admin,
            now=at(2026, 9, day),
        )
        services.third_party_answer(
            consultation=consultation,
            answered_on=D(2026, 9, day),
            actor=ogi.admin,
            now=at(2026, 9, day),
        )
    services.reply(
        request=item,
        outcome=Outcome.PARTIAL,
        reply_text="部分公开。",
        attachments=[("a.pdf", b"%PDF-1.4 a"), ("b.pdf", b"%PDF-1.4 b")],
        actor=ogi.admin,
        now=at(2026, 9, 29),
    )
    track(client, item)  # the session exists
    with django_assert_max_num_queries(8):
        page = track(client, item)
    assert page.status_code == 200 and page.content.decode().count("<li><time") == 10


def _letter(request, tracking_code):
    return HttpResponse(tracking_code)


letter_urls = type(sys)("letter_urls")
letter_urls.urlpatterns = [
    path("info-requests/<str:tracking_code>/letter/", _letter, name="info-request-letter"),
    path("info-requests/<str:tracking_code>/letter.pdf", _letter, name="info-request-letter-pdf"),
    path("", include("portal.urls")),
]


def test_letter_links_once_the_views_exist(ogi, calendar_2026, client, settings):
    settings.ROOT_URLCONF = letter_urls
    clear_url_caches()
    try:
        item = submit(ogi.unit, at(2026, 9, 14))
        services.reply(request=item, outcome=Outcome.PUBLIC, reply_text="见附件", actor=ogi.admin)
        page = track(client, item).content.decode()
        assert f"/info-requests/{item.tracking_code}/letter/" in page
        assert f"/info-requests/{item.tracking_code}/letter.pdf" in page
    finally:
        clear_url_caches()
