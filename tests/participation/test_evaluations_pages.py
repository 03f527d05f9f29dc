"""The evaluation pages: the list by place and year, one round with the one-page form
while open and the results after it, and the supervisors' page of two-year flags."""

import datetime as dt
import re

import pytest

from participation.models import Evaluation, EvaluationFlag
from participation.services import evaluations as services
from tests.participation.test_evaluations_helpers import (
    after,
    cadre,
    during,
    make_round,
    past_round,
    rate_many,
    subject,
)

pytestmark = pytest.mark.django_db

LIST = "/evaluations/"
SUPERVISION = "/supervision/participation/"


def page(round) -> str:
    return f"/evaluations/{round.pk}/"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def open_round(geo, personas):
    return make_round(
        geo,
        personas,
        subjects=[
            {"kind": "official", "official": cadre("cadre_wang", "王建华"), "role": "居委会主任"},
            {"kind": "service", "identifier": "PG-BM-01", "name": "便民服务中心"},
        ],
    )


def _flagged_years(geo, personas, village):
    """王建华 rated 不满意 by a majority in 2025 and 2026: both rounds closed, one flag."""
    wang = cadre("cadre_wang2", "王建华")
    rounds = []
    for year, ratings in ((2025, ["unsatisfied"] * 4 + ["basic"] * 2), (2026, ["unsatisfied"] * 5)):
        round = past_round(
            geo,
            personas,
            year,
            subjects=[{"kind": "official", "official": wang, "role": "居委会主任"}],
            title=f"平岗社区{year}年度干部评议",
        )
        rate_many(round, subject(round), village.residents, ratings, now=during(round))
        services.round_close(round=round, now=after(round))
        rounds.append(round)
    return rounds


# --- The list ------------------------------------------------------------------------


def test_the_list_by_place_and_year(client, geo, personas, open_round, village):
    draft = make_round(
        geo,
        personas,
        year=2027,
        publish=False,
        title="尚未发布的评议",
        subjects=[{"kind": "service", "identifier": "D1", "name": "草稿"}],
    )
    old = past_round(
        geo, personas, 2024, subjects=[{"kind": "service", "identifier": "S24", "name": "服务"}]
    )
    body = text(client.get(LIST, {"region": geo.county.code}))
    assert open_round.title in body and old.title in body
    assert draft.title not in body
    assert "新津区民主评议" in body
    assert 'href="?region=510118001000' in body  # drill down to the township
    only_2024 = text(client.get(LIST, {"region": geo.county.code, "year": "2024"}))
    assert old.title in only_2024 and open_round.title not in only_2024
    elsewhere = text(client.get(LIST, {"region": geo.other_county.code}))
    assert open_round.title not in elsewhere and "暂无符合条件的评议" in elsewhere
    assert client.get(LIST, {"region": "510118"}).status_code == 404


def test_the_list_costs_the_same_queries_for_more_rounds(
    client, geo, personas, django_assert_max_num_queries
):
    for year in (2021, 2022):
        past_round(
            geo,
            personas,
            year,
            subjects=[{"kind": "service", "identifier": f"A{year}", "name": "服务"}],
        )
    with django_assert_max_num_queries(7):
        text(client.get(LIST, {"region": geo.county.code}))
    for year in (2023, 2024, 2025):
        past_round(
            geo,
            personas,
            year,
            subjects=[{"kind": "service", "identifier": f"B{year}", "name": "服务"}],
        )
    with django_assert_max_num_queries(7):
        body = text(client.get(LIST, {"region": geo.county.code}))
    assert "共 5 次评议" in body


# --- One round while open ------------------------------------------------------------


def test_a_round_page_costs_the_same_queries_for_more_subjects(
    client, geo, personas, village, django_assert_max_num_queries
):
    small = make_round(geo, personas)
    large = make_round(
        geo,
        personas,
        title="多个对象的评议",
        subjects=[{"kind": "service", "identifier": f"M{i}", "name": f"服务{i}"} for i in range(8)],
    )
    client.force_login(personas.resident)
    for round in (small, large):
        with django_assert_max_num_queries(12):
            text(client.get(page(round)))
    for round in (small, large):
        services.round_cancel(round=round, actor=personas.village_official, reason="测试")
    ended = past_round(
        geo,
        personas,
        2025,
        subjects=[{"kind": "service", "identifier": f"E{i}", "name": f"服务{i}"} for i in range(8)],
    )
    services.round_close(round=ended, now=after(ended))
    with django_assert_max_num_queries(12):
        text(client.get(page(ended)))


def test_the_resident_sees_one_form_with_a_radio_group_per_subject(client, personas, open_round):
    client.force_login(personas.resident)
    body = text(client.get(page(open_round)))
    assert body.count('<fieldset class="subject-fieldset') == 2
    assert '<legend>王建华<span class="subject-role">（居委会主任）</span></legend>' in body
    assert body.count('type="radio"') == 6
    assert "意见（选填，不公开）" in body
    assert "本地区已核实的村（居）民：平岗社区" in body
    assert "评议结果" not in body


def test_submitting_the_page_rates_all_chosen_subjects_at_once(client, personas, open_round):
    client.force_login(personas.resident)
    first, second = subject(open_round, 1), subject(open_round, 2)
    response = client.post(
        page(open_round),
        {
            f"rating_{first.pk}": "satisfied",
            f"comment_{first.pk}": "办事热心",
            f"rating_{second.pk}": "basic",
        },
    )
    assert response.status_code == 302
    assert Evaluation.objects.filter(round=open_round).count() == 2
    body = text(client.get(page(open_round)))
    assert "评议已提交" in body
    assert body.count("已评议") >= 2 and 'type="radio"' not in body
    # The same choices again (back button, second tab) are refused with a reason.
    again = text(client.post(page(open_round), {f"rating_{first.pk}": "unsatisfied"}))
    assert "您已评议过：王建华" in again
    assert Evaluation.objects.filter(round=open_round).count() == 2


def test_a_partly_rated_round_shows_which_subjects_are_done(client, personas, open_round):
    services.evaluation_submit(
        round=open_round,
        ratings=[{"subject": subject(open_round, 1).pk, "rating": "basic"}],
        user=personas.resident,
    )
    client.force_login(personas.resident)
    body = text(client.get(page(open_round)))
    assert body.count('<fieldset class="subject-fieldset') == 1
    assert body.count('type="radio"') == 3
    assert '<p class="done-mark">已评议</p>' in body


def test_the_form_says_what_is_missing(client, personas, open_round):
    client.force_login(personas.resident)
    first = subject(open_round, 1)
    body = text(client.post(page(open_round), {f"comment_{first.pk}": "有意见"}))
    assert "填写意见前，请先选择评价" in body
    assert "有意见" in body  # nothing typed is lost
    assert not Evaluation.objects.exists()


def test_visitors_are_asked_to_sign_in_and_outsiders_told_why(client, personas, open_round):
    body = text(client.get(page(open_round)))
    assert "请先登录" in body and "/accounts/login/?next=" in body
    assert 'type="radio"' not in body
    client.force_login(personas.citizen)
    body = text(client.get(page(open_round)))
    assert "本次仅限平岗社区已核实的村（居）民参与" in body and 'type="radio"' not in body
    body = text(client.post(page(open_round), {f"rating_{subject(open_round).pk}": "satisfied"}))
    assert "本次仅限平岗社区已核实的村（居）民参与" in body
    assert not Evaluation.objects.exists()


def test_drafts_are_not_found(client, geo, personas):
    draft = make_round(geo, personas, publish=False)
    assert client.get(page(draft)).status_code == 404
    client.force_login(personas.village_official)
    assert client.get(page(draft)).status_code == 404


# --- After the window ----------------------------------------------------------------


def test_results_are_hidden_until_the_end(client, geo, personas, village):
    now = dt.datetime.now(dt.UTC)
    round = make_round(
        geo,
        personas,
        opens=now - dt.timedelta(days=5),
        closes=now + dt.timedelta(days=1),
    )
    rate_many(round, subject(round), village.residents, ["satisfied", "unsatisfied"])
    client.force_login(personas.village_official)
    body = text(client.get(page(round)))
    assert "评议结果" not in body and "50.0%" not in body


def test_results_show_counts_percentages_bars_and_the_flag(client, geo, personas, village):
    last, this = _flagged_years(geo, personas, village)
    body = text(client.get(page(this)))
    assert "评议结果" in body
    assert "5 人（100.0%）" in body and "0 人（0.0%）" in body
    assert 'class="result-bar"' in body and 'class="segment-unsatisfied"' in body
    assert "连续两年多数不满意" in body
    assert "有评议资格人数" in body
    earlier = text(client.get(page(last)))
    assert "4 人（66.7%）" in earlier and "2 人（33.3%）" in earlier
    assert "连续两年多数不满意" not in earlier  # the flag belongs to the second year
    # Comments are never published.
    assert "意见（选填" not in body


def test_the_window_ended_but_not_yet_closed_shows_live_counts(client, geo, personas, village):
    round = past_round(
        geo, personas, 2025, subjects=[{"kind": "service", "identifier": "S1", "name": "便民服务"}]
    )
    rate_many(
        round, subject(round), village.residents, ["satisfied", "basic", "basic"], now=during(round)
    )
    body = text(client.get(page(round)))
    assert "1 人（33.3%）" in body and "2 人（66.7%）" in body
    assert "结果正在归档" in body


def test_a_cancelled_round_says_why_and_shows_no_form(client, personas, open_round):
    services.round_cancel(round=open_round, actor=personas.village_official, reason="时间冲突")
    client.force_login(personas.resident)
    body = text(client.get(page(open_round)))
    assert "本次评议已取消" in body and "时间冲突" in body
    assert 'type="radio"' not in body


# --- Supervision ---------------------------------------------------------------------


def test_the_county_supervisor_sees_and_handles_the_flag(client, geo, personas, village):
    last, this = _flagged_years(geo, personas, village)
    flag = EvaluationFlag.objects.get()
    client.force_login(personas.county_supervisor)
    body = text(client.get(SUPERVISION))
    assert "新津区民主评议监督" in body
    assert "待处理（1 项）" in body and "王建华（居委会主任）" in body
    assert f'href="/evaluations/{this.pk}/#subject-{subject(this).pk}"' in body
    assert f'href="/evaluations/{last.pk}/#subject-{subject(last).pk}"' in body
    narrowed = text(client.get(SUPERVISION, {"region": geo.village.code}))
    assert "待处理（1 项）" in narrowed
    handle = f"/supervision/participation/evaluation-flags/{flag.pk}/handle/"
    empty = text(client.post(f"{handle}?region={geo.county.code}", {"note": ""}))
    assert "这个字段是必填项" in empty or "必填" in empty
    response = client.post(f"{handle}?region={geo.county.code}", {"note": "已约谈，责令整改"})
    assert response.status_code == 302
    body = text(client.get(SUPERVISION))
    assert "待处理（0 项）" in body and "已处理（1 项）" in body and "已约谈，责令整改" in body
    flag.refresh_from_db()
    assert flag.handled_by == personas.county_supervisor


def test_others_do_not_find_the_supervision_page(client, geo, personas, village):
    _flagged_years(geo, personas, village)
    flag = EvaluationFlag.objects.get()
    handle = f"/supervision/participation/evaluation-flags/{flag.pk}/handle/"
    for outsider in (personas.other_county_official, personas.village_official, personas.resident):
        client.force_login(outsider)
        assert client.get(SUPERVISION).status_code == 404
        assert client.get(SUPERVISION, {"region": geo.village.code}).status_code == 404
        assert client.post(handle, {"note": "我来处理"}).status_code == 404
    client.force_login(personas.county_supervisor)
    assert client.get(SUPERVISION, {"region": geo.other_county.code}).status_code == 404
    assert client.get(SUPERVISION, {"region": "not-a-code"}).status_code == 404
    client.logout()
    assert client.get(SUPERVISION).status_code == 302  # to the login page
    flag.refresh_from_db()
    assert flag.handled_at is None


def test_the_platform_admin_sees_every_place(client, geo, personas, village, settings):
    _flagged_years(geo, personas, village)
    settings.PORTAL_ROOT_REGION = geo.city.code
    client.force_login(personas.platform_admin)
    assert "待处理（1 项）" in text(client.get(SUPERVISION))
    assert "待处理（0 项）" in text(client.get(SUPERVISION, {"region": geo.other_county.code}))


def test_the_supervision_page_costs_the_same_queries_for_more_flags(
    client, geo, personas, village, django_assert_max_num_queries
):
    _flagged_years(geo, personas, village)
    client.force_login(personas.county_supervisor)
    with django_assert_max_num_queries(12):
        first = text(client.get(SUPERVISION))
    li = cadre("cadre_li", "李明")
    for year, ratings in ((2025, ["unsatisfied"] * 6), (2026, ["unsatisfied"] * 6)):
        round = past_round(
            geo,
            personas,
            year,
            subjects=[{"kind": "official", "official": li}],
            title=f"第二个{year}评议",
        )
        rate_many(round, subject(round), village.residents, ratings, now=during(round))
        services.round_close(round=round, now=after(round))
    with django_assert_max_num_queries(12):
        second = text(client.get(SUPERVISION))
    assert "待处理（1 项）" in first and "待处理（2 项）" in second
    assert len(re.findall(r"<article", second)) == 2


def test_a_late_submission_is_told_the_window_has_ended(client, geo, personas, village):
    round = past_round(
        geo, personas, 2025, subjects=[{"kind": "service", "identifier": "S1", "name": "便民服务"}]
    )
    client.force_login(personas.resident)
    body = text(client.post(page(round), {f"rating_{subject(round).pk}": "satisfied"}))
    assert 'role="alert">评议已于2025-12-15 10:00截止，不能再评议。' in body
    assert not Evaluation.objects.exists()
