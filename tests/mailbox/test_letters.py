"""The letter's clock and closed loop, through the services, the API and the pages."""

import datetime as dt
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from mailbox import services
from mailbox.models import Letter, LetterEvent
from portal.services.errors import DomainError

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def submit(
    unit,
    *,
    now=None,
    phone="13912345678",
    subject="路灯不亮",
    body="平岗路88号路灯坏了一周。",
    **extra,
):
    fields = {"type": "help", "name": "王芳", **extra}
    return services.letter_submit(
        unit=unit, subject=subject, body=body, phone=phone, now=now, **fields
    )


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH), dt.date(2026, 10, 10)),
        # The Friday before the Spring Festival: Sat 14 Feb is worked, 15–23 Feb are not.
        (dt.datetime(2026, 2, 13, 16, 30, tzinfo=SH), dt.date(2026, 2, 27)),
        # Late evening in Shanghai is still that day, whatever UTC says.
        (dt.datetime(2026, 9, 28, 15, 30, tzinfo=dt.UTC), dt.date(2026, 10, 10)),
        # …and just after midnight in Shanghai it is the next day already.
        (dt.datetime(2026, 9, 28, 16, 30, tzinfo=dt.UTC), dt.date(2026, 10, 12)),
    ],
)
def test_due_is_the_end_of_the_fifth_working_day(geo, calendar_2026, received, due):
    letter, created = submit(geo.village_committee, now=received)
    assert created
    local = letter.due_at.astimezone(SH)
    assert local.date() == due and local.time() == dt.time(23, 59, 59, 999999)
    assert letter.due_is_provisional is False


def test_unloaded_year_is_provisional(geo, calendar_2026):
    letter, _ = submit(geo.village_committee, now=dt.datetime(2026, 12, 29, 10, 0, tzinfo=SH))
    assert letter.due_is_provisional is True


def test_identical_letter_within_ten_minutes_returns_the_first(geo, calendar_2026):
    first, created = submit(geo.village_committee)
    again, created_again = submit(geo.village_committee)
    assert created and not created_again and again.pk == first.pk
    other, created_other = submit(geo.village_committee, body="另一件事：垃圾桶满了。")
    assert created_other and other.pk != first.pk


def test_id_number_is_only_hashed_and_masked(geo, calendar_2026):
    letter, _ = submit(geo.village_committee, id_number="11010519491231002X")
    assert letter.id_number_masked == "110105********002X"
    stored = Letter.objects.filter(pk=letter.pk).values()[0]
    assert "11010519491231002X" not in str(stored)


def test_closed_loop_with_transfer_reply_rating_and_reopen(geo, personas, calendar_2026):
    letter, _ = submit(geo.village_committee)
    due = letter.due_at
    with pytest.raises(DomainError):
        services.letter_accept(letter=letter, actor=personas.other_county_official)
    letter = services.letter_transfer(
        letter=letter,
        actor=personas.village_official,
        to_unit=geo.township_office,
        note="属街道职责",
    )
    assert letter.unit == geo.township_office and letter.due_at == due  # the clock keeps running
    letter = services.letter_accept(letter=letter, actor=personas.township_official)
    letter = services.letter_reply(
        letter=letter, actor=personas.township_official, text="已安排维修，三日内修复。"
    )
    letter = services.letter_rate(letter=letter, rating="unsatisfied", reopen=True)
    # Reopened the same day: a new clock from today, here the same date as before.
    assert letter.status == "accepted" and letter.reopened and letter.due_at >= due
    letter = services.letter_reply(letter=letter, actor=personas.township_official, text="已修复。")
    with pytest.raises(ValidationError):  # a second reopen is refused
        services.letter_rate(letter=letter, rating="unsatisfied", reopen=True)
    letter = services.letter_rate(letter=Letter.objects.get(pk=letter.pk), rating="satisfied")
    assert letter.status == "closed"
    kinds = list(LetterEvent.objects.filter(letter=letter).values_list("kind", flat=True))
    assert kinds == [
        "received",
        "transferred",
        "accepted",
        "replied",
        "rated",
        "reopened",
        "replied",
        "rated",
        "closed",
    ]


def test_one_extension_by_a_supervisor_of_the_place(geo, personas, calendar_2026):
    letter, _ = submit(geo.village_committee)
    with pytest.raises(DomainError):
        services.letter_extend(
            letter=letter, actor=personas.village_official, days=5, reason="需现场核实"
        )
    extended = services.letter_extend(
        letter=letter, actor=personas.county_supervisor, days=5, reason="需现场核实"
    )
    assert extended.due_at > letter.due_at and extended.extended
    with pytest.raises(DomainError):
        services.letter_extend(
            letter=extended, actor=personas.county_supervisor, days=5, reason="再延"
        )


def test_api_contract(geo, calendar_2026):
    api = APIClient()
    payload = {
        "unit": geo.village_committee.pk,
        "type": "consult",
        "subject": "低保申请条件",
        "body": "请问家中有残疾人如何申请低保？",
        "name": "李强",
        "phone": "13812345678",
        "email": "",
        "id_number": "",
        "publish_consent": True,
    }
    response = api.post("/api/v1/letters/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "tracking_code",
        "query_code",
        "received_at",
        "due_at",
        "due_is_provisional",
    }
    track = api.get(f"/api/v1/letters/{body['tracking_code']}/", {"query_code": body["query_code"]})
    assert track.status_code == 200
    assert track.json()["status"] == "received" and track.json()["events"][0]["kind"] == "received"
    assert "phone" not in track.json()
    wrong = api.get(f"/api/v1/letters/{body['tracking_code']}/", {"query_code": "000000"})
    assert wrong.status_code == 404
    assert (
        api.get("/api/v1/letters/NOSUCHCODE/", {"query_code": body["query_code"]}).status_code
        == 404
    )
    again = api.post("/api/v1/letters/", payload, format="json")
    assert again.json()["tracking_code"] == body["tracking_code"]
    assert Letter.objects.count() == 1


def test_api_bad_input_in_chinese_and_english_stores_nothing(geo, calendar_2026):
    api = APIClient()
    bad = {
        "unit": geo.village_committee.pk,
        "type": "gossip",
        "subject": "",
        "body": "",
        "name": "",
        "phone": "123",
        "id_number": "110105194912310021",
    }
    response = api.post("/api/v1/letters/", bad, format="json")
    assert response.status_code == 400
    assert "type" in response.json()
    bad["type"] = "help"
    response = api.post("/api/v1/letters/", bad, format="json")
    errors = response.json()
    assert {"subject", "body", "name", "phone", "id_number"} <= set(errors)
    assert "手机号码" in errors["phone"][0] and "校验位" in errors["id_number"][0]
    english = api.post("/api/v1/letters/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert Letter.objects.count() == 0


def test_rate_limit_per_phone(geo, calendar_2026, settings):
    settings.MAILBOX_RATE_PER_PHONE = 2
    api = APIClient()
    base = {
        "unit": geo.village_committee.pk,
        "type": "suggest",
        "name": "张敏",
        "phone": "13700001111",
    }
    codes = [
        api.post(
            "/api/v1/letters/", {**base, "subject": f"建议{n}", "body": f"内容{n}"}, format="json"
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Letter.objects.count() == 2


def test_write_track_and_rate_in_the_pages(geo, personas, calendar_2026, client):
    page = client.get(f"/letters/write/{geo.village_committee.pk}/")
    assert page.status_code == 200 and "平岗社区居民委员会" in page.content.decode()
    bad = client.post(
        f"/letters/write/{geo.village_committee.pk}/",
        {"type": "help", "subject": "路灯", "body": "坏了", "name": "王芳", "phone": "12"},
    )
    assert "请输入11位手机号码" in bad.content.decode() and 'value="路灯"' in bad.content.decode()
    ok = client.post(
        f"/letters/write/{geo.village_committee.pk}/",
        {"type": "help", "subject": "路灯", "body": "坏了", "name": "王芳", "phone": "13912345678"},
        follow=True,
    )
    letter = Letter.objects.get()
    html = ok.content.decode()
    assert letter.tracking_code in html and letter.query_code in html
    services.letter_reply(letter=letter, actor=personas.village_official, text="已修复。")
    tracked = client.post(
        "/letters/track/", {"tracking_code": letter.tracking_code, "query_code": letter.query_code}
    ).content.decode()
    assert "已修复。" in tracked and "评价答复" in tracked
    wrong = client.post(
        "/letters/track/", {"tracking_code": letter.tracking_code, "query_code": "999999"}
    ).content.decode()
    assert "查询编号或查询码不正确" in wrong and "已修复" not in wrong
    # Typed with a Chinese input method: the same answer, never a server error.
    typed = client.post(
        "/letters/track/", {"tracking_code": letter.tracking_code, "query_code": "４８２９１３"}
    )
    assert typed.status_code == 200 and "查询编号或查询码不正确" in typed.content.decode()
    client.post(
        "/letters/track/",
        {
            "tracking_code": letter.tracking_code,
            "query_code": letter.query_code,
            "rating": "satisfied",
        },
    )
    assert Letter.objects.get().status == "closed"


def test_official_handles_in_the_admin_and_outsider_cannot(geo, personas, calendar_2026, client):
    letter, _ = submit(geo.village_committee)
    url = f"/admin/mailbox/letter/{letter.pk}/change/"
    client.force_login(personas.other_county_official)
    assert client.get(url).status_code == 404  # not in their queryset: as if missing
    client.force_login(personas.village_official)
    page = client.get(url).content.decode()
    assert "13912345678" in page  # the handling office may call back
    refused = client.post(url, {"action": "reject", "note": ""})
    assert refused.status_code == 200 and "不予受理须说明理由" in refused.content.decode()
    assert client.post(url, {"action": "accept"}).status_code == 302
    assert (
        client.post(url, {"action": "reply", "note": "已联系供电所，本周修复。"}).status_code == 302
    )
    assert Letter.objects.get().status == "replied"
    client.force_login(personas.county_supervisor)
    assert "139****5678" in client.get(url).content.decode()
