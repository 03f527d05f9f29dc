"""The API contract of requests for information: POST /api/v1/info-requests/ and
GET /api/v1/info-requests/<tracking_code>/?query_code=."""

import datetime as dt
import json
import sys
from contextlib import contextmanager
from unittest import mock

import pytest
from django.http import HttpResponse
from django.urls import clear_url_caches, include, path

from disclosure.models import Outcome
from disclosure.requests import services
from tests.disclosure import requests_fixtures
from tests.disclosure.requests_fixtures import (
    ID_NUMBER,
    ORG_CODE,
    at,
    person_fields,
    submit,
)

pytestmark = pytest.mark.django_db
ogi = requests_fixtures.ogi
URL = "/api/v1/info-requests/"
D = dt.date


@contextmanager
def frozen(instant: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield


def payload(unit, **overrides):
    fields = person_fields(**overrides)
    return {"unit": unit.pk, **fields}


def test_post_files_a_request_and_answers_201_with_the_receipt(ogi, calendar_2026, api):
    with frozen(at(2026, 9, 14, 9)):
        response = api.post(URL, payload(ogi.unit), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "tracking_code",
        "query_code",
        "received_on",
        "due_at",
        "due_is_provisional",
        "status",
    }
    assert len(body["tracking_code"]) == 10 and len(body["query_code"]) == 6
    assert body["received_on"] == "2026-09-14"
    # The end of the 20th working day, in Asia/Shanghai.
    assert body["due_at"] == "2026-10-16T23:59:59.999999+08:00"
    assert body["due_is_provisional"] is False and body["status"] == "processing"


def test_an_organisation_files_with_its_credit_code(ogi, calendar_2026, api):
    with frozen(at(2026, 9, 14, 9)):
        response = api.post(
            URL,
            payload(
                ogi.unit,
                applicant_type="research",
                applicant_name="西南交通大学某研究所",
                id_number="",
                org_code=ORG_CODE,
                contact_person="赵老师",
            ),
            format="json",
        )
    assert response.status_code == 201, response.content


def test_bad_fields_are_a_400_in_chinese(ogi, calendar_2026, api):
    response = api.post(
        URL, payload(ogi.unit, id_number="", delivery="paper", address=""), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "id_number": ["自然人申请须填写身份证号码。"],
        "address": ["选择邮寄纸质材料的，请填写通信地址。"],
    }
    response = api.post(URL, {"description": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"unit": ["请选择受理申请的机关。"]}
    other = ogi.geo.village_committee
    other.is_active = False
    other.save()
    response = api.post(URL, payload(other), format="json")
    assert response.status_code == 400 and response.json()["unit"] == ["请选择受理申请的机关。"]


def test_too_many_from_one_phone_is_a_429(ogi, calendar_2026, api, settings):
    settings.OGI_RATE_PER_PHONE = 1
    first = api.post(URL, payload(ogi.unit, phone="13988887777"), format="json")
    assert first.status_code == 201
    again = api.post(
        URL, payload(ogi.unit, phone="13988887777", description="另一项信息"), format="json"
    )
    assert again.status_code == 429
    assert again.json()["detail"] == "提交过于频繁，请一小时后再试。"


def track(api, item, code=None):
    query = {} if code is False else {"query_code": code or item.query_code}
    return api.get(f"{URL}{item.tracking_code}/", query)


def test_get_follows_the_request_with_both_codes(ogi, calendar_2026, api):
    item = submit(ogi.unit, at(2026, 9, 2))
    services.extension_grant(
        request=item, days=3, reason="需要调取档案", actor=ogi.admin, now=at(2026, 9, 20)
    )
    services.third_party_ask(
        request=item,
        third_party="平岗物业公司",
        asked_on=D(2026, 9, 21),
        actor=ogi.admin,
        now=at(2026, 9, 21),
    )
    response = track(api, item)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "third_party" and body["status_label"] == "征求第三方意见"
    assert body["received_on"] == "2026-09-02"
    assert body["due_at"] == "2026-10-10T23:59:59.999999+08:00"
    assert body["extension"]["days"] == 3 and body["extension"]["reason"] == "需要调取档案"
    assert body["correction"] is None
    assert body["consultations"] == [{"asked_on": "2026-09-21", "answered_on": None}]
    assert [e["kind"] for e in body["events"]] == [
        "submitted",
        "received",
        "extended",
        "third_party_asked",
    ]
    assert set(body["events"][0]) == {"kind", "kind_label", "at", "note"}
    assert body["reply"] is None and body["letter"] is None
    assert body["applicant"] == "王**"
    # No personal data beyond the masked name; not who the third party is either.
    text = json.dumps(body, ensure_ascii=False)
    for secret in (item.phone, ID_NUMBER, "110105", item.email, item.address, "王小明", "平岗物业"):
        assert secret not in text


def test_get_shows_the_correction_and_the_reply(ogi, calendar_2026, api):
    item = submit(ogi.unit, at(2026, 9, 14))
    services.correction_notice_send(
        request=item, notice="请写明年份。", actor=ogi.admin, now=at(2026, 9, 15)
    )
    body = track(api, item).json()
    assert body["due_at"] is None
    assert body["correction"]["notice"] == "请写明年份。"
    assert body["correction"]["due"] == "2026-10-12"
    services.correction_submit(
        request=item,
        corrected_description="2025年",
        query_code=item.query_code,
        now=at(2026, 9, 16),
    )
    services.reply(
        request=item,
        outcome=Outcome.REFUSED_THIRD_PARTY,
        reply_text="涉及第三方个人隐私。",
        fee_amount="10",
        fee_basis="按件计收",
        actor=ogi.admin,
        now=at(2026, 9, 30),
    )
    body = track(api, item).json()
    assert body["status"] == "replied"
    assert body["reply"]["outcome"] == "refused_third_party"
    assert body["reply"]["outcome_label"] == "不予公开：保护第三方合法权益"
    assert body["reply"]["text"] == "涉及第三方个人隐私。"
    assert body["reply"]["replied_at"].startswith("2026-09-30T10:00:00")
    assert body["reply"]["fee"] == {"amount": "10.00", "basis": "按件计收"}


def test_wrong_or_missing_code_is_a_404(ogi, calendar_2026, api):
    item = submit(ogi.unit, at(2026, 9, 14))
    wrong = "000000" if item.query_code != "000000" else "111111"
    assert track(api, item, wrong).status_code == 404
    assert track(api, item, False).status_code == 404
    assert track(api, item, "１２３４５６").status_code == 404
    assert api.get(f"{URL}NOSUCHCODE/", {"query_code": item.query_code}).status_code == 404


# The reply letter's views belong to another module; a stand-in with their names.
def _letter(request, tracking_code):
    return HttpResponse(tracking_code)


letter_urls = type(sys)("letter_urls")
letter_urls.urlpatterns = [
    path("info-requests/<str:tracking_code>/letter/", _letter, name="info-request-letter"),
    path("info-requests/<str:tracking_code>/letter.pdf", _letter, name="info-request-letter-pdf"),
    path("", include("portal.urls")),
]


def test_letter_urls_once_replied(ogi, calendar_2026, api, settings):
    settings.ROOT_URLCONF = letter_urls
    clear_url_caches()
    try:
        item = submit(ogi.unit, at(2026, 9, 14))
        assert track(api, item).json()["letter"] is None
        services.reply(request=item, outcome=Outcome.PUBLIC, reply_text="见附件", actor=ogi.admin)
        letter = track(api, item).json()["letter"]
        assert letter == {
            "html": f"http://testserver/info-requests/{item.tracking_code}/letter/",
            "pdf": f"http://testserver/info-requests/{item.tracking_code}/letter.pdf",
        }
    finally:
        clear_url_caches()
