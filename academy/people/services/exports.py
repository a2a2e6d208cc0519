"""Spreadsheet exports with bounded memory: XLSX (openpyxl write-only) and CSV with a BOM.

Rows arrive as an iterator and go straight to a temporary file (XLSX) or to the response
(CSV), so 100,000 rows need no more memory than a few.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert by a leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def keep_as_text(sheet: Any) -> None:
    """In a normal (not write-only) sheet, turn every cell openpyxl took for a formula back into text.

    Our exports never write formulas, so any "formula" came from what someone typed.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


@dataclass(frozen=True)
class Column:
    header: str  # Chinese: HR opens these in Excel
    width: int = 14
    kind: str = "text"  # text | date | datetime | number | percent


def _local(value: object, zone: ZoneInfo) -> object:
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)  # Excel has no time zones
    return value


def write_xlsx(title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]], *,
               zone: str = "Asia/Shanghai") -> bytes:
    """A real Excel file: frozen header row, column widths, dates as dates.

    Rows stream into openpyxl's write-only sheet (spooled to disk), so memory stays bounded
    by the compressed file, a few MB for 100,000 rows.
    """
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "percent": "0.0%", "number": "0.0"}
    tz = ZoneInfo(zone)
    for row in rows:
        out: list[object] = []
        for column, value in zip(columns, row, strict=True):
            if column.kind in formats and value is not None and value != "":
                cell = WriteOnlyCell(sheet, value=_local(value, tz))
                cell.number_format = formats[column.kind]
                out.append(cell)
            elif isinstance(value, str):
                # a typed string cell: openpyxl would store "=..." as a live formula otherwise
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    with tempfile.TemporaryFile() as target:
        book.save(target)
        target.seek(0)
        return target.read()


def _text(value: object, zone: ZoneInfo) -> object:
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4g}"
    return defuse(value)


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence[object]], *, zone: str = "Asia/Shanghai",
               batch: int = 500) -> Iterator[str]:
    """UTF-8 CSV with a BOM (so Excel opens Chinese correctly), streamed in batches."""
    tz = ZoneInfo(zone)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.header for c in columns])
    for n, row in enumerate(rows, start=1):
        writer.writerow([_text(v, tz) for v in row])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
