"""The public vote pages: the list with its filters, the rules in plain words, the ballot
form for a resident, the refusal for an outsider, the login prompt for a visitor, and
the results once the vote has closed."""

import re

import pytest
from django.utils import timezone

from participation.models import Ballot, Eligibility, Quorum
from participation.services import votes as services
from tests.participation.test_votes_helpers import (
    after_close,
    cast,
    frozen,
    make_vote,
    option_ids,
)

pytestmark = pytest.mark.django_db

LIST = "/votes/"


def page(vote) -> str:
    return f"/votes/{vote.pk}/"


def html(response, status=200) -> str:
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_the_list_shows_published_votes_of_a_place(client, geo, personas, village):
    open_vote = make_vote(geo, personas, title="是否同意修建文化广场")
    make_vote(geo, personas, publish=False, title="尚未发布的草稿")
    make_vote(
        geo,
        personas,
        title="和平社区停车位方案",
        unit=geo.other_village_committee,
        actor=personas.platform_admin,
        electorate_region=geo.other_village,
    )
    everything = html(client.get(LIST))
    assert "是否同意修建文化广场" in everything and "和平社区停车位方案" in everything
    assert "尚未发布的草稿" not in everything
    here = html(client.get(LIST, {"region": geo.county.code}))
    assert page(open_vote) in here and "和平社区停车位方案" not in here
    assert "新津区民主投票" in here and "五津街道" in here  # heading and the child places
    assert "进行中" in here
    assert "<script" not in here and "style=" not in here


def test_the_list_by_phase(client, geo, personas):
    ended = make_vote(geo, personas, title="已截止的投票")
    services.vote_close(vote=ended, now=after_close(ended))
    make_vote(geo, personas, title="进行中的投票")
    listed = html(client.get(LIST, {"phase": "ended"}))
    assert "已截止的投票" in listed and "进行中的投票" not in listed


def test_an_unknown_place_is_404(client, geo):
    assert client.get(LIST, {"region": "510118999999"}).status_code == 404
    assert client.get(LIST, {"phase": "someday"}).status_code == 404


def test_the_list_is_paginated_in_bounded_queries(
    client, geo, personas, django_assert_max_num_queries
):
    for number in range(25):
        make_vote(geo, personas, title=f"第{number}号议题")
    with django_assert_max_num_queries(8):
        first = html(client.get(LIST))
    assert "第 1 / 2 页" in first and "共 25 项投票" in first


def test_the_rules_in_plain_words(client, geo, personas, village):
    vote = make_vote(
        geo,
        personas,
        eligibility=Eligibility.HOUSEHOLDS,
        quorum=Quorum.TWO_THIRDS,
        options=["甲方案", "乙方案", "丙方案"],
        multiple=True,
        max_choices=2,
        allow_change=True,
    )
    text = html(client.get(page(vote)))
    assert "平岗社区已核实的户代表（每户一票）" in text
    assert "可多选，最多选2项" in text
    assert "无记名投票" in text and "截止前可以改票" in text
    assert "三分之二以上" in text and "投票截止后公布计票结果" in text
    assert "平岗社区居民委员会" in text  # the organising unit
    assert 'aria-label="当前位置"' in text and "五津街道" in text  # breadcrumbs of the place
    assert "style=" not in text and "<script" not in text


def test_a_visitor_is_asked_to_sign_in(client, geo, personas):
    vote = make_vote(geo, personas)
    text = html(client.get(page(vote)))
    assert "请先登录" in text and f"/accounts/login/?next=/votes/{vote.pk}/" in text
    assert 'type="radio"' not in text
    response = client.post(page(vote), {"options": option_ids(vote)[0]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Ballot.objects.exists()


def test_a_resident_votes_and_sees_their_ballot(client, geo, personas, village):
    vote = make_vote(geo, personas)
    client.force_login(personas.resident)
    form = html(client.get(page(vote)))
    assert "<fieldset" in form and "<legend>" in form and form.count('type="radio"') == 2
    response = client.post(page(vote), {"options": option_ids(vote)[1]})
    assert response.status_code == 302 and response["Location"] == page(vote)
    after = html(client.get(page(vote)))
    assert "投票成功" in after and "您已投票" in after
    assert re.search(r"您的选择：<strong>不同意</strong>", after)
    assert 'type="radio"' not in after  # no second ballot without allow_change
    again = client.post(page(vote), {"options": option_ids(vote)[0]})
    assert "您已投过票，本次投票不允许改票。" in html(again, 409)
    assert Ballot.objects.count() == 1


def test_a_resident_changes_a_ballot_when_allowed(client, geo, personas, village):
    vote = make_vote(
        geo, personas, allow_change=True, options=["甲", "乙", "丙"], multiple=True, max_choices=2
    )
    client.force_login(personas.resident)
    ids = option_ids(vote)
    client.post(page(vote), {"options": [ids[0], ids[1]]})
    text = html(client.get(page(vote)))
    assert "您已投票" in text and text.count('type="checkbox"') == 3 and "确认改票" in text
    assert text.count("checked") == 2  # the form starts from the current choices
    client.post(page(vote), {"options": [ids[2]]})
    assert "已改票" in html(client.get(page(vote)))
    too_many = client.post(page(vote), {"options": ids})
    assert "本次投票最多可选2项。" in html(too_many)


def test_an_empty_ballot_is_explained(client, geo, personas, village):
    vote = make_vote(geo, personas)
    client.force_login(personas.resident)
    text = html(client.post(page(vote), {}))
    assert "请至少选择一项。" in text and 'role="alert"' in text


def test_an_outsider_is_told_why_not(client, geo, personas, village):
    vote = make_vote(geo, personas)
    client.force_login(personas.citizen)
    text = html(client.get(page(vote)))
    assert "本次仅限平岗社区已核实的村（居）民参与。" in text
    assert 'type="radio"' not in text
    refused = client.post(page(vote), {"options": option_ids(vote)[0]})
    assert "本次仅限平岗社区已核实的村（居）民参与。" in html(refused, 403)
    assert not Ballot.objects.exists()


def test_a_ballot_after_the_deadline_is_409(client, geo, personas, village):
    vote = make_vote(geo, personas)
    client.force_login(personas.resident)
    with frozen(after_close(vote)):
        text = html(client.post(page(vote), {"options": option_ids(vote)[0]}), 409)
    assert "投票已截止。" in text and "正在汇总计票结果" in text


def test_results_after_the_close(client, geo, personas, village):
    vote = make_vote(geo, personas)
    cast(vote, personas.resident, 0)
    cast(vote, village.residents[1], 0)
    cast(vote, village.residents[2], 1)
    services.paper_batch_enter(
        vote=vote,
        counted_on=timezone.localdate(),
        ballots=2,
        invalid=0,
        counts=dict(zip(option_ids(vote), [1, 1], strict=True)),
        note="居民代表会议现场计票",
        actor=personas.village_official,
    )
    before = html(client.get(page(vote)))
    assert "计票结果将在投票截止后公布。" in before and "网上 2 票" not in before
    services.votes_close_due(now=after_close(vote))
    text = html(client.get(page(vote)))
    assert "投票结果" in text and "已结束" in text
    assert "网上 2 票 · 纸质 1 票" in text and "网上 1 票 · 纸质 1 票" in text
    assert "60.0%" in text and "40.0%" in text
    assert '<rect class="bar-fill" width="60.0"' in text
    assert "5 人（网上 3，纸质 2）" in text and "83.3%" in text
    assert "已达到" in text and "至少需 4 人参与" in text


def test_a_cancelled_vote_shows_why(client, geo, personas):
    vote = make_vote(geo, personas)
    services.vote_cancel(vote=vote, actor=personas.village_official, reason="选项表述有误。")
    text = html(client.get(page(vote)))
    assert "本次投票已取消" in text and "选项表述有误。" in text
    assert "请先登录" not in text


def test_drafts_are_404(client, geo, personas):
    draft = make_vote(geo, personas, publish=False)
    assert client.get(page(draft)).status_code == 404
    client.force_login(personas.village_official)
    assert client.get(page(draft)).status_code == 404
