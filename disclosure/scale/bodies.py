"""The bodies of the scale records: the demo's texts (disclosure.demo.bodies and
coverage) cut in three, so that two million of them cost little to write and to index.

* the head names the unit and the period ("现将平岗社区2026年第三季度低保对象名单情况公示如下："),
* the middle is one of a pool of variants: the figures, the tables of masked names, the
  accounts — what names no place, drawn once per variant from the demo's vocabulary,
* the tail holds the record's dates and the signature.

Each part ends on punctuation, so the search document of the whole body is the documents
of its parts one after the other (disclosure.search.document splits there anyway): the
middle's is computed once per variant, in Python and in PostgreSQL, and a record only
pays for its head and tail. The rarer genres (policy documents and their interpretations,
projects, meetings, enforcement …, under a tenth of the records) are the demo's bodies
whole (`disclosure.demo.bodies.body_for`), all in the head.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from disclosure import search
from disclosure.demo.bodies import _notice_window, _p, _signature, _table, body_for
from disclosure.demo.context import Context, RecordPlan
from disclosure.demo.coverage import FIGURES, ROUTINE, _account
from disclosure.demo.texts import (
    DECISIONS,
    FINANCE_REASONS,
    PROJECT_WORKS,
    basis_of,
    cn_date,
    company,
    genre_of,
    masked_name,
    period_label,
    yuan,
)
from disclosure.models import ScheduleKind
from portal.models import UnitKind

# Variants drawn per middle (per kind of table, of figures, of county for 低保 lists).
VARIANTS_PER_KEY = 24
# The markup of our own templates: tags without attributes that could hide a '>'.
_TAG = re.compile(r"<[^>]*>")


def plain_text(body_html: str) -> str:
    """search.plain_text for the markup written here, without HTMLParser's cost (the
    tests check that both agree)."""
    return html.unescape(_TAG.sub("", body_html))


class Lexicon:
    """search.lexemes with each run's lexemes remembered: the same names, dates and
    phrases recur in millions of titles, heads and tails."""

    LIMIT = 400_000  # runs remembered before starting afresh

    def __init__(self) -> None:
        self.known: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        known = self.known
        if len(known) > self.LIMIT:
            known.clear()
        found: list[str] = []
        for run in search.runs(text):
            lexemes = known.get(run)
            if lexemes is None:
                lexemes = known[run] = search.lexemes(run)
            found += lexemes
        return found

    def of_html(self, body_html: str) -> list[str]:
        """The lexemes of a piece of body (search.document of its plain text)."""
        return self(plain_text(body_html)) if body_html else []


def words(body_html: str) -> list[str]:
    return search.lexemes(plain_text(body_html)) if body_html else []


@dataclass(frozen=True)
class Parts:
    head: str
    middle: Hashable | None  # the variant key, or None for no middle
    tail: str = ""


# --- the middles: one function per kind of middle, from the variant's own generator ---


def _figures_middle(rng: random.Random, key: tuple) -> str:
    _kind, word, when = key
    if word == "finance":
        return _p(_account(rng, 10_000, 600_000))
    if word:
        say = next(say for figure_word, say in FIGURES if figure_word == word)
        return _p(say(rng, when))
    return _p(f"{when}办理相关事项{rng.randint(1, 12)}件，均已按规定程序办结。")


def _village_affairs_middle(rng: random.Random, key: tuple) -> str:
    spending = rng.uniform(20_000, 260_000)
    project = rng.choice(PROJECT_WORKS)
    return (
        _p(
            f"一、村（居）民代表会议。本季度召开村（居）民代表会议{rng.randint(1, 4)}次，",
            f"审议通过{rng.choice(DECISIONS)}等事项{rng.randint(1, 5)}项。",
        )
        + _p(
            f"二、惠民政策落实。享受城乡低保{rng.randint(2, 30)}户、",
            f"特困供养{rng.randint(0, 5)}人，",
            f"发放残疾人两项补贴{yuan(rng.uniform(2_000, 20_000))}元。",
        )
        + _p(
            f"三、集体项目。{project}已完成投资{yuan(spending)}元，",
            f"由{company(rng)}实施，{rng.choice(('已竣工验收', '正在施工', '完成招标'))}。",
        )
    )


def _list_middle(rng: random.Random, key: tuple) -> str:
    _kind, households, county, where_head, wheres = key
    subsistence = bool(county)
    standard = (
        random.Random(county).choice((580, 620, 650, 700))  # noqa: S311 - as the demo's
        if subsistence
        else rng.randint(100, 900)
    )
    rows, people, total = [], 0, 0.0
    for number in range(1, rng.randint(3, 9) + 1):
        size = rng.randint(1, 4) if households else 1
        amount = standard * size * rng.uniform(0.5, 1.0)
        people += size
        total += round(amount, 2)
        row = (number, masked_name(rng), rng.choice(wheres), size, yuan(amount))
        rows.append(row if households else row[:3] + row[4:])
    head = ("序号", "姓名", where_head, "保障人数", "发放金额（元）")
    parts = [_table(head if households else head[:3] + head[4:], rows)]
    if subsistence:
        parts.append(_p(f"{county}城乡最低生活保障标准为每人每月{standard}元，按差额发放。"))
    parts.append(
        _p(
            f"本期共{len(rows)}户{people}人，" if households else f"本期共{people}人，",
            f"发放金额合计{yuan(total)}元。",
        )
    )
    return "".join(parts)


def _village_finance_middle(rng: random.Random, key: tuple) -> str:
    income = [
        ("上级补助收入", rng.uniform(20_000, 180_000)),
        ("集体资产发包及上交收入", rng.uniform(5_000, 90_000)),
        ("公共服务和社会管理专项资金", rng.uniform(50_000, 300_000)),
    ]
    spending = [
        ("公共服务支出", rng.uniform(10_000, 150_000)),
        ("村（社区）干部报酬", rng.uniform(30_000, 90_000)),
        ("办公及会议支出", rng.uniform(2_000, 15_000)),
    ]
    rows = [("收入", n, yuan(a)) for n, a in income] + [("支出", n, yuan(a)) for n, a in spending]
    balance = sum(a for _n, a in income) - sum(a for _n, a in spending)
    return _table(("类别", "项目", "金额（元）"), rows) + _p(f"本期结余{yuan(balance)}元。")


def _budget_middle(rng: random.Random, key: tuple) -> str:
    total = rng.uniform(800, 60_000)
    change = rng.uniform(-12, 15)
    three = rng.uniform(5, 120)
    return (
        _p(
            f"一、收支总体情况。收支总预算{yuan(total)}万元，",
            f"比上年{'增加' if change >= 0 else '减少'}{abs(change):.1f}%，",
            f"主要原因是{rng.choice(FINANCE_REASONS)}。",
        )
        + _p(
            f"二、“三公”经费情况。“三公”经费{yuan(three)}万元，其中公务接待费",
            f"{yuan(three * rng.uniform(0.05, 0.2))}万元，未安排因公出国（境）费用。",
        )
        + _p("三、其他说明。机关运行经费、政府采购和国有资产占有使用情况详见附表。")
    )


def _notice_middle(rng: random.Random, key: tuple) -> str:
    _kind, elements = key
    return _p(f"主要内容包括：{elements.rstrip('。')}。")


MIDDLES: dict[str, tuple[Callable[[random.Random, tuple], str], int]] = {
    # kind of middle: (its function, how many variants per key)
    "figures": (_figures_middle, VARIANTS_PER_KEY),
    "village_affairs": (_village_affairs_middle, VARIANTS_PER_KEY),
    "list": (_list_middle, VARIANTS_PER_KEY),
    "village_finance": (_village_finance_middle, VARIANTS_PER_KEY),
    "budget": (_budget_middle, VARIANTS_PER_KEY),
    "notice": (_notice_middle, 1),  # the item's elements: nothing to vary
}


@dataclass
class Variant:
    id: int
    html: str
    vector: str  # the literal of its weight-B tsvector, positions from 1


@dataclass
class VariantPool:
    """The middles, made on first use. A variant's id is a digest of what it is (its key
    and index under the seed), so that processes rendering different records agree on
    it without asking each other. `fresh` holds the variants made since it was last
    emptied (the writer sends them to the database before the records that use them)."""

    seed: int
    by_key: dict[tuple[Hashable, int], Variant] = field(default_factory=dict)
    fresh: list[Variant] = field(default_factory=list)

    def pick(self, key: tuple, draw: int) -> Variant:
        make, count = MIDDLES[key[0]]
        index = draw % count
        variant = self.by_key.get((key, index))
        if variant is None:
            name = f"{self.seed}:scale:body:{key!r}:{index}"
            text = make(random.Random(name), key)  # noqa: S311 - demo text
            digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
            variant = Variant(
                id=int.from_bytes(digest, "big") >> 1 or 1,  # a positive bigint; 0 is "none"
                html=text,
                vector=search.vector_literal(words(text), "B"),
            )
            self.by_key[key, index] = variant
            self.fresh.append(variant)
        return variant


# --- the heads and tails, genre by genre ----------------------------------------------

_VERIFIED = ("入户调查、民主评议", "村（居）民代表会议评议", "信息比对、入户核查")


def _label(plan: RecordPlan) -> str:
    if plan.period_start:
        return period_label(plan.item.schedule_kind, plan.period_start)
    return f"{plan.info_date.year}年"


def _routine(ctx: Context, plan: RecordPlan) -> Parts:
    unit, item = plan.unit, plan.item
    when = "本月" if item.schedule_kind == ScheduleKind.MONTHLY else "本季度"
    word = next((word for word, _say in FIGURES if word in item.level2), "")
    if not word and genre_of(item) == "finance":
        word = "finance"
    label = period_label(item.schedule_kind, plan.period_start)
    what = item.level2 if item.level2.endswith(("情况", "结果")) else f"{item.level2}情况"
    if unit.kind == UnitKind.SCHOOL:
        ask = "学校家长委员会"
    elif unit.kind == UnitKind.VILLAGE_COMMITTEE:
        ask = "村（居）务监督委员会"
    else:
        ask = "党政办公室"
    return Parts(
        head=_p(f"根据{basis_of(item)}，现将{ctx.who(unit)}{label}{what}公开如下："),
        middle=("figures", word, when),
        tail=_p(
            _notice_window(ctx, plan.published_at.date()),
            f"如有疑问，请在此期间向{unit.name}或{ask}反映。",
        )
        + _signature(unit, plan.info_date),
    )


def _village_affairs(ctx: Context, plan: RecordPlan) -> Parts:
    label = period_label(plan.item.schedule_kind, plan.period_start) if plan.period_start else ""
    return Parts(
        head=_p(
            f"为保障群众的知情权、参与权和监督权，现将{ctx.who(plan.unit)}{label}村（居）务公开如下："
        ),
        middle=("village_affairs",),
        tail=_p(
            f"如有疑问，请于{cn_date(ctx.workdays.add(plan.published_at.date(), 7))}前",
            "向本委员会或村（居）务监督委员会反映。",
        )
        + _signature(plan.unit, plan.info_date),
    )


def _list(ctx: Context, plan: RecordPlan) -> Parts:
    unit, item = plan.unit, plan.item
    who, county = ctx.who(unit), ctx.county(unit)
    if unit.kind == UnitKind.VILLAGE_COMMITTEE:
        where_head, wheres = "所在组", tuple(f"{n}组" for n in range(1, 13))
    else:
        where_head = "所在村（社区）"
        wheres = tuple(ctx.villages_in.get(unit.region_id[:9] + "000") or [who])
    subsistence = "低保" in plan.title or "最低生活保障" in item.level2
    households = subsistence or any(w in item.level2 for w in ("临时救助", "返贫", "危房"))
    verified = _VERIFIED[plan.body_seed % len(_VERIFIED)]
    return Parts(
        head=_p(
            f"根据{basis_of(item)}等有关规定，经{verified}，",
            f"{ctx.township(unit) or county}审核、{county}民政局审批确认，",
            f"现将{who}{_label(plan)}{item.level2}情况公示如下：",
        ),
        middle=("list", households, county if subsistence else "", where_head, wheres),
        tail=_p(
            _notice_window(ctx, plan.published_at.date()),
            f"如有异议，请在公示期内向{unit.name}反映。",
        )
        + _signature(unit, plan.info_date),
    )


def _finance(ctx: Context, plan: RecordPlan) -> Parts:
    unit, item = plan.unit, plan.item
    who, label = ctx.who(unit), _label(plan)
    if unit.kind == UnitKind.VILLAGE_COMMITTEE:
        return Parts(
            head=_p(f"现将{who}{label}财务收支情况公开如下："),
            middle=("village_finance",),
            tail=_p(
                f"以上收支已经{ctx.township(unit)}农村集体经济组织代理记账中心审核入账，",
                "原始凭证可在村（社区）便民服务站查阅。",
            )
            + _signature(unit, plan.info_date),
        )
    return Parts(
        head=_p(f"按照{basis_of(item)}规定，现将{who}{label}{item.level2}公开如下。"),
        middle=("budget",),
        tail=_signature(unit, plan.info_date),
    )


def _notice(ctx: Context, plan: RecordPlan) -> Parts:
    unit, item = plan.unit, plan.item
    return Parts(
        head=_p(f"根据{basis_of(item)}要求，现将{ctx.who(unit)}{item.level2}公开如下。"),
        middle=("notice", item.elements),
        tail=_p(f"本信息自{cn_date(plan.info_date)}起生效，如有变化将在{item.time_limit}更新。")
        + _signature(unit, plan.info_date),
    )


SPLIT: dict[str, Callable[[Context, RecordPlan], Parts]] = {
    ROUTINE: _routine,
    "village_affairs": _village_affairs,
    "list": _list,
    "finance": _finance,
    "notice": _notice,
}


def parts_for(ctx: Context, plan: RecordPlan) -> Parts:
    split = SPLIT.get(plan.genre)
    if split is None:
        return Parts(head=body_for(ctx, plan), middle=None)
    return split(ctx, plan)
