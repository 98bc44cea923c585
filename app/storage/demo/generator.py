"""`generate`: a whole reproducible demo profile in one transaction, then its search index."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from app.domain.errors import ValidationError
from app.domain.records import SPECS
from app.storage import lead_stages, search
from app.storage.db import storage_error, transaction
from app.storage.demo.activity import Activity
from app.storage.demo.companies import Companies
from app.storage.demo.factory import Factory
from app.storage.demo.pipeline import Pipeline
from app.storage.demo.writer import BatchWriter, GenerationCancelled, Progress
from app.storage.lists import SEED_AUTHOR

log = logging.getLogger(__name__)

MAX_SIZE = 200_000
BULK_CACHE_KIB = -256_000  # negative: KiB, as PRAGMA cache_size takes it
STAFF = 30  # the bureau's field-team members who appear as attendees, owners, responsibles


def is_demo(conn: sqlite3.Connection) -> bool:
    """True for a demo profile: it must never sync (DESIGN.md, Sync)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'is_demo'").fetchone()
    return bool(row and row[0] == "1")


def has_own_records(conn: sqlite3.Connection) -> bool:
    """True when the profile holds anything a person made: records, list values, changes."""
    for type_name in SPECS:
        where = "created_by != ?" if type_name == "list_item" else "1 = 1"
        args = (SEED_AUTHOR,) if type_name == "list_item" else ()
        if conn.execute(f"SELECT 1 FROM {type_name} WHERE {where} LIMIT 1", args).fetchone():
            return True
    return conn.execute("SELECT 1 FROM outbox LIMIT 1").fetchone() is not None


def generate(
    conn: sqlite3.Connection,
    *,
    size: int,
    seed: int = 1,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, int]:
    """Fill the profile with demo data for `size` enterprises; returns counts per type.

    The same (size, seed) gives identical rows, ids and timestamps. An existing demo profile
    is replaced; a profile with anyone's own records is refused (ValidationError). Everything
    happens in one transaction, so a cancel (GenerationCancelled) or an error leaves nothing.
    """
    if not 1 <= size <= MAX_SIZE:
        raise ValidationError("size_range", "size", min=1, max=MAX_SIZE)
    started = time.perf_counter()
    staff = _staff(seed)
    companies = Companies(seed, size)
    activity = Activity(seed, size, companies, staff)
    pipeline = Pipeline(seed, size, companies, activity, staff)
    rows = (size + companies.contact_total + activity.trip_total + activity.visit_total
            + activity.note_total + pipeline.lead_total + pipeline.change_estimate
            + pipeline.follow_up_total)
    index_share = rows // 2  # building the search index is worth about half the writing
    writer = BatchWriter(conn, total=rows + index_share, progress=progress, cancel=cancel)
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    # One transaction of 100,000s of rows spills dirty index pages to the WAL again and again
    # with the default 32 MB cache; a larger one for the duration keeps them in memory.
    conn.execute(f"PRAGMA cache_size = {BULK_CACHE_KIB}")
    try:
        with transaction(conn):
            if is_demo(conn):
                _clear(conn)
            elif has_own_records(conn):
                raise ValidationError("demo_not_empty", "data_dir")
            indexes = _drop_record_indexes(conn)
            writer.write("enterprise", companies.enterprises())
            writer.write("contact", companies.contacts())
            writer.write("trip", activity.trips())
            writer.write("visit", activity.visits())
            writer.write("meeting_note", activity.notes())
            writer.write("lead", pipeline.leads())
            writer.write("lead_stage_change", pipeline.changes())
            writer.write("follow_up", pipeline.follow_ups())
            for sql in indexes:  # sorted once: faster than row by row, and pages come out full
                conn.execute(sql)
            lead_stages.refresh_all(conn)  # reached dates for the period summary
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [("is_demo", "1"), ("demo_size", str(size)), ("demo_seed", str(seed))],
            )
            writer.check_cancel()
            written = time.perf_counter()
            search.rebuild(conn)
            writer.check_cancel()
            writer.done = writer.total - index_share
            writer.advance(index_share)
            log.info("Demo rows written in %.1f s, indexed in %.1f s",
                     written - started, time.perf_counter() - written)
    except sqlite3.Error as e:
        raise storage_error(e) from e
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
    _tidy(conn)
    return dict(writer.counts)


def _staff(seed: int) -> list[str]:
    f = Factory(seed, "staff")
    names: list[str] = []
    while len(names) < STAFF:
        name = f.person()
        if name not in names:
            names.append(name)
    return names


def _clear(conn: sqlite3.Connection) -> None:
    """Empty a demo profile before it is filled again (seeded list values stay)."""
    for type_name in SPECS:
        if type_name == "list_item":
            conn.execute("DELETE FROM list_item WHERE created_by != ?", (SEED_AUTHOR,))
        else:
            conn.execute(f"DELETE FROM {type_name}")
    for table in ("outbox", "synced_copy", "conflict", "draft"):
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
            conn.execute(f"DELETE FROM {table}")


def _drop_record_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the record tables' own indexes (not the id keys); returns their CREATE statements.

    Rows arrive in random id order, so indexes kept up to date row by row end up with pages
    about two-thirds full; built afterwards, each is one sort and its pages are full.
    """
    marks = ", ".join("?" * len(SPECS))
    found = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks}) ORDER BY name", tuple(SPECS)).fetchall()
    for name, _sql in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def _tidy(conn: sqlite3.Connection) -> None:
    """Compact the file and truncate the WAL the one huge transaction left behind.

    VACUUM repacks the id keys (filled in random order) and returns the pages the replaced
    demo data left free: about 25 MB of 600 at 100,000 enterprises.

    No ANALYZE on purpose: a user's own profile never gets planner statistics, so a demo
    profile without them plans queries (and benchmarks) the same way.
    """
    try:
        conn.execute("VACUUM")
    except sqlite3.Error as e:  # e.g. another connection is reading: the data is committed
        log.warning("Compacting after demo generation failed: %s", e)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as e:
        log.warning("Tidying after demo generation failed: %s", e)


__all__ = ["GenerationCancelled", "MAX_SIZE", "generate", "has_own_records", "is_demo"]
