"""Meeting records through the services: who keeps them, their dates, their issues."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from participation.models import Meeting, MeetingIssue, MeetingKind
from participation.services import meetings as services
from portal.models import AuditEntry, MembershipRole, UnitKind
from portal.services import people
from portal.services.errors import DomainError
from tests.factories import UnitFactory, UserFactory
from tests.participation.test_decisions_helpers import days_ago, other_village_official

pytestmark = pytest.mark.django_db


def create(geo, personas, actor=None, unit=None, **overrides):
    fields = {
        "unit": unit or geo.village_committee,
        "kind": MeetingKind.EVENING_TALK,
        "title": "十月聊天夜谈",
        "held_on": days_ago(10),
        "location": "平岗社区党群服务中心",
        "attendees": "王建国\n李淑芬、张志强",
        "attendee_count": 23,
        "summary": "居民反映路灯和垃圾清运问题。",
        "issues": [
            {
                "text": "三组路灯不亮",
                "raised_by": "王建国",
                "follow_up": "村委会主任",
                "due_on": days_ago(3),
            },
            {"text": "垃圾清运不及时", "raised_by": "", "follow_up": "网格员", "due_on": None},
        ],
        "actor": actor or personas.village_official,
        **overrides,
    }
    return services.meeting_create(**fields)


def test_village_official_records_a_meeting_with_its_issues(geo, personas):
    meeting = create(geo, personas)
    assert meeting.region_id == geo.village.code and meeting.published_at is None
    assert list(meeting.issues.values_list("seq", "text", "follow_up")) == [
        (1, "三组路灯不亮", "村委会主任"),
        (2, "垃圾清运不及时", "网格员"),
    ]
    entry = AuditEntry.objects.get(object_id=str(meeting.pk), action="create")
    assert entry.changes["issues"] == [None, 2]


def test_every_bad_field_is_named(geo, personas):
    with pytest.raises(ValidationError) as excinfo:
        create(
            geo,
            personas,
            kind="party",
            title="",
            held_on=days_ago(-1),
            attendees=" ",
            attendee_count=0,
            issues=[
                {"text": "", "follow_up": "", "due_on": None},
                {"text": "问题", "follow_up": "主任", "due_on": days_ago(20)},
            ],
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"kind", "title", "held_on", "attendees", "attendee_count", "issues"}
    assert errors["held_on"] == ["会议日期不能晚于今天。"]
    assert errors["issues"] == [
        "第1个问题：请填写反映的问题。",
        "第1个问题：请填写跟进人（姓名或职务）。",
        "第2个问题：计划解决日期不能早于会议日期。",
    ]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("who", ["township_official", "county_supervisor", "citizen"])
def test_others_cannot_record_the_villages_meetings(geo, personas, who):
    with pytest.raises(DomainError):
        create(geo, personas, actor=getattr(personas, who))
    with pytest.raises(DomainError):
        create(geo, personas, actor=other_village_official(geo, personas))
    assert not Meeting.objects.exists()


def test_township_office_keeps_no_meeting_records_here(geo, personas):
    with pytest.raises(DomainError):
        create(geo, personas, unit=geo.township_office, actor=personas.township_official)


def test_supervisory_committee_records_its_own_meetings(geo, personas):
    committee = UnitFactory(
        name="平岗社区村务监督委员会", kind=UnitKind.SUPERVISORY_COMMITTEE, region=geo.village
    )
    chair = UserFactory(username="supervisory_chair", full_name="罗红")
    people.membership_grant(
        user=chair, unit=committee, role=MembershipRole.EDITOR, actor=personas.platform_admin
    )
    with pytest.raises(ValidationError) as excinfo:
        create(geo, personas, unit=committee, actor=chair)
    assert excinfo.value.message_dict["kind"] == ["村务监督委员会只记录本委员会的会议。"]
    meeting = create(geo, personas, unit=committee, actor=chair, kind=MeetingKind.SUPERVISORY)
    assert meeting.unit == committee


def test_publish_once_and_then_the_record_stands(geo, personas):
    meeting = create(geo, personas)
    meeting = services.meeting_update(
        meeting=meeting, actor=personas.village_official, title="十月第二次聊天夜谈"
    )
    assert meeting.title == "十月第二次聊天夜谈"
    with pytest.raises(DomainError):
        services.meeting_publish(meeting=meeting, actor=personas.township_official)
    meeting = services.meeting_publish(meeting=meeting, actor=personas.village_official)
    assert meeting.published_at is not None
    assert AuditEntry.objects.filter(object_id=str(meeting.pk), action="publish").exists()
    with pytest.raises(DomainError, match="已经公开"):
        services.meeting_publish(meeting=meeting, actor=personas.village_official)
    with pytest.raises(DomainError, match="不能再修改"):
        services.meeting_update(meeting=meeting, actor=personas.village_official, title="改")


def test_moving_the_meeting_after_its_issues_is_refused(geo, personas):
    meeting = create(geo, personas)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_update(
            meeting=meeting, actor=personas.village_official, held_on=days_ago(2)
        )
    assert "held_on" in excinfo.value.message_dict


def test_issues_are_added_with_the_next_number(geo, personas):
    meeting = services.meeting_publish(
        meeting=create(geo, personas), actor=personas.village_official
    )
    added = services.meeting_issue_add(
        meeting=meeting,
        text="健身器材损坏",
        raised_by="刘桂兰",
        follow_up="村委委员",
        actor=personas.village_official,
    )
    assert added.seq == 3
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_issue_add(
            meeting=meeting, text="", follow_up="", actor=personas.village_official
        )
    assert set(excinfo.value.message_dict) == {"text", "follow_up"}
    with pytest.raises(DomainError):
        services.meeting_issue_add(
            meeting=meeting, text="x", follow_up="y", actor=other_village_official(geo, personas)
        )


def test_resolving_an_issue_checks_its_dates_and_needs_a_resolution(geo, personas):
    meeting = create(geo, personas)
    issue = meeting.issues.get(seq=1)
    official = personas.village_official

    def update(**fields):
        data = {
            "follow_up": "村委会主任",
            "due_on": days_ago(3),
            "resolved_on": None,
            "resolution": "",
            **fields,
        }
        return services.meeting_issue_update(issue=issue, actor=official, **data)

    with pytest.raises(ValidationError) as excinfo:
        update(resolved_on=days_ago(11), resolution="已修复")
    assert excinfo.value.message_dict["resolved_on"] == [
        f"解决日期不能早于会议日期（{days_ago(10).isoformat()}）。"
    ]
    with pytest.raises(ValidationError) as excinfo:
        update(resolved_on=days_ago(-1), resolution="已修复")
    assert excinfo.value.message_dict["resolved_on"] == ["解决日期不能晚于今天。"]
    with pytest.raises(ValidationError) as excinfo:
        update(resolved_on=days_ago(1))
    assert excinfo.value.message_dict["resolution"] == ["标记为已解决时，请填写解决情况。"]
    with pytest.raises(ValidationError) as excinfo:
        update(follow_up="", due_on=days_ago(12))
    assert set(excinfo.value.message_dict) == {"follow_up", "due_on"}
    with pytest.raises(DomainError):
        services.meeting_issue_update(
            issue=issue,
            follow_up="x",
            due_on=None,
            resolved_on=None,
            resolution="",
            actor=personas.township_official,
        )
    resolved = update(resolved_on=days_ago(10), resolution="已更换灯泡。")
    assert resolved.resolved_on == days_ago(10)
    entry = AuditEntry.objects.get(content_type__model="meetingissue", action="change")
    assert entry.changes["resolution"] == ["", "已更换灯泡。"]


def test_the_database_refuses_a_resolution_date_without_a_resolution(geo, personas):
    meeting = create(geo, personas)
    with pytest.raises(IntegrityError, match="meeting_issue_resolution_said"), transaction.atomic():
        MeetingIssue.objects.filter(meeting=meeting, seq=1).update(resolved_on=days_ago(1))
