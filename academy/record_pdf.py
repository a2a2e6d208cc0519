"""A person's own record as a PDF (their PIPL copy). Pure: labels and rows in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from academy.printing import chinese_font


@dataclass(frozen=True)
class Section:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str  # what to say where there are no rows


def record_pdf(title: str, person: list[tuple[str, str]], sections: list[Section], footer: str) -> bytes:
    font = chinese_font()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=title)
    heading = ParagraphStyle("h", fontName=font, fontSize=18, leading=24, wordWrap="CJK")
    sub = ParagraphStyle("s", fontName=font, fontSize=12.5, leading=18, spaceBefore=8, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    small = ParagraphStyle("f", fontName=font, fontSize=8, leading=11, textColor=colors.grey, wordWrap="CJK")

    def table(rows: list[tuple[str, ...]], widths: list[float] | None = None) -> Table:
        data = [[Paragraph(escape(str(v)), cell) for v in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.Color(0.8, 0.8, 0.8)),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    story: list[object] = [Paragraph(escape(title), heading), Spacer(1, 4 * mm),
                           table([(k, v) for k, v in person], [40 * mm, 134 * mm])]
    for section in sections:
        story.append(Paragraph(escape(section.title), sub))
        story.append(table([section.header, *section.rows]) if section.rows else Paragraph(escape(section.empty), cell))
    story += [Spacer(1, 6 * mm), Paragraph(escape(footer), small)]
    doc.build(story)
    return buffer.getvalue()
