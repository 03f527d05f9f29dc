"""The three tables laid out as in the 2021 format: rows of cells with their spans. One
layout feeds every rendering (the page, the record's HTML body, the XLSX sheets and the
PDF), so they cannot disagree. Labels are taken from disclosure.annual.tables by key, in
the active language; the figures from the tables' JSON (live or frozen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from disclosure.annual import tables as t


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False  # a heading cell (th)
    scope: str = ""  # col, colgroup, row, rowgroup: for screen readers
    value: Any = None  # the number, for spreadsheets

    @property
    def is_number(self) -> bool:
        return self.value is not None


@dataclass
class Grid:
    key: str
    title: str
    columns: int
    header_rows: int
    rows: list[list[Cell]]
    widths: list[float] = field(default_factory=list)  # relative, for the PDF

    def placed(self) -> list[tuple[int, int, Cell]]:
        """(row, column, cell) of every cell, columns counted as a browser lays out a
        table with spans."""
        taken: set[tuple[int, int]] = set()
        placed = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                placed.append((r, c, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        return placed

    def matrix(self) -> tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
        """A full rectangle of values (spanned positions empty) and the spans as
        ((first column, first row), (last column, last row))."""
        grid: list[list[Any]] = [[""] * self.columns for _ in self.rows]
        spans = []
        for r, c, cell in self.placed():
            grid[r][c] = cell.value if cell.is_number else cell.text
            if cell.colspan > 1 or cell.rowspan > 1:
                spans.append(((c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
        return grid, spans


def _number(value: Any, colspan: int = 1) -> Cell:
    return Cell(str(value), colspan=colspan, value=value)


def _head(text: Any, colspan: int = 1, rowspan: int = 1, scope: str = "col") -> Cell:
    return Cell(str(text), colspan=colspan, rowspan=rowspan, header=True, scope=scope)


def _label(text: Any, colspan: int = 1, rowspan: int = 1, scope: str = "row") -> Cell:
    return Cell(str(text), colspan=colspan, rowspan=rowspan, header=True, scope=scope)


def _values_by_key(rows: list[dict]) -> dict[str, dict]:
    return {row["key"]: row.get("values", {}) for row in rows}


def table2_grid(data: dict) -> Grid:
    sections = {section["key"]: section for section in data.get("sections", [])}
    rows: list[list[Cell]] = []
    for key, article, columns, section_rows in t.TABLE2_SECTIONS:
        values = _values_by_key(sections.get(key, {}).get("rows", []))
        rows.append([_head(article, colspan=4, scope="colgroup")])
        span = 3 // len(columns)
        rows.append([_head(t.CONTENT_LABEL)] + [_head(label, span) for _c, label in columns])
        for row_key, label in section_rows:
            row_values = values.get(row_key, {})
            cells = [_label(label)]
            for column, _column_label in columns:
                value = row_values.get(column, 0)
                if column == "amount":  # 万元 as text with its decimals
                    cells.append(Cell(str(value), colspan=span, value=_decimal(value)))
                else:
                    cells.append(_number(value, span))
            rows.append(cells)
    return Grid(
        key="table2",
        title=str(t.PARTS["table2"]),
        columns=4,
        header_rows=2,
        rows=rows,
        widths=[2.2, 1, 1, 1],
    )


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def table3_grid(data: dict) -> Grid:
    values = _values_by_key(data.get("rows", []))
    columns = [key for key, _label in t.APPLICANT_COLUMNS]

    def numbers(row_key: str) -> list[Cell]:
        return [_number(values.get(row_key, {}).get(column, 0)) for column in columns]

    rows: list[list[Cell]] = [
        [
            _head(t.APPLICANT_HEADER, colspan=3, rowspan=2, scope="colgroup"),
            _head(t.NATURAL_PERSON_HEADER, rowspan=2),
            _head(t.ORGANISATION_HEADER, colspan=5, scope="colgroup"),
            _head(t.TOTAL_HEADER, rowspan=2),
        ],
        [_head(label) for _key, label in t.ORGANISATION_COLUMNS],
        [_label(t.ROW_LABELS["new"], colspan=3)] + numbers("new"),
        [_label(t.ROW_LABELS["carried_over"], colspan=3)] + numbers("carried_over"),
    ]
    result_rows = sum(len(group.leaves) for group in t.RESULT_GROUPS) + 1
    first = True
    for group in t.RESULT_GROUPS:
        for index, leaf in enumerate(group.leaves):
            row: list[Cell] = []
            if first:
                row.append(_label(t.RESULTS_LABEL, rowspan=result_rows, scope="rowgroup"))
                first = False
            if leaf.label is None:
                row.append(_label(group.label, colspan=2))
            else:
                if index == 0:
                    row.append(_label(group.label, rowspan=len(group.leaves), scope="rowgroup"))
                row.append(_label(leaf.label))
            rows.append(row + numbers(leaf.key))
    rows.append([_label(t.ROW_LABELS["total"], colspan=2)] + numbers("total"))
    rows.append([_label(t.ROW_LABELS["carried_forward"], colspan=3)] + numbers("carried_forward"))
    return Grid(
        key="table3",
        title=str(t.PARTS["table3"]),
        columns=10,
        header_rows=2,
        rows=rows,
        widths=[1.3, 1.5, 3.6] + [1] * 7,
    )


def table4_grid(data: dict) -> Grid:
    values = _values_by_key(data.get("rows", []))
    results = [key for key, _label in t.CHALLENGE_RESULTS]
    reconsideration, litigation, litigation_after = t.CHALLENGE_KINDS
    rows: list[list[Cell]] = [
        [
            _head(reconsideration[1], colspan=5, scope="colgroup"),
            _head(litigation[1], colspan=10, scope="colgroup"),
        ],
        [_head(label, rowspan=2) for _key, label in t.CHALLENGE_RESULTS]
        + [
            _head(litigation[2], colspan=5, scope="colgroup"),
            _head(litigation_after[2], colspan=5, scope="colgroup"),
        ],
        [_head(label) for _key, label in t.CHALLENGE_RESULTS] * 2,
        [
            _number(values.get(kind, {}).get(result, 0))
            for kind, _label, _sub in t.CHALLENGE_KINDS
            for result in results
        ],
    ]
    return Grid(
        key="table4",
        title=str(t.PARTS["table4"]),
        columns=15,
        header_rows=3,
        rows=rows,
        widths=[1] * 15,
    )


def grids(tables: dict) -> list[Grid]:
    return [
        table2_grid(tables.get("table2", {})),
        table3_grid(tables.get("table3", {})),
        table4_grid(tables.get("table4", {})),
    ]


@dataclass
class CheckRow:
    label: str
    left: int  # 一 + 二
    right: int  # 三（七） + 四
    holds: bool
    difference: int


def check_rows(table3: dict) -> list[CheckRow]:
    """The check 一 + 二 = 三（七） + 四 per column, in the columns' order."""
    check = table3.get("check", {})
    rows = []
    for key, label in t.APPLICANT_COLUMNS:
        entry = check.get(key)
        if entry is None:
            continue
        rows.append(
            CheckRow(
                label=str(label),
                left=entry["new"] + entry["carried_over"],
                right=entry["handled"] + entry["carried_forward"],
                holds=entry["holds"],
                difference=entry.get(
                    "difference",
                    entry["new"]
                    + entry["carried_over"]
                    - entry["handled"]
                    - entry["carried_forward"],
                ),
            )
        )
    return rows


def paragraphs(text: str) -> list[str]:
    """Narrative text as paragraphs: every non-empty line is one (officials type one
    paragraph a line, as in a word processor)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def narrative(report: Any) -> dict[str, list[str]]:
    """The narrative parts of a report (or of none) as paragraphs, by part."""
    return {
        field: paragraphs(getattr(report, field, "") if report else "")
        for field in ("overall", "problems", "other")
    }
