"""Engine, MetaData and the Core tables of the server; dialect-specific bits live here only."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    any_,
    create_engine,
    event,
    literal,
)
from sqlalchemy.dialects.postgresql import ARRAY

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

org = Table(
    "org",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("epoch", String(36), nullable=False),
    # The highest seq handed out; every write locks this row, so seqs commit in order.
    Column("seq", BigInteger, nullable=False, default=0),
    Column("epoch_seq", BigInteger, nullable=False, default=0),  # seq when the epoch began
    Column("created_at", String(32), nullable=False),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", Integer, ForeignKey("org.id"), nullable=False, index=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(32), nullable=False),
)

auth_token = Table(
    "auth_token",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the opaque token
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

login_failure = Table(
    "login_failure",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("address", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_at", Float, nullable=False),
)

record = Table(
    "record",
    metadata,
    Column("org_id", Integer, ForeignKey("org.id"), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("data", Text, nullable=False),  # JSON of the record fields
    Column("uscc", String(40)),  # live enterprises only: the per-org uniqueness lookup
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("last_change_id", String(36)),
    # The record in wire form, serialised once at write time: pulls and snapshots copy it
    # as is instead of decoding and re-encoding every record for every client.
    Column("wire", Text),
    Index("ix_record_org_seq", "org_id", "seq", unique=True),
    Index("ix_record_org_uscc", "org_id", "uscc"),
    Index("ix_record_org_type_id", "org_id", "type", "id"),
)

# Parent links (contact → enterprise, …) so a tombstone can see live children.
record_parent = Table(
    "record_parent",
    metadata,
    Column("org_id", Integer, primary_key=True),
    Column("parent_id", String(36), primary_key=True),
    Column("child_id", String(36), primary_key=True),
)

# Every change id the server answered, with its reply, for good: replays get the same reply.
applied_change = Table(
    "applied_change",
    metadata,
    Column("org_id", Integer, ForeignKey("org.id"), primary_key=True),
    Column("change_id", String(36), primary_key=True),
    Column("reply", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

digest = Table(
    "digest",
    metadata,
    Column("org_id", Integer, ForeignKey("org.id"), primary_key=True),
    Column("type", String(32), primary_key=True),
    Column("bucket", Integer, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("value", BigInteger, nullable=False),  # XOR of record hashes, as signed 64-bit
)

# Each record's version and copy as of the start of the current epoch.
epoch_copy = Table(
    "epoch_copy",
    metadata,
    Column("org_id", Integer, primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("record", Text, nullable=False),  # the wire record as JSON
)


def is_sqlite(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "sqlite"


# SQLite checkpoints the WAL inside the COMMIT that takes it past `wal_autocheckpoint` pages.
# A push of 1,000 changes writes ~2,200 pages, so every push paid for copying them into the
# database file, and its fsync, before its reply could leave: two thirds of its commit. The
# checkpoint is not part of durability (the WAL is synced at COMMIT), so write_tx hands it to
# a thread; the automatic one stays as a safety net for a WAL that thread cannot keep short.
WAL_AUTOCHECKPOINT_PAGES = 10_000


class WalCheckpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` on a thread of its own after write transactions.

    Wake-ups that arrive within `settle_seconds` of each other (or while a checkpoint runs)
    are merged into one checkpoint, held back at most `max_delay_seconds`. Each checkpoint
    opens its own short-lived connection (no handle is kept on a file that may be replaced,
    as a restore does), and the thread ends when it has been idle for `idle_seconds`.
    """

    def __init__(self, path: str, idle_seconds: float = 5.0, settle_seconds: float = 0.1,
                 max_delay_seconds: float = 0.5) -> None:
        self.path = path
        self.idle_seconds = idle_seconds
        self.settle_seconds = settle_seconds
        self.max_delay_seconds = max_delay_seconds
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._wake.set()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sqlite-wal-checkpoint", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            if not self._wake.wait(self.idle_seconds):
                with self._lock:
                    if not self._wake.is_set():
                        self._thread = None
                        return
            self._wake.clear()
            # A burst of writes settles first (one checkpoint for all of it), for at most
            # max_delay_seconds: the pages it writes and syncs then do not compete with the
            # syncs that follow a push straight away (the next write's, a client's commit).
            deadline = time.monotonic() + self.max_delay_seconds
            while (left := deadline - time.monotonic()) > 0 and self._wake.wait(
                    min(self.settle_seconds, left)):
                self._wake.clear()
            self.checkpoint()

    def checkpoint(self) -> None:
        try:
            # mode=rw: a file removed meanwhile (a restore) is not created afresh here.
            uri = Path(self.path).resolve().as_uri() + "?mode=rw"
            conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            try:
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                conn.close()
        except sqlite3.Error as e:  # the next write wakes it again; the safety net remains
            log.warning("WAL checkpoint of %s failed: %s", self.path, e)


_checkpointers: weakref.WeakKeyDictionary[Engine, WalCheckpointer] = weakref.WeakKeyDictionary()


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, synchronous=FULL and explicit BEGIN (IMMEDIATE for writes),
    and its WAL is checkpointed off the writers' path (see WalCheckpointer)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=16,
        )
        checkpointer = None
        if path and path != ":memory:" and not path.startswith("file:"):
            checkpointer = _checkpointers[engine] = WalCheckpointer(path)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's begin event below issue BEGIN itself (pysqlite's own handling
            # would not start a transaction for reads, so two SELECTs could see two states).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if checkpointer is not None:
                cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("fd_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_size=10, max_overflow=60, pool_pre_ping=True)


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction (IMMEDIATE on SQLite, so the single writer is taken up front)."""
    with engine.connect() as conn:
        conn = conn.execution_options(fd_write=True)
        with conn.begin():
            yield conn
    checkpointer = _checkpointers.get(engine)
    if checkpointer is not None:
        checkpointer.wake()


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read transaction with one consistent view (REPEATABLE READ on PostgreSQL)."""
    with engine.connect() as conn:
        if not is_sqlite(conn):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def in_list(conn: Connection, column: Any, values: list[str]) -> Any:
    """`column IN values`; on PostgreSQL one array parameter (= ANY) instead of N bind
    parameters, which keeps planning cheap for the 500-id lookups of a push."""
    if is_sqlite(conn):
        return column.in_(values)
    return column == any_(literal(values, ARRAY(String(64))))


# Ids per `IN (...)` query: a push's 1,000 in one query on SQLite (its limit is 32,766 bind
# parameters) and one array parameter on PostgreSQL.
IN_CHUNK = 1000


def select_in(
    conn: Connection, sql: str, params: tuple[Any, ...], column: str, values: list[str]
) -> list[Any]:
    """Rows of `sql` ("SELECT … WHERE …", `?` placeholders bound to `params`) that also have
    `column` among `values`, in chunks of IN_CHUNK values.

    The hot reads of a push (its records, their parents, its replayed change ids) go straight
    to the driver with tuples: building and processing the statement through SQLAlchemy's
    expanding IN parameters cost a quarter of each of those reads. PostgreSQL gets one array
    parameter.
    """
    out: list[Any] = []
    sqlite = is_sqlite(conn)
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start:start + IN_CHUNK]
        if sqlite:
            text = f"{sql} AND {column} IN ({', '.join('?' * len(chunk))})"
            out += conn.exec_driver_sql(text, (*params, *chunk)).fetchall()
        else:
            # One array parameter, unnested: the planner then looks each value up by index
            # whatever its statistics say. (`= ANY(array)` got a bitmap scan of the whole org
            # from stale statistics right after a bulk load: 60 ms instead of 6.) The array is
            # sent in binary (`%b`): psycopg builds a text array in Python, quoting each value,
            # ~1.5 ms of each 1,000-id query.
            text = f"{sql.replace('?', '%s')} AND {column} IN (SELECT unnest(%b::varchar[]))"
            out += conn.exec_driver_sql(text, (*params, chunk)).fetchall()
    return out


def lock_org(conn: Connection, org_id: int) -> Any:
    """The org row, locked for this transaction: writes are serialised per org.

    PostgreSQL: SELECT … FOR UPDATE. SQLite: BEGIN IMMEDIATE already holds the one writer lock.
    """
    stmt = org.select().where(org.c.id == org_id)
    if not is_sqlite(conn):
        stmt = stmt.with_for_update()
    return conn.execute(stmt).one_or_none()
