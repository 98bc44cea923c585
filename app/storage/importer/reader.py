"""Reading a spreadsheet (.xlsx, .xls, .csv) into numbered rows of plain cell values."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.errors import ValidationError
from app.storage.importer.export_rows import FORMULA_STARTS

log = logging.getLogger(__name__)

# Row numbers are 1-based, as the spreadsheet shows them, so row errors point at the right line.
Row = tuple[int, list[Any]]


@dataclass
class Sheet:
    """The rows of one worksheet (or a CSV file), blank rows included."""

    name: str
    rows: list[Row]


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """Read the first sheet (or `sheet`) of an .xlsx/.xls/.csv file.

    Raises ValidationError (field `file` or `sheet`) for a missing, unreadable or unknown file.
    """
    if not path.exists():
        raise ValidationError("file_missing", "file", path=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        return _read_xls(path, sheet)
    if suffix in (".csv", ".txt"):
        if sheet:
            raise ValidationError("sheet_missing", "sheet", value=sheet)
        return _read_csv(path)
    raise ValidationError("file_format", "file", detail=f"{path.suffix or path.name}（支持 .xlsx、.xls、.csv）")


def normalise_cell(value: Any) -> Any:
    """Spreadsheet value → plain value: whole floats become ints (13812345678.0 is a phone)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _read_xlsx(path: Path, sheet: str | None) -> Sheet:
    from app.storage.importer import xlsx

    try:
        with path.open("rb") as f:
            book = xlsx.open_book(f)
            name, part = book.sheets[book_index(book.sheets, sheet)]
            return Sheet(name, book.rows(part))
    except xlsx.XlsxFormatError as e:
        log.info("Fast xlsx reader gave up (%s); reading %s with openpyxl", e, path.name)
    except zipfile.BadZipFile as e:
        raise ValidationError("file_unreadable", "file", detail=type(e).__name__) from e
    return _read_xlsx_openpyxl(path, sheet)


def book_index(sheets: list[tuple[str, str]], wanted: str | None) -> int:
    names = [n for n, _ in sheets]
    return names.index(_pick(names, wanted))


def _read_xlsx_openpyxl(path: Path, sheet: str | None) -> Sheet:
    """The slow, thorough path for files the fast reader does not understand."""
    import openpyxl

    from app.storage.importer.xlsx import fill_merged

    try:
        # Not read-only: that mode knows no merged cells, and this path is the rare one.
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ValidationError("file_unreadable", "file", detail=type(e).__name__) from e
    try:
        ws = book[_pick(book.sheetnames, sheet)]
        rows: list[Row] = []
        for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((number, [normalise_cell(c) for c in cells]))
        fill_merged(rows, [(m.min_row, m.max_row, m.min_col - 1, m.max_col - 1)
                           for m in ws.merged_cells.ranges])
        return Sheet(ws.title, rows)
    finally:
        book.close()


def _read_xls(path: Path, sheet: str | None) -> Sheet:
    import xlrd

    try:
        # formatting_info gives the merged ranges (filled like the .xlsx reader fills them).
        book = xlrd.open_workbook(str(path), on_demand=True, formatting_info=True)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError) as e:
        raise ValidationError("file_unreadable", "file", detail=type(e).__name__) from e
    try:
        name = _pick(book.sheet_names(), sheet)
        ws = book.sheet_by_name(name)
        rows: list[Row] = []
        for r in range(ws.nrows):
            cells: list[Any] = []
            for c in range(ws.ncols):
                cell = ws.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    cells.append(normalise_cell(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append(None)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    cells.append(bool(cell.value))
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    cells.append(None)
                else:
                    cells.append(normalise_cell(cell.value))
            rows.append((r + 1, cells))
        from app.storage.importer.xlsx import fill_merged

        # xlrd ranges are 0-based and end-exclusive.
        fill_merged(rows, [(r1 + 1, r2, c1, c2 - 1) for r1, r2, c1, c2 in ws.merged_cells])
        return Sheet(name, rows)
    finally:
        book.release_resources()


def _pick(names: list[str], wanted: str | None) -> str:
    if not names:
        raise ValidationError("file_unreadable", "file", detail="没有工作表")
    if wanted is None:
        return names[0]
    if wanted in names:
        return wanted
    stripped = {n.strip(): n for n in names}
    if wanted.strip() in stripped:
        return stripped[wanted.strip()]
    raise ValidationError("sheet_missing", "sheet", value=wanted, sheets="、".join(names))


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), else GB18030 (a superset of GBK, as Excel saves Chinese CSV)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise ValidationError("file_unreadable", "file", detail="编码无法识别（应为 UTF-8 或 GBK）") from e


def _unquote(cell: str) -> str:
    """A CSV cell without the apostrophe a CSV export puts before formula-like text."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _read_csv(path: Path) -> Sheet:
    try:
        text = decode_text(path.read_bytes())
    except OSError as e:
        raise ValidationError("file_unreadable", "file", detail=type(e).__name__) from e
    # csv.Sniffer guesses wrong on Chinese text with 、；; only comma and tab are told apart.
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, [_unquote(c) if c.strip() else None for c in cells]))
    except csv.Error as e:
        raise ValidationError("file_unreadable", "file", detail=str(e)) from e
    return Sheet(path.stem, rows)
