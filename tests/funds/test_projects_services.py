"""The lifecycle of a special-fund project through funds.services.projects: the rules of
"before" (decision, yearly allocation) and "during" (budget), the order of the stages,
and who may take each step (the allowed person and the outsider each)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from funds.models import (
    Acceptance,
    AccountSubject,
    Direction,
    Disbursement,
    FundProject,
    LedgerEntry,
    ProjectStage,
    Stage,
    VillageAllocation,
)
from funds.services import projects as services
from participation.models import Decision, DecisionStatus
from portal.models import AuditEntry
from portal.services.errors import Conflict, DomainError, NotAllowed
from tests.funds.test_projects_helpers import (
    YEAR,
    accept,
    accepted,
    approved,
    implementing,
    make_project,
    pay,
    stage_rows,
)

pytestmark = pytest.mark.django_db


# --- Proposing -----------------------------------------------------------------------


def test_the_village_proposes_a_project_with_its_funding(geo, personas, money):
    before = timezone.now()
    project = make_project(geo, personas, money)
    assert project.stage == Stage.PROPOSED and project.stage_since >= before
    assert project.region_id == geo.village.code and project.disbursed == 0
    assert sorted(project.funding.values_list("source", "amount")) == [
        ("city", Decimal("100000.00")),
        ("county", Decimal("80000.00")),
    ]
    assert stage_rows(project) == [Stage.PROPOSED]
    assert AuditEntry.objects.filter(object_id=str(project.pk), action="create").exists()


@pytest.mark.parametrize("who", ["township_official", "other_county_official", "resident"])
def test_nobody_else_proposes_for_the_village(geo, personas, money, who):
    with pytest.raises(NotAllowed):
        services.project_create(
            unit=geo.village_committee,
            year=YEAR,
            name="路灯安装",
            category="infrastructure",
            description="",
            budget=Decimal(10_000),
            funding=[("city", Decimal(10_000))],
            actor=getattr(personas, who),
        )
    assert not FundProject.objects.exists()


def test_every_bad_field_is_named(geo, personas, money):
    with pytest.raises(ValidationError) as caught:
        services.project_create(
            unit=geo.village_committee,
            year=1999,
            name="",
            category="parks",
            description="",
            budget="12.345",
            funding=[("cash", Decimal(5))],
            actor=personas.village_official,
        )
    assert set(caught.value.message_dict) == {"year", "name", "category", "budget", "funding"}


def test_the_funding_lines_must_add_up_to_the_budget(geo, personas, money):
    with pytest.raises(ValidationError) as caught:
        make_project(geo, personas, money, funding=[("city", 100_000), ("village", 20_000)])
    assert caught.value.message_dict["funding"] == [
        "各项资金来源合计120,000.00元，应等于预算180,000.00元。"
    ]
    with pytest.raises(ValidationError, match="重复"):
        make_project(geo, personas, money, funding=[("city", 90_000), ("city", 90_000)])


def test_the_decision_must_be_the_villages_and_resolved(geo, personas, money):
    elsewhere = Decision.objects.create(
        unit=geo.other_village_committee,
        region=geo.other_village,
        created_by=personas.village_official,
        title="和平社区道路硬化",
        matter="…",
        category="project",
        status=DecisionStatus.RESOLVED,
    )
    with pytest.raises(ValidationError, match="只能选择本村"):
        make_project(geo, personas, money, decision=elsewhere)
    undecided = Decision.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        created_by=personas.village_official,
        title="平岗社区停车场",
        matter="…",
        category="project",
    )
    with pytest.raises(ValidationError, match="尚未形成决议"):
        make_project(geo, personas, money, decision=undecided)


def test_a_proposed_project_may_be_changed_and_an_approved_one_not(geo, personas, money):
    project = make_project(geo, personas, money, decision=None)
    project = services.project_update(
        project=project,
        actor=personas.village_official,
        budget=Decimal(120_000),
        decision=money.decision,
        funding=[("city", Decimal(100_000)), ("village", Decimal(20_000))],
    )
    assert project.budget == 120_000 and project.decision_id == money.decision.pk
    assert project.funding.count() == 2
    with pytest.raises(NotAllowed):
        services.project_update(project=project, actor=personas.township_official, name="别的名字")
    services.project_approve(project=project, actor=personas.township_official)
    with pytest.raises(Conflict):
        services.project_update(project=project, actor=personas.village_official, name="新名字")


# --- Approval: the rules of "before" -------------------------------------------------


def test_no_approval_without_a_recorded_decision(geo, personas, money):
    project = make_project(geo, personas, money, decision=None)
    with pytest.raises(DomainError, match="没有村民（代表）会议决议"):
        services.project_approve(project=project, actor=personas.township_official)
    project.refresh_from_db()
    assert project.stage == Stage.PROPOSED
    # The database says the same, whatever a future code path might try.
    with pytest.raises(IntegrityError), transaction.atomic():
        FundProject.objects.filter(pk=project.pk).update(stage=Stage.APPROVED)


def test_approval_is_refused_above_the_yearly_allocation(geo, personas, money):
    # The fixture's allocation is 300 000; a first project takes 180 000 of special funds.
    approved(geo, personas, money)
    second = make_project(geo, personas, money, name="村道路灯", budget="120000.01")
    with pytest.raises(DomainError) as caught:
        services.project_approve(project=second, actor=personas.township_official)
    assert caught.value.messages[0] == (
        f"超出年度专项资金额度：{YEAR}年度额度300,000.00元，已立项项目使用180,000.00元，"
        "剩余120,000.00元，本项目需专项资金120,000.01元。"
    )
    second.refresh_from_db()
    assert second.stage == Stage.PROPOSED


def test_approval_is_allowed_at_exactly_the_allocation(geo, personas, money):
    approved(geo, personas, money)
    second = make_project(geo, personas, money, name="村道路灯", budget=120_000)
    services.project_approve(project=second, actor=personas.township_official)
    assert FundProject.objects.get(pk=second.pk).stage == Stage.APPROVED


def test_only_special_funds_count_and_cancelled_projects_give_theirs_back(geo, personas, money):
    first = approved(geo, personas, money)
    # 120 000 special funds left; the village's own money does not count against it.
    second = make_project(
        geo,
        personas,
        money,
        name="村道路灯",
        budget=200_000,
        funding=[("county", 120_000), ("village", 80_000)],
    )
    services.project_approve(project=second, actor=personas.township_official)
    third = make_project(geo, personas, money, name="健身步道", budget=50_000)
    with pytest.raises(DomainError, match="超出年度专项资金额度"):
        services.project_approve(project=third, actor=personas.township_official)
    services.project_cancel(
        project=first, reason="选址调整，明年重新议决。", actor=personas.township_official
    )
    services.project_approve(project=third, actor=personas.township_official)
    assert FundProject.objects.get(pk=third.pk).stage == Stage.APPROVED


def test_approval_needs_an_allocation_for_the_year(geo, personas, money):
    VillageAllocation.objects.all().delete()
    project = make_project(geo, personas, money)
    with pytest.raises(DomainError, match="尚未核定"):
        services.project_approve(project=project, actor=personas.township_official)


@pytest.mark.parametrize(
    "who", ["village_official", "other_county_official", "county_supervisor", "resident"]
)
def test_only_the_township_office_approves(geo, personas, money, who):
    project = make_project(geo, personas, money)
    with pytest.raises(NotAllowed):
        services.project_approve(project=project, actor=getattr(personas, who))
    with pytest.raises(NotAllowed):
        services.project_approve(project=project, actor=money.accountant)
    project = services.project_approve(
        project=project, actor=personas.township_official, note="符合年度计划。"
    )
    assert project.stage == Stage.APPROVED
    row = project.stages.get(stage=Stage.APPROVED)
    assert row.actor == personas.township_official and row.note == "符合年度计划。"
    assert project.stage_since == row.reached_at


# --- Disbursements: the rule of "during" ----------------------------------------------


def test_the_first_payment_starts_the_project(geo, personas, money):
    project = approved(geo, personas, money)
    pay(project, money, 60_000)
    project.refresh_from_db()
    assert project.stage == Stage.IMPLEMENTING and project.disbursed == 60_000
    assert stage_rows(project) == [Stage.PROPOSED, Stage.APPROVED, Stage.IMPLEMENTING]
    since = project.stage_since
    pay(project, money, 40_000, actor=personas.township_official)
    project.refresh_from_db()
    assert project.disbursed == 100_000 and project.stage_since == since
    assert ProjectStage.objects.filter(project=project, stage=Stage.IMPLEMENTING).count() == 1


def test_a_payment_over_the_budget_is_refused(geo, personas, money):
    project = implementing(geo, personas, money)  # 50 000 of 180 000 paid
    with pytest.raises(Conflict) as caught:
        pay(project, money, "130000.01")
    assert caught.value.messages[0] == "超出预算：已拨付50,000.00元，剩余130,000.00元。"
    project.refresh_from_db()
    assert project.disbursed == 50_000 and project.disbursements.count() == 1
    # The database keeps the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        FundProject.objects.filter(pk=project.pk).update(disbursed=Decimal(180_001))


@pytest.mark.parametrize("who", ["village_official", "other_county_official", "county_supervisor"])
def test_only_the_centre_and_the_township_office_pay(geo, personas, money, who):
    project = approved(geo, personas, money)
    with pytest.raises(NotAllowed):
        pay(project, money, 1000, actor=getattr(personas, who))
    assert not project.disbursements.exists()


def test_payments_only_between_approval_and_acceptance(geo, personas, money):
    project = make_project(geo, personas, money)
    with pytest.raises(Conflict, match="只能在“立项、实施”阶段办理"):
        pay(project, money, 1000)
    project = accepted(geo, personas, money, name="健身步道", budget=100_000)
    with pytest.raises(Conflict):
        pay(project, money, 1000)


def test_bad_payment_fields_are_named(geo, personas, money):
    project = approved(geo, personas, money)
    with pytest.raises(ValidationError) as caught:
        services.disbursement_record(
            project=project,
            paid_on=timezone.localdate() + dt.timedelta(days=1),
            amount="-5",
            payee="",
            payee_is_person=False,
            purpose="",
            actor=money.accountant,
        )
    assert set(caught.value.message_dict) == {"paid_on", "amount", "payee", "purpose"}


def _expense(money, *, amount, collective=None, number="记-001"):
    subject, _created = AccountSubject.objects.get_or_create(
        code="541", defaults={"name": "其他支出", "kind": "profit", "category": "expense"}
    )
    collective = collective or money.collective
    return LedgerEntry.objects.create(
        collective=collective,
        region_id=collective.region_id,
        booked_on=timezone.localdate(),
        voucher_number=number,
        summary="文化广场工程进度款",
        subject=subject,
        direction=Direction.EXPENSE,
        amount=Decimal(amount),
        handler="王会计",
        approver="李秀英",
        booked_by=money.accountant,
    )


def test_a_payment_may_link_the_ledger_entry_of_the_village_collective(geo, personas, money):
    project = approved(geo, personas, money)
    entry = _expense(money, amount=30_000)
    payment = pay(project, money, 30_000, entry=entry)
    assert payment.entry == entry
    with pytest.raises(ValidationError) as caught:
        pay(project, money, 30_000, entry=entry)
    assert caught.value.message_dict == {"entry": ["该记账凭证已关联其他拨付记录。"]}
    with pytest.raises(ValidationError, match="不一致"):
        pay(project, money, 1000, entry=_expense(money, amount=999, number="记-002"))


# --- Acceptance ----------------------------------------------------------------------


def test_a_failed_acceptance_stays_on_record_and_a_passed_one_moves_on(geo, personas, money):
    project = implementing(geo, personas, money)
    accept(project, personas, result="failed")
    project.refresh_from_db()
    assert project.stage == Stage.IMPLEMENTING
    accept(project, personas, result="passed", final_accounts="178000")
    project.refresh_from_db()
    assert project.stage == Stage.ACCEPTED
    assert list(Acceptance.objects.filter(project=project).values_list("result", flat=True)) == [
        "failed",
        "passed",
    ]
    assert "验收合格" in project.stages.get(stage=Stage.ACCEPTED).note


def test_acceptance_rules_and_who(geo, personas, money):
    project = approved(geo, personas, money)
    with pytest.raises(Conflict):
        accept(project, personas)  # nothing paid, nothing built yet
    pay(project, money, 1000)
    with pytest.raises(ValidationError) as caught:
        accept(project, personas, final_accounts="180000.01")
    assert "final_accounts" in caught.value.message_dict
    for outsider in (personas.village_official, money.accountant, personas.other_county_official):
        with pytest.raises(NotAllowed):
            services.acceptance_record(
                project=project,
                inspected_on=timezone.localdate(),
                inspectors="某某",
                result="passed",
                final_accounts=Decimal(1000),
                note="",
                actor=outsider,
            )
    assert not Acceptance.objects.exists()


# --- The order of the stages ---------------------------------------------------------


def test_steps_out_of_order_are_refused(geo, personas, money):
    project = make_project(geo, personas, money)
    now = timezone.now()
    with pytest.raises(Conflict):
        services.evaluation_start(
            project=project,
            actor=personas.village_official,
            opens_at=now,
            closes_at=now + dt.timedelta(days=7),
        )
    with pytest.raises(Conflict):
        services.project_close(project=project, actor=personas.township_official)
    project = accepted(geo, personas, money, name="健身步道", budget=100_000)
    with pytest.raises(Conflict):
        services.project_approve(project=project, actor=personas.township_official)
    with pytest.raises(Conflict):
        services.project_close(project=project, actor=personas.township_official)


def test_cancelling_before_and_after_approval(geo, personas, money):
    project = make_project(geo, personas, money)
    with pytest.raises(NotAllowed):
        services.project_cancel(project=project, reason="…", actor=personas.township_official)
    with pytest.raises(ValidationError):
        services.project_cancel(project=project, reason=" ", actor=personas.village_official)
    project = services.project_cancel(
        project=project, reason="群众意见较大，重新议决。", actor=personas.village_official
    )
    assert project.stage == Stage.CANCELLED and project.cancel_reason == "群众意见较大，重新议决。"
    assert stage_rows(project) == [Stage.PROPOSED, Stage.CANCELLED]
    with pytest.raises(Conflict, match="已撤销"):
        services.project_cancel(project=project, reason="再撤", actor=personas.village_official)

    second = approved(geo, personas, money, name="健身步道", budget=100_000)
    with pytest.raises(NotAllowed):
        services.project_cancel(project=second, reason="…", actor=personas.village_official)
    services.project_cancel(
        project=second, reason="上级调整计划。", actor=personas.township_official
    )
    assert FundProject.objects.get(pk=second.pk).stage == Stage.CANCELLED


def test_never_cancelled_after_money_was_paid(geo, personas, money):
    project = implementing(geo, personas, money)
    with pytest.raises(Conflict, match="不能撤销"):
        services.project_cancel(
            project=project, reason="资金紧张", actor=personas.township_official
        )
    assert Disbursement.objects.filter(project=project).count() == 1
