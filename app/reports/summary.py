"""周报/月报 (period summary): the figures as JSON, and as a PDF or Word document in 亿元."""

from __future__ import annotations

import calendar
import datetime as dt
import sqlite3
import threading
from pathlib import Path
from typing import Any

from app.domain.errors import ValidationError
from app.domain.figures import COUNT_KEYS, assemble
from app.domain.messages import (
    SUMMARY_GROUP_LABELS,
    SUMMARY_LABELS,
    format_date_cn,
    format_rate,
    format_wan,
    format_yi,
    report_text,
)
from app.domain.values import parse_date
from app.reports.blocks import Column, Document, Heading, Para, ReportResult, Subtitle, Table, Title
from app.reports.render import write_document
from app.storage.report_data import summary_aggregates

# The stages a group table shows (the _100m rows stay in the totals table).
_GROUP_KEYS = ("leads_captured", "negotiating", "signed", "registered", "started", "in_production")


def parse_day(value: str, field: str) -> str:
    """An ISO date from what was typed; errors name `field` (from/to) as 开始日期/结束日期."""
    try:
        return parse_date(value, field)
    except ValidationError as e:
        e.record_type = "report"
        raise


def parse_range(date_from: str, date_to: str) -> tuple[str, str]:
    """Both ends as ISO dates; a bad date or an inverted range names its field."""
    start, end = parse_day(date_from, "from"), parse_day(date_to, "to")
    if end < start:
        raise ValidationError("end_before_start", "to", record_type="report")
    return start, end


def compute(conn: sqlite3.Connection, date_from: str, date_to: str) -> dict[str, Any]:
    """The figures for [date_from, date_to] (DESIGN.md "Figures")."""
    start, end = parse_range(date_from, date_to)
    data = summary_aggregates(conn, start, end)
    return assemble(data.groups, data.signed, data.visits, data.trips)


def title_for(start: str, end: str) -> str:
    """周报 for up to a week, 月报 for one calendar month, else a general summary."""
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if (b - a).days < 7:
        return report_text("summary_title_week")
    if a.day == 1 and a.year == b.year and a.month == b.month and \
            b.day == calendar.monthrange(b.year, b.month)[1]:
        return report_text("summary_title_month")
    return report_text("summary_title")


def summary_document(figures: dict[str, Any], start: str, end: str) -> Document:
    title = title_for(start, end)
    doc = Document(title=title)
    doc.add(Title(title), Subtitle(report_text(
        "summary_period", start=format_date_cn(start), end=format_date_cn(end))))
    params: dict[str, Any] = {}
    for key in COUNT_KEYS:
        params[f"{key}_count"] = figures[key]["count"]
        params[f"{key}_yi"] = format_yi(figures[key]["investment_wan"])
    doc.add(Heading(report_text("h_summary_overall")), Para(report_text("summary_overall", **params)))
    doc.add(Table(
        [Column(report_text("col_indicator"), 3), Column(report_text("col_count"), 1.5, "RIGHT"),
         Column(report_text("col_amount_yi"), 1.8, "RIGHT")],
        [[SUMMARY_LABELS[k], str(figures[k]["count"]), format_yi(figures[k]["investment_wan"])]
         for k in COUNT_KEYS],
        font_size=12,
    ))
    doc.add(Heading(report_text("h_summary_performance")), Para(report_text(
        "summary_performance", end=format_date_cn(end),
        performance_rate=format_rate(figures["performance_rate"]),
        start_rate=format_rate(figures["start_rate"]),
        funds_arrival_rate=format_rate(figures["funds_arrival_rate"]),
        contracted=format_wan(figures["foreign"]["contracted_wan_usd"]),
        arrived=format_wan(figures["foreign"]["arrived_wan_usd"]),
    )))
    if figures["performance_rate"] is None:
        doc.add(Para(report_text("rates_none_note")))
    for heading, key, column in (
        ("h_summary_chain", "by_industry_chain", "col_group_chain"),
        ("h_summary_unit", "by_unit", "col_group_unit"),
    ):
        doc.add(Heading(report_text(heading)))
        groups = figures[key]
        if not groups:
            doc.add(Para(report_text("none_text")))
            continue
        doc.add(Para(report_text("group_note")))
        doc.add(Table(
            [Column(report_text(column), 2.2)]
            + [Column(SUMMARY_GROUP_LABELS[k], 1.5, "CENTER") for k in _GROUP_KEYS],
            [[g["key"] or report_text("group_none")]
             + [report_text("group_cell", count=g[k]["count"], yi=format_yi(g[k]["investment_wan"]))
                for k in _GROUP_KEYS] for g in groups],
            font_size=10.5,
        ))
    doc.add(Heading(report_text("h_summary_field")), Para(report_text(
        "summary_field", visits=figures["visits"], trips=figures["trips"])))
    return doc


def write_summary(
    conn: sqlite3.Connection,
    date_from: str,
    date_to: str,
    path: Path,
    figures: dict[str, Any] | None = None,
    cancel: threading.Event | None = None,
) -> ReportResult:
    """The summary as .pdf or .docx, by suffix, written atomically (figures reused if given)."""
    from app.reports.render import check_out_path

    check_out_path(Path(path), (".pdf", ".docx"))
    start, end = parse_range(date_from, date_to)
    if figures is None:
        figures = compute(conn, start, end)
    return write_document(summary_document(figures, start, end), Path(path), (".pdf", ".docx"),
                          cancel)
