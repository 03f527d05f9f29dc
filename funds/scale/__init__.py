"""Village money at platform scale (`manage.py seed_scale`, settings.PORTAL_SCALE_LOADERS):
`fund_projects` special-fund projects over five years with their decisions, stages,
payments, acceptances and evaluations, and `ledger_entries` entries in the collective
ledgers of every village, then the monitoring's alerts on all of it.

The parts: `projects` (what each project went through), `project_rows` (their rows as
the services write them), `ledger` (the books, vouchers and statements), `publication`
(the disclosure records they point at), `bulk` (COPY with the tables' constraints and
indexes set aside). The demo's context (funds.demo.context) gives the villages, their
centres and the centres' accountants; the demo's collectives, members and registers are
written by the demo's own functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from django.utils import timezone

from funds.chart import chart_load
from funds.demo.context import Context, Village, context_build
from funds.demo.ledger import collectives_create, members_create, registers_create
from funds.demo.scans import demo_scans
from funds.models import (
    Acceptance,
    Disbursement,
    FundingLine,
    FundProject,
    LedgerEntry,
    MonthlyStatement,
    ProjectStage,
    Rectification,
    VillageAllocation,
    Voucher,
)
from funds.scale import ledger, project_rows, projects, publication
from funds.scale.bulk import Moments
from funds.services.monitoring import alerts_scan
from participation.models import Decision, DecisionStep, EvaluationRound, EvaluationSubject
from portal.models import AuditAction
from portal.scale import ScaleContext, analyze, reserve_ids, set_aside
from portal.services.audit import audit_record

BIG_TABLES = (
    Decision,
    DecisionStep,
    FundProject,
    FundingLine,
    ProjectStage,
    Acceptance,
    EvaluationRound,
    EvaluationSubject,
    Rectification,
    VillageAllocation,
    LedgerEntry,
    Disbursement,
    Voucher,
    MonthlyStatement,
)


@dataclasses.dataclass
class ScaleFunds(Context):
    """The demo's context, with the books on the platform since `books_start`."""

    books_start: dt.date = dt.date(2020, 1, 1)

    def books_from(self, village: Village) -> dt.date:
        return self.books_start


def _context(ctx: ScaleContext, now: dt.datetime, books_start: dt.date) -> ScaleFunds:
    base = context_build(seed=ctx.seed, now=now)
    values = {f.name: getattr(base, f.name) for f in dataclasses.fields(base) if f.init}
    funds = ScaleFunds(**values, books_start=books_start)
    funds.rng = ctx.rng("funds:collectives")
    return funds


def scale_load(ctx: ScaleContext) -> dict[str, int]:
    timings = ctx.timings
    started = step = time.monotonic()

    def lap(name: str) -> None:
        nonlocal step
        timings[f"funds.{name}"] = round(time.monotonic() - step, 1)
        step = time.monotonic()

    # The data ends on ctx.today; its clock is then, or now if that is earlier.
    end = timezone.make_aware(dt.datetime.combine(ctx.today, dt.time(23, 0)))
    now = min(timezone.now(), end)
    moments = Moments()
    chart_load()
    villages = len(ctx.units_of_kind("village_committee"))
    months = ledger.book_months(ctx.today, villages, ctx.count("ledger_entries"))
    fctx = _context(ctx, now, months[0])
    pairs = collectives_create(fctx)
    counts = {
        "collectives": len(pairs),
        "collective_members": members_create(pairs),
        "collective_registers": registers_create(fctx, pairs),
    }

    def county_of(code: str) -> str:
        return ctx.regions[code[:6] + "000000"][0]

    plans = projects.plan_projects(
        fctx,
        ctx.rng("funds:projects"),
        ctx.count("fund_projects"),
        ctx.first_day,
        ctx.today,
        county_of,
    )
    for plan, pk, decision in zip(
        plans,
        reserve_ids(FundProject, len(plans)),
        reserve_ids(Decision, len(plans)),
        strict=True,
    ):
        plan.pk, plan.decision_pk = pk, decision
    evaluated = [plan.evaluation for plan in plans if plan.evaluation is not None]
    for evaluation, round_pk, subject_pk in zip(
        evaluated,
        reserve_ids(EvaluationRound, len(evaluated)),
        reserve_ids(EvaluationSubject, len(evaluated)),
        strict=True,
    ):
        evaluation.round_pk, evaluation.subject_pk = round_pk, subject_pk
    books = ledger.plan_books(
        fctx,
        ctx.rng("funds:books"),
        pairs,
        plans,
        months,
        ctx.today,
        ctx.count("ledger_entries"),
        county_of,
    )
    lap("plan")
    published = publication.Published(ctx.first_day, fctx.villages[0].committee)
    stage_links, counts["fund_stage_records_written"] = publication.stage_records(
        plans, published, ctx.today, now, ctx.rng("funds:publication"), moments, fctx.admin.pk
    )
    statement_links = publication.statement_links(books, published, ctx.today)
    lap("publication")

    with set_aside(*BIG_TABLES, unique=True):
        rows_rng = ctx.rng("funds:rows")
        counts["fund_decisions"], counts["fund_decision_steps"] = project_rows.write_decisions(
            rows_rng, plans, moments
        )
        counts["fund_allocations"] = project_rows.write_allocations(
            projects.allocations(rows_rng, plans)
        )
        counts.update(project_rows.write_projects(fctx, rows_rng, plans, moments, stage_links))
        lap("projects")
        written, first_entry, payments, figures = ledger.write_entries(
            books, moments, ctx.rng("funds:entries")
        )
        counts["ledger_entries"] = written
        counts["fund_disbursements"] = project_rows.write_disbursements(
            fctx, plans, payments, moments
        )
        lap("entries")
        counts["ledger_vouchers"] = ledger.write_vouchers(
            first_entry, ctx.today, ctx.seed, demo_scans(ctx.seed)
        )
        lap("vouchers")
        counts["ledger_statements"] = ledger.write_statements(
            books, figures, statement_links, ctx.today, moments
        )
        lap("statements")
    lap("constraints")
    counts["fund_statement_records_written"] = publication.statements_publish(
        books, published, ctx.today, now, ctx.rng("funds:statements"), moments, fctx.admin.pk
    )
    counts["ledger_statements_published"] = MonthlyStatement.objects.filter(
        published_at__isnull=False
    ).count()
    counts["fund_stages_published"] = len(stage_links)
    lap("statements_publish")
    analyze(*BIG_TABLES)
    lap("analyze")
    scan = alerts_scan(now=now)
    counts["fund_alerts"] = sum(scan.open.values())
    lap("alerts_scan")
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=pairs[0][1],
        unit=pairs[0][1].centre,
        changes={key: [0, value] for key, value in counts.items()},
        note="规模测试数据：村级专项资金项目和“三资”账簿",
    )
    timings["funds.total"] = round(time.monotonic() - started, 1)
    return counts
