"""The demo's published records: about 40,000 pieces of information published across the
city between 2025-01-01 and 2026-11-20, under the standard catalogs.

They are written in bulk — Record objects built in Python, inserted 2,000 at a time by
one statement that also computes their search vectors (see `records_write`) — not
through disclosure.services, which write one record, one audit row and one search
refresh at a time (minutes for a city).
The rows keep every invariant the services enforce: the unit's place and kind copied,
the item taken from the unit's current template, periods aligned with `period_bounds`,
the item's scope, publication on a working day in office hours, version 1.

Everything is drawn from generators seeded per unit (`random.Random(seed:unit)`), so the
same seed and the same units give the same records; the count is a parameter, so the
search benchmark (bench/search.py) builds a larger city from the same recipes.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import math
import random
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from disclosure import catalogs, search
from disclosure.models import (
    CatalogItem,
    CatalogTemplate,
    InterpretationForm,
    Record,
    RecordKind,
    RecordStatus,
    ScheduleKind,
    Scope,
)
from disclosure.services import SCOPES_BY_UNIT_KIND, period_bounds, sanitize
from portal.demo.geography import DEFAULT_SEED, PINGGANG_CODE, WUJIN_CODE, XINJIN_CODE
from portal.demo.people import SURNAMES
from portal.models import (
    AuditAction,
    CalendarDay,
    DayKind,
    Membership,
    MembershipRole,
    Region,
    Unit,
    UnitKind,
    User,
)
from portal.services.audit import audit_record

DEMO_RECORD_COUNT = 40_000
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2026, 11, 20)
BATCH_SIZE = 2000
# Present exactly when the demo's records are: demo_is_loaded() looks for it.
MARKER_TITLE = "平岗社区2026年第三季度村务公开"
# The quarter of the guaranteed records (the marker, 新津区's 低保 lists): 2026 Q3.
GUARANTEED_QUARTER = dt.date(2026, 7, 1)

# Villages that have published nothing yet, so completeness reports show a zero. 简阳市's
# first community is one of them on purpose: portal's demo tests delete its units to
# check that a reload completes a half-loaded demo, and published records (PROTECT)
# would forbid that.
SILENT_VILLAGES = frozenset({"510185001001", "510121100201", "510182100203"})
SILENT_SHARE = 0.01
WITHDRAWN_SHARE = 0.004

WITHDRAW_REASONS = (
    "信息内容有误，已更正后重新发布。",
    "与已发布信息重复，予以撤回。",
    "公示内容包含未经脱敏的个人信息，已撤回并按规定处理后重新公示。",
    "所附数据统计口径有误，核实后重新发布。",
    "该事项已按上级要求调整，原公告撤回。",
)


# --- the record plans --------------------------------------------------------------------


@dataclass
class RecordPlan:
    """One record to write, before it has an id. The body is rendered after the plans are
    trimmed to the requested count, from `body_seed`, so trimming costs no text."""

    unit: Unit
    item: CatalogItem
    genre: str
    title: str
    info_date: dt.date
    published_at: dt.datetime
    body_seed: int
    kind: str = RecordKind.ORDINARY
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    document_number: str = ""
    interpretation_form: str = ""
    policy: RecordPlan | None = None
    # The policy's short title, for the interpretation and response texts.
    subject: str = ""
    status: str = RecordStatus.PUBLISHED
    withdrawn_at: dt.datetime | None = None
    withdraw_reason: str = ""
    # Guaranteed by the demo (the marker, 新津区's 低保 lists): never trimmed or withdrawn.
    keep: bool = False
    body: str = ""
    record: Record | None = field(default=None, repr=False)

    def key(self) -> tuple:
        """What the record is, without ids: equal plans write equal rows."""
        return (
            self.unit.region_id,
            self.unit.name,
            self.item.template.key,
            self.item.seq,
            self.kind,
            self.title,
            self.body,
            self.info_date,
            self.published_at,
            self.period_start,
            self.period_end,
            self.document_number,
            self.status,
        )


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


# --- working days and times --------------------------------------------------------------


class WorkingDays:
    """Working days of the official calendar (as loaded in the database) over a span; on a
    database without a calendar, Monday to Friday."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        overrides = dict(
            CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind")
        )
        self.days: list[dt.date] = []
        day = first
        while day <= last:
            kind = overrides.get(day)
            if kind == DayKind.WORKDAY or (kind is None and day.weekday() < 5):
                self.days.append(day)
            day += dt.timedelta(days=1)

    def on_or_after(self, day: dt.date) -> dt.date:
        index = bisect.bisect_left(self.days, day)
        return self.days[min(index, len(self.days) - 1)]

    def add(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (as portal.workdays counts)."""
        index = bisect.bisect_right(self.days, day) + count - 1
        return self.days[min(max(index, 0), len(self.days) - 1)]

    def between(self, rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
        low = bisect.bisect_left(self.days, first)
        high = bisect.bisect_right(self.days, last) - 1
        if high < low:
            return self.on_or_after(first)
        return self.days[rng.randint(low, high)]


def office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """An instant in Asia/Shanghai office hours (9:00–12:00, 14:00–17:30) on `day`."""
    minute = rng.randrange(180) if rng.random() < 0.45 else 300 + rng.randrange(210)
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        9 + minute // 60,
        minute % 60,
        rng.randrange(60),
        tzinfo=timezone.get_default_timezone(),
    )


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


# --- names and periods -------------------------------------------------------------------

_CN_NUMBERS = "零一二三四五六七八九十"
_SECTOR_ABBR = {
    "development": "发改",
    "education": "教",
    "science": "科",
    "economy": "经信",
    "public_security": "公",
    "civil_affairs": "民",
    "justice": "司",
    "finance": "财",
    "human_resources": "人社",
    "natural_resources": "规资",
    "ecology": "环",
    "housing": "住建",
    "transport": "交",
    "water": "水",
    "agriculture": "农",
    "commerce": "商",
    "culture": "文旅",
    "health": "卫健",
    "veterans": "退役",
    "emergency": "应急",
    "audit": "审",
    "market": "市监",
    "statistics": "统",
    "medical_insurance": "医保",
    "urban_management": "城管",
    "approval": "审批",
}


def period_label(kind: str, start: dt.date) -> str:
    if kind == ScheduleKind.QUARTERLY:
        return f"{start.year}年第{_CN_NUMBERS[(start.month - 1) // 3 + 1]}季度"
    if kind == ScheduleKind.MONTHLY:
        return f"{start.year}年{start.month}月"
    return f"{start.year}年度"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(amount: float) -> str:
    return f"{amount:,.2f}"


def masked_name(rng: random.Random) -> str:
    """A surname and a star, as de-identified lists show people (张*)."""
    return rng.choice(SURNAMES) + "*"


def short_place(name: str) -> str:
    """新津 for 新津区, 成 for 成都市 (as document numbers abbreviate)."""
    if name == "成都市":
        return "成"
    for suffix in ("街道", "区", "县", "市", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


# --- the units' context -------------------------------------------------------------------


@dataclass
class Context:
    """What the planner knows about the city: place names, authors, working days."""

    names: dict[str, str]
    villages_in: dict[str, list[str]]  # township code → its villages' names
    workdays: WorkingDays
    authors: dict[int, int]  # unit id → user id of its first official
    fallback_author: int
    first_day: dt.date = FIRST_DAY
    last_day: dt.date = LAST_DAY

    @classmethod
    def load(cls, *, fallback_author: int, first_day: dt.date, last_day: dt.date) -> Context:
        names = dict(Region.objects.values_list("code", "name"))
        villages_in: dict[str, list[str]] = defaultdict(list)
        for code in sorted(names):
            if not code.endswith("000"):
                villages_in[code[:9] + "000"].append(names[code])
        # Editors draft, so an editor is the author; an admin will do; a reviewer does
        # not draft (the services would refuse them), so that unit falls back.
        preference = {MembershipRole.EDITOR: 0, MembershipRole.ADMIN: 1}
        authors: dict[int, tuple[int, int, int]] = {}
        for pk, unit_id, user_id, role in Membership.objects.filter(
            role__in=list(preference)
        ).values_list("pk", "unit_id", "user_id", "role"):
            rank = (preference[role], pk, user_id)
            if unit_id not in authors or rank < authors[unit_id]:
                authors[unit_id] = rank
        return cls(
            names=names,
            villages_in=villages_in,
            workdays=WorkingDays(first_day - dt.timedelta(days=400), last_day + dt.timedelta(60)),
            authors={unit_id: rank[2] for unit_id, rank in authors.items()},
            fallback_author=fallback_author,
            first_day=first_day,
            last_day=last_day,
        )

    def county(self, unit: Unit) -> str:
        return self.names.get(unit.region_id[:6] + "000000", "")

    def township(self, unit: Unit) -> str:
        return self.names.get(unit.region_id[:9] + "000", "")

    def who(self, unit: Unit) -> str:
        """How titles name the publisher: the place for villages and townships (平岗社区,
        五津街道), the unit's own name otherwise."""
        if unit.kind in (UnitKind.VILLAGE_COMMITTEE, UnitKind.TOWNSHIP_OFFICE):
            return self.names.get(unit.region_id, unit.name)
        return unit.name


# --- genres: what kind of text an item calls for -------------------------------------------

GENRES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("report", ("年度报告",)),
    ("village_affairs", ("村务公开", "居务公开", "村（居）务")),
    ("enrolment", ("招生",)),
    ("interpretation", ("解读",)),
    ("response", ("回应", "舆情")),
    ("policy", ("规范性文件",)),
    (
        "list",
        (
            "低保",
            "最低生活保障",
            "特困",
            "临时救助",
            "高龄",
            "残疾人",
            "补贴",
            "救助",
            "优抚",
            "公益性岗位",
            "返贫",
            "改造对象",
            "名单",
            "资助",
            "评优",
            "推优",
            "慰问",
            "养老保障",
        ),
    ),
    (
        "finance",
        ("预算", "决算", "财务", "收支", "资金", "经费", "收费", "债权", "收益", "资产", "资源"),
    ),
    ("project", ("项目", "招标", "采购", "工程", "交易", "建设")),
    ("meeting", ("决议", "会议", "决策", "议事", "选举")),
    ("enforcement", ("处罚", "许可", "检查", "双随机", "执法", "监管")),
    ("personnel", ("招录", "招聘", "职称", "岗位", "人事", "任免", "绩效")),
)


def genre_of(item: CatalogItem) -> str:
    cached = getattr(item, "_demo_genre", None)
    if cached is None:
        cached = next(
            (
                genre
                for name in (item.level2, item.level1)
                for genre, words in GENRES
                if any(word in name for word in words)
            ),
            "notice",
        )
        item._demo_genre = cached  # items are planned thousands of times
    return cached


# Short subjects for periodic titles: "五津街道2026年10月低保对象名单公示".
PERIODIC_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("最低生活保障", "低保对象名单公示"),
    ("低保", "低保对象名单公示"),
    ("特困", "特困人员救助供养名单公示"),
    ("临时救助", "临时救助情况公示"),
    ("高龄", "高龄津贴发放名单公示"),
    ("残疾人", "残疾人两项补贴发放名单公示"),
    ("返贫", "防止返贫监测帮扶情况公开"),
    ("一卡通", "惠民惠农财政补贴资金“一卡通”发放情况公示"),
    ("民生实事", "民生实事项目推进情况公开"),
    ("被征地", "被征地农民养老保障情况公示"),
    ("财务", "财务收支情况公开"),
    ("村务公开", "村务公开"),
    ("居务公开", "居务公开"),
    ("决议", "村民代表会议决议事项公开"),
    ("人民调解", "人民调解工作情况"),
    ("绩效评价", "预算执行和绩效评价情况"),
)


def periodic_subject(item: CatalogItem, genre: str) -> str:
    for word, subject in PERIODIC_SUBJECTS:
        if word in item.level2:
            return subject
    name = item.level2
    if name.endswith(("公开", "公示", "情况", "报告", "公报", "公告", "总结", "计划")):
        return name
    return name + ("公示" if genre == "list" or name.endswith("结果") else "公开")


_FIRST_BRACKETS = re.compile(r"《[^》]{2,40}》")


def basis_of(item: CatalogItem) -> str:
    found = _FIRST_BRACKETS.search(item.basis or "")
    return found.group() if found else "《中华人民共和国政府信息公开条例》"


# Policy documents by department sector: what they regulate.
POLICY_SUBJECTS: dict[str, tuple[str, ...]] = {
    "education": (
        "{place}义务教育阶段学校招生入学工作实施办法",
        "{place}中小学校课后服务管理办法",
        "{place}学前教育普惠性幼儿园认定和管理办法",
    ),
    "civil_affairs": (
        "{place}最低生活保障审核确认实施细则",
        "{place}临时救助实施办法",
        "{place}社区居家养老服务补贴管理办法",
    ),
    "finance": ("{place}财政专项资金管理办法", "{place}政府投资项目预算评审管理办法"),
    "human_resources": ("{place}就业创业补贴实施细则", "{place}公益性岗位开发管理办法"),
    "agriculture": ("{place}高标准农田建设管护办法", "{place}耕地地力保护补贴实施方案"),
    "housing": ("{place}城镇老旧小区改造实施方案", "{place}农村危房改造实施细则"),
    "health": ("{place}基层医疗卫生服务能力提升行动方案", "{place}家庭医生签约服务实施方案"),
    "natural_resources": ("{place}农村宅基地审批管理办法", "{place}村庄规划编制技术导则"),
    "ecology": ("{place}生态环境保护督察问题整改工作方案",),
    "water": ("{place}河湖长制工作考核办法", "{place}农村供水工程运行管理办法"),
    "culture": ("{place}公共文化服务体系建设实施方案",),
    "emergency": ("{place}自然灾害救助应急预案",),
    "medical_insurance": ("{place}城乡居民基本医疗保险实施办法",),
    "market": ("{place}食品安全“两个责任”落实工作方案",),
    "transport": ("{place}农村公路管理养护实施办法",),
    "development": ("{place}重大项目推进工作方案", "{place}社会信用体系建设实施方案"),
    "science": ("{place}科技型中小企业培育实施办法",),
    "economy": ("{place}中小企业纾困解难若干措施", "{place}数字经济发展三年行动计划"),
    "commerce": ("{place}促进消费若干措施", "{place}县域商业体系建设实施方案"),
    "public_security": ("{place}户籍业务办理规范", "{place}电动自行车登记管理办法"),
    "justice": ("{place}公共法律服务体系建设实施方案", "{place}人民调解工作规范"),
    "veterans": ("{place}退役军人就业创业扶持办法",),
    "urban_management": ("{place}生活垃圾分类管理办法", "{place}户外广告和招牌设置管理办法"),
    "approval": ("{place}企业投资项目承诺制实施办法", "{place}政务服务事项“一窗受理”工作规范"),
    "statistics": ("{place}统计数据质量管理办法",),
    "audit": ("{place}村级财务审计工作办法",),
    "": (
        "{place}基层政务公开标准化规范化工作实施方案",
        "{place}民生实事项目管理办法",
        "{place}村级公共服务和社会管理专项资金管理办法",
        "{place}农村集体“三资”管理办法",
        "{place}城乡社区发展治理工作方案",
    ),
}
CONCERNS = (
    "招生划片范围调整",
    "补贴发放时间",
    "申请材料能否网上提交",
    "政策适用对象范围",
    "补助标准是否调整",
    "办理时限",
)
PROJECT_WORKS = (
    "道路硬化工程",
    "排水沟渠整治项目",
    "院落环境整治项目",
    "老旧小区改造项目",
    "路灯安装工程",
    "农田水利设施维修项目",
    "便民服务站改造项目",
    "健身广场建设项目",
    "垃圾分类收集点建设项目",
)
PROJECT_STAGES = ("招标公告", "中标候选人公示", "实施情况公开", "竣工验收情况公示")
COMPANY_STEMS = "蜀锦天府川西华信宏达鑫源恒泰永安众诚博远金桥新城"
DECISIONS = (
    "集体资产（门面）出租",
    "村（居）级公共服务和社会管理专项资金使用",
    "院落微更新项目实施",
    "土地流转费用分配",
    "公益性岗位人员聘用",
    "村规民约修订",
    "农村人居环境整治",
)


FINANCE_REASONS = ("民生项目支出增加", "压减一般性支出", "专项资金下达时间调整")


def company(rng: random.Random) -> str:
    stem = "".join(rng.sample(COMPANY_STEMS, 2))
    trade = rng.choice(("建设工程", "市政工程", "建筑劳务", "园林绿化", "水利水电工程"))
    return f"四川{stem}{trade}有限公司"


# --- titles ------------------------------------------------------------------------------


def title_for(
    ctx: Context,
    unit: Unit,
    item: CatalogItem,
    genre: str,
    rng: random.Random,
    *,
    period_start: dt.date | None,
    info_date: dt.date,
) -> str:
    who = ctx.who(unit)
    if period_start is not None:
        label = period_label(item.schedule_kind, period_start)
        if genre == "report":
            return f"{unit.name}{period_start.year}年度政府信息公开工作年度报告"
        if item.schedule_kind == ScheduleKind.YEARLY:
            return f"{who}{label}{periodic_subject(item, genre)}"
        return f"{who}{label}{periodic_subject(item, genre)}"
    year, month = info_date.year, info_date.month
    if genre == "enrolment":
        if unit.kind == UnitKind.SCHOOL:
            if "结果" in item.level2:
                return f"{unit.name}{year}年秋季招生录取结果公示"
            return f"{unit.name}{year}年秋季招生简章"
        if "义务教育招生" in item.level2:
            return f"{unit.name}关于{year}年秋季义务教育招生入学工作的通知"
        return f"{unit.name}关于做好{year}年{item.level2}工作的通知"
    if genre == "list":
        paid = any(word in item.level2 for word in ("补贴", "津贴", "救助", "慰问", "资助"))
        return rng.choice(
            (
                f"{who}关于{year}年{item.level2}{'发放情况' if paid else ''}的公示",
                f"{who}{year}年{month}月{item.level2}公示",
            )
        )
    if genre == "finance" and "预算和决算" in item.level2:
        if rng.random() < 0.5:
            return f"{who}{year}年部门预算公开"
        return f"{who}{year - 1}年部门决算公开"
    if genre == "personnel" and "招聘" in item.level2:
        return f"{who}{year}年公开招聘工作人员公告"
    if genre == "finance":
        return rng.choice(
            (f"{who}{year}年{item.level2}公开", f"关于{who}{year}年{item.level2}的公告")
        )
    if genre == "project":
        if unit.kind == UnitKind.VILLAGE_COMMITTEE:
            place = f"{rng.randint(1, 12)}组"
        elif unit.kind == UnitKind.TOWNSHIP_OFFICE:
            place = rng.choice(ctx.villages_in.get(unit.region_id) or [""])
        else:
            place = ""
        return f"{who}{place}{rng.choice(PROJECT_WORKS)}{rng.choice(PROJECT_STAGES)}"
    if genre == "meeting":
        return f"{who}关于{rng.choice(DECISIONS)}事项的决议公开"
    if genre == "enforcement":
        return f"{who}{year}年{month}月{item.level2}公示"
    if genre == "personnel":
        return f"{who}{year}年{item.level2}公告"
    if genre == "response":
        return f"{who}关于群众反映{rng.choice(CONCERNS)}问题的回应"
    return rng.choice(
        (
            f"{who}{item.level2}",
            f"{who}关于{item.level2}的公告",
            f"{who}{item.level2}（{year}年{month}月更新）",
        )
    )[:200]


# --- bodies ------------------------------------------------------------------------------


def _p(*sentences: str) -> str:
    return "<p>" + "".join(sentences) + "</p>"


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _signature(unit: Unit, day: dt.date) -> str:
    return f"<p>{unit.name}<br>{cn_date(day)}</p>"


def _notice_window(ctx: Context, day: dt.date, days: int = 7) -> str:
    end = ctx.workdays.add(day, days)
    return f"公示期为{cn_date(day)}至{cn_date(end)}，共{days}个工作日。"


def body_for(ctx: Context, plan: RecordPlan) -> str:
    rng = random.Random(plan.body_seed)  # noqa: S311 - demo text
    unit, item = plan.unit, plan.item
    render = _BODIES.get(plan.genre, _body_notice)
    return render(ctx, plan, unit, item, rng)


def _body_list(ctx, plan, unit, item, rng) -> str:
    who = ctx.who(unit)
    label = (
        period_label(item.schedule_kind, plan.period_start)
        if plan.period_start
        else f"{plan.info_date.year}年"
    )
    if unit.kind == UnitKind.VILLAGE_COMMITTEE:
        where_head, wheres = "所在组", [f"{n}组" for n in range(1, 13)]
    else:
        where_head = "所在村（社区）"
        wheres = ctx.villages_in.get(unit.region_id[:9] + "000") or [who]
    county = ctx.county(unit)
    subsistence = "低保" in plan.title or "最低生活保障" in item.level2
    # One standard per county, the same in all its lists.
    standard = (
        random.Random(county).choice((580, 620, 650, 700))  # noqa: S311
        if subsistence
        else rng.randint(100, 900)
    )
    # Household lists count the people in each household; allowances go to one person.
    households = subsistence or any(w in item.level2 for w in ("临时救助", "返贫", "危房"))
    rows, people, total = [], 0, 0.0
    for number in range(1, rng.randint(3, 9) + 1):
        size = rng.randint(1, 4) if households else 1
        amount = standard * size * rng.uniform(0.5, 1.0)
        people += size
        total += round(amount, 2)
        row = (number, masked_name(rng), rng.choice(wheres), size, yuan(amount))
        rows.append(row if households else row[:3] + row[4:])
    verified = rng.choice(("入户调查、民主评议", "村（居）民代表会议评议", "信息比对、入户核查"))
    head = ("序号", "姓名", where_head, "保障人数", "发放金额（元）")
    parts = [
        _p(
            f"根据{basis_of(item)}等有关规定，经{verified}，",
            f"{ctx.township(unit) or county}审核、{county}民政局审批确认，",
            f"现将{who}{label}{item.level2}情况公示如下：",
        ),
        _table(head if households else head[:3] + head[4:], rows),
        _p(
            f"本期共{len(rows)}户{people}人，" if households else f"本期共{people}人，",
            f"发放金额合计{yuan(total)}元。",
            _notice_window(ctx, plan.published_at.date()),
            f"如有异议，请在公示期内向{unit.name}反映。",
        ),
    ]
    if subsistence:
        parts.insert(2, _p(f"{county}城乡最低生活保障标准为每人每月{standard}元，按差额发放。"))
    return "".join(parts) + _signature(unit, plan.info_date)


def _body_finance(ctx, plan, unit, item, rng) -> str:
    who = ctx.who(unit)
    label = (
        period_label(item.schedule_kind, plan.period_start)
        if plan.period_start
        else f"{plan.info_date.year}年"
    )
    if unit.kind == UnitKind.VILLAGE_COMMITTEE:
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
        rows = [("收入", n, yuan(a)) for n, a in income] + [
            ("支出", n, yuan(a)) for n, a in spending
        ]
        balance = sum(a for _n, a in income) - sum(a for _n, a in spending)
        return (
            _p(f"现将{who}{label}财务收支情况公开如下：")
            + _table(("类别", "项目", "金额（元）"), rows)
            + _p(
                f"本期结余{yuan(balance)}元。以上收支已经{ctx.township(unit)}",
                "农村集体经济组织代理记账中心审核入账，原始凭证可在村（社区）便民服务站查阅。",
            )
            + _signature(unit, plan.info_date)
        )
    total = rng.uniform(800, 60_000)
    change = rng.uniform(-12, 15)
    three = rng.uniform(5, 120)
    return (
        _p(
            f"按照{basis_of(item)}规定，现将{who}{label}{item.level2}公开如下。",
        )
        + _p(
            f"一、收支总体情况。{label}收支总预算{yuan(total)}万元，",
            f"比上年{'增加' if change >= 0 else '减少'}{abs(change):.1f}%，",
            f"主要原因是{rng.choice(FINANCE_REASONS)}。",
        )
        + _p(
            f"二、“三公”经费情况。“三公”经费{yuan(three)}万元，其中公务接待费",
            f"{yuan(three * rng.uniform(0.05, 0.2))}万元，未安排因公出国（境）费用。",
        )
        + _p("三、其他说明。机关运行经费、政府采购和国有资产占有使用情况详见附表。")
        + _signature(unit, plan.info_date)
    )


def _body_project(ctx, plan, unit, item, rng) -> str:
    budget = rng.uniform(50_000, 3_000_000)
    start = plan.info_date + dt.timedelta(days=rng.randint(10, 40))
    days = rng.choice((30, 45, 60, 90, 120))
    name = plan.title
    for stage in PROJECT_STAGES:
        name = name.removesuffix(stage)
    place = next((name.split(work)[0] for work in PROJECT_WORKS if work in name), name)
    return (
        _p(f"项目名称：{name}。")
        + _table(
            ("事项", "内容"),
            (
                ("建设地点", place or ctx.who(unit)),
                ("资金来源", rng.choice(("村级公共服务和社会管理专项资金", "财政资金", "自筹"))),
                ("项目预算", f"{yuan(budget)}元"),
                ("实施单位", company(rng)),
                ("计划工期", f"{days}日历天，自{cn_date(start)}起"),
            ),
        )
        + _p(
            "项目按照“四议两公开”程序决策，",
            "实施过程接受村（居）务监督委员会和群众监督。",
            f"{_notice_window(ctx, plan.published_at.date(), 5)}",
        )
        + _signature(unit, plan.info_date)
    )


def _body_meeting(ctx, plan, unit, item, rng) -> str:
    expected = rng.randint(21, 45)
    present = expected - rng.randint(0, expected // 5)
    agree = present - rng.randint(0, 3)
    matter = plan.title.split("关于")[-1].removesuffix("的决议公开")
    return (
        _p(
            f"{cn_date(plan.info_date)}，{ctx.who(unit)}召开村（居）民代表会议，",
            f"应到{expected}人，实到{present}人，会议由{masked_name(rng)}主持。",
        )
        + _p(
            f"会议审议了{matter}，表决结果：同意{agree}票，",
            f"反对{rng.randint(0, present - agree)}票，其余弃权。决议获得通过。",
        )
        + _p("决议执行情况将在实施完成后另行公开，请广大群众监督。")
        + _signature(unit, plan.info_date)
    )


def _body_enforcement(ctx, plan, unit, item, rng) -> str:
    rows = [
        (
            number,
            company(rng),
            rng.choice(("责令改正", "警告", "罚款", "准予许可", "检查合格")),
            cn_date(plan.info_date - dt.timedelta(days=rng.randint(1, 20))),
        )
        for number in range(1, rng.randint(2, 6) + 1)
    ]
    return (
        _p(f"根据{basis_of(item)}，现将{item.level2}有关情况公示如下：")
        + _table(("序号", "行政相对人", "结果", "决定日期"), rows)
        + _p("对决定不服的，可依法申请行政复议或者提起行政诉讼。")
        + _signature(unit, plan.info_date)
    )


def _body_personnel(ctx, plan, unit, item, rng) -> str:
    rows = [
        (post, rng.randint(1, 4), rng.choice(("大学专科及以上", "大学本科及以上")))
        for post in rng.sample(("综合管理", "社会救助", "财务", "网格管理", "教师", "窗口服务"), 3)
    ]
    deadline = ctx.workdays.add(plan.info_date, 10)
    return (
        _p(f"因工作需要，{unit.name}按照公开、平等、竞争、择优的原则，面向社会公开招聘工作人员。")
        + _table(("岗位", "人数", "学历要求"), rows)
        + _p(f"报名时间截至{cn_date(deadline)}，报名方式为现场报名或网上报名。")
        + _signature(unit, plan.info_date)
    )


def _body_report(ctx, plan, unit, item, rng) -> str:
    year = plan.period_start.year if plan.period_start else plan.info_date.year - 1
    new, carried = rng.randint(0, 40), rng.randint(0, 3)
    carried_next = rng.randint(0, min(2, new + carried))
    handled = new + carried - carried_next
    return (
        _p(
            f"本报告根据{basis_of(item)}要求编制，",
            "内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等六个部分。",
            f"本报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。",
        )
        + _p(
            f"一、总体情况。{year}年，{unit.name}主动公开政府信息{rng.randint(40, 900)}条，",
            f"其中政策文件{rng.randint(0, 20)}件、政策解读{rng.randint(0, 20)}件。",
        )
        + _table(
            ("新收申请", "上年结转", "办结", "结转下年"),
            ((new, carried, handled, carried_next),),
        )
        + _p(
            f"二、因政府信息公开工作被申请行政复议{rng.randint(0, 2)}件、提起行政诉讼0件。",
            "三、存在的主要问题是基层公开内容更新不够及时，下一步将完善目录动态调整机制。",
        )
        + _signature(unit, plan.info_date)
    )


def _body_village_affairs(ctx, plan, unit, item, rng) -> str:
    who = ctx.who(unit)
    label = period_label(item.schedule_kind, plan.period_start) if plan.period_start else ""
    spending = rng.uniform(20_000, 260_000)
    project = rng.choice(PROJECT_WORKS)
    return (
        _p(f"为保障群众的知情权、参与权和监督权，现将{who}{label}村（居）务公开如下：")
        + _p(
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
        + _p(
            f"如有疑问，请于{cn_date(ctx.workdays.add(plan.published_at.date(), 7))}前",
            "向本委员会或村（居）务监督委员会反映。",
        )
        + _signature(unit, plan.info_date)
    )


def _body_enrolment(ctx, plan, unit, item, rng) -> str:
    year = plan.info_date.year
    return (
        _p(f"为做好{year}年秋季义务教育招生入学工作，现将有关事项通知如下：")
        + _p(
            f"一、招生对象。小学招收{year - 6}年9月1日至{year - 5}年8月31日出生的适龄儿童；",
            "初中招收当年小学毕业生。",
        )
        + _p(
            f"二、报名时间。{cn_date(ctx.workdays.add(plan.info_date, 10))}至",
            f"{cn_date(ctx.workdays.add(plan.info_date, 20))}，通过网上报名系统或现场报名。",
        )
        + _p("三、入学方式。公办学校按划片范围免试就近入学，民办学校同步招生、超额电脑随机录取。")
        + _p("四、报名材料。户口簿、居住证明等材料原件及复印件，具体要求见各学校招生简章。")
        + _signature(unit, plan.info_date)
    )


def _body_policy(ctx, plan, unit, item, rng) -> str:
    county = ctx.county(unit) or "成都市"
    effective = ctx.workdays.add(plan.info_date, 20)
    return (
        _p(f"各有关单位：现将《{plan.subject}》印发给你们，请认真贯彻执行。")
        + _p(
            f"第一条 为规范有关工作，保障群众合法权益，根据{basis_of(item)}等规定，",
            f"结合{county}实际，制定本办法。",
        )
        + _p(f"第二条 本办法适用于{county}行政区域内的相关工作。")
        + _p(
            f"第三条 所需经费按规定纳入年度预算，标准为每人每年{rng.choice((600, 1200, 2400))}元。"
        )
        + _p(f"第四条 本办法自{cn_date(effective)}起施行，有效期{rng.choice((2, 3, 5))}年。")
        + _signature(unit, plan.info_date)
    )


def _body_interpretation(ctx, plan, unit, item, rng) -> str:
    subject = plan.subject or item.level2
    form = "图解" if plan.interpretation_form == InterpretationForm.GRAPHIC else "文字解读"
    issued = plan.policy.info_date if plan.policy else plan.info_date
    return (
        _p(f"【{form}】《{subject}》已于{cn_date(issued)}印发，现解读如下。")
        + _p("一、出台背景。为贯彻落实上级有关部署，回应群众关切，制定本文件。")
        + _p(
            "二、主要内容。文件明确了适用范围、办理流程和补助标准，",
            f"每人每年补助{rng.choice((600, 1200, 2400))}元。",
        )
        + _p(f"三、解读机关。{unit.name}。")
    )


def _body_response(ctx, plan, unit, item, rng) -> str:
    subject = plan.subject or item.level2
    return (
        _p(
            f"近期，有群众通过四级信箱和12345热线反映《{subject}》",
            f"执行中的{rng.choice(CONCERNS)}问题。",
        )
        + _p(
            f"经核实，{unit.name}已会同有关单位研究处理，现回应如下：",
            f"相关事项按文件规定执行，办理时限为{rng.choice((5, 10, 15))}个工作日。",
        )
        + _signature(unit, plan.info_date)
    )


def _body_notice(ctx, plan, unit, item, rng) -> str:
    return (
        _p(f"根据{basis_of(item)}要求，现将{ctx.who(unit)}{item.level2}公开如下。")
        + _p(f"主要内容包括：{item.elements.rstrip('。')}。")
        + _p(f"本信息自{cn_date(plan.info_date)}起生效，如有变化将在{item.time_limit}更新。")
        + _signature(unit, plan.info_date)
    )


_BODIES = {
    "list": _body_list,
    "finance": _body_finance,
    "project": _body_project,
    "meeting": _body_meeting,
    "enforcement": _body_enforcement,
    "personnel": _body_personnel,
    "report": _body_report,
    "village_affairs": _body_village_affairs,
    "enrolment": _body_enrolment,
    "policy": _body_policy,
    "interpretation": _body_interpretation,
    "response": _body_response,
    "notice": _body_notice,
}


# --- the planner -------------------------------------------------------------------------

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


def document_number(ctx: Context, unit: Unit, year: int, rng: random.Random) -> str:
    """新津教发〔2026〕12号: place, issuer and series, year, number."""
    if unit.kind == UnitKind.TOWNSHIP_OFFICE:
        township = ctx.township(unit)
        issuer = short_place(township) + ("街发" if township.endswith("街道") else "府发")
    else:
        place = short_place(ctx.county(unit) if unit.region_id[4:6] != "00" else "成都市")
        issuer = place + (_SECTOR_ABBR.get(unit.sector, "") or "府") + "发"
    return f"{issuer}〔{year}〕{rng.randint(1, 60)}号"


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

    def _plan(self, item: CatalogItem, title: str, info: dt.date, day: dt.date, **kw) -> RecordPlan:
        plan = RecordPlan(
            unit=self.unit,
            item=item,
            genre=kw.pop("genre", None) or genre_of(item),
            title=title[:200],
            info_date=info,
            published_at=office_time(self.rng, day),
            body_seed=self.rng.getrandbits(32),
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

    def policies(self, count: int) -> None:
        """Policy documents, each with one or two interpretations and now and then a
        response to public concern: 发布、解读、回应."""
        policy_item = find_item(self.items, ("规范性文件",))
        reading_item = find_item(self.items, ("解读",))
        response_item = find_item(self.items, ("回应",))
        if policy_item is None or reading_item is None:
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
            day = workdays.add(info, self.rng.randint(1, policy_item.schedule_days or 20))
            policy = self._plan(
                policy_item,
                title,
                info,
                day,
                genre="policy",
                kind=RecordKind.POLICY,
                document_number=document_number(self.ctx, self.unit, info.year, self.rng),
                subject=subject,
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
            marker = [p for p in self.plans if p.title == MARKER_TITLE]
            for plan in marker:
                plan.keep = True
        extra = poisson(self.rng, VILLAGE_EXTRA_QUARTERLY * self.density)
        self._follow(ScheduleKind.QUARTERLY, extra, exclude=[core] if core else [])
        self._xinjin_subsistence()

    def _xinjin_subsistence(self) -> None:
        """新津区's villages publish their 2026 Q3 低保 list (五津街道's all of them)."""
        if not self.unit.region_id.startswith(XINJIN_CODE[:6]):
            return
        item = find_item(self.items, ("低保",), ScheduleKind.QUARTERLY)
        if item is None or not (
            self.unit.region_id.startswith(WUJIN_CODE[:9]) or self.rng.random() < 0.5
        ):
            return
        start = GUARANTEED_QUARTER
        for plan in self.plans:
            if plan.item.pk == item.pk and plan.period_start == start:
                plan.keep = True
                return
        end = period_bounds(item.schedule_kind, start)[1]
        deadline = self._deadline(item, end)
        day = self.ctx.workdays.between(self.rng, self.ctx.workdays.add(end, 1), deadline)
        title = (
            f"{self.ctx.who(self.unit)}{period_label(item.schedule_kind, start)}低保对象名单公示"
        )
        plan = self._plan(item, title, day, day, genre="list", period_start=start, period_end=end)
        plan.keep = True


# --- planning, trimming, writing --------------------------------------------------------------


def demo_units(units: Iterable[Unit] | None = None) -> list[Unit]:
    queryset = Unit.objects.filter(is_active=True) if units is None else units
    if hasattr(queryset, "select_related"):
        queryset = queryset.select_related("region").order_by("region_id", "kind", "name")
        return list(queryset)
    return sorted(queryset, key=lambda u: (u.region_id, u.kind, u.name))


def plan_city(
    ctx: Context,
    units: Sequence[Unit],
    *,
    seed: int,
    density: float,
    templates: Sequence[CatalogTemplate],
    items: dict[int, list[CatalogItem]],
) -> list[RecordPlan]:
    plans: list[RecordPlan] = []
    templates = list(templates)
    for unit in units:
        template = catalogs.template_for(unit.kind, unit.sector, unit.region.tier, templates)
        if template is None:
            continue
        if unit.kind == UnitKind.VILLAGE_COMMITTEE and unit.region_id != PINGGANG_CODE:
            # Decided per village, so a village is silent whichever others are planned.
            chance = random.Random(f"{seed}:silent:{unit.region_id}").random()  # noqa: S311
            if unit.region_id in SILENT_VILLAGES or chance < SILENT_SHARE:
                continue
        planner = UnitPlanner(ctx, unit, template, items[template.pk], seed=seed, density=density)
        plans.extend(planner.plan())
    return plans


def _trim(plans: list[RecordPlan], count: int, seed: int) -> list[RecordPlan]:
    """Drop random ordinary records until `count` are left; guaranteed records and the
    publish–interpret–respond chains stay."""
    excess = len(plans) - count
    if excess <= 0:
        return plans
    candidates = [i for i, p in enumerate(plans) if not p.keep and p.kind == RecordKind.ORDINARY]
    rng = random.Random(f"{seed}:trim")  # noqa: S311
    dropped = set(rng.sample(candidates, min(excess, len(candidates))))
    return [plan for i, plan in enumerate(plans) if i not in dropped]


def _withdraw(ctx: Context, plans: list[RecordPlan], seed: int) -> None:
    """A few records withdrawn after publication, each with its public reason."""
    rng = random.Random(f"{seed}:withdraw")  # noqa: S311
    candidates = [
        p
        for p in plans
        if not p.keep and p.kind == RecordKind.ORDINARY and p.published_at.date() < ctx.last_day
    ]
    for plan in rng.sample(candidates, round(len(candidates) * WITHDRAWN_SHARE)):
        published = plan.published_at.date()
        day = ctx.workdays.between(
            rng, published + dt.timedelta(days=1), min(published + dt.timedelta(30), ctx.last_day)
        )
        if day <= published:
            continue
        plan.status = RecordStatus.WITHDRAWN
        plan.withdrawn_at = office_time(rng, day)
        plan.withdraw_reason = rng.choice(WITHDRAW_REASONS)


def records_plan(
    *,
    seed: int = DEFAULT_SEED,
    count: int | None = DEMO_RECORD_COUNT,
    units: Iterable[Unit] | None = None,
    ctx: Context | None = None,
    fallback_author: int | None = None,
) -> list[RecordPlan]:
    """The records to write, bodies rendered; nothing is written. `count=None` plans what
    the recipes give at density 1; a count plans denser and trims to exactly that many
    (guaranteed records and policy chains are never trimmed)."""
    if ctx is None:
        ctx = Context.load(
            fallback_author=fallback_author or 0, first_day=FIRST_DAY, last_day=LAST_DAY
        )
    templates = catalogs.current_templates()
    items: dict[int, list[CatalogItem]] = defaultdict(list)
    for item in (
        CatalogItem.objects.filter(template__in=templates)
        .select_related("template")
        .order_by("template_id", "seq")
    ):
        items[item.template_id].append(item)
    unit_list = demo_units(units)

    def plan(density: float) -> list[RecordPlan]:
        return plan_city(
            ctx, unit_list, seed=seed, density=density, templates=templates, items=items
        )

    density = 1.0 if count is None else max(count / DEMO_RECORD_COUNT, 0.05)
    plans = plan(density)
    if count is not None:
        # Periodic items do not scale with density, so a few rounds may be needed.
        for _ in range(8):
            if len(plans) >= count or not plans:
                break
            density *= count / len(plans) * 1.05
            plans = plan(density)
        plans = _trim(plans, count, seed)
    _withdraw(ctx, plans, seed)
    for plan_ in plans:
        plan_.body = sanitize(body_for(ctx, plan_))
    return plans


def _texts(record: Record) -> tuple[str, str]:
    """What refresh_search indexes for a record without attachments: the documents of
    its title (weight A) and of its body's plain text (weight B)."""
    return search.document(record.title), search.document(search.plain_text(record.body))


_VECTOR_SQL = (
    "setweight(to_tsvector('simple', {t}), 'A') || setweight(to_tsvector('simple', {b}), 'B')"
)


def _search_vectors_set(records: Sequence[Record]) -> None:
    """One UPDATE for a batch already inserted, joined on id. The rows travel as three
    arrays rather than a VALUES list of 6,000 placeholders."""
    ids, titles, bodies = [], [], []
    for record in records:
        title, body = _texts(record)
        ids.append(record.pk)
        titles.append(title)
        bodies.append(body)
    vector = _VECTOR_SQL.format(t="v.t", b="v.b")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE disclosure_record AS r SET search_vector = {vector} "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, t, b) WHERE r.id = v.id",
            [ids, titles, bodies],
        )


def _unnest_fields() -> list | None:
    """The columns of disclosure_record that travel as arrays, as Django's own bulk
    insert on PostgreSQL sends them (UNNEST), or None when a column's type cannot."""
    fields = [
        f for f in Record._meta.concrete_fields if not f.primary_key and f.name != "search_vector"
    ]
    for f in fields:
        if (
            f.target_field if f.is_relation else f
        ).get_internal_type() not in connection.data_types:
            return None
    return fields


def _insert_with_vectors(records: Sequence[Record], fields: list) -> None:
    """INSERT … SELECT FROM unnest(…) with the search vector computed in the statement.

    bulk_create cannot use its UNNEST path on this table (the tsvector column is not an
    array-able type) and would leave the vectors to a second UPDATE, which rewrites every
    row and all a dozen of its indexes once more: together twice the time of this.
    The values are the fields' own database preparation (pre_save sets created_at and
    updated_at), so the rows are what bulk_create would write.
    """
    quote = connection.ops.quote_name
    names = [f"c{i}" for i in range(len(fields))]
    arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(Record._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(f.column) for f in fields)}, search_vector) "
        f"SELECT {', '.join(names)}, {_VECTOR_SQL.format(t='v.t', b='v.b')} "
        f"FROM unnest({arrays}, %s::text[], %s::text[]) WITH ORDINALITY "
        f"AS v({', '.join(names)}, t, b, n) ORDER BY v.n RETURNING id"
    )
    params = [
        [f.get_db_prep_save(f.pre_save(r, True), connection) for r in records] for f in fields
    ]
    texts = [_texts(record) for record in records]
    params += [[title for title, _body in texts], [body for _title, body in texts]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for record, pk in zip(records, ids, strict=True):
        record.pk = pk
        record._state.adding, record._state.db = False, connection.alias


def records_write(ctx: Context, plans: Sequence[RecordPlan], *, unnest: bool = True) -> int:
    """Write the plans in batches, policies before the interpretations that point at
    them, each pass in order of publication (so ids follow time, as they would).

    One statement per batch inserts the rows with their search vectors; where the table
    has a column that cannot travel as an array (or with `unnest=False`), bulk_create
    and one UPDATE per batch do the same in about twice the time.
    """
    fields = _unnest_fields() if unnest else None
    written = 0
    for chained in (False, True):
        todo = sorted(
            (p for p in plans if (p.policy is not None) == chained), key=lambda p: p.published_at
        )
        for offset in range(0, len(todo), BATCH_SIZE):
            batch = todo[offset : offset + BATCH_SIZE]
            records = [_record(ctx, plan) for plan in batch]
            if fields is not None:
                _insert_with_vectors(records, fields)
            else:
                Record.objects.bulk_create(records)
                _search_vectors_set(records)
            for plan, record in zip(batch, records, strict=True):
                plan.record = record
            written += len(records)
    return written


def _record(ctx: Context, plan: RecordPlan) -> Record:
    unit, item = plan.unit, plan.item
    return Record(
        unit=unit,
        region_id=unit.region_id,
        unit_kind=unit.kind,
        item=item,
        kind=plan.kind,
        policy=plan.policy.record if plan.policy is not None else None,
        interpretation_form=plan.interpretation_form,
        title=plan.title,
        body=plan.body,
        document_number=plan.document_number,
        info_date=plan.info_date,
        period_start=plan.period_start,
        period_end=plan.period_end,
        scope=item.scope,
        status=plan.status,
        version=1,
        author_id=ctx.authors.get(unit.pk, ctx.fallback_author),
        submitted_at=plan.published_at,
        published_at=plan.published_at,
        withdrawn_at=plan.withdrawn_at,
        withdraw_reason=plan.withdraw_reason,
    )


@transaction.atomic
def records_generate(
    *,
    seed: int = DEFAULT_SEED,
    count: int | None = DEMO_RECORD_COUNT,
    units: Iterable[Unit] | None = None,
    author: User | None = None,
    first_day: dt.date = FIRST_DAY,
    last_day: dt.date = LAST_DAY,
) -> list[RecordPlan]:
    """Plan and write the records; units without an official are authored by `author`
    (default: the demo's `admin`)."""
    author = author or User.objects.filter(username="admin").first()
    if author is None:
        raise LookupError("演示数据需要 admin 账号作为默认起草人")
    ctx = Context.load(fallback_author=author.pk, first_day=first_day, last_day=last_day)
    plans = records_plan(seed=seed, count=count, units=units, ctx=ctx)
    records_write(ctx, plans)
    if plans:
        first = next((p for p in plans if p.title == MARKER_TITLE), plans[0])
        # One audit row for the batch, as for the demo's units.
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=first.record,
            changes={"records": [0, len(plans)]},
            note="演示数据：批量发布公开信息",
        )
    return plans


# --- the demo hook ---------------------------------------------------------------------------


@dataclass
class DemoRecords:
    # (key, version, item count, whether a new version was made) per template
    templates: list[tuple[str, int, int, bool]]
    records_created: int
    seconds: float


def demo_is_loaded() -> bool:
    """One indexed query: the marker record exists exactly when the demo's records do
    (they are written in one transaction)."""
    return Record.objects.filter(region_id=PINGGANG_CODE, title=MARKER_TITLE).exists()


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, count: int | None = DEMO_RECORD_COUNT) -> DemoRecords:
    """Load the catalogs (a no-op for unchanged files) and, unless they are there, the
    demo's records. Called by portal.demo.loader through settings.PORTAL_DEMO_LOADERS."""
    started = time.monotonic()
    loaded = catalogs.catalog_load_all(actor=None)
    templates = [(t.key, t.version, t.items.count(), created) for t, created in loaded]
    created = 0
    if not demo_is_loaded():
        created = len(records_generate(seed=seed, count=count))
    return DemoRecords(templates, created, time.monotonic() - started)
