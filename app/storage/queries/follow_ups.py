"""Follow-up (待办) list by due date, with what each one belongs to."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.storage.queries.table import fetch_by_rowid, like_pattern, order_clause

SORT_SQL = {
    "due_date": "(f.due_date IS NULL), f.due_date",
    "content": "f.content",
    "owner": "f.owner",
    "done": "f.done",
    "subject": "COALESCE(l.name, m.\"date\")",
}


@dataclass(frozen=True)
class FollowUpQuery:
    text: str = ""
    include_done: bool = False
    owner: str | None = None
    sort: str = "due_date"
    descending: bool = False


class FollowUpSource:
    """Table source for the to-do list."""

    _FROM = (
        " FROM follow_up f LEFT JOIN lead l ON l.id = f.lead_id"
        " LEFT JOIN meeting_note m ON m.id = f.meeting_note_id"
    )

    def find_keys(self, conn: sqlite3.Connection, query: FollowUpQuery) -> list[int]:
        clauses, args = ["f.deleted = 0"], []  # type: ignore[var-annotated]
        if not query.include_done:
            clauses.append("f.done = 0")
        if query.owner:
            clauses.append("f.owner = ?")
            args.append(query.owner)
        if query.text.strip():
            clauses.append("f.content LIKE ? ESCAPE '\\'")
            args.append(like_pattern(query.text.strip()))
        order = order_clause(SORT_SQL.get(query.sort, SORT_SQL["due_date"]), query.descending,
                             "f.rowid")
        rows = conn.execute(
            f"SELECT f.rowid{self._FROM} WHERE {' AND '.join(clauses)} ORDER BY {order}", args
        )
        return [r[0] for r in rows]

    def fetch(self, conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, dict[str, Any]]:
        return fetch_by_rowid(
            conn,
            "SELECT f.rowid AS key, f.id, f.content, f.owner, f.due_date, f.done, f.lead_id,"
            " f.meeting_note_id, l.name AS lead_name, m.\"date\" AS note_date,"
            " (SELECT e.name FROM enterprise e WHERE e.id = COALESCE(l.enterprise_id,"
            " m.enterprise_id)) AS enterprise_name"
            f"{self._FROM} WHERE f.rowid IN ({{keys}})",
            keys,
        )


def owners(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT owner FROM follow_up WHERE deleted = 0 AND owner IS NOT NULL"
        " AND owner != '' ORDER BY owner"
    )
    return [r[0] for r in rows]
