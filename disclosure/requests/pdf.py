"""The reply letter as a PDF (disclosure.pdf, reportlab's built-in Chinese font): the same
ReplyLetter the HTML page prints, laid out as an official letter on A4."""

from __future__ import annotations

from disclosure.pdf import Paragraph, pdf_document
from disclosure.requests.letter import ReplyLetter


def letter_pdf(letter: ReplyLetter) -> bytes:
    blocks = [
        Paragraph(letter.number, align="center"),
        Paragraph(letter.addressee, align="left"),
        *(Paragraph(text, indent=True) for text in letter.paragraphs),
        Paragraph(""),
        Paragraph(letter.seal, align="right"),
        Paragraph(letter.date, align="right"),
    ]
    return pdf_document(letter.title, blocks, author=letter.unit_name)
