"""Rows for `fielddesk export`, laid out in the import columns so an export re-imports cleanly."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from app.domain.enums import Stage
from app.domain.messages import enum_label
from app.storage.importer.columns import COLUMNS, canonical_headers

# Text a spreadsheet takes for a formula when a CSV cell starts with it: a CSV export writes
# it behind an apostrophe (app/reports/export.py), and a CSV import takes that off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportTable:
    """Headers, a kind per column (text, money, date) and the rows, as plain Python values."""

    headers: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _kinds(kind: str) -> list[str]:
    out = []
    for col in COLUMNS[kind]:
        out.append("money" if col.money else "date" if col.key.startswith("date.") else "text")
    return out


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def enterprise_table(conn: sqlite3.Connection, filters: dict[str, Any] | None = None) -> ExportTable:
    """One row per live contact (an enterprise without contacts gets one row of its own)."""
    where, args = ["e.deleted = 0"], []
    filters = filters or {}
    for name in ("industry_chain", "region"):
        if filters.get(name):
            where.append(f"e.{name} = ?")
            args.append(filters[name])
    if filters.get("tag"):
        where.append("instr(e.tags, ?) > 0")
        args.append(json.dumps(filters["tag"], ensure_ascii=False))
    cur = conn.execute(
        "SELECT e.name, e.uscc, e.industry_chain, e.province, e.city, e.region, e.tags,"
        " e.address, e.website, c.name, c.title, c.mobile, e.notes"
        " FROM enterprise e LEFT JOIN contact c ON c.enterprise_id = e.id AND c.deleted = 0"
        f" WHERE {' AND '.join(where)} ORDER BY e.name_key, e.id, c.created_at, c.id",
        args,
    )
    table = ExportTable(canonical_headers("enterprises"), _kinds("enterprises"))
    for row in cur:
        values = list(row)
        values[6] = "、".join(json.loads(values[6])) if values[6] else None
        table.rows.append(values)
    return table


_STAGE_ORDER = [s.value for s in Stage]


def lead_table(conn: sqlite3.Connection, filters: dict[str, Any] | None = None) -> ExportTable:
    """One row per live lead, with the latest date of each stage it went through."""
    where, args = ["l.deleted = 0"], []
    filters = filters or {}
    for name in ("industry_chain", "unit", "source"):
        if filters.get(name):
            where.append(f"l.{name} = ?")
            args.append(filters[name])
    if filters.get("stage"):
        where.append("COALESCE(l.stage, 'clue') = ?")
        args.append(filters["stage"])
    dates: dict[str, dict[str, str]] = {}
    for lead_id, stage, day in conn.execute(
        'SELECT lead_id, stage, max("date") FROM lead_stage_change WHERE deleted = 0'
        " GROUP BY lead_id, stage"
    ):
        dates.setdefault(lead_id, {})[stage] = day
    cur = conn.execute(
        "SELECT l.id, l.name, e.name, e.uscc, l.industry_chain, l.source, l.investment_wan,"
        " l.stage, l.funds_arrived_wan, l.foreign_contracted_wan_usd, l.foreign_arrived_wan_usd,"
        " l.unit, l.responsible, l.high_energy, l.notes"
        " FROM lead l LEFT JOIN enterprise e ON e.id = l.enterprise_id"
        f" WHERE {' AND '.join(where)} ORDER BY e.name_key, l.name_key, l.id",
        args,
    )
    table = ExportTable(canonical_headers("leads"), _kinds("leads"))
    for (lead_id, name, ent, code, chain, source, invest, stage, funds, f_contract, f_arrived,
         unit, responsible, high_energy, notes) in cur:
        by_stage = dates.get(lead_id, {})
        table.rows.append([
            name, ent, code, chain, source, invest,
            enum_label(Stage(stage)) if stage else None,
            *(_date(by_stage.get(s)) for s in _STAGE_ORDER),
            funds, f_contract, f_arrived, unit, responsible,
            "是" if high_energy else "否", notes,
        ])
    return table


TABLES = {"enterprises": enterprise_table, "leads": lead_table}
