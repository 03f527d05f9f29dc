"""Democratic evaluations, the services: setting up a round, who may rate and when, one
rating per person per subject, closing with frozen counts, and the two-year flag."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from participation.models import (
    Eligibility,
    Evaluation,
    EvaluationFlag,
    EvaluationSubject,
    RoundStatus,
)
from participation.services import evaluations as services
from portal.models import AuditEntry
from portal.services.errors import DomainError
from tests.participation.test_evaluations_helpers import (
    after,
    at,
    cadre,
    during,
    make_round,
    past_round,
    rate,
    rate_many,
    subject,
)

pytestmark = pytest.mark.django_db


# --- Setting up ----------------------------------------------------------------------


def test_officials_of_the_unit_create_and_publish_and_it_is_audited(geo, personas):
    wang = cadre("cadre_wang", "王建华")
    round = make_round(
        geo,
        personas,
        publish=False,
        subjects=[
            {"kind": "official", "official": wang, "role": "居委会主任"},
            {"kind": "unit", "unit": geo.village_committee},
            {"kind": "project", "identifier": "XJ-2026-003", "name": "平岗路硬化工程"},
        ],
    )
    assert round.status == RoundStatus.DRAFT
    keys = list(round.subjects.values_list("subject_key", "name", "seq", "year"))
    assert keys == [
        (f"official:{wang.pk}", "王建华", 1, 2026),
        (f"unit:{geo.village_committee.pk}", "平岗社区居民委员会", 2, 2026),
        ("project:XJ-2026-003", "平岗路硬化工程", 3, 2026),
    ]
    round = services.round_publish(
        round=round, actor=personas.village_official, now=round.opens_at - dt.timedelta(hours=1)
    )
    assert round.status == RoundStatus.PUBLISHED and round.published_at is not None
    actions = list(
        AuditEntry.objects.filter(object_id=str(round.pk), content_type__model="evaluationround")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "publish"]
    assert AuditEntry.objects.filter(content_type__model="evaluationsubject").count() == 3


def test_an_outsider_may_not_create_or_change_a_round(geo, personas):
    with pytest.raises(DomainError):
        make_round(geo, personas, actor=personas.other_county_official)
    round = make_round(geo, personas, publish=False)
    for outsider in (personas.other_county_official, personas.county_supervisor, personas.resident):
        with pytest.raises(DomainError):
            services.subject_add(
                round=round, actor=outsider, kind="service", identifier="X-1", name="某服务"
            )
        with pytest.raises(DomainError):
            services.round_publish(round=round, actor=outsider)


def test_bad_settings_are_named_field_by_field(geo, personas):
    with pytest.raises(ValidationError) as caught:
        services.round_create(
            unit=geo.village_committee,
            title=" ",
            year=1999,
            opens_at=at(2026, 12, 10),
            closes_at=at(2026, 12, 1),
            eligibility=Eligibility.RESIDENTS,
            electorate_region=geo.other_village,
            actor=personas.village_official,
        )
    assert set(caught.value.message_dict) == {"title", "year", "closes_at", "electorate_region"}


def test_publishing_needs_a_subject_and_a_window_that_has_not_ended(geo, personas):
    round = make_round(geo, personas, publish=False, subjects=[])
    with pytest.raises(ValidationError) as caught:
        services.round_publish(round=round, actor=personas.village_official, now=after(round))
    assert set(caught.value.message_dict) == {"subjects", "closes_at"}
    services.subject_add(
        round=round, actor=personas.village_official, kind="service", identifier="S1", name="服务"
    )
    with pytest.raises(DomainError):
        services.subject_add(
            round=services.round_publish(round=round, actor=personas.village_official),
            actor=personas.village_official,
            kind="service",
            identifier="S2",
            name="另一服务",
        )


def test_a_subject_is_in_one_round_a_year(geo, personas):
    wang = cadre("cadre_wang", "王建华")
    make_round(geo, personas, subjects=[{"kind": "official", "official": wang}])
    second = make_round(geo, personas, publish=False, title="平岗社区2026年度第二次评议")
    with pytest.raises(ValidationError) as caught:
        services.subject_add(
            round=second, actor=personas.village_official, kind="official", official=wang
        )
    assert "每个对象每年只评议一次" in caught.value.message_dict["official"][0]
    services.subject_add(
        round=second, actor=personas.village_official, kind="unit", unit=geo.township_office
    )
    with pytest.raises(ValidationError) as caught:
        services.subject_add(
            round=second, actor=personas.village_official, kind="unit", unit=geo.township_office
        )
    assert caught.value.message_dict["unit"] == ["本次评议已包含该对象。"]
    # The database says the same, whatever the service checked.
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationSubject.objects.create(
            round=second,
            kind="official",
            subject_key=f"official:{wang.pk}",
            name="王建华",
            seq=9,
            year=2026,
        )


def test_a_cancelled_round_frees_its_subjects_for_the_year(geo, personas):
    wang = cadre("cadre_wang", "王建华")
    first = make_round(geo, personas, subjects=[{"kind": "official", "official": wang}])
    with pytest.raises(ValidationError):
        services.round_cancel(round=first, actor=personas.village_official, reason=" ")
    services.round_cancel(
        round=first, actor=personas.village_official, reason="参与地区设置有误，重新组织"
    )
    again = make_round(
        geo, personas, subjects=[{"kind": "official", "official": wang}], title="重新组织的评议"
    )
    assert subject(again).subject_key == f"official:{wang.pk}"
    with pytest.raises(DomainError):
        services.round_cancel(round=first, actor=personas.village_official, reason="再次取消")


def test_project_and_service_keys_are_the_identifier_typed(geo, personas):
    round = make_round(geo, personas, publish=False, subjects=[])
    for identifier, field in (("", "identifier"), ("XJ 2026", "identifier")):
        with pytest.raises(ValidationError) as caught:
            services.subject_add(
                round=round,
                actor=personas.village_official,
                kind="project",
                identifier=identifier,
                name="平岗路硬化工程",
            )
        assert field in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.subject_add(
            round=round, actor=personas.village_official, kind="project", identifier="XJ-1"
        )
    assert "name" in caught.value.message_dict


# --- Taking part ---------------------------------------------------------------------


def test_an_eligible_resident_rates_several_subjects_at_once(geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    round = make_round(
        geo,
        personas,
        subjects=[
            {"kind": "official", "official": wang, "role": "居委会主任"},
            {"kind": "service", "identifier": "PG-BM-01", "name": "便民服务"},
        ],
    )
    created = services.evaluation_submit(
        round=round,
        user=personas.resident,
        ratings=[
            {"subject": subject(round, 1).pk, "rating": "satisfied", "comment": " 办事认真 "},
            {"subject": subject(round, 2).pk, "rating": "unsatisfied"},
        ],
    )
    assert len(created) == 2
    stored = Evaluation.objects.order_by("subject__seq")
    assert [(e.rating, e.comment, e.region_id) for e in stored] == [
        ("satisfied", "办事认真", geo.village.code),
        ("unsatisfied", "", geo.village.code),
    ]
    # Anonymous: a keyed hash per subject, no user anywhere on the row.
    assert stored[0].evaluator_key != stored[1].evaluator_key
    assert not any(f.name in ("user", "evaluator") for f in Evaluation._meta.fields)


def test_one_evaluation_per_person_per_subject_all_or_nothing(geo, personas, village):
    round = make_round(
        geo,
        personas,
        subjects=[
            {"kind": "service", "identifier": "S1", "name": "便民服务"},
            {"kind": "service", "identifier": "S2", "name": "环境卫生"},
        ],
    )
    rate(round, subject(round, 1), personas.resident, "basic")
    with pytest.raises(services.AlreadyEvaluated) as caught:
        services.evaluation_submit(
            round=round,
            user=personas.resident,
            ratings=[
                {"subject": subject(round, 2).pk, "rating": "satisfied"},
                {"subject": subject(round, 1).pk, "rating": "unsatisfied"},
            ],
        )
    assert "便民服务" in caught.value.messages[0]
    # Nothing of the refused request was stored: the second subject is still unrated.
    assert Evaluation.objects.count() == 1
    rate(round, subject(round, 2), personas.resident, "satisfied")
    # Another person rates the same subject freely.
    rate(round, subject(round, 1), village.residents[1], "satisfied")
    assert Evaluation.objects.count() == 3


def test_the_outsider_is_refused_with_the_reason(geo, personas, village):
    round = make_round(geo, personas)
    for outsider, words in (
        (personas.citizen, "平岗社区已核实的村（居）民"),
        (personas.other_county_official, "平岗社区"),
    ):
        with pytest.raises(services.NotEligible) as caught:
            rate(round, subject(round), outsider, "satisfied")
        assert words in caught.value.messages[0]
    body_round = make_round(
        geo,
        personas,
        title="居民代表评议",
        subjects=[{"kind": "service", "identifier": "S9", "name": "物业服务"}],
        eligibility=Eligibility.BODY,
        body=village.body,
    )
    with pytest.raises(services.NotEligible):
        rate(body_round, subject(body_round), personas.resident, "satisfied")
    rate(body_round, subject(body_round), village.representatives[0], "satisfied")


def test_outside_the_window_nobody_rates(geo, personas, village):
    round = past_round(
        geo, personas, 2025, subjects=[{"kind": "service", "identifier": "S1", "name": "便民服务"}]
    )
    cases = [
        (round.opens_at - dt.timedelta(minutes=1), "尚未开始"),
        (round.closes_at, "截止"),
    ]
    for now, words in cases:
        with pytest.raises(services.WindowNotOpen) as caught:
            rate(round, subject(round), personas.resident, "satisfied", now=now)
        assert words in caught.value.messages[0]
    services.round_close(round=round, now=after(round))
    with pytest.raises(services.WindowNotOpen):
        rate(round, subject(round), personas.resident, "satisfied", now=during(round))
    open_round = make_round(
        geo, personas, subjects=[{"kind": "service", "identifier": "S2", "name": "环境卫生"}]
    )
    services.round_cancel(round=open_round, actor=personas.village_official, reason="时间冲突")
    with pytest.raises(services.WindowNotOpen) as caught:
        rate(open_round, subject(open_round), personas.resident, "satisfied")
    assert "时间冲突" in caught.value.messages[0]


def test_bad_items_are_listed_and_nothing_is_stored(geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    round = make_round(geo, personas)
    other = make_round(
        geo, personas, title="另一评议", subjects=[{"kind": "official", "official": wang}]
    )
    s = subject(round)
    with pytest.raises(ValidationError) as caught:
        services.evaluation_submit(
            round=round,
            user=personas.resident,
            ratings=[
                {"subject": s.pk, "rating": "excellent"},
                {"subject": subject(other).pk, "rating": "satisfied"},
                {"subject": 987654, "rating": "satisfied"},
                {"subject": s.pk, "rating": "basic", "comment": "长" * 501},
            ],
        )
    problems = caught.value.message_dict["ratings"]
    assert len(problems) == 4
    assert "请选择满意、基本满意或不满意" in problems[0]
    assert any("不属于本次评议" in p for p in problems)
    assert any("没有这个评议对象" in p for p in problems)
    assert any("同一对象只能评价一次" in p for p in problems)
    with pytest.raises(ValidationError) as caught:
        services.evaluation_submit(round=round, user=personas.resident, ratings=[])
    assert "ratings" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.evaluation_submit(
            round=round,
            user=personas.resident,
            ratings=[{"subject": s.pk, "rating": "basic", "comment": "长" * 501}],
        )
    assert "500" in caught.value.message_dict["ratings"][0]
    assert Evaluation.objects.count() == 0


def test_an_official_does_not_rate_themself(geo, personas, village):
    wang = village.residents[1]  # a resident who is also on the committee
    round = make_round(geo, personas, subjects=[{"kind": "official", "official": wang}])
    with pytest.raises(ValidationError) as caught:
        rate(round, subject(round), wang, "satisfied")
    assert "不能评议本人" in caught.value.message_dict["ratings"][0]


# --- Closing -------------------------------------------------------------------------


def test_closing_freezes_the_counts_and_closing_twice_changes_nothing(geo, personas, village):
    round = past_round(
        geo, personas, 2025, subjects=[{"kind": "service", "identifier": "S1", "name": "便民服务"}]
    )
    s = subject(round)
    rate_many(
        round,
        s,
        village.residents,
        ["satisfied", "satisfied", "basic", "unsatisfied"],
        now=during(round),
    )
    with pytest.raises(DomainError):
        services.round_close(round=round, now=during(round))
    closed = services.round_close(round=round, now=after(round))
    s.refresh_from_db()
    assert (s.satisfied, s.basic, s.unsatisfied) == (2, 1, 1)
    assert closed.status == RoundStatus.CLOSED and closed.eligible_count == 6
    # A rating slipped in afterwards (by hand) is not counted by a second close.
    Evaluation.objects.create(
        subject=s, round=round, region=geo.village, evaluator_key="x" * 64, rating="unsatisfied"
    )
    again = services.round_close(round=round, now=after(round) + dt.timedelta(days=1))
    s.refresh_from_db()
    assert (s.satisfied, s.basic, s.unsatisfied) == (2, 1, 1)
    assert again.closed_at == closed.closed_at


def test_rounds_close_due_closes_only_ended_published_rounds(geo, personas):
    ended = past_round(
        geo, personas, 2025, subjects=[{"kind": "service", "identifier": "S1", "name": "便民服务"}]
    )
    running = make_round(
        geo, personas, subjects=[{"kind": "service", "identifier": "S2", "name": "环境卫生"}]
    )
    draft = make_round(
        geo,
        personas,
        year=2024,
        opens=at(2024, 12, 1),
        closes=at(2024, 12, 15),
        publish=False,
        subjects=[{"kind": "service", "identifier": "S3", "name": "治安"}],
    )
    assert services.rounds_close_due() == 1
    assert services.rounds_close_due() == 0
    statuses = {
        r.pk: r.status
        for r in ended.__class__.objects.filter(pk__in=[ended.pk, running.pk, draft.pk])
    }
    assert statuses == {
        ended.pk: RoundStatus.CLOSED,
        running.pk: RoundStatus.PUBLISHED,
        draft.pk: RoundStatus.DRAFT,
    }


# --- The two-year flag ---------------------------------------------------------------


def _year(geo, personas, village, year, ratings, cadre_user, *, close=True):
    round = past_round(
        geo,
        personas,
        year,
        subjects=[{"kind": "official", "official": cadre_user, "role": "居委会主任"}],
        title=f"平岗社区{year}年度干部评议",
    )
    rate_many(round, subject(round), village.residents, ratings, now=during(round))
    if close:
        services.round_close(round=round, now=after(round))
    return round


def test_a_majority_unsatisfied_two_years_running_is_flagged(geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    last = _year(geo, personas, village, 2025, ["unsatisfied"] * 4 + ["basic"] * 2, wang)
    this = _year(geo, personas, village, 2026, ["unsatisfied"] * 4 + ["satisfied"], wang)
    flag = EvaluationFlag.objects.get()
    assert flag.subject == subject(this) and flag.previous == subject(last)
    assert (flag.unit, flag.region) == (geo.village_committee, geo.village)
    assert flag.handled_at is None
    # Closing again raises nothing new.
    services.round_close(round=this, now=after(this))
    assert EvaluationFlag.objects.count() == 1


def test_exactly_half_is_not_a_majority(geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    _year(geo, personas, village, 2025, ["unsatisfied"] * 3 + ["basic"] * 3, wang)
    _year(geo, personas, village, 2026, ["unsatisfied"] * 6, wang)
    assert not EvaluationFlag.objects.exists()


def test_years_that_are_not_consecutive_are_not_flagged(geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    _year(geo, personas, village, 2024, ["unsatisfied"] * 6, wang)
    _year(geo, personas, village, 2026, ["unsatisfied"] * 6, wang)
    assert not EvaluationFlag.objects.exists()


def test_another_subject_with_bad_years_is_not_confused(geo, personas, village):
    wang, li = cadre("cadre_wang", "王建华"), cadre("cadre_li", "李明")
    _year(geo, personas, village, 2025, ["unsatisfied"] * 6, wang)
    _year(geo, personas, village, 2026, ["unsatisfied"] * 6, li)
    assert not EvaluationFlag.objects.exists()


def test_no_evaluations_is_no_majority(geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    _year(geo, personas, village, 2025, ["unsatisfied"] * 6, wang)
    _year(geo, personas, village, 2026, [], wang)
    assert not EvaluationFlag.objects.exists()


def test_the_order_in_which_the_years_close_does_not_matter(geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    last = _year(geo, personas, village, 2025, ["unsatisfied"] * 5, wang, close=False)
    this = _year(geo, personas, village, 2026, ["unsatisfied"] * 5, wang)
    assert not EvaluationFlag.objects.exists()  # last year's round is not closed yet
    services.round_close(round=last, now=after(this))
    flag = EvaluationFlag.objects.get()
    assert flag.subject == subject(this) and flag.previous == subject(last)


def test_supervisors_of_the_place_handle_a_flag(geo, personas, village):
    wang = cadre("cadre_wang", "王建华")
    _year(geo, personas, village, 2025, ["unsatisfied"] * 6, wang)
    _year(geo, personas, village, 2026, ["unsatisfied"] * 6, wang)
    flag = EvaluationFlag.objects.get()
    for outsider in (personas.village_official, personas.other_county_official):
        with pytest.raises(DomainError):
            services.flag_handle(flag=flag, actor=outsider, note="已约谈")
    with pytest.raises(ValidationError) as caught:
        services.flag_handle(flag=flag, actor=personas.county_supervisor, note="  ")
    assert "note" in caught.value.message_dict
    handled = services.flag_handle(
        flag=flag, actor=personas.county_supervisor, note="2027年1月5日已约谈，启动罢免程序"
    )
    assert handled.handled_by == personas.county_supervisor
    assert AuditEntry.objects.filter(
        content_type__model="evaluationflag", actor=personas.county_supervisor
    ).exists()
    with pytest.raises(DomainError):
        services.flag_handle(flag=flag, actor=personas.platform_admin, note="再次处理")


def test_a_new_year_moves_the_subjects_unless_one_is_taken(geo, personas):
    wang = cadre("cadre_wang", "王建华")
    draft = make_round(
        geo, personas, publish=False, subjects=[{"kind": "official", "official": wang}]
    )
    moved = services.round_update(round=draft, actor=personas.village_official, year=2027)
    assert moved.year == 2027 and subject(moved).year == 2027
    past_round(geo, personas, 2025, subjects=[{"kind": "official", "official": wang}])
    with pytest.raises(ValidationError) as caught:
        services.round_update(round=draft, actor=personas.village_official, year=2025)
    assert "每个对象每年只评议一次" in caught.value.message_dict["year"][0]
    assert subject(draft).year == 2027
    published = services.round_publish(round=draft, actor=personas.village_official)
    with pytest.raises(DomainError):
        services.round_update(round=published, actor=personas.village_official, title="改名")


def test_the_periodic_task_closes_due_rounds(geo, personas):
    from participation.tasks import close_due_rounds

    ended = past_round(
        geo, personas, 2025, subjects=[{"kind": "service", "identifier": "S1", "name": "便民服务"}]
    )
    close_due_rounds()
    ended.refresh_from_db()
    assert ended.status == RoundStatus.CLOSED
