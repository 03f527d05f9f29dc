"""Helpers for the disclosure tests: a small catalog made in code (so each schedule is
exactly what a test needs) and a way to publish a record at a chosen moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from disclosure import services
from disclosure.models import CatalogItem, CatalogTemplate, PublishingSetting, Record, ScheduleKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0):
    """An instant in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@dataclass
class VillageCatalog:
    template: CatalogTemplate
    monthly: CatalogItem  # 财务收支, 10 working days after the month
    quarterly: CatalogItem  # 村务事项, 10 working days after the quarter
    yearly: CatalogItem  # 年度工作报告, by 31 January
    on_change: CatalogItem  # 20 working days after the information is made
    immediate: CatalogItem  # 2 working days


def item_fields(seq: int, level1: str, level2: str, **schedule) -> dict:
    return {
        "seq": seq,
        "level1": level1,
        "level2": level2,
        "elements": "要素",
        "basis": "依据",
        "time_limit": "时限",
        "responsible": "村（居）民委员会",
        "channels": ["社区/村公示栏(电子屏)"],
        "audience": "全社会",
        "scope": "public",
        "mode": "主动",
        "level": "村级",
        **schedule,
    }


def make_village_catalog(key: str = "village", version: int = 1) -> VillageCatalog:
    template = CatalogTemplate.objects.create(
        key=key,
        version=version,
        name="村（社区）标准目录（测试）",
        unit_kinds=["village_committee"],
        region_tiers=["village"],
        source_digest="test",
    )
    make = CatalogItem.objects.create
    return VillageCatalog(
        template=template,
        monthly=make(
            template=template,
            **item_fields(
                1, "财务", "财务收支", schedule_kind=ScheduleKind.MONTHLY, schedule_days=10
            ),
        ),
        quarterly=make(
            template=template,
            **item_fields(
                2,
                "村务",
                "村民代表会议决议",
                schedule_kind=ScheduleKind.QUARTERLY,
                schedule_days=10,
            ),
        ),
        yearly=make(
            template=template,
            **item_fields(
                3,
                "党务",
                "年度工作报告",
                schedule_kind=ScheduleKind.YEARLY,
                schedule_month=1,
                schedule_day=31,
            ),
        ),
        on_change=make(
            template=template,
            **item_fields(
                4, "村务", "宅基地审批", schedule_kind=ScheduleKind.ON_CHANGE, schedule_days=20
            ),
        ),
        immediate=make(
            template=template,
            **item_fields(
                5, "财务", "集体项目", schedule_kind=ScheduleKind.IMMEDIATE, schedule_days=2
            ),
        ),
    )


def without_review(unit) -> None:
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})


def publish(
    unit,
    item,
    actor,
    *,
    published_at: dt.datetime,
    period_start: dt.date | None = None,
    info_date: dt.date | None = None,
    title: str = "测试公开信息",
) -> Record:
    """Create and publish a record through the services, then move its publication time
    to `published_at` (the unit must publish without review)."""
    if info_date is None:
        info_date = published_at.date() if period_start is None else period_start
    record = services.record_create(
        unit=unit,
        item=item,
        title=title,
        info_date=info_date,
        actor=actor,
        period_start=period_start,
    )
    services.record_submit(record=record, actor=actor)
    Record.objects.filter(pk=record.pk).update(published_at=published_at)
    record.refresh_from_db()
    assert record.status == "published"
    return record
