"""The public pages of solicitations: the list with its badges, one solicitation with
its opinion form and report, and the private attachments."""

import datetime as dt

import pytest
from django.utils import timezone

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


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_list_shows_phase_badges_filters_by_place_and_hides_drafts(geo, personas, client):
    now = timezone.now()
    make_open(geo, personas, title="东门停车管理办法")
    make_open(
        geo,
        personas,
        title="广场舞时段安排",
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=8),
    )
    end_window(make_open(geo, personas, title="垃圾分类实施方案"))
    make_draft(geo, personas, title="还在起草的方案")
    html = page(client, "/solicitations/")
    assert "东门停车管理办法" in html and "广场舞时段安排" in html and "垃圾分类实施方案" in html
    assert "还在起草的方案" not in html
    assert "badge-open" in html and "badge-upcoming" in html and "badge-ended" in html
    assert "进行中" in html and "未开始" in html and "已截止" in html
    county = page(client, "/solicitations/", region=geo.county.code)
    assert "东门停车管理办法" in county and "新津区民意征集" in county
    assert 'href="/regions/510100000000/"' in county  # breadcrumbs
    assert f"?region={geo.township.code}" in county  # a link down to the township
    elsewhere = page(client, "/solicitations/", region=geo.other_county.code)
    assert "东门停车管理办法" not in elsewhere and "暂无符合条件的民意征集" in elsewhere
    opened = page(client, "/solicitations/", phase="open")
    assert "东门停车管理办法" in opened and "广场舞时段安排" not in opened
    assert client.get("/solicitations/", {"region": "999999999999"}).status_code == 404
    assert client.get("/solicitations/", {"region": "12"}).status_code == 404


def test_list_is_paginated_with_bounded_queries(
    geo, personas, client, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(25):
        region = RegionFactory(code=f"510118001{i + 2:03d}", name=f"第{i}村")
        unit = UnitFactory(name=f"第{i}村委会", region=region)
        services.solicitation_publish(
            solicitation=services.solicitation_create(
                unit=unit,
                title=f"征集事项{i:02d}",
                body="<p>x</p>",
                opens_at=now - dt.timedelta(days=1, minutes=i),
                closes_at=now + dt.timedelta(days=3),
                actor=personas.platform_admin,
            ),
            actor=personas.platform_admin,
        )
    with django_assert_max_num_queries(8):
        first = page(client, "/solicitations/", region=geo.county.code)
    assert "征集事项00" in first and "征集事项24" not in first and "第 1 / 2 页" in first
    second = page(client, "/solicitations/", region=geo.county.code, page=2)
    assert "征集事项24" in second


def test_visitor_is_asked_to_sign_in_and_cannot_post(geo, personas, client):
    solicitation = make_open(geo, personas)
    html = page(client, f"/solicitations/{solicitation.pk}/")
    assert "停车秩序" in html and "请先登录" in html and 'name="text"' not in html
    assert f'href="/accounts/login/?next=/solicitations/{solicitation.pk}/"' in html
    response = client.post(f"/solicitations/{solicitation.pk}/", {"text": "意见"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert Opinion.objects.count() == 0


def test_signed_in_user_posts_and_is_told_it_waits_for_review(geo, personas, client):
    solicitation = make_open(geo, personas)
    client.force_login(personas.citizen)
    html = page(client, f"/solicitations/{solicitation.pk}/")
    assert 'name="text"' in html and "审核后公开" in html
    bad = client.post(f"/solicitations/{solicitation.pk}/", {"text": "", "name": "赵先生"})
    assert bad.status_code == 200 and 'value="赵先生"' in bad.content.decode()
    response = client.post(
        f"/solicitations/{solicitation.pk}/",
        {"text": "我的电话13912345678，建议东门增设车位"},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/solicitations/{solicitation.pk}/#my-opinions")
    assert "您的意见已提交，审核后公开。" in html
    # The author sees their own opinion and its status; nobody else does.
    assert "我提交的意见" in html and "待审核" in html and "建议东门增设车位" in html
    client.force_login(personas.resident)
    other = page(client, f"/solicitations/{solicitation.pk}/")
    assert "建议东门增设车位" not in other and "我提交的意见" not in other
    client.logout()
    assert "建议东门增设车位" not in page(client, f"/solicitations/{solicitation.pk}/")


def test_public_opinions_are_masked_and_stripped_of_phone_numbers(geo, personas, client):
    solicitation = make_open(geo, personas)
    opinion, _ = submit(
        solicitation,
        personas.citizen,
        text="有事打我电话13912345678，邮箱zhao@example.com，东门加车位",
        name="张三丰",
    )
    services.opinion_moderate(opinion=opinion, actor=personas.village_official, publish=True)
    hidden, _ = submit(solicitation, personas.resident, text="不宜公开的内容")
    services.opinion_moderate(
        opinion=hidden, actor=personas.village_official, publish=False, reason="涉及他人隐私"
    )
    html = page(client, f"/solicitations/{solicitation.pk}/")
    assert "张**" in html and "张三丰" not in html
    assert "13912345678" not in html and "zhao@example.com" not in html and "东门加车位" in html
    assert "不宜公开的内容" not in html and "涉及他人隐私" not in html
    # The author of the hidden one learns why.
    client.force_login(personas.resident)
    mine = page(client, f"/solicitations/{solicitation.pk}/")
    assert "不予公开的理由：涉及他人隐私" in mine


def test_closed_and_withdrawn_pages_say_so(geo, personas, client):
    ended = end_window(make_open(geo, personas, title="已截止的征集"))
    client.force_login(personas.citizen)
    html = page(client, f"/solicitations/{ended.pk}/")
    assert "征集已截止，不再接收意见。" in html and 'name="text"' not in html
    refused = client.post(f"/solicitations/{ended.pk}/", {"text": "迟到的意见"}, follow=True)
    assert "征集已截止，不再接收意见。" in refused.content.decode().split("</h1>")[0]
    withdrawn = services.solicitation_withdraw(
        solicitation=make_open(geo, personas, title="撤回的征集"),
        actor=personas.village_official,
        reason="上级政策调整",
    )
    html = page(client, f"/solicitations/{withdrawn.pk}/")
    assert "该征集已撤回" in html and "上级政策调整" in html and "停车秩序" not in html
    assert Opinion.objects.count() == 0


def test_draft_page_is_404(geo, personas, client):
    draft = make_draft(geo, personas)
    assert client.get(f"/solicitations/{draft.pk}/").status_code == 404
    client.force_login(personas.village_official)
    assert client.get(f"/solicitations/{draft.pk}/").status_code == 404


def test_report_shows_groups_adoption_reasons_and_the_summary(geo, personas, client):
    solicitation = make_open(geo, personas)
    first, _ = submit(solicitation, personas.citizen, text="东门增设车位")
    second, _ = submit(solicitation, personas.resident, text="外来车辆收费")
    publish_all(solicitation, personas.village_official)
    end_window(solicitation)
    services.group_create(
        solicitation=solicitation,
        summary="增设车位",
        adoption="adopted",
        reason="",
        opinions=[first],
        actor=personas.village_official,
    )
    services.group_create(
        solicitation=solicitation,
        summary="外来车辆收费",
        adoption="not_adopted",
        reason="收费须经居民代表会议表决，本办法暂不规定。",
        opinions=[second],
        actor=personas.village_official,
    )
    before = page(client, f"/solicitations/{solicitation.pk}/")
    assert "正在整理意见" in before and "意见采纳情况" not in before
    services.report_publish(
        solicitation=solicitation,
        report="本次共收到意见2条，采纳1条。",
        actor=personas.village_official,
    )
    html = page(client, f"/solicitations/{solicitation.pk}/")
    assert "意见采纳情况" in html and "本次共收到意见2条，采纳1条。" in html
    assert "<caption>意见归类及采纳情况</caption>" in html
    assert "未采纳" in html and "收费须经居民代表会议表决，本办法暂不规定。" in html
    assert 'href="#group-2"' in html  # each opinion points to its answer


@pytest.mark.usefixtures("media")
def test_attachment_served_only_while_published(geo, personas, client):
    draft = make_draft(geo, personas)
    attachment = services.solicitation_attach(
        solicitation=draft, name="停车位示意图.pdf", data=PDF, actor=personas.village_official
    )
    url = f"/solicitations/{draft.pk}/attachments/{attachment.token}/"
    assert client.get(url).status_code == 404
    client.force_login(personas.village_official)
    assert client.get(url).status_code == 404  # the public door is the same for everyone
    client.logout()
    published = services.solicitation_publish(solicitation=draft, actor=personas.village_official)
    html = page(client, f"/solicitations/{published.pk}/")
    assert url in html and "停车位示意图.pdf" in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    assert client.get(f"/solicitations/{draft.pk}/attachments/{'0' * 32}/").status_code == 404
    other = make_open(geo, personas, title="另一个征集")
    assert (
        client.get(f"/solicitations/{other.pk}/attachments/{attachment.token}/").status_code == 404
    )
    services.solicitation_withdraw(
        solicitation=published, actor=personas.village_official, reason="另行征集"
    )
    assert client.get(url).status_code == 404


def test_detail_page_queries_do_not_grow_with_opinions(
    geo, personas, client, settings, django_assert_max_num_queries
):
    settings.PARTICIPATION_RATE_PER_USER = 100
    solicitation = make_open(geo, personas)
    for n in range(30):
        submit(solicitation, personas.citizen, text=f"第{n}条意见")
    publish_all(solicitation, personas.village_official)
    client.force_login(personas.citizen)
    with django_assert_max_num_queries(12):
        html = page(client, f"/solicitations/{solicitation.pk}/")
    assert "第29条意见" in html and html.count('class="opinion"') == 60  # public + mine
