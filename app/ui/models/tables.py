"""The record tables of the views: each is a RecordTableModel with its source and columns."""

from __future__ import annotations

import sqlite3

from PySide6.QtGui import QColor

from app.domain import messages
from app.domain.enums import Intent, Stage, TripStatus
from app.domain.values import today
from app.storage.queries.dashboard import DUE_SOON_DAYS
from app.storage.queries.enterprises import EnterpriseQuery, EnterpriseSource
from app.storage.queries.follow_ups import FollowUpQuery, FollowUpSource
from app.storage.queries.leads import LeadQuery, LeadSource
from app.storage.queries.notes import NoteQuery, NoteSource
from app.storage.queries.trips import TripQuery, TripSource
from app.ui import strings
from app.ui.models.columns import DUE_SOON_COLOUR, MARK_COLOUR, OVERDUE_COLOUR, Column, Row, text
from app.ui.models.record_table_model import RecordTableModel

label = messages.field_label


def _enum(enum: type, key: str):  # type: ignore[no-untyped-def]
    def show(row: Row) -> str:
        value = row.get(key)
        return messages.enum_label(enum(value)) if value else ""

    return show


def _money(key: str):  # type: ignore[no-untyped-def]
    return lambda row: messages.format_wan(row.get(key))


def enterprise_model(conn: sqlite3.Connection, parent: object = None) -> RecordTableModel:
    columns = [
        Column("name", label("name", "enterprise"), text("name"), "name", 260),
        Column("uscc", label("uscc"), lambda r: (r["uscc"] or "") + (
            strings.ENT_USCC_OVERRIDE if r.get("uscc_override_by") else ""), "uscc", 180),
        Column("industry_chain", label("industry_chain"), text("industry_chain"),
               "industry_chain", 90),
        Column("region", label("region"), text("region"), "region", 100),
        Column("city", strings.ENT_COL_CITY,
               lambda r: " ".join(x for x in (r.get("province"), r.get("city")) if x), "city", 110),
        Column("tags", label("tags"), lambda r: "、".join(r["tags"]), "tags", 140),
        Column("last_visit", strings.ENT_COL_LAST_VISIT, lambda r: (r["last_visit"] or "")[:10],
               "last_visit", 90),
    ]
    return RecordTableModel(conn, EnterpriseSource(), columns, EnterpriseQuery(), parent)


def _high_energy_colour(row: Row) -> QColor | None:
    return MARK_COLOUR if row.get("high_energy") else None


def lead_model(conn: sqlite3.Connection, parent: object = None) -> RecordTableModel:
    columns = [
        Column("name", label("name", "lead"), text("name"), "name", 220,
               foreground=_high_energy_colour),
        Column("enterprise", strings.LEAD_COL_ENTERPRISE, text("enterprise_name"),
               "enterprise", 200),
        Column("industry_chain", label("industry_chain"), text("industry_chain"),
               "industry_chain", 90),
        Column("investment_wan", label("investment_wan"), _money("investment_wan"),
               "investment_wan", 130, align_right=True),
        Column("stage", label("stage"), _enum(Stage, "stage"), "stage", 60),
        Column("stage_date", strings.LEAD_COL_STAGE_DATE, text("stage_date"), "stage_date", 90),
        Column("unit", label("unit"), text("unit"), "unit", 90),
        Column("responsible", label("responsible"), text("responsible"), "responsible", 70),
        Column("high_energy", strings.LEAD_HIGH_ENERGY_MARK,
               lambda r: strings.LEAD_HIGH_ENERGY_MARK if r["high_energy"] else "",
               "high_energy", 50, foreground=_high_energy_colour),
    ]
    return RecordTableModel(conn, LeadSource(), columns, LeadQuery(), parent)


def due_state(row: Row, day: str | None = None) -> str:
    """'done', 'overdue', 'soon' or 'open' for a follow-up row."""
    import datetime as dt

    if row.get("done"):
        return "done"
    due = row.get("due_date")
    if not due:
        return "open"
    day = day or today()
    if due < day:
        return "overdue"
    soon = (dt.date.fromisoformat(day) + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
    return "soon" if due <= soon else "open"


def _due_colour(row: Row) -> QColor | None:
    state = due_state(row)
    return {"overdue": OVERDUE_COLOUR, "soon": DUE_SOON_COLOUR}.get(state)


_STATE_TEXT = {"done": strings.FU_DONE, "overdue": strings.FU_OVERDUE,
               "soon": strings.FU_DUE_SOON, "open": strings.FU_OPEN}


def follow_up_model(conn: sqlite3.Connection, parent: object = None) -> RecordTableModel:
    columns = [
        Column("due_date", label("due_date"), text("due_date"), "due_date", 100,
               foreground=_due_colour),
        Column("state", strings.FU_COL_STATE, lambda r: _STATE_TEXT[due_state(r)], "done", 70,
               foreground=_due_colour),
        Column("content", label("content", "follow_up"), text("content"), "content", 300),
        Column("owner", label("owner"), text("owner"), "owner", 80),
        Column("subject", strings.FU_COL_SUBJECT,
               lambda r: strings.follow_up_subject(r["lead_name"], r["note_date"],
                                                   r["enterprise_name"]), "subject", 260),
    ]
    return RecordTableModel(conn, FollowUpSource(), columns, FollowUpQuery(), parent)


def trip_model(conn: sqlite3.Connection, parent: object = None) -> RecordTableModel:
    columns = [
        Column("title", label("title", "trip"), text("title"), "title", 200),
        Column("dates", strings.TRIP_COL_DATES,
               lambda r: strings.trip_dates(r["start_date"], r["end_date"]), "start_date", 170),
        Column("status", label("status"), _enum(TripStatus, "status"), "status", 60),
        Column("leader", label("leader"), text("leader"), "leader", 70),
        Column("visits", strings.TRIP_COL_VISITS, text("visits"), "visits", 60, align_right=True),
    ]
    return RecordTableModel(conn, TripSource(), columns, TripQuery(), parent)


def note_model(conn: sqlite3.Connection, parent: object = None) -> RecordTableModel:
    columns = [
        Column("date", label("date"), text("date"), "date", 90),
        Column("enterprise", label("enterprise_id"), text("enterprise_name"), "enterprise", 200),
        Column("intent", label("intent"), _enum(Intent, "intent"), "intent", 80),
        Column("excerpt", strings.NOTE_COL_EXCERPT,
               lambda r: (r["excerpt"] or "").replace("\n", " "), None, 300),
        Column("updated_by", strings.NOTE_COL_AUTHOR, text("updated_by"), "updated_by", 70),
    ]
    return RecordTableModel(conn, NoteSource(), columns, NoteQuery(), parent)
