"""The mutual-aid API: every status code of the contract, masked names and redacted
contact data in every answer, and a bounded number of queries for the list."""

import datetime as dt

import pytest

from participation.models import AidPost, AidReply, AidReport, AidStatus
from participation.services import mutual_aid as services
from tests.participation import test_mutual_aid_support as support
from tests.participation.test_mutual_aid_support import PHONE, post, today

aid_places = support.aid_places
aid_people = support.aid_people
fresh_rate_counters = support.fresh_rate_counters

pytestmark = pytest.mark.django_db

LIST = "/api/v1/mutual-aid/"


def _payload(region: str, **changes) -> dict:
    return {
        "region": region,
        "kind": "offer",
        "category": "repairs",
        "title": "免费帮老人修理小家电",
        "text": "退休电工，周末有空，可上门修理电饭煲、台灯等。",
        "scope": "township",
        "expires_on": (today() + dt.timedelta(days=30)).isoformat(),
        **changes,
    }


# --- Creating ----------------------------------------------------------------------------


def test_a_resident_posts_with_a_token(api, aid_people, aid_places):
    response = api.as_user(aid_people.author).post(
        LIST, _payload(aid_places.village.code), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["author"] == "杨**"
    assert data["region"] == {"code": "510118001001", "name": "平岗社区"}
    assert (data["scope"], data["scope_code"]) == ("township", "510118001000")
    assert (data["status"], data["kind_label"], data["replies"]) == ("open", "帮忙", [])
    assert AidPost.objects.get(pk=data["id"]).author == aid_people.author


def test_a_resident_posts_with_a_session(client, aid_people, aid_places):
    client.force_login(aid_people.author)
    response = client.post(LIST, _payload(aid_places.village.code), content_type="application/json")
    assert response.status_code == 201


def test_signed_out_is_401(api, aid_places):
    response = api.post(LIST, _payload(aid_places.village.code), format="json")
    assert response.status_code == 401
    assert not AidPost.objects.exists()


def test_a_citizen_without_residency_is_403_with_where_to_apply(api, personas, aid_places):
    response = api.as_user(personas.citizen).post(
        LIST, _payload(aid_places.village.code), format="json"
    )
    assert response.status_code == 403
    assert "/accounts/residency/" in response.json()["detail"]


def test_field_errors_are_400(api, aid_people, aid_places):
    client = api.as_user(aid_people.author)
    response = client.post(
        LIST,
        _payload(
            aid_places.sibling_village.code,
            title="",
            expires_on=(today() + dt.timedelta(days=91)).isoformat(),
        ),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"region", "title", "expires_on"}
    response = client.post(LIST, _payload(aid_places.village.code, kind="gift"), format="json")
    assert response.status_code == 400 and "kind" in response.json()


def test_over_the_hourly_limit_is_429(api, aid_people, aid_places, settings):
    settings.PARTICIPATION_RATE_PER_USER = 2
    client = api.as_user(aid_people.author)
    codes = [
        client.post(LIST, _payload(aid_places.village.code), format="json").status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    first = AidPost.objects.order_by("pk").first()
    reply = client.post(f"{LIST}{first.pk}/replies/", {"text": "补充"}, format="json")
    assert reply.status_code == 429


# --- Reading -----------------------------------------------------------------------------


def test_names_are_masked_and_contact_data_taken_out(api, aid_people, aid_places, personas):
    created = post(
        aid_people.author,
        aid_places.village,
        title=f"找人修水管 {PHONE}",
        text=f"请打电话 {PHONE} 或发邮件 yang.guifang@example.com，身份证 11010519491231002X。",
    )
    services.aid_reply_create(post=created, user=personas.citizen, text=f"我能修，电话{PHONE}")
    response = api.get(f"{LIST}{created.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    for secret in (PHONE, "yang.guifang", "11010519491231002X", "杨桂芳", "赵磊"):
        assert secret not in body
    data = response.json()
    assert data["author"] == "杨**"
    assert data["replies"][0]["author"] == "赵*"
    listed = api.get(f"{LIST}?region={aid_places.village.code}").content.decode()
    assert PHONE not in listed and "杨桂芳" not in listed


def test_a_hidden_reply_keeps_its_place_without_its_text(api, aid_people, aid_places, personas):
    created = post(aid_people.author, aid_places.village)
    reply = services.aid_reply_create(post=created, user=personas.citizen, text="加微信详聊")
    services.aid_reply_hide(reply=reply, actor=personas.village_official, reason="广告")
    data = api.get(f"{LIST}{created.pk}/").json()
    assert data["replies"] == [
        {
            "id": reply.pk,
            "author": "赵*",
            "text": "",
            "created_at": data["replies"][0]["created_at"],
            "hidden": True,
        }
    ]
    assert data["reply_count"] == 0


@pytest.mark.parametrize(
    "query",
    ["region=5101", "region=510199000000", "kind=gift", "category=x", "status=hidden"],
)
def test_bad_filters_are_400(api, aid_places, query):
    assert api.get(f"{LIST}?{query}").status_code == 400


def test_unknown_post_is_404(api, geo):
    assert api.get(f"{LIST}999999/").status_code == 404


def test_the_list_is_paginated_in_a_bounded_number_of_queries(
    api, aid_people, aid_places, personas, settings, django_assert_max_num_queries
):
    settings.PARTICIPATION_RATE_PER_USER = 1000
    for number in range(12):
        created = post(aid_people.author, aid_places.village, scope="city", title=f"第{number}条")
        services.aid_reply_create(post=created, user=personas.citizen, text="我来帮忙")
    # count, page (with the reply counts), the region's existence
    with django_assert_max_num_queries(3):
        response = api.get(f"{LIST}?region={aid_places.village.code}&page_size=5")
    data = response.json()
    assert data["count"] == 12 and len(data["results"]) == 5
    assert data["results"][0]["title"] == "第11条" and data["results"][0]["reply_count"] == 1
    client = api.as_user(personas.citizen)
    with django_assert_max_num_queries(4):  # and the token
        assert client.get(f"{LIST}?kind=need").status_code == 200


# --- Replies, reports, closing --------------------------------------------------------


def test_replies(api, aid_people, aid_places, personas):
    created = post(aid_people.author, aid_places.village)
    url = f"{LIST}{created.pk}/replies/"
    assert api.post(url, {"text": "我能帮"}, format="json").status_code == 401
    client = api.as_user(personas.citizen)
    assert client.post(url, {"text": " "}, format="json").status_code == 400
    response = client.post(url, {"text": f"我能帮，电话{PHONE}"}, format="json")
    assert response.status_code == 201
    assert response.json()["author"] == "赵*" and PHONE not in response.json()["text"]
    services.aid_post_close(post=created, user=aid_people.author)
    response = client.post(url, {"text": "还需要吗"}, format="json")
    assert response.status_code == 409 and response.json()["detail"]
    assert AidReply.objects.count() == 1


def test_reports(api, aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    url = f"{LIST}{created.pk}/reports/"
    assert api.post(url, {"reason": "骗钱"}, format="json").status_code == 401
    author = api.as_user(aid_people.author)
    assert author.post(url, {"reason": "骗钱"}, format="json").status_code == 403
    first = api.as_user(aid_people.neighbours[0])
    assert first.post(url, {"reason": ""}, format="json").status_code == 400
    response = first.post(url, {"reason": "骗钱"}, format="json")
    assert response.status_code == 201 and response.json()["reason"] == "骗钱"
    again = first.post(url, {"reason": "骗钱"}, format="json")
    assert again.status_code == 409 and "已举报" in again.json()["detail"]
    for neighbour in aid_people.neighbours[1:3]:
        assert (
            api.as_user(neighbour).post(url, {"reason": "骗钱"}, format="json").status_code == 201
        )
    created.refresh_from_db()
    assert created.status == AidStatus.HIDDEN and AidReport.objects.count() == 3
    # Hidden now: gone for the public and the reporters; its author still reads it.
    assert api.as_user(aid_people.neighbours[3]).post(url, {"reason": "x"}).status_code == 404
    assert api.as_user(aid_people.author).get(f"{LIST}{created.pk}/").json()["status"] == "hidden"


def test_close(api, aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    url = f"{LIST}{created.pk}/close/"
    assert api.post(url).status_code == 401
    assert api.as_user(aid_people.neighbours[0]).post(url).status_code == 403
    response = api.as_user(aid_people.author).post(url)
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert response.json()["resolved_at"]
    assert api.as_user(aid_people.author).post(url).status_code == 409
