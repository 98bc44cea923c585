"""The bootstrap snapshot: a client-schema database a fresh profile opens, then pulls from."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from app.domain import digest
from app.storage.db import open_database
from app.storage.records import RecordStore
from tests.server.conftest import Org
from tests.server.helpers import change, make_uscc, uid


def test_snapshot_is_a_client_database_with_cursor(org: Org, tmp_path: Path) -> None:
    eid, lead, sc = uid(), uid(), uid()
    org.member.push_ok([
        change("enterprise", eid, {"name": "许继集团", "uscc": make_uscc(5), "tags": ["上市公司"]}),
        change("contact", uid(), {"enterprise_id": eid, "name": "单雄信", "is_key": True}),
        change("lead", lead, {"name": "储能项目", "enterprise_id": eid, "investment_wan": 50000}),
        change("lead_stage_change", sc, {"lead_id": lead, "stage": "signed", "date": "2026-03-01"}),
    ])
    r = org.member.get("/api/v1/snapshot")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.sqlite3"
    assert r.headers["X-FieldDesk-Snapshot-SHA256"] == hashlib.sha256(r.content).hexdigest()
    cursor = r.headers["X-FieldDesk-Cursor"]
    path = tmp_path / "profile" / "fielddesk.sqlite3"
    path.parent.mkdir()
    path.write_bytes(r.content)
    db = open_database(path)
    try:
        store = RecordStore(db.conn, user="x")
        ent = store.get("enterprise", eid)
        assert ent["name"] == "许继集团" and ent["tags"] == ["上市公司"] and ent["version"] == 1
        assert store.get("lead", lead)["stage"] == "signed"
        assert store.get("lead", lead)["reached_negotiating"] == "2026-03-01"  # for summaries
        meta = dict(db.conn.execute("SELECT key, value FROM meta").fetchall())
        assert meta["sync_cursor"] == cursor
        copies = db.conn.execute("SELECT type, id, version, deleted, data FROM synced_copy").fetchall()
        assert json.loads(next(c[4] for c in copies if c[1] == eid))["name"] == "许继集团"
        assert db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        # The snapshot's digests equal the server's at its cursor.
        mine = digest.compute((t, i, v, bool(d)) for t, i, v, d, _ in copies)
        body = org.member.pull(cursor).json()
        assert body["records"] == []
        assert mine == {t: d for t, d in body["digests"].items() if d["count"]}
        # … and it carries them, so the client need not hash every record.
        from app.storage import sync_store

        assert sync_store.local_digests(db.conn) == mine
    finally:
        db.conn.close()
    # Later changes arrive by an incremental pull from the snapshot's cursor.
    org.lead.push_ok([change("enterprise", eid, {"city": "许昌"}, base_version=1)])
    records, _ = org.member.pull_all(cursor)
    assert [x["id"] for x in records] == [eid]


def test_snapshot_is_rebuilt_when_stale(org: Org) -> None:
    first = org.member.get("/api/v1/snapshot").headers["X-FieldDesk-Cursor"]
    assert org.member.get("/api/v1/snapshot").headers["X-FieldDesk-Cursor"] == first
    org.member.push_ok([change("enterprise", uid(), {"name": "新"})])
    # The stale file is served at once (the client pulls the rest from its cursor) while a
    # fresh one is built in the background; the test server's max age is 0.
    cursors = [org.member.get("/api/v1/snapshot").headers["X-FieldDesk-Cursor"]]
    deadline = time.monotonic() + 60
    while cursors[-1] == first and time.monotonic() < deadline:
        time.sleep(0.2)
        cursors.append(org.member.get("/api/v1/snapshot").headers["X-FieldDesk-Cursor"])
    assert cursors[-1] != first
    records, _ = org.member.pull_all(cursors[-1])
    assert records == []
