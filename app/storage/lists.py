"""The extensible lists (字典): seeded values with ids that are the same on every client."""

from __future__ import annotations

import sqlite3
import uuid

from app.domain.enums import ListKind
from app.domain.lists import SEED_LISTS
from app.storage.ids import blob

# Seeded items get ids derived from (kind, value), so every client and the server agree on
# them without syncing them first; they never enter the outbox.
_SEED_NAMESPACE = uuid.UUID("6f9c1a52-3d0e-4c55-9a57-2f4f4f1d0b11")
SEED_AUTHOR = "system"
SEED_TIME = "2025-01-01T00:00:00.000Z"


def seed_id(kind: ListKind | str, value: str) -> str:
    return str(uuid.uuid5(_SEED_NAMESPACE, f"{ListKind(kind).value}:{value}"))


def seed_rows() -> list[dict[str, object]]:
    rows = []
    for kind, items in SEED_LISTS.items():
        for position, value in enumerate(items):
            rows.append(
                {
                    "id": seed_id(kind, value),
                    "kind": kind.value,
                    "value": value,
                    "position": position,
                    "created_at": SEED_TIME,
                    "created_by": SEED_AUTHOR,
                    "updated_at": SEED_TIME,
                    "updated_by": SEED_AUTHOR,
                    "deleted": 0,
                }
            )
    return rows


def seed(conn: sqlite3.Connection) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO list_item (id, kind, value, position, created_at, created_by,"
        " updated_at, updated_by, deleted) VALUES (:id, :kind, :value, :position, :created_at,"
        " :created_by, :updated_at, :updated_by, :deleted)",
        [{**row, "id": blob(row["id"])} for row in seed_rows()],
    )


def values(conn: sqlite3.Connection, kind: ListKind | str) -> list[str]:
    rows = conn.execute(
        "SELECT value FROM list_item WHERE kind = ? AND deleted = 0"
        " ORDER BY COALESCE(position, 1000000), created_at, value",
        (ListKind(kind).value,),
    )
    return [r[0] for r in rows]


def has(conn: sqlite3.Connection, kind: ListKind | str, value: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM list_item WHERE kind = ? AND value = ? AND deleted = 0 LIMIT 1",
        (ListKind(kind).value, value),
    ).fetchone()
    return row is not None
