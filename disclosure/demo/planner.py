"""Which units publish what, and when: the records of one unit, planned from its own
seeded generator — the periodic items it keeps up (and how late), the occasional
notices, the policy documents with their interpretations and responses."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from disclosure.demo.context import (
    Context,
    RecordPlan,
    office_time,
)
from disclosure.demo.subjects import (
    POLICY_SUBJECTS,
)
from disclosure.demo.texts import (
    document_number,
    genre_of,
    period_label,
    title_for,
)
from disclosure.models import (
    CatalogItem,
    CatalogTemplate,
    InterpretationForm,
    RecordKind,
    ScheduleKind,
    Scope,
)
from disclosure.services import SCOPES_BY_UNIT_KIND, period_bounds
from portal.demo.geography import PINGGANG_CODE, WUJIN_CODE
from portal.models import Unit, UnitKind


@dataclass(frozen=True)
class Recipe:
    """How much one kind of unit publishes at density 1 (the 40,000-record demo)."""

    yearly: tuple[int, int]  # how many yearly items the unit keeps up, from..to
    quarterly: tuple[int, int]  # how many quarterly items the unit keeps up, from..to
    monthly: float  # chance that the unit keeps up one monthly item
    on_change: float  # mean number of other records
    policies: float  # mean number of policy documents (each with interpretations)
    # Items chosen first when the unit follows a periodic item (substrings of the names).
    preferred: tuple[str, ...] = ()
    # Units that joined the platform in the course of 2025 publish from then on.
    staggered_start: bool = False


RECIPES: dict[str, Recipe] = {
    "village": Recipe((0, 1), (0, 0), 0.02, 0.7, 0.0, staggered_start=True),
    "township": Recipe((1, 2), (1, 3), 0.45, 8.0, 0.15, preferred=("年度报告", "最低生活保障")),
    "county_department": Recipe((2, 2), (0, 0), 0.0, 5.5, 0.7, preferred=("年度报告",)),
    "city_department": Recipe((2, 2), (0, 0), 0.0, 14.0, 1.3, preferred=("年度报告",)),
    "education_bureau": Recipe((1, 2), (0, 1), 0.0, 22.0, 1.2, preferred=("年度报告",)),
    "school": Recipe((0, 1), (0, 1), 0.04, 1.3, 0.0),
}
DEFAULT_RECIPE = Recipe((0, 1), (0, 1), 0.0, 4.0, 0.3, preferred=("年度报告",))
# Villages keep up their quarterly 村务 item, and a few follow one more quarterly item.
VILLAGE_EXTRA_QUARTERLY = 0.1


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:  # Knuth's method underflows slowly; the normal is close enough here
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


ON_CHANGE_KINDS = (ScheduleKind.ON_CHANGE, ScheduleKind.IMMEDIATE)
CHAIN_GENRES = {"policy", "interpretation", "response"}


def find_item(
    items: Sequence[CatalogItem], words: Iterable[str], kind: str | None = None
) -> CatalogItem | None:
    """The first item whose names contain one of `words` (and of schedule `kind`)."""
    words = tuple(words)
    for item in items:
        if kind is not None and item.schedule_kind != kind:
            continue
        if any(word in item.level1 + item.level2 for word in words):
            return item
    return None


def village_core_item(items: Sequence[CatalogItem]) -> CatalogItem | None:
    """The quarterly 村务 item under which villages publish their 村务公开."""
    for item in items:
        if "村务" in item.level1 and item.schedule_kind == ScheduleKind.QUARTERLY:
            return item
    return None


class UnitPlanner:
    """The records of one unit, from its own generator: the same seed and unit give the
    same records whichever other units are planned with it."""

    def __init__(
        self,
        ctx: Context,
        unit: Unit,
        template: CatalogTemplate,
        items: Sequence[CatalogItem],
        *,
        seed: int,
        density: float,
    ) -> None:
        self.ctx, self.unit, self.template = ctx, unit, template
        self.rng = random.Random(f"{seed}:records:{unit.region_id}:{unit.name}")  # noqa: S311
        allowed = SCOPES_BY_UNIT_KIND.get(unit.kind, {Scope.PUBLIC})
        # An item whose scope this kind of unit cannot use is left alone (services refuse it).
        self.items = [item for item in items if item.scope in allowed]
        self.recipe = RECIPES.get(template.key, DEFAULT_RECIPE)
        self.density = density
        # The demo's model village and street office keep every deadline.
        self.model = unit.region_id in (PINGGANG_CODE, WUJIN_CODE)
        # How reliably this unit publishes on time: most do, some lag badly.
        self.diligence = 1.0 if self.model else self.rng.betavariate(5, 1.5)
        self.start = ctx.first_day
        if self.recipe.staggered_start and not self.model:
            quarter = self.rng.randrange(5)  # joined in 2025 Q1 … 2026 Q1
            self.start = dt.date(ctx.first_day.year + quarter // 4, quarter % 4 * 3 + 1, 1)
        self.plans: list[RecordPlan] = []
        self.titles: set[str] = set()

    # -- helpers

    def _plan(
        self,
        item: CatalogItem,
        title: str,
        info: dt.date,
        day: dt.date,
        *,
        rng: random.Random | None = None,
        **kw,
    ) -> RecordPlan:
        rng = rng or self.rng
        plan = RecordPlan(
            unit=self.unit,
            item=item,
            genre=kw.pop("genre", None) or genre_of(item),
            title=title[:200],
            info_date=info,
            published_at=office_time(rng, day),
            body_seed=rng.getrandbits(32),
            **kw,
        )
        self.plans.append(plan)
        self.titles.add(plan.title)
        return plan

    def _publication(
        self, earliest: dt.date, deadline: dt.date, *, certain: bool = False
    ) -> dt.date | None:
        """When the unit publishes something due by `deadline`; None if it has not (yet)."""
        workdays, lag = self.ctx.workdays, 1 - self.diligence
        roll = self.rng.random()
        if not certain and roll < 0.3 * lag:
            return None
        if not certain and roll < 0.75 * lag:
            day = workdays.add(deadline, self.rng.randint(3, 30))
        else:
            day = workdays.between(self.rng, earliest, deadline)
        if day > self.ctx.last_day or day < self.start:
            return None
        return day

    def _deadline(self, item: CatalogItem, period_end: dt.date) -> dt.date:
        if item.schedule_kind == ScheduleKind.YEARLY:
            year, month = period_end.year + 1, item.schedule_month or 1
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, min(item.schedule_day or 1, last))
        return self.ctx.workdays.add(period_end, item.schedule_days or 10)

    def period_starts(self, item: CatalogItem) -> list[dt.date]:
        """Periods whose deadline falls in the demo's span, from the unit's start on."""
        kind, first, last = item.schedule_kind, self.ctx.first_day, self.ctx.last_day
        if kind == ScheduleKind.YEARLY:
            candidates = [dt.date(year, 1, 1) for year in range(first.year - 1, last.year + 1)]
        else:
            step = 3 if kind == ScheduleKind.QUARTERLY else 1
            candidates, month = (
                [],
                dt.date(self.start.year, (self.start.month - 1) // step * step + 1, 1),
            )
            while month <= last:
                candidates.append(month)
                index = month.month - 1 + step
                month = dt.date(month.year + index // 12, index % 12 + 1, 1)
        starts = []
        for start in candidates:
            end = period_bounds(kind, start)[1]
            deadline = self._deadline(item, end)
            if first <= deadline <= last and (kind == ScheduleKind.YEARLY or start >= self.start):
                starts.append(start)
        return starts

    # -- what gets published

    def periodic(
        self, item: CatalogItem, *, subject: str | None = None, genre: str | None = None
    ) -> None:
        who = self.ctx.who(self.unit)
        for start in self.period_starts(item):
            end = period_bounds(item.schedule_kind, start)[1]
            deadline = self._deadline(item, end)
            earliest = (
                max(dt.date(end.year + 1, 1, 2), deadline - dt.timedelta(days=40))
                if item.schedule_kind == ScheduleKind.YEARLY
                else self.ctx.workdays.add(end, 1)
            )
            day = self._publication(earliest, deadline, certain=self.model)
            if day is None:
                continue
            info = self.ctx.workdays.between(self.rng, earliest, day)
            kind_genre = genre or genre_of(item)
            if subject is not None:
                title = f"{who}{period_label(item.schedule_kind, start)}{subject}"
            else:
                title = title_for(
                    self.ctx,
                    self.unit,
                    item,
                    kind_genre,
                    self.rng,
                    period_start=start,
                    info_date=info,
                )
            self._plan(item, title, info, day, genre=kind_genre, period_start=start, period_end=end)

    def on_change(self, count: int) -> None:
        pool = [
            item
            for item in self.items
            if item.schedule_kind in ON_CHANGE_KINDS and genre_of(item) not in CHAIN_GENRES
        ]
        if not pool:
            return
        for _ in range(count):
            item = self.rng.choice(pool)
            genre = genre_of(item)
            if genre == "enrolment":
                # Enrolment notices go out in spring, ahead of the autumn term.
                years = [y for y in (2025, 2026) if dt.date(y, 6, 30) >= self.start]
                if not years:
                    continue
                year = self.rng.choice(years)
                info = self.ctx.workdays.between(
                    self.rng, max(self.start, dt.date(year, 4, 1)), dt.date(year, 6, 30)
                )
            else:
                info = self.ctx.workdays.between(self.rng, self.start, self.ctx.last_day)
            deadline = self.ctx.workdays.add(info, item.schedule_days or 20)
            day = self._publication(info, deadline, certain=True)
            if self.rng.random() < 0.4 * (1 - self.diligence):
                day = self.ctx.workdays.add(deadline, self.rng.randint(2, 20))
            if day is None or day > self.ctx.last_day:
                continue
            title = title_for(
                self.ctx, self.unit, item, genre, self.rng, period_start=None, info_date=info
            )
            if title in self.titles:  # the same notice twice reads as a mistake
                continue
            self._plan(item, title, info, day, genre=genre)

    def _chain_items(self) -> tuple[CatalogItem, CatalogItem, CatalogItem | None] | None:
        """The unit's items for policy documents, interpretations and responses."""
        policy_item = find_item(self.items, ("规范性文件",))
        reading_item = find_item(self.items, ("解读",))
        if policy_item is None or reading_item is None:
            return None
        return policy_item, reading_item, find_item(self.items, ("回应",))

    def policies(self, count: int) -> None:
        """Policy documents, each with one or two interpretations and now and then a
        response to public concern: 发布、解读、回应."""
        items = self._chain_items()
        if items is None:
            return
        county = self.ctx.county(self.unit) if self.unit.region_id[4:6] != "00" else "成都市"
        subjects = POLICY_SUBJECTS.get(self.unit.sector) or POLICY_SUBJECTS[""]
        if self.unit.kind == UnitKind.TOWNSHIP_OFFICE:
            county = self.ctx.township(self.unit)
        workdays = self.ctx.workdays
        for _ in range(count):
            subject = self.rng.choice(subjects).format(place=county)
            title = f"{self.unit.name}关于印发《{subject}》的通知"
            if title in self.titles:
                continue
            # Early enough that the document and its interpretations are out by the end.
            info = workdays.between(self.rng, self.start, self.ctx.last_day - dt.timedelta(45))
            day = workdays.add(info, self.rng.randint(1, items[0].schedule_days or 20))
            number = document_number(self.ctx, self.unit, info.year, self.rng)
            self._policy(items, title, subject, info, day, number)

    def _policy(
        self,
        items: tuple[CatalogItem, CatalogItem, CatalogItem | None],
        title: str,
        subject: str,
        info: dt.date,
        day: dt.date,
        number: str,
        issuer: str = "",
    ) -> RecordPlan:
        """One policy document published on `day`, with its interpretations and perhaps a
        response."""
        policy_item, reading_item, response_item = items
        workdays = self.ctx.workdays
        policy = self._plan(
            policy_item,
            title,
            info,
            day,
            genre="policy",
            kind=RecordKind.POLICY,
            document_number=number,
            subject=subject,
            issuer=issuer,
        )
        forms = [InterpretationForm.TEXT]
        if self.rng.random() < 0.5:
            forms.append(InterpretationForm.GRAPHIC)
        for form in forms:
            # The text goes out with the document; a graphic may follow within days.
            later = self.rng.randint(0, 3) if form == InterpretationForm.GRAPHIC else 0
            prefix = "图解：" if form == InterpretationForm.GRAPHIC else ""
            reading = self._plan(
                reading_item,
                f"{prefix}《{subject}》{'' if prefix else '政策解读'}",
                info,
                min(workdays.add(day, later), self.ctx.last_day),
                genre="interpretation",
                kind=RecordKind.INTERPRETATION,
                interpretation_form=form,
                policy=policy,
                subject=subject,
            )
            if reading.published_at.date() == day:
                reading.published_at = policy.published_at
        if response_item is not None and self.rng.random() < 0.15:
            later = workdays.add(day, self.rng.randint(10, 60))
            if later <= self.ctx.last_day:
                self._plan(
                    response_item,
                    f"关于《{subject}》有关问题的回应",
                    later,
                    later,
                    genre="response",
                    kind=RecordKind.RESPONSE,
                    policy=policy,
                    subject=subject,
                )
        return policy

    def _follow(self, kind: str, how_many: int, *, exclude: Iterable[CatalogItem] = ()) -> None:
        """Keep up `how_many` periodic items of `kind`, preferred ones first."""
        skip = {item.pk for item in exclude}
        candidates = [
            i
            for i in self.items
            if i.schedule_kind == kind and i.pk not in skip and genre_of(i) not in CHAIN_GENRES
        ]
        preferred = [
            i for i in candidates if any(w in i.level1 + i.level2 for w in self.recipe.preferred)
        ]
        others = [i for i in candidates if i not in preferred]
        self.rng.shuffle(others)
        for item in (preferred + others)[:how_many]:
            self.periodic(item)

    def plan(self) -> list[RecordPlan]:
        recipe, rng, density = self.recipe, self.rng, self.density
        if self.unit.kind == UnitKind.VILLAGE_COMMITTEE:
            self._plan_village()
        else:
            self._follow(ScheduleKind.QUARTERLY, round(rng.randint(*recipe.quarterly) * density))
        self._follow(ScheduleKind.YEARLY, rng.randint(*recipe.yearly))
        # The model township (五津街道) keeps its monthly 低保 list.
        monthly = self.unit.region_id == WUJIN_CODE or rng.random() < recipe.monthly * density
        if monthly:
            self._follow(ScheduleKind.MONTHLY, 1)
        self.on_change(poisson(rng, recipe.on_change * density))
        self.policies(poisson(rng, recipe.policies * density))
        return self.plans

    def _plan_village(self) -> None:
        core = village_core_item(self.items)
        if core is not None:
            self.periodic(core, subject="村务公开", genre="village_affairs")
        extra = poisson(self.rng, VILLAGE_EXTRA_QUARTERLY * self.density)
        self._follow(ScheduleKind.QUARTERLY, extra, exclude=[core] if core else [])
