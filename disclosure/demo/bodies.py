"""The bodies of the demo's records: simple HTML (paragraphs and tables, as the editor
writes them), one template per genre, each drawn from the plan's own `body_seed`."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence

from disclosure.demo.context import Context, RecordPlan
from disclosure.demo.texts import (
    CONCERNS,
    DECISIONS,
    FINANCE_REASONS,
    PROJECT_STAGES,
    PROJECT_WORKS,
    basis_of,
    cn_date,
    company,
    masked_name,
    period_label,
    yuan,
)
from disclosure.models import InterpretationForm
from portal.models import Unit, UnitKind


def _p(*sentences: str) -> str:
    return "<p>" + "".join(sentences) + "</p>"


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _signature(unit: Unit, day: dt.date, name: str = "") -> str:
    return f"<p>{name or unit.name}<br>{cn_date(day)}</p>"


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
    # The city government's documents go to the governments below it and its departments.
    to = "各区（市）县人民政府，市政府各部门" if plan.issuer else "各有关单位"
    return (
        _p(f"{to}：现将《{plan.subject}》印发给你们，请认真贯彻执行。")
        + _p(
            f"第一条 为规范有关工作，保障群众合法权益，根据{basis_of(item)}等规定，",
            f"结合{county}实际，制定本办法。",
        )
        + _p(f"第二条 本办法适用于{county}行政区域内的相关工作。")
        + _p(
            f"第三条 所需经费按规定纳入年度预算，标准为每人每年{rng.choice((600, 1200, 2400))}元。"
        )
        + _p(f"第四条 本办法自{cn_date(effective)}起施行，有效期{rng.choice((2, 3, 5))}年。")
        + _signature(unit, plan.info_date, plan.issuer)
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
