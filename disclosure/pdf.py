"""PDF documents of disclosure (reply letters, annual reports): one small API on reportlab.

    from disclosure.pdf import Heading, Paragraph, Table, PageBreak, pdf_document

    data = pdf_document(
        "新津区教育局政府信息公开工作年度报告",
        [
            Heading("一、总体情况"),
            Paragraph("2026年，我局……", indent=True),
            Table(
                [["信息内容", "本年制发件数"], ["规章", 0]],
                header_rows=1,
                widths=[3, 1],  # relative
                spans=[((0, 0), (0, 1))],  # (column, row) corners, as reportlab's SPAN
            ),
            PageBreak(),
            Paragraph("新津区教育局", align="right"),
        ],
    )  # -> bytes starting with b"%PDF"

A plain string in `blocks` is a Paragraph. Text is plain text (escaped here; a newline
starts a new line), never markup. The title is printed centred at the top and written
into the document's metadata; pages are A4 with "第 n 页" at the foot.

The font is reportlab's built-in CID font STSong-Light (Adobe-GB1): PDF readers supply the
glyphs, so no font file ships with the portal and the Chinese text stays extractable.
It has no bold face: headings are set larger instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak as _PageBreak
from reportlab.platypus import Paragraph as _Paragraph
from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as _Table
from reportlab.platypus import paragraph as _rl_paragraph

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

# reportlab's CJK line breaking keeps Japanese punctuation off the start of a line (it
# hangs in the margin instead) but does not know the fullwidth comma, colon, semicolon,
# question and exclamation marks of Chinese text: teach it, once, at import.
_CHINESE_CANNOT_START = "，：；？！》"
_rl_paragraph.ALL_CANNOT_START += "".join(
    mark for mark in _CHINESE_CANNOT_START if mark not in _rl_paragraph.ALL_CANNOT_START
)

Align = Literal["left", "center", "right", "justify"]
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
BODY_SIZE = 12
MARGIN = 20 * mm


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 (a part of the document) or 2 (a section inside it)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Body text. indent: a first-line indent of two characters, as in official letters."""

    text: str
    align: Align = "justify"
    indent: bool = False


@dataclass(frozen=True)
class Table:
    """A grid with ruled cells. The first `header_rows` rows are shaded and repeated on
    every page the table runs over. Numbers (int, Decimal, float) are right-aligned,
    None prints empty. widths: relative column widths (any unit), default equal.
    spans: merged cells as ((first column, first row), (last column, last row))."""

    rows: Sequence[Sequence[object]]
    header_rows: int = 1
    widths: Sequence[float] | None = None
    spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = field(default=())


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = Heading | Paragraph | Table | PageBreak | str


def _style(name: str, size: float, *, align: int = TA_JUSTIFY, **extra: object) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT,
        fontSize=size,
        leading=size * 1.6,
        alignment=align,
        wordWrap="CJK",  # break between any two Chinese characters
        **extra,
    )


TITLE = _style("title", 18, align=TA_CENTER, spaceAfter=6 * mm)
HEADINGS = {
    1: _style("h1", 14, align=TA_LEFT, spaceBefore=4 * mm, spaceAfter=2 * mm),
    2: _style("h2", 12.5, align=TA_LEFT, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
}
CELL = _style("cell", 9.5, align=TA_LEFT)
CELL_NUMBER = _style("cell-number", 9.5, align=TA_RIGHT)
CELL_HEADER = _style("cell-header", 9.5, align=TA_CENTER)


def _markup(text: object) -> str:
    """Plain text as reportlab paragraph markup: escaped, newlines kept."""
    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def _paragraph(block: Paragraph) -> _Paragraph:
    style = _style(
        f"p-{block.align}-{int(block.indent)}",
        BODY_SIZE,
        align=_ALIGN[block.align],
        firstLineIndent=2 * BODY_SIZE if block.indent else 0,
        spaceAfter=2 * mm,
    )
    return _Paragraph(_markup(block.text), style)


def _cell(value: object, header: bool) -> _Paragraph:
    if header:
        style = CELL_HEADER
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        style = CELL_NUMBER
    else:
        style = CELL
    return _Paragraph(_markup(value), style)


def _table(block: Table, frame_width: float) -> _Table | Spacer:
    if not block.rows:
        return Spacer(0, 0)
    columns = max(len(row) for row in block.rows)
    data = [
        [_cell(value, index < block.header_rows) for value in row] + [""] * (columns - len(row))
        for index, row in enumerate(block.rows)
    ]
    relative = list(block.widths or [1] * columns)
    if len(relative) != columns:
        raise ValueError(f"widths has {len(relative)} entries for {columns} columns")
    total = float(sum(relative))
    table = _Table(
        data,
        colWidths=[frame_width * float(width) / total for width in relative],
        repeatRows=block.header_rows,
    )
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if block.header_rows:
        commands.append(
            ("BACKGROUND", (0, 0), (-1, block.header_rows - 1), colors.HexColor("#EEEEEE"))
        )
    commands += [("SPAN", start, end) for start, end in block.spans]
    table.setStyle(TableStyle(commands))
    return table


def _footer(canvas, document) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(A4[0] / 2, MARGIN / 2, f"第 {document.page} 页")
    canvas.restoreState()


def pdf_document(title: str, blocks: Iterable[Block], *, author: str = "") -> bytes:
    """The document as PDF bytes: `title` on top, then the blocks in order."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        creator="",
        producer="",  # the reportlab version is nobody's business
    )
    story: list = [_Paragraph(_markup(title), TITLE)]
    for block in blocks:
        if isinstance(block, str):
            block = Paragraph(block)
        if isinstance(block, Heading):
            story.append(_Paragraph(_markup(block.text), HEADINGS.get(block.level, HEADINGS[2])))
        elif isinstance(block, Paragraph):
            story.append(_paragraph(block))
        elif isinstance(block, Table):
            story += [_table(block, document.width), Spacer(0, 3 * mm)]
        elif isinstance(block, PageBreak):
            story.append(_PageBreak())
        else:
            raise TypeError(f"not a PDF block: {block!r}")
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
