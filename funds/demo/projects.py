"""Special-fund projects of the demo: one this year in every village of the city, and
last year's (mostly closed) in the villages of 新津区, each with the village council's
decision (四议两公开, four steps), its funding, the stages it has reached, payments
never above the budget (booked in the collective's ledger once its books are on the
platform), acceptance, and the publications of its stages: every stage in 新津区,
nearly all elsewhere.

Written in bulk with the rules of the project services: funding lines add up to the
budget, the special funds stay within the village's yearly allocation, the disbursed
total is the sum of the payments, the stages in order with their dates, a decision for
every approved project. 平岗社区's two projects are evaluated through a real
participation round and `rectifications_scan`: last year's was rated well, this year's
by a majority unsatisfied, which opens a rectification item for the township.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from disclosure import catalogs
from disclosure import services as disclosure_services
from disclosure.demo import Context as RecordContext
from disclosure.demo import RecordPlan, records_write
from disclosure.models import Record, RecordStatus
from funds.demo.context import Context, Village, is_pinggang
from funds.demo.texts import CONTRACTORS, INSPECTORS, PERSON_PAYEES, PROJECTS
from funds.models import (
    STAGE_ORDER,
    Acceptance,
    AcceptanceResult,
    Collective,
    Disbursement,
    FundingLine,
    FundingSource,
    FundProject,
    LedgerEntry,
    ProjectStage,
    Stage,
    VillageAllocation,
)
from funds.services import projects as services
from participation.models import (
    Decision,
    DecisionStatus,
    DecisionStep,
    Eligibility,
    Evaluation,
    Outcome,
    Rating,
    ResolutionMeeting,
    StepKind,
    SubjectKind,
)
from participation.services import evaluations as evaluation_services
from portal.models import Residency, ResidencyStatus

BATCH = 2000
# How far this year's projects have come, and how often.
THIS_YEAR = [
    (Stage.PROPOSED, 8),
    (Stage.APPROVED, 12),
    (Stage.IMPLEMENTING, 40),
    (Stage.ACCEPTED, 18),
    (Stage.EVALUATED, 8),
    (Stage.CLOSED, 14),
]
# Working days a step takes, roughly: the time from one stage to the next.
STEP_DAYS = {
    Stage.APPROVED: (5, 25),
    Stage.IMPLEMENTING: (10, 45),
    Stage.ACCEPTED: (40, 150),
    Stage.EVALUATED: (15, 60),
    Stage.CLOSED: (5, 20),
}


def _yuan(value: float) -> Decimal:
    return Decimal(round(value / 100) * 100)


def _plan(ctx: Context, village: Village, year: int, stage: str) -> dict:
    """One project: what, how much, from where, and the days it reached each stage."""
    category, pattern, (low, high) = ctx.rng.choice(PROJECTS)
    budget = _yuan(ctx.rng.uniform(low, high))
    city = _yuan(float(budget) * ctx.rng.choice((0.5, 0.6, 0.7)))
    county = _yuan(float(budget - city) * ctx.rng.choice((0.5, 0.7, 1.0)))
    funding = [(FundingSource.CITY, city), (FundingSource.COUNTY, county)]
    if budget - city - county:
        funding.append((FundingSource.VILLAGE, budget - city - county))
    funding = [(source, amount) for source, amount in funding if amount > 0]
    # This year's projects were proposed between February and October; last year's in
    # spring, so most had the time to close.
    first = dt.date(year, 2, 10) if year == ctx.today.year else dt.date(year, 3, 1)
    span = 240 if year == ctx.today.year else 60
    day = first + dt.timedelta(days=ctx.rng.randrange(span))
    reached = [(Stage.PROPOSED, day)]
    for next_stage in STAGE_ORDER[1 : STAGE_ORDER.index(stage) + 1]:
        low_days, high_days = STEP_DAYS[next_stage]
        day = day + dt.timedelta(days=ctx.rng.randrange(low_days, high_days))
        if day >= ctx.today:
            break
        reached.append((next_stage, day))
    if year == ctx.today.year and reached[-1][0] != Stage.CLOSED:
        # A project still under way reached its stage recently, mostly within the stage's
        # limit (working days, about 1.45 calendar days each): a few run over.
        limit = settings.FUNDS_STAGE_LIMIT_DAYS[reached[-1][0]]
        since = ctx.rng.randrange(2, max(3, int(limit * 1.45 * 1.08)))
        shift = ctx.today - dt.timedelta(days=since) - reached[-1][1]
        shift = max(shift, dt.date(year, 1, 20) - reached[0][1])
        reached = [(stage_, day_ + shift) for stage_, day_ in reached]
    name = pattern.format(place=village.name, group=f"{village.name}{ctx.rng.randrange(1, 9)}组")
    return {
        "village": village,
        "year": year,
        "name": name,
        "category": category,
        "budget": budget,
        "funding": funding,
        "reached": reached,
        "special": sum(
            (a for s, a in funding if s in (FundingSource.CITY, FundingSource.COUNTY)), Decimal(0)
        ),
    }


def _decision(plan: dict, ctx: Context) -> tuple[Decision, list[DecisionStep]]:
    village, start = plan["village"], plan["reached"][0][1] - dt.timedelta(days=20)
    decision = Decision(
        unit=village.committee,
        region_id=village.code,
        created_by=village.official,
        title=plan["name"],
        matter=f"使用村级公共服务和社会管理专项资金实施{plan['name']}，预算{plan['budget']:,.0f}元。",
        category="funds",
        amount=plan["budget"],
        status=DecisionStatus.RESOLVED,
    )
    steps = []
    party, representatives = ctx.rng.randrange(30, 80), ctx.rng.randrange(28, 50)
    for offset, kind, expected, meeting in (
        (0, StepKind.PROPOSAL, 5, ""),
        (4, StepKind.CONSULTATION, 9, ""),
        (9, StepKind.PARTY_REVIEW, party, ""),
        (16, StepKind.RESOLUTION, representatives, ResolutionMeeting.REPRESENTATIVES),
    ):
        attended = (
            expected
            if kind == StepKind.PROPOSAL
            else ctx.rng.randint(-(-2 * expected // 3), expected)
        )
        voted = kind in (StepKind.PARTY_REVIEW, StepKind.RESOLUTION)
        votes_for = ctx.rng.randint(attended // 2 + 1, attended) if voted else None
        against = ctx.rng.randint(0, attended - votes_for) if voted else None
        steps.append(
            DecisionStep(
                kind=kind,
                held_on=start + dt.timedelta(days=offset),
                expected=expected,
                attended=attended,
                votes_for=votes_for,
                votes_against=against,
                abstained=attended - votes_for - against if voted else None,
                meeting=meeting,
                outcome=Outcome.PASSED,
                note="会议记录和签到表存村（居）委会档案。",
                recorded_by=village.official,
            )
        )
    return decision, steps


def _payments(ctx: Context, plan: dict, stage: str) -> list[tuple[dt.date, Decimal, str, bool]]:
    """The payments of a project that has reached `stage`, in order, within its budget."""
    reached = dict(plan["reached"])
    if Stage.IMPLEMENTING not in reached:
        return []
    start = reached[Stage.IMPLEMENTING]
    end = reached.get(
        Stage.ACCEPTED, min(ctx.today - dt.timedelta(days=1), start + dt.timedelta(days=120))
    )
    share = ctx.rng.uniform(0.86, 1.0) if Stage.ACCEPTED in reached else ctx.rng.uniform(0.3, 0.8)
    # A few projects run right up to their budget: the monitoring notices them.
    if stage == Stage.IMPLEMENTING and ctx.rng.random() < 0.08:
        share = ctx.rng.uniform(0.9, 1.0)
    total = min(_yuan(float(plan["budget"]) * share), plan["budget"])
    parts = ctx.rng.randint(1, 3)
    payee_person = ctx.rng.random() < 0.15
    payee = ctx.rng.choice(PERSON_PAYEES) if payee_person else ctx.rng.choice(CONTRACTORS)
    payments, paid = [], Decimal(0)
    span = max((end - start).days, 1)
    for part in range(parts):
        amount = total - paid if part == parts - 1 else _yuan(float(total) / parts)
        if amount <= 0:
            continue
        paid += amount
        day = start + dt.timedelta(days=span * part // parts)
        payments.append((day, amount, payee, payee_person))
    return payments


def projects_create(ctx: Context, collectives: dict[str, Collective]) -> dict[str, int]:
    plans = []
    stages, weights = zip(*THIS_YEAR, strict=True)
    for village in ctx.villages:
        if is_pinggang(village):
            continue  # 平岗社区's two are made below, through the services
        plans.append(_plan(ctx, village, ctx.today.year, ctx.rng.choices(stages, weights)[0]))
        if village.in_xinjin:
            last = ctx.rng.choices([Stage.CLOSED, Stage.EVALUATED, Stage.ACCEPTED], [85, 8, 7])[0]
            plans.append(_plan(ctx, village, ctx.today.year - 1, last))
    allocations = {}
    for plan in plans:
        key = (plan["village"].code, plan["year"])
        allocations[key] = max(allocations.get(key, Decimal(0)), plan["special"])
    VillageAllocation.objects.bulk_create(
        [
            VillageAllocation(
                region_id=code,
                year=year,
                amount=max(_yuan(ctx.rng.uniform(200_000, 400_000)), need),
            )
            for (code, year), need in sorted(allocations.items())
        ],
        batch_size=BATCH,
    )
    decisions, steps_of = [], []
    for plan in plans:
        decision, steps = _decision(plan, ctx)
        decisions.append(decision)
        steps_of.append(steps)
    Decision.objects.bulk_create(decisions, batch_size=BATCH)
    for decision, steps in zip(decisions, steps_of, strict=True):
        for step in steps:
            step.decision = decision
    DecisionStep.objects.bulk_create(
        [step for steps in steps_of for step in steps], batch_size=BATCH
    )
    for decision, plan in zip(decisions, plans, strict=True):
        decision.created_at = ctx.at(plan["reached"][0][1] - dt.timedelta(days=22))
    Decision.objects.bulk_update(decisions, ["created_at"], batch_size=BATCH)

    projects = []
    for plan, decision in zip(plans, decisions, strict=True):
        stage, since = plan["reached"][-1]
        village = plan["village"]
        projects.append(
            FundProject(
                unit=village.committee,
                region_id=village.code,
                year=plan["year"],
                name=plan["name"],
                category=plan["category"],
                description=f"{plan['name']}，由{village.name}村民代表会议决议实施。",
                budget=plan["budget"],
                decision=decision,
                stage=stage,
                stage_since=ctx.at(since),
                created_by=village.official,
            )
        )
    FundProject.objects.bulk_create(projects, batch_size=BATCH)

    funding, stage_rows, payments, entries, acceptances = [], [], [], [], []
    for project, plan in zip(projects, plans, strict=True):
        village = plan["village"]
        funding += [FundingLine(project=project, source=s, amount=a) for s, a in plan["funding"]]
        for stage, day in plan["reached"]:
            stage_rows.append(
                ProjectStage(
                    project=project,
                    stage=stage,
                    reached_at=ctx.at(day),
                    actor=_actor(ctx, village, stage),
                    note=_note(stage, plan),
                )
            )
        disbursed = Decimal(0)
        collective = collectives.get(village.code)
        for number, (day, amount, payee, person) in enumerate(
            _payments(ctx, plan, project.stage), 1
        ):
            disbursed += amount
            entry = None
            if collective is not None and day >= ctx.books_from(village):
                handler, approver, reviewer = ctx.signers[village.code]
                entry = LedgerEntry(
                    collective=collective,
                    region_id=village.code,
                    booked_on=day,
                    voucher_number=f"{day:%Y-%m}-P{project.pk % 1000:03d}{number}",
                    summary=f"支付{plan['name']}工程款（第{number}笔）",
                    subject_id="154",
                    direction="expense",
                    amount=amount,
                    counterparty=payee,
                    counterparty_is_person=person,
                    handler=handler,
                    approver=approver,
                    reviewer=reviewer,
                    decision=project.decision,
                    booked_by=ctx.accountants[village.centre.pk],
                )
                entries.append(entry)
            payments.append(
                Disbursement(
                    project=project,
                    paid_on=day,
                    amount=amount,
                    payee=payee,
                    payee_is_person=person,
                    purpose=f"{plan['name']}工程款",
                    entry=entry,
                    recorded_by=ctx.accountants[village.centre.pk],
                )
            )
        project.disbursed = disbursed
        accepted = dict(plan["reached"]).get(Stage.ACCEPTED)
        if accepted:
            acceptances.append(
                Acceptance(
                    project=project,
                    inspected_on=accepted,
                    inspectors="、".join(ctx.rng.sample(INSPECTORS, 3)),
                    result=AcceptanceResult.PASSED,
                    final_accounts=disbursed,
                    note="工程质量符合设计要求，资料齐全，同意验收。",
                    recorded_by=ctx.township_official
                    if village.code.startswith("510118001")
                    else ctx.admin,
                )
            )
    FundingLine.objects.bulk_create(funding, batch_size=BATCH)
    ProjectStage.objects.bulk_create(stage_rows, batch_size=BATCH)
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
    for payment in payments:
        payment.entry_id = payment.entry.pk if payment.entry else None
    Disbursement.objects.bulk_create(payments, batch_size=BATCH)
    Acceptance.objects.bulk_create(acceptances, batch_size=BATCH)
    FundProject.objects.bulk_update(projects, ["disbursed"], batch_size=BATCH)
    published = _publish_stages(ctx, stage_rows, plans, projects)
    pinggang = _pinggang(ctx)
    return {
        "projects": len(projects) + pinggang,
        "payments": len(payments),
        "stage_records": published,
    }


def _actor(ctx: Context, village: Village, stage: str):
    if stage in (Stage.PROPOSED, Stage.EVALUATED):
        return village.official
    if stage == Stage.IMPLEMENTING:
        return ctx.accountants[village.centre.pk]
    return ctx.township_official if village.code.startswith("510118001") else None


def _note(stage: str, plan: dict) -> str:
    return {
        Stage.PROPOSED: "经村民代表会议决议，申报项目。",
        Stage.APPROVED: "经镇（街道）审核，在年度专项资金额度内，同意立项。",
        Stage.IMPLEMENTING: "项目开工建设，按进度拨付资金。",
        Stage.ACCEPTED: "镇（街道）组织验收，验收合格。",
        Stage.EVALUATED: "召开村民代表会议现场测评，群众满意。",
        Stage.CLOSED: "资金决算完毕，项目结项。",
    }[stage]


def _publish_stages(ctx: Context, stages: list, plans: list, projects: list) -> int:
    """Records of the village catalog for the reached stages: every one in 新津区, about
    half elsewhere (the monitoring flags the rest), written by disclosure's bulk writer."""
    by_project = {project.pk: plan for project, plan in zip(projects, plans, strict=True)}
    items = {}
    record_ctx = RecordContext.load(
        fallback_author=ctx.admin.pk,
        first_day=dt.date(ctx.today.year - 1, 1, 1),
        last_day=ctx.today,
    )
    chosen = []
    for row in stages:
        plan = by_project[row.project_id]
        village = plan["village"]
        if not village.in_xinjin and ctx.rng.random() < 0.03:
            continue  # now and then a stage is not published: the monitoring finds it
        template = catalogs.catalog_for_unit(village.committee)
        if template is None:
            continue
        level2 = (
            services.PROPOSAL_ITEM
            if row.stage in (Stage.PROPOSED, Stage.APPROVED)
            else services.DELIVERY_ITEM
        )
        key = (template.pk, level2)
        if key not in items:
            items[key] = template.items.get(level2=level2)
        published = row.reached_at + dt.timedelta(days=ctx.rng.randrange(1, 4))
        if published > ctx.now:
            continue
        label = Stage(row.stage).label
        chosen.append(
            (
                row,
                RecordPlan(
                    unit=village.committee,
                    item=items[key],
                    genre="fund",
                    title=f"{plan['name']}{label}公示",
                    info_date=row.reached_at.date(),
                    published_at=published,
                    body_seed=0,
                    body=(
                        f"<p>项目名称：{plan['name']}</p><p>预算：{plan['budget']:,.2f}元</p>"
                        f"<p>阶段：{label}（{row.reached_at:%Y年%m月%d日}）</p><p>{row.note}</p>"
                    ),
                ),
            )
        )
    records_write(record_ctx, [plan for _row, plan in chosen])
    for row, plan in chosen:
        row.record = plan.record
    ProjectStage.objects.bulk_update([row for row, _plan in chosen], ["record"], batch_size=BATCH)
    return len(chosen)


def _resolved(ctx: Context, village: Village, year: int) -> Decision:
    """A resolved decision of the village (its four steps) for a project of `year`."""
    plan = {
        "village": village,
        "name": f"{village.name}{year}年度专项资金项目",
        "budget": Decimal(200_000),
        "reached": [(Stage.PROPOSED, dt.date(year, 3, 1))],
    }
    decision, steps = _decision(plan, ctx)
    decision.save()
    for step in steps:
        step.decision = decision
    DecisionStep.objects.bulk_create(steps)
    return decision


def _pinggang(ctx: Context) -> int:
    """平岗社区's projects, through the services: last year's evaluated well and closed;
    this year's accepted, then rated unsatisfactory by a majority: a rectification item."""
    village = next(v for v in ctx.villages if is_pinggang(v))
    official, township = village.official, ctx.township_official
    accountant = ctx.accountants[village.centre.pk]
    decisions = list(
        Decision.objects.filter(region_id=village.code, category__in=["project", "funds"])
        .exclude(status__in=[DecisionStatus.IN_PROGRESS, DecisionStatus.REJECTED])
        .order_by("created_at")
    )
    residents = list(
        Residency.objects.filter(region_id=village.code, status=ResidencyStatus.VERIFIED)
        .select_related("user")
        .order_by("id")
    )
    made = 0
    for year, weights in ((ctx.today.year - 1, (70, 22, 8)), (ctx.today.year, (15, 25, 60))):
        VillageAllocation.objects.get_or_create(
            region_id=village.code, year=year, defaults={"amount": 300_000}
        )
        start = ctx.at(dt.date(year, 3, 2) if year < ctx.today.year else dt.date(year, 4, 8))
        decision = decisions[made] if made < len(decisions) else _resolved(ctx, village, year)
        project = services.project_create(
            unit=village.committee,
            year=year,
            name=f"平岗社区{'文化广场改造' if made == 0 else '7组入户道路硬化'}",
            category="culture" if made == 0 else "infrastructure",
            description="经四议两公开程序决议实施。",
            budget=Decimal(180_000 if made == 0 else 260_000),
            funding=[
                (FundingSource.CITY, Decimal(120_000)),
                (FundingSource.COUNTY, Decimal(60_000 if made == 0 else 140_000)),
            ],
            decision=decision,
            actor=official,
            now=start,
        )
        services.project_approve(project=project, actor=township, now=start + dt.timedelta(days=12))
        budget = project.budget
        for part, share in enumerate((Decimal("0.4"), Decimal("0.55")), 1):
            services.disbursement_record(
                project=project,
                paid_on=(start + dt.timedelta(days=30 * part)).date(),
                amount=(budget * share).quantize(Decimal("1")),
                payee=CONTRACTORS[made],
                payee_is_person=False,
                purpose=f"工程款第{part}笔",
                actor=accountant,
                now=start + dt.timedelta(days=30 * part),
            )
        inspected = (start + dt.timedelta(days=110)).date()
        services.acceptance_record(
            project=project,
            inspected_on=inspected,
            inspectors="五津街道建设办、村务监督委员会、居民代表",
            result=AcceptanceResult.PASSED,
            final_accounts=(budget * Decimal("0.95")).quantize(Decimal("1")),
            note="工程质量符合设计要求，同意验收。",
            actor=township,
            now=ctx.at(inspected),
        )
        opens = ctx.at(inspected + dt.timedelta(days=10))
        round_ = evaluation_services.round_create(
            unit=village.committee,
            title=f"{project.name}群众评议",
            year=year,
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=10),
            eligibility=Eligibility.RESIDENTS,
            electorate_region=village.committee.region,
            actor=official,
        )
        evaluation_services.subject_add(
            round=round_,
            kind=SubjectKind.PROJECT,
            identifier=str(project.pk),
            name=project.name,
            actor=official,
        )
        evaluation_services.round_publish(
            round=round_, actor=official, now=opens - dt.timedelta(days=1)
        )
        subject = round_.subjects.get()
        raters = residents[: len(residents) // 2]
        Evaluation.objects.bulk_create(
            Evaluation(
                subject=subject,
                round=round_,
                region_id=village.code,
                evaluator_key=evaluation_services.evaluator_key(subject.pk, r.user),
                rating=ctx.rng.choices(
                    [Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED], weights
                )[0],
            )
            for r in raters
        )
        evaluation_services.round_close(
            round=round_, now=round_.closes_at + dt.timedelta(minutes=5)
        )
        services.rectifications_scan(now=round_.closes_at + dt.timedelta(hours=1))
        project.refresh_from_db()
        if project.stage == Stage.EVALUATED and not project.rectifications.exists():
            services.project_close(
                project=project, actor=township, now=round_.closes_at + dt.timedelta(days=7)
            )
        for stage in project.stages.filter(record__isnull=True):
            services.stage_publish(project=project, stage=stage.stage, actor=official)
            # 平岗社区's records go to a second person for review; the demo has no second
            # official there, so the platform admin approves, and the publication is
            # dated the day after the stage was reached, as the village did it then.
            record = ProjectStage.objects.select_related("record").get(pk=stage.pk).record
            if record.status == RecordStatus.IN_REVIEW:
                disclosure_services.record_approve(record=record, actor=ctx.admin)
            Record.objects.filter(pk=record.pk).update(
                published_at=min(stage.reached_at + dt.timedelta(days=1), ctx.now)
            )
        made += 1
    return made
