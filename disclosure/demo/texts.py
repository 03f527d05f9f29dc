"""The words of the demo's records: names, dates and amounts as documents write them,
what kind of text each catalog item calls for, and the titles. The bodies are in
`bodies`."""

from __future__ import annotations

import datetime as dt
import random
import re

from disclosure.demo.context import Context
from disclosure.models import CatalogItem, ScheduleKind
from portal.demo.people import SURNAMES
from portal.models import Unit, UnitKind

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


def document_issuer(ctx: Context, unit: Unit) -> str:
    """新津教发: place, then issuer and series, as document numbers begin."""
    if unit.kind == UnitKind.TOWNSHIP_OFFICE:
        township = ctx.township(unit)
        return short_place(township) + ("街发" if township.endswith("街道") else "府发")
    place = short_place(ctx.county(unit) if unit.region_id[4:6] != "00" else "成都市")
    return place + (_SECTOR_ABBR.get(unit.sector, "") or "府") + "发"


def document_number(ctx: Context, unit: Unit, year: int, rng: random.Random) -> str:
    """新津教发〔2026〕12号: place, issuer and series, year, number."""
    return f"{document_issuer(ctx, unit)}〔{year}〕{rng.randint(1, 60)}号"


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
    ("救助慰问", "救助慰问情况公示"),
    ("养老保险", "城乡居民基本养老保险参保缴费情况公开"),
    ("优抚", "优抚对象和退役军人服务情况公示"),
    ("林地", "集体土地、林地等资源情况公开"),
    ("债权债务", "债权债务情况公开"),
    ("陪餐", "食堂食品安全和陪餐情况公开"),
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
