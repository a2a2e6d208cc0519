"""The leadership summary as a one-page A4 PDF, in the page's order: title, unit, period, the table,
the small trend, how each figure is computed. Pure: text already translated and formatted in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from academy.printing import chinese_font

BLUE = colors.Color(0.04, 0.36, 0.67)


@dataclass(frozen=True)
class SummaryText:
    title: str
    unit: str  # the unit's full name path
    period: str  # e.g. "2026-Q3 · 上期 2026-Q2"
    header: tuple[str, str, str, str]  # indicator, this period, previous period, change
    rows: list[tuple[str, str, str, str]]  # values already formatted for the reader
    trend_title: str
    trend: list[tuple[str, int]]  # (week's first day as shown, courses completed)
    definitions_title: str
    definitions: list[tuple[str, str]]  # (metric, how it is computed), as on the page
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
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    heading = ParagraphStyle("heading", fontName=font, fontSize=11, leading=15, textColor=BLUE, wordWrap="CJK")
    term = ParagraphStyle("term", fontName=font, fontSize=8, leading=10.5, wordWrap="CJK")
    how = ParagraphStyle("how", parent=term, textColor=colors.Color(0.3, 0.3, 0.3))
    definitions = Table([[Paragraph(escape(f"{name}："), term), Paragraph(escape(meaning), how)]
                         for name, meaning in text.definitions], colWidths=[38 * mm, 132 * mm])
    definitions.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story = [Paragraph(escape(text.title), title), Spacer(1, 2 * mm),
             Paragraph(escape(text.unit), subtitle), Paragraph(escape(text.period), subtitle), Spacer(1, 4 * mm),
             table, Spacer(1, 4 * mm), Paragraph(escape(text.trend_title), heading),
             _trend(text.trend, font), Spacer(1, 3 * mm),
             Paragraph(escape(text.definitions_title), heading), definitions, Spacer(1, 3 * mm),
             Paragraph(escape(text.footer), small)]
    doc.build(story)
    return buffer.getvalue()


def _trend(points: list[tuple[str, int]], font: str, width: float = 170 * mm, height: float = 30 * mm) -> Drawing:
    """The page's small trend: one line of weekly counts, a baseline, the top value and the dates."""
    drawing = Drawing(width, height)
    left, bottom, top_pad = 8 * mm, 6 * mm, 3 * mm
    plot_w, plot_h = width - left - 2 * mm, height - bottom - top_pad
    top = max([n for _label, n in points] + [1])
    step = plot_w / max(len(points) - 1, 1)
    xy = [(left + i * step, bottom + plot_h * n / top) for i, (_label, n) in enumerate(points)]
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=colors.Color(0.6, 0.6, 0.6), strokeWidth=0.5))
    drawing.add(String(left - 2, bottom + plot_h - 3, str(top), fontName=font, fontSize=7, textAnchor="end"))
    drawing.add(String(left - 2, bottom - 2, "0", fontName=font, fontSize=7, textAnchor="end"))
    if len(xy) > 1:
        drawing.add(PolyLine([c for point in xy for c in point], strokeColor=BLUE, strokeWidth=1.5))
    for i, ((x, y), (label, _n)) in enumerate(zip(xy, points, strict=True)):
        drawing.add(Circle(x, y, 1.5, fillColor=BLUE, strokeColor=BLUE))
        if i % 2 == 0 or i == len(points) - 1:
            drawing.add(String(x, 0, label, fontName=font, fontSize=7, textAnchor="middle"))
    return drawing
