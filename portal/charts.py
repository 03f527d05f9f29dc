"""Presentation helpers shared by the supervisors' and statistics pages: inline-SVG bar
charts of percentages, column charts of counts over time, and an XLSX download.

The chart is geometry only; templates draw it as SVG with presentation attributes and
CSS classes, so pages need no script and no inline style (the CSP forbids both).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Bar:
    label: str
    value: Decimal | None
    y: int
    width: float
    text_x: float
    band: str

    @property
    def value_text(self) -> str:
        return "—" if self.value is None else f"{self.value}%"


@dataclass
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    row_height: int
    area_width: int

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(p, self.label_width + self.area_width * p / 100) for p in (0, 25, 50, 75, 100)]

    @property
    def axis_y(self) -> int:
        return self.height - 20

    @property
    def tick_label_y(self) -> int:
        return self.height - 5


def band_of(score: Decimal | None) -> str:
    """A colour band for a score; the CSS gives each band its fill."""
    if score is None:
        return "none"
    if score >= 90:
        return "good"
    if score >= 60:
        return "fair"
    return "poor"


def bar_chart(rows: list[tuple[str, Decimal | None]], *, title: str, description: str) -> BarChart:
    """Geometry of a horizontal bar chart of percentages, drawn by the template as inline
    SVG: presentation attributes for the shapes, classes for the colours, no script."""
    label_width, area_width, value_width = 180, 420, 70
    bar_height, row_height, top = 20, 30, 8
    bars = []
    for index, (label, value) in enumerate(rows):
        width = 0.0 if value is None else float(value) / 100 * area_width
        bars.append(
            Bar(
                label=label,
                value=value,
                y=top + index * row_height,
                width=round(width, 1),
                text_x=round(label_width + width + 6, 1),
                band=band_of(value),
            )
        )
    return BarChart(
        title=title,
        description=description,
        bars=bars,
        width=label_width + area_width + value_width,
        height=top + len(rows) * row_height + 24,
        label_width=label_width,
        bar_height=bar_height,
        row_height=row_height,
        area_width=area_width,
    )


@dataclass
class Column:
    label: str
    value: int
    x: float
    y: float
    height: float
    label_x: float

    @property
    def value_text(self) -> str:
        return f"{self.value:,}"

    @property
    def value_y(self) -> float:
        return self.y - 4


@dataclass
class ColumnChart:
    title: str
    description: str
    columns: list[Column]
    width: int
    height: int
    column_width: float
    baseline: int

    @property
    def label_y(self) -> int:
        return self.baseline + 16


def column_chart(rows: list[tuple[str, int]], *, title: str, description: str) -> ColumnChart:
    """Geometry of a column chart of counts over time (one column a month), drawn by
    templates/portal/_column_chart.html as inline SVG: no script, no inline style."""
    slot, top, plot_height = 44, 22, 120
    peak = max((value for _label, value in rows), default=0)
    columns = []
    for index, (label, value) in enumerate(rows):
        height = 0.0 if not peak else value / peak * plot_height
        x = index * slot + 6
        columns.append(
            Column(
                label=label,
                value=value,
                x=x,
                y=round(top + plot_height - height, 1),
                height=round(height, 1),
                label_x=x + (slot - 12) / 2,
            )
        )
    return ColumnChart(
        title=title,
        description=description,
        columns=columns,
        width=max(len(rows), 1) * slot + 6,
        height=top + plot_height + 24,
        column_width=slot - 12,
        baseline=top + plot_height,
    )


def xlsx_response(
    *, filename: str, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """One sheet, written row by row (openpyxl's write-only mode), as a download."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return HttpResponse(
        buffer.getvalue(),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
