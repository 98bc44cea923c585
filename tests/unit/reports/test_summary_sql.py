"""The SQL period summary equals the reference `figures.summarize` on random pipelines."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from app.domain.figures import summarize
from app.reports.summary import compute
from app.storage import lead_stages
from app.storage.db import open_database

STAGES = ["clue", "negotiating", "signed", "registered", "started", "in_production", "terminated"]
CHAINS = ["新能源", "新材料", "", None]
UNITS = ["许昌县", "禹州市", None]
ZONES = [None, "Asia/Shanghai", "Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles"]
NOW = "2025-01-01T00:00:00Z"


def _day(rng: random.Random) -> str:
    # Few distinct days, so same-day changes (ordered by created_at, id) are common.
    return (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 30))).isoformat()


def _fill(conn: Any, rng: random.Random, leads: int) -> None:
    meta = (NOW, "t", NOW, "t")
    for i in range(leads):
        amount = rng.choice([None, 0, 500, 9999, 10000, 80000])
        conn.execute(
            "INSERT INTO lead (id, name, investment_wan, funds_arrived_wan,"
            " foreign_contracted_wan_usd, foreign_arrived_wan_usd, industry_chain, unit, deleted,"
            " created_at, created_by, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (f"l{i:03d}", f"项目{i}", amount, rng.choice([None, 0, 300]), rng.choice([None, 50]),
             rng.choice([None, 20]), rng.choice(CHAINS), rng.choice(UNITS),
             int(rng.random() < 0.08), *meta),
        )
        for j in range(rng.randint(0, 5)):
            conn.execute(
                'INSERT INTO lead_stage_change (id, lead_id, stage, "date", deleted, created_at,'
                " created_by, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?)",
                (f"c{i:03d}{j}", f"l{i:03d}", rng.choice(STAGES), _day(rng),
                 int(rng.random() < 0.1), f"2025-01-01T00:00:0{rng.randint(0, 2)}Z", *meta[1:]),
            )
    for i in range(60):
        conn.execute(
            "INSERT INTO visit (id, scheduled_at, time_zone, status, deleted, created_at,"
            " created_by, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?)",
            (f"v{i:02d}", f"{_day(rng)}T{rng.choice(['00:30', '09:00', '23:30'])}",
             rng.choice(ZONES), rng.choice(["done", "done", "planned"]),
             int(rng.random() < 0.1), *meta),
        )
    for i in range(10):
        start = _day(rng)
        end = (dt.date.fromisoformat(start) + dt.timedelta(days=rng.randint(0, 6))).isoformat()
        conn.execute(
            "INSERT INTO trip (id, title, start_date, end_date, deleted, created_at, created_by,"
            " updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?)",
            (f"t{i}", "小分队", start, end, int(rng.random() < 0.1), *meta),
        )
    lead_stages.refresh_all(conn)


def _reference(conn: Any, start: str, end: str) -> dict[str, Any]:
    """The figures from raw rows, the way the report loaded them before the SQL path."""
    leads = conn.execute(
        "SELECT id, investment_wan, funds_arrived_wan, foreign_contracted_wan_usd,"
        " foreign_arrived_wan_usd, industry_chain, unit FROM lead WHERE deleted = 0").fetchall()
    changes = conn.execute(
        'SELECT lead_id, stage, "date", created_at, id, deleted FROM lead_stage_change').fetchall()
    visits = conn.execute(
        "SELECT scheduled_at, time_zone, status FROM visit WHERE deleted = 0").fetchall()
    trips = conn.execute("SELECT start_date, end_date FROM trip WHERE deleted = 0").fetchall()
    return summarize(leads, changes, visits, trips, start, end)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_summary_equals_reference(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    db = open_database(tmp_path / "random.sqlite3")
    _fill(db.conn, rng, 200)
    ranges = [("2025-01-01", "2025-05-01"), ("2025-01-10", "2025-01-10"),
              ("2024-01-01", "2024-12-31")]
    ranges += [tuple(sorted((_day(rng), _day(rng)))) for _ in range(20)]
    for start, end in ranges:
        got = compute(db.conn, start, end)
        assert got == _reference(db.conn, start, end), (start, end)
    # The dataset exercises what the SQL path special-cases.
    full = compute(db.conn, "2025-01-01", "2025-05-01")
    assert full["negotiating_100m"]["count"] and full["signed_100m"]["count"]
    assert full["foreign"]["contracted_wan_usd"]
