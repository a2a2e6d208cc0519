"""Certificate documents: the QR code matrix and the PDF. Pure: data in, bytes out.

``chinese_font`` is shared by every PDF the platform draws (the leadership summary too).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # Debian: fonts-wqy-microhei
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
FONT = "QSChinese"


@dataclass(frozen=True)
class CertificateText:
    title: str
    title_en: str
    holder: str
    employee_no: str
    tier: str
    issued: str  # dates already formatted for the reader
    valid_until: str
    serial: str
    verify_url: str
    issuer: str
    labels: dict[str, str]  # translated captions: name, employee_no, tier, issued, valid_until, serial, scan
    rows: tuple[tuple[str, str], ...] = ()  # (caption, value) lines instead of the exam certificate's own
    score: str = ""  # "90%", shown after the tier when given
    signature: str = ""  # the caption under the signature line, e.g. "颁发单位：…"
    signer: str = ""  # a name or title above the line
    seal: str = ""  # path of a seal image drawn over the signature, when configured


def qr_cells(text: str) -> tuple[int, list[tuple[int, int]]]:
    """Size of the QR code and its dark cells (x, y): the page draws them as SVG rects, no JS."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    return len(matrix), [(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark]


@lru_cache(maxsize=1)
def chinese_font() -> str:
    for path in FONT_FILES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
            return FONT
    raise RuntimeError("No Chinese font: install Debian's fonts-wqy-microhei")


def _signature(pdf: canvas.Canvas, font: str, text: CertificateText, width: float) -> None:
    """The signature line at the lower right, right of the QR code, with the seal over it."""
    left, right, line_y = width - 85 * mm, width - 28 * mm, 62 * mm
    if text.seal and Path(text.seal).is_file():
        pdf.drawImage(text.seal, right - 36 * mm, line_y - 12 * mm, 34 * mm, 34 * mm, mask="auto",
                      preserveAspectRatio=True)
    pdf.setFillColorRGB(0.1, 0.15, 0.2)
    if text.signer:
        pdf.setFont(font, 12)
        pdf.drawCentredString((left + right) / 2, line_y + 3 * mm, text.signer)
    pdf.setStrokeColorRGB(0.1, 0.15, 0.2)
    pdf.setLineWidth(0.6)
    pdf.line(left, line_y, right, line_y)
    pdf.setFont(font, 11)
    pdf.drawCentredString((left + right) / 2, line_y - 6 * mm, text.signature)
    pdf.drawCentredString((left + right) / 2, line_y - 12 * mm, text.issued)


def certificate_pdf(text: CertificateText) -> bytes:
    font = chinese_font()
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{text.title} {text.serial}")
    pdf.setAuthor(text.issuer)
    pdf.setStrokeColorRGB(0.04, 0.36, 0.67)
    pdf.setLineWidth(3)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(19 * mm, 19 * mm, width - 38 * mm, height - 38 * mm)
    pdf.setFillColorRGB(0.04, 0.36, 0.67)
    pdf.setFont(font, 15)
    pdf.drawCentredString(width / 2, height - 45 * mm, text.issuer)
    pdf.setFont(font, 28)
    pdf.drawCentredString(width / 2, height - 70 * mm, text.title)
    if text.title_en:
        pdf.setFont(font, 12)
        pdf.drawCentredString(width / 2, height - 80 * mm, text.title_en)
    pdf.setFillColorRGB(0.1, 0.15, 0.2)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 115 * mm, text.holder)
    rows = list(text.rows) or [
        (text.labels["employee_no"], text.employee_no), (text.labels["tier"], text.tier),
        *(((text.labels["score"], text.score),) if text.score else ()),
        (text.labels["issued"], text.issued), (text.labels["valid_until"], text.valid_until),
        (text.labels["serial"], text.serial),
    ]
    y = height - 140 * mm
    for label, value in rows:
        pdf.setFont(font, 13)
        pdf.drawRightString(width / 2 - 4 * mm, y, label)
        pdf.drawString(width / 2 + 4 * mm, y, value)
        y -= 10 * mm
    size, cells = qr_cells(text.verify_url)
    cell = 38 * mm / size
    left, bottom = width / 2 - 19 * mm, 42 * mm
    pdf.setFillColorRGB(0, 0, 0)
    for x, row in cells:
        pdf.rect(left + x * cell, bottom + (size - 1 - row) * cell, cell, cell, stroke=0, fill=1)
    if text.signature:
        _signature(pdf, font, text, width)
    pdf.setFont(font, 9)
    pdf.drawCentredString(width / 2, 35 * mm, text.labels["scan"])
    pdf.drawCentredString(width / 2, 30 * mm, text.verify_url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
