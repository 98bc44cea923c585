"""工作台 figures: this week's visits, due follow-ups, the pipeline per stage, pending sync."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from app.domain.enums import PIPELINE, Stage
from app.storage import outbox

DUE_SOON_DAYS = 3


@dataclass
class StageFigure:
    stage: str
    count: int
    investment_wan: int


@dataclass
class Dashboard:
    today: str
    visits_today: list[dict[str, Any]] = field(default_factory=list)
    visits_week: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    due_soon: list[dict[str, Any]] = field(default_factory=list)
    pipeline: list[StageFigure] = field(default_factory=list)
    high_energy_leads: int = 0
    pending_sync: int = 0


def _dicts(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]


def _visits_between(conn: sqlite3.Connection, start: str, end: str) -> list[dict[str, Any]]:
    """Live, not-cancelled visits with start <= local date < end."""
    return _dicts(conn.execute(
        "SELECT v.id, v.scheduled_at, v.status, v.place, v.enterprise_id,"
        " e.name AS enterprise_name, t.title AS trip_title FROM visit v"
        " LEFT JOIN enterprise e ON e.id = v.enterprise_id LEFT JOIN trip t ON t.id = v.trip_id"
        " WHERE v.deleted = 0 AND v.status != 'cancelled'"
        " AND v.scheduled_at >= ? AND v.scheduled_at < ? ORDER BY v.scheduled_at LIMIT 200",
        (start, end),
    ))


def _follow_ups(conn: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    return _dicts(conn.execute(
        "SELECT f.id, f.content, f.owner, f.due_date, l.name AS lead_name FROM follow_up f"
        " LEFT JOIN lead l ON l.id = f.lead_id"
        f" WHERE f.deleted = 0 AND f.done = 0 AND {where} ORDER BY f.due_date LIMIT 100",
        args,
    ))


def pipeline(conn: sqlite3.Connection) -> list[StageFigure]:
    """Live leads per current stage (no stage yet counts as 线索), with planned investment."""
    rows = conn.execute(
        "SELECT COALESCE(stage, 'clue'), count(*), COALESCE(sum(investment_wan), 0) FROM lead"
        " WHERE deleted = 0 GROUP BY COALESCE(stage, 'clue')"
    ).fetchall()
    found = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    return [
        StageFigure(s.value, *found.get(s.value, (0, 0)))
        for s in (*PIPELINE, Stage.TERMINATED)
    ]


def load(conn: sqlite3.Connection, today: str) -> Dashboard:
    day = dt.date.fromisoformat(today)
    monday = day - dt.timedelta(days=day.weekday())
    tomorrow = (day + dt.timedelta(days=1)).isoformat()
    next_monday = (monday + dt.timedelta(days=7)).isoformat()
    soon = (day + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
    out = Dashboard(today=today)
    out.visits_today = _visits_between(conn, today, tomorrow)
    out.visits_week = _visits_between(conn, monday.isoformat(), next_monday)
    out.overdue = _follow_ups(conn, "f.due_date < ?", (today,))
    out.due_soon = _follow_ups(conn, "f.due_date >= ? AND f.due_date <= ?", (today, soon))
    out.pipeline = pipeline(conn)
    out.high_energy_leads = int(conn.execute(
        "SELECT count(*) FROM lead WHERE deleted = 0 AND high_energy = 1"
        " AND COALESCE(stage, 'clue') != 'terminated'"
    ).fetchone()[0])
    out.pending_sync = outbox.pending_count(conn)
    return out
