"""Participation statistics: counters for any place subtree and the months behind them."""

import datetime as dt
import zoneinfo

import pytest
from django.core.cache import cache

from participation import stats
from participation.eligibility import participant_key
from participation.models import (
    AidPost,
    Ballot,
    Decision,
    Eligibility,
    Evaluation,
    EvaluationRound,
    EvaluationSubject,
    Opinion,
    PaperBatch,
    Solicitation,
    Vote,
    VoteOption,
)

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def _at(model, obj, field, moment):
    model.objects.filter(pk=obj.pk).update(**{field: moment})


def vote_in(unit, official, title="是否同意硬化三组入户路"):
    vote = Vote.objects.create(
        unit=unit,
        region=unit.region,
        created_by=official,
        title=title,
        eligibility=Eligibility.CITIZENS,
        quorum="none",
        opens_at=NOW - dt.timedelta(days=40),
        closes_at=NOW + dt.timedelta(days=5),
        status="published",
        published_at=NOW - dt.timedelta(days=40),
    )
    VoteOption.objects.create(vote=vote, seq=1, text="同意")
    return vote


@pytest.fixture
def activity(geo, personas, village):
    """In 平岗社区 (新津区): 2 online ballots (one cast at 01:00 on 1 November in Shanghai,
    which is still 31 October in UTC), 30 paper ballots plus a voided batch, 2 opinions, 1
    evaluation, 1 aid post, 1 decision. In 和平社区 (锦江区): 1 ballot, 1 opinion."""
    official = personas.village_official
    vote = vote_in(geo.village_committee, official)
    first = Ballot.objects.create(
        vote=vote, voter_key=participant_key("vote", vote.pk, village.residents[0])
    )
    _at(Ballot, first, "cast_at", dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.UTC))
    second = Ballot.objects.create(
        vote=vote, voter_key=participant_key("vote", vote.pk, village.residents[1])
    )
    _at(Ballot, second, "cast_at", NOW - dt.timedelta(days=1))
    PaperBatch.objects.create(
        vote=vote,
        counted_on=dt.date(2026, 10, 15),
        ballots=30,
        invalid=1,
        note="居民代表会议现场计票",
        entered_by=official,
    )
    PaperBatch.objects.create(
        vote=vote,
        counted_on=dt.date(2026, 10, 15),
        ballots=99,
        note="重复录入",
        entered_by=official,
        voided_at=NOW,
        voided_by=official,
        void_reason="与第一批重复",
    )
    solicitation = Solicitation.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        created_by=official,
        title="平岗社区停车管理办法（征求意见稿）",
        body="<p>全文</p>",
        opens_at=NOW - dt.timedelta(days=60),
        closes_at=NOW + dt.timedelta(days=3),
        status="published",
        published_at=dt.datetime(2026, 9, 20, 9, 0, tzinfo=SH),
    )
    for i, user in enumerate(village.residents[:2]):
        opinion = Opinion.objects.create(
            solicitation=solicitation,
            region=geo.village,
            author=user,
            author_name=user.full_name,
            text=f"建议增加夜间临时车位{i}",
            content_hash=f"{i}" * 64,
        )
        _at(Opinion, opinion, "created_at", dt.datetime(2026, 9, 25, 9, 0, tzinfo=SH))
    round_ = EvaluationRound.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        created_by=official,
        title="2026年度民主评议社区干部",
        year=2026,
        electorate_region=geo.village,
        opens_at=NOW - dt.timedelta(days=3),
        closes_at=NOW + dt.timedelta(days=3),
        status="published",
        published_at=NOW - dt.timedelta(days=3),
    )
    subject = EvaluationSubject.objects.create(
        round=round_,
        kind="official",
        subject_key=f"official:{official.pk}",
        name="李秀英",
        role="居委会主任",
        seq=1,
        year=2026,
    )
    Evaluation.objects.create(
        subject=subject,
        round=round_,
        region=geo.village,
        evaluator_key="e" * 64,
        rating="satisfied",
    )
    AidPost.objects.create(
        author=personas.resident,
        author_name="杨桂芳",
        kind="need",
        category="elderly",
        title="周六需要人陪老人去医院",
        text="家中老人行动不便。",
        region=geo.village,
        scope="village",
        scope_code=geo.village.code,
        expires_on=dt.date(2026, 12, 20),
    )
    Decision.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        created_by=official,
        title="平岗社区文化广场改造",
        matter="改造广场地面和照明。",
        category="project",
    )
    # Another county: never counted inside 新津区.
    other = vote_in(geo.other_village_committee, personas.other_county_official, "和平社区加装电梯")
    Ballot.objects.create(vote=other, voter_key="x" * 64)
    other_solicitation = Solicitation.objects.create(
        unit=geo.other_village_committee,
        region=geo.other_village,
        created_by=personas.other_county_official,
        title="和平社区公约修订",
        body="<p>全文</p>",
        opens_at=NOW - dt.timedelta(days=5),
        closes_at=NOW + dt.timedelta(days=5),
    )
    Opinion.objects.create(
        solicitation=other_solicitation,
        region=geo.other_village,
        author=personas.citizen,
        author_name="赵磊",
        text="同意",
        content_hash="c" * 64,
    )


def test_totals_for_a_subtree(geo, activity):
    figures = stats.participation_stats(geo.county.code, now=NOW)
    assert figures.totals == {
        "opinions": 2,
        "ballots": 2 + 30,  # online + paper; the voided batch is not counted
        "solicitations": 1,
        "evaluations": 1,
        "aid_posts": 1,
        "decisions": 1,
    }
    city = stats.participation_stats(geo.city.code, now=NOW).totals
    assert city["ballots"] == 33 and city["opinions"] == 3
    # A draft solicitation is not one the public was asked about.
    assert city["solicitations"] == 1


def test_counters_in_one_query(geo, activity, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = stats.counters(geo.county.code)
    totals = stats.participation_stats(geo.county.code, now=NOW).totals
    assert figures == {key: totals[key] for key in stats.COUNTERS}
    assert figures["ballots"] == 32


def test_months_are_shanghai_months(geo, activity):
    figures = stats.participation_stats(geo.village.code, now=NOW)
    assert len(figures.months) == 12
    assert figures.months[0] == dt.date(2025, 12, 1) and figures.months[-1] == dt.date(2026, 11, 1)
    month = {m: i for i, m in enumerate(figures.months)}
    ballots = figures.monthly["ballots"]
    # 17:00 UTC on 31 October is 01:00 on 1 November in Shanghai.
    assert ballots[month[dt.date(2026, 11, 1)]] == 2
    assert ballots[month[dt.date(2026, 10, 1)]] == 30  # the paper batch, by its counting day
    assert figures.monthly["opinions"][month[dt.date(2026, 9, 1)]] == 2
    assert figures.monthly["solicitations"][month[dt.date(2026, 9, 1)]] == 1
    assert sum(figures.monthly["ballots"]) == figures.totals["ballots"]


def test_child_places(geo, activity):
    rows = dict(stats.child_totals(geo.city.code))
    assert set(rows) == {geo.county.code, geo.other_county.code}
    assert rows[geo.county.code]["ballots"] == 32
    assert rows[geo.other_county.code]["opinions"] == 1
    assert stats.child_totals(geo.village.code) == []


def test_page_and_counters(client, geo, activity, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        page = client.get("/participation/stats/", {"region": geo.county.code})
    html = page.content.decode()
    assert page.status_code == 200
    assert "新津区公众参与统计" in html and "五津街道" in html
    assert 'class="column-chart"' in html and "近12个月" in html
    assert client.get("/participation/stats/", {"region": "510118999000"}).status_code == 404
    assert client.get("/participation/stats/", {"region": "abc"}).status_code == 404
    # The fixture's windows are around 20 November; open them until next week.
    later = dt.datetime.now(tz=SH) + dt.timedelta(days=5)
    Vote.objects.update(closes_at=later)
    Solicitation.objects.update(closes_at=later)
    with django_assert_max_num_queries(12):
        overview = client.get("/participation/", {"region": geo.village.code}).content.decode()
    assert "平岗社区公众参与" in overview and "<dd>32</dd>" in overview
    # What is open now: the vote and the solicitation of 平岗社区, not 和平社区's.
    assert "是否同意硬化三组入户路" in overview and "平岗社区停车管理办法" in overview
    assert "和平社区加装电梯" not in overview and "周六需要人陪老人去医院" in overview


def test_api(client, geo, activity):
    body = client.get("/api/v1/participation/stats/", {"region": geo.county.code}).json()
    assert body["region"] == geo.county.code
    assert body["totals"]["ballots"] == 32
    assert len(body["months"]) == 12 and len(body["monthly"]["opinions"]) == 12
    bad = client.get("/api/v1/participation/stats/", {"region": "5101"})
    assert bad.status_code == 400 and "region" in bad.json()


def test_a_village_committees_page_links_its_participation(client, geo):
    html = client.get(f"/units/{geo.village_committee.pk}/").content.decode()
    assert f"/votes/?unit={geo.village_committee.pk}" in html
    assert f"/mutual-aid/?region={geo.village.code}" in html
    assert "/votes/?unit=" not in client.get(f"/units/{geo.county_bureau.pk}/").content.decode()
