"""Record writes of one org inside its locked transaction: seq, version, digests, parent links."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from app.domain import digest as digests
from app.domain.records import SPECS, spec_for
from app.domain.wire import record_to_wire
from server import db


class StoredRecord:
    """A server record as held in memory during a push.

    `data` may be given as its stored JSON text (`raw`) and is decoded on first use: most
    records a push loads are parents and references, looked at for their type and tombstone
    only, and decoding their data was a fifth of a push's time.
    """

    __slots__ = ("type", "id", "version", "seq", "deleted", "_data", "_raw", "created_at",
                 "created_by", "updated_at", "updated_by", "last_change_id")

    def __init__(
        self, type: str, id: str, version: int, seq: int, deleted: bool,
        data: dict[str, Any] | None = None, created_at: str = "", created_by: str = "",
        updated_at: str = "", updated_by: str = "", last_change_id: str | None = None,
        *, raw: str | None = None,
    ) -> None:
        if data is None and raw is None:
            raise TypeError("StoredRecord needs data or raw")
        self.type, self.id, self.version, self.seq, self.deleted = type, id, version, seq, deleted
        self._data, self._raw = data, raw
        self.created_at, self.created_by = created_at, created_by
        self.updated_at, self.updated_by = updated_at, updated_by
        self.last_change_id = last_change_id

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = json.loads(self._raw)  # type: ignore[arg-type]
            self._raw = None
        return self._data

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self._data, self._raw = value, None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredRecord):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in _COMPARED)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaced

    def __repr__(self) -> str:
        return f"StoredRecord({', '.join(f'{k}={getattr(self, k)!r}' for k in _COMPARED)})"

    def to_wire(self) -> dict[str, Any]:
        return record_to_wire(self.type, self.id, self.data, {
            "created_at": self.created_at, "created_by": self.created_by,
            "updated_at": self.updated_at, "updated_by": self.updated_by,
            "deleted": self.deleted, "version": self.version,
        })

    @property
    def uscc(self) -> str | None:
        if self.type == "enterprise" and not self.deleted:
            return self.data.get("uscc") or None
        return None

    def hash(self) -> int:
        return digests.record_hash(self.type, self.id, self.version, self.deleted)


_COMPARED = ("type", "id", "version", "seq", "deleted", "data", "created_at", "created_by",
             "updated_at", "updated_by", "last_change_id")


# json.dumps(..., ensure_ascii=False, separators=(",", ":")) without its per-call set-up: the
# stored and replied JSON of the push path.
compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# The string encoder that one uses (json's C function where there is one).
_encode_str = json.encoder.encode_basestring


RECORD_COLUMNS = (
    db.record.c.type, db.record.c.id, db.record.c.version, db.record.c.seq, db.record.c.deleted,
    db.record.c.data, db.record.c.created_at, db.record.c.created_by, db.record.c.updated_at,
    db.record.c.updated_by, db.record.c.last_change_id,
)


WIRE_COLUMNS = (*RECORD_COLUMNS, db.record.c.wire)

# PostgreSQL: how many buffered edits Writer.put sends ahead at a time (see _send_ahead).
AHEAD_ROWS = 100

_SELECT_RECORDS = (f"SELECT {', '.join(c.name for c in RECORD_COLUMNS)} FROM record"
                   " WHERE org_id = ?")
# SQLite: each row's rowid too, so Writer.flush can update it in place (see there).
_SELECT_RECORDS_ROWID = _SELECT_RECORDS.replace(" FROM record", ", rowid FROM record")


# The PostgreSQL type of each column Writer._update_pg sets (its array parameters are cast).
_PG_ARRAY_TYPES = {
    "version": "integer", "seq": "bigint", "data": "text", "updated_at": "varchar",
    "updated_by": "varchar", "last_change_id": "varchar", "wire": "text", "deleted": "boolean",
    "uscc": "varchar", "id": "varchar", "org_id": "integer",
}


def wire_json(row: Any) -> str:
    """A row's wire JSON: stored at write time, or encoded now for rows written before that."""
    if row.wire is not None:
        return str(row.wire)
    return compact_json(row_to_record(row).to_wire())


def row_to_record(row: Any) -> StoredRecord:
    """A row of RECORD_COLUMNS (in that order); its data is decoded when first used."""
    t, rid, version, seq, deleted, data, created_at, created_by, updated_at, updated_by, \
        last_change_id = row[:11]
    return StoredRecord(t, rid, version, seq, bool(deleted), None, created_at, created_by,
                        updated_at, updated_by, last_change_id, raw=data)




@functools.cache
def _field_names(type_name: str) -> tuple[str, ...]:
    return tuple(SPECS[type_name].field_names)


def json_text(value: Any) -> str:
    """`compact_json(value)`, with strings (nearly every value spliced here) encoded by json's
    own string encoder directly rather than through an encoder call each."""
    if type(value) is str:
        return _encode_str(value)
    return compact_json(value)


def _wire_json(rec: StoredRecord, data_json: str) -> str:
    """`json.dumps(rec.to_wire())` in the compact form, reusing the data's JSON text when it
    holds exactly the type's fields in their order (as every record written here does): the
    wire form is then type and id, that text's members, and the meta fields."""
    data = rec.data
    if not data or tuple(data) != _field_names(rec.type):
        return compact_json(rec.to_wire())
    return (f'{{"type":{json_text(rec.type)},"id":{json_text(rec.id)},{data_json[1:-1]},'
            f'"created_at":{json_text(rec.created_at)},"created_by":{json_text(rec.created_by)},'
            f'"updated_at":{json_text(rec.updated_at)},"updated_by":{json_text(rec.updated_by)},'
            f'"deleted":{"true" if rec.deleted else "false"},"version":{json_text(rec.version)}}}')


@functools.cache
def _parent_names(type_name: str) -> tuple[str, ...]:
    return SPECS[type_name].parents


def parent_ids(rec: StoredRecord) -> list[str]:
    data = rec.data
    return [data[name] for name in _parent_names(rec.type) if data.get(name)]


@dataclass
class _State:
    seq: int
    cache: dict[str, StoredRecord | None]
    delta: dict[tuple[str, int], list[int]]
    lists: set[tuple[str, str]] | None
    uscc: dict[str, set[str]]


@dataclass
class Writer:
    """Buffers one org's record writes and flushes them in batches before any dependent read.

    The caller holds the org row lock (or SQLite's writer lock), so seq and digest
    read-modify-writes cannot interleave with another writer of the same org.
    """

    conn: Connection
    org_id: int
    seq: int
    cache: dict[str, StoredRecord | None] = field(default_factory=dict)
    delta: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    lists: set[tuple[str, str]] | None = None
    _inserts: list[dict[str, Any]] = field(default_factory=list)
    _insert_ids: set[str] = field(default_factory=set)
    # USCC → ids written in this push (the database does not hold them yet, or holds old values).
    _uscc: dict[str, set[str]] = field(default_factory=dict)
    _db_uscc: dict[str, list[str]] = field(default_factory=dict)  # as committed before this push
    _updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    _parents: list[dict[str, Any]] = field(default_factory=list)
    _unparent: list[str] = field(default_factory=list)
    _rowids: dict[str, int] = field(default_factory=dict)  # SQLite: id → rowid, as read
    _kinds: dict[str, tuple[str, bool] | None] = field(default_factory=dict)  # prefetch_kinds
    now: str = ""  # the time stamped on this push's records (one clock reading per push)
    # PostgreSQL: send UPDATEs ahead, without waiting for them, every AHEAD_ROWS edits (see
    # put). push() sets it outside groups only (a group's savepoint sees no pipeline).
    ahead: bool = False
    _pipe: Any = None  # the psycopg pipeline holding the UPDATEs sent ahead, while open
    # PostgreSQL, ahead: the final replies of applied changes (change id → JSON text), stored
    # in applied_change with the UPDATEs sent ahead; `replies_sent` are those stored so far.
    reply_texts: dict[str, str] = field(default_factory=dict)
    replies_sent: set[str] = field(default_factory=set)
    reply_time: float = 0.0  # applied_change.created_at of this push's replies

    # --- reads -------------------------------------------------------------------------------

    def prefetch(self, ids: list[str]) -> None:
        """Load many records in one query (the ids of a push and their parents)."""
        wanted = [i for i in dict.fromkeys(ids) if i not in self.cache]
        if not wanted:
            return
        self.sync()
        if db.is_sqlite(self.conn):
            rows = db.select_in(self.conn, _SELECT_RECORDS_ROWID, (self.org_id,), "id", wanted)
            self._rowids.update((r[1], r[11]) for r in rows)
        else:
            rows = db.select_in(self.conn, _SELECT_RECORDS, (self.org_id,), "id", wanted)
        found = {r[1]: row_to_record(r) for r in rows}
        for i in wanted:
            self.cache[i] = found.get(i)

    def prefetch_uscc(self, codes: list[str]) -> None:
        """Which live enterprises hold these codes, in one query per 500 codes."""
        # Only plausible codes reach SQL (PostgreSQL refuses NUL; junk cannot match anyway).
        wanted = [c for c in dict.fromkeys(codes)
                  if c and len(c) <= 40 and c.isalnum() and c.isascii() and c not in self._db_uscc]
        if wanted:
            self.sync()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found: dict[str, list[str]] = {c: [] for c in chunk}
            for rid, code in self.conn.execute(
                select(db.record.c.id, db.record.c.uscc).where(
                    db.record.c.org_id == self.org_id,
                    db.in_list(self.conn, db.record.c.uscc, chunk))
            ):
                found[code].append(rid)
            self._db_uscc.update(found)

    def prefetch_kinds(self, ids: list[str]) -> None:
        """Load only the type and tombstone of many records in one query: all a push needs of
        the parents its edits leave alone (see `kind_of`)."""
        wanted = [i for i in dict.fromkeys(ids) if i not in self.cache and i not in self._kinds]
        if not wanted:
            return
        self.sync()
        found = {rid: (t, bool(deleted)) for rid, t, deleted in db.select_in(
            self.conn, "SELECT id, type, deleted FROM record WHERE org_id = ?", (self.org_id,),
            "id", wanted)}
        for i in wanted:
            self._kinds[i] = found.get(i)

    def kind_of(self, record_id: str) -> tuple[str, bool] | None:
        """(type, deleted) of a record as it stands in this push, None if the org has none.

        A record written in this push is in the cache; one that is not was loaded by
        `prefetch_kinds` (or is loaded whole now) and is as the push found it."""
        if record_id in self.cache or record_id not in self._kinds:
            rec = self.get(record_id)
            return None if rec is None else (rec.type, rec.deleted)
        return self._kinds[record_id]

    def get(self, record_id: str) -> StoredRecord | None:
        if record_id not in self.cache:
            self.prefetch([record_id])
        return self.cache[record_id]

    def uscc_owner(self, code: str, exclude_id: str) -> StoredRecord | None:
        """The live enterprise of this org holding `code`, other than `exclude_id`."""
        for rid in self._uscc.get(code, ()):
            rec = self.cache.get(rid)
            if rec is not None and rec.id != exclude_id and rec.uscc == code:
                return rec
        rows: Sequence[str]
        if code in self._db_uscc:
            rows = self._db_uscc[code]
        else:
            self.sync()
            rows = self.conn.execute(
                select(db.record.c.id).where(
                    db.record.c.org_id == self.org_id, db.record.c.uscc == code,
                ).limit(5)
            ).scalars().all()
        for rid in rows:
            if rid == exclude_id:
                continue
            rec = self.get(rid)  # the cached copy wins: it may have changed in this push
            if rec is not None and rec.uscc == code:
                return rec
        return None

    def list_values(self) -> set[tuple[str, str]]:
        """(kind, value) of the org's live list items: the server's list membership test."""
        if self.lists is None:
            self.lists = set()
            self.sync()
            rows = self.conn.execute(
                select(db.record.c.id, db.record.c.data).where(
                    db.record.c.org_id == self.org_id, db.record.c.type == "list_item",
                    db.record.c.deleted.is_(False),
                )
            )
            for rid, data in rows:
                cached = self.cache.get(rid)
                if cached is not None:
                    continue
                d = json.loads(data)
                self.lists.add((str(d.get("kind")), str(d.get("value"))))
            for rec in self.cache.values():
                if rec is not None and rec.type == "list_item" and not rec.deleted:
                    self.lists.add((str(rec.data.get("kind")), str(rec.data.get("value"))))
        return self.lists

    def has_live_children(self, record_id: str) -> StoredRecord | None:
        """A live record whose parent is `record_id`, if any."""
        self.flush()
        rows = self.conn.execute(
            select(db.record_parent.c.child_id).join(
                db.record,
                and_(db.record.c.org_id == db.record_parent.c.org_id,
                     db.record.c.id == db.record_parent.c.child_id),
            ).where(
                db.record_parent.c.org_id == self.org_id,
                db.record_parent.c.parent_id == record_id,
                db.record.c.deleted.is_(False),
            ).limit(20)
        ).scalars().all()
        for cid in rows:
            rec = self.get(cid)
            if rec is not None and not rec.deleted and record_id in parent_ids(rec):
                return rec
        return None

    # --- writes ------------------------------------------------------------------------------

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def put(self, old: StoredRecord | None, new: StoredRecord) -> None:
        """Store a new version of a record (new.version and new.seq already set)."""
        self.cache[new.id] = new
        uscc = new.uscc
        if uscc:
            self._uscc.setdefault(uscc, set()).add(new.id)
        key = (new.type, digests.bucket_of(new.id))
        d = self.delta.setdefault(key, [0, 0])
        if old is None:
            d[0] += 1
        else:
            d[1] ^= old.hash()
        d[1] ^= new.hash()
        data_json = compact_json(new.data)
        row = {
            "org_id": self.org_id, "id": new.id, "type": new.type, "version": new.version,
            "seq": new.seq, "deleted": new.deleted,
            "data": data_json,
            "uscc": uscc, "created_at": new.created_at, "created_by": new.created_by,
            "updated_at": new.updated_at, "updated_by": new.updated_by,
            "last_change_id": new.last_change_id,
            "wire": _wire_json(new, data_json),
        }
        if old is None:
            self._inserts.append(row)
            self._insert_ids.add(new.id)
        elif new.id in self._insert_ids:
            self._replace_insert(row)
        else:
            # Most edits leave `deleted` and `uscc` alone; an UPDATE that does not set them
            # leaves their indexes untouched (half the pages written per push).
            same = old.deleted == new.deleted and old.uscc == uscc
            prev = self._updates.get(new.id)
            row["_slim"] = same and (prev is None or prev["_slim"])
            self._updates[new.id] = row
            if self.ahead and len(self._updates) >= AHEAD_ROWS:
                self._send_ahead()
        if new.type == "list_item" and self.lists is not None:
            self.lists = None  # recomputed from the cache on next use
        names = _parent_names(new.type)
        if old is not None:
            old_data, new_data = old.data, new.data
            if all(old_data.get(n) == new_data.get(n) for n in names):
                return  # the usual edit: its parent links stay as they are
            if parent_ids(old) == parent_ids(new):
                return
            self._unparent.append(new.id)
        self._parents.extend(
            {"org_id": self.org_id, "parent_id": p, "child_id": new.id} for p in parent_ids(new)
        )

    def _replace_insert(self, row: dict[str, Any]) -> None:
        for i, r in enumerate(self._inserts):
            if r["id"] == row["id"]:
                self._inserts[i] = row
                return

    def flush(self) -> None:
        """Write the buffered rows (executemany) so later queries see them."""
        self.sync()
        if self._inserts:
            self.conn.execute(db.record.insert(), self._inserts)
            self._inserts, self._insert_ids = [], set()
        if self._updates:
            updates = self._updates
            self._updates = {}
            self._write_updates(updates)
        if self._unparent:
            self.conn.execute(db.record_parent.delete().where(
                db.record_parent.c.org_id == self.org_id,
                db.record_parent.c.child_id.in_(self._unparent),
            ))
            self._unparent = []
        if self._parents:
            unique = {(p["parent_id"], p["child_id"]): p for p in self._parents}
            self.conn.execute(db.record_parent.insert(), list(unique.values()))
            self._parents = []

    def _write_updates(self, updates: dict[str, dict[str, Any]]) -> None:
        # Rows are updated in seq order so the unique (org, seq) index never sees two equal.
        rows = sorted(updates.values(), key=lambda r: r["seq"])
        for slim in (True, False):
            cols = ["version", "seq", "data", "updated_at", "updated_by", "last_change_id",
                    "wire"]
            if not slim:
                cols += ["deleted", "uscc"]  # (type never changes: see push._evaluate)
            todo = [r for r in rows if r["_slim"] is slim]
            if not todo:
                continue
            if db.is_sqlite(self.conn):
                self._update_sqlite(cols, todo)
            else:
                self._update_pg(cols, todo)

    def _update_sqlite(self, cols: list[str], rows: list[dict[str, Any]]) -> None:
        """UPDATE rows straight through the driver with tuples: SQLAlchemy's per-row parameter
        processing was a fifth of this executemany (7 ms of 1,000 rows).

        A row read in this transaction is found by its rowid, in rowid order, rather than
        through the primary-key index in seq order: a fifth less time (~3 ms of 1,000 rows).
        Every seq set here is new and distinct, so the unique (org, seq) index cannot see two
        equal in any order. (org_id, id) stays in the WHERE as a check that costs nothing.
        """
        assign = ", ".join(f"{c} = ?" for c in cols)
        by_rowid = sorted((r for r in rows if r["id"] in self._rowids),
                          key=lambda r: self._rowids[r["id"]])
        if by_rowid:
            self.conn.exec_driver_sql(
                f"UPDATE record SET {assign} WHERE rowid = ? AND org_id = ? AND id = ?",
                [(*(r[c] for c in cols), self._rowids[r["id"]], r["org_id"], r["id"])
                 for r in by_rowid],
            )
        rest = [r for r in rows if r["id"] not in self._rowids]
        if rest:
            self.conn.exec_driver_sql(
                f"UPDATE record SET {assign} WHERE org_id = ? AND id = ?",
                [(*(r[c] for c in cols), r["org_id"], r["id"]) for r in rest],
            )

    def _update_pg(self, cols: list[str], rows: list[dict[str, Any]]) -> None:
        """UPDATE all rows in one statement, each column's values one binary array parameter
        (`UPDATE … FROM unnest(…)`), straight through the driver.

        The executemany of one-row UPDATEs it replaces (SQLAlchemy's per-row parameter
        processing, then one statement per row, pipelined by psycopg) was ~30 ms of 1,000 rows.
        The arrays go in binary (`%b`): as text, psycopg quotes and escapes each JSON string in
        Python, ~50 ms of them. The org id comes as an array too, so the join is on the primary
        key (org_id, id) with nothing for the planner to estimate: with `record.org_id = %s`
        and no statistics (a bulk load before autovacuum's analyze) it guessed the org held a
        few hundred rows and hashed all of them instead of looking up 1,000 by key (~100 ms).
        Every seq set here is new and distinct, so the unique (org, seq) index cannot see two
        equal in any order.
        """
        keys = (*cols, "id", "org_id")
        arrays = ", ".join(f"%b::{_PG_ARRAY_TYPES[c]}[]" for c in keys)
        sql = (f"UPDATE record SET {', '.join(f'{c} = v.{c}' for c in cols)}"
               f" FROM unnest({arrays}) AS v({', '.join(keys)})"
               " WHERE record.org_id = v.org_id AND record.id = v.id")
        params = tuple([r[c] for r in rows] for c in keys)
        if self._pipe is not None:  # sent now, its outcome read by sync()
            self._driver().cursor().execute(sql, params)
        else:
            self.conn.exec_driver_sql(sql, params)

    def _send_ahead(self) -> None:
        """PostgreSQL: send the buffered UPDATEs in a pipeline and go on without waiting.

        The server's part of a push's UPDATEs (~20 ms of 1,000 rows: heap and four index
        entries a row, the seq index ruling out HOT updates) then runs on the database's
        core while this one validates and applies the next changes, instead of after them.
        Anything else that reaches the connection calls sync() first.
        """
        if self._pipe is None:
            self._pipe = self._driver().pipeline()
            self._pipe.__enter__()
        updates = self._updates
        self._updates = {}
        self._write_updates(updates)
        unsent = [cid for cid in self.reply_texts if cid not in self.replies_sent]
        if unsent:
            self.insert_replies(unsent)

    def add_reply(self, change_id: str, text: str) -> None:
        """A change's final reply, stored with the next UPDATEs sent ahead (or by push())."""
        self.reply_texts[change_id] = text

    def insert_replies(self, change_ids: list[str]) -> None:
        """PostgreSQL: store these replies (of `reply_texts`) in applied_change, one INSERT
        of binary array parameters: the executemany of one-row INSERTs through SQLAlchemy it
        replaces was ~20 ms of 1,000 replies. Sent ahead when the pipeline is open."""
        sql = ("INSERT INTO applied_change (org_id, change_id, reply, created_at)"
               " SELECT %s, u.change_id, u.reply, %s"
               " FROM unnest(%b::varchar[], %b::text[]) AS u(change_id, reply)")
        params = (self.org_id, self.reply_time, change_ids,
                  [self.reply_texts[cid] for cid in change_ids])
        if self._pipe is not None:
            self._driver().cursor().execute(sql, params)
        else:
            self.conn.exec_driver_sql(sql, params)
        self.replies_sent.update(change_ids)

    def _driver(self) -> Any:
        """The psycopg connection under this one."""
        return self.conn.connection.driver_connection

    def sync(self, exc: BaseException | None = None) -> None:
        """Wait for the UPDATEs sent ahead (raising their error, if any) and leave the
        pipeline, so the connection is SQLAlchemy's again. Given the exception a push is
        failing with, it leaves the pipeline and lets that one propagate."""
        if self._pipe is None:
            return
        pipe, self._pipe = self._pipe, None
        if exc is None:
            pipe.__exit__(None, None, None)
        else:
            pipe.__exit__(type(exc), exc, exc.__traceback__)

    def save_state(self) -> _State:
        self.flush()
        return _State(self.seq, dict(self.cache), {k: list(v) for k, v in self.delta.items()},
                      set(self.lists) if self.lists is not None else None,
                      {k: set(v) for k, v in self._uscc.items()})

    def restore_state(self, state: _State) -> None:
        """Forget the writes of a rolled-back group (the savepoint undid them in the database)."""
        self._inserts, self._updates, self._parents, self._unparent = [], {}, [], []
        self._insert_ids = set()
        self.seq, self.cache, self.delta, self.lists, self._uscc = (
            state.seq, state.cache, state.delta, state.lists, state.uscc
        )

    def finish(self) -> None:
        """Flush, then store the org's new seq and digests: still inside the transaction."""
        self.flush()
        self.conn.execute(
            update(db.org).where(db.org.c.id == self.org_id).values(seq=self.seq)
        )
        if not self.delta:
            return
        if not db.is_sqlite(self.conn):
            self._add_digests_pg()
            return
        current = {
            (t, b): (int(n), int(v))
            for t, b, n, v in self.conn.execute(
                select(db.digest.c.type, db.digest.c.bucket, db.digest.c.count, db.digest.c.value)
                .where(db.digest.c.org_id == self.org_id)
            )
        }
        ins, upd = [], []
        for (type_name, bucket), (count, xor) in self.delta.items():
            if (type_name, bucket) in current:
                c, v = current[(type_name, bucket)]
                upd.append({"b_type": type_name, "b_bucket": bucket, "count": c + count,
                            "value": digests.to_signed(v ^ xor)})
            else:
                ins.append({"org_id": self.org_id, "type": type_name, "bucket": bucket,
                            "count": count, "value": digests.to_signed(xor)})
        if ins:
            self.conn.execute(db.digest.insert(), ins)
        if upd:
            self.conn.execute(
                update(db.digest).where(
                    db.digest.c.org_id == self.org_id, db.digest.c.type == bindparam("b_type"),
                    db.digest.c.bucket == bindparam("b_bucket"),
                ).values(count=bindparam("count"), value=bindparam("value")),
                upd,
            )
        self.delta = {}


    def _add_digests_pg(self) -> None:
        """Add this push's counts and XORs to the org's digest rows in one upsert (`#` is
        PostgreSQL's XOR of two BIGINTs, the same bits as XOR of their unsigned values): the
        SELECT of the org's digests and the executemany of ~100 one-row UPDATEs through
        SQLAlchemy it replaces were ~3 ms of a 1,000-change push."""
        keys = list(self.delta)
        self.conn.exec_driver_sql(
            "INSERT INTO digest (org_id, type, bucket, count, value)"
            " SELECT %s, d.type, d.bucket, d.count, d.value"
            " FROM unnest(%b::varchar[], %b::integer[], %b::integer[], %b::bigint[])"
            " AS d(type, bucket, count, value)"
            " ON CONFLICT (org_id, type, bucket) DO UPDATE"
            " SET count = digest.count + excluded.count, value = digest.value # excluded.value",
            (self.org_id, [t for t, _ in keys], [b for _, b in keys],
             [self.delta[k][0] for k in keys], [digests.to_signed(self.delta[k][1]) for k in keys]),
        )
        self.delta = {}


def read_digests(conn: Connection, org_id: int) -> dict[str, dict[str, object]]:
    """The org's per-type counts and bucket digests in wire form (every type listed)."""
    out = {t: digests.TypeDigest() for t in SPECS}
    for r in conn.execute(
        select(db.digest.c.type, db.digest.c.bucket, db.digest.c.count, db.digest.c.value)
        .where(db.digest.c.org_id == org_id)
    ):
        type_name, bucket, count, value = r
        d = out.setdefault(type_name, digests.TypeDigest())
        d.counts[bucket] = int(count)
        d.digests[bucket] = int(value) & ((1 << 64) - 1)
    return {t: d.to_wire() for t, d in out.items()}


def new_record(
    type_name: str, record_id: str, data: dict[str, Any], *, user: str, now: str,
    change_id: str | None, seq: int, deleted: bool = False,
) -> StoredRecord:
    spec_for(type_name)
    return StoredRecord(
        type=type_name, id=record_id, version=1, seq=seq, deleted=deleted, data=data,
        created_at=now, created_by=user, updated_at=now, updated_by=user,
        last_change_id=change_id,
    )
