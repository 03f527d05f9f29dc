"""Helpers of the ledger tests (dates relative to today, booking with defaults, a month
published by the village, workbooks and files built in memory) and the tests of the
small pieces they stand on: months, the import template."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from disclosure.models import PublishingSetting
from funds.models import LedgerEntry, MonthlyStatement
from funds.permissions import village_committees_of
from funds.selectors import ledger as selectors
from funds.services import ledger as services

HEADER = [header for header, _field in selectors.IMPORT_COLUMNS]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx() -> bytes:
    """A Word document (typed by its content, whatever it is named)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def months_ago(n: int) -> dt.date:
    """The first day of the month `n` months before this one."""
    month = selectors.month_start(timezone.localdate())
    for _ in range(n):
        month = selectors.previous_month(month)
    return month


def day_in(month: dt.date, day: int = 5) -> dt.date:
    return month.replace(day=min(day, selectors.month_end(month).day))


_numbers = iter(range(1, 100_000))


def book(money, *, actor=None, **over: Any) -> LedgerEntry:
    """Book an entry of 平岗社区's collective as the centre's accountant."""
    values: dict[str, Any] = {
        "collective": money.collective,
        "booked_on": day_in(months_ago(1)),
        "voucher_number": f"记-{next(_numbers):04d}",
        "summary": "购买办公用品",
        "subject": "541",
        "direction": "expense",
        "amount": Decimal("100.00"),
        "handler": "王建国",
        "approver": "李秀英",
        "reviewer": "邓监委",
    }
    values.update(over)
    return services.entry_book(**values, actor=actor or money.accountant)


def publish(money, personas, month: dt.date, *, review: bool = False) -> MonthlyStatement:
    """Generate a month's statement and have the village committee publish it (at once,
    unless `review`: then the record waits for the committee's reviewer)."""
    PublishingSetting.objects.update_or_create(
        unit=committee(money), defaults={"requires_review": review}
    )
    statement = services.statement_generate(collective=money.collective, month=month)
    return services.statement_publish(statement=statement, actor=personas.village_official)


def committee(money):
    """平岗社区's committee, which publishes its collective's statements."""
    return village_committees_of(money.collective).get()


def workbook(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    book_ = Workbook()
    sheet = book_.active
    sheet.append(header if header is not None else HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book_.save(buffer)
    return buffer.getvalue()


def row(**over: Any) -> list[Any]:
    """One workbook row, valid for 平岗社区's collective unless changed."""
    values = {
        "日期": day_in(months_ago(1)).isoformat(),
        "凭证号": f"导-{next(_numbers):04d}",
        "摘要": "收取鱼塘承包费",
        "科目编号": "511",
        "收支": "收入",
        "金额": 1200,
        "往来单位或个人": "张三",
        "往来为个人": "是",
        "经办人": "王建国",
        "审批人": "李秀英",
        "审核人": "邓监委",
    }
    values.update(over)
    return [values[header] for header in HEADER]


# ---------------------------------------------------------------------------
# Months


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", dt.date(2026, 3, 1)),
        (" 2026-12 ", dt.date(2026, 12, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-3", None),
        ("202603", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_month(text, expected):
    assert selectors.parse_month(text) == expected


def test_month_bounds():
    assert selectors.month_end(dt.date(2028, 2, 10)) == dt.date(2028, 2, 29)
    assert selectors.month_end(dt.date(2026, 12, 1)) == dt.date(2026, 12, 31)
    assert selectors.previous_month(dt.date(2026, 1, 15)) == dt.date(2025, 12, 1)


@pytest.mark.django_db
def test_import_template_has_the_header_alone_on_the_imported_sheet():
    workbook_ = load_workbook(io.BytesIO(selectors.import_template()), read_only=True)
    first = list(workbook_.worksheets[0].iter_rows(values_only=True))
    assert first == [tuple(HEADER)]
    codes = [r[0] for r in workbook_.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert "101" in codes and "541" in codes
