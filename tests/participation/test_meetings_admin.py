"""Meeting records in the back office: recorded with their issues, published, followed
up, by the village's officials only."""

import pytest

from participation.models import Meeting, MeetingIssue
from tests.participation.test_decisions_helpers import days_ago, other_village_official
from tests.participation.test_meetings_services import create

pytestmark = pytest.mark.django_db

ADD = "/admin/participation/meeting/add/"


def change_url(meeting) -> str:
    return f"/admin/participation/meeting/{meeting.pk}/change/"


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def meeting_fields(geo, **overrides) -> dict:
    return {
        "unit": geo.village_committee.pk,
        "kind": "council",
        "title": "议事会第三次会议",
        "held_on": days_ago(7).isoformat(),
        "location": "党群服务中心",
        "attendees": "王建国\n李淑芬",
        "attendee_count": "9",
        "summary": "讨论停车位划线。",
        **overrides,
    }


def test_official_records_a_meeting_with_issues_and_publishes_it(client, geo, personas):
    client.force_login(personas.village_official)
    assert client.get(ADD).status_code == 200
    # On the add page the new-issue inline is the only one: prefix "issues".
    issues = {
        **management("issues", 3),
        "issues-0-text": "停车位不够",
        "issues-0-raised_by": "王建国",
        "issues-0-follow_up": "村委会主任",
        "issues-0-due_on": days_ago(1).isoformat(),
        "issues-1-text": "夜间噪音",
        "issues-1-follow_up": "",  # missing: refused with the message
    }
    refused = client.post(ADD, {**meeting_fields(geo), **issues, "publish": "on"})
    assert refused.status_code == 200
    assert "请填写跟进人（姓名或职务）。" in refused.content.decode()
    assert not Meeting.objects.exists()
    issues["issues-1-follow_up"] = "网格员"
    response = client.post(ADD, {**meeting_fields(geo), **issues, "publish": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert meeting.published_at is not None and meeting.created_by == personas.village_official
    assert list(meeting.issues.values_list("seq", "text", "follow_up")) == [
        (1, "停车位不够", "村委会主任"),
        (2, "夜间噪音", "网格员"),
    ]


def test_a_future_date_is_refused_in_the_form(client, geo, personas):
    client.force_login(personas.village_official)
    response = client.post(
        ADD, {**meeting_fields(geo, held_on=days_ago(-2).isoformat()), **management("issues", 0)}
    )
    assert response.status_code == 200 and "会议日期不能晚于今天。" in response.content.decode()
    assert not Meeting.objects.exists()


def test_following_up_issues_in_the_admin(client, geo, personas):
    meeting = create(geo, personas)
    first, second = meeting.issues.order_by("seq")
    client.force_login(personas.village_official)
    page = client.get(change_url(meeting)).content.decode()
    assert 'name="issues-0-resolved_on"' in page and 'name="issues-0-text"' not in page
    follow_up = {
        **management("issues", 2, 2),
        "issues-0-id": first.pk,
        "issues-0-meeting": meeting.pk,
        "issues-0-follow_up": first.follow_up,
        "issues-0-due_on": first.due_on.isoformat(),
        "issues-0-resolved_on": days_ago(11).isoformat(),  # before the meeting
        "issues-0-resolution": "已修复",
        "issues-1-id": second.pk,
        "issues-1-meeting": meeting.pk,
        "issues-1-follow_up": second.follow_up,
        **management("issues-2", 1),
        "issues-2-0-text": "健身器材损坏",
        "issues-2-0-follow_up": "村委委员",
    }
    fields = meeting_fields(geo, kind=meeting.kind, title=meeting.title)
    fields.update(
        held_on=meeting.held_on.isoformat(),
        location=meeting.location,
        attendees=meeting.attendees,
        attendee_count=str(meeting.attendee_count),
        summary=meeting.summary,
    )
    refused = client.post(change_url(meeting), {**fields, **follow_up})
    assert refused.status_code == 200
    assert f"解决日期不能早于会议日期（{days_ago(10).isoformat()}）。" in refused.content.decode()
    assert MeetingIssue.objects.get(pk=first.pk).resolved_on is None
    assert meeting.issues.count() == 2
    follow_up["issues-0-resolved_on"] = days_ago(2).isoformat()
    response = client.post(change_url(meeting), {**fields, **follow_up})
    assert response.status_code == 302, response.content.decode()[:3000]
    first.refresh_from_db()
    assert first.resolved_on == days_ago(2) and first.resolution == "已修复"
    assert list(meeting.issues.values_list("seq", flat=True)) == [1, 2, 3]


def test_a_published_meeting_stands_but_its_issues_are_followed_up(client, geo, personas):
    from participation.services.meetings import meeting_publish

    meeting = meeting_publish(meeting=create(geo, personas), actor=personas.village_official)
    client.force_login(personas.village_official)
    page = client.get(change_url(meeting)).content.decode()
    assert 'name="title"' not in page and 'name="publish"' not in page
    assert 'name="issues-0-resolution"' in page


def test_outsiders_cannot_keep_the_villages_meetings(client, geo, personas):
    meeting = create(geo, personas)
    client.force_login(personas.township_official)
    assert client.get(ADD).status_code == 403
    assert client.get(change_url(meeting)).status_code == 404
    neighbour = other_village_official(geo, personas)
    client.force_login(neighbour)
    assert client.get(change_url(meeting)).status_code == 404
    refused = client.post(ADD, {**meeting_fields(geo), **management("issues", 0)})
    assert refused.status_code == 200  # 平岗社区 is not among their units
    assert Meeting.objects.count() == 1


def test_supervisor_reads_the_meeting_and_its_issues(client, geo, personas):
    meeting = create(geo, personas)
    client.force_login(personas.county_supervisor)
    page = client.get(change_url(meeting))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    html = page.content.decode()
    assert "三组路灯不亮" in html and 'name="issues-0-resolution"' not in html
    assert 'name="publish"' not in html
    assert client.post(change_url(meeting), {"title": "改"}).status_code == 403
