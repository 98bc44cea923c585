"""Server test fixtures: one database per backend per session (SQLite file, throwaway PG DB),
fresh orgs per test, an in-process TestClient, and a real uvicorn process where it matters."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import pg_url
from tests.server.helpers import Api

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def _pg_admin_url() -> str | None:
    return pg_url()


def create_pg_database() -> tuple[str, str]:
    """A throwaway database on the test cluster: (url, name)."""
    import psycopg

    base = _pg_admin_url()
    assert base
    name = f"fd_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}", name


def drop_pg_database(name: str) -> None:
    import psycopg

    base = _pg_admin_url()
    assert base
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backend_params() -> list[Any]:
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("pg", id="pg", marks=pytest.mark.pg),
    ]


@pytest.fixture(scope="session", params=backend_params())
def backend_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database URL (or path) of one backend, shared by the session's tests."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("server") / "server.sqlite3")
        return
    if not _pg_admin_url():
        pytest.skip("FIELDDESK_TEST_PG_URL is unset")
    url, name = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(name)


def make_settings(db: str, data_dir: Path, **overrides: Any) -> Any:
    from server.config import Settings

    values: dict[str, Any] = dict(
        db=db, data_dir=str(data_dir), argon2_time_cost=1, argon2_memory_kib=1024,
        login_max_failures=3, login_window_seconds=60, snapshot_max_age_seconds=0,
    )
    values.update(overrides)
    return Settings(**values)


SERVER_ENV = {
    "FIELDDESK_SERVER_LOGIN_MAX_FAILURES": "3",
    "FIELDDESK_SERVER_LOGIN_WINDOW_SECONDS": "60",
    "FIELDDESK_SERVER_SNAPSHOT_MAX_AGE_SECONDS": "0",
}


@pytest.fixture(scope="session")
def server(backend_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A real uvicorn process on this backend's database, shared by the session."""
    running = start_server(backend_db, tmp_path_factory.mktemp("data"), **SERVER_ENV)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def engine(server: RunningServer) -> Any:
    """Direct database access for fixtures (creating orgs and users)."""
    from server.config import database_url
    from server.db import make_engine

    eng = make_engine(database_url(server.db))
    yield eng
    eng.dispose()


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


@dataclass
class Org:
    """A fresh org with an admin, a lead and two members, each logged in."""

    name: str
    id: int
    admin: Api
    lead: Api
    member: Api
    member2: Api
    users: dict[str, str]  # role key → username


def make_org(engine: Any, http: httpx.Client, data_dir: Path) -> Org:
    from server.db import write_tx
    from server.services import auth, orgs

    settings = make_settings("unused", data_dir)
    suffix = uuid.uuid4().hex[:8]
    name = f"局-{suffix}"
    users = {k: f"{k}_{suffix}" for k in ("admin", "lead", "member", "member2")}
    with write_tx(engine) as conn:
        org_id = orgs.create_org(conn, name=name)
        for key, username in users.items():
            role = {"member2": "member"}.get(key, key)
            auth.create_user(conn, settings, org_id=org_id, username=username,
                             password=PASSWORD, role=role)
    apis = {}
    for key, username in users.items():
        api = Api(http)
        assert api.login(username, PASSWORD).status_code == 200
        apis[key] = api
    return Org(name, org_id, apis["admin"], apis["lead"], apis["member"], apis["member2"], users)


@pytest.fixture
def org(engine: Any, http: httpx.Client, server: RunningServer) -> Org:
    return make_org(engine, http, server.data_dir)


@pytest.fixture
def org_b(engine: Any, http: httpx.Client, server: RunningServer) -> Org:
    return make_org(engine, http, server.data_dir)


# --- a real uvicorn process ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    db: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server.cli", "--db", self.db, *args], input=stdin,
            capture_output=True, text=True, env=self.env, cwd=ROOT, timeout=60,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(db: str, data_dir: Path, **env_extra: str) -> RunningServer:
    port = free_port()
    env = {**os.environ, "FIELDDESK_SERVER_DATA_DIR": str(data_dir),
           "FIELDDESK_SERVER_ARGON2_TIME_COST": "1", "FIELDDESK_SERVER_ARGON2_MEMORY_KIB": "1024",
           **env_extra}
    with open(data_dir / f"server-{port}.log", "wb") as log:
        # The child keeps its own copy of the descriptor; ours closes here.
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--db", db, "--port", str(port),
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((data_dir / f"server-{port}.log").read_text())
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                return RunningServer(url, db, data_dir, proc, env)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")
