"""招商项目台账 (project ledger): landscape PDF and an Excel workbook for WPS and Excel."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.figures import HOME_ZONE
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
from app.reports.blocks import (
    Column,
    Document,
    ReportResult,
    Subtitle,
    Table,
    Title,
    check_cancel,
    write_atomic,
)
from app.reports.render import check_out_path, write_document
from app.reports.trip_text import stage_label
from app.storage.report_data import LedgerFilter, ledger_rows


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
    return {
        "index": index,
        "lead": lead["name"],
        "enterprise": lead["enterprise_name"] or "",
        "industry_chain": lead["industry_chain"] or "",
        "source": lead["source"] or "",
        "investment_wan": lead["investment_wan"],
        "stage": stage_label(lead["stage"] or "clue"),
        "stage_date": lead["stage_date"],
        "signed_date": lead["signed_date"],
        "started_date": lead["started_date"],
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
    if flt.text and flt.text.strip():
        parts.append(report_text("ledger_filter_text", text=flt.text.strip()))
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


def _write_xlsx(rows: list[dict[str, Any]], flt: LedgerFilter, today: str, path: Path,
                cancel: threading.Event | None = None) -> None:
    """The workbook through XlsxWriter, which writes each cell's XML straight from its value:
    openpyxl's write-only sheet still builds a cell object and an lxml element per value,
    2.4 s of the 3 s budget for 10,000 leads."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    try:
        wb.set_properties({"title": report_text("ledger_title"), "author": "FieldDesk"})
        ws = wb.add_worksheet(report_text("ledger_title"))
        title_format = wb.add_format({"font_name": "宋体", "bold": True, "font_size": 16})
        header_format = wb.add_format({
            "font_name": "宋体", "bold": True, "font_size": 11, "align": "center",
            "valign": "vcenter", "text_wrap": True, "border": 1, "bg_color": "#E6E6E6",
        })
        formats = {"money": wb.add_format({"num_format": "#,##0"}),
                   "date": wb.add_format({"num_format": "yyyy-mm-dd"})}
        for i, c in enumerate(COLUMNS):
            ws.set_column(i, i, c.width_chars)
        # Row 1 is the title, row 2 the count; the header is row 3 so the filter and freeze fit it.
        ws.write_string(0, 0, report_text("ledger_title"), title_format)
        total = sum(r["investment_wan"] or 0 for r in rows)
        subtitle = report_text("ledger_subtitle", today=format_date_cn(today), count=len(rows),
                               yi=format_yi(total))
        if filter_text(flt):
            subtitle += "　" + report_text("ledger_filters", filters=filter_text(flt))
        ws.write_string(1, 0, subtitle)
        ws.write_row(2, 0, [COL[c.key] for c in COLUMNS], header_format)
        ws.freeze_panes(3, 0)
        ws.autofilter(2, 0, 2 + len(rows), len(COLUMNS) - 1)
        # Printing: landscape A4, every column on one page wide, the header on every page.
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)
        ws.center_horizontally()
        ws.set_footer("&C— &P —")
        keys = [(c.key, formats.get(c.kind), c.kind == "date") for c in COLUMNS]
        write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
        for n, lead in enumerate(rows, 1):
            if n % 1000 == 1:  # before the first row, then every 1,000
                check_cancel(cancel)
            values = _values(n, lead)
            row = 2 + n
            for col, (key, fmt, is_date) in enumerate(keys):
                v = values[key]
                if v is None or v == "":
                    continue
                if is_date:
                    write_datetime(row, col, dt.datetime.fromisoformat(v), fmt)
                elif isinstance(v, int):
                    write_number(row, col, v, fmt)
                else:
                    write_string(row, col, v)
    finally:
        wb.close()


def today_home() -> str:
    """Today's Beijing date (DESIGN.md: calendar dates are Asia/Shanghai dates)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(HOME_ZONE)).date().isoformat()


def write_ledger(
    conn: sqlite3.Connection,
    flt: LedgerFilter,
    path: Path,
    today: str | None = None,
    cancel: threading.Event | None = None,
) -> ReportResult:
    """The ledger as .pdf (landscape) or .xlsx, by suffix, written atomically."""
    suffix = check_out_path(Path(path), (".pdf", ".xlsx"))
    today = today or today_home()
    rows = ledger_rows(conn, flt)
    if suffix == ".pdf":
        return write_document(ledger_document(rows, flt, today), Path(path), (".pdf",), cancel)
    write: Callable[[Path], None] = lambda tmp: _write_xlsx(rows, flt, today, tmp, cancel)  # noqa: E731
    write_atomic(Path(path), write)
    return ReportResult(Path(path))
