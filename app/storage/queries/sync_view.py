"""What the 同步 view and the status-bar indicator read: counts, outbox rows, record captions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.records import SPECS
from app.storage import sync_store
from app.storage.ids import blob
from app.storage.queries.table import MAX_PAGE, fetch_by_rowid


@dataclass(frozen=True)
class SyncStatus:
    """Counts and facts for the indicator; read on the GUI thread (all indexed, cheap)."""

    pending: int
    conflicts: int
    duplicates: int
    quarantined: int
    last_sync_at: str | None
    server_url: str | None
    user: str | None
    is_demo: bool

    @property
    def open_problems(self) -> int:
        return self.conflicts + self.duplicates + self.quarantined


def status(conn: sqlite3.Connection) -> SyncStatus:
    pending = int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    quarantined = int(conn.execute(
        "SELECT count(*) FROM outbox WHERE state = 'quarantined'").fetchone()[0])
    kinds = dict(conn.execute(
        "SELECT kind = 'duplicate', count(*) FROM conflict WHERE resolved_at IS NULL"
        " GROUP BY kind = 'duplicate'").fetchall())
    return SyncStatus(
        pending=pending,
        conflicts=int(kinds.get(0, 0)),
        duplicates=int(kinds.get(1, 0)),
        quarantined=quarantined,
        last_sync_at=sync_store.get_meta(conn, "last_sync_at"),
        server_url=sync_store.get_meta(conn, "server_url"),
        user=sync_store.get_meta(conn, "user"),
        is_demo=sync_store.get_meta(conn, "is_demo") == "1",
    )


# A short human caption per record type: the column a person recognises the record by, and
# for records without a name of their own, their parent's name and a date.
_CAPTION_SQL = {
    "enterprise": "SELECT id, name FROM enterprise WHERE id IN ({ids})",
    "contact": "SELECT id, name FROM contact WHERE id IN ({ids})",
    "trip": "SELECT id, title FROM trip WHERE id IN ({ids})",
    "visit": "SELECT v.id, trim(COALESCE(e.name, '') || ' ' || COALESCE(v.scheduled_at, ''))"
             " FROM visit v LEFT JOIN enterprise e ON e.id = v.enterprise_id"
             " WHERE v.id IN ({ids})",
    "meeting_note": "SELECT m.id, trim(COALESCE(m.\"date\", '') || ' ' || COALESCE(e.name, ''))"
                    " FROM meeting_note m LEFT JOIN enterprise e ON e.id = m.enterprise_id"
                    " WHERE m.id IN ({ids})",
    "lead": "SELECT id, name FROM lead WHERE id IN ({ids})",
    "lead_stage_change": "SELECT s.id, trim(COALESCE(l.name, '') || ' ' || COALESCE(s.\"date\", ''))"
                         " FROM lead_stage_change s LEFT JOIN lead l ON l.id = s.lead_id"
                         " WHERE s.id IN ({ids})",
    "follow_up": "SELECT id, content FROM follow_up WHERE id IN ({ids})",
    "list_item": "SELECT id, value FROM list_item WHERE id IN ({ids})",
}


def captions(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """{(type, id): caption} for the records that exist locally."""
    by_type: dict[str, list[str]] = {}
    for type_name, record_id in keys:
        if type_name in _CAPTION_SQL:
            by_type.setdefault(type_name, []).append(record_id)
    out: dict[tuple[str, str], str] = {}
    for type_name, ids in by_type.items():
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), MAX_PAGE):
            chunk = unique[start : start + MAX_PAGE]
            sql = _CAPTION_SQL[type_name].format(ids=",".join("?" * len(chunk)))
            for rid, caption in conn.execute(sql, [blob(c) for c in chunk]):
                out[(type_name, rid)] = caption or ""
    return out


@dataclass(frozen=True)
class OutboxQuery:
    """Outbox rows in the order they are pushed; `state` keeps one state ('quarantined')."""

    state: str | None = None
    sort: str = "seq"
    descending: bool = False


class OutboxSource:
    """Table source for pending changes: keys are outbox seqs; `id` is the record's id."""

    def find_keys(self, conn: sqlite3.Connection, query: OutboxQuery) -> list[int]:
        direction = "DESC" if query.descending else "ASC"
        where, args = ("WHERE state = ?", [query.state]) if query.state else ("", [])
        rows = conn.execute(f"SELECT seq FROM outbox {where} ORDER BY seq {direction}", args)
        return [r[0] for r in rows]

    def fetch(self, conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, dict[str, Any]]:
        rows = fetch_by_rowid(
            conn,
            "SELECT seq AS key, change_id, type, record_id, base_version, fields, created_at,"
            " state, sent_at, reply FROM outbox WHERE seq IN ({keys})",
            keys,
        )
        names = captions(conn, ((r["type"], r["record_id"]) for r in rows.values()))
        for row in rows.values():
            fields = json.loads(row["fields"])
            spec = SPECS.get(row["type"])
            order = [f.name for f in spec.fields] if spec else []
            row["field_names"] = sorted(
                (n for n in fields if n != "deleted"),
                key=lambda n: order.index(n) if n in order else len(order),
            )
            row["is_delete"] = fields.get("deleted") is True
            row["is_restore"] = fields.get("deleted") is False and row["base_version"] is not None
            row["is_create"] = row["base_version"] is None
            row["id"] = row["record_id"]
            row["caption"] = names.get((row["type"], row["record_id"]))
            row["reply"] = json.loads(row["reply"]) if row["reply"] else None
        return rows
