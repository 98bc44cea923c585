"""Derived stage columns of a lead stay equal to what its live stage changes say, whoever writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from app.domain.figures import reached_dates
from app.storage import lead_stages, migrations, sync_store
from app.storage.db import connect, open_database
from app.storage.ids import blob

COLUMNS = ("stage", "stage_date", *lead_stages.REACHED_COLUMNS)


def _columns(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    cur = conn.execute(f"SELECT id, {', '.join(COLUMNS)} FROM lead ORDER BY id")
    return {row[0]: tuple(row[1:]) for row in cur}


def _expected(conn: sqlite3.Connection, lead_id: str) -> tuple[Any, ...]:
    rows = conn.execute(
        'SELECT stage, "date" FROM lead_stage_change WHERE lead_id = ? AND deleted = 0'
        ' ORDER BY "date", created_at, id', (blob(lead_id),),
    ).fetchall()
    stage, day = rows[-1] if rows else (None, None)
    return (stage, day, *reached_dates(rows))


def _assert_consistent(conn: sqlite3.Connection) -> None:
    """Every lead's columns equal a fresh computation, per lead and in bulk."""
    kept = _columns(conn)
    assert kept == {lead_id: _expected(conn, lead_id) for lead_id in kept}
    lead_stages.refresh_all(conn)
    assert _columns(conn) == kept


def _stage(store: Any, lead_id: str, stage: str, day: str) -> dict[str, Any]:
    return store.create("lead_stage_change", {"lead_id": lead_id, "stage": stage, "date": day})


def test_store_writes_keep_reached_dates(store: Any) -> None:
    lead = store.create("lead", {"name": "储能电池项目", "investment_wan": 50000})
    assert _columns(store.conn)[lead["id"]] == (None,) * len(COLUMNS)
    _stage(store, lead["id"], "clue", "2025-03-01")
    signed = _stage(store, lead["id"], "signed", "2025-05-10")  # skips 在谈
    _stage(store, lead["id"], "negotiating", "2025-05-10")  # same day, later: moved back
    row = store.get("lead", lead["id"])
    assert (row["stage"], row["reached_negotiating"], row["reached_signed"]) == (
        "negotiating", "2025-05-10", "2025-05-10")
    _assert_consistent(store.conn)
    store.delete("lead_stage_change", signed["id"])
    assert store.get("lead", lead["id"])["reached_signed"] is None
    _assert_consistent(store.conn)
    store.restore("lead_stage_change", signed["id"])
    _stage(store, lead["id"], "terminated", "2025-06-01")
    row = store.get("lead", lead["id"])
    assert (row["stage"], row["reached_signed"]) == ("terminated", "2025-05-10")
    _assert_consistent(store.conn)


def test_pulled_records_keep_reached_dates(store: Any) -> None:
    lead = store.create("lead", {"name": "精密轴承项目"})
    _stage(store, lead["id"], "clue", "2025-01-05")
    theirs = store.get("lead", lead["id"])
    change = _stage(store, lead["id"], "registered", "2025-02-01")
    store.conn.execute("DELETE FROM outbox")  # as if both were pushed and acknowledged
    # Another laptop tombstoned the 注册 change, then renamed the lead: the lead row is
    # replaced wholesale by the pull, which must not wipe its derived columns.
    gone = dict(store.get("lead_stage_change", change["id"]), deleted=True, version=2)
    renamed = dict(theirs, name="精密轴承二期项目", version=3)
    sync_store.apply_pulled(store.conn, [gone, renamed], "cursor-1")
    row = store.get("lead", lead["id"])
    assert row["name"] == "精密轴承二期项目"
    assert (row["stage"], row["reached_clue"], row["reached_signed"]) == ("clue", "2025-01-05", None)
    _assert_consistent(store.conn)


def test_demo_data_keeps_reached_dates(tmp_path: Path) -> None:
    from app.storage.demo.generator import generate

    db = open_database(tmp_path / "demo.sqlite3")
    generate(db.conn, size=300, seed=3)
    assert db.conn.execute("SELECT count(*) FROM lead WHERE reached_clue IS NOT NULL").fetchone()[0]
    _assert_consistent(db.conn)


def test_migration_backfills_reached_dates(tmp_path: Path) -> None:
    conn = connect(tmp_path / "old.sqlite3")
    migrations.migrate(conn, target=4)
    now = "2025-01-01T00:00:00Z"
    meta = (now, "old", now, "old")
    conn.execute("INSERT INTO lead (id, name, created_at, created_by, updated_at, updated_by)"
                 " VALUES ('l1', '老项目', ?, ?, ?, ?)", meta)
    for cid, stage, day in (("c1", "clue", "2024-05-01"), ("c2", "started", "2024-09-01"),
                            ("c3", "terminated", "2024-10-01")):
        conn.execute(
            'INSERT INTO lead_stage_change (id, lead_id, stage, "date", created_at, created_by,'
            " updated_at, updated_by) VALUES (?, 'l1', ?, ?, ?, ?, ?, ?)", (cid, stage, day, *meta))
    migrations.migrate(conn)
    assert _columns(conn)["l1"] == ("terminated", "2024-10-01", "2024-05-01", "2024-09-01",
                                    "2024-09-01", "2024-09-01", "2024-09-01", None)
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT stage FROM lead_stage_change WHERE lead_id = 'l1'"
        ' AND deleted = 0 AND "date" <= ? ORDER BY "date" DESC, created_at DESC, id DESC LIMIT 1',
        ("2024-09-15",),
    ).fetchall()
    assert "COVERING INDEX stage_change_lead" in str(plan) and "TEMP B-TREE" not in str(plan)


def test_saves_in_one_millisecond_keep_their_order(store: Any, monkeypatch: Any) -> None:
    """Two stage changes dated the same day are ordered by created_at: saves that fall in
    the same millisecond still get increasing times (this test once failed 1 run in 30)."""
    import app.storage.records as records

    monkeypatch.setattr(records, "utc_now", lambda: "2025-05-10T08:00:00.000Z")
    lead = store.create("lead", {"name": "储能电池项目"})
    first = _stage(store, lead["id"], "signed", "2025-05-10")
    second = _stage(store, lead["id"], "negotiating", "2025-05-10")
    assert first["created_at"] < second["created_at"]
    assert store.get("lead", lead["id"])["stage"] == "negotiating"
