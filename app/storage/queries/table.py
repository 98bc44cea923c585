"""Shared shape of a paged table source: keys (rowids) in SQL order, rows fetched by key."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

# SQLite caps host parameters at 32766 by default; pages are far smaller than that.
MAX_PAGE = 500


class TableSource(Protocol):
    """What a UI table model needs: ordered keys for a query, and rows for some keys."""

    def find_keys(self, conn: sqlite3.Connection, query: Any) -> list[int]: ...

    def fetch(self, conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, dict[str, Any]]: ...


def fetch_by_rowid(
    conn: sqlite3.Connection, select_sql: str, keys: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Run `select_sql` (whose first column is the rowid, aliased `key`) for these rowids.

    `select_sql` must end in a WHERE-able clause taking `{keys}` as the IN list placeholder.
    """
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(keys), MAX_PAGE):
        chunk = list(keys[start : start + MAX_PAGE])
        marks = ",".join("?" * len(chunk))
        cur = conn.execute(select_sql.format(keys=marks), chunk)
        cols = [d[0] for d in cur.description]
        for row in cur.fetchall():
            item = dict(zip(cols, row, strict=False))
            out[int(item["key"])] = item
    return out


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped (ESCAPE '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def order_clause(sort_sql: str, descending: bool, tiebreak: str = "rowid") -> str:
    direction = "DESC" if descending else "ASC"
    return f"{sort_sql} {direction}, {tiebreak} {direction}"
