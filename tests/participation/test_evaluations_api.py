"""The evaluation API: the list (never drafts, filters, bounded queries), one round (results
only after the window, the caller's eligibility and ratings) and the ratings POST with
its contract of status codes."""

import datetime as dt

import pytest

from participation.models import Eligibility, Evaluation
from participation.services import evaluations as services
from tests.participation.test_evaluations_helpers import (
    after,
    at,
    cadre,
    during,
    make_round,
    past_round,
    rate_many,
    subject,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/evaluations/"


def detail(round) -> str:
    return f"/api/v1/evaluations/{round.pk}/"


def ratings_url(round) -> str:
    return f"/api/v1/evaluations/{round.pk}/ratings/"


@pytest.fixture
def rounds(geo, personas, village):
    """An open round of 平岗社区, an ended and closed 2025 round, a draft, a cancelled
    round and an upcoming round of 锦江区教育局."""
    open_round = make_round(
        geo,
        personas,
        subjects=[
            {"kind": "official", "official": cadre("cadre_wang", "王建华"), "role": "主任"},
            {"kind": "service", "identifier": "PG-BM-01", "name": "便民服务"},
        ],
    )
    closed = past_round(
        geo,
        personas,
        2025,
        subjects=[{"kind": "service", "identifier": "PG-BM-01", "name": "便民服务"}],
    )
    rate_many(
        closed,
        subject(closed),
        village.residents,
        ["satisfied", "satisfied", "basic"],
        now=during(closed),
    )
    services.round_close(round=closed, now=after(closed))
    draft = make_round(
        geo,
        personas,
        year=2027,
        publish=False,
        subjects=[{"kind": "service", "identifier": "D1", "name": "草稿对象"}],
    )
    cancelled = make_round(
        geo,
        personas,
        year=2024,
        opens=at(2024, 12, 1),
        closes=at(2024, 12, 15),
        subjects=[{"kind": "service", "identifier": "C1", "name": "已取消对象"}],
    )
    services.round_cancel(round=cancelled, actor=personas.village_official, reason="重复组织")
    now = dt.datetime.now(dt.UTC)
    upcoming = make_round(
        geo,
        personas,
        unit=geo.other_county_bureau,
        actor=personas.other_county_official,
        opens=now + dt.timedelta(days=3),
        closes=now + dt.timedelta(days=10),
        subjects=[{"kind": "unit", "unit": geo.other_county_bureau}],
        eligibility=Eligibility.CITIZENS,
    )
    return {
        "open": open_round,
        "closed": closed,
        "draft": draft,
        "cancelled": cancelled,
        "upcoming": upcoming,
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_list_shows_published_rounds_never_drafts(api, rounds):
    every = ids(api.get(LIST))
    assert rounds["draft"].pk not in every
    assert every == {rounds[k].pk for k in ("open", "closed", "cancelled", "upcoming")}
    row = next(r for r in api.get(LIST).json()["results"] if r["id"] == rounds["open"].pk)
    assert row["phase"] == "open" and row["subject_count"] == 2
    assert row["unit"]["name"] == "平岗社区居民委员会" and row["region"]["code"] == "510118001001"


def test_the_list_filters(api, geo, rounds):
    assert ids(api.get(LIST, {"region": geo.county.code})) == {
        rounds[k].pk for k in ("open", "closed", "cancelled")
    }
    assert ids(api.get(LIST, {"region": geo.other_county.code})) == {rounds["upcoming"].pk}
    assert ids(api.get(LIST, {"unit": geo.other_county_bureau.pk})) == {rounds["upcoming"].pk}
    assert ids(api.get(LIST, {"year": 2025})) == {rounds["closed"].pk}
    assert ids(api.get(LIST, {"phase": "open"})) == {rounds["open"].pk}
    assert ids(api.get(LIST, {"phase": "upcoming"})) == {rounds["upcoming"].pk}
    assert ids(api.get(LIST, {"phase": "ended"})) == {rounds["closed"].pk, rounds["cancelled"].pk}
    for bad in ({"region": "5101"}, {"phase": "soon"}, {"year": "last"}, {"unit": "x"}):
        response = api.get(LIST, bad)
        assert response.status_code == 400 and set(bad) <= set(response.json())


def test_the_list_costs_the_same_queries_for_more_rounds(
    api, geo, personas, rounds, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        first = api.get(LIST, {"region": geo.county.code})
    for year in (2020, 2021, 2022):
        past_round(
            geo,
            personas,
            year,
            subjects=[{"kind": "service", "identifier": f"S{year}", "name": "服务"}],
        )
    with django_assert_max_num_queries(3):
        more = api.get(LIST, {"region": geo.county.code})
    assert more.json()["count"] == first.json()["count"] + 3


def test_results_appear_only_after_the_window(api, rounds, django_assert_max_num_queries):
    body = api.get(detail(rounds["open"])).json()
    assert body["results_published"] is False
    assert [s["result"] for s in body["subjects"]] == [None, None]
    assert [s["name"] for s in body["subjects"]] == ["王建华", "便民服务"]
    with django_assert_max_num_queries(8):
        body = api.get(detail(rounds["closed"])).json()
    assert body["results_published"] is True and body["eligible_count"] == 6
    assert body["subjects"][0]["result"] == {
        "satisfied": 2,
        "basic": 1,
        "unsatisfied": 0,
        "total": 3,
        "satisfied_pct": 66.7,
        "basic_pct": 33.3,
        "unsatisfied_pct": 0.0,
        "flagged": False,
    }
    cancelled = api.get(detail(rounds["cancelled"])).json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "重复组织"
    assert cancelled["results_published"] is False
    assert api.get(detail(rounds["draft"])).status_code == 404
    assert api.get("/api/v1/evaluations/999999/").status_code == 404


def test_the_caller_learns_whether_they_may_take_part(api, personas, rounds):
    round = rounds["open"]
    anonymous = api.get(detail(round)).json()
    assert anonymous["eligible"] is False and anonymous["refusal"] == "请先登录。"
    outsider = api.as_user(personas.citizen).get(detail(round)).json()
    assert outsider["eligible"] is False and "平岗社区" in outsider["refusal"]
    services.evaluation_submit(
        round=round,
        ratings=[{"subject": subject(round, 2).pk, "rating": "basic"}],
        user=personas.resident,
    )
    mine = api.as_user(personas.resident).get(detail(round)).json()
    assert mine["eligible"] is True and mine["refusal"] is None
    assert mine["rated_subjects"] == [subject(round, 2).pk]


def test_rating_returns_201_and_stores_everything(api, personas, rounds):
    round = rounds["open"]
    response = api.as_user(personas.resident).post(
        ratings_url(round),
        {
            "ratings": [
                {"subject": subject(round, 1).pk, "rating": "satisfied", "comment": "办事公道"},
                {"subject": subject(round, 2).pk, "rating": "unsatisfied"},
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert sorted(response.json()["rated_subjects"]) == sorted(
        [subject(round, 1).pk, subject(round, 2).pk]
    )
    assert Evaluation.objects.filter(round=round).count() == 2


def test_a_second_evaluation_is_409(api, personas, rounds):
    round = rounds["open"]
    client = api.as_user(personas.resident)
    payload = {"ratings": [{"subject": subject(round, 1).pk, "rating": "basic"}]}
    assert client.post(ratings_url(round), payload, format="json").status_code == 201
    again = client.post(
        ratings_url(round),
        {
            "ratings": [
                {"subject": subject(round, 2).pk, "rating": "basic"},
                {"subject": subject(round, 1).pk, "rating": "satisfied"},
            ]
        },
        format="json",
    )
    assert again.status_code == 409
    assert "王建华" in again.json()["detail"]
    assert Evaluation.objects.filter(round=round).count() == 1  # all or none


def test_not_signed_in_is_401_and_the_outsider_403(api, personas, rounds):
    round = rounds["open"]
    payload = {"ratings": [{"subject": subject(round, 1).pk, "rating": "basic"}]}
    assert api.post(ratings_url(round), payload, format="json").status_code == 401
    refused = api.as_user(personas.other_county_official).post(
        ratings_url(round), payload, format="json"
    )
    assert refused.status_code == 403
    assert "平岗社区已核实的村（居）民" in refused.json()["detail"]
    assert not Evaluation.objects.filter(round=round).exists()


def test_a_window_that_is_not_open_is_409(api, personas, rounds):
    for key, words in (("closed", "已结束"), ("cancelled", "已取消"), ("upcoming", "尚未开始")):
        round = rounds[key]
        response = api.as_user(personas.resident).post(
            ratings_url(round),
            {"ratings": [{"subject": subject(round).pk, "rating": "basic"}]},
            format="json",
        )
        assert response.status_code == 409, key
        assert words in response.json()["detail"]
    draft = rounds["draft"]
    response = api.as_user(personas.resident).post(
        ratings_url(draft),
        {"ratings": [{"subject": subject(draft).pk, "rating": "basic"}]},
        format="json",
    )
    assert response.status_code == 404


def test_bad_input_is_400(api, personas, rounds):
    round, closed = rounds["open"], rounds["closed"]
    client = api.as_user(personas.resident)
    cases = [
        {"ratings": []},
        {"ratings": [{"subject": 987654, "rating": "basic"}]},
        {"ratings": [{"subject": subject(closed).pk, "rating": "basic"}]},
        {"ratings": [{"subject": subject(round).pk, "rating": "great"}]},
        {"ratings": [{"subject": subject(round).pk, "rating": "basic", "comment": "长" * 501}]},
        {"ratings": [{"subject": "one", "rating": "basic"}]},
        {},
    ]
    for payload in cases:
        response = client.post(ratings_url(round), payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert "ratings" in response.json()
    assert not Evaluation.objects.filter(round=round).exists()


def test_the_schema_documents_the_endpoints(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/evaluations/" in paths
    assert "/api/v1/evaluations/{id}/" in paths
    post = paths["/api/v1/evaluations/{id}/ratings/"]["post"]
    assert {"201", "400", "401", "403", "409"} <= set(post["responses"])
