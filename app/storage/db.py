"""Opening the database file: pragmas, transactions, versioned migrations with a backup first."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.errors import StorageError
from app.storage import ids

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode (we BEGIN explicitly), WAL, synchronous=FULL."""
    try:
        conn = sqlite3.connect(
            str(path), isolation_level=None, timeout=10.0,
            detect_types=sqlite3.PARSE_DECLTYPES, factory=ids.connection_factory(),
        )
        # The page size stays SQLite's 4 KB: 8 or 16 KB pages make "100,000 enterprises"
        # 7–9 MB smaller but a save writes more WAL bytes (save p95 6.3 / 9.9 ms against
        # 4.6 ms at 4 KB, load 2.8; bench/README.md).
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA cache_size=-32000")
        # A save with its search index writes ~90 pages; at the default 1,000-page threshold
        # one save in ten paid for a checkpoint (save p95 10.5 ms on 100,000 enterprises).
        # 32 MB of WAL (8,000 4 KB pages) makes that one in ~90: p95 6.4 ms.
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        conn.execute(f"PRAGMA wal_autocheckpoint={(32 << 20) // page_size}")
        ids.prepare(conn)
    except sqlite3.Error as e:
        raise storage_error(e) from e
    return conn


def storage_error(e: BaseException) -> StorageError:
    """Translate a low-level error into the StorageError the UI knows how to word."""
    text = str(e).lower()
    if "locked" in text or "busy" in text:
        return StorageError("storage_locked")
    if "full" in text:
        return StorageError("storage_full")
    return StorageError("storage", detail=type(e).__name__)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT; rolls back on any exception. Nests as a savepoint."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as e:
        raise storage_error(e) from e
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise storage_error(e) from e


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def backup_copy(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """A consistent copy of the database beside it, taken before an upgrade."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = path.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}-v{version}-{stamp}.sqlite3"
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target


def open_connection(path: Path | str, *, migrate: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) and upgrade a profile database in place."""
    from app.storage import migrations

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    if migrate:
        found = user_version(conn)
        if found > migrations.SCHEMA_VERSION:
            conn.close()
            raise StorageError("storage_newer", found=found, supported=migrations.SCHEMA_VERSION)
        if 0 < found < migrations.SCHEMA_VERSION:
            target = backup_copy(conn, path, found)
            log.info("Backed up schema v%s to %s before upgrading", found, target)
        migrations.migrate(conn)
    return conn


def open_database(path: Path | str, *, migrate: bool = True) -> sqlite_utils.Database:
    """`open_connection` wrapped for sqlite-utils (the command line's table operations).

    The GUI works on the connection itself and does not load sqlite-utils (with click and
    dateutil about 100 ms of a cold start).
    """
    import sqlite_utils

    return sqlite_utils.Database(open_connection(path, migrate=migrate))


def copy_database(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)
