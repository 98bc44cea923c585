"""Sync through a faulty network: resets, stalls, truncated bodies, 5xx, replies dropped after
the server committed. Nothing is lost and nothing is applied twice."""

from __future__ import annotations

import random

from app.domain.errors import SyncError
from app.storage import conflicts, outbox
from app.sync import session
from app.sync.engine import SyncEngine
from app.sync.transport import Transport
from tests.integration.fault_proxy import FAULTS, FaultProxy


def _sync_through(client, proxy_url: str, attempts: int = 60) -> int:
    """Sync through the proxy until one sync completes; returns how many failed first."""
    failures = 0
    for _ in range(attempts):
        token = session.transport_for(client.conn).token
        t = Transport(proxy_url, connect_timeout=1, read_timeout=1, attempts=2, backoff=0.01)
        t.token = token
        try:
            SyncEngine(client.conn, t, push_batch=20, pull_page=25).sync()
            return failures
        except SyncError:
            failures += 1
        finally:
            t.close()
    raise AssertionError("sync never completed through the proxy")


def test_faulty_network_loses_and_duplicates_nothing(server, clients):
    rng = random.Random(8)
    laptop, office = clients("laptop"), clients("office", user="bob")
    port = int(server.url.rsplit(":", 1)[1])

    def decide(method: str, path: str) -> str | None:
        return rng.choice(FAULTS) if rng.random() < 0.35 else None

    with FaultProxy(port, decide, stall_seconds=1.3) as proxy:
        ids = []
        for round_ in range(6):
            for i in range(40):
                e = laptop.store.create("enterprise", {"name": f"外勤企业{round_}-{i}"})
                ids.append(e["id"])
            for rid in rng.sample(ids, 10):
                laptop.store.update("enterprise", rid, {"notes": f"第{round_}轮修改"})
            _sync_through(laptop, proxy.url)
            # The office's work comes down through the same faulty network.
            for i in range(30):
                office.store.create("enterprise", {"name": f"机关企业{round_}-{i}"})
            office.sync()
            _sync_through(laptop, proxy.url)
        assert sum(proxy.injected.values()) >= 20
        assert {"reset", "truncate", "drop_after", "status503"} <= set(proxy.injected)

    laptop.sync()
    office.sync()
    assert outbox.pending_count(laptop.conn) == 0
    assert conflicts.list_open(laptop.conn) == [] and conflicts.list_quarantine(laptop.conn) == []
    mine = {r["id"]: r for r in laptop.store.list("enterprise", limit=None)}
    theirs = {r["id"]: r for r in office.store.list("enterprise", limit=None)}
    assert set(mine) == set(theirs) and len(mine) == 6 * 70
    for rid, r in theirs.items():
        assert (mine[rid]["name"], mine[rid]["notes"], mine[rid]["version"]) == (
            r["name"], r["notes"], r["version"])
    # Each record's version counts the changes applied to it: a create, and at most the
    # edits this laptop made (replays of one change never raise it again).
    for rid in ids:
        assert 1 <= theirs[rid]["version"] <= 7


def test_cut_off_snapshot_is_never_installed(server, clients):
    office = clients("office", user="bob")
    for i in range(50):
        office.store.create("enterprise", {"name": f"快照企业{i}"})
    office.sync()
    fresh = clients("fresh")
    port = int(server.url.rsplit(":", 1)[1])

    def decide(method: str, path: str) -> str | None:
        return "truncate" if path.startswith("/api/v1/snapshot") else None

    with FaultProxy(port, decide) as proxy:
        t = Transport(proxy.url, connect_timeout=1, read_timeout=1, attempts=2, backoff=0.01)
        t.token = session.transport_for(fresh.conn).token
        report = SyncEngine(fresh.conn, t).sync()
        t.close()
    # Every try at the snapshot came back cut off: it was never installed, and the records
    # came down by pulling instead.
    assert proxy.injected["truncate"] >= 1 and not report.bootstrapped
    assert fresh.store.count("enterprise") == 50
    assert fresh.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_damaged_snapshot_is_never_installed(server, clients):
    office = clients("office", user="bob")
    for i in range(40):
        office.store.create("enterprise", {"name": f"校验企业{i}"})
    office.sync()
    fresh = clients("fresh")
    port = int(server.url.rsplit(":", 1)[1])

    def decide(method: str, path: str) -> str | None:
        return "corrupt" if path.startswith("/api/v1/snapshot") else None

    with FaultProxy(port, decide) as proxy:
        t = Transport(proxy.url, attempts=1)
        t.token = session.transport_for(fresh.conn).token
        report = SyncEngine(fresh.conn, t).sync()
        t.close()
    # Full length, wrong bytes: the server's checksum catches it; the records are pulled.
    assert proxy.injected["corrupt"] == 1 and not report.bootstrapped
    assert fresh.store.count("enterprise") == 40
    assert fresh.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_failing_snapshot_falls_back_to_pulling(server, clients):
    office = clients("office", user="bob")
    for i in range(30):
        office.store.create("enterprise", {"name": f"回退企业{i}"})
    office.sync()
    fresh = clients("fresh")
    port = int(server.url.rsplit(":", 1)[1])

    def decide(method: str, path: str) -> str | None:
        return "status500" if path.startswith("/api/v1/snapshot") else None

    with FaultProxy(port, decide) as proxy:
        t = Transport(proxy.url, attempts=1)
        t.token = session.transport_for(fresh.conn).token
        report = SyncEngine(fresh.conn, t).sync()
        t.close()
    assert proxy.injected["status500"] == 1 and not report.bootstrapped
    assert fresh.store.count("enterprise") == 30
