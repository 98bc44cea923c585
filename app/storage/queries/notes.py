"""Meeting notes: the list, one note with its follow-ups, saving both in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.storage.db import transaction
from app.storage.ids import blob
from app.storage.queries.table import fetch_by_rowid, like_pattern, order_clause
from app.storage.records import RecordStore

SORT_SQL = {
    "date": 'm."date"',
    "enterprise": "e.name_key",
    "intent": "m.intent",
    "content": "m.content",
    "updated_by": "m.updated_by",
}

_FROM = (
    " FROM meeting_note m LEFT JOIN visit v ON v.id = m.visit_id"
    " LEFT JOIN enterprise e ON e.id = COALESCE(m.enterprise_id, v.enterprise_id)"
)


@dataclass(frozen=True)
class NoteQuery:
    text: str = ""
    sort: str = "date"
    descending: bool = True


class NoteSource:
    """Table source for the meeting-note list."""

    def find_keys(self, conn: sqlite3.Connection, query: NoteQuery) -> list[int]:
        clauses, args = ["m.deleted = 0"], []  # type: ignore[var-annotated]
        if query.text.strip():
            clauses.append("(e.name LIKE ? ESCAPE '\\' OR m.content LIKE ? ESCAPE '\\')")
            args += [like_pattern(query.text.strip())] * 2
        order = order_clause(SORT_SQL.get(query.sort, 'm."date"'), query.descending, "m.rowid")
        rows = conn.execute(
            f"SELECT m.rowid{_FROM} WHERE {' AND '.join(clauses)} ORDER BY {order}", args
        )
        return [r[0] for r in rows]

    def fetch(self, conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, dict[str, Any]]:
        return fetch_by_rowid(
            conn,
            'SELECT m.rowid AS key, m.id, m."date", m.intent, substr(m.content, 1, 80) AS excerpt,'
            " m.updated_by, e.name AS enterprise_name"
            f"{_FROM} WHERE m.rowid IN ({{keys}})",
            keys,
        )


def follow_ups_of(conn: sqlite3.Connection, note_id: str) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT id, content, owner, due_date, done FROM follow_up WHERE meeting_note_id = ?"
        " AND deleted = 0 ORDER BY due_date IS NULL, due_date, created_at",
        (blob(note_id),),
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]


def save_note(
    store: RecordStore,
    note_id: str | None,
    fields: dict[str, Any],
    new_follow_ups: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Create or update a note and add its new follow-ups, all or nothing."""
    with transaction(store.conn):
        if note_id is None:
            note = store.create("meeting_note", fields)
        else:
            note = store.update("meeting_note", note_id, fields)
        for item in new_follow_ups:
            store.create("follow_up", {**item, "meeting_note_id": note["id"]})
    return store.get("meeting_note", note["id"])


def visit_summary(conn: sqlite3.Connection, visit_id: str) -> dict[str, Any] | None:
    """The visit a note is written for: its enterprise and time, for the editor's header."""
    cur = conn.execute(
        "SELECT v.id, v.enterprise_id, v.scheduled_at, v.place, e.name AS enterprise_name"
        " FROM visit v LEFT JOIN enterprise e ON e.id = v.enterprise_id WHERE v.id = ?",
        (blob(visit_id),),
    )
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=False)) if row else None
