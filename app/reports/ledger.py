"""招商项目台账 (project ledger): landscape PDF and an Excel workbook for WPS and Excel."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.figures import HOME_ZONE, reached_dates
from app.domain.messages import (
    REPORT_COLUMNS as COL,
)
from app.domain.messages import (
    enum_label,
    field_label,
    format_date_cn,
    format_wan,
    format_yi,
    report_text,
)
from app.reports.blocks import Column, Document, ReportResult, Subtitle, Table, Title, write_atomic
from app.reports.render import check_out_path, write_document
from app.reports.trip_text import stage_label
from app.storage.report_data import LedgerFilter, ledger_rows

_SIGNED, _STARTED = 2, 4  # pipeline positions in reached_dates()


@dataclass(frozen=True)
class LedgerColumn:
    key: str
    width_chars: float  # Excel column width in characters
    pdf_share: float  # share of the PDF text width (8 pt type: dates need more than in Excel)
    kind: str = "text"  # text, money, date, int
    align: str = "LEFT"


COLUMNS = (
    LedgerColumn("index", 6, 4, "int", "CENTER"),
    LedgerColumn("lead", 26, 20),
    LedgerColumn("enterprise", 26, 20),
    LedgerColumn("industry_chain", 11, 10, align="CENTER"),
    LedgerColumn("source", 11, 10, align="CENTER"),
    LedgerColumn("investment_wan", 13, 12, "money", "RIGHT"),
    LedgerColumn("stage", 8, 7, align="CENTER"),
    LedgerColumn("stage_date", 12, 14, "date", "CENTER"),
    LedgerColumn("signed_date", 12, 14, "date", "CENTER"),
    LedgerColumn("started_date", 12, 14, "date", "CENTER"),
    LedgerColumn("funds_arrived_wan", 12, 10, "money", "RIGHT"),
    LedgerColumn("foreign_contracted_wan_usd", 12, 10, "money", "RIGHT"),
    LedgerColumn("foreign_arrived_wan_usd", 12, 10, "money", "RIGHT"),
    LedgerColumn("unit", 11, 10, align="CENTER"),
    LedgerColumn("responsible", 8, 8, align="CENTER"),
    LedgerColumn("high_energy", 6, 6, align="CENTER"),
    LedgerColumn("notes", 24, 16),
)


def _values(index: int, lead: dict[str, Any]) -> dict[str, Any]:
    """One ledger row as typed values (ints for money, ISO dates or None)."""
    reached = reached_dates(lead["changes"])
    return {
        "index": index,
        "lead": lead["name"],
        "enterprise": lead["enterprise_name"] or "",
        "industry_chain": lead["industry_chain"] or "",
        "source": lead["source"] or "",
        "investment_wan": lead["investment_wan"],
        "stage": stage_label(lead["stage"] or "clue"),
        "stage_date": lead["stage_date"],
        "signed_date": reached[_SIGNED],
        "started_date": reached[_STARTED],
        "funds_arrived_wan": lead["funds_arrived_wan"],
        "foreign_contracted_wan_usd": lead["foreign_contracted_wan_usd"],
        "foreign_arrived_wan_usd": lead["foreign_arrived_wan_usd"],
        "unit": lead["unit"] or "",
        "responsible": lead["responsible"] or "",
        "high_energy": report_text("yes") if lead["high_energy"] else "",
        "notes": lead["notes"] or "",
    }


def filter_text(flt: LedgerFilter) -> str:
    """The filters in words, for the subtitle (empty when the ledger lists every lead)."""
    parts = []
    for name in ("stage", "industry_chain", "unit", "source", "responsible"):
        value = getattr(flt, name)
        if value:
            from app.domain.enums import Stage

            shown = enum_label(Stage(value)) if name == "stage" else value
            parts.append(f"{field_label(name, 'lead')}：{shown}")
    if flt.high_energy is not None:
        yes_no = report_text("yes" if flt.high_energy else "no")
        parts.append(f"{field_label('high_energy', 'lead')}：{yes_no}")
    if flt.date_from or flt.date_to:
        start = format_date_cn(flt.date_from) if flt.date_from else ""
        end = format_date_cn(flt.date_to) if flt.date_to else ""
        parts.append(f"{field_label('date', 'lead_stage_change')}：{start}—{end}")
    return "；".join(parts)


def _header(rows: list[dict[str, Any]], flt: LedgerFilter, today: str) -> list[Any]:
    total = sum(r["investment_wan"] or 0 for r in rows)
    blocks: list[Any] = [Title(report_text("ledger_title")), Subtitle(report_text(
        "ledger_subtitle", today=format_date_cn(today), count=len(rows), yi=format_yi(total)))]
    text = filter_text(flt)
    if text:
        blocks.append(Subtitle(report_text("ledger_filters", filters=text)))
    return blocks


def ledger_document(rows: list[dict[str, Any]], flt: LedgerFilter, today: str) -> Document:
    doc = Document(landscape=True, title=report_text("ledger_title"))
    doc.add(*_header(rows, flt, today))
    table_rows = []
    for i, lead in enumerate(rows, 1):
        values = _values(i, lead)
        cells = []
        for c in COLUMNS:
            v = values[c.key]
            if c.kind == "money":
                cells.append(format_wan(v))
            elif c.kind == "date":
                cells.append(v or "")
            else:
                cells.append(str(v))
        table_rows.append(cells)
    doc.add(Table([Column(COL[c.key], c.pdf_share, c.align) for c in COLUMNS], table_rows,
                  font_size=8))
    return doc


def _write_xlsx(rows: list[dict[str, Any]], flt: LedgerFilter, today: str, path: Path) -> None:
    """A write-only workbook: 10,000 leads in well under the 3 s budget (a normal sheet builds
    a Cell object per value first)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(report_text("ledger_title"))
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(len(COLUMNS))
    for i, c in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width_chars
    # A write-only sheet writes its properties and views before the rows: set them first.
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{last}{3 + len(rows)}"
    # Printing: landscape A4, every column on one page wide, the header on every page.
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; absent on write-only sheets)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "— &P —"
    # Row 1 is the title, row 2 the count; the header is row 3 so the filter and freeze fit it.
    title = WriteOnlyCell(ws, report_text("ledger_title"))
    title.font = Font(name="宋体", bold=True, size=16)
    total = sum(r["investment_wan"] or 0 for r in rows)
    subtitle = report_text("ledger_subtitle", today=format_date_cn(today), count=len(rows),
                           yi=format_yi(total))
    if filter_text(flt):
        subtitle += "　" + report_text("ledger_filters", filters=filter_text(flt))
    ws.append([title])
    ws.append([subtitle])
    header = []
    for c in COLUMNS:
        cell = WriteOnlyCell(ws, COL[c.key])
        cell.font = Font(name="宋体", bold=True, size=11)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="E6E6E6")
        header.append(cell)
    ws.append(header)
    kinds = [c.kind for c in COLUMNS]
    keys = [c.key for c in COLUMNS]
    for n, lead in enumerate(rows, 1):
        values = _values(n, lead)
        out: list[Any] = []
        for key, kind in zip(keys, kinds, strict=True):
            v = values[key]
            if v is None or v == "":
                out.append(None)
            elif kind == "money":
                cell = WriteOnlyCell(ws, v)
                cell.number_format = "#,##0"
                out.append(cell)
            elif kind == "date":
                cell = WriteOnlyCell(ws, dt.date.fromisoformat(v))
                cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            else:
                out.append(v)
        ws.append(out)
    wb.properties.creator = "FieldDesk"
    wb.save(str(path))


def today_home() -> str:
    """Today's Beijing date (DESIGN.md: calendar dates are Asia/Shanghai dates)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(HOME_ZONE)).date().isoformat()


def write_ledger(
    conn: sqlite3.Connection, flt: LedgerFilter, path: Path, today: str | None = None
) -> ReportResult:
    """The ledger as .pdf (landscape) or .xlsx, by suffix, written atomically."""
    suffix = check_out_path(Path(path), (".pdf", ".xlsx"))
    today = today or today_home()
    rows = ledger_rows(conn, flt)
    if suffix == ".pdf":
        return write_document(ledger_document(rows, flt, today), Path(path), (".pdf",))
    write: Callable[[Path], None] = lambda tmp: _write_xlsx(rows, flt, today, tmp)  # noqa: E731
    write_atomic(Path(path), write)
    return ReportResult(Path(path))
