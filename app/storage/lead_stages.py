"""A lead's derived stage columns: its current stage and the date it reached each pipeline stage.

`lead.stage`/`stage_date` are the latest live change by (date, created_at, id); the
`reached_<stage>` columns hold the date the lead reached each forward stage (DESIGN.md
"Figures": the earliest live change into that stage or any later forward one). They are kept
in step with `lead_stage_change` by every writer: `refresh_lead` after a single save or pulled
record (RecordStore, sync, import), `refresh_all` after bulk writes (migration backfill, demo
data, server snapshots), so the period summary aggregates leads in SQL instead of replaying
every stage change in Python.
"""

from __future__ import annotations

import sqlite3

from app.domain.enums import PIPELINE
from app.domain.figures import reached_dates
from app.storage.ids import blob

# One column per forward stage, in pipeline order.
REACHED_COLUMNS: tuple[str, ...] = tuple(f"reached_{s.value}" for s in PIPELINE)

_SET_ONE = (
    "UPDATE lead SET stage = ?, stage_date = ?, "
    + ", ".join(f"{c} = ?" for c in REACHED_COLUMNS)
    + " WHERE id = ?"
)


def add_columns(conn: sqlite3.Connection) -> None:
    """Add the reached_* columns where missing (migration v5)."""
    present = {r[1] for r in conn.execute("PRAGMA table_info(lead)")}
    for name in REACHED_COLUMNS:
        if name not in present:
            conn.execute(f"ALTER TABLE lead ADD COLUMN {name} TEXT")


def refresh_lead(conn: sqlite3.Connection, lead_id: str) -> None:
    """Recompute one lead's stage, stage date and reached dates from its live changes."""
    rows = conn.execute(
        'SELECT stage, "date" FROM lead_stage_change WHERE lead_id = ? AND deleted = 0'
        ' ORDER BY "date", created_at, id',
        (blob(lead_id),),
    ).fetchall()
    stage, day = rows[-1] if rows else (None, None)
    conn.execute(_SET_ONE, (stage, day, *reached_dates(rows), blob(lead_id)))


def _reached_select() -> str:
    """Per lead, the minimum live change date over each stage and every later forward stage."""
    mins = []
    for i, column in enumerate(REACHED_COLUMNS):
        later = ", ".join(f"'{s.value}'" for s in PIPELINE[i:])
        mins.append(f"MIN(CASE WHEN stage IN ({later}) THEN \"date\" END) AS {column}")
    return (
        f"SELECT lead_id, {', '.join(mins)} FROM lead_stage_change WHERE deleted = 0"
        " GROUP BY lead_id"
    )


def refresh_all(conn: sqlite3.Connection) -> None:
    """Recompute the derived stage columns of every lead in a few set-based statements.

    For bulk writers (migration, demo data, snapshots) that insert rows directly; run it in
    their transaction, after the stage changes are written.
    """
    conn.execute(
        "UPDATE lead SET stage = NULL, stage_date = NULL, "
        + ", ".join(f"{c} = NULL" for c in REACHED_COLUMNS)
    )
    conn.execute(
        "UPDATE lead SET (" + ", ".join(REACHED_COLUMNS) + ") = ("
        + ", ".join(f"r.{c}" for c in REACHED_COLUMNS) + f") FROM ({_reached_select()}) AS r"
        " WHERE r.lead_id = lead.id"
    )
    conn.execute(
        'UPDATE lead SET (stage, stage_date) = (SELECT s.stage, s."date" FROM'
        " lead_stage_change s WHERE s.lead_id = lead.id AND s.deleted = 0"
        ' ORDER BY s."date" DESC, s.created_at DESC, s.id DESC LIMIT 1)'
        " WHERE id IN (SELECT lead_id FROM lead_stage_change WHERE deleted = 0)"
    )
