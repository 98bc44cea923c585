"""The server dies mid-sync, or is restored from an older backup: clients lose nothing."""

from __future__ import annotations

import random
import shutil
import threading
import time

from app.domain.errors import SyncError
from app.storage import conflicts, outbox


def _backup(server, tmp_path):
    """Stop the server and copy its database aside (a nightly backup)."""
    server.stop()
    if server.db.startswith("postgresql"):
        import psycopg

        from tests.conftest import pg_url

        name = server.db.rsplit("/", 1)[1]
        copy = f"{name}_bak"
        with psycopg.connect(pg_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        return copy
    import sqlite3

    target = tmp_path / "backup.sqlite3"
    src, dst = sqlite3.connect(server.db), sqlite3.connect(target)
    src.backup(dst)  # consistent, WAL included (a plain file copy is not)
    src.close(), dst.close()
    return str(target)


def _restore(server, backup):
    server.stop()
    if server.db.startswith("postgresql"):
        import psycopg

        from tests.conftest import pg_url

        name = server.db.rsplit("/", 1)[1]
        with psycopg.connect(pg_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{backup}"')
            conn.execute(f'DROP DATABASE "{backup}"')
    else:
        for suffix in ("-wal", "-shm"):
            (server.data_dir / f"server.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.copyfile(backup, server.db)


def test_restore_from_older_backup_then_new_epoch(server, clients, tmp_path):
    a, b = clients("a"), clients("b", user="bob")
    old = [a.store.create("enterprise", {"name": f"备份前企业{i}"})["id"] for i in range(20)]
    a.sync(), b.sync()
    backup = _backup(server, tmp_path)
    server.start()
    new = [a.store.create("enterprise", {"name": f"备份后企业{i}"})["id"] for i in range(15)]
    for rid in old[:5]:
        a.store.update("enterprise", rid, {"notes": "备份后修改"})
    a.sync()
    b.sync()
    b_only = b.store.create("contact", {"enterprise_id": new[0], "name": "曾国平"})["id"]
    b.sync()
    # Disaster: the server comes back from last night's backup.
    _restore(server, backup)
    server.cli("new-epoch")
    server.start()
    report = a.sync()
    assert report.new_epoch
    b.sync()
    a.sync()
    for client in (a, b):
        assert outbox.pending_count(client.conn) == 0
        assert conflicts.list_open(client.conn) == []
    fresh = clients("fresh", user="lena")
    fresh.sync()
    names = {r["id"] for r in fresh.store.list("enterprise", limit=None)}
    assert set(old) | set(new) <= names
    for rid in old[:5]:
        assert fresh.store.get("enterprise", rid)["notes"] == "备份后修改"
    assert fresh.store.get("contact", b_only)["name"] == "曾国平"


def test_server_killed_mid_push_then_restarted(server, clients):
    rng = random.Random(3)
    a = clients("a")
    for round_ in range(3):
        for i in range(300):
            a.store.create("enterprise", {"name": f"批量企业{round_}-{i}", "notes": "洽谈" * 30})
        def run() -> None:
            laptop = type(a)(a.path, server, "alice")
            try:
                laptop.sync()
            except SyncError:
                pass  # the server died under it: expected
            finally:
                laptop.close()

        t = threading.Thread(target=run)
        t.start()
        time.sleep(rng.uniform(0.05, 0.4))
        server.stop(kill=True)
        t.join(timeout=120)
        assert not t.is_alive()
        server.start()
        a.sync()
        assert outbox.pending_count(a.conn) == 0
    b = clients("b", user="bob")
    b.sync()
    assert b.store.count("enterprise") == 900
    assert conflicts.list_quarantine(a.conn) == []
