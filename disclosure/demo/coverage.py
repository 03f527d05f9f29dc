"""新津区, the demo's showcase county: its village committees, township offices and schools
publish every periodic item of their catalogs for every month and quarter of the current
year (the supervisors' default window, disclosure.compliance.compliance_start), most on
time, some late, a few not at all — a well-run county next to the sparser others.

The year is drawn from a generator of its own per unit, so it is the same at any record
count; the years before are planned as for any unit. The records are short: the lists
keep their tables of masked names, the monthly village accounts their income and
spending, everything else one paragraph of the period's figures and one of where to ask
(`routine_body`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from disclosure.demo.bodies import _notice_window, _p, _signature
from disclosure.demo.context import GUARANTEED_QUARTER, MARKER_TITLE, Context, RecordPlan
from disclosure.demo.planner import UnitPlanner, find_item, village_core_item
from disclosure.demo.texts import (
    PROJECT_WORKS,
    basis_of,
    genre_of,
    period_label,
    title_for,
    yuan,
)
from disclosure.models import CatalogItem, ScheduleKind
from disclosure.services import period_bounds
from portal.demo.geography import XINJIN_CODE
from portal.models import Unit, UnitKind

SHOWCASE_COUNTY = XINJIN_CODE[:6]
SHOWCASE_KINDS = (UnitKind.VILLAGE_COMMITTEE, UnitKind.TOWNSHIP_OFFICE, UnitKind.SCHOOL)
# A few villages lag (60–75% on time); the rest keep 80–100% of their deadlines.
WEAK_VILLAGE_SHARE = 0.08
# Records whose body is `routine_body` rather than their genre's.
ROUTINE = "routine"


def in_showcase_county(unit: Unit) -> bool:
    return unit.region_id.startswith(SHOWCASE_COUNTY)


def is_showcase(unit: Unit) -> bool:
    """Whether the unit publishes the whole year (planned by `ShowcasePlanner`)."""
    return in_showcase_county(unit) and unit.kind in SHOWCASE_KINDS


@dataclass(frozen=True)
class Punctuality:
    on_time: float  # the share of periods published by the deadline
    late: float  # the share published after it; the rest are missing


def punctuality(rng: random.Random, unit: Unit, *, model: bool) -> Punctuality:
    weak = rng.random() < WEAK_VILLAGE_SHARE and unit.kind == UnitKind.VILLAGE_COMMITTEE
    on_time = rng.uniform(0.60, 0.75) if weak else rng.triangular(0.80, 1.0, 0.92)
    # Of what is not on time, most comes late rather than never.
    late = (1 - on_time) * rng.uniform(0.5, 0.85)
    return Punctuality(1.0, 0.0) if model else Punctuality(on_time, late)


class ShowcasePlanner(UnitPlanner):
    """A unit of `is_showcase`: the years before as any unit of its kind, then every
    monthly and quarterly period of the current year whose deadline has passed."""

    def __init__(self, ctx: Context, unit: Unit, *args, seed: int, **kw) -> None:
        super().__init__(ctx, unit, *args, seed=seed, **kw)
        self.year_start = dt.date(ctx.last_day.year, 1, 1)
        self.year_rng = random.Random(f"{seed}:showcase:{unit.region_id}:{unit.name}")  # noqa: S311
        self.punctuality = punctuality(self.year_rng, unit, model=self.model)

    def period_starts(self, item: CatalogItem) -> list[dt.date]:
        return [start for start in super().period_starts(item) if start < self.year_start]

    def plan(self) -> list[RecordPlan]:
        super().plan()
        self._year()
        return self.plans

    def _year_periods(self, item: CatalogItem) -> list[tuple[dt.date, dt.date, dt.date]]:
        """(start, end, deadline) of the year's periods that are due by the last day."""
        periods, start = [], self.year_start
        while start.year == self.year_start.year:
            end = period_bounds(item.schedule_kind, start)[1]
            deadline = self._deadline(item, end)
            if deadline > self.ctx.last_day:
                break
            if start >= self.start:
                periods.append((start, end, deadline))
            start = end + dt.timedelta(days=1)
        return periods

    def _year_day(
        self, item: CatalogItem, end: dt.date, deadline: dt.date, *, guaranteed: bool
    ) -> dt.date | None:
        """When the period's record goes out: most a few working days after the period
        ends, some after the deadline, the rest (None) not by the last day."""
        rng, workdays, last = self.year_rng, self.ctx.workdays, self.ctx.last_day
        roll = rng.random()
        if roll < self.punctuality.on_time:
            allowed = item.schedule_days or 10  # the deadline is that many working days on
            return workdays.add(end, min(allowed, 1 + int(rng.triangular(0, allowed, 2))))
        if not guaranteed and roll >= self.punctuality.on_time + self.punctuality.late:
            return None
        first_late = workdays.add(deadline, 1)
        if first_late > last:
            return None
        return workdays.between(rng, first_late, min(workdays.add(deadline, 15), last))

    def _year(self) -> None:
        village = self.unit.kind == UnitKind.VILLAGE_COMMITTEE
        core = village_core_item(self.items) if village else None
        subsistence = find_item(self.items, ("低保",), ScheduleKind.QUARTERLY) if village else None
        who = self.ctx.who(self.unit)
        for item in self.items:
            if item.schedule_kind not in (ScheduleKind.MONTHLY, ScheduleKind.QUARTERLY):
                continue
            genre = _genre(item, core)
            for start, end, deadline in self._year_periods(item):
                # 新津区's villages all have their 2026 Q3 低保 list out, late or not.
                guaranteed = item is subsistence and start == GUARANTEED_QUARTER
                day = self._year_day(item, end, deadline, guaranteed=guaranteed)
                if day is None:
                    continue
                info = self.ctx.workdays.between(self.year_rng, self.ctx.workdays.add(end, 1), day)
                if item is core:
                    title = f"{who}{period_label(item.schedule_kind, start)}村务公开"
                else:
                    title = title_for(
                        self.ctx,
                        self.unit,
                        item,
                        genre_of(item),
                        self.year_rng,
                        period_start=start,
                        info_date=info,
                    )
                plan = self._plan(
                    item,
                    title,
                    info,
                    day,
                    rng=self.year_rng,
                    genre=genre,
                    period_start=start,
                    period_end=end,
                )
                plan.keep = guaranteed or plan.title == MARKER_TITLE


def _genre(item: CatalogItem, core: CatalogItem | None) -> str:
    """Which body the item's routine record gets: the village's quarterly 村务公开 its
    own, lists their tables, the monthly village accounts theirs, the rest `ROUTINE`."""
    if item is core:
        return "village_affairs"
    genre = genre_of(item)
    if genre == "list" or (genre == "finance" and item.level2 == "财务收支明细"):
        return genre
    return ROUTINE


# --- the short bodies ---------------------------------------------------------------------


def _money(rng: random.Random, low: float, high: float) -> str:
    return yuan(rng.uniform(low, high))


def _account(rng: random.Random, low: float, high: float) -> str:
    opening = rng.uniform(low, high)
    added, spent = rng.uniform(0, high / 3), rng.uniform(0, high / 3)
    spent = min(spent, opening + added)
    return (
        f"期初余额{yuan(opening)}元，本期增加{yuan(added)}元、减少{yuan(spent)}元，"
        f"期末余额{yuan(opening + added - spent)}元。"
    )


DONATION_USES = ("困难群众慰问", "院落微更新", "老年助餐点运营", "困难学生助学")
# (word in the item's name, the figures of one period); `when` is 本月 or 本季度.
FIGURES = (
    (
        "三会一课",
        lambda rng, when: (
            f"{when}召开支部党员大会{rng.randint(1, 2)}次、支部委员会{rng.randint(3, 6)}次、"
            f"党小组会{rng.randint(2, 6)}次，书记讲党课1次，开展主题党日活动{rng.randint(3, 4)}次，"
            f"党员参加{rng.randint(40, 160)}人次。"
        ),
    ),
    (
        "党费",
        lambda rng, when: (
            f"{when}收缴党费{_money(rng, 800, 6_000)}元，已按规定全额上缴，无截留、挪用情况。"
        ),
    ),
    (
        "困难党员",
        lambda rng, when: (
            f"{when}走访慰问困难党员和老党员{rng.randint(2, 12)}人，"
            f"发放慰问金{_money(rng, 1_000, 8_000)}元。"
        ),
    ),
    (
        "宅基地",
        lambda rng, when: (
            f"{when}受理宅基地申请{(asked := rng.randint(0, 6))}户，经村民代表会议评议、"
            f"乡镇（街道）审核批准{(granted := rng.randint(0, asked))}户，"
            f"批准面积{granted * rng.randint(90, 150)}平方米；未批准的已书面告知理由。"
        ),
    ),
    (
        "养老保险",
        lambda rng, when: (
            f"{when}新增参保{rng.randint(2, 30)}人，为困难群体代缴保费{rng.randint(3, 25)}人、"
            f"{_money(rng, 300, 5_000)}元，按月领取待遇{rng.randint(150, 700)}人。"
        ),
    ),
    (
        "监督委员会",
        lambda rng, when: (
            f"{when}村务监督委员会列席村（居）民代表会议{rng.randint(1, 4)}次，"
            f"审核财务票据{rng.randint(20, 160)}张、金额{_money(rng, 20_000, 300_000)}元，"
            f"提出意见建议{rng.randint(0, 5)}条，均已落实。"
        ),
    ),
    (
        "捐赠",
        lambda rng, when: (
            f"{when}接收社会捐赠款{_money(rng, 0, 30_000)}元、物资{rng.randint(0, 6)}批次，"
            f"已用于{rng.choice(DONATION_USES)}，使用情况经村（居）务监督委员会核实。"
        ),
    ),
    (
        "林地",
        lambda rng, when: (
            f"集体土地{rng.randint(300, 3_000)}亩、林地{rng.randint(0, 800)}亩，"
            f"{when}新签发包合同{rng.randint(0, 4)}份，收取承包费{_money(rng, 0, 90_000)}元。"
        ),
    ),
    (
        "陪餐",
        lambda rng, when: (
            f"{when}开展食堂食品安全自查{rng.randint(4, 8)}次，留样{rng.randint(40, 70)}餐次，"
            f"学校负责人和家长代表陪餐{rng.randint(20, 60)}人次，未发现食品安全问题。"
        ),
    ),
    (
        "伙食费",
        lambda rng, when: (
            f"{when}收取伙食费{yuan(paid := rng.uniform(60_000, 400_000))}元，"
            f"支出{yuan(spent := paid * rng.uniform(0.93, 0.99))}元，"
            f"结余{yuan(paid - spent)}元，全部用于学生伙食。"
        ),
    ),
    (
        "民生实事",
        lambda rng, when: (
            f"今年{(n := rng.randint(6, 12))}个民生实事项目中"
            f"已完工{(done := rng.randint(1, n))}个、在建{n - done}个，"
            f"{rng.choice(PROJECT_WORKS)}等项目{when}完成投资{_money(rng, 50, 900)}万元。"
        ),
    ),
)


def routine_body(ctx: Context, plan: RecordPlan) -> str:
    """One paragraph of the period's figures, one of where to ask, the signature."""
    rng = random.Random(plan.body_seed)  # noqa: S311 - demo text
    unit, item = plan.unit, plan.item
    when = "本月" if item.schedule_kind == ScheduleKind.MONTHLY else "本季度"
    figures = next((say for word, say in FIGURES if word in item.level2), None)
    if figures is not None:
        facts = figures(rng, when)
    elif genre_of(item) == "finance":
        facts = _account(rng, 10_000, 600_000)
    else:
        facts = f"{when}办理相关事项{rng.randint(1, 12)}件，均已按规定程序办结。"
    label = period_label(item.schedule_kind, plan.period_start)
    what = item.level2 if item.level2.endswith(("情况", "结果")) else f"{item.level2}情况"
    if unit.kind == UnitKind.SCHOOL:
        ask = "学校家长委员会"
    elif unit.kind == UnitKind.VILLAGE_COMMITTEE:
        ask = "村（居）务监督委员会"
    else:
        ask = "党政办公室"
    return (
        _p(f"根据{basis_of(item)}，现将{ctx.who(unit)}{label}{what}公开如下：{facts}")
        + _p(
            _notice_window(ctx, plan.published_at.date()),
            f"如有疑问，请在此期间向{unit.name}或{ask}反映。",
        )
        + _signature(unit, plan.info_date)
    )
