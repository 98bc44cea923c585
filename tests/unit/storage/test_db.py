"""Opening and upgrading profile databases."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.domain.errors import StorageError
from app.storage import migrations, stamps
from app.storage.db import open_database, user_version
from app.storage.ids import blob
from app.storage.records import RecordStore

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "profile-v1.sqlite3"


def test_new_database_pragmas(tmp_path):
    db = open_database(tmp_path / "p.sqlite3")
    conn = db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert user_version(conn) == migrations.SCHEMA_VERSION


def test_v1_file_upgrades_in_place_with_backup(tmp_path):
    path = tmp_path / "fielddesk.sqlite3"
    shutil.copyfile(FIXTURE, path)
    db = open_database(path)
    assert user_version(db.conn) == migrations.SCHEMA_VERSION
    backups = list((tmp_path / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT count(*) FROM enterprise").fetchone()[0] == 1
    store = RecordStore(db.conn)
    assert store.get("enterprise", "0b8f4a9e-1111-4c3a-9d7e-000000000001")["tags"] == ["上市公司"]
    # Old records are found by the search index built during the upgrade.
    from app.storage import search

    found = search.search(db.conn, "许继")
    assert any(h.id == "0b8f4a9e-1111-4c3a-9d7e-000000000001" for h in found.hits)
    found = search.search(db.conn, "储能")
    assert any(h.id == "0b8f4a9e-1111-4c3a-9d7e-000000000003" for h in found.hits)
    # v7 copied the record tables; the file keeps no free pages from the old ones.
    assert db.conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    # v7 stored every id and reference as its 16 bytes, and they read back as the same text.
    for table, column in (("enterprise", "id"), ("contact", "id"), ("contact", "enterprise_id"),
                          ("meeting_note", "id"), ("meeting_note", "enterprise_id")):
        kinds = {r[0] for r in db.conn.execute(
            f"SELECT typeof({column}) FROM {table} WHERE {column} IS NOT NULL")}
        assert kinds == {"blob"}, (table, column)
    # ... and created_at/updated_at as integer milliseconds, read back as the same text.
    assert db.conn.execute(
        "SELECT typeof(created_at), typeof(updated_at) FROM enterprise").fetchone() == (
        "integer", "integer")
    assert store.get("enterprise", "0b8f4a9e-1111-4c3a-9d7e-000000000001")["created_at"] == (
        "2025-09-01T08:00:00.000Z")
    note = store.get("meeting_note", "0b8f4a9e-1111-4c3a-9d7e-000000000003")
    assert store.list("contact", {"enterprise_id": note["enterprise_id"]})[0]["name"] == "单田芳"
    assert store.get("enterprise", note["enterprise_id"])["deleted"] is False


def test_ids_are_stored_as_16_bytes_and_read_back_as_text(store):
    e = store.create("enterprise", {"name": "许继集团有限公司"})
    c = store.create("contact", {"name": "王磊", "enterprise_id": e["id"].upper()})
    assert c["enterprise_id"] == e["id"]
    row = store.conn.execute(
        "SELECT id, typeof(id), length(id), typeof(enterprise_id) FROM contact").fetchone()
    assert row == (c["id"], "blob", 16, "blob")
    assert store.get("contact", c["id"].upper())["name"] == "王磊"
    # A forgotten conversion is caught: UUID text bound against a record table.
    with pytest.raises(AssertionError, match="ids.blob"):
        store.conn.execute("SELECT 1 FROM contact WHERE id = ?", (c["id"],))


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "p.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StorageError) as e:
        open_database(path)
    assert e.value.code == "storage_newer"


def test_seeded_lists_have_stable_ids(tmp_path):
    a = open_database(tmp_path / "a.sqlite3").conn
    b = open_database(tmp_path / "b.sqlite3").conn
    q = "SELECT id, kind, value FROM list_item ORDER BY id"
    assert a.execute(q).fetchall() == b.execute(q).fetchall()
    assert a.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


@pytest.mark.parametrize("stamp", [
    "2025-09-01T08:00:00.000Z", "1970-01-01T00:00:00.000Z", "2038-01-19T03:14:08.999Z",
    "2099-12-31T23:59:59.001Z",
])
def test_canonical_timestamps_round_trip_through_milliseconds(stamp):
    assert isinstance(stamps.ms(stamp), int)
    assert stamps.text(stamps.ms(stamp)) == stamp


def test_other_timestamp_texts_are_stored_as_they_are(store):
    e = store.create("enterprise", {"name": "许继集团有限公司"})
    odd = "2025-09-01T16:00:00+08:00"
    assert stamps.ms(odd) == odd
    store.conn.execute("UPDATE enterprise SET updated_at = ? WHERE id = ?", (odd, blob(e["id"])))
    assert store.get("enterprise", e["id"])["updated_at"] == odd
    assert store.conn.execute("SELECT typeof(created_at) FROM enterprise").fetchone()[0] == (
        "integer")
