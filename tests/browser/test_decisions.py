"""An official records the resolution and publishes the decision in the admin; a villager
reads the timeline and a meeting record on a phone, with no sideways scrolling."""

import pytest

from disclosure.models import PublishingSetting
from participation.models import DecisionStatus, MeetingKind, StepKind
from participation.services import meetings
from tests.browser.test_publishing import admin_login
from tests.participation.test_decisions_helpers import days_ago, start, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_resolution_published_and_read_on_a_phone(
    geo, personas, catalog, live_server, browser, settings, shot
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    PublishingSetting.objects.create(unit=geo.village_committee, requires_review=False)
    decision = walk(
        start(geo, personas, title="平岗社区文化广场改造及健身器材更新"),
        personas.village_official,
        upto=StepKind.PARTY_REVIEW,
    )
    base = live_server.url

    official = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    ).new_page()
    admin_login(official, base, "village_official")
    url = f"{base}/admin/participation/decision/{decision.pk}/change/"
    official.goto(url)
    official.select_option("#id_action", "step")
    assert official.input_value("#id_kind") == "resolution"  # the next step, preset
    official.fill("#id_held_on", days_ago(25).isoformat())
    official.select_option("#id_meeting", "representatives")
    official.fill("#id_expected", "60")
    official.fill("#id_attended", "39")
    official.fill("#id_votes_for", "35")
    official.fill("#id_votes_against", "2")
    official.fill("#id_abstained", "2")
    official.select_option("#id_outcome", "passed")
    official.click("input[name=_save]")
    error = official.locator(".errorlist").first.inner_text()
    assert "村民代表会议应到60人，实到须不少于40人（三分之二）。" in error
    assert official.input_value("#id_votes_for") == "35"  # nothing typed is lost
    shot(official, "admin-decision-step-refused")
    official.fill("#id_attended", "42")
    official.click("input[name=_save]")
    official.wait_for_url("**/admin/participation/decision/")
    official.goto(url)
    official.select_option("#id_action", "publish")
    official.click("input[name=_save]")
    official.wait_for_url("**/admin/participation/decision/")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PUBLISHED

    meeting = meetings.meeting_create(
        unit=geo.village_committee,
        kind=MeetingKind.EVENING_TALK,
        title="十月聊天夜谈：文化广场改造意见",
        held_on=days_ago(10),
        location="平岗社区党群服务中心",
        attendees="王建国\n李淑芬（村民代表）、张志强，刘桂兰、陈永福、欧阳娜娜",
        attendee_count=23,
        summary="居民对广场照明、健身器材和停车提出意见，陈永福建议增设无障碍坡道。",
        issues=[
            {
                "text": "广场东侧夜间照明不足，老人散步看不清台阶",
                "raised_by": "王建国",
                "follow_up": "村委会主任",
                "due_on": days_ago(1),
            },
            {"text": "增设无障碍坡道", "raised_by": "陈永福", "follow_up": "网格员"},
        ],
        actor=personas.village_official,
    )
    meetings.meeting_publish(meeting=meeting, actor=personas.village_official)

    villager = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}
    ).new_page()
    villager.goto(f"{base}/decisions/?region=510118001000")
    assert not scrolls_sideways(villager)
    shot(villager, "decisions-list-phone")
    villager.get_by_role("link", name="平岗社区文化广场改造及健身器材更新").click()
    steps = villager.locator(".decision-step")
    assert steps.count() == 4
    assert "实到 42 人" in steps.nth(3).inner_text()
    link = villager.locator(".disclosure-published a")
    assert link.inner_text().startswith("关于平岗社区文化广场改造")
    assert not scrolls_sideways(villager)
    shot(villager, "decision-timeline-phone")
    link.click()
    assert "决策过程" in villager.locator(".record-body").inner_text()

    villager.goto(f"{base}/meetings/?region=510118001001")
    villager.get_by_role("link", name="十月聊天夜谈：文化广场改造意见").click()
    text = villager.locator("main").inner_text()
    assert "王**" in text and "王建国" not in text and "陈永福" not in text
    assert not scrolls_sideways(villager)
    shot(villager, "meeting-phone")
