"""The back office of solicitations: drafting and publishing, the moderation queue, the
groups and the report, with the unit's official, another unit's official and the
supervisor who only reads."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.models import Opinion, OpinionGroup, Solicitation
from participation.services import solicitations as services
from tests.participation.test_solicitations_services import (  # noqa: F401 - fixtures
    PDF,
    end_window,
    fresh_rate_limits,
    make_draft,
    make_open,
    publish_all,
    submit,
)

pytestmark = pytest.mark.django_db
ADD = "/admin/participation/solicitation/add/"


def change_url(obj):
    return f"/admin/participation/{obj._meta.model_name}/{obj.pk}/change/"


def split(name, moment):
    local = timezone.localtime(moment)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


def draft_fields(geo, **extra):
    now = timezone.now()
    return {
        "unit": geo.village_committee.pk,
        "title": "平岗社区养犬管理公约（征求意见稿）",
        "summary": "规范养犬行为",
        "body": "<p>第一条 文明养犬。</p>",
        **split("opens_at", now - dt.timedelta(hours=1)),
        **split("closes_at", now + dt.timedelta(days=10)),
        "workflow": "",
        **extra,
    }


def test_official_drafts_attaches_and_publishes_in_the_admin(
    geo, personas, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(personas.village_official)
    response = client.post(ADD, draft_fields(geo))
    assert response.status_code == 302, response.content.decode()[:3000]
    solicitation = Solicitation.objects.get()
    assert solicitation.status == "draft" and solicitation.created_by == personas.village_official
    url = change_url(solicitation)
    # A file that is not what its name says: refused, and nothing typed is lost.
    bad = client.post(
        url,
        {
            **draft_fields(geo, title="改过的标题"),
            "new_attachment": SimpleUploadedFile("示意图.pdf", b"MZ\x90\x00" + b"\x00" * 64),
        },
    )
    assert bad.status_code == 200 and "不是允许的类型" in bad.content.decode()
    assert "改过的标题" in bad.content.decode()
    assert Solicitation.objects.get().title == "平岗社区养犬管理公约（征求意见稿）"
    ok = client.post(
        url,
        {
            **draft_fields(geo, title="改过的标题", workflow="publish"),
            "new_attachment": SimpleUploadedFile("示意图.pdf", PDF),
        },
    )
    assert ok.status_code == 302, ok.content.decode()[:3000]
    solicitation.refresh_from_db()
    assert solicitation.status == "published" and solicitation.title == "改过的标题"
    assert solicitation.attachments.get().content_type == "application/pdf"
    # Published: the text is fixed; withdrawing needs a reason.
    refused = client.post(url, {"workflow": "withdraw", "workflow_note": ""})
    assert refused.status_code == 200 and "撤回须说明原因" in refused.content.decode()
    assert (
        client.post(url, {"workflow": "withdraw", "workflow_note": "另行征集"}).status_code == 302
    )
    solicitation.refresh_from_db()
    assert solicitation.status == "withdrawn" and solicitation.withdraw_reason == "另行征集"


def test_publish_refusal_becomes_a_form_error(geo, personas, client):
    client.force_login(personas.village_official)
    past = timezone.now() - dt.timedelta(days=1)
    draft = make_draft(geo, personas, opens_at=past - dt.timedelta(days=2), closes_at=past)
    fields = draft_fields(geo, workflow="publish")
    fields.update(split("opens_at", past - dt.timedelta(days=2)), **split("closes_at", past))
    response = client.post(change_url(draft), fields)
    assert response.status_code == 200 and "截止时间已过" in response.content.decode()
    assert Solicitation.objects.get().status == "draft"


def test_other_units_official_sees_nothing_and_supervisor_only_reads(geo, personas, client):
    solicitation = make_open(geo, personas)
    opinion, _ = submit(solicitation, personas.citizen)
    client.force_login(personas.other_county_official)
    assert (
        "平岗社区停车管理办法"
        not in client.get("/admin/participation/solicitation/").content.decode()
    )
    assert client.get(change_url(solicitation)).status_code == 404  # as if missing
    assert client.get("/admin/participation/opinion/").content.decode().count("建议在东门") == 0
    assert client.get(change_url(opinion)).status_code == 404
    client.post(change_url(opinion), {"decision": "publish"})
    assert Opinion.objects.get(pk=opinion.pk).status == "pending"
    client.force_login(personas.county_supervisor)
    assert client.get(change_url(solicitation)).status_code == 200
    assert client.get(change_url(opinion)).status_code == 200
    assert client.post(change_url(opinion), {"decision": "publish"}).status_code == 403
    assert client.post(change_url(solicitation), {"workflow": "withdraw"}).status_code == 403
    assert Opinion.objects.get(pk=opinion.pk).status == "pending"


def test_moderation_queue_hide_with_reason_and_publish_in_bulk(geo, personas, client):
    solicitation = make_open(geo, personas)
    first, _ = submit(solicitation, personas.citizen, text="第一条意见")
    second, _ = submit(solicitation, personas.resident, text="第二条意见")
    third, _ = submit(solicitation, personas.township_official, text="第三条意见")
    client.force_login(personas.village_official)
    queue = client.get("/admin/participation/opinion/", {"status__exact": "pending"})
    assert queue.status_code == 200 and "第一条意见" in queue.content.decode()
    other = make_open(geo, personas, title="另一个征集")
    submit(other, personas.citizen, text="另一个征集的意见")
    own = client.get(
        "/admin/participation/opinion/", {"solicitation__id__exact": solicitation.pk}
    ).content.decode()
    assert "第一条意见" in own and "另一个征集的意见" not in own
    listing = client.get("/admin/participation/solicitation/").content.decode()
    assert '<td class="field-pending_count">3</td>' in listing
    refused = client.post(change_url(first), {"decision": "hide", "reason": ""})
    assert refused.status_code == 200 and "不予公开须说明理由" in refused.content.decode()
    assert client.post(change_url(first), {"decision": "hide", "reason": "广告"}).status_code == 302
    hidden = Opinion.objects.get(pk=first.pk)
    assert hidden.status == "hidden" and hidden.hidden_reason == "广告"
    response = client.post(
        "/admin/participation/opinion/",
        {"action": "publish_selected", "_selected_action": [second.pk, third.pk], "index": 0},
        follow=True,
    )
    assert "已公开 2 条意见" in response.content.decode()
    statuses = set(solicitation.opinions.values_list("status", flat=True))
    assert statuses == {"hidden", "published"}


@pytest.mark.parametrize(
    "url", ["/admin/participation/opinion/", "/admin/participation/solicitation/"]
)
def test_admin_lists_do_not_grow_with_their_rows(
    geo, personas, client, settings, url, django_assert_max_num_queries
):
    """The admin's own pages cost a constant number of queries (the menu of every
    registered model included); more rows must not add any."""
    settings.PARTICIPATION_RATE_PER_USER = 100
    solicitation = make_open(geo, personas)
    submit(solicitation, personas.citizen, text="意见0")
    client.force_login(personas.village_official)
    client.get(url)  # content types and the session warmed up
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 30):
        submit(solicitation, personas.citizen, text=f"意见{n}")
        make_open(geo, personas, title=f"征集{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    marker = "意见29" if "opinion" in url else "征集29"
    assert response.status_code == 200 and marker in response.content.decode()


def inline(prefix_count=1, **rows):
    data = {
        "groups-TOTAL_FORMS": str(prefix_count),
        "groups-INITIAL_FORMS": "0",
        "groups-MIN_NUM_FORMS": "0",
        "groups-MAX_NUM_FORMS": "1000",
    }
    data.update(rows)
    return data


def test_groups_and_report_in_one_save_after_the_window(geo, personas, client):
    solicitation = make_open(geo, personas)
    first, _ = submit(solicitation, personas.citizen, text="东门增设车位")
    second, _ = submit(solicitation, personas.resident, text="外来车辆收费")
    publish_all(solicitation, personas.village_official)
    client.force_login(personas.village_official)
    url = change_url(solicitation)
    assert "意见归类" not in client.get(url).content.decode().split("<h1")[1][:200]
    assert 'name="groups-TOTAL_FORMS"' not in client.get(url).content.decode()
    end_window(solicitation)
    page = client.get(url).content.decode()
    assert 'name="groups-TOTAL_FORMS"' in page and "东门增设车位" in page
    group = {
        "groups-0-summary": "增设车位",
        "groups-0-adoption": "adopted",
        "groups-0-reason": "",
        "groups-0-opinions": [first.pk],
        "groups-0-solicitation": solicitation.pk,
    }
    report = {"workflow": "report", "report_text": "共收到2条意见。"}
    refused = client.post(url, {**report, **inline(**group)})
    html = refused.content.decode()
    assert refused.status_code == 200 and "1条已公开的意见未归类" in html
    assert OpinionGroup.objects.count() == 0
    no_reason = client.post(
        url,
        {
            **report,
            **inline(
                2,
                **group,
                **{
                    "groups-1-summary": "外来车辆收费",
                    "groups-1-adoption": "not_adopted",
                    "groups-1-reason": "",
                    "groups-1-opinions": [second.pk],
                    "groups-1-solicitation": solicitation.pk,
                },
            ),
        },
    )
    assert (
        no_reason.status_code == 200 and "部分采纳或未采纳须说明理由" in no_reason.content.decode()
    )
    ok = client.post(
        url,
        {
            **report,
            **inline(
                2,
                **group,
                **{
                    "groups-1-summary": "外来车辆收费",
                    "groups-1-adoption": "not_adopted",
                    "groups-1-reason": "收费须经居民代表会议表决。",
                    "groups-1-opinions": [second.pk],
                    "groups-1-solicitation": solicitation.pk,
                },
            ),
        },
    )
    assert ok.status_code == 302, ok.content.decode()[:3000]
    solicitation.refresh_from_db()
    assert solicitation.status == "reported" and solicitation.report == "共收到2条意见。"
    assert list(OpinionGroup.objects.values_list("seq", "adoption")) == [
        (1, "adopted"),
        (2, "not_adopted"),
    ]
    assert Opinion.objects.get(pk=second.pk).group.summary == "外来车辆收费"
    # Reported: read-only from now on.
    assert client.post(url, {"workflow": "withdraw", "workflow_note": "x"}).status_code == 403


def test_assign_an_opinion_to_a_group_from_the_queue(geo, personas, client):
    solicitation = make_open(geo, personas)
    opinion, _ = submit(solicitation, personas.citizen)
    publish_all(solicitation, personas.village_official)
    end_window(solicitation)
    group = services.group_create(
        solicitation=solicitation,
        summary="车位",
        adoption="adopted",
        reason="",
        opinions=[],
        actor=personas.village_official,
    )
    client.force_login(personas.village_official)
    response = client.post(change_url(opinion), {"decision": "", "group_choice": group.pk})
    assert response.status_code == 302
    assert Opinion.objects.get(pk=opinion.pk).group == group
