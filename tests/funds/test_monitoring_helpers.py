"""Rows the monitoring tests need, created directly: the services that write projects,
entries and statements are built in parallel and are not what these tests are about."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from funds.models import (
    Alert,
    AlertKind,
    Direction,
    FundProject,
    LedgerEntry,
    MonthlyStatement,
    ProjectStage,
    Rectification,
    Voucher,
)
from participation.models import EvaluationRound, EvaluationSubject, RoundStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An instant in the portal's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_project(
    geo,
    personas,
    money,
    *,
    stage: str = "implementing",
    since: dt.datetime | None = None,
    budget: Decimal | int = 100_000,
    disbursed: Decimal | int = 0,
    name: str = "平岗社区文化广场改造",
    region=None,
    unit=None,
) -> FundProject:
    return FundProject.objects.create(
        unit=unit or geo.village_committee,
        region=region or geo.village,
        year=2026,
        name=name,
        category="culture",
        budget=Decimal(budget),
        disbursed=Decimal(disbursed),
        decision=money.decision,
        stage=stage,
        stage_since=since or at(2026, 9, 1),
        cancel_reason="村民会议决定不再实施。" if stage == "cancelled" else "",
        created_by=personas.village_official,
    )


def make_entry(
    money,
    *,
    booked_on: dt.date,
    amount: Decimal | int | str,
    direction: str = Direction.EXPENSE,
    subject: str = "541",
    collective=None,
    corrects: LedgerEntry | None = None,
    decision=None,
) -> LedgerEntry:
    collective = collective or money.collective
    return LedgerEntry.objects.create(
        collective=collective,
        region_id=collective.region_id,
        booked_on=booked_on,
        voucher_number=f"记-{next(_numbers):05d}",
        summary="支付办公用品费",
        subject_id=subject,
        direction=direction,
        amount=Decimal(amount),
        handler="王建国",
        approver="李秀英",
        decision=decision,
        corrects=corrects,
        booked_by=money.accountant,
    )


def attach_voucher(entry: LedgerEntry, user) -> Voucher:
    token = f"{next(_numbers):032d}"
    return Voucher.objects.create(
        entry=entry,
        file=f"private/vouchers/{entry.collective_id}/{token}",
        token=token,
        original_name="发票.pdf",
        content_type="application/pdf",
        size=1024,
        sha256="0" * 64,
        uploaded_by=user,
    )


def make_stage(project: FundProject, stage: str, reached_at: dt.datetime, record=None):
    return ProjectStage.objects.create(
        project=project, stage=stage, reached_at=reached_at, record=record
    )


def make_rectification(geo, personas, project: FundProject) -> Rectification:
    round = EvaluationRound.objects.create(
        unit=geo.village_committee,
        region=geo.village,
        created_by=personas.village_official,
        opens_at=at(2026, 10, 1),
        closes_at=at(2026, 10, 15),
        eligibility="citizens",
        title="2026年度专项资金项目群众评议",
        year=2026,
        status=RoundStatus.CLOSED,
        published_at=at(2026, 9, 30),
        closed_at=at(2026, 10, 15),
    )
    subject = EvaluationSubject.objects.create(
        round=round,
        kind="project",
        subject_key=f"project:{project.pk}",
        name=project.name,
        seq=1,
        year=2026,
        satisfied=3,
        basic=2,
        unsatisfied=9,
    )
    return Rectification.objects.create(project=project, subject=subject)


def make_statement(money, month: dt.date, *, record=None, published_at=None) -> MonthlyStatement:
    return MonthlyStatement.objects.create(
        collective=money.collective,
        region_id=money.collective.region_id,
        month=month,
        generated_at=at(month.year, month.month, 28),
        record=record,
        published_at=published_at,
    )


def seed_alerts(geo, personas, money) -> dict[str, Alert]:
    """Open alerts in 平岗社区 (a project's and a collective's), a cleared one, and one in
    the other county."""
    project = make_project(geo, personas, money, disbursed=95_000)
    entry = make_entry(money, booked_on=dt.date(2026, 9, 1), amount=700)
    other_project = make_project(
        geo,
        personas,
        money,
        disbursed=99_000,
        name="和平社区健身路径",
        region=geo.other_village,
        unit=geo.other_village_committee,
    )
    near = Alert.objects.create(
        kind=AlertKind.NEAR_BUDGET,
        key=f"near_budget:project:{project.pk}",
        project=project,
        region=geo.village,
        detail="已拨付 95,000.00 元，达到预算 100,000.00 元的 95%。",
        raised_at=at(2026, 11, 2),
    )
    voucher = Alert.objects.create(
        kind=AlertKind.NO_VOUCHER,
        key=f"no_voucher:entry:{entry.pk}",
        collective=money.collective,
        entry=entry,
        region=geo.village,
        detail=f"记账凭证 {entry.voucher_number}（2026-09-01，管理费用 700.00 元）记账 15 天后"
        "仍未上传原始凭证。",
        raised_at=at(2026, 10, 20),
        handling_note="已约谈报账员王建国，电话13800138000。",
        handled_by=personas.township_official,
        handled_at=at(2026, 10, 21),
    )
    cleared = Alert.objects.create(
        kind=AlertKind.STATEMENT_LATE,
        key=f"statement_late:collective:{money.collective.pk}:2026-08",
        collective=money.collective,
        region=geo.village,
        detail="2026年8月的财务收支未在 2026-09-10 前公开。",
        raised_at=at(2026, 9, 11),
        cleared_at=at(2026, 9, 15),
    )
    elsewhere = Alert.objects.create(
        kind=AlertKind.NEAR_BUDGET,
        key=f"near_budget:project:{other_project.pk}",
        project=other_project,
        region=geo.other_village,
        detail="已拨付 99,000.00 元，达到预算 100,000.00 元的 99%。",
        raised_at=at(2026, 11, 2),
    )
    return {"near": near, "voucher": voucher, "cleared": cleared, "elsewhere": elsewhere}
