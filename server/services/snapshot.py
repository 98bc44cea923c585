"""Bootstrap snapshots: a client-schema SQLite file of an org's records, cached per org."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from app.domain.records import SPECS
from app.storage import lead_stages, search
from app.storage.db import open_database
from app.storage.ids import blob
from app.storage.records import derived_values, encode
from app.storage.schema import DERIVED_COLUMNS, META_COLUMNS
from app.storage.stamps import ms
from server import db
from server.services.pull import encode_cursor
from server.services.writer import WIRE_COLUMNS, row_to_record, wire_json

log = logging.getLogger(__name__)

# Meta keys the client reads after installing a snapshot (docs/sync-protocol.md).
META_CURSOR, META_EPOCH = "sync_cursor", "sync_epoch"


# How long a replaced snapshot file stays for downloads that already chose it.
RETIRED_GRACE_SECONDS = 300


@dataclass(frozen=True)
class Snapshot:
    path: Path
    epoch: str
    seq: int
    cursor: str
    built_at: float
    sha256: str = ""  # of the file: the client checks its download against it


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(4 << 20):
            h.update(chunk)
    return h.hexdigest()


class SnapshotCache:
    """One cached file per org.

    A snapshot of the current epoch is always served at once: if the org has moved on and
    the file is older than `max_age`, a rebuild starts in the background and the client
    pulls the difference from the older file's cursor. Only an org with no usable file (first
    request, new epoch) waits for a build.
    """

    def __init__(self, folder: Path, max_age: float) -> None:
        self.folder = folder
        self.max_age = max_age
        self._lock = threading.Lock()
        self._org_locks: dict[int, threading.Lock] = {}
        self._current: dict[int, Snapshot] = {}
        self._refreshing: set[int] = set()
        self._retired: list[tuple[float, Path]] = []

    def get(self, engine: Engine, org_id: int) -> Snapshot:
        with db.read_tx(engine) as conn:
            org = conn.execute(select(db.org.c.epoch, db.org.c.seq)
                               .where(db.org.c.id == org_id)).one()
        cached = self._usable(org_id, org.epoch)
        if cached is not None:
            stale = cached.seq != org.seq and time.time() - cached.built_at >= self.max_age
            if stale:
                self._refresh_later(engine, org_id)
            return cached
        # One build per org at a time; others wait and then take the fresh file.
        with self._org_lock(org_id):
            cached = self._usable(org_id, org.epoch) or self._adopt(org_id, org.epoch, org.seq)
            if cached is not None:
                return cached
            return self._build(engine, org_id)

    def _adopt(self, org_id: int, epoch: str, seq: int) -> Snapshot | None:
        """A file this server built before a restart, for exactly the org's current state.

        Files are renamed into place only when complete, and their names carry the epoch
        and seq they hold, so a restart need not spend half a minute building the same file.
        """
        path = self.folder / f"org-{org_id}-{epoch}-{seq}.sqlite3"
        if not path.is_file():
            return None
        snap = Snapshot(path, epoch, seq, encode_cursor(epoch, seq), path.stat().st_mtime,
                        file_sha256(path))
        self._current[org_id] = snap
        log.info("Serving the snapshot of org %s at seq %s built before a restart", org_id, seq)
        return snap

    def _usable(self, org_id: int, epoch: str) -> Snapshot | None:
        cached = self._current.get(org_id)
        if cached is not None and cached.epoch == epoch and cached.path.exists():
            return cached
        return None

    def _org_lock(self, org_id: int) -> threading.Lock:
        with self._lock:
            return self._org_locks.setdefault(org_id, threading.Lock())

    def _build(self, engine: Engine, org_id: int) -> Snapshot:
        old = self._current.get(org_id)
        snap = build(engine, org_id, self.folder)
        self._current[org_id] = snap
        if old is not None and old.path != snap.path:
            # Not unlinked at once: a request may have picked the old file and not opened it
            # yet (the route opens it after get() returns). Replaced files go after a while.
            self._retired.append((time.time(), old.path))
        cutoff = time.time() - RETIRED_GRACE_SECONDS
        while self._retired and self._retired[0][0] < cutoff:
            self._retired.pop(0)[1].unlink(missing_ok=True)
        return snap

    def _refresh_later(self, engine: Engine, org_id: int) -> None:
        with self._lock:
            if org_id in self._refreshing:
                return
            self._refreshing.add(org_id)

        def run() -> None:
            try:
                with self._org_lock(org_id):
                    self._build(engine, org_id)
            except Exception:  # logged; the older file keeps being served
                log.exception("Background snapshot build for org %s failed", org_id)
            finally:
                with self._lock:
                    self._refreshing.discard(org_id)

        threading.Thread(target=run, name=f"snapshot-org-{org_id}", daemon=True).start()


def build(engine: Engine, org_id: int, folder: Path) -> Snapshot:
    """Write every record of the org into a fresh client database, with search index and cursor."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"org-{org_id}-{os.getpid()}-{threading.get_ident()}.building"
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    sdb = open_database(tmp)
    conn = sdb.conn
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        conn.execute("DELETE FROM list_item")  # the server's list items replace the seeds
        with db.read_tx(engine) as sconn:
            org = sconn.execute(select(db.org).where(db.org.c.id == org_id)).one()
            rows = sconn.execution_options(yield_per=5000).execute(
                select(*WIRE_COLUMNS).where(db.record.c.org_id == org_id)
                .order_by(db.record.c.type, db.record.c.id)
            )
            batch: dict[str, list[list[object]]] = {}
            copies: list[tuple[object, ...]] = []
            for r in rows:
                rec = row_to_record(r)
                batch.setdefault(rec.type, []).append(_row(rec.type, rec))
                copies.append((rec.type, rec.id, rec.version, 1 if rec.deleted else 0,
                               wire_json(r)))
                if len(copies) >= 5000:
                    _flush(conn, batch, copies)
                    batch, copies = {}, []
            _flush(conn, batch, copies)
            # The org's digests as of the same read: the client need not hash every record.
            conn.executemany(
                "INSERT INTO sync_digest (type, bucket, count, digest) VALUES (?, ?, ?, ?)",
                [tuple(r) for r in sconn.execute(
                    select(db.digest.c.type, db.digest.c.bucket, db.digest.c.count,
                           db.digest.c.value).where(db.digest.c.org_id == org_id)
                )],
            )
        lead_stages.refresh_all(conn)
        cursor = encode_cursor(org.epoch, org.seq)
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         [(META_CURSOR, cursor), (META_EPOCH, org.epoch)])
        search.rebuild(conn)
        conn.execute("COMMIT")
        # A plain single file: no WAL beside it, so it downloads as one.
        conn.execute("PRAGMA journal_mode=DELETE")
        # Without the free pages the index build leaves (about 5 % of the file).
        conn.execute("VACUUM")
    finally:
        conn.close()
    final = folder / f"org-{org_id}-{org.epoch}-{org.seq}.sqlite3"
    os.replace(tmp, final)
    log.info("Built snapshot of org %s at seq %s in %.2f s", org_id, org.seq,
             time.perf_counter() - started)
    return Snapshot(final, org.epoch, org.seq, cursor, time.time(), file_sha256(final))


def _columns(type_name: str) -> list[str]:
    spec = SPECS[type_name]
    cols = ["id", *spec.field_names]
    cols += [name for name, _ in DERIVED_COLUMNS.get(type_name, ())]
    cols += [name for name, _ in META_COLUMNS]
    return cols


def _row(type_name: str, rec: object) -> list[object]:
    spec = SPECS[type_name]
    data = rec.data  # type: ignore[attr-defined]
    derived = derived_values(spec, data)
    out: list[object] = [blob(rec.id)]  # type: ignore[attr-defined]
    out += [encode(spec, f.name, data.get(f.name, f.empty())) for f in spec.fields]
    out += [derived.get(name) for name, _ in DERIVED_COLUMNS.get(type_name, ())]
    out += [ms(rec.created_at), rec.created_by, ms(rec.updated_at), rec.updated_by,  # type: ignore[attr-defined]
            1 if rec.deleted else 0, rec.version]  # type: ignore[attr-defined]
    return out


def _flush(conn: object, batch: dict[str, list[list[object]]], copies: list[tuple[object, ...]]) -> None:
    for type_name, rows in batch.items():
        cols = _columns(type_name)
        sql = (f"INSERT INTO {type_name} ({', '.join(chr(34) + c + chr(34) for c in cols)})"
               f" VALUES ({', '.join('?' for _ in cols)})")
        conn.executemany(sql, rows)  # type: ignore[attr-defined]
    conn.executemany(  # type: ignore[attr-defined]
        "INSERT INTO synced_copy (type, id, version, deleted, data) VALUES (?, ?, ?, ?, ?)", copies
    )
