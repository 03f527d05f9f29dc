"""funds.scale: the special-fund projects and collective ledgers of seed_scale, on the
village slice's base at a small volume (the base and the load done once for the module,
in a transaction rolled back)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from disclosure.demo import Context as RecordContext
from disclosure.demo import RecordPlan, records_write
from disclosure.demo.planner import village_core_item
from funds import scale
from funds.demo.context import context_build
from funds.models import (
    STAGE_ORDER,
    Alert,
    Collective,
    Disbursement,
    FundingLine,
    FundProject,
    LedgerEntry,
    MonthlyStatement,
    ProjectStage,
    Rectification,
    Stage,
    VillageAllocation,
    Voucher,
)
from funds.scale import projects, publication
from funds.selectors import ledger as ledger_selectors
from funds.services.monitoring import alerts_scan
from participation.models import Decision, DecisionStep, EvaluationSubject
from portal.models import Unit, User
from portal.scale import Preset, ScaleContext
from portal.scale.base import base_load

SEED = 2026
TODAY = dt.date(2026, 11, 30)
SMALL = Preset("small", 0.003, "测试：495个项目、3000笔凭证")


def context(seed: int = SEED) -> ScaleContext:
    return ScaleContext(preset=SMALL, seed=seed, today=TODAY)


def schema() -> dict[str, set[str]]:
    """Every index and constraint of the tables the loader sets its constraints aside on."""
    tables = [model._meta.db_table for model in scale.BIG_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname FROM pg_indexes WHERE tablename = ANY(%s)"
            " UNION ALL SELECT conrelid::regclass::text, conname FROM pg_constraint"
            " WHERE conrelid::regclass::text = ANY(%s)",
            [tables, tables],
        )
        found: dict[str, set[str]] = defaultdict(set)
        for table, name in cursor.fetchall():
            found[table].add(name)
    return found


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        base_load("village", seed=SEED)
        before = schema()
        ctx = context()
        counts = scale.scale_load(ctx)
        yield ctx, counts, before
        transaction.set_rollback(True)


@pytest.fixture
def loads(loaded, db):
    return loaded


def test_the_counts(loads):
    ctx, counts, _before = loads
    assert FundProject.objects.count() == counts["fund_projects"] == ctx.count("fund_projects")
    assert LedgerEntry.objects.count() == counts["ledger_entries"] == ctx.count("ledger_entries")
    assert Decision.objects.count() == counts["fund_decisions"] == counts["fund_projects"]
    assert DecisionStep.objects.count() == 4 * counts["fund_projects"]
    assert ProjectStage.objects.count() == counts["fund_stages"]
    assert Disbursement.objects.count() == counts["fund_disbursements"] > 0
    assert Voucher.objects.count() == counts["ledger_vouchers"] > 0
    assert MonthlyStatement.objects.count() == counts["ledger_statements"] > 0
    assert Alert.objects.filter(cleared_at__isnull=True).count() == counts["fund_alerts"]
    # A collective per village (平岗社区 keeps two groups' accounts as well).
    villages = Unit.objects.filter(kind="village_committee").count()
    assert Collective.objects.count() == counts["collectives"] == villages + 2
    # Every stage of the lifecycle is somewhere in five years of projects.
    assert set(FundProject.objects.values_list("stage", flat=True)) == set(Stage.values)


def test_indexes_and_keys_are_all_back(loads):
    _ctx, _counts, before = loads
    assert schema() == before


def test_the_same_seed_plans_the_same_projects(loads):
    ctx, _counts, _before = loads
    fctx = context_build(seed=SEED, now=ctx_now(ctx))

    def plan(seed: int):
        return projects.plan_projects(
            fctx,
            context(seed).rng("funds:projects"),
            40,
            ctx.first_day,
            ctx.today,
            lambda code: ctx.regions[code[:6] + "000000"][0],
        )

    first, again, other = plan(SEED), plan(SEED), plan(SEED + 1)
    assert [(p.name, p.budget, p.reached) for p in first] == [
        (p.name, p.budget, p.reached) for p in again
    ]
    assert [p.name for p in first] != [p.name for p in other]
    # And the database holds what the plan says, in the order the projects were proposed.
    stored = list(FundProject.objects.order_by("pk").values_list("name", "budget", "stage")[:40])
    planned = projects.plan_projects(
        fctx,
        ctx.rng("funds:projects"),
        ctx.count("fund_projects"),
        ctx.first_day,
        ctx.today,
        lambda code: ctx.regions[code[:6] + "000000"][0],
    )[:40]
    assert stored == [(p.name, Decimal(p.budget) / 100, p.stage) for p in planned]


def ctx_now(ctx):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(ctx.today, dt.time(23)))


def test_money_stays_within_the_rules(loads):
    for project in FundProject.objects.annotate(paid=Sum("disbursements__amount")):
        assert 0 <= project.disbursed <= project.budget
        assert project.disbursed == (project.paid or 0)
        assert project.decision_id is not None
    funding = dict(
        FundingLine.objects.values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
    )
    for pk, budget in FundProject.objects.values_list("pk", "budget"):
        assert funding[pk] == budget
    # The special funds of a village's approved projects of a year fit its allocation.
    allocations = {(a.region_id, a.year): a.amount for a in VillageAllocation.objects.all()}
    used = (
        FundingLine.objects.filter(source__in=["city", "county"])
        .exclude(project__stage__in=["proposed", "cancelled"])
        .values("project__region_id", "project__year")
        .annotate(total=Sum("amount"))
    )
    for row in used:
        key = (row["project__region_id"], row["project__year"])
        assert row["total"] <= allocations[key]


def test_stages_in_order_as_the_services_reach_them(loads):
    stages = defaultdict(list)
    for row in ProjectStage.objects.order_by("reached_at", "pk"):
        stages[row.project_id].append(row)
    payments = defaultdict(list)
    for payment in Disbursement.objects.order_by("paid_on", "pk"):
        payments[payment.project_id].append(payment)
    for project in FundProject.objects.all():
        rows = stages[project.pk]
        reached = [row.stage for row in rows]
        expected = STAGE_ORDER[: len(reached)]
        if project.stage == Stage.CANCELLED:
            assert reached[-1] == Stage.CANCELLED and project.cancel_reason
            assert reached[:-1] == STAGE_ORDER[: len(reached) - 1]
            assert not payments[project.pk]
        else:
            assert reached == expected
        assert project.stage == reached[-1]
        assert project.stage_since == rows[-1].reached_at
        if Stage.IMPLEMENTING in reached:
            # The first payment started the implementation, on its day.
            started = rows[reached.index(Stage.IMPLEMENTING)].reached_at
            assert payments[project.pk][0].paid_on == started.date()
        else:
            assert not payments[project.pk]
    # A project closes only after its rectification item is closed.
    for item in Rectification.objects.select_related("project"):
        if item.project.stage == Stage.CLOSED:
            assert item.closed_at is not None


def test_every_collectives_books_balance(loads):
    """The ledger is kept income and expense per subject; cash and bank are the money.
    Each month's statement is the app's own computation, its closing balance the next
    month's opening, and the money never below zero."""
    statements = defaultdict(list)
    for statement in MonthlyStatement.objects.order_by("collective_id", "month"):
        statements[statement.collective_id].append(statement)
    assert len(statements) == Collective.objects.count()
    sample = [s for rows in statements.values() for s in rows][::37]
    for statement in sample:
        figures = ledger_selectors.statement_figures(statement.collective, statement.month)
        assert statement.figures == figures
    for rows in statements.values():
        closing = Decimal(0)
        for statement in rows:
            balances = statement.figures["balances"]
            for name in ("cash", "bank", "total"):
                line = {key: Decimal(value) for key, value in balances[name].items()}
                assert line["opening"] + line["income"] - line["expense"] == line["closing"]
                assert line["closing"] >= 0
            assert Decimal(balances["total"]["opening"]) == closing
            closing = Decimal(balances["total"]["closing"])
    # Income and expense add up the same whichever way they are counted: by entry, and
    # by the statements' subjects.
    by_entries = dict(
        LedgerEntry.objects.filter(booked_on__lt=TODAY.replace(day=1))
        .values("direction")
        .annotate(total=Sum("amount"))
        .values_list("direction", "total")
    )
    by_statements = defaultdict(Decimal)
    for rows in statements.values():
        for statement in rows:
            for line in statement.figures["subjects"]:
                by_statements["income"] += Decimal(line["income"])
                by_statements["expense"] += Decimal(line["expense"])
    assert by_statements == by_entries


def test_entries_are_numbered_and_corrected_as_the_services_do(loads):
    reversals = LedgerEntry.objects.filter(amount__lt=0).select_related("corrects")
    assert reversals.exists()
    for reversal in reversals:
        assert reversal.voucher_number == f"冲{reversal.corrects.voucher_number}"
        assert reversal.amount == -reversal.corrects.amount
        assert reversal.booked_on.replace(day=1) == reversal.corrects.booked_on.replace(day=1)
    for entry in LedgerEntry.objects.exclude(voucher_number__startswith="冲")[:500]:
        assert entry.voucher_number.startswith(f"{entry.booked_on:%Y-%m}-")
    # Payments of projects are booked on 在建工程 with the project's decision.
    for payment in Disbursement.objects.filter(entry__isnull=False).select_related(
        "entry", "project"
    ):
        assert payment.entry.amount == payment.amount
        assert payment.entry.subject_id == "154"
        assert payment.entry.decision_id == payment.project.decision_id
    # Nearly every expense has its scanned voucher.
    expenses = LedgerEntry.objects.filter(direction="expense", amount__gt=0).count()
    assert Voucher.objects.count() > expenses * 0.9


def test_a_second_scan_changes_nothing(loads):
    ctx, _counts, _before = loads
    result = alerts_scan(now=ctx_now(ctx))
    assert result.total_raised == 0 and result.total_cleared == 0
    kinds = set(Alert.objects.filter(cleared_at__isnull=True).values_list("kind", flat=True))
    assert {"stage_overdue", "near_budget", "no_voucher"} <= kinds


def test_the_pages_render(loads, client, django_assert_max_num_queries):
    rated = EvaluationSubject.objects.filter(kind="project").first()
    project = FundProject.objects.get(pk=int(rated.subject_key.split(":")[1]))
    with django_assert_max_num_queries(30):
        response = client.get(f"/funds/projects/{project.pk}/")
    assert response.status_code == 200
    assert project.name in response.content.decode()
    paid = Disbursement.objects.filter(entry__isnull=False).first().project_id
    assert client.get(f"/funds/projects/{paid}/").status_code == 200
    for username, region in (("supervisor", "510118000000"), ("city_supervisor", "510100000000")):
        client.force_login(User.objects.get(username=username))
        response = client.get(f"/supervision/funds/?region={region}")
        assert response.status_code == 200
        counts = {kind: count for kind, _label, count in response.context["kinds"]}
        assert counts["near_budget"] > 0 and response.context["open_total"] > 0
        assert len(response.context["page"].object_list) > 0


def test_publications_point_at_the_villages_records(loads):
    """Before this quarter a stage or a statement is found in the village's quarterly
    村务公开 (the disclosure loader's); this quarter's get records of their own."""
    ctx, counts, _before = loads
    assert counts["fund_stage_records_written"] > 0
    this_quarter = publication.quarter_start(ctx.today)
    recent = ProjectStage.objects.filter(reached_at__date__gte=this_quarter)
    assert recent.filter(record__isnull=False).exists()
    village = Collective.objects.filter(group_name="").order_by("pk").first()
    committee = Unit.objects.get(kind="village_committee", region_id=village.region_id)
    quarter = dt.date(2025, 4, 1)
    items = list(publication.catalogs.catalog_for_unit(committee).items.order_by("seq"))
    core = village_core_item(items)
    plan = RecordPlan(
        unit=committee,
        item=core,
        genre="village_affairs",
        title=f"{committee.name}2025年第二季度村务公开",
        info_date=dt.date(2025, 7, 8),
        published_at=ctx_now(ctx).replace(year=2025, month=7, day=8),
        body_seed=0,
        body="<p>本季度村务公开。</p>",
        period_start=quarter,
        period_end=dt.date(2025, 6, 30),
    )
    admin = User.objects.get(username="admin").pk
    records_write(
        RecordContext.load(fallback_author=admin, first_day=quarter, last_day=ctx.today), [plan]
    )
    published = publication.Published(ctx.first_day, committee)
    assert published.bulletin(committee.pk, dt.date(2025, 5, 20))[0] == plan.record.pk
    assert published.bulletin(committee.pk, dt.date(2025, 2, 3))[0] == plan.record.pk
    assert published.bulletin(committee.pk, dt.date(2025, 8, 3)) is None
