"""The engine against a stub server: an edit saved while a push is being prepared is kept."""

from __future__ import annotations

from typing import Any

from app.domain.errors import StorageError
from app.storage import outbox, sync_store
from app.storage.db import connect
from app.storage.records import RecordStore
from app.sync import engine as engine_mod
from tests import factories


class StubServer:
    """Accepts every pushed change and has nothing to pull; remembers what it was sent."""

    last_server_time = None

    def __init__(self) -> None:
        self.pushed: list[dict[str, Any]] = []

    def request(self, method: str, path: str, body: Any = None, **_kw: Any) -> Any:
        if path == "/push":
            self.pushed += body["changes"]
            return {"epoch": "e1", "results": [
                {"change_id": c["change_id"], "status": "accepted", "version": 1, "seq": i}
                for i, c in enumerate(body["changes"], 1)]}
        assert path == "/pull"
        return {"epoch": "e1", "records": [], "cursor": "c1", "has_more": False}


def test_an_edit_racing_the_push_is_never_lost(store, tmp_path, monkeypatch):
    e = factories.enterprise(store, city="许昌市")
    db_path = store.conn.execute("PRAGMA database_list").fetchone()[2]
    gui = connect(db_path)  # the GUI's connection while the engine syncs on a worker
    gui.execute("PRAGMA busy_timeout=0")
    gui_store = RecordStore(gui, user="tester")
    raced: list[str] = []
    real_outgoing = sync_store.outgoing

    def outgoing_then_edit(conn: Any, limit: int = 500) -> Any:
        result = real_outgoing(conn, limit)
        if limit > 1 and not raced:  # the push batch was just read
            try:
                gui_store.update("enterprise", e["id"], {"city": "郑州市"})
                raced.append("saved")
            except StorageError:
                raced.append("waited")  # the engine holds the write lock until marked sent
        return result

    monkeypatch.setattr(sync_store, "outgoing", outgoing_then_edit)
    server = StubServer()
    engine_mod.SyncEngine(store.conn, server).sync()  # type: ignore[arg-type]
    if raced == ["waited"]:
        gui_store.update("enterprise", e["id"], {"city": "郑州市"})  # saved right after
    sent = [c["fields"].get("city") for c in server.pushed if c["id"] == e["id"]]
    waiting = [c["fields"].get("city") for c in outbox.changes(store.conn) if c["id"] == e["id"]]
    assert "郑州市" in sent + waiting, (raced, sent, waiting)
    assert raced == ["waited"]
    gui.close()


class AlwaysAheadServer:
    """Answers every pushed change `stale`, with a copy someone just edited again: a server
    that never lets a merge land (a fault no real server shows, short of a merge bug)."""

    last_server_time = None

    def __init__(self, store: RecordStore) -> None:
        self.store = store
        self.pushes = 0

    def request(self, method: str, path: str, body: Any = None, **_kw: Any) -> Any:
        if path == "/pull":
            return {"epoch": "e1", "records": [], "cursor": "c1", "has_more": False}
        self.pushes += 1
        results = []
        for c in body["changes"]:
            theirs = {**sync_store.synced_copy(self.store.conn, c["type"], c["id"]),
                      "version": 10 + self.pushes, "notes": f"第{self.pushes}次修改"}
            results.append({"change_id": c["change_id"], "status": "conflict",
                            "reason": "stale", "record": theirs})
        return {"epoch": "e1", "results": results}


def test_a_push_that_only_ever_merges_stops_instead_of_spinning(store):
    e = factories.enterprise(store, city="许昌市")
    engine_mod.SyncEngine(store.conn, StubServer()).sync()  # type: ignore[arg-type]
    store.update("enterprise", e["id"], {"city": "郑州市"})
    server = AlwaysAheadServer(store)
    report = engine_mod.SyncEngine(store.conn, server).sync()  # type: ignore[arg-type]
    assert server.pushes == engine_mod.MAX_MERGE_ROUNDS
    assert report.merged == engine_mod.MAX_MERGE_ROUNDS and report.accepted == 0
    pending = [c for c in outbox.changes(store.conn) if c["id"] == e["id"]]
    assert pending and pending[0]["fields"].get("city") == "郑州市"  # kept for the next sync
