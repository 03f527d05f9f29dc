"""The report as an XLSX workbook (one sheet per table, laid out and merged as in the 2021
format) and as a PDF (disclosure.pdf), both from the layout the page uses."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from disclosure import pdf
from disclosure.annual import layout
from disclosure.annual.selectors import ReportView
from disclosure.annual.tables import CHECK_NOTE, PARTS
from portal.charts import XLSX_TYPE

# At most 31 characters, none of []:*?/\
SHEET_NAMES = {"table2": "二、主动公开", "table3": "三、依申请公开", "table4": "四、复议诉讼"}
TOP_ROW = 5  # title, part, status, blank, then the table
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")


def status_line(view: ReportView) -> str:
    if view.is_frozen:
        return _("统计表为发布时固定的数据。")
    return _("草稿：统计表为截至导出时的实时数据，发布时固定。")


def check_line(check: layout.CheckRow) -> str:
    result = _("相符") if check.holds else _("相差 %(n)s") % {"n": check.difference}
    return _(
        "%(column)s：第一项 + 第二项 = %(left)s，第三项（七）+ 第四项 = %(right)s，%(result)s"
    ) % {
        "column": check.label,
        "left": check.left,
        "right": check.right,
        "result": result,
    }


def _write_grid(sheet, grid: layout.Grid) -> int:
    """The grid from TOP_ROW down, merged and ruled; returns its last row."""
    for r, c, cell in grid.placed():
        row, column = TOP_ROW + r, 1 + c
        target = sheet.cell(
            row=row, column=column, value=cell.value if cell.is_number else cell.text
        )
        is_column_head = cell.header and cell.scope.startswith("col")
        if cell.is_number:
            horizontal = "right"
        elif is_column_head:
            horizontal = "center"
        else:
            horizontal = "left"
        target.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
        if is_column_head:
            target.fill = HEADER_FILL
        if cell.colspan > 1 or cell.rowspan > 1:
            sheet.merge_cells(
                start_row=row,
                start_column=column,
                end_row=row + cell.rowspan - 1,
                end_column=column + cell.colspan - 1,
            )
    last_row = TOP_ROW + len(grid.rows) - 1
    for row in sheet.iter_rows(min_row=TOP_ROW, max_row=last_row, max_col=grid.columns):
        for item in row:
            item.border = BORDER
    for index, width in enumerate(grid.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, round(width * 9))
    return last_row


def workbook(view: ReportView) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for grid in layout.grids(view.tables):
        sheet = book.create_sheet(SHEET_NAMES[grid.key])
        sheet.cell(row=1, column=1, value=view.title).font = Font(bold=True, size=13)
        sheet.cell(row=2, column=1, value=grid.title).font = Font(bold=True)
        sheet.cell(row=3, column=1, value=status_line(view))
        last_row = _write_grid(sheet, grid)
        if grid.key == "table3":
            sheet.cell(row=last_row + 2, column=1, value=str(CHECK_NOTE))
            checks = layout.check_rows(view.tables.get("table3", {}))
            for offset, check in enumerate(checks, start=3):
                sheet.cell(row=last_row + offset, column=1, value=check_line(check))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(view: ReportView) -> HttpResponse:
    filename = f"annual-report-{view.unit.pk}-{view.year}.xlsx"
    return HttpResponse(
        workbook(view),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _narrative(text: str) -> list[pdf.Paragraph]:
    return [pdf.Paragraph(part, indent=True) for part in layout.paragraphs(text)] or [
        pdf.Paragraph(_("无。"), indent=True)
    ]


def pdf_bytes(view: ReportView) -> bytes:
    report = view.report
    blocks: list = []
    if not view.is_frozen:
        blocks.append(pdf.Paragraph(status_line(view), align="center"))
    blocks.append(pdf.Heading(str(PARTS["overall"])))
    blocks += _narrative(report.overall if report else "")
    for grid in layout.grids(view.tables):
        if grid.key == "table3":  # a page of its own rather than split after two rows
            blocks.append(pdf.PageBreak())
        blocks.append(pdf.Heading(grid.title))
        rows, spans = grid.matrix()
        blocks.append(
            pdf.Table(rows, header_rows=grid.header_rows, widths=grid.widths, spans=spans)
        )
        if grid.key == "table3":
            blocks.append(pdf.Paragraph(str(CHECK_NOTE)))
    blocks.append(pdf.Heading(str(PARTS["problems"])))
    blocks += _narrative(report.problems if report else "")
    blocks.append(pdf.Heading(str(PARTS["other"])))
    blocks += _narrative(report.other if report else "")
    if view.published_at:
        blocks.append(pdf.Paragraph(view.unit.name, align="right"))
        blocks.append(
            pdf.Paragraph(timezone.localdate(view.published_at).strftime("%Y-%m-%d"), align="right")
        )
    return pdf.pdf_document(view.title, blocks, author=view.unit.name)


def pdf_response(view: ReportView) -> HttpResponse:
    filename = f"annual-report-{view.unit.pk}-{view.year}.pdf"
    response = HttpResponse(
        pdf_bytes(view),
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(False, filename)},
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
