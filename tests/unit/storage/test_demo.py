"""Demo data: reproducible, fixed ratios, valid and consistent records, GB2312 only, atomic."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.domain import uscc as uscc_rules
from app.domain.enums import PIPELINE, Stage
from app.domain.errors import ValidationError
from app.domain.records import SPECS, validate_fields
from app.storage import lists, search
from app.storage.db import open_database
from app.storage.demo import GenerationCancelled, generate, has_own_records, is_demo
from app.storage.records import RecordStore, name_key

RECORD_TYPES = [t for t in SPECS if t != "list_item"]
SIZE = 2000


def _open(path: Path) -> sqlite3.Connection:
    return open_database(path / "fielddesk.sqlite3").conn


def _dump(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in SPECS}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One profile of SIZE enterprises shared by the read-only tests of this module."""
    conn = _open(tmp_path_factory.mktemp("demo"))
    counts = generate(conn, size=SIZE, seed=1)
    yield conn, counts
    conn.close()


def test_same_seed_same_rows_other_seed_other_rows(tmp_path: Path) -> None:
    a, b, c = (_open(tmp_path / n) for n in "abc")
    generate(a, size=150, seed=7)
    generate(b, size=150, seed=7)
    generate(c, size=150, seed=8)
    assert _dump(a) == _dump(b)
    ids_a = {r[0] for r in a.execute("SELECT id FROM enterprise")}
    ids_c = {r[0] for r in c.execute("SELECT id FROM enterprise")}
    assert not ids_a & ids_c
    assert _dump(a)["meeting_note"] != _dump(c)["meeting_note"]


def test_counts_follow_the_fixed_ratios(demo: Any) -> None:
    conn, counts = demo
    assert counts["enterprise"] == SIZE
    assert counts["contact"] == 1.5 * SIZE
    assert counts["visit"] == 0.2 * SIZE
    assert counts["meeting_note"] == 2 * SIZE
    assert counts["lead"] == 0.5 * SIZE
    assert counts["follow_up"] == 0.3 * SIZE
    assert 2.0 <= counts["lead_stage_change"] / counts["lead"] <= 3.0
    for t, n in counts.items():
        assert conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == n
    per_trip = [n for (n,) in conn.execute("SELECT count(*) FROM visit GROUP BY trip_id")]
    assert counts["trip"] == len(per_trip) == SIZE * 0.2 / 20
    assert 18 <= sum(per_trip) / len(per_trip) <= 22 and min(per_trip) >= 10


def test_enterprises_have_some_contacts_spread_unevenly(demo: Any) -> None:
    conn, _ = demo
    spread = Counter(n for (n,) in conn.execute(
        "SELECT (SELECT count(*) FROM contact c WHERE c.enterprise_id = e.id) FROM enterprise e"))
    assert spread[0] > 0 and spread[1] > spread[3] > 0


def test_usccs_valid_unique_and_mobiles_valid_unique(demo: Any) -> None:
    conn, _ = demo
    codes = [c for (c,) in conn.execute("SELECT uscc FROM enterprise WHERE uscc IS NOT NULL")]
    assert len(codes) > SIZE * 0.8
    assert all(uscc_rules.problem(c) is None for c in codes)
    assert len(set(codes)) == len(codes)
    mobiles = [m for (m,) in conn.execute("SELECT mobile FROM contact WHERE mobile IS NOT NULL")]
    assert len(mobiles) > SIZE
    assert all(re.fullmatch(r"1[3-9]\d{9}", m) for m in mobiles)
    assert len(set(mobiles)) == len(mobiles)
    foreign = conn.execute(
        "SELECT count(*) FROM enterprise WHERE uscc IS NULL AND region IN ('日韩', '欧美', '港澳台')"
    ).fetchone()[0]
    assert foreign > 0  # foreign firms have no USCC


def test_every_record_passes_validation_unchanged(demo: Any) -> None:
    conn, _ = demo
    store = RecordStore(conn)
    for type_name in RECORD_TYPES:
        spec = SPECS[type_name]
        for record in store.list(type_name, limit=None):
            fields = {f.name: record[f.name] for f in spec.fields}
            cleaned = validate_fields(spec, fields, list_has=store.list_has, allow_system=True)
            for name, value in fields.items():
                if value not in (None, [], False):
                    assert cleaned[name] == value, (type_name, name, value)


def test_references_point_at_matching_records(demo: Any) -> None:
    conn, _ = demo
    for spec in SPECS.values():
        for f in spec.fields:
            if f.kind == "ref":
                missing = conn.execute(
                    f"SELECT count(*) FROM {spec.type} x WHERE x.{f.name} IS NOT NULL AND NOT "
                    f"EXISTS (SELECT 1 FROM {f.ref} y WHERE y.id = x.{f.name})").fetchone()[0]
                assert missing == 0, (spec.type, f.name)
    wrong = conn.execute(
        "SELECT count(*) FROM visit v, json_each(v.contact_ids) j JOIN contact c ON c.id = j.value"
        " WHERE c.enterprise_id != v.enterprise_id").fetchone()[0]
    assert wrong == 0
    notes_off = conn.execute(
        "SELECT count(*) FROM meeting_note n JOIN visit v ON v.id = n.visit_id"
        " WHERE v.enterprise_id != n.enterprise_id OR v.status != 'done'").fetchone()[0]
    assert notes_off == 0


def test_visits_abroad_carry_their_time_zone(demo: Any) -> None:
    conn, _ = demo
    zones = Counter(z for (z,) in conn.execute("SELECT time_zone FROM visit"))
    assert zones["Asia/Shanghai"] > 0
    assert set(zones) - {"Asia/Shanghai"}, zones


def test_lead_stage_matches_its_latest_change(demo: Any) -> None:
    conn, _ = demo
    order = {s.value: i for i, s in enumerate(PIPELINE)}
    paths: dict[str, list[tuple[str, str, str]]] = {}
    for lead_id, stage, day, created in conn.execute(
        'SELECT lead_id, stage, "date", created_at FROM lead_stage_change'
        ' ORDER BY lead_id, "date", created_at, id'
    ):
        paths.setdefault(lead_id, []).append((stage, day, created))
    skipped = 0
    for lead_id, stage, stage_date in conn.execute("SELECT id, stage, stage_date FROM lead"):
        path = paths[lead_id]
        assert (path[-1][0], path[-1][1]) == (stage, stage_date)
        days = [d for _, d, _ in path]
        assert days == sorted(set(days))  # strictly increasing: no ties to break
        forward = [order[s] for s, _, _ in path if s != Stage.TERMINATED.value]
        assert forward == sorted(forward)
        assert all(s != Stage.TERMINATED.value for s, _, _ in path[:-1])
        skipped += forward != list(range(forward[0], forward[0] + len(forward))) or forward[0] > 0
    stages = Counter(s for (s,) in conn.execute("SELECT stage FROM lead"))
    assert set(stages) == {s.value for s in Stage}
    assert skipped > 0


def test_derived_columns_and_amounts(demo: Any) -> None:
    conn, _ = demo
    for name, key in conn.execute("SELECT name, name_key FROM enterprise UNION ALL "
                                  "SELECT name, name_key FROM lead"):
        assert key == name_key(name)
    amounts = [a for (a,) in conn.execute("SELECT investment_wan FROM lead")]
    assert min(amounts) > 0
    large = sum(a >= 10_000 for a in amounts) / len(amounts)
    assert 0.4 < large < 0.95  # most are 亿元-level, not all
    high_energy = conn.execute("SELECT avg(high_energy) FROM lead").fetchone()[0]
    assert 0.005 < high_energy < 0.08
    units = set(lists.values(conn, "unit"))
    assert {u for (u,) in conn.execute("SELECT DISTINCT unit FROM lead")} <= units


def test_all_text_is_inside_gb2312(demo: Any) -> None:
    conn, _ = demo
    for type_name in RECORD_TYPES:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({type_name})") if r[2] == "TEXT"]
        for row in conn.execute(f"SELECT {', '.join(cols)} FROM {type_name}"):
            for value in row:
                if value:
                    value.encode("gb2312")  # raises on a character the bundled font lacks


def test_demo_profile_is_marked_searchable_and_has_no_outbox(demo: Any) -> None:
    conn, _ = demo
    assert is_demo(conn)
    assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert search.search(conn, "新材").total > 0
    assert search.search(conn, "电").total > 0


def test_cancel_leaves_nothing(tmp_path: Path) -> None:
    conn = _open(tmp_path)
    before = _dump(conn)
    stop = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        stop.set()  # cancel after the first batch has been written

    with pytest.raises(GenerationCancelled):
        generate(conn, size=30_000, seed=1, progress=progress, cancel=stop)
    assert seen and _dump(conn) == before
    assert not is_demo(conn) and not has_own_records(conn)


def test_refuses_a_profile_with_own_records_and_replaces_a_demo(tmp_path: Path) -> None:
    conn = _open(tmp_path)
    store = RecordStore(conn)
    store.create("enterprise", {"name": "许继集团有限公司"})
    with pytest.raises(ValidationError) as e:
        generate(conn, size=10)
    assert e.value.code == "demo_not_empty"
    assert conn.execute("SELECT count(*) FROM enterprise").fetchone()[0] == 1

    other = _open(tmp_path / "demo")
    generate(other, size=40, seed=2)
    counts = generate(other, size=20, seed=3)
    assert other.execute("SELECT count(*) FROM enterprise").fetchone()[0] == 20
    assert counts["enterprise"] == 20
    assert other.execute("SELECT value FROM meta WHERE key = 'demo_seed'").fetchone()[0] == "3"


@pytest.mark.parametrize("size", [0, 200_001])
def test_size_out_of_range(tmp_path: Path, size: int) -> None:
    with pytest.raises(ValidationError) as e:
        generate(_open(tmp_path), size=size)
    assert e.value.field == "size"
