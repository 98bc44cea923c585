"""Trips list and a trip's day-by-day visit agenda."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.storage.ids import blob
from app.storage.queries.table import fetch_by_rowid, like_pattern, order_clause

SORT_SQL = {
    "title": "title",
    "start_date": "start_date",
    "end_date": "end_date",
    "status": "status",
    "leader": "leader",
    "visits": "(SELECT count(*) FROM visit v WHERE v.trip_id = trip.id AND v.deleted = 0)",
}


@dataclass(frozen=True)
class TripQuery:
    text: str = ""
    sort: str = "start_date"
    descending: bool = True


class TripSource:
    """Table source for the trip list."""

    def find_keys(self, conn: sqlite3.Connection, query: TripQuery) -> list[int]:
        clauses, args = ["deleted = 0"], []  # type: ignore[var-annotated]
        if query.text.strip():
            clauses.append("(title LIKE ? ESCAPE '\\' OR destinations LIKE ? ESCAPE '\\')")
            args += [like_pattern(query.text.strip())] * 2
        order = order_clause(SORT_SQL.get(query.sort, "start_date"), query.descending)
        rows = conn.execute(
            f"SELECT rowid FROM trip WHERE {' AND '.join(clauses)} ORDER BY {order}", args
        )
        return [r[0] for r in rows]

    def fetch(self, conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, dict[str, Any]]:
        rows = fetch_by_rowid(
            conn,
            "SELECT rowid AS key, id, title, leader, members, destinations, start_date, end_date,"
            " status, " + SORT_SQL["visits"] + " AS visits FROM trip WHERE rowid IN ({keys})",
            keys,
        )
        for row in rows.values():
            row["members"] = json.loads(row["members"]) if row["members"] else []
            row["destinations"] = json.loads(row["destinations"]) if row["destinations"] else []
        return rows


@dataclass
class AgendaDay:
    """One calendar day of a trip with its visits in time order."""

    day: str
    visits: list[dict[str, Any]]


def agenda(conn: sqlite3.Connection, trip_id: str) -> list[AgendaDay]:
    """Every day of the trip (even empty ones), plus days of visits outside its dates."""
    trip = conn.execute(
        "SELECT start_date, end_date FROM trip WHERE id = ?", (blob(trip_id),)
    ).fetchone()
    cur = conn.execute(
        "SELECT v.id, v.enterprise_id, e.name AS enterprise_name, v.scheduled_at, v.time_zone,"
        " v.place, v.purpose, v.status, v.outcome,"
        " (SELECT count(*) FROM meeting_note m WHERE m.visit_id = v.id AND m.deleted = 0)"
        " AS notes FROM visit v LEFT JOIN enterprise e ON e.id = v.enterprise_id"
        " WHERE v.trip_id = ? AND v.deleted = 0 ORDER BY v.scheduled_at, v.rowid",
        (blob(trip_id),),
    )
    cols = [d[0] for d in cur.description]
    by_day: dict[str, list[dict[str, Any]]] = {}
    if trip and trip[0] and trip[1]:
        day = dt.date.fromisoformat(trip[0])
        end = dt.date.fromisoformat(trip[1])
        while day <= end and len(by_day) < 366:
            by_day[day.isoformat()] = []
            day += dt.timedelta(days=1)
    for row in cur.fetchall():
        visit = dict(zip(cols, row, strict=False))
        by_day.setdefault(visit["scheduled_at"][:10], []).append(visit)
    return [AgendaDay(day, visits) for day, visits in sorted(by_day.items())]
