"""The votes API: the list and its filters, one vote with the caller's standing, and
casting a ballot with every refusal as its status code."""

import datetime as dt

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

LIST = "/api/v1/votes/"


def detail(vote) -> str:
    return f"/api/v1/votes/{vote.pk}/"


def ballots(vote) -> str:
    return f"/api/v1/votes/{vote.pk}/ballots/"


# ---------------------------------------------------------------------------
# The list


@pytest.fixture
def spread(geo, personas):
    """A draft, an open, an upcoming, a cancelled and a closed vote in 平岗社区, and an
    open vote of 和平社区 (another county)."""
    official = personas.village_official
    votes = {
        "draft": make_vote(geo, personas, publish=False, title="草稿"),
        "open": make_vote(geo, personas, title="进行中"),
    }
    votes["upcoming"] = make_vote(
        geo,
        personas,
        title="未开始",
        opens_at=votes["open"].closes_at,
        closes_at=votes["open"].closes_at + dt.timedelta(days=2),
    )
    votes["cancelled"] = services.vote_cancel(
        vote=make_vote(geo, personas, title="已取消"), actor=official, reason="重复发起"
    )
    closed = make_vote(geo, personas, title="已结束")
    votes["closed"] = services.vote_close(vote=closed, now=after_close(closed))
    votes["elsewhere"] = make_vote(
        geo,
        personas,
        title="别处",
        unit=geo.other_village_committee,
        actor=personas.platform_admin,
        electorate_region=geo.other_village,
    )
    return votes


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_the_list_never_shows_drafts(api, spread):
    assert titles(api.get(LIST)) == {"进行中", "未开始", "已取消", "已结束", "别处"}


def test_the_list_by_place_unit_and_phase(api, geo, spread):
    here = {"进行中", "未开始", "已取消", "已结束"}
    assert titles(api.get(LIST, {"region": geo.county.code})) == here
    assert titles(api.get(LIST, {"region": geo.other_county.code})) == {"别处"}
    assert titles(api.get(LIST, {"unit": geo.village_committee.pk})) == here
    assert titles(api.get(LIST, {"phase": "open"})) == {"进行中", "别处"}
    assert titles(api.get(LIST, {"phase": "upcoming"})) == {"未开始"}
    assert titles(api.get(LIST, {"phase": "ended"})) == {"已取消", "已结束"}


def test_a_vote_past_its_deadline_has_ended_before_the_task_runs(api, spread):
    with frozen(after_close(spread["open"])):
        ended = titles(api.get(LIST, {"phase": "ended"}))
    assert "进行中" in ended


def test_bad_filters_are_400(api, geo):
    response = api.get(LIST, {"region": "5101", "phase": "soon"})
    assert response.status_code == 400
    assert set(response.json()) == {"region", "phase"}
    assert "12位行政区划代码" in response.json()["region"][0]


def test_the_list_is_paginated_in_bounded_queries(api, spread, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        body = api.get(LIST).json()
    assert body["count"] == 5
    first = body["results"][0]
    assert set(first) >= {"id", "title", "unit", "region", "phase", "status", "opens_at"}
    assert first["unit"]["name"] and first["region"]["code"]


# ---------------------------------------------------------------------------
# One vote


def test_a_vote_for_a_visitor(api, geo, personas, village):
    vote = make_vote(geo, personas, quorum=Quorum.TWO_THIRDS)
    cast(vote, personas.resident)
    body = api.get(detail(vote)).json()
    assert body["title"] == vote.title
    assert [o["text"] for o in body["options"]] == ["同意", "不同意"]
    assert body["phase"] == "open" and body["status"] == "published"
    assert body["electorate"] == "平岗社区已核实的村（居）民"
    assert body["quorum_rule"] == "参与投票的人数须达到有投票资格人数的三分之二以上"
    assert body["secret"] is True and body["allow_change"] is False
    assert body["results"] is None  # results after the close only
    assert (body["eligible"], body["refusal"], body["my_ballot"]) == (None, None, None)


def test_drafts_and_unknown_votes_are_404(api, geo, personas):
    draft = make_vote(geo, personas, publish=False)
    assert api.get(detail(draft)).status_code == 404
    assert api.get("/api/v1/votes/999999/").status_code == 404
    api.as_user(personas.village_official)
    response = api.post(ballots(draft), {"options": option_ids(draft)[:1]}, format="json")
    assert response.status_code == 404


def test_my_ballot_on_a_secret_vote(api, geo, personas, village):
    vote = make_vote(geo, personas)
    cast(vote, personas.resident, 1)
    body = api.as_user(personas.resident).get(detail(vote)).json()
    assert body["eligible"] is True and body["refusal"] is None
    assert body["my_ballot"]["options"] == [option_ids(vote)[1]]
    assert body["my_ballot"]["vote"] == vote.pk and body["my_ballot"]["cast_at"]
    outsider = api.as_user(personas.citizen).get(detail(vote)).json()
    assert outsider["eligible"] is False
    assert outsider["refusal"] == "本次仅限平岗社区已核实的村（居）民参与。"
    assert outsider["my_ballot"] is None


def test_results_after_the_close(api, geo, personas, village):
    vote = make_vote(geo, personas)
    cast(vote, personas.resident, 0)
    cast(vote, village.residents[1], 0)
    cast(vote, village.residents[2], 1)
    services.paper_batch_enter(
        vote=vote,
        counted_on=timezone.localdate(),
        ballots=3,
        invalid=1,
        counts=dict(zip(option_ids(vote), [2, 0], strict=True)),
        note="居民代表会议现场计票",
        actor=personas.village_official,
    )
    services.votes_close_due(now=after_close(vote))
    results = api.get(detail(vote)).json()["results"]
    assert results["final"] is True
    assert [(o["online"], o["paper"], o["total"]) for o in results["options"]] == [
        (2, 2, 4),
        (1, 0, 1),
    ]
    assert results["turnout"] == 6 and results["eligible"] == 6
    assert results["turnout_rate"] == "100.0"
    assert results["quorum_required"] == 4 and results["quorum_met"] is True


def test_live_results_while_open(api, geo, personas, village):
    vote = make_vote(
        geo, personas, results_live=True, eligibility=Eligibility.CITIZENS, quorum=Quorum.NONE
    )
    cast(vote, personas.citizen, 1)
    results = api.get(detail(vote)).json()["results"]
    assert results["final"] is False and results["eligible"] is None
    assert [o["total"] for o in results["options"]] == [0, 1]
    assert results["turnout_rate"] is None and results["quorum_met"] is True


# ---------------------------------------------------------------------------
# Casting


def post(api, vote, picked):
    return api.post(ballots(vote), {"options": picked}, format="json")


def test_not_signed_in_is_401(api, geo, personas):
    vote = make_vote(geo, personas)
    response = post(api, vote, option_ids(vote)[:1])
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert not Ballot.objects.exists()


def test_a_ballot_and_its_receipt(api, geo, personas, village):
    vote = make_vote(geo, personas)
    first = option_ids(vote)[0]
    response = post(api.as_user(personas.resident), vote, [first])
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["vote"] == vote.pk and receipt["options"] == [first]
    assert receipt["cast_at"] and receipt["changed_at"] is None
    again = post(api, vote, [option_ids(vote)[1]])
    assert again.status_code == 409
    assert again.json() == {"detail": "您已投过票，本次投票不允许改票。"}
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_an_allowed_change_is_200(api, geo, personas, village):
    vote = make_vote(geo, personas, allow_change=True)
    client = api.as_user(personas.resident)
    assert post(client, vote, option_ids(vote)[:1]).status_code == 201
    response = post(client, vote, option_ids(vote)[1:])
    assert response.status_code == 200
    assert response.json()["options"] == option_ids(vote)[1:] and response.json()["changed_at"]


def test_not_eligible_is_403_with_the_reason(api, geo, personas, village):
    vote = make_vote(geo, personas)
    response = post(api.as_user(personas.citizen), vote, option_ids(vote)[:1])
    assert response.status_code == 403
    assert response.json() == {"detail": "本次仅限平岗社区已核实的村（居）民参与。"}


@pytest.mark.parametrize(
    ("picked", "message"),
    [
        ([], "请至少选择一项。"),
        ("both", "本次投票为单选，只能选择一项。"),
        ([999999], "所选选项不属于本次投票。"),
    ],
)
def test_bad_options_are_400(api, geo, personas, village, picked, message):
    vote = make_vote(geo, personas)
    picked = option_ids(vote) if picked == "both" else picked
    response = post(api.as_user(personas.resident), vote, picked)
    assert response.status_code == 400
    assert response.json() == {"options": [message]}


def test_a_missing_field_is_400(api, geo, personas, village):
    vote = make_vote(geo, personas)
    response = api.as_user(personas.resident).post(ballots(vote), {}, format="json")
    assert response.status_code == 400 and "options" in response.json()


def test_outside_the_window_is_409(api, geo, personas, village):
    vote = make_vote(geo, personas)
    client = api.as_user(personas.resident)
    with frozen(vote.opens_at - dt.timedelta(minutes=5)):
        early = post(client, vote, option_ids(vote)[:1])
    assert (early.status_code, early.json()) == (409, {"detail": "投票尚未开始。"})
    with frozen(after_close(vote)):
        late = post(client, vote, option_ids(vote)[:1])
    assert (late.status_code, late.json()) == (409, {"detail": "投票已截止。"})
    services.vote_cancel(vote=vote, actor=personas.village_official, reason="重复发起")
    cancelled = post(client, vote, option_ids(vote)[:1])
    assert (cancelled.status_code, cancelled.json()) == (409, {"detail": "投票已取消。"})
    assert not Ballot.objects.exists()
