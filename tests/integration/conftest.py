"""A real `fielddesk-server` process per test on loopback (SQLite or PostgreSQL), and clients
that sync to it through the real engine and transport."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest
import requests

from tests.conftest import pg_url

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
USERS = (("alice", "member"), ("bob", "member"), ("lena", "lead"))
ORG = "许昌市商务局"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Stands in for the OS keyring in-process (the Secret Service test uses the real one)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    db: str
    data_dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "FIELDDESK_SERVER_DB": self.db,
            "FIELDDESK_SERVER_DATA_DIR": str(self.data_dir),
            "FIELDDESK_SERVER_ARGON2_TIME_COST": "1",
            "FIELDDESK_SERVER_ARGON2_MEMORY_KIB": "1024",
            "FIELDDESK_SERVER_SNAPSHOT_MAX_AGE_SECONDS": "0",
            "PYTHONPATH": str(ROOT),
        }

    def cli(self, *args: str, stdin: str | None = None) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "server.cli", *args], input=stdin, capture_output=True,
            text=True, env=self.env(), cwd=ROOT, timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def start(self) -> None:
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port),
             "--log-level", "warning"],
            env=self.env(), cwd=ROOT, stdout=log, stderr=log,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError((self.data_dir / "server.log").read_text(errors="replace"))
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None


def _pg_database() -> tuple[str, str]:
    from tests.server.conftest import create_pg_database

    return create_pg_database()


def _provision(srv: ServerProcess) -> None:
    srv.cli("migrate")
    srv.cli("create-org", ORG)
    for user, role in USERS:
        srv.cli("create-user", "--org", ORG, "--user", user, "--role", role, "--password-stdin",
                stdin=PASSWORD)


@pytest.fixture(scope="session")
def server_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Provisioned server databases built once (org and users made through the real CLI);
    each test gets its own copy, so setting up a server costs a file copy, not five processes."""
    made: dict[str, str] = {}
    folder = tmp_path_factory.mktemp("server-template")
    sqlite_db = folder / "server.sqlite3"
    _provision(ServerProcess(str(sqlite_db), folder))
    made["sqlite"] = str(sqlite_db)
    pg_name = None
    if pg_url():
        url, pg_name = _pg_database()
        _provision(ServerProcess(url, folder))
        made["pg"] = pg_name
    yield made
    if pg_name:
        from tests.server.conftest import drop_pg_database

        drop_pg_database(pg_name)


def _copy_pg(template: str) -> tuple[str, str]:
    import uuid

    import psycopg

    base = pg_url()
    assert base
    name = f"fd_it_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}", name


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def server(
    request: pytest.FixtureRequest, tmp_path: Path, server_templates: dict[str, str]
) -> Iterator[ServerProcess]:
    import shutil

    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    name = None
    if request.param == "sqlite":
        db = str(data_dir / "server.sqlite3")
        shutil.copyfile(server_templates["sqlite"], db)
    else:
        if "pg" not in server_templates:
            pytest.skip("FIELDDESK_TEST_PG_URL is unset")
        db, name = _copy_pg(server_templates["pg"])
    srv = ServerProcess(db, data_dir)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        if name:
            from tests.server.conftest import drop_pg_database

            drop_pg_database(name)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class Client:
    """One laptop: a profile database on disk, logged in as a user, syncing for real."""

    def __init__(self, path: Path, server: ServerProcess, user: str) -> None:
        from app.storage.db import open_database
        from app.storage.records import RecordStore

        self.path = path
        self.server = server
        self.user = user
        self.db = open_database(path)
        self.conn = self.db.conn
        self.store = RecordStore(self.conn, user=user)

    def login(self) -> None:
        from app.sync import session

        result = session.login(self.conn, self.server.url, self.user, PASSWORD)
        self.store.role = result.role

    def sync(self) -> Any:
        from app.sync import session
        from app.sync.engine import SyncEngine

        transport = session.transport_for(self.conn)
        try:
            return SyncEngine(self.conn, transport).sync()
        finally:
            transport.close()

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def clients(server: ServerProcess, tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[Any]:
    made: list[Client] = []

    def make(name: str, user: str = "alice") -> Client:
        c = Client(tmp_path / f"{name}.sqlite3", server, user)
        c.login()
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
