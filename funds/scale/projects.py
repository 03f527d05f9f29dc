"""Five years of special-fund projects for the whole city: what each village decided
(四议两公开, four steps), its funding, the stages it reached, its payments within the
budget, its acceptance, the public evaluation (a closed participation round with its
counts) and, where a majority was unsatisfied, the rectification item.

Planned in memory with the demo's recipes (funds.demo.projects and funds.demo.texts:
names, categories, budget ranges, the shares of the funding, the days a step takes,
payments, contractors and inspectors) and the rules of the project services (funding
lines add up to the budget; the special funds of a village's year stay within its
allocation; the first payment starts the implementation; disbursed is the sum of the
payments and never above the budget; a decision for every project; a project closes
only once its rectification is closed; the notes the services write). Then copied in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from funds.demo.context import Context, Village
from funds.demo.projects import STEP_DAYS
from funds.demo.texts import CONTRACTORS, PERSON_PAYEES, PROJECTS
from funds.models import SPECIAL_SOURCES, STAGE_ORDER, FundingSource, Stage

# Projects are proposed in the season of the village councils: 10 Feb to 20 Nov.
SEASON = ((2, 10), (11, 20))
CANCEL_SHARE = 0.015
# Projects that stall in a stage (the monitoring's overdue stages): older ones more often.
STALL_SHARE = ((365, 0.03), (200, 0.05))
STALL_STAGES = ((Stage.IMPLEMENTING, 1), (Stage.ACCEPTED, 2), (Stage.EVALUATED, 3))
FAILED_ACCEPTANCE_SHARE = 0.03
UNSATISFIED_SHARE = 0.02
# Projects still being paid that come close to their budget (the monitoring notices).
NEAR_BUDGET_SHARE = 0.08

CANCEL_REASONS = (
    "经村民代表会议复议，项目选址调整，本年度不再实施。",
    "上级已安排同类项目资金，本项目撤销，避免重复建设。",
    "项目涉及用地手续未能办妥，经村民代表会议决议撤销。",
)
RECTIFICATION_ANSWERS = (
    "已组织施工单位对破损部位进行返修，并增设排水设施，经村务监督委员会复查合格。",
    "已督促施工单位补齐缺失设施，延长保修期一年，整改情况已在村务公开栏公示。",
    "已召开村民代表会议听取意见，对使用管理制度作了调整，并落实专人管护。",
)
CLOSING_NOTE = "经现场核查，整改到位，同意销号。"
DECISION_NOTE = "会议记录和签到表存村（居）委会档案。"


@dataclass(slots=True)
class Evaluation:
    round_pk: int
    subject_pk: int
    opens: dt.date
    closes: dt.date
    eligible: int
    satisfied: int
    basic: int
    unsatisfied: int

    @property
    def majority_unsatisfied(self) -> bool:
        return self.unsatisfied * 2 > self.satisfied + self.basic + self.unsatisfied


@dataclass(slots=True)
class Plan:
    pk: int
    village: Village
    year: int
    name: str
    category: str
    budget: int  # fen
    funding: list[tuple[str, int]]
    reached: list[tuple[str, dt.date]]
    decision_pk: int = 0
    cancel_reason: str = ""
    payments: list[tuple[dt.date, int, str, bool]] = field(default_factory=list)
    failed_inspection: dt.date | None = None
    evaluation: Evaluation | None = None
    # (answered, closed) days of the rectification item, either None until it happens.
    rectification: tuple[dt.date | None, dt.date | None] | None = None

    @property
    def stage(self) -> str:
        return self.reached[-1][0]

    @property
    def special(self) -> int:
        return sum(amount for source, amount in self.funding if source in SPECIAL_SOURCES)

    @property
    def disbursed(self) -> int:
        return sum(amount for _day, amount, _payee, _person in self.payments)

    def day_of(self, stage: str) -> dt.date | None:
        for reached, day in self.reached:
            if reached == stage:
                return day
        return None


def _season_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    for year in range(first.year, last.year + 1):
        (m1, d1), (m2, d2) = SEASON
        day, end = dt.date(year, m1, d1), dt.date(year, m2, d2)
        while day <= end:
            if first <= day <= last:
                days.append(day)
            day += dt.timedelta(days=1)
    return days


def localise(text: str, county: str) -> str:
    """The demo's vocabulary is 新津区's; elsewhere the shop or company is the county's."""
    if county == "新津区":
        return text
    short = county[:-1] if len(county) > 2 else county
    return text.replace("新津区", county).replace("国网新津", f"国网{short}")


def _draw(rng: random.Random, low: int, high: int) -> int:
    """randrange(low, high) from one random(): planning draws millions of these."""
    return low + int(rng.random() * (high - low))


def _pick(rng: random.Random, items):
    return items[int(rng.random() * len(items))]


def _hundreds(fen: float) -> int:
    """Round to whole hundreds of yuan, as budgets are drawn up (the demo's _yuan)."""
    return round(fen / 10_000) * 10_000


def _stages(rng: random.Random, proposed: dt.date, today: dt.date) -> tuple[list, str]:
    """The stages a project reached (with their days) before today, and a cancellation
    reason when it was cancelled."""
    age = (today - proposed).days
    roll = rng.random()
    cancel_at = None
    stall_at = None
    if roll < CANCEL_SHARE:
        cancel_at = Stage.PROPOSED if rng.random() < 0.67 else Stage.APPROVED
    else:
        for min_age, share in STALL_SHARE:
            if age > min_age:
                if rng.random() < share:
                    stages, weights = zip(*STALL_STAGES, strict=True)
                    stall_at = rng.choices(stages, weights)[0]
                break
    reached = [(Stage.PROPOSED, proposed)]
    day = proposed
    for stage in STAGE_ORDER[1:]:
        if reached[-1][0] in (cancel_at, stall_at):
            break
        low, high = STEP_DAYS[stage]
        day = day + dt.timedelta(days=_draw(rng, low, high))
        if day >= today:
            break
        reached.append((stage, day))
    reason = ""
    if cancel_at is not None and reached[-1][0] == cancel_at:
        day = reached[-1][1] + dt.timedelta(days=_draw(rng, 10, 40))
        if day < today:
            reached.append((Stage.CANCELLED, day))
            reason = _pick(rng, CANCEL_REASONS)
    return reached, reason


def _payments(rng: random.Random, plan: Plan, today: dt.date, payees: list) -> None:
    """The demo's payments (funds.demo.projects._payments) in fen: from the first day of
    the implementation to the acceptance, 1–3 parts, never above the budget."""
    start = plan.day_of(Stage.IMPLEMENTING)
    if start is None:
        return
    accepted = plan.day_of(Stage.ACCEPTED)
    end = accepted or min(today - dt.timedelta(days=1), start + dt.timedelta(days=120))
    share = rng.uniform(0.86, 1.0) if accepted else rng.uniform(0.3, 0.8)
    if plan.stage == Stage.IMPLEMENTING and rng.random() < NEAR_BUDGET_SHARE:
        share = rng.uniform(0.9, 1.0)
    total = min(_hundreds(plan.budget * share), plan.budget)
    parts = _draw(rng, 1, 4)
    person = rng.random() < 0.15
    payee = _pick(rng, PERSON_PAYEES) if person else _pick(rng, payees)
    span = max((end - start).days, 1)
    paid = 0
    for part in range(parts):
        amount = total - paid if part == parts - 1 else _hundreds(total / parts)
        if amount <= 0:
            continue
        paid += amount
        plan.payments.append(
            (start + dt.timedelta(days=span * part // parts), amount, payee, person)
        )


def _after_acceptance(rng: random.Random, plan: Plan, today: dt.date) -> None:
    """The evaluation round that moved the project to evaluated, the rectification when a
    majority was unsatisfied, and a closing that waits for the rectification."""
    evaluated = plan.day_of(Stage.EVALUATED)
    if evaluated is None:
        return
    eligible = _draw(rng, 300, 2500)
    total = max(8, int(eligible * rng.uniform(0.04, 0.12)))
    if rng.random() < UNSATISFIED_SHARE:
        unsatisfied = int(total * rng.uniform(0.52, 0.7)) + 1
        satisfied = int((total - unsatisfied) * rng.uniform(0.3, 0.7))
    else:
        unsatisfied = int(total * rng.uniform(0, 0.08))
        satisfied = int((total - unsatisfied) * rng.uniform(0.7, 0.95))
    plan.evaluation = Evaluation(
        round_pk=0,
        subject_pk=0,
        opens=evaluated - dt.timedelta(days=10),
        closes=evaluated,
        eligible=eligible,
        satisfied=satisfied,
        basic=total - unsatisfied - satisfied,
        unsatisfied=unsatisfied,
    )
    if not plan.evaluation.majority_unsatisfied:
        return
    answered = evaluated + dt.timedelta(days=_draw(rng, 7, 30))
    closed = answered + dt.timedelta(days=_draw(rng, 5, 20))
    plan.rectification = (
        answered if answered < today else None,
        closed if closed < today else None,
    )
    # 结项 only after the item is closed (project_close refuses before).
    if plan.stage == Stage.CLOSED:
        close = closed + dt.timedelta(days=_draw(rng, 1, 6))
        plan.reached.pop()
        if plan.rectification[1] is not None and close < today:
            plan.reached.append((Stage.CLOSED, close))


def plan_projects(
    fctx: Context, rng: random.Random, count: int, first: dt.date, today: dt.date, county_of
) -> list[Plan]:
    """`count` projects over the villages (some propose more than others), in the order
    they were proposed (their ids follow it)."""
    villages = fctx.villages
    weights = [rng.uniform(0.6, 1.4) for _ in villages]
    season = _season_days(first, today - dt.timedelta(days=1))
    chosen = rng.choices(range(len(villages)), weights, k=count)
    days = [_pick(rng, season) for _ in range(count)]
    order = sorted(range(count), key=lambda i: (days[i], chosen[i]))
    contractors = {}
    names_used: dict[tuple[str, int], set[str]] = defaultdict(set)
    plans = []
    for index in order:
        village, proposed = villages[chosen[index]], days[index]
        county = county_of(village.code)
        if county not in contractors:
            contractors[county] = [localise(c, county) for c in CONTRACTORS]
        category, pattern, (low, high) = _pick(rng, PROJECTS)
        name = pattern.format(place=village.name, group=f"{village.name}{_draw(rng, 1, 9)}组")
        used = names_used[(village.code, proposed.year)]
        base, phase = name, 1
        while name in used:  # the same works again in a year: 二期, 三期
            phase += 1
            name = f"{base}（{'二三四五六七八九'[min(phase, 9) - 2]}期）"
        used.add(name)
        budget = _hundreds(rng.uniform(low, high) * 100)
        city = _hundreds(budget * _pick(rng, (0.5, 0.6, 0.7)))
        county_part = _hundreds((budget - city) * _pick(rng, (0.5, 0.7, 1.0)))
        funding = [(FundingSource.CITY, city), (FundingSource.COUNTY, county_part)]
        if budget - city - county_part:
            funding.append((FundingSource.VILLAGE, budget - city - county_part))
        reached, reason = _stages(rng, proposed, today)
        plan = Plan(
            pk=0,
            village=village,
            year=proposed.year,
            name=name,
            category=category,
            budget=budget,
            funding=[(s, a) for s, a in funding if a > 0],
            reached=reached,
            cancel_reason=reason,
        )
        _payments(rng, plan, today, contractors[county])
        accepted = plan.day_of(Stage.ACCEPTED)
        if accepted and rng.random() < FAILED_ACCEPTANCE_SHARE:
            failed = accepted - dt.timedelta(days=_draw(rng, 20, 40))
            if failed > plan.day_of(Stage.IMPLEMENTING):
                plan.failed_inspection = failed
        _after_acceptance(rng, plan, today)
        plans.append(plan)
    return plans


def allocations(rng: random.Random, plans: list[Plan]) -> dict[tuple[str, int], int]:
    """Each village's special funds of a year (fen): what its projects that were not
    cancelled need, with a margin, in tens of thousands of yuan."""
    need: dict[tuple[str, int], int] = defaultdict(int)
    for plan in plans:
        if plan.stage != Stage.CANCELLED:
            need[(plan.village.code, plan.year)] += plan.special
        else:
            need.setdefault((plan.village.code, plan.year), 0)
    step = 10_000 * 100
    return {
        key: max(step, -(-int(amount * rng.uniform(1.02, 1.15)) // step) * step)
        for key, amount in sorted(need.items())
    }
