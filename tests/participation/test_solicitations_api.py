"""The solicitation API: the lists and the detail the public reads, and the opinion a
signed-in citizen posts, with every status code of the contract."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from participation.models import Opinion
from participation.services import solicitations as services
from tests.factories import RegionFactory, UnitFactory
from tests.participation.test_solicitations_services import (  # noqa: F401 - fixtures
    PDF,
    end_window,
    fresh_rate_limits,
    make_draft,
    make_open,
    media,
    publish_all,
    submit,
)

pytestmark = pytest.mark.django_db


def opinions_url(solicitation):
    return f"/api/v1/solicitations/{solicitation.pk}/opinions/"


# --- reading -----------------------------------------------------------------------------


def test_list_never_shows_drafts_and_filters_by_place_unit_and_phase(geo, personas):
    now = timezone.now()
    open_ = make_open(geo, personas, title="进行中")
    upcoming = make_open(
        geo,
        personas,
        title="未开始",
        opens_at=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=9),
    )
    ended = end_window(make_open(geo, personas, title="已截止"))
    withdrawn = services.solicitation_withdraw(
        solicitation=make_open(geo, personas, title="已撤回"),
        actor=personas.village_official,
        reason="另行征集",
    )
    make_draft(geo, personas, title="草稿")
    elsewhere = services.solicitation_publish(
        solicitation=services.solicitation_create(
            unit=geo.other_county_bureau,
            title="锦江区的征集",
            body="<p>正文</p>",
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=3),
            actor=personas.other_county_official,
        ),
        actor=personas.other_county_official,
    )
    api = APIClient()

    def titles(**params):
        response = api.get("/api/v1/solicitations/", params)
        assert response.status_code == 200, response.content
        return {row["title"] for row in response.json()["results"]}

    assert titles() == {"进行中", "未开始", "已截止", "已撤回", "锦江区的征集"}
    assert titles(region=geo.county.code) == {"进行中", "未开始", "已截止", "已撤回"}
    assert titles(region=geo.other_village.code) == set()
    assert titles(unit=geo.other_county_bureau.pk) == {"锦江区的征集"}
    assert titles(phase="open") == {"进行中", "锦江区的征集"}
    assert titles(phase="upcoming") == {"未开始"}
    assert titles(phase="ended", region=geo.city.code) == {"已截止", "已撤回"}
    rows = {row["id"]: row for row in api.get("/api/v1/solicitations/").json()["results"]}
    assert rows[open_.pk]["phase"] == "open" and rows[upcoming.pk]["phase"] == "upcoming"
    assert rows[ended.pk]["phase"] == "ended" and rows[withdrawn.pk]["phase"] == "ended"
    assert rows[withdrawn.pk]["withdraw_reason"] == "另行征集"
    assert rows[elsewhere.pk]["unit"]["name"] == "锦江区教育局"
    assert rows[open_.pk]["region"]["code"] == geo.village.code
    assert rows[open_.pk]["url"] == f"/solicitations/{open_.pk}/"
    assert "body" not in rows[open_.pk]


def test_list_bad_parameters_are_400_in_chinese(geo):
    api = APIClient()
    response = api.get("/api/v1/solicitations/", {"region": "5101", "phase": "soon"})
    assert response.status_code == 400
    assert set(response.json()) == {"region", "phase"}
    assert "12位" in response.json()["region"][0]


def test_list_query_count_is_bounded(geo, personas, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(12):
        region = RegionFactory(code=f"510118001{i + 2:03d}", name=f"村{i}")
        unit = UnitFactory(name=f"村委会{i}", region=region)
        services.solicitation_publish(
            solicitation=services.solicitation_create(
                unit=unit,
                title=f"征集{i}",
                body="<p>x</p>",
                opens_at=now - dt.timedelta(days=1),
                closes_at=now + dt.timedelta(days=3),
                actor=personas.platform_admin,
            ),
            actor=personas.platform_admin,
        )
    api = APIClient()
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/solicitations/", {"region": geo.county.code, "phase": "open"})
    assert response.json()["count"] == 12


@pytest.mark.usefixtures("media")
def test_detail_shows_published_opinions_masked_and_never_pending_ones(geo, personas):
    solicitation = make_open(geo, personas)
    services.solicitation_attach(
        solicitation=solicitation, name="示意图.pdf", data=PDF, actor=personas.village_official
    )
    shown, _ = submit(
        solicitation, personas.citizen, text="请联系我13912345678，东门加车位", name="张三丰"
    )
    services.opinion_moderate(opinion=shown, actor=personas.village_official, publish=True)
    submit(solicitation, personas.resident, text="这条还在审核中")
    hidden, _ = submit(solicitation, personas.township_official, text="广告内容")
    services.opinion_moderate(
        opinion=hidden, actor=personas.village_official, publish=False, reason="广告"
    )
    body = APIClient().get(f"/api/v1/solicitations/{solicitation.pk}/").json()
    assert body["opinions_received"] == 3 and body["opinions_published"] == 1
    assert body["phase"] == "open" and body["report"] is None
    assert "停车秩序" in body["body"]
    [opinion] = body["opinions"]
    assert opinion["author"] == "张**" and "13912345678" not in opinion["text"]
    assert "东门加车位" in opinion["text"] and set(opinion) == {
        "id",
        "author",
        "text",
        "created_at",
    }
    text = str(body)
    assert "这条还在审核中" not in text and "广告内容" not in text and "张三丰" not in text
    [attachment] = body["attachments"]
    assert attachment["name"] == "示意图.pdf" and attachment["content_type"] == "application/pdf"
    assert attachment["url"].startswith(f"/solicitations/{solicitation.pk}/attachments/")


def test_detail_of_a_draft_or_unknown_solicitation_is_404(geo, personas):
    draft = make_draft(geo, personas)
    api = APIClient()
    assert api.get(f"/api/v1/solicitations/{draft.pk}/").status_code == 404
    assert api.get("/api/v1/solicitations/999999/").status_code == 404
    # Not even its officials see a draft through the public door.
    api.force_authenticate(personas.village_official)
    assert api.get(f"/api/v1/solicitations/{draft.pk}/").status_code == 404


def test_detail_carries_the_report_once_published(geo, personas):
    solicitation = make_open(geo, personas)
    first, _ = submit(solicitation, personas.citizen, text="东门增设车位")
    second, _ = submit(solicitation, personas.resident, text="收费应公示")
    publish_all(solicitation, personas.village_official)
    end_window(solicitation)
    services.group_create(
        solicitation=solicitation,
        summary="增设车位",
        adoption="adopted",
        reason="将在东门增设12个车位。",
        opinions=[first],
        actor=personas.village_official,
    )
    services.group_create(
        solicitation=solicitation,
        summary="收费公示",
        adoption="not_adopted",
        reason="收费标准已在公示栏公示。",
        opinions=[second],
        actor=personas.village_official,
    )
    api = APIClient()
    assert api.get(f"/api/v1/solicitations/{solicitation.pk}/").json()["report"] is None
    services.report_publish(
        solicitation=solicitation, report="共收到2条意见。", actor=personas.village_official
    )
    report = api.get(f"/api/v1/solicitations/{solicitation.pk}/").json()["report"]
    assert report["text"] == "共收到2条意见。" and report["reported_at"]
    assert [
        (g["seq"], g["adoption"], g["adoption_label"], g["opinions"], g["opinion_count"])
        for g in report["groups"]
    ] == [(1, "adopted", "采纳", [first.pk], 1), (2, "not_adopted", "未采纳", [second.pk], 1)]
    assert report["groups"][1]["reason"] == "收费标准已在公示栏公示。"


@pytest.mark.usefixtures("media")
def test_withdrawn_detail_shows_the_reason_not_the_text(geo, personas):
    solicitation = make_open(geo, personas)
    services.solicitation_attach(
        solicitation=solicitation, name="a.pdf", data=PDF, actor=personas.village_official
    )
    services.solicitation_withdraw(
        solicitation=solicitation, actor=personas.village_official, reason="政策调整"
    )
    body = APIClient().get(f"/api/v1/solicitations/{solicitation.pk}/").json()
    assert body["status"] == "withdrawn" and body["withdraw_reason"] == "政策调整"
    assert body["body"] == "" and body["attachments"] == [] and body["phase"] == "ended"


# --- posting an opinion ------------------------------------------------------------------


def test_post_opinion_contract(geo, personas, api):
    solicitation = make_open(geo, personas)
    anonymous = APIClient().post(opinions_url(solicitation), {"text": "意见"}, format="json")
    assert anonymous.status_code == 401
    client = api.as_user(personas.citizen)
    response = client.post(opinions_url(solicitation), {"text": "东门增设车位"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "status", "created_at"} and body["status"] == "pending"
    assert Opinion.objects.get(pk=body["id"]).author_name == "赵磊"
    again = client.post(opinions_url(solicitation), {"text": "东门增设车位"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    named = client.post(
        opinions_url(solicitation), {"text": "另一条", "name": "赵先生"}, format="json"
    )
    assert named.status_code == 201
    assert Opinion.objects.get(pk=named.json()["id"]).author_name == "赵先生"
    # Pending: not in the public detail.
    detail = APIClient().get(f"/api/v1/solicitations/{solicitation.pk}/").json()
    assert detail["opinions"] == [] and detail["opinions_received"] == 2


def test_post_opinion_bad_input_is_400(geo, personas, api, settings):
    settings.PARTICIPATION_MAX_TEXT_CHARS = 10
    solicitation = make_open(geo, personas)
    client = api.as_user(personas.citizen)
    empty = client.post(opinions_url(solicitation), {"text": "  "}, format="json")
    assert empty.status_code == 400 and "text" in empty.json()
    long = client.post(opinions_url(solicitation), {"text": "长" * 11}, format="json")
    assert long.status_code == 400 and "10" in long.json()["text"][0]
    missing = client.post(opinions_url(solicitation), {}, format="json")
    assert missing.status_code == 400 and "text" in missing.json()
    english = client.post(
        opinions_url(solicitation), {"text": ""}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 400
    assert Opinion.objects.count() == 0


def test_post_opinion_outside_the_window_is_409(geo, personas, api):
    now = timezone.now()
    client = api.as_user(personas.citizen)
    upcoming = make_open(
        geo, personas, opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5)
    )
    response = client.post(opinions_url(upcoming), {"text": "意见"}, format="json")
    assert response.status_code == 409 and "尚未开始" in response.json()["detail"]
    ended = end_window(make_open(geo, personas, title="截止"))
    response = client.post(opinions_url(ended), {"text": "意见"}, format="json")
    assert response.status_code == 409 and "已截止" in response.json()["detail"]
    withdrawn = services.solicitation_withdraw(
        solicitation=make_open(geo, personas, title="撤回"),
        actor=personas.village_official,
        reason="另行征集",
    )
    response = client.post(opinions_url(withdrawn), {"text": "意见"}, format="json")
    assert response.status_code == 409 and "已撤回" in response.json()["detail"]
    draft = make_draft(geo, personas, title="草稿")
    assert client.post(opinions_url(draft), {"text": "意见"}, format="json").status_code == 404
    assert Opinion.objects.count() == 0


def test_post_opinion_rate_limited_is_429(geo, personas, api, settings):
    settings.PARTICIPATION_RATE_PER_USER = 2
    solicitation = make_open(geo, personas)
    client = api.as_user(personas.citizen)
    codes = [
        client.post(opinions_url(solicitation), {"text": f"意见{n}"}, format="json").status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Opinion.objects.count() == 2


def test_openapi_schema_describes_the_endpoints(db):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/v1/solicitations/" in paths
    assert "/api/v1/solicitations/{id}/" in paths
    post = paths["/api/v1/solicitations/{id}/opinions/"]["post"]
    assert {"201", "200", "401", "409", "429"} <= set(post["responses"])
