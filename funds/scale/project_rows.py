"""The rows of the planned projects, column for column as the services write them
(funds.services.projects, participation.services.evaluations), and their COPY.

Who acts: the demo's choice (funds.demo.projects._actor): the village's official
proposes, the centre's accountant pays, the township office (its demo login in 五津街道,
nobody named elsewhere) approves, accepts and closes; the scan that reads a closed
evaluation round acts for nobody.
"""

from __future__ import annotations

import datetime as dt
import random

from funds.demo.context import Context
from funds.demo.projects import _actor, _note
from funds.demo.texts import INSPECTORS
from funds.models import (
    Acceptance,
    Disbursement,
    FundingLine,
    FundProject,
    ProjectStage,
    Rectification,
    Stage,
    VillageAllocation,
)
from funds.scale.bulk import (
    NULL,
    Moments,
    copy_lines,
    copy_text,
    copy_tuples,
    yuan_display,
    yuan_text,
)
from funds.scale.projects import (
    CLOSING_NOTE,
    DECISION_NOTE,
    RECTIFICATION_ANSWERS,
    Plan,
)
from participation.models import Decision, DecisionStep, EvaluationRound, EvaluationSubject

# The hour of the day each stage is reached (the evaluation: when its round closed).
STAGE_HOURS = {
    Stage.PROPOSED: 10,
    Stage.APPROVED: 15,
    Stage.IMPLEMENTING: 11,
    Stage.ACCEPTED: 16,
    Stage.CLOSED: 15,
    Stage.CANCELLED: 14,
}
ACCEPTED_NOTE = "工程质量符合设计要求，资料齐全，同意验收。"
FAILED_NOTE = "部分工程未达到设计要求，限期十五日内整改后重新验收。"


def _between(random, low: int, high: int) -> int:
    """randint(low, high) from one draw of random(): the hot loops draw millions."""
    return low + int(random() * (high - low + 1))


def reached_at(plan: Plan, stage: str, day: dt.date, moments: Moments) -> str:
    if stage == Stage.EVALUATED:
        return moments.text(day, 9, 5)  # the round closed at 9:00, the task ran after
    return moments.text(day, STAGE_HOURS[stage])


# The official's own notes, as the demo words them (funds.demo.projects._note).
OFFICIAL_NOTES = {
    stage: _note(stage, None) for stage in (Stage.PROPOSED, Stage.APPROVED, Stage.CLOSED)
}
OFFICIAL_NOTES[Stage.IMPLEMENTING] = "首笔资金拨付，项目开始实施。"  # disbursement_record's


def _stage_note(plan: Plan, stage: str, day: dt.date) -> str:
    """The note the service writes with the stage (the demo's for an official's own)."""
    note = OFFICIAL_NOTES.get(stage)
    if note is not None:
        return note
    if stage == Stage.ACCEPTED:
        return f"{day.isoformat()}验收合格，决算金额{yuan_display(plan.disbursed)}元。"
    if stage == Stage.EVALUATED:
        e = plan.evaluation
        note = f"群众评议结果：满意{e.satisfied}人，基本满意{e.basic}人，不满意{e.unsatisfied}人。"
        return note + ("多数不满意，已提出整改事项。" if e.majority_unsatisfied else "")
    return plan.cancel_reason  # a cancellation's note is its reason


def write_decisions(rng: random.Random, plans: list[Plan], moments: Moments) -> tuple[int, int]:
    """The village's decision behind each project (the demo's funds.demo.projects.
    _decision): four steps, the resolution four days before the project is proposed."""

    def decisions():
        for plan in plans:
            village, name = plan.village, copy_text(plan.name)
            created = moments.text(plan.reached[0][1] - dt.timedelta(days=22), 9)
            yield (
                f"{plan.decision_pk}\t{village.committee.pk}\t{village.code}\t"
                f"{village.official.pk}\t{created}\t{name}\t"
                f"使用村级公共服务和社会管理专项资金实施{name}，预算{plan.budget // 100:,}元。\t"
                f"funds\t{yuan_text(plan.budget)}\tresolved\n"
            )

    def steps():
        random = rng.random
        for plan in plans:
            start = plan.reached[0][1] - dt.timedelta(days=20)
            official = plan.village.official.pk
            pk = plan.decision_pk
            party, representatives = 30 + int(random() * 50), 28 + int(random() * 22)
            for offset, kind, expected, meeting in (
                (0, "proposal", 5, ""),
                (4, "consultation", 9, ""),
                (9, "party_review", party, ""),
                (16, "resolution", representatives, "representatives"),
            ):
                held = start + dt.timedelta(days=offset)
                recorded = moments.text(held, 17)
                if kind in ("proposal", "consultation"):
                    attended = (
                        expected
                        if kind == "proposal"
                        else _between(random, -(-2 * expected // 3), expected)
                    )
                    yield (
                        f"{pk}\t{kind}\t{held}\t{expected}\t{attended}\t{NULL}\t{NULL}\t{NULL}"
                        f"\t\tpassed\t{DECISION_NOTE}\t{official}\t{recorded}\n"
                    )
                    continue
                attended = _between(random, -(-2 * expected // 3), expected)
                votes_for = _between(random, attended // 2 + 1, attended)
                against = _between(random, 0, attended - votes_for)
                yield (
                    f"{pk}\t{kind}\t{held}\t{expected}\t{attended}\t{votes_for}\t{against}\t"
                    f"{attended - votes_for - against}\t{meeting}\tpassed\t{DECISION_NOTE}\t"
                    f"{official}\t{recorded}\n"
                )

    made = copy_lines(
        Decision,
        (
            "id",
            "unit_id",
            "region_id",
            "created_by_id",
            "created_at",
            "title",
            "matter",
            "category",
            "amount",
            "status",
        ),
        decisions(),
    )
    stepped = copy_lines(
        DecisionStep,
        (
            "decision_id",
            "kind",
            "held_on",
            "expected",
            "attended",
            "votes_for",
            "votes_against",
            "abstained",
            "meeting",
            "outcome",
            "note",
            "recorded_by_id",
            "recorded_at",
        ),
        steps(),
    )
    return made, stepped


def write_projects(
    fctx: Context,
    rng: random.Random,
    plans: list[Plan],
    moments: Moments,
    records: dict[tuple[int, str], int],
) -> dict[str, int]:
    """Projects, funding lines, stages (with the record each was published in, where
    `records` names one by (project id, stage)), acceptances, evaluation rounds and
    their subjects, rectification items."""
    admin, township = fctx.admin.pk, fctx.township_official.pk

    def township_of(plan: Plan) -> int:
        return township if plan.village.code.startswith("510118001") else admin

    def projects():
        for plan in plans:
            village = plan.village
            stage, day = plan.reached[-1]
            yield (
                plan.pk,
                village.committee.pk,
                village.code,
                plan.year,
                copy_text(plan.name),
                plan.category,
                copy_text(f"{plan.name}，由{village.name}村民代表会议决议实施。"),
                yuan_text(plan.budget),
                yuan_text(plan.disbursed),
                plan.decision_pk,
                stage,
                reached_at(plan, stage, day, moments),
                plan.cancel_reason,
                village.official.pk,
                moments.text(plan.reached[0][1], STAGE_HOURS[Stage.PROPOSED]),
            )

    def funding():
        for plan in plans:
            for source, amount in plan.funding:
                yield plan.pk, source, yuan_text(amount)

    def stages():
        for plan in plans:
            village, pk = plan.village, plan.pk
            actors = {}
            for stage, day in plan.reached:
                if stage == Stage.EVALUATED:
                    actor = NULL
                else:
                    actor = actors.get(stage)
                    if actor is None:
                        user = _actor(fctx, village, stage)
                        actor = actors[stage] = NULL if user is None else str(user.pk)
                record = records.get((pk, stage))
                yield (
                    f"{pk}\t{stage}\t{reached_at(plan, stage, day, moments)}\t{actor}\t"
                    f"{copy_text(_stage_note(plan, stage, day))}\t"
                    f"{NULL if record is None else record}\n"
                )

    def acceptances():
        for plan in plans:
            if plan.failed_inspection is not None:
                paid = sum(a for d, a, _p, _q in plan.payments if d <= plan.failed_inspection)
                yield (
                    plan.pk,
                    plan.failed_inspection,
                    "、".join(rng.sample(INSPECTORS, 3)),
                    "failed",
                    yuan_text(paid),
                    FAILED_NOTE,
                    township_of(plan),
                    moments.text(plan.failed_inspection, 16),
                )
            accepted = plan.day_of(Stage.ACCEPTED)
            if accepted is not None:
                yield (
                    plan.pk,
                    accepted,
                    "、".join(rng.sample(INSPECTORS, 3)),
                    "passed",
                    yuan_text(plan.disbursed),
                    ACCEPTED_NOTE,
                    township_of(plan),
                    moments.text(accepted, 16),
                )

    counts = {
        "fund_projects": copy_tuples(
            FundProject,
            (
                "id",
                "unit_id",
                "region_id",
                "year",
                "name",
                "category",
                "description",
                "budget",
                "disbursed",
                "decision_id",
                "stage",
                "stage_since",
                "cancel_reason",
                "created_by_id",
                "created_at",
            ),
            projects(),
        ),
        "fund_funding_lines": copy_tuples(
            FundingLine, ("project_id", "source", "amount"), funding()
        ),
        "fund_stages": copy_lines(
            ProjectStage,
            ("project_id", "stage", "reached_at", "actor_id", "note", "record_id"),
            stages(),
        ),
        "fund_acceptances": copy_tuples(
            Acceptance,
            (
                "project_id",
                "inspected_on",
                "inspectors",
                "result",
                "final_accounts",
                "note",
                "recorded_by_id",
                "recorded_at",
            ),
            acceptances(),
        ),
    }
    counts.update(_write_evaluations(fctx, rng, plans, moments, township_of))
    return counts


def _shortened(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def _write_evaluations(fctx, rng, plans, moments, township_of) -> dict[str, int]:
    """The closed round of each evaluated project (funds.services.projects.
    evaluation_start's title and description, round_close's frozen counts), and the
    rectification item of a round a majority rated unsatisfactory."""
    evaluated = [plan for plan in plans if plan.evaluation is not None]

    def rounds():
        for plan in evaluated:
            e, village = plan.evaluation, plan.village
            published = moments.text(e.opens - dt.timedelta(days=1), 16)
            yield (
                e.round_pk,
                village.committee.pk,
                village.code,
                village.official.pk,
                moments.text(e.opens - dt.timedelta(days=1), 15),
                moments.text(e.opens, 9),
                moments.text(e.closes, 9),
                "residents",
                village.code,
                copy_text(f"{_shortened(plan.name, 180)}群众满意度评议"),
                e.opens.year,
                copy_text(
                    f"{plan.year}年度村级公共服务和社会管理专项资金项目“{plan.name}”已通过验收，"
                    "请本村（社区）居民对项目实施情况作出评价。"
                ),
                "closed",
                published,
                moments.text(e.closes, 9, 5),
                "",
                e.eligible,
            )

    def subjects():
        for plan in evaluated:
            e = plan.evaluation
            yield (
                e.subject_pk,
                e.round_pk,
                "project",
                f"project:{plan.pk}",
                copy_text(_shortened(plan.name, 100)),
                "",
                1,
                e.opens.year,
                e.satisfied,
                e.basic,
                e.unsatisfied,
                False,
            )

    def rectifications():
        for plan in evaluated:
            if plan.rectification is None:
                continue
            answered, closed = plan.rectification
            yield (
                plan.pk,
                plan.evaluation.subject_pk,
                moments.text(plan.evaluation.closes, 10),
                rng.choice(RECTIFICATION_ANSWERS) if answered else "",
                moments.text(answered, 16) if answered else None,
                plan.village.official.pk if answered else None,
                moments.text(closed, 11) if closed else None,
                township_of(plan) if closed else None,
                CLOSING_NOTE if closed else "",
            )

    return {
        "fund_evaluation_rounds": copy_tuples(
            EvaluationRound,
            (
                "id",
                "unit_id",
                "region_id",
                "created_by_id",
                "created_at",
                "opens_at",
                "closes_at",
                "eligibility",
                "electorate_region_id",
                "title",
                "year",
                "description",
                "status",
                "published_at",
                "closed_at",
                "cancel_reason",
                "eligible_count",
            ),
            rounds(),
        ),
        "fund_evaluation_subjects": copy_tuples(
            EvaluationSubject,
            (
                "id",
                "round_id",
                "kind",
                "subject_key",
                "name",
                "role",
                "seq",
                "year",
                "satisfied",
                "basic",
                "unsatisfied",
                "cancelled",
            ),
            subjects(),
        ),
        "fund_rectifications": copy_tuples(
            Rectification,
            (
                "project_id",
                "subject_id",
                "opened_at",
                "answer",
                "answered_at",
                "answered_by_id",
                "closed_at",
                "closed_by_id",
                "closing_note",
            ),
            rectifications(),
        ),
    }


def write_allocations(amounts: dict[tuple[str, int], int]) -> int:
    return copy_tuples(
        VillageAllocation,
        ("region_id", "year", "amount"),
        ((code, year, yuan_text(amount)) for (code, year), amount in amounts.items()),
    )


def write_disbursements(fctx: Context, plans: list[Plan], entries: dict, moments: Moments) -> int:
    """The payments; `entries` maps (project id, part) to the ledger entry that booked
    it, where the village's books on the platform cover the day."""

    def rows():
        for plan in plans:
            accountant = fctx.accountants[plan.village.centre.pk].pk
            purpose = copy_text(f"{plan.name}工程款")
            for part, (day, amount, payee, person) in enumerate(plan.payments, 1):
                yield (
                    plan.pk,
                    day,
                    yuan_text(amount),
                    payee,
                    person,
                    purpose,
                    entries.get((plan.pk, part)),
                    accountant,
                    moments.text(day, 11),
                )

    return copy_tuples(
        Disbursement,
        (
            "project_id",
            "paid_on",
            "amount",
            "payee",
            "payee_is_person",
            "purpose",
            "entry_id",
            "recorded_by_id",
            "recorded_at",
        ),
        rows(),
    )
