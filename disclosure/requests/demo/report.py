"""新津区人民政府's annual report for 2025, written and published through the annual
report's own services (disclosure.annual.services) by the demo's platform administrator,
with the figures computed from the requests just written.

The government has no second official in the demo to review the record, so the report is
published with the unit's review step off, as the disclosure demo's records of that unit
are (published by the administrator, no reviewer): the step is switched off for the call
and the unit's setting put back as it was, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from disclosure.annual import services as annual
from disclosure.annual.tables import report_tables
from disclosure.models import AnnualReport, PublishingSetting
from disclosure.requests.demo.context import Context
from portal.demo.geography import XINJIN_CODE
from portal.models import Unit, User

REPORT_UNIT = "新津区人民政府"
REPORT_YEAR = 2025


def _cell(tables: dict[str, Any], row: str) -> int:
    for entry in tables["table3"]["rows"]:
        if entry["key"] == row:
            return entry["values"]["total"]
    return 0


def _narrative(tables: dict[str, Any]) -> dict[str, str]:
    check = tables["table3"]["check"]["total"]
    refused = sum(
        _cell(tables, key)
        for key in (
            "refused_state_secret",
            "refused_law",
            "refused_safety",
            "refused_third_party",
            "refused_internal",
            "refused_process",
            "refused_enforcement",
            "refused_query",
        )
    )
    challenges = sum(row["values"]["total"] for row in tables["table4"]["rows"])
    overall = (
        f"{REPORT_YEAR}年，新津区人民政府深入贯彻《中华人民共和国政府信息公开条例》，坚持以公开为"
        "常态、不公开为例外，围绕重大决策、重点项目、民生保障等领域推进基层政务公开标准化规范化，"
        "依托成都市基层政务公开平台统一发布政府信息、办理依申请公开。\n"
        "（一）主动公开。按照标准目录及时公开规范性文件、财政预决算、重大建设项目、征地补偿、"
        "社会救助等信息，规范性文件同步发布政策解读。\n"
        f"（二）依申请公开。全年新收政府信息公开申请{check['new']}件，上年结转"
        f"{check['carried_over']}件；办结{check['handled']}件，其中予以公开"
        f"{_cell(tables, 'public')}件、部分公开{_cell(tables, 'partial')}件、不予公开{refused}件、"
        f"本机关不掌握相关政府信息{_cell(tables, 'unable_not_held')}件；结转下年度继续办理"
        f"{check['carried_forward']}件。全年因政府信息公开引起的行政复议、行政诉讼{challenges}件。\n"
        "（三）政府信息管理。落实公开前保密审查和个人信息区分处理，对申请答复实行一案一档。\n"
        "（四）平台建设。依申请公开实现网上提交、在线查询办理进度和答复书，答复期限按法定工作日"
        "自动计算并提醒。\n"
        "（五）监督保障。将政府信息公开工作纳入年度目标考核，定期通报超期办理情况。"
    )
    problems = (
        "一是部分申请答复说理不够充分，对“不予公开”“无法提供”的依据阐述还需加强；"
        "二是个别申请办理临近期限才答复，内部流转环节较多；"
        "三是征地拆迁、项目建设领域的主动公开深度不够，引发的依申请公开数量较多。\n"
        f"{REPORT_YEAR + 1}年将加强答复文书审核和业务培训，推行答复模板和办理时限预警，"
        "并将申请集中的事项纳入主动公开范围，从源头减少依申请公开数量。"
    )
    other = (
        f"{REPORT_YEAR}年本机关收取信息处理费情况见表二“行政事业性收费”一栏；"
        "本机关无其他需要报告的事项。"
    )
    return {"overall": overall, "problems": problems, "other": other}


def annual_report_publish(ctx: Context) -> dict[str, int]:
    """Publish the report unless it is there, or cannot be (the unit, the administrator
    or the catalog item missing, or 2025 not over yet)."""
    unit = Unit.objects.filter(region_id=XINJIN_CODE, name=REPORT_UNIT).first()
    admin = User.objects.filter(username="admin", is_superuser=True).first()
    if (
        unit is None
        or admin is None
        or ctx.today < dt.date(REPORT_YEAR + 1, 1, 1)
        or AnnualReport.objects.filter(unit=unit, year=REPORT_YEAR).exists()
        or annual.report_item(unit) is None
    ):
        return {"annual_reports": 0}
    annual.annual_report_save(
        unit=unit, year=REPORT_YEAR, actor=admin, **_narrative(report_tables(unit, REPORT_YEAR))
    )
    setting = PublishingSetting.objects.filter(unit=unit).first()
    review = setting.requires_review if setting else None
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})
    annual.annual_report_publish(unit=unit, year=REPORT_YEAR, actor=admin)
    if review is None:
        PublishingSetting.objects.filter(unit=unit).delete()
    else:
        PublishingSetting.objects.filter(unit=unit).update(requires_review=review)
    return {"annual_reports": 1}
