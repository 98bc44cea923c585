"""Orgs (bureaus): creation with the seeded lists, epochs, the high-water seq kept outside."""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, select, update

from app.domain.errors import ValidationError
from app.domain.values import utc_now
from app.storage.lists import seed_rows
from server import db
from server.services.writer import RECORD_COLUMNS, StoredRecord, Writer, row_to_record

log = logging.getLogger(__name__)

SEED_FIELDS = ("kind", "value", "position")


def create_org(conn: Connection, *, name: str) -> int:
    """A new org with a fresh epoch and the list items every client seeds, same ids and values."""
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise ValidationError("required", "org")
    if conn.execute(select(db.org.c.id).where(db.org.c.name == name)).first():
        raise ValidationError("org_exists", "org", value=name)
    org_id = int(conn.execute(insert(db.org).values(
        name=name, epoch=str(uuid.uuid4()), seq=0, epoch_seq=0, created_at=utc_now(),
    )).inserted_primary_key[0])  # type: ignore[index]
    w = Writer(conn=conn, org_id=org_id, seq=0)
    for row in seed_rows():
        rec = StoredRecord(
            type="list_item", id=str(row["id"]), version=1, seq=w.next_seq(), deleted=False,
            data={k: row[k] for k in SEED_FIELDS}, created_at=str(row["created_at"]),
            created_by=str(row["created_by"]), updated_at=str(row["updated_at"]),
            updated_by=str(row["updated_by"]), last_change_id=None,
        )
        w.cache[rec.id] = None
        w.put(None, rec)
    w.finish()
    log.info("Created org %s (%s)", name, org_id)
    return org_id


def org_id_by_name(conn: Connection, name: str) -> int:
    row = conn.execute(select(db.org.c.id).where(db.org.c.name == name)).first()
    if row is None:
        raise ValidationError("org_unknown", "org", value=name)
    return int(row[0])


def new_epoch(conn: Connection, *, org_id: int, min_seq: int = 0) -> str:
    """Start a new epoch: a new id, and each record's version and copy kept as of now.

    `min_seq` lifts the org's seq past a high-water mark so no seq is handed out twice.
    """
    org = db.lock_org(conn, org_id)
    epoch = str(uuid.uuid4())
    seq = max(org.seq, min_seq)
    conn.execute(update(db.org).where(db.org.c.id == org_id).values(
        epoch=epoch, seq=seq, epoch_seq=seq))
    conn.execute(delete(db.epoch_copy).where(db.epoch_copy.c.org_id == org_id))
    batch: list[dict[str, object]] = []
    rows = conn.execute(select(*RECORD_COLUMNS).where(db.record.c.org_id == org_id))
    for r in rows:
        rec = row_to_record(r)
        batch.append({"org_id": org_id, "id": rec.id, "type": rec.type, "version": rec.version,
                      "deleted": rec.deleted,
                      "record": json.dumps(rec.to_wire(), ensure_ascii=False)})
        if len(batch) >= 2000:
            conn.execute(insert(db.epoch_copy), batch)
            batch = []
    if batch:
        conn.execute(insert(db.epoch_copy), batch)
    log.info("Org %s starts epoch %s at seq %s", org_id, epoch, seq)
    return epoch


class HighWater:
    """The highest seq per org ever handed out, in a small JSON file outside the database.

    A restore brings the database back to a lower seq; at start-up the server sees the file
    above the database and starts a new epoch, so clients do not trust their cursors.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._values: dict[str, int] = self._read()

    def _read(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text())
            return {str(k): int(v) for k, v in data.items()}
        except FileNotFoundError:
            return {}
        except (ValueError, AttributeError, TypeError):
            log.warning("Unreadable high-water file %s; starting it afresh", self.path)
            return {}

    def get(self, org_id: int) -> int:
        return self._values.get(str(org_id), 0)

    def note(self, org_id: int, seq: int) -> None:
        with self._lock:
            if seq <= self.get(org_id):
                return
            self._values[str(org_id)] = seq
            self._write()

    @contextmanager
    def noting(self, org_id: int) -> Iterator[Callable[[int], None]]:
        """`note` for a seq that the caller's block is about to COMMIT, alongside that COMMIT.

        Writing and syncing the file after the COMMIT held every push's reply back by its
        fsync (~5 ms); called just before the COMMIT, the returned function starts the write
        on a thread, so the two syncs overlap. Both are done when the block ends, so no reply
        leaves before the file holds its seq (nor, now, can a pull see a seq that the file
        does not). If the block fails after that, the mark goes back to what it was: a mark
        above the database's seq would start a new epoch at the next start-up.
        """
        started: list[tuple[threading.Thread, int, int]] = []
        errors: list[BaseException] = []

        def note(seq: int) -> None:
            def run() -> None:
                try:
                    self.note(org_id, seq)
                except BaseException as e:  # handed to the request's thread below
                    errors.append(e)

            previous = self.get(org_id)
            thread = threading.Thread(target=run, name="highwater-note", daemon=True)
            thread.start()
            started.append((thread, seq, previous))

        try:
            yield note
        except BaseException:
            for thread, seq, previous in started:
                thread.join()
                self._lower(org_id, seq, previous)
            raise
        for thread, _, _ in started:
            thread.join()
        if errors:
            raise errors[0]

    def _lower(self, org_id: int, seq: int, previous: int) -> None:
        with self._lock:
            if self._values.get(str(org_id)) == seq and previous < seq:
                self._values[str(org_id)] = previous
                self._write()

    def reset(self, values: dict[int, int]) -> None:
        with self._lock:
            self._values = {str(k): v for k, v in values.items()}
            self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        with open(tmp, "w") as fh:
            json.dump(self._values, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)


def check_high_water(engine: Engine, hw: HighWater) -> list[int]:
    """At start-up: a new epoch for every org whose database seq is below the high-water mark."""
    changed = []
    with db.write_tx(engine) as conn:
        orgs = conn.execute(select(db.org.c.id, db.org.c.seq)).all()
        for org_id, seq in orgs:
            mark = hw.get(org_id)
            if mark > seq:
                log.warning("Org %s: database seq %s is below high-water %s (restored?); "
                            "starting a new epoch", org_id, seq, mark)
                new_epoch(conn, org_id=org_id, min_seq=mark)
                changed.append(org_id)
        values = {int(r[0]): int(r[1]) for r in conn.execute(select(db.org.c.id, db.org.c.seq))}
    hw.reset(values)
    return changed
