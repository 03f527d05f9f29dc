"""Importing a centre's workbook: every row checked with the booking rules, nothing booked
unless every row is valid, the attempt kept with its row-by-row report either way."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from funds.models import LedgerEntry, LedgerImport
from funds.services import ledger as services
from portal.models import AuditEntry
from portal.services.errors import NotAllowed
from tests.funds.test_ledger_helpers import (
    HEADER,
    PNG,
    book,
    day_in,
    months_ago,
    publish,
    row,
    workbook,
)

pytestmark = pytest.mark.django_db


def fake_xlsx() -> bytes:
    """Shaped like a workbook (the parts that type it), with nothing readable inside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    return buffer.getvalue()


def run(money, data: bytes, name: str = "十一月凭证.xlsx") -> LedgerImport:
    return services.ledger_import(
        collective=money.collective, file_name=name, data=data, actor=money.accountant
    )


def test_a_valid_workbook_books_every_row(money):
    last = months_ago(1)
    rows = [
        row(凭证号="导-001", 日期=dt.datetime.combine(day_in(last, 2), dt.time())),
        row(
            凭证号="导-002", 科目编号=541, 收支="支出", 金额=35.5, 往来为个人="", 往来单位或个人=""
        ),
        row(凭证号="导-003", 科目编号="102", 金额="1,200.00", 日期=day_in(last, 28).isoformat()),
    ]
    result = run(money, workbook(rows))
    assert result.errors == [] and result.rows == 3 and result.booked == 3
    entries = {e.voucher_number: e for e in LedgerEntry.objects.all()}
    assert set(entries) == {"导-001", "导-002", "导-003"}
    assert entries["导-001"].booked_on == day_in(last, 2)
    assert entries["导-001"].counterparty_is_person is True
    assert entries["导-002"].amount == Decimal("35.50") and entries["导-002"].direction == "expense"
    assert entries["导-003"].amount == Decimal("1200.00")
    assert all(e.booked_by == money.accountant for e in entries.values())
    assert AuditEntry.objects.filter(action="import", object_id=str(result.pk)).exists()


def test_one_bad_row_books_nothing_and_names_the_row_and_field(money):
    rows = [row(凭证号="导-101"), row(凭证号="导-102", 金额="一千"), row(凭证号="导-103")]
    result = run(money, workbook(rows))
    assert not LedgerEntry.objects.exists()
    assert result.booked == 0 and result.rows == 3
    assert result.errors == [{"row": 3, "field": "金额", "message": "金额应为数字。"}]
    assert LedgerImport.objects.get() == result  # the attempt is kept


def test_every_problem_of_every_row_is_reported(money, personas, catalog):
    closed = months_ago(2)
    publish(money, personas, closed)
    book(money, voucher_number="已用-1", booked_on=day_in(months_ago(1)))
    rows = [
        row(凭证号="导-201"),
        row(凭证号="导-201"),  # repeated in the file
        row(凭证号="已用-1"),  # used in the ledger
        row(凭证号="导-204", 日期=day_in(closed).isoformat()),  # closed month
        row(凭证号="导-205", 日期="2026年3月5日", 科目编号="999", 收支="借", 金额=-3),
        row(凭证号="导-206", 往来为个人="也许", 经办人="", 审批人=None),
        [None] * len(HEADER),  # blank rows are skipped
        row(凭证号="导-208", 日期="2019-12-31"),
    ]
    result = run(money, workbook(rows))
    assert result.booked == 0 and result.rows == 7
    found = {(error["row"], error["field"]) for error in result.errors}
    assert found == {
        (3, "凭证号"),
        (4, "凭证号"),
        (5, "日期"),
        (6, "日期"),
        (6, "科目编号"),
        (6, "收支"),
        (6, "金额"),
        (7, "往来为个人"),
        (7, "经办人"),
        (7, "审批人"),
        (9, "日期"),
    }
    messages = {(e["row"], e["field"]): e["message"] for e in result.errors}
    assert "第 2 行" in messages[(3, "凭证号")]
    assert "已经公开" in messages[(5, "日期")]
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "不是 Excel"),
        (b"PK\x03\x04 broken", "不是 Excel"),
        (fake_xlsx(), "无法读取"),
        (workbook([row()], header=["日期", "凭证号", "摘要"]), "表头缺少"),
        (workbook([]), "没有记账凭证"),
    ],
)
def test_a_file_that_is_not_a_ledger_is_reported(money, data, expected):
    result = run(money, data)
    assert result.booked == 0
    assert len(result.errors) == 1 and expected in result.errors[0]["message"]
    assert not LedgerEntry.objects.exists()


def test_size_limit(money, settings):
    settings.FUNDS_MAX_IMPORT_BYTES = 1024
    result = run(money, workbook([row() for _ in range(50)]))
    assert "大小限制" in result.errors[0]["message"]


@pytest.mark.parametrize("who", ["village_official", "township_official", "other_county_official"])
def test_only_the_centre_imports(money, personas, who):
    with pytest.raises(NotAllowed):
        services.ledger_import(
            collective=money.collective,
            file_name="x.xlsx",
            data=workbook([row()]),
            actor=getattr(personas, who),
        )
    assert not LedgerImport.objects.exists() and not LedgerEntry.objects.exists()
