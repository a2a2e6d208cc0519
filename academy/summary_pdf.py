"""The leadership summary as a one-page A4 PDF. Pure: text already translated and formatted in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .printing import chinese_font

BLUE = colors.Color(0.04, 0.36, 0.67)


@dataclass(frozen=True)
class SummaryText:
    title: str
    unit: str  # the unit's full name path
    period: str  # e.g. "2026-Q3 · 上期 2026-Q2"
    header: tuple[str, str, str, str]  # indicator, this period, previous period, change
    rows: list[tuple[str, str, str, str]]  # values already formatted for the reader
    note: str
    footer: str  # issuer and the moment it was drawn


def summary_pdf(text: SummaryText) -> bytes:
    font = chinese_font()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{text.title} {text.unit} {text.period}", author=text.footer)
    # CJK wrapping: Chinese has no spaces, so lines may break between any two characters
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=26, textColor=BLUE, wordWrap="CJK")
    subtitle = ParagraphStyle("subtitle", fontName=font, fontSize=12, leading=17, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    number = ParagraphStyle("number", parent=cell, alignment=2)
    small = ParagraphStyle("small", fontName=font, fontSize=8.5, leading=12, textColor=colors.Color(0.3, 0.3, 0.3),
                           wordWrap="CJK")

    def row(values: tuple[str, str, str, str]) -> list[Paragraph]:
        return [Paragraph(escape(v), cell if i == 0 else number) for i, v in enumerate(values)]

    table = Table([row(text.header)] + [row(r) for r in text.rows],
                  colWidths=[80 * mm, 30 * mm, 30 * mm, 30 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.94, 0.98)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.Color(0.8, 0.8, 0.8)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    story = [Paragraph(escape(text.title), title), Spacer(1, 3 * mm),
             Paragraph(escape(text.unit), subtitle), Paragraph(escape(text.period), subtitle), Spacer(1, 6 * mm),
             table, Spacer(1, 6 * mm), Paragraph(escape(text.note), small), Spacer(1, 3 * mm),
             Paragraph(escape(text.footer), small)]
    doc.build(story)
    return buffer.getvalue()
