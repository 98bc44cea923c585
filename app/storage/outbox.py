"""The outbox: every local change, written in the same transaction as the record."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.domain.records import new_change_id
from app.domain.values import utc_now


def add_change(
    conn: sqlite3.Connection,
    type_name: str,
    record_id: str,
    fields: dict[str, Any],
    *,
    base_version: int | None,
    group_id: str | None = None,
) -> str:
    """Record a change; coalesces into the record's newest change if it was never sent.

    Returns the change id that now carries these fields. Must run inside a transaction.
    """
    if group_id is None:
        row = conn.execute(
            "SELECT seq, change_id, fields FROM outbox WHERE type = ? AND record_id = ?"
            " ORDER BY seq DESC LIMIT 1",
            (type_name, record_id),
        ).fetchone()
        if row is not None:
            seq, change_id, old = row
            unsent = conn.execute(
                "SELECT 1 FROM outbox WHERE seq = ? AND sent_at IS NULL AND state = 'pending'"
                " AND group_id IS NULL",
                (seq,),
            ).fetchone()
            if unsent:
                merged = json.loads(old)
                merged.update(fields)
                conn.execute(
                    "UPDATE outbox SET fields = ? WHERE seq = ?",
                    (json.dumps(merged, ensure_ascii=False), seq),
                )
                return str(change_id)
    # A change based on one still unacknowledged names it, so the server can tell that the
    # base is its own earlier change and not someone else's.
    prior = conn.execute(
        "SELECT change_id, base, fields FROM outbox WHERE type = ? AND record_id = ?"
        " ORDER BY seq DESC LIMIT 1",
        (type_name, record_id),
    ).fetchone()
    # The base of a later three-way merge: what the server holds if every earlier change of
    # this record is applied — the synced copy, plus the earlier unacknowledged changes.
    if prior:
        base = json.loads(prior[1]) if prior[1] else {}
        base.update(json.loads(prior[2]))
    else:
        row = conn.execute(
            "SELECT data FROM synced_copy WHERE type = ? AND id = ?", (type_name, record_id)
        ).fetchone()
        base = json.loads(row[0]) if row else None
    change_id = new_change_id()
    conn.execute(
        "INSERT INTO outbox (change_id, type, record_id, base_version, base_change_id, group_id,"
        " fields, created_at, base) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            change_id,
            type_name,
            record_id,
            base_version,
            prior[0] if prior else None,
            group_id,
            json.dumps(fields, ensure_ascii=False),
            utc_now(),
            json.dumps(base, ensure_ascii=False) if base is not None else None,
        ),
    )
    return change_id


def pending_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def changes(conn: sqlite3.Connection, *, limit: int = 1000) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT seq, change_id, type, record_id, base_version, base_change_id, group_id, fields,"
        " created_at, state, sent_at, attempts, reply FROM outbox ORDER BY seq LIMIT ?",
        (limit,),
    ).fetchall()
    keys = (
        "seq", "change_id", "type", "id", "base_version", "base_change_id", "group", "fields",
        "created_at", "state", "sent_at", "attempts", "reply",
    )
    out = []
    for row in rows:
        item = dict(zip(keys, row))
        item["fields"] = json.loads(item["fields"])
        out.append(item)
    return out
