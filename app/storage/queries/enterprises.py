"""Enterprise list (filters, sorting, paging by rowid), detail pane data and the picker."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain import uscc
from app.storage.ids import blob
from app.storage.queries.table import fetch_by_rowid, like_pattern, order_clause
from app.storage.records import name_key

# Sort keys the table offers; the values are SQL expressions over `enterprise`.
SORT_SQL = {
    "name": "name_key",
    "uscc": "uscc",
    "industry_chain": "industry_chain",
    "region": "region",
    "city": "province || city",
    "tags": "tags",
    "last_visit": "(SELECT max(scheduled_at) FROM visit v WHERE v.enterprise_id = enterprise.id"
    " AND v.deleted = 0 AND v.status = 'done')",
    "updated_at": "updated_at",
}

# An IN list is built once per query (an ephemeral index), not probed per enterprise row.
_VISITED = "id IN (SELECT enterprise_id FROM visit WHERE deleted = 0 AND status = 'done')"
# Sort keys whose order the enterprise_list index gives without a sort step: the index's
# remaining columns and the rowid make the order total, so no tiebreak is needed.
_INDEXED_SORTS = {"name"}


TextRows = tuple[list[int], list[str]]


@dataclass(frozen=True)
class EnterpriseQuery:
    """The enterprise table's filters and sort, as plain values."""

    text: str = ""
    industry_chain: str | None = None
    region: str | None = None
    tag: str | None = None
    visited: bool | None = None  # True: visited at least once (done); False: never
    sort: str = "name"
    descending: bool = False


def _order(query: EnterpriseQuery) -> str:
    sort_sql = SORT_SQL.get(query.sort, "name_key")
    if query.sort in _INDEXED_SORTS:
        return f"{sort_sql} {'DESC' if query.descending else 'ASC'}"
    return order_clause(sort_sql, query.descending)


def _where(query: EnterpriseQuery) -> tuple[str, list[Any]]:
    clauses = ["deleted = 0"]
    args: list[Any] = []
    text = query.text.strip()
    if text:
        code = uscc.normalise(text)
        if uscc.looks_like_uscc(text):
            clauses.append("uscc = ?")
            args.append(code)
        else:
            # name_key is NFKC, lower case, without spaces: full-width and upper-case typing
            # match too; instr() is cheaper than LIKE for a plain substring.
            clauses.append("(instr(name_key, ?) > 0 OR instr(city, ?) > 0)")
            args += [name_key(text), text]
    if query.industry_chain:
        clauses.append("industry_chain = ?")
        args.append(query.industry_chain)
    if query.region:
        clauses.append("region = ?")
        args.append(query.region)
    if query.tag:
        # Tags are a JSON array of strings; a quoted instr() match avoids json_each per row.
        clauses.append("instr(tags, ?) > 0")
        args.append(json.dumps(query.tag, ensure_ascii=False))
    if query.visited is True:
        clauses.append(_VISITED)
    elif query.visited is False:
        clauses.append("NOT " + _VISITED)
    return " AND ".join(clauses), args


class EnterpriseSource:
    """Table source for the enterprise list.

    The structured filters and the sort always run in SQL. The text filter narrows the
    ordered (rowid, name_key, city) list of the other filters in Python: measured on the
    100,000-enterprise dataset that is 3-6x faster than instr()/LIKE over the covering index,
    and the list is read once per filter combination, not once per keystroke.
    """

    def __init__(self) -> None:
        self._text_rows: tuple[tuple[Any, ...], TextRows] | None = None

    def find_keys(self, conn: sqlite3.Connection, query: EnterpriseQuery) -> list[int]:
        text = query.text.strip()
        base = dataclasses.replace(query, text="")
        if text and uscc.looks_like_uscc(text):
            where, args = _where(query)
            rows = conn.execute(
                f"SELECT rowid FROM enterprise WHERE {where} ORDER BY {_order(query)}", args)
            return [r[0] for r in rows]
        if not text:
            cached = self.cached_rows(conn, base)
            if cached is not None:
                return list(cached[0])
            where, args = _where(query)
            rows = conn.execute(
                f"SELECT rowid FROM enterprise WHERE {where} ORDER BY {_order(query)}", args)
            return [r[0] for r in rows]
        keys, texts = self._rows_for_text(conn, base)
        key = name_key(text)
        if key != text:  # a city is matched as typed, a name as its name_key
            return [k for k, t in zip(keys, texts, strict=False) if key in t or text in t]
        return [k for k, t in zip(keys, texts, strict=False) if key in t]

    @staticmethod
    def stamp(conn: sqlite3.Connection, base: EnterpriseQuery) -> tuple[Any, ...]:
        """What the text rows depend on: own writes move total_changes, other connections'
        commits move data_version."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        return (base, id(conn), conn.total_changes, version)

    @staticmethod
    def load_text_rows(conn: sqlite3.Connection, base: EnterpriseQuery) -> TextRows:
        """(rowids, "name_key\x1fcity" texts) in list order.

        Two group_concat strings split in Python cost about half of fetching 100,000
        three-column rows; the subquery's ORDER BY fixes the concatenation order.
        """
        where, args = _where(base)
        row = conn.execute(
            "SELECT group_concat(rowid), group_concat(t, char(30)) FROM (SELECT rowid,"
            " COALESCE(name_key, '') || char(31) || COALESCE(city, '') AS t FROM enterprise"
            f" WHERE {where} ORDER BY {_order(base)})", args).fetchone()
        if not row or row[0] is None:
            return [], []
        return list(map(int, row[0].split(","))), row[1].split("\x1e")

    def set_text_rows(self, stamp: tuple[Any, ...], rows: TextRows) -> None:
        """Keep rows read ahead on another connection, under the stamp taken before reading
        (a write in between changes the stamp, so stale rows are never used)."""
        self._text_rows = (stamp, rows)

    def cached_rows(self, conn: sqlite3.Connection, base: EnterpriseQuery) -> TextRows | None:
        if self._text_rows is not None and self._text_rows[0] == self.stamp(conn, base):
            return self._text_rows[1]
        return None

    def _rows_for_text(self, conn: sqlite3.Connection, base: EnterpriseQuery) -> TextRows:
        stamp = self.stamp(conn, base)
        if self._text_rows is None or self._text_rows[0] != stamp:
            self._text_rows = (stamp, self.load_text_rows(conn, base))
        return self._text_rows[1]

    def fetch(self, conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, dict[str, Any]]:
        rows = fetch_by_rowid(
            conn,
            "SELECT rowid AS key, id, name, uscc, uscc_override_by, industry_chain, province,"
            " city, region, tags, updated_at, " + SORT_SQL["last_visit"] + " AS last_visit"
            " FROM enterprise WHERE rowid IN ({keys})",
            keys,
        )
        for row in rows.values():
            row["tags"] = json.loads(row["tags"]) if row["tags"] else []
        return rows


def count_all(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM enterprise WHERE deleted = 0").fetchone()[0])


def contacts_of(conn: sqlite3.Connection, enterprise_id: str) -> list[tuple[str, str, str]]:
    """(id, name, title) of an enterprise's live contacts, key contacts first."""
    rows = conn.execute(
        "SELECT id, name, COALESCE(title, '') FROM contact WHERE enterprise_id = ? AND deleted = 0"
        " ORDER BY is_key DESC, name",
        (blob(enterprise_id),),
    )
    return [(r[0], r[1], r[2]) for r in rows]


def has_any(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM enterprise LIMIT 1").fetchone() is not None


def pick(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[tuple[str, str]]:
    """(id, name) of live enterprises whose name contains `text`, shortest names first."""
    text = text.strip()
    if not text:
        rows = conn.execute(
            "SELECT id, name FROM enterprise WHERE deleted = 0 ORDER BY updated_at DESC LIMIT ?",
            (limit,),
        )
    else:
        rows = conn.execute(
            "SELECT id, name FROM enterprise WHERE deleted = 0 AND name LIKE ? ESCAPE '\\'"
            " ORDER BY length(name), name_key LIMIT ?",
            (like_pattern(text), limit),
        )
    return [(r[0], r[1]) for r in rows]


@dataclass
class EnterpriseDetail:
    """Everything the detail pane shows about one enterprise."""

    record: dict[str, Any]
    contacts: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    followers: list[str] = field(default_factory=list)


def _dicts(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]


def detail(conn: sqlite3.Connection, enterprise_id: str, current_user: str) -> EnterpriseDetail:
    from app.storage.records import RecordStore

    record = RecordStore(conn).get("enterprise", enterprise_id)
    out = EnterpriseDetail(record=record)
    out.contacts = _dicts(conn.execute(
        "SELECT id, name, title, mobile, phone, email, wechat, is_key FROM contact"
        " WHERE enterprise_id = ? AND deleted = 0 ORDER BY is_key DESC, name",
        (blob(enterprise_id),),
    ))
    out.visits = _dicts(conn.execute(
        "SELECT v.id, v.scheduled_at, v.time_zone, v.status, v.place, v.purpose, v.outcome,"
        " t.title AS trip_title FROM visit v LEFT JOIN trip t ON t.id = v.trip_id"
        " WHERE v.enterprise_id = ? AND v.deleted = 0 ORDER BY v.scheduled_at DESC",
        (blob(enterprise_id),),
    ))
    out.notes = _dicts(conn.execute(
        'SELECT id, "date", intent, substr(content, 1, 120) AS excerpt, our_attendees'
        " FROM meeting_note WHERE deleted = 0 AND (enterprise_id = ?"
        " OR visit_id IN (SELECT id FROM visit WHERE enterprise_id = ?))"
        ' ORDER BY "date" DESC, created_at DESC',
        (blob(enterprise_id), blob(enterprise_id)),
    ))
    out.leads = _dicts(conn.execute(
        "SELECT id, name, stage, stage_date, investment_wan, high_energy FROM lead"
        " WHERE enterprise_id = ? AND deleted = 0 ORDER BY updated_at DESC",
        (blob(enterprise_id),),
    ))
    out.followers = followers(conn, enterprise_id, current_user)
    return out


def followers(conn: sqlite3.Connection, enterprise_id: str, current_user: str) -> list[str]:
    """Who else in the bureau works on this enterprise: authors of its visits, notes, leads."""
    rows = conn.execute(
        """
        WITH people(who) AS (
          SELECT created_by FROM visit WHERE enterprise_id = :e AND deleted = 0
          UNION SELECT updated_by FROM visit WHERE enterprise_id = :e AND deleted = 0
          UNION SELECT created_by FROM meeting_note WHERE deleted = 0 AND (enterprise_id = :e
                OR visit_id IN (SELECT id FROM visit WHERE enterprise_id = :e))
          UNION SELECT updated_by FROM meeting_note WHERE deleted = 0 AND (enterprise_id = :e
                OR visit_id IN (SELECT id FROM visit WHERE enterprise_id = :e))
          UNION SELECT created_by FROM lead WHERE enterprise_id = :e AND deleted = 0
          UNION SELECT updated_by FROM lead WHERE enterprise_id = :e AND deleted = 0
        )
        SELECT DISTINCT who FROM people WHERE who IS NOT NULL AND who != :me
          AND who != 'system' ORDER BY who
        """,
        {"e": blob(enterprise_id), "me": current_user},
    )
    return [r[0] for r in rows]
