"""Where the funds' publications are. The records of the city are the disclosure
loader's (disclosure.scale runs first and writes them by the demo's recipes: every
village keeps up its quarterly 村务公开 and now and then publishes under its other
items); this loader adds only the records of the current quarter, which no quarterly
bulletin has reported yet, and points everything else at what is there:

- a stage of a project: a record of the village's own item for it (议决 for proposed and
  approved, 实施、验收和群众评议 for the rest) from the day it was reached to
  STAGE_LINK_DAYS later; else the village's quarterly report on its special funds
  (专项资金收支) of that quarter, or its quarterly 村务 bulletin, or the next quarter's;
- a monthly statement: the village's 财务收支明细 record of that month; else the same
  quarterly reports (finance is published at least quarterly);
- in the current quarter, each stage gets its own record as stage_publish writes it
  (title and notes of the services, the demo's short body), a few days after it was
  reached, now and then not at all outside 新津区 (the monitoring finds those); each
  statement that is due, its record as statement_publish writes it.

What finds no record stays unpublished, and the monitoring flags it as it would.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left
from collections import defaultdict

from django.utils import translation

from disclosure import catalogs
from disclosure.demo import Context as RecordContext
from disclosure.demo import RecordPlan, records_write
from disclosure.demo.planner import village_core_item
from disclosure.models import CatalogItem, Record, RecordStatus
from funds.models import FundProject, LedgerEntry, MonthlyStatement, Stage
from funds.scale.projects import Plan
from funds.selectors import ledger as selectors
from funds.services.ledger import (
    RECORD_LANGUAGE,
    STATEMENT_ITEM,
    statement_record_body,
    statement_title,
)
from funds.services.projects import DELIVERY_ITEM, PROPOSAL_ITEM, record_title
from portal.models import UnitKind

# A stage's record of the village's own item is looked for this many days after it.
STAGE_LINK_DAYS = 30
# The village's quarterly publication of its special funds (disclosure/catalogs/village.yaml).
FUNDS_QUARTERLY = "村级公共服务和社会管理专项资金收支"
# Outside 新津区, now and then a stage of the current quarter is not published.
UNPUBLISHED_SHARE = 0.03


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


class Published:
    """The published records of the village committees that funds can point at."""

    def __init__(self, first: dt.date, committee) -> None:
        template = catalogs.catalog_for_unit(committee)
        items = list(template.items.order_by("seq")) if template else []
        core = village_core_item(items)
        self.items = {item.level2: item for item in items}
        # The quarterly reports a stage or a month is found in, the one about the special
        # funds first, then the village's 村务 bulletin.
        quarterly = [FUNDS_QUARTERLY, *([core.level2] if core else [])]
        self.quarterly: dict[str, dict[int, list]] = {
            level2: defaultdict(list) for level2 in quarterly
        }
        self.own: dict[tuple[int, str], list[tuple[dt.date, int]]] = defaultdict(list)
        self.statements: dict[tuple[int, dt.date], tuple[int, dt.datetime]] = {}
        # The items of every version of the village catalog with these names: records
        # keep the item of the version they were published under.
        levels = dict(
            CatalogItem.objects.filter(
                template__key=template.key if template else "",
                level2__in=[PROPOSAL_ITEM, DELIVERY_ITEM, STATEMENT_ITEM, *quarterly],
            ).values_list("pk", "level2")
        )
        records = Record.objects.filter(
            item_id__in=list(levels),
            unit_kind=UnitKind.VILLAGE_COMMITTEE,
            status=RecordStatus.PUBLISHED,
            info_date__gte=first - dt.timedelta(days=120),
        )
        for unit_id, item_id, period, info, pk, published in records.values_list(
            "unit_id", "item_id", "period_start", "info_date", "pk", "published_at"
        ):
            level2 = levels[item_id]
            if level2 in self.quarterly and period is not None:
                self.quarterly[level2][unit_id].append((period, pk, published))
            elif level2 == STATEMENT_ITEM and period is not None:
                self.statements.setdefault((unit_id, period), (pk, published))
            elif level2 in (PROPOSAL_ITEM, DELIVERY_ITEM):
                self.own[(unit_id, level2)].append((info, pk))
        for by_unit in self.quarterly.values():
            for found in by_unit.values():
                found.sort()
        for found in self.own.values():
            found.sort()

    def bulletin(self, unit_id: int, day: dt.date) -> tuple[int, dt.datetime] | None:
        """(record id, published at) of the village's quarterly report of the quarter of
        `day` (the special funds' one, else its 村务 bulletin), or of the next quarter
        it published one."""
        start = (quarter_start(day),)
        for by_unit in self.quarterly.values():
            found = by_unit.get(unit_id)
            if found:
                index = bisect_left(found, start)
                if index < len(found):
                    return found[index][1:]
        return None


def _item_of(stage: str, approved: bool) -> str:
    if stage == Stage.CANCELLED:
        return DELIVERY_ITEM if approved else PROPOSAL_ITEM
    return PROPOSAL_ITEM if stage in (Stage.PROPOSED, Stage.APPROVED) else DELIVERY_ITEM


def stage_records(
    plans: list[Plan],
    published: Published,
    today: dt.date,
    now: dt.datetime,
    rng: random.Random,
    moments,
    admin: int,
) -> tuple[dict[tuple[int, str], int], int]:
    """(project id, stage) → record id, and how many records were written here."""
    current = quarter_start(today)
    used: set[int] = set()
    links: dict[tuple[int, str], int] = {}
    fresh: list[tuple[tuple[int, str], RecordPlan]] = []
    window = dt.timedelta(days=STAGE_LINK_DAYS)
    random_ = rng.random
    for plan in plans:
        committee = plan.village.committee
        approved = plan.day_of(Stage.APPROVED) is not None
        for stage, day in plan.reached:
            level2 = _item_of(stage, approved)
            if day >= current:
                if not plan.village.in_xinjin and random_() < UNPUBLISHED_SHARE:
                    continue
                when = moments.at(day + dt.timedelta(days=1 + int(random_() * 3)), 10)
                if when <= now and level2 in published.items:
                    fresh.append(
                        ((plan.pk, stage), _stage_plan(plan, stage, day, level2, when, published))
                    )
                continue
            candidates = published.own.get((committee.pk, level2), [])
            index = bisect_left(candidates, (day, 0))
            while index < len(candidates) and candidates[index][0] <= day + window:
                if candidates[index][1] not in used:
                    used.add(candidates[index][1])
                    links[(plan.pk, stage)] = candidates[index][1]
                    break
                index += 1
            else:
                record = published.bulletin(committee.pk, day)
                if record is not None:
                    links[(plan.pk, stage)] = record[0]
    written = _write(fresh, today, admin)
    links.update((key, plan.record.pk) for key, plan in fresh)
    return links, written


def _stage_plan(plan: Plan, stage: str, day: dt.date, level2, when, published) -> RecordPlan:
    from funds.scale.project_rows import _stage_note

    with translation.override(RECORD_LANGUAGE):
        title = record_title(FundProject(name=plan.name), stage)
        label = str(Stage(stage).label)
    return RecordPlan(
        unit=plan.village.committee,
        item=published.items[level2],
        genre="fund",
        title=title,
        info_date=day,
        published_at=when,
        body_seed=0,
        # The demo's short body of a stage (funds.demo.projects._publish_stages).
        body=(
            f"<p>项目名称：{plan.name}</p><p>预算：{plan.budget / 100:,.2f}元</p>"
            f"<p>阶段：{label}（{day:%Y年%m月%d日}）</p><p>{_stage_note(plan, stage, day)}</p>"
        ),
    )


def _write(fresh: list[tuple[object, RecordPlan]], today: dt.date, admin: int) -> int:
    """The records through the demo's bulk writer (search vectors computed with them)."""
    if not fresh:
        return 0
    first = min(plan.info_date for _key, plan in fresh)
    record_ctx = RecordContext.load(fallback_author=admin, first_day=first, last_day=today)
    return records_write(record_ctx, [plan for _key, plan in fresh])


def statement_links(books, published: Published, today: dt.date) -> dict:
    """(collective id, month) → (record id, published at): the village's 财务收支明细 of
    the month, else (before this quarter) its quarterly bulletin."""
    current = quarter_start(today)
    links = {}
    for book in books:
        committee = book.village.committee.pk
        for month in book.months:
            start = month.start
            record = published.statements.get((committee, start))
            if record is None and start < current:
                record = published.bulletin(committee, start)
            if record is not None:
                links[(book.collective.pk, start)] = record
    return links


def statements_publish(
    books,
    published: Published,
    today: dt.date,
    now: dt.datetime,
    rng: random.Random,
    moments,
    admin: int,
) -> int:
    """The current quarter's statements that are due, published as statement_publish
    does (its title and body) a few days into the next month; a group's with its
    village's record. Returns how many records were written."""
    current = quarter_start(today)
    item = published.items.get(STATEMENT_ITEM)
    if item is None:
        return 0
    statements = list(
        MonthlyStatement.objects.filter(month__gte=current, record__isnull=True)
        .select_related("collective")
        .order_by("collective_id", "month")
    )
    committees = {book.collective.pk: book.village.committee for book in books}
    due, groups = [], []
    for statement in statements:
        if statement.collective.group_name:
            groups.append(statement)
            continue
        day = selectors.month_end(statement.month) + dt.timedelta(days=1 + int(rng.random() * 8))
        when = moments.at(day, 9 + int(rng.random() * 8))
        if when <= now:
            due.append((statement, day, when))
    # The entries of those months only (with what the published table shows of them).
    entries = defaultdict(list)
    for entry in (
        LedgerEntry.objects.filter(
            collective_id__in={s.collective_id for s, _d, _w in due}, booked_on__gte=current
        )
        .select_related("subject", "corrects")
        .order_by("booked_on", "pk")
    ):
        entries[(entry.collective_id, entry.booked_on.replace(day=1))].append(entry)
    fresh = []
    with translation.override(RECORD_LANGUAGE):
        for statement, day, when in due:
            month = statement.month
            plan = RecordPlan(
                unit=committees[statement.collective_id],
                item=item,
                genre="statement",
                title=statement_title(statement.collective, month)[:200],
                info_date=day,
                published_at=when,
                body_seed=0,
                period_start=month,
                period_end=selectors.month_end(month),
                body=statement_record_body(
                    statement, entries.get((statement.collective_id, month), [])
                ),
            )
            fresh.append((statement, plan))
    written = _write(fresh, today, admin)
    done = {}
    for statement, plan in fresh:
        statement.record_id, statement.published_at = plan.record.pk, plan.published_at
        done[(statement.collective.region_id, statement.month)] = statement
    for statement in groups:
        lead = done.get((statement.collective.region_id, statement.month))
        if lead is not None:
            statement.record_id, statement.published_at = lead.record_id, lead.published_at
            fresh.append((statement, None))
    MonthlyStatement.objects.bulk_update(
        [statement for statement, _plan in fresh], ["record", "published_at"], batch_size=2000
    )
    return written
