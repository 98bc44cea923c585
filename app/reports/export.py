"""Writing an export table as .xlsx (formatted for the monthly review) or .csv (UTF-8 with BOM)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from app.domain.errors import ReportError, ValidationError
from app.storage.importer.export_rows import FORMULA_STARTS, ExportTable

FORMATS = ("xlsx", "csv")
MONEY_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
# Column widths in characters: CJK text is about two Latin characters wide.
_WIDTH = {"money": 14, "date": 12}
_MAX_WIDTH = 40


def write_table(table: ExportTable, out: Path, fmt: str) -> Path:
    """Write `table` to `out` atomically (a half-written file never replaces a good one)."""
    if fmt not in FORMATS:
        raise ValidationError("out_format", "format", allowed="、".join(FORMATS))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix="." + fmt, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "csv":
            _write_csv(table, tmp)
        else:
            _write_xlsx(table, tmp)
        os.replace(tmp, out)
    except OSError as e:
        raise ReportError("report", detail=f"{type(e).__name__}: {out}") from e
    finally:
        if tmp.exists():
            tmp.unlink()
    return out


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Excel and WPS would run it as a formula ("=HYPERLINK(…)" typed into a note would
        # become a link in the bureau's ledger): the apostrophe keeps it text for both.
        return "'" + value
    return value


def _write_csv(table: ExportTable, path: Path) -> None:
    # The BOM is what makes Excel and WPS read the file as UTF-8 rather than the ANSI code page.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([_csv_value(v) for v in row])


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write_xlsx(table: ExportTable, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet("导出")
    ncols = len(table.headers)
    # Widths from the header and the first rows: measuring every row of a large export costs
    # more than it is worth.
    widths = [_display_width(h) + 2 for h in table.headers]
    for row in table.rows[:200]:
        for i, value in enumerate(row):
            if table.kinds[i] == "text" and value is not None:
                widths[i] = max(widths[i], _display_width(str(value)) + 2)
    for i, kind in enumerate(table.kinds):
        width = max(widths[i], _WIDTH.get(kind, 8))
        ws.column_dimensions[get_column_letter(i + 1)].width = min(width, _MAX_WIDTH)
    ws.freeze_panes = "A2"
    last = get_column_letter(ncols)
    ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for text in table.headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill, cell.alignment = bold, fill, centre
        header.append(cell)
    ws.append(header)
    money = [i for i, k in enumerate(table.kinds) if k == "money"]
    dates = [i for i, k in enumerate(table.kinds) if k == "date"]
    texts = [i for i, k in enumerate(table.kinds) if k == "text"]
    for row in table.rows:
        cells: list[Any] = list(row)
        for i in texts:
            value = cells[i]
            if isinstance(value, str) and value.startswith("="):
                # openpyxl writes a string starting with "=" as a formula: a note would become
                # one, and read back empty. Written as a string it stays what was typed.
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                cells[i] = cell
        for i in money:
            if cells[i] is not None:
                cell = WriteOnlyCell(ws, value=cells[i])
                cell.number_format = MONEY_FORMAT
                cells[i] = cell
        for i in dates:
            if cells[i] is not None:
                cell = WriteOnlyCell(ws, value=cells[i])
                cell.number_format = DATE_FORMAT
                cells[i] = cell
        ws.append(cells)
    book.save(path)
