"""Lead list and stage board: filters, sort, rows with the enterprise name, stage moves."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.enums import Stage
from app.storage.ids import blob
from app.storage.queries.table import fetch_by_rowid, like_pattern, order_clause
from app.storage.records import RecordStore

SORT_SQL = {
    "name": "lead.name_key",
    "enterprise": "(SELECT name_key FROM enterprise e WHERE e.id = lead.enterprise_id)",
    "industry_chain": "lead.industry_chain",
    "investment_wan": "lead.investment_wan",
    "stage": "lead.stage",
    "stage_date": "lead.stage_date",
    "unit": "lead.unit",
    "responsible": "lead.responsible",
    "high_energy": "lead.high_energy",
    "updated_at": "lead.updated_at",
}


@dataclass(frozen=True)
class LeadQuery:
    text: str = ""
    stage: str | None = None
    high_energy_only: bool = False
    sort: str = "updated_at"
    descending: bool = True


def _where(query: LeadQuery) -> tuple[str, list[Any]]:
    clauses = ["lead.deleted = 0"]
    args: list[Any] = []
    if query.text.strip():
        clauses.append("lead.name LIKE ? ESCAPE '\\'")
        args.append(like_pattern(query.text.strip()))
    if query.stage == Stage.CLUE.value:
        # A lead with no recorded stage change is still a clue.
        clauses.append("(lead.stage = 'clue' OR lead.stage IS NULL)")
    elif query.stage:
        clauses.append("lead.stage = ?")
        args.append(query.stage)
    if query.high_energy_only:
        clauses.append("lead.high_energy = 1")
    return " AND ".join(clauses), args


class LeadSource:
    """Table source for the lead list."""

    def find_keys(self, conn: sqlite3.Connection, query: LeadQuery) -> list[int]:
        where, args = _where(query)
        order = order_clause(SORT_SQL.get(query.sort, "lead.updated_at"), query.descending,
                             "lead.rowid")
        rows = conn.execute(f"SELECT lead.rowid FROM lead WHERE {where} ORDER BY {order}", args)
        return [r[0] for r in rows]

    def fetch(self, conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, dict[str, Any]]:
        return fetch_by_rowid(
            conn,
            "SELECT lead.rowid AS key, lead.id, lead.name, lead.enterprise_id,"
            " e.name AS enterprise_name, lead.industry_chain, lead.investment_wan,"
            " COALESCE(lead.stage, 'clue') AS stage, lead.stage_date, lead.unit,"
            " lead.responsible, lead.high_energy, lead.updated_at"
            " FROM lead LEFT JOIN enterprise e ON e.id = lead.enterprise_id"
            " WHERE lead.rowid IN ({keys})",
            keys,
        )


def board_column(conn: sqlite3.Connection, stage: str, limit: int = 200) -> tuple[int, list[dict[str, Any]]]:
    """(total count, the most recently moved leads) in one stage of the board."""
    where, args = _where(LeadQuery(stage=stage))
    total = int(conn.execute(f"SELECT count(*) FROM lead WHERE {where}", args).fetchone()[0])
    cur = conn.execute(
        "SELECT lead.id, lead.name, lead.investment_wan, lead.high_energy, lead.stage_date,"
        " e.name AS enterprise_name FROM lead LEFT JOIN enterprise e ON e.id = lead.enterprise_id"
        f" WHERE {where} ORDER BY lead.stage_date DESC, lead.updated_at DESC LIMIT ?",
        [*args, limit],
    )
    cols = [d[0] for d in cur.description]
    return total, [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]


def stage_history(conn: sqlite3.Connection, lead_id: str) -> list[dict[str, Any]]:
    cur = conn.execute(
        'SELECT id, stage, "date", who, note FROM lead_stage_change WHERE lead_id = ?'
        ' AND deleted = 0 ORDER BY "date", created_at, id',
        (blob(lead_id),),
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]


def move_lead(store: RecordStore, lead_id: str, stage: str, day: str, note: str | None = None) -> dict[str, Any]:
    """Record a stage change dated `day` (validation and the lead's derived stage included)."""
    fields: dict[str, Any] = {"lead_id": lead_id, "stage": stage, "date": day, "who": store.user}
    if note:
        fields["note"] = note
    return store.create("lead_stage_change", fields)


def create_lead(store: RecordStore, fields: dict[str, Any], stage: str, day: str) -> dict[str, Any]:
    """A new lead and its first stage change, in one transaction (nothing partial)."""
    from app.storage.db import transaction

    with transaction(store.conn):
        lead = store.create("lead", fields)
        move_lead(store, lead["id"], stage, day)
    return store.get("lead", lead["id"])
