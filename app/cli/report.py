"""`fielddesk report trip|itinerary|ledger|summary`: reports as PDF, Word, Excel or JSON."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.context import Context
from app.domain.messages import SUMMARY_LABELS, format_rate, format_wan, format_yi, report_text
from app.reports.blocks import ReportResult


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="报表（出差报告、行程单、台账、周报/月报）")
    kinds = p.add_subparsers(dest="action", parser_class=type(p), metavar="报表")

    trip = kinds.add_parser("trip", parents=[common], help="出差招商工作情况报告（.pdf/.docx）")
    trip.add_argument("trip_id", metavar="TRIP_ID")
    trip.add_argument("--out", required=True, metavar="文件")
    trip.add_argument("--save-sections", action="store_true",
                      help="把自动生成的“存在问题”“下步打算”保存到行程（仅当原为空时）")
    trip.set_defaults(handler=_trip)

    itinerary = kinds.add_parser("itinerary", parents=[common], help="行程单（.pdf）")
    itinerary.add_argument("trip_id", metavar="TRIP_ID")
    itinerary.add_argument("--out", required=True, metavar="文件")
    itinerary.set_defaults(handler=_itinerary)

    ledger = kinds.add_parser("ledger", parents=[common], help="招商项目台账（.pdf/.xlsx）")
    ledger.add_argument("--stage", metavar="阶段")
    ledger.add_argument("--industry-chain", metavar="产业链")
    ledger.add_argument("--unit", metavar="责任单位")
    ledger.add_argument("--source", metavar="项目来源")
    ledger.add_argument("--responsible", metavar="责任人")
    ledger.add_argument("--high-energy", metavar="是/否")
    ledger.add_argument("--from", dest="date_from", metavar="日期", help="阶段变更日期不早于")
    ledger.add_argument("--to", dest="date_to", metavar="日期", help="阶段变更日期不晚于")
    ledger.add_argument("--out", required=True, metavar="文件")
    ledger.set_defaults(handler=_ledger)

    summary = kinds.add_parser("summary", parents=[common], help="周报/月报（.pdf/.docx 或 JSON）")
    summary.add_argument("--from", dest="date_from", required=True, metavar="日期")
    summary.add_argument("--to", dest="date_to", required=True, metavar="日期")
    summary.add_argument("--out", metavar="文件")
    summary.set_defaults(handler=_summary)


def _done(ctx: Context, result: ReportResult, extra: dict[str, Any] | None = None) -> int:
    for warning in result.warnings:
        ctx.warn(warning)
    data = {"path": str(result.path), "pages": result.pages, "warnings": result.warnings}
    data.update(extra or {})
    ctx.emit(data, report_text("cli_written", path=result.path))
    return 0


def _trip(ctx: Context) -> int:
    from app.reports.render import check_out_path
    from app.reports.trip_report import write_trip_report

    out = Path(ctx.args.out)
    check_out_path(out, (".pdf", ".docx"))
    saved: dict[str, str] = {}
    if ctx.args.save_sections:
        saved = _save_sections(ctx, ctx.args.trip_id)
    result = write_trip_report(ctx.conn, ctx.args.trip_id, out)
    return _done(ctx, result, {"saved_sections": sorted(saved)})


def _save_sections(ctx: Context, trip_id: str) -> dict[str, str]:
    """Store the proposed 存在问题/下步打算 in the trip where they are still empty (synced)."""
    from app.reports.trip_text import propose_sections
    from app.storage.report_data import load_trip

    data = load_trip(ctx.conn, trip_id)
    proposed = propose_sections(data)
    changes = {k: v for k, v in proposed.items() if not data.trip.get(k)}
    if changes:
        ctx.store.update("trip", data.trip["id"], changes)
    return changes


def _itinerary(ctx: Context) -> int:
    from app.reports.render import check_out_path
    from app.reports.trip_report import write_itinerary

    out = Path(ctx.args.out)
    check_out_path(out, (".pdf",))
    return _done(ctx, write_itinerary(ctx.conn, ctx.args.trip_id, out))


def _ledger(ctx: Context) -> int:
    from app.domain.enums import Stage
    from app.domain.records import parse_enum
    from app.domain.values import parse_bool
    from app.reports.ledger import write_ledger
    from app.reports.render import check_out_path
    from app.storage.report_data import LedgerFilter

    a = ctx.args
    out = Path(a.out)
    check_out_path(out, (".pdf", ".xlsx"))
    from app.reports.summary import parse_day, parse_range

    date_from = parse_day(a.date_from, "from") if a.date_from else None
    date_to = parse_day(a.date_to, "to") if a.date_to else None
    if date_from and date_to:
        parse_range(date_from, date_to)
    flt = LedgerFilter(
        stage=parse_enum(Stage, a.stage, "stage") if a.stage else None,
        industry_chain=(a.industry_chain or "").strip() or None,
        unit=(a.unit or "").strip() or None,
        source=(a.source or "").strip() or None,
        responsible=(a.responsible or "").strip() or None,
        high_energy=parse_bool(a.high_energy, "high_energy") if a.high_energy else None,
        date_from=date_from,
        date_to=date_to,
    )
    return _done(ctx, write_ledger(ctx.conn, flt, out))


def _summary(ctx: Context) -> int:
    from app.reports import summary

    a = ctx.args
    start, end = summary.parse_range(a.date_from, a.date_to)
    if a.out:
        from app.reports.render import check_out_path

        check_out_path(Path(a.out), (".pdf", ".docx"))
    figures = summary.compute(ctx.conn, start, end)
    if a.out:
        result = summary.write_summary(ctx.conn, start, end, Path(a.out), figures=figures)
        for warning in result.warnings:
            ctx.warn(warning)
        if not ctx.json:
            ctx.emit(None, report_text("cli_written", path=result.path))
            return 0
    ctx.emit(figures, _summary_lines(figures, start, end))
    return 0


def _summary_lines(figures: dict[str, Any], start: str, end: str) -> list[str]:
    from app.domain.figures import COUNT_KEYS, RATE_KEYS

    lines = [report_text("cli_period", start=start, end=end)]
    for key in COUNT_KEYS:
        entry = figures[key]
        lines.append(report_text("cli_count_line", label=SUMMARY_LABELS[key], count=entry["count"],
                                 yi=format_yi(entry["investment_wan"])))
    for key in RATE_KEYS:
        lines.append(report_text("cli_rate_line", label=SUMMARY_LABELS[key],
                                 rate=format_rate(figures[key])))
    foreign = figures["foreign"]
    lines.append(report_text("cli_foreign_line", contracted=format_wan(foreign["contracted_wan_usd"]),
                             arrived=format_wan(foreign["arrived_wan_usd"])))
    lines.append(report_text("cli_field_line", visits=figures["visits"], trips=figures["trips"]))
    return lines
