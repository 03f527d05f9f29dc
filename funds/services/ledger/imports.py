"""Importing a centre's workbook of entries: every row checked as one booked entry is,
and either every row booked or none, with the errors kept row by row."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from funds.models import AccountSubject, Collective, LedgerEntry, LedgerImport
from funds.permissions import can_book
from funds.selectors import ledger as selectors
from funds.services.ledger._common import _add, _locked_collective, _today
from funds.services.ledger._entry_rules import _clean_entry, _closed_refusal
from portal import uploads
from portal.models import AuditAction
from portal.services.audit import audit_record
from portal.services.errors import NotAllowed

MAX_IMPORT_ROWS = 5000


class _Rejected(Exception):
    """Raised inside the booking transaction to roll it back when a row is wrong."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__()
        self.errors = errors


def _file_error(message: str, *, row: int | None = None, field: str = "") -> dict[str, Any]:
    return {"row": row, "field": field or _("文件"), "message": message}


def _read_rows(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    """The workbook's filled rows as (row number, {field: cell}), or what is wrong with
    the file itself. Read-only: a large sheet is streamed, not loaded."""
    sniffed = uploads.sniff(data[:16], data)
    if sniffed is None or sniffed.extension != ".xlsx":
        return [], [_file_error(_("文件不是 Excel 工作簿（.xlsx）。请使用导入模板填写。"))]
    try:
        return _sheet_rows(data)
    except Exception:  # noqa: BLE001 - any damage in an uploaded workbook is the file's fault
        return [], [_file_error(_("无法读取该 Excel 文件，请另存为 .xlsx 后重试。"))]


def _sheet_rows(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        names = [str(cell).strip() if cell is not None else "" for cell in header or ()]
        missing = [column for column in selectors.REQUIRED_COLUMNS if column not in names]
        if missing:
            message = _("表头缺少这些列：%(columns)s。请使用导入模板。") % {
                "columns": "、".join(missing)
            }
            return [], [_file_error(message, row=1)]
        position = {
            field: names.index(column)
            for column, field in selectors.IMPORT_COLUMNS
            if column in names
        }
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, cells in enumerate(lines, start=2):
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                message = _("一次最多导入 %(n)d 行，请分成几个文件导入。") % {"n": MAX_IMPORT_ROWS}
                return [], [_file_error(message)]
            values = {
                field: cells[index] if index < len(cells) else None
                for field, index in position.items()
            }
            rows.append((number, values))
    finally:
        workbook.close()
    if not rows:
        return [], [_file_error(_("工作表中没有记账凭证行。"), row=2)]
    return rows, []


def _import_errors(
    collective: Collective, rows: list[tuple[int, dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every row checked with entry_book's rules, duplicates inside the file included:
    (the entries' values, the errors as {row, field (the column), message})."""
    column_of = {field: column for column, field in selectors.IMPORT_COLUMNS}
    subjects = {subject.code: subject for subject in AccountSubject.objects.all()}
    numbers = {str(raw.get("voucher_number") or "").strip() for _n, raw in rows}
    taken = set(
        LedgerEntry.objects.filter(collective=collective, voucher_number__in=numbers).values_list(
            "voucher_number", flat=True
        )
    )
    closed = selectors.closed_until(collective)
    today = _today()
    first_row: dict[str, int] = {}
    values_list, errors = [], []
    for number, raw in rows:
        values, problems = _clean_entry(
            collective, raw, today=today, taken=taken, subjects=subjects
        )
        voucher = values["voucher_number"]
        if voucher and "voucher_number" not in problems:
            if voucher in first_row:
                _add(
                    problems,
                    "voucher_number",
                    _("凭证号与第 %(row)d 行重复。") % {"row": first_row[voucher]},
                )
            else:
                first_row[voucher] = number
        if values["booked_on"] is not None and "booked_on" not in problems:
            refusal = _closed_refusal(collective, values["booked_on"], closed)
            if refusal:
                _add(problems, "booked_on", refusal)
        for field, messages in problems.items():
            for message in messages:
                errors.append(
                    {"row": number, "field": column_of.get(field, field), "message": message}
                )
        values_list.append(values)
    return values_list, errors


def ledger_import(
    *, collective: Collective, file_name: str, data: bytes, actor: Any
) -> LedgerImport:
    """Import a centre's workbook of entries (the columns of selectors.IMPORT_COLUMNS):
    every row is checked as entry_book checks one entry; if any row is wrong nothing is
    booked and the import is kept with its row-by-row errors, else every row is booked
    in one transaction. Not one atomic block on purpose: the bookings are rolled back
    while the record of the attempt is kept."""
    if not can_book(actor, collective):
        raise NotAllowed(_("只有代理记账中心的会计人员可以为该集体经济组织导入账簿。"))
    file_name = ((file_name or "").strip() or "ledger.xlsx")[-200:]
    rows: list[tuple[int, dict[str, Any]]] = []
    if len(data) > settings.FUNDS_MAX_IMPORT_BYTES:
        errors = [
            _file_error(
                _("文件超过 %(mb)d MB 的大小限制。")
                % {"mb": settings.FUNDS_MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        ]
    else:
        rows, errors = _read_rows(data)
    if not errors:
        try:
            with transaction.atomic():
                return _import_rows(collective, rows, file_name=file_name, actor=actor)
        except _Rejected as rejected:
            errors = rejected.errors
    with transaction.atomic():
        return _import_record(
            collective, file_name=file_name, rows=len(rows), entries=[], errors=errors, actor=actor
        )


def _import_rows(
    collective: Collective,
    rows: list[tuple[int, dict[str, Any]]],
    *,
    file_name: str,
    actor: Any,
) -> LedgerImport:
    collective = _locked_collective(collective)
    values_list, errors = _import_errors(collective, rows)
    if errors:
        raise _Rejected(errors)
    entries = LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                collective=collective,
                region_id=collective.region_id,
                booked_by=actor,
                **values,
            )
            for values in values_list
        ]
    )
    return _import_record(
        collective, file_name=file_name, rows=len(rows), entries=entries, errors=[], actor=actor
    )


def _import_record(
    collective: Collective,
    *,
    file_name: str,
    rows: int,
    entries: list[LedgerEntry],
    errors: list[dict[str, Any]],
    actor: Any,
) -> LedgerImport:
    """The record of an attempt and its audit row: the entries it booked, or (with
    errors) that it booked nothing."""
    record = LedgerImport.objects.create(
        collective=collective,
        file_name=file_name,
        rows=rows,
        booked=len(entries),
        errors=errors,
        uploaded_by=actor,
    )
    if errors:
        changes = {"rows": [None, rows], "errors": [None, len(errors)]}
        note = _("有错误，未导入")
    else:
        changes = {"rows": [None, rows], "entries": [None, [entry.pk for entry in entries]]}
        note = ""
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=record,
        unit=collective.centre,
        changes=changes,
        note=note,
    )
    return record
