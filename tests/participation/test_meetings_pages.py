"""Meeting records through the public doors: only published ones, names masked (张*)."""

import pytest

from participation.models import MeetingKind
from participation.selectors.decisions import masked_attendees
from participation.services import meetings as services
from tests.participation.test_decisions_helpers import days_ago, other_village_official

pytestmark = pytest.mark.django_db

FULL_NAMES = ["王建国", "李淑芬", "张志强", "刘桂兰", "陈永福"]


def record(unit, actor, *, title, kind=MeetingKind.EVENING_TALK, publish=True, issues=None):
    meeting = services.meeting_create(
        unit=unit,
        kind=kind,
        title=title,
        held_on=days_ago(10),
        location="党群服务中心",
        attendees="王建国\n李淑芬（村民代表）、张志强，刘桂兰",
        attendee_count=4,
        summary="刘桂兰反映路灯问题，联系电话13912345678。",
        issues=issues
        if issues is not None
        else [
            {
                "text": "三组路灯不亮，陈永福家门口最暗",
                "raised_by": "陈永福",
                "follow_up": "村委会主任",
                "due_on": days_ago(3),
            },
            {"text": "垃圾清运不及时", "raised_by": "", "follow_up": "网格员"},
        ],
        actor=actor,
    )
    if publish:
        meeting = services.meeting_publish(meeting=meeting, actor=actor)
    return meeting


@pytest.fixture
def meetings(geo, personas):
    official = personas.village_official
    talk = record(geo.village_committee, official, title="十月聊天夜谈")
    services.meeting_issue_update(
        issue=talk.issues.get(seq=1),
        follow_up="村委会主任",
        due_on=days_ago(3),
        resolved_on=days_ago(5),
        resolution="已更换灯泡。",
        actor=official,
    )
    council = record(
        geo.village_committee, official, title="议事会第三次会议", kind=MeetingKind.COUNCIL
    )
    draft = record(geo.village_committee, official, title="尚未公开的会议", publish=False)
    elsewhere = record(
        geo.other_village_committee,
        other_village_official(geo, personas),
        title="和平社区居民代表会议",
        kind=MeetingKind.REPRESENTATIVES,
    )
    return {"talk": talk, "council": council, "draft": draft, "elsewhere": elsewhere}


def test_attendee_names_are_split_and_masked():
    assert masked_attendees("王建国\n李淑芬（村民代表）、张志强，刘桂兰;; 欧阳娜娜") == [
        "王**",
        "李**（村民代表）",
        "张**",
        "刘**",
        "欧***",
    ]


def test_detail_page_masks_names_and_shows_the_follow_up(client, meetings):
    page = client.get(f"/meetings/{meetings['talk'].pk}/").content.decode()
    for name in FULL_NAMES:
        assert name not in page
    assert "王**" in page and "李**（村民代表）" in page
    assert "陈**" in page  # who raised the first issue
    assert "13912345678" not in page and "〔已隐去〕" in page
    assert "村委会主任" in page and "网格员" in page  # officials' roles as written
    assert "已更换灯泡。" in page and "已解决" in page and "跟进中" in page
    assert days_ago(5).isoformat() in page and days_ago(3).isoformat() in page
    assert "反映的问题（共 2 个，跟进中 1 个）" in page


def test_unpublished_and_unknown_meetings_are_404(client, meetings):
    assert client.get(f"/meetings/{meetings['draft'].pk}/").status_code == 404
    assert client.get("/meetings/999999/").status_code == 404
    assert client.get(f"/api/v1/meetings/{meetings['draft'].pk}/").status_code == 404
    assert "尚未公开的会议" not in client.get("/meetings/").content.decode()


def test_list_filters_by_place_and_kind(client, meetings):
    page = client.get("/meetings/", {"region": "510118000000"}).content.decode()
    assert "十月聊天夜谈" in page and "议事会第三次会议" in page
    assert "和平社区居民代表会议" not in page
    assert "问题 2 个，跟进中 1 个" in page
    council = client.get("/meetings/", {"region": "510118000000", "kind": "council"})
    assert "十月聊天夜谈" not in council.content.decode()
    assert client.get("/meetings/", {"kind": "nonsense"}).status_code == 404
    assert client.get("/meetings/", {"region": "123"}).status_code == 404


def test_list_queries_do_not_grow(client, geo, personas, meetings, django_assert_max_num_queries):
    for number in range(20):
        record(geo.village_committee, personas.village_official, title=f"会议{number}")
    with django_assert_max_num_queries(8):
        response = client.get("/meetings/", {"region": "510118001000"})
    assert response.status_code == 200


def test_api_masks_names_everywhere(client, meetings):
    data = client.get(f"/api/v1/meetings/{meetings['talk'].pk}/").json()
    text = str(data)
    for name in FULL_NAMES:
        assert name not in text
    assert data["attendees"] == ["王**", "李**（村民代表）", "张**", "刘**"]
    assert data["attendee_count"] == 4 and data["kind"] == "evening_talk"
    first, second = data["issues"]
    assert first["raised_by"] == "陈**" and first["follow_up"] == "村委会主任"
    assert first["status"] == "resolved" and first["resolved_on"] == days_ago(5).isoformat()
    assert first["due_on"] == days_ago(3).isoformat() and first["resolution"] == "已更换灯泡。"
    assert second["status"] == "open" and second["resolved_on"] is None
    assert data["url"] == f"/meetings/{meetings['talk'].pk}/"
    assert data["unit"]["name"] == "平岗社区居民委员会" and data["region"]["code"] == "510118001001"


def test_api_list_filters_and_bad_input(client, geo, meetings):
    data = client.get("/api/v1/meetings/", {"region": "510118000000"}).json()
    assert {m["title"] for m in data["results"]} == {"十月聊天夜谈", "议事会第三次会议"}
    talk = next(m for m in data["results"] if m["title"] == "十月聊天夜谈")
    assert talk["issue_count"] == 2 and talk["open_issue_count"] == 1
    assert "attendees" not in talk
    by_kind = client.get("/api/v1/meetings/", {"kind": "representatives"}).json()
    assert [m["title"] for m in by_kind["results"]] == ["和平社区居民代表会议"]
    by_unit = client.get("/api/v1/meetings/", {"unit": geo.other_village_committee.pk}).json()
    assert by_unit["count"] == 1
    bad = client.get("/api/v1/meetings/", {"kind": "party", "region": "51"})
    assert bad.status_code == 400 and {"kind", "region"} <= set(bad.json())


def test_api_list_queries_are_bounded(
    client, geo, personas, meetings, django_assert_max_num_queries
):
    for number in range(20):
        record(geo.village_committee, personas.village_official, title=f"会议{number}")
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/meetings/")
    assert response.json()["count"] == 23


def test_api_schema_documents_the_paths(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/meetings/" in schema["paths"] and "/api/v1/meetings/{id}/" in schema["paths"]
