"""Epochs: new-epoch, the high-water check after a restore, foreign-epoch pushes and cursors."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import (
    PASSWORD,
    backend_params,
    create_pg_database,
    drop_pg_database,
    pg_url,
    start_server,
)
from tests.server.helpers import Api, change, uid


class Fresh:
    """A fresh database of one backend that can be backed up and restored."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend, self.tmp = backend, tmp
        self.names: list[str] = []
        if backend == "sqlite":
            self.db = str(tmp / "server.sqlite3")
        else:
            self.db, name = create_pg_database()
            self.names.append(name)

    def backup(self) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                src = Path(self.db + suffix)
                if src.exists():
                    shutil.copy(src, self.tmp / ("backup" + suffix))
        else:
            import psycopg

            name = self.db.rsplit("/", 1)[1]
            with psycopg.connect(pg_url(), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}_bak" TEMPLATE "{name}"')
            self.names.append(f"{name}_bak")

    def restore(self) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.db + suffix).unlink(missing_ok=True)
                src = self.tmp / ("backup" + suffix)
                if src.exists():
                    shutil.copy(src, self.db + suffix)
        else:
            import psycopg

            name = self.db.rsplit("/", 1)[1]
            with psycopg.connect(pg_url(), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_bak"')

    def close(self) -> None:
        for name in self.names:
            drop_pg_database(name)


@pytest.fixture(params=backend_params())
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fresh]:
    if request.param == "pg" and not pg_url():
        pytest.skip("FIELDDESK_TEST_PG_URL is unset")
    f = Fresh(request.param, tmp_path)
    yield f
    f.close()


def _setup_org(db: str, data: Path, org: str, role: str) -> None:
    """An org and user "ann", written directly (the CLI has its own tests)."""
    from server import migrate
    from server.config import database_url
    from server.db import make_engine, write_tx
    from server.services import auth, orgs
    from tests.server.conftest import make_settings

    engine = make_engine(database_url(db))
    try:
        migrate.upgrade(engine)
        with write_tx(engine) as conn:
            org_id = orgs.create_org(conn, name=org)
            auth.create_user(conn, make_settings(db, data), org_id=org_id, username="ann",
                             password=PASSWORD, role=role)
    finally:
        engine.dispose()


def _login(url: str, http: httpx.Client) -> Api:
    api = Api(http)
    assert api.login("ann", PASSWORD).status_code == 200
    return api


def test_restore_below_high_water_starts_a_new_epoch(fresh: Fresh, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    srv = start_server(fresh.db, data)
    try:
        _setup_org(fresh.db, data, "恢复局", "admin")
        with httpx.Client(base_url=srv.url) as http:
            api = _login(srv.url, http)
            kept = uid()
            api.push_ok([change("enterprise", kept, {"name": "备份前"})])
            _, body = api.pull_all()
            old_epoch, old_seq = body["epoch"], body["seq"]
    finally:
        srv.stop()
    fresh.backup()
    srv = start_server(fresh.db, data)
    try:
        with httpx.Client(base_url=srv.url) as http:
            api = _login(srv.url, http)
            lost = uid()
            api.push_ok([change("enterprise", lost, {"name": "备份后"}),
                         change("enterprise", kept, {"name": "备份后改名"}, base_version=1)],
                        epoch=old_epoch)
            _, body = api.pull_all()
            high_cursor, high_seq = body["cursor"], body["seq"]
            assert high_seq > old_seq
    finally:
        srv.stop()
    fresh.restore()
    srv = start_server(fresh.db, data)
    try:
        with httpx.Client(base_url=srv.url) as http:
            api = _login(srv.url, http)
            r = api.pull(high_cursor)
            assert r.status_code == 409 and r.json()["error"]["code"] == "new_epoch"
            new_epoch = r.json()["epoch"]
            assert new_epoch != old_epoch
            # A push naming the old epoch applies nothing.
            r = api.push([change("enterprise", uid(), {"name": "旧纪元"})], epoch=old_epoch)
            assert r.status_code == 409 and r.json()["epoch"] == new_epoch
            records, body = api.pull_all()
            ids = {x["id"] for x in records}
            assert kept in ids and lost not in ids
            assert body["seq"] >= high_seq  # seqs are never handed out twice
            # The epoch copy is the restored record, the base of the client's re-push merge.
            copies = api.post("/api/v1/epoch-copies", json={"ids": [kept, lost]}).json()
            assert [(c["id"], c["name"], c["version"]) for c in copies["data"]] == [
                (kept, "备份前", 1)]
            [ok] = api.push_ok([change("enterprise", kept, {"name": "备份后改名"}, base_version=1)],
                               epoch=new_epoch)
            assert ok["status"] == "accepted" and ok["seq"] > high_seq
    finally:
        srv.stop()


def test_new_epoch_command(fresh: Fresh, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    srv = start_server(fresh.db, data)
    try:
        _setup_org(fresh.db, data, "纪元局", "member")
        with httpx.Client(base_url=srv.url) as http:
            api = _login(srv.url, http)
            _, body = api.pull_all()
            assert srv.cli("new-epoch").returncode == 0
            r = api.push([change("enterprise", uid(), {"name": "x"})], epoch=body["epoch"])
            assert r.status_code == 409
            assert api.pull(body["cursor"]).status_code == 409
            _, again = api.pull_all()
            assert again["epoch"] != body["epoch"]
    finally:
        srv.stop()
