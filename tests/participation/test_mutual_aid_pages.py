"""The mutual-aid pages: the list for a place, posting (residents only), a post with its
replies, reporting and closing with a flash message after each, the moderators' queue
and the admin list, each for the allowed person and the outsider."""

import datetime as dt
import re

import pytest

from participation.models import AidPost, AidStatus
from participation.services import mutual_aid as services
from tests.participation import test_mutual_aid_support as support
from tests.participation.test_mutual_aid_support import PHONE, post, report_by, today

aid_places = support.aid_places
aid_people = support.aid_people
fresh_rate_counters = support.fresh_rate_counters

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- The list -----------------------------------------------------------------------------


def test_cards_show_what_a_neighbour_needs_to_know(client, aid_people, aid_places, personas):
    created = post(
        aid_people.author,
        aid_places.village,
        kind="need",
        category="errands",
        title="帮忙代买降压药",
        expires_in=10,
    )
    services.aid_reply_create(post=created, user=personas.citizen, text="我明天去药店。")
    post(aid_people.author, aid_places.village, kind="offer", title="周末可帮忙照看孩子")
    html = _html(client.get(f"/mutual-aid/?region={aid_places.village.code}"))
    assert "帮忙代买降压药" in html and "周末可帮忙照看孩子" in html
    assert "求助" in html and "帮忙" in html and "跑腿代办" in html
    assert "平岗社区" in html and "杨**" in html and "杨桂芳" not in html
    assert (today() + dt.timedelta(days=10)).isoformat() in html
    assert "1 条回复" in html
    assert f'href="/mutual-aid/{created.pk}/"' in html


def test_only_verified_residents_get_the_post_button(client, aid_people, personas, geo):
    url = f"/mutual-aid/?region={geo.village.code}"
    assert "发布求助或帮忙信息" not in _html(client.get(url))
    client.force_login(personas.citizen)
    html = _html(client.get(url))
    assert "发布求助或帮忙信息" not in html and "/accounts/residency/" in html
    client.force_login(aid_people.author)
    assert "发布求助或帮忙信息" in _html(client.get(url))


def test_children_places_and_filters(client, aid_people, aid_places):
    post(aid_people.author, aid_places.village, scope="county", kind="offer", title="可搭车进城")
    post(aid_people.author, aid_places.village, scope="county", kind="need", title="求搭车进城")
    html = _html(client.get(f"/mutual-aid/?region={aid_places.county.code}&kind=offer"))
    assert "可搭车进城" in html and "求搭车进城" not in html
    assert "?region=510118001000&amp;kind=offer" in html  # 五津街道, filter kept
    assert client.get("/mutual-aid/?region=510199000000").status_code == 404
    assert client.get("/mutual-aid/?region=abc").status_code == 404
    assert client.get("/mutual-aid/?kind=gift").status_code == 404


def test_the_list_page_takes_a_bounded_number_of_queries(
    client, aid_people, aid_places, personas, settings, django_assert_max_num_queries
):
    settings.PARTICIPATION_RATE_PER_USER = 1000
    for number in range(25):
        created = post(aid_people.author, aid_places.village, title=f"第{number}条")
        services.aid_reply_create(post=created, user=personas.citizen, text="我来")
    url = f"/mutual-aid/?region={aid_places.village.code}"
    # region, count, page, breadcrumbs, children
    with django_assert_max_num_queries(5):
        html = _html(client.get(url))
    assert "第24条" in html and "第4条" not in html  # 20 a page
    client.force_login(aid_people.author)
    # and the session, the user, the residencies
    with django_assert_max_num_queries(8):
        _html(client.get(url))


# --- Posting ------------------------------------------------------------------------------


def test_posting_needs_a_login_and_a_verified_residency(client, personas):
    response = client.get("/mutual-aid/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(personas.citizen)
    response = client.get("/mutual-aid/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "/accounts/residency/" in html and "申请村（居）民身份核实" in html
    response = client.post("/mutual-aid/new/", {"title": "x"})
    assert response.status_code == 403 and not AidPost.objects.exists()


def test_the_form_names_the_places_of_each_scope(client, aid_people):
    client.force_login(aid_people.author)
    html = _html(client.get("/mutual-aid/new/"))
    for label in ("本社区（平岗社区）", "本街道（五津街道）", "本区（新津区）", "全市（成都市）"):
        assert label in html
    # A group of radios, its help text named on the fieldset.
    assert (
        '<fieldset class="choice-group" aria-describedby="id_scope_helptext"><legend>谁能看到'
        in html
    )


def test_a_resident_posts_and_lands_on_the_post(client, aid_people, aid_places):
    client.force_login(aid_people.author)
    response = client.post(
        "/mutual-aid/new/",
        {
            "region": aid_places.village.code,
            "kind": "need",
            "category": "farming",
            "title": "秋收缺人手",
            "text": f"家里两亩玉米要收，需要两个人帮一天。电话 {PHONE}",
            "scope": "township",
            "expires_on": (today() + dt.timedelta(days=7)).isoformat(),
        },
        follow=True,
    )
    created = AidPost.objects.get()
    assert response.redirect_chain[-1][0] == f"/mutual-aid/{created.pk}/"
    assert _messages(response) == ["发布成功。邻居们可以在这里看到并回复您。"]
    html = _html(response)
    assert "秋收缺人手" in html and created.scope_code == "510118001000"
    assert PHONE not in html and not MOBILE.search(html)


def test_a_refused_post_keeps_what_was_typed(client, aid_people, aid_places):
    client.force_login(aid_people.author)
    response = client.post(
        "/mutual-aid/new/",
        {
            "region": aid_places.village.code,
            "kind": "offer",
            "category": "learning",
            "title": "辅导小学数学",
            "text": "每周六下午在社区活动室。",
            "scope": "village",
            "expires_on": (today() + dt.timedelta(days=120)).isoformat(),
        },
    )
    html = _html(response)
    assert "有效期最长90天。" in html and 'role="alert"' in html
    assert "每周六下午在社区活动室。" in html and "辅导小学数学" in html
    assert not AidPost.objects.exists()


# --- A post and its replies ------------------------------------------------------------


def test_reply_report_and_close_each_end_with_a_message(client, aid_people, aid_places):
    created = post(aid_people.author, aid_places.village, text=f"联系我 {PHONE}")
    url = f"/mutual-aid/{created.pk}/"
    neighbour = aid_people.neighbours[0]
    client.force_login(neighbour)
    html = _html(client.get(url))
    assert "举报不实或不当信息" in html and "问题已解决" not in html
    assert PHONE not in html

    response = client.post(f"{url}reply/", {"text": f"我可以帮忙，{PHONE}"}, follow=True)
    assert _messages(response) == ["回复已发布。"]
    assert "我可以帮忙" in _html(response) and PHONE not in _html(response)
    assert "王*" in _html(response)

    response = client.post(f"{url}report/", {"reason": "疑似广告"}, follow=True)
    assert _messages(response) == ["举报已收到，工作人员会尽快审核。谢谢您。"]
    html = _html(response)
    assert "您已举报该信息" in html and "提交举报" not in html

    response = client.post(f"{url}close/", follow=True)
    assert _messages(response) == ["只有发布人可以关闭该信息。"]
    client.force_login(aid_people.author)
    html = _html(client.get(url))
    assert "问题已解决，标记为已解决" in html and "提交举报" not in html
    response = client.post(f"{url}close/", follow=True)
    assert _messages(response) == ["已标记为已解决，感谢邻里互助。"]
    created.refresh_from_db()
    assert created.status == AidStatus.RESOLVED
    assert "我来回复" not in _html(response)


def test_errors_show_beside_the_form(client, aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    client.force_login(aid_people.neighbours[0])
    html = _html(client.post(f"/mutual-aid/{created.pk}/report/", {"reason": ""}))
    assert 'role="alert"' in html and "举报理由" in html
    created.refresh_from_db()
    assert created.report_count == 0


def test_signed_out_visitors_are_sent_to_log_in(client, aid_people, aid_places):
    created = post(aid_people.author, aid_places.village)
    html = _html(client.get(f"/mutual-aid/{created.pk}/"))
    assert "登录后可以回复" in html and "我来回复" not in html
    response = client.post(f"/mutual-aid/{created.pk}/reply/", {"text": "我来"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/mutual-aid/")
    assert not created.replies.exists()


def test_the_third_report_hides_the_post_and_sends_the_reporter_to_the_list(
    client, aid_people, aid_places
):
    created = post(aid_people.author, aid_places.village)
    report_by(created, aid_people.neighbours[:2])
    client.force_login(aid_people.neighbours[2])
    response = client.post(f"/mutual-aid/{created.pk}/report/", {"reason": "骗钱"})
    assert response["Location"] == f"/mutual-aid/?region={aid_places.village.code}"
    assert client.get(f"/mutual-aid/{created.pk}/").status_code == 404


def test_a_moderator_hides_a_reply_on_the_page(client, aid_people, aid_places, personas):
    created = post(aid_people.author, aid_places.village)
    reply = services.aid_reply_create(post=created, user=personas.citizen, text="加我微信买药")
    client.force_login(personas.other_county_official)
    assert "屏蔽这条回复" not in _html(client.get(f"/mutual-aid/{created.pk}/"))
    response = client.post(f"/mutual-aid/replies/{reply.pk}/hide/", {f"hide{reply.pk}-reason": "x"})
    assert response.status_code == 404
    client.force_login(personas.village_official)
    assert "屏蔽这条回复" in _html(client.get(f"/mutual-aid/{created.pk}/"))
    response = client.post(
        f"/mutual-aid/replies/{reply.pk}/hide/", {f"hide{reply.pk}-reason": "广告"}, follow=True
    )
    assert _messages(response) == ["该回复已屏蔽。"]
    html = _html(response)
    assert "加我微信买药" not in html and "该回复已被工作人员屏蔽。" in html


# --- The moderators' queue ----------------------------------------------------------------


@pytest.fixture
def queue(aid_people, aid_places) -> dict[str, AidPost]:
    """A hidden post and, posted before it, one with a single report."""
    reported = post(aid_people.author, aid_places.village, title="有一条举报的信息")
    report_by(reported, aid_people.neighbours[:1], reason="标题夸张")
    hidden = post(aid_people.author, aid_places.village, title="被隐藏的信息")
    report_by(hidden, aid_people.neighbours[:3], reason="收取押金")
    post(aid_people.author, aid_places.village, title="没有举报的信息")
    return {"reported": reported, "hidden": hidden}


@pytest.mark.parametrize("who", ["village_official", "township_official", "platform_admin"])
def test_the_officials_of_the_place_see_the_queue(client, personas, queue, who):
    client.force_login(getattr(personas, who))
    html = _html(client.get("/mutual-aid/moderation/"))
    assert html.index("被隐藏的信息") < html.index("有一条举报的信息")
    assert "没有举报的信息" not in html
    assert "收取押金" in html and "标题夸张" in html
    assert "恢复显示" in html and "屏蔽" in html


@pytest.mark.parametrize("who", ["other_county_official", "county_supervisor", "citizen"])
def test_anyone_else_gets_404(client, personas, queue, who):
    client.force_login(getattr(personas, who))
    assert client.get("/mutual-aid/moderation/").status_code == 404
    response = client.post(f"/mutual-aid/moderation/{queue['hidden'].pk}/", {"action": "restore"})
    assert response.status_code == 404
    queue["hidden"].refresh_from_db()
    assert queue["hidden"].status == AidStatus.HIDDEN


def test_an_official_elsewhere_sees_an_empty_queue_and_cannot_decide(client, aid_people, queue):
    client.force_login(aid_people.other_village_official)
    html = _html(client.get("/mutual-aid/moderation/"))
    assert "被隐藏的信息" not in html and "没有待审核的信息。" in html
    response = client.post(f"/mutual-aid/moderation/{queue['hidden'].pk}/", {"action": "remove"})
    assert response.status_code == 404


def test_signed_out_goes_to_the_login(client, queue):
    response = client.get("/mutual-aid/moderation/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_restore_from_the_queue(client, personas, queue):
    hidden = queue["hidden"]
    client.force_login(personas.township_official)
    response = client.post(
        f"/mutual-aid/moderation/{hidden.pk}/",
        {"action": "restore", f"m{hidden.pk}-note": ""},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/mutual-aid/moderation/"
    assert _messages(response) == ["已恢复显示“被隐藏的信息”。"]
    hidden.refresh_from_db()
    assert hidden.status == AidStatus.OPEN
    assert f'href="/mutual-aid/{hidden.pk}/"' not in _html(response)
    client.logout()
    assert client.get(f"/mutual-aid/{hidden.pk}/").status_code == 200


def test_remove_from_the_queue_needs_a_note(client, personas, queue):
    hidden = queue["hidden"]
    client.force_login(personas.village_official)
    html = _html(
        client.post(
            f"/mutual-aid/moderation/{hidden.pk}/", {"action": "remove", f"m{hidden.pk}-note": ""}
        )
    )
    assert "请填写屏蔽理由，发布人会看到该理由。" in html
    hidden.refresh_from_db()
    assert hidden.status == AidStatus.HIDDEN
    response = client.post(
        f"/mutual-aid/moderation/{hidden.pk}/",
        {"action": "remove", f"m{hidden.pk}-note": "收取押金，涉嫌诈骗。"},
        follow=True,
    )
    assert _messages(response) == ["已屏蔽“被隐藏的信息”。"]
    hidden.refresh_from_db()
    assert (hidden.status, hidden.moderation_note) == (AidStatus.REMOVED, "收取押金，涉嫌诈骗。")


def test_the_queue_takes_a_bounded_number_of_queries(
    client, aid_people, aid_places, personas, settings, django_assert_max_num_queries
):
    settings.PARTICIPATION_RATE_PER_USER = 1000
    for number in range(8):
        created = post(aid_people.author, aid_places.village, title=f"可疑信息{number}")
        report_by(created, aid_people.neighbours[: 1 + number % 3])
    client.force_login(personas.village_official)
    with django_assert_max_num_queries(12):
        html = _html(client.get("/mutual-aid/moderation/"))
    assert html.count("可疑信息") == 8


# --- The admin list -------------------------------------------------------------------------


def test_the_admin_lists_the_posts_of_the_moderators_places(client, personas, aid_people, queue):
    client.force_login(personas.village_official)
    html = _html(client.get("/admin/participation/aidpost/"))
    assert "被隐藏的信息" in html and "/mutual-aid/moderation/" in html
    detail = client.get(f"/admin/participation/aidpost/{queue['hidden'].pk}/change/")
    assert detail.status_code == 200 and "收取押金" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()  # read-only
    client.force_login(aid_people.other_village_official)
    assert "被隐藏的信息" not in _html(client.get("/admin/participation/aidpost/"))
    response = client.get(f"/admin/participation/aidpost/{queue['hidden'].pk}/change/")
    assert response.status_code in (302, 403, 404)
    client.force_login(personas.other_county_official)
    assert client.get("/admin/participation/aidpost/").status_code == 403
