"""Autosaved drafts of unsaved editors (the `draft` table), kept until saved or discarded."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from app.domain.values import utc_now
from app.storage.db import transaction


@dataclass(frozen=True)
class Draft:
    key: str
    type: str
    record_id: str | None
    data: dict[str, Any]
    saved_at: str


def save(conn: sqlite3.Connection, key: str, type_name: str, record_id: str | None,
         data: dict[str, Any]) -> None:
    """Upsert a draft; committed before returning, so a kill right after loses nothing."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO draft (key, type, record_id, data, saved_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET type = excluded.type, record_id = excluded.record_id,"
            " data = excluded.data, saved_at = excluded.saved_at",
            (key, type_name, record_id, json.dumps(data, ensure_ascii=False), utc_now()),
        )


def discard(conn: sqlite3.Connection, key: str) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM draft WHERE key = ?", (key,))


def load_all(conn: sqlite3.Connection, type_name: str | None = None) -> list[Draft]:
    sql = "SELECT key, type, record_id, data, saved_at FROM draft"
    args: tuple[Any, ...] = ()
    if type_name:
        sql += " WHERE type = ?"
        args = (type_name,)
    rows = conn.execute(sql + " ORDER BY saved_at DESC", args).fetchall()
    return [Draft(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]
