"""The client's side of sync in SQLite: what to push, applying replies and pulled records,
synced copies with their digests, and conflicts. Every function that writes runs in one
transaction with everything it changes (the cursor moves only with the data it covers)."""

from __future__ import annotations

import functools
import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain import digest
from app.domain.merge import merge
from app.domain.records import SPECS, spec_for
from app.domain.values import utc_now
from app.storage import outbox, search, stamps
from app.storage.db import transaction
from app.storage.ids import blob
from app.storage.records import RecordStore, derived_values, encode, q, recompute_lead_stage
from app.storage.schema import id_columns
from app.storage.stamps import ms

HELD_STATES = ("conflict", "quarantined")


# --- meta -----------------------------------------------------------------------------------

def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def set_meta(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


# --- outgoing ---------------------------------------------------------------------------------

@dataclass
class OutChange:
    seq: int
    change_id: str
    type: str
    id: str
    base_version: int | None
    base_change_id: str | None
    group: str | None
    fields: dict[str, Any]
    sent: bool

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "change_id": self.change_id, "type": self.type, "id": self.id,
            "base_version": self.base_version, "fields": self.fields,
        }
        if self.base_change_id:
            out["base_change_id"] = self.base_change_id
        if self.group:
            out["group"] = self.group
        return out


def _refs(type_name: str, fields: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for name, many in _ref_fields(type_name):
        value = fields.get(name)
        if value:
            if many:
                out.extend(value)
            else:
                out.append(value)
    return out


@functools.cache
def _ref_fields(type_name: str) -> tuple[tuple[str, bool], ...]:
    """(name, holds many) of a type's reference fields, in field order."""
    return tuple((f.name, f.kind == "refs") for f in spec_for(type_name).fields
                 if f.kind in ("ref", "refs"))


def has_outgoing(conn: sqlite3.Connection) -> bool:
    """Whether any change waits to be pushed (some may still turn out held back)."""
    return conn.execute("SELECT 1 FROM outbox WHERE state = 'pending' LIMIT 1").fetchone() is not None


def outgoing(conn: sqlite3.Connection, limit: int = 500) -> tuple[list[OutChange], int]:
    """Changes to push now, in order, and how many are held back.

    A change is held while an earlier change of its record, or a record it references, is in
    conflict or quarantine (one problem must not cascade into many). A group travels whole.
    """
    rows = conn.execute(
        "SELECT seq, change_id, type, record_id, base_version, base_change_id, group_id, fields,"
        " state, sent_at FROM outbox ORDER BY seq"
    ).fetchall()
    blocked: set[str] = {r[3] for r in rows if r[8] in HELD_STATES}
    ready: list[OutChange] = []
    held = 0
    for seq, cid, t, rid, bv, bcid, group, fields_json, state, sent_at in rows:
        if state != "pending":
            continue
        fields = json.loads(fields_json)
        if blocked and (rid in blocked or any(ref in blocked for ref in _refs(t, fields))):
            blocked.add(rid)
            held += 1
            continue
        ready.append(OutChange(seq, cid, t, rid, bv, bcid, group, fields, sent_at is not None))
    # A group with any member held is held as a whole.
    held_groups = {c.group for c in ready if c.group and c.id in blocked}
    if held_groups:
        before = len(ready)
        ready = [c for c in ready if c.group not in held_groups]
        held += before - len(ready)
    ready = _parents_first(ready)
    out: list[OutChange] = []
    for c in ready:
        if len(out) >= limit and (not c.group or not out or out[-1].group != c.group):
            break
        out.append(c)
    return out, held


def _parents_first(changes: list[OutChange]) -> list[OutChange]:
    """Stable order in which a record's create comes before changes that reference it
    (a requeued child can be older in the outbox than its parent's fresh create)."""
    creates = {c.id for c in changes if c.base_version is None}
    if not creates:
        return changes  # (nothing to put first: the usual batch of edits)
    placed: set[str] = set()
    out: list[OutChange] = []
    waiting = list(changes)
    while waiting:
        rest = []
        for c in waiting:
            deps = [r for r in _refs(c.type, c.fields) if r in creates and r not in placed and r != c.id]
            if deps:
                rest.append(c)
            else:
                out.append(c)
                placed.add(c.id)
        if len(rest) == len(waiting):  # a cycle: keep the outbox order
            out += rest
            break
        waiting = rest
    return out


def mark_sent(conn: sqlite3.Connection, change_ids: Iterable[str]) -> None:
    """From here on these changes are never altered (they may have reached the server)."""
    now = utc_now()
    with transaction(conn):
        # One statement for the batch (an executemany of a thousand took 5-7 ms).
        conn.execute(
            "UPDATE outbox SET sent_at = COALESCE(sent_at, ?), attempts = attempts + 1"
            " WHERE change_id IN (SELECT value FROM json_each(?))",
            (now, json.dumps(list(dict.fromkeys(change_ids)))),
        )


# --- synced copies and digests ---------------------------------------------------------------

def synced_copy(conn: sqlite3.Connection, type_name: str, record_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT data FROM synced_copy WHERE type = ? AND id = ?", (type_name, record_id)
    ).fetchone()
    return json.loads(row[0]) if row else None


def _set_synced(conn: sqlite3.Connection, record: Mapping[str, Any]) -> bool:
    """Store the server's copy if it is newer than ours; keeps the digests in step."""
    t, rid, version = record["type"], record["id"], int(record["version"])
    deleted = bool(record.get("deleted"))
    old = conn.execute(
        "SELECT version, deleted FROM synced_copy WHERE type = ? AND id = ?", (t, rid)
    ).fetchone()
    if old is not None and old[0] >= version:
        return False
    bucket = digest.bucket_of(rid)
    delta = digest.record_hash(t, rid, version, deleted)
    count_delta = 1
    if old is not None:
        delta ^= digest.record_hash(t, rid, old[0], bool(old[1]))
        count_delta = 0
    conn.execute(
        "INSERT INTO sync_digest (type, bucket, count, digest) VALUES (?, ?, 0, 0)"
        " ON CONFLICT (type, bucket) DO NOTHING",
        (t, bucket),
    )
    cur = conn.execute(
        "SELECT digest FROM sync_digest WHERE type = ? AND bucket = ?", (t, bucket)
    ).fetchone()[0]
    conn.execute(
        "UPDATE sync_digest SET count = count + ?, digest = ? WHERE type = ? AND bucket = ?",
        (count_delta, digest.to_signed((cur & ((1 << 64) - 1)) ^ delta), t, bucket),
    )
    conn.execute(
        "INSERT OR REPLACE INTO synced_copy (type, id, version, deleted, data) VALUES (?, ?, ?, ?, ?)",
        (t, rid, version, 1 if deleted else 0, json.dumps(dict(record), ensure_ascii=False)),
    )
    return True


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps without its per-call set-up


def _set_synced_many(
    conn: sqlite3.Connection, records: Iterable[Mapping[str, Any]]
) -> set[tuple[str, str]]:
    """`_set_synced` for many records in a few statements; returns the (type, id) of those
    that were newer than our copies (and so were stored)."""
    wanted: dict[str, list[str]] = {}
    for r in records:
        wanted.setdefault(r["type"], []).append(r["id"])
    have: dict[tuple[str, str], tuple[int, bool]] = {}
    for t, ids in wanted.items():
        for rid, version, deleted in conn.execute(
            "SELECT id, version, deleted FROM synced_copy WHERE type = ?"
            " AND id IN (SELECT value FROM json_each(?))", (t, json.dumps(ids)),
        ):
            have[(t, rid)] = (int(version), bool(deleted))
    delta: dict[tuple[str, int], list[int]] = {}
    rows: list[tuple[str, str, int, int, str]] = []
    stored: set[tuple[str, str]] = set()
    for r in records:
        t, rid, version = r["type"], r["id"], int(r["version"])
        deleted = bool(r.get("deleted"))
        old = have.get((t, rid))
        if old is not None and old[0] >= version:
            continue
        d = delta.setdefault((t, digest.bucket_of(rid)), [0, 0])
        d[1] ^= digest.record_hash(t, rid, version, deleted)
        if old is None:
            d[0] += 1
        else:
            d[1] ^= digest.record_hash(t, rid, old[0], old[1])
        have[(t, rid)] = (version, deleted)
        stored.add((t, rid))
        rows.append((t, rid, version, 1 if deleted else 0,
                     _JSON.encode(r if isinstance(r, dict) else dict(r))))
    if not rows:
        return stored
    current = {
        (t, b): (int(n), int(v) & ((1 << 64) - 1))
        for t, b, n, v in conn.execute("SELECT type, bucket, count, digest FROM sync_digest")
    }
    conn.executemany(
        "INSERT INTO sync_digest (type, bucket, count, digest) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (type, bucket) DO UPDATE SET count = excluded.count,"
        " digest = excluded.digest",
        [
            (t, b, current.get((t, b), (0, 0))[0] + n,
             digest.to_signed(current.get((t, b), (0, 0))[1] ^ x))
            for (t, b), (n, x) in delta.items()
        ],
    )
    # An upsert changes the row where it is; OR REPLACE deleted and inserted it again.
    conn.executemany(
        "INSERT INTO synced_copy (type, id, version, deleted, data) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (type, id) DO UPDATE SET version = excluded.version,"
        " deleted = excluded.deleted, data = excluded.data",
        rows,
    )
    return stored


def rebuild_digests(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM sync_digest")
    rows = conn.execute("SELECT type, id, version, deleted FROM synced_copy").fetchall()
    acc: dict[tuple[str, int], list[int]] = {}
    for t, rid, version, deleted in rows:
        entry = acc.setdefault((t, digest.bucket_of(rid)), [0, 0])
        entry[0] += 1
        entry[1] ^= digest.record_hash(t, rid, version, bool(deleted))
    conn.executemany(
        "INSERT INTO sync_digest (type, bucket, count, digest) VALUES (?, ?, ?, ?)",
        [(t, b, c, digest.to_signed(d)) for (t, b), (c, d) in acc.items()],
    )


def local_digests(conn: sqlite3.Connection) -> dict[str, dict[str, object]]:
    """The digests of our synced copies in the server's wire form."""
    by_type: dict[str, digest.TypeDigest] = {}
    for t, bucket, count, value in conn.execute(
        "SELECT type, bucket, count, digest FROM sync_digest WHERE count > 0"
    ):
        d = by_type.setdefault(t, digest.TypeDigest())
        d.counts[bucket] = count
        d.digests[bucket] = value & ((1 << 64) - 1)
    return {t: d.to_wire() for t, d in sorted(by_type.items())}


# --- local rows --------------------------------------------------------------------------------

def _local(conn: sqlite3.Connection, type_name: str, record_id: str) -> dict[str, Any] | None:
    return RecordStore(conn).find(type_name, record_id)


def write_local(conn: sqlite3.Connection, record: Mapping[str, Any]) -> None:
    """Make the local row equal to a wire record (fields, meta, version); reindex it."""
    spec = spec_for(record["type"])
    old = _local(conn, spec.type, record["id"])
    row: dict[str, Any] = {"id": blob(record["id"])}
    for f in spec.fields:
        row[f.name] = encode(spec, f.name, record.get(f.name, f.empty()))
    row.update(derived_values(spec, record))
    for name in ("created_at", "created_by", "updated_at", "updated_by"):
        row[name] = record.get(name) or (old or {}).get(name) or ""
    row["created_at"], row["updated_at"] = ms(row["created_at"]), ms(row["updated_at"])
    row["deleted"] = 1 if record.get("deleted") else 0
    row["version"] = record.get("version")
    cols = ", ".join(q(c) for c in row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT OR REPLACE INTO {spec.type} ({cols}) VALUES ({marks})", list(row.values()))
    new = _local(conn, spec.type, record["id"])
    search.index_record(conn, spec.type, old, new)
    if spec.type == "lead":
        recompute_lead_stage(conn, record["id"])
    elif spec.type == "lead_stage_change":
        recompute_lead_stage(conn, record["lead_id"])


_META = ("created_at", "created_by", "updated_at", "updated_by")


def _write_local_many(
    conn: sqlite3.Connection, type_name: str, records: list[Mapping[str, Any]],
    old: Mapping[str, tuple[Any, ...]],
) -> None:
    """`write_local` for many records of one type, search entries queued (see search.queue)
    rather than rebuilt here. `old` holds the rows as they are (raw column values in the
    order of `_row_columns`, see `_rows_by_id`) for those that exist.

    New rows go in with one executemany; an existing row is updated in the columns whose
    values differ only (grouped, one executemany per set of columns): an UPDATE leaves the
    indexes of columns it does not set alone, and most pulled edits touch one or two fields
    of a table with up to eight indexes. Columns kept beside the record (a lead's stage and
    reached dates) stay, and are recomputed by the caller where they depend on what changed.
    """
    spec = SPECS[type_name]
    cols = _row_columns(spec)
    fields = _field_encoders(type_name)
    derived = cols[1 + len(fields):-6]
    meta_at = len(cols) - 6  # where the _META columns start
    deleted_at = len(cols) - 2
    inserts: list[list[Any]] = []
    updates: dict[tuple[int, ...], list[list[Any]]] = {}
    positions = range(1, len(cols))
    # Columns stored in another form than the record's (ids as bytes, times as integers).
    stored_as = {i: blob for i, c in enumerate(cols) if c in _id_columns(type_name)}
    stored_as.update((cols.index(c), ms) for c in stamps.COLUMNS)

    def bound(values: list[Any], at: Iterable[int]) -> list[Any]:
        return [stored_as[i](v) if i in stored_as else v for v, i in zip(values, at)]

    for record in records:
        before = old.get(record["id"])
        values = derived_values(spec, record) if derived else {}
        row = [record["id"]]
        for name, kind, empty in fields:
            value = record.get(name, empty)
            if kind == "multi":
                value = _JSON.encode(value or [])
            elif kind == "bool":
                value = 1 if value else 0
            row.append(value)
        row += [values.get(name) for name in derived]
        if before is None:
            row += [record.get(name) or "" for name in _META]
        else:
            row += [record.get(name) or before[meta_at + k] or "" for k, name in enumerate(_META)]
        row += [1 if record.get("deleted") else 0, record.get("version")]
        if before is None:
            inserts.append(row)
            continue
        changed = tuple(i for i in positions if before[i] != row[i])
        if changed:
            updates.setdefault(changed, []).append(
                bound([row[i] for i in changed], changed) + [blob(row[0])]
            )
    if inserts:
        everything = range(len(cols))
        conn.executemany(
            f"INSERT INTO {type_name} ({', '.join(q(c) for c in cols)})"
            f" VALUES ({', '.join('?' for _ in cols)})",
            [bound(row, everything) for row in inserts],
        )
    for changed, params in updates.items():
        conn.executemany(
            f"UPDATE {type_name} SET {', '.join(f'{q(cols[i])} = ?' for i in changed)}"
            " WHERE id = ?",
            params,
        )
    if type_name in search.SEARCHABLE:
        indexed = [(f, cols.index(f)) for f in search.indexed_fields(type_name)]
        field_text = search.field_text
        queued = []
        for record in records:
            before = old.get(record["id"])
            was = before is not None and not before[deleted_at]
            now = not record.get("deleted")
            if was != now or (now and any(
                field_text(record.get(f)) != field_text(before[i])  # type: ignore[index]
                for f, i in indexed
            )):
                # What the index holds for it: the indexed fields as the row has them.
                queued.append((record["id"], {f: before[i] for f, i in indexed}  # type: ignore[index]
                               if was else None))
        search.queue(conn, type_name, queued)


@functools.cache
def _field_encoders(type_name: str) -> tuple[tuple[str, str, Any], ...]:
    """(name, how to encode: multi/bool/plain, empty value) per field: `records.encode`
    without its per-call field lookups (one per field of a thousand records a page)."""
    out = []
    for f in SPECS[type_name].fields:
        kind = "multi" if f.is_multi else "bool" if f.kind == "bool" else "plain"
        out.append((f.name, kind, f.empty()))
    return tuple(out)


def _row_columns(spec: Any) -> tuple[str, ...]:
    """The columns a wire record sets: id, fields, its own derived columns, meta."""
    return _columns_of(spec.type)


@functools.cache
def _id_columns(type_name: str) -> frozenset[str]:
    return frozenset(id_columns(SPECS[type_name]))


@functools.cache
def _columns_of(type_name: str) -> tuple[str, ...]:
    spec = SPECS[type_name]
    derived = list(derived_values(spec, {}))
    return ("id", *spec.field_names, *derived, *_META, "deleted", "version")


def _rows_by_id(
    conn: sqlite3.Connection, type_name: str, ids: list[str]
) -> dict[str, tuple[Any, ...]]:
    """Raw rows (tuples of the columns of `_row_columns`, in that order) of these records
    that exist."""
    return _select_by_id(conn, type_name, ids, _row_columns(SPECS[type_name]))


def _select_by_id(
    conn: sqlite3.Connection, type_name: str, ids: list[str], columns: Sequence[str]
) -> dict[str, tuple[Any, ...]]:
    """{id: the row's `columns`} for those of these records that exist (id must be first)."""
    cols = ", ".join(q(c) for c in columns)
    return {
        row[0]: row
        for row in conn.execute(
            f"SELECT {cols} FROM {type_name} WHERE id IN (SELECT uuid_blob(value) FROM json_each(?))",
            (json.dumps(ids),),
        )
    }


def has_pending(conn: sqlite3.Connection, type_name: str, record_id: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM outbox WHERE type = ? AND record_id = ? LIMIT 1", (type_name, record_id)
    ).fetchone() is not None


# --- pull ---------------------------------------------------------------------------------------

def apply_pulled(
    conn: sqlite3.Connection, records: list[Mapping[str, Any]], cursor: str | None,
    *, index_now: bool = True,
) -> int:
    """Apply one page of pulled records and move the cursor, in one transaction.

    A record with local changes still in the outbox keeps its local row: the push answers
    its change with a conflict that merges three-way against the change's own base.
    Returns how many local rows changed.

    Rows are written with one executemany per type. Their search entries are queued in the
    same transaction; `index_now` indexes them before it commits, otherwise the caller runs
    `search.drain` soon after (the sync engine does, off the sync's hot path).
    """
    changed = 0
    protect = protected_versions(conn)
    with transaction(conn):
        # One entry per record (a page never repeats one; if it did, the newest would win).
        page: dict[tuple[str, str], Mapping[str, Any]] = {}
        for record in records:
            if record.get("type") not in SPECS:
                continue
            key = (record["type"], record["id"])
            if key not in page or int(record["version"]) > int(page[key]["version"]):
                page[key] = record
        if page:
            newer = _set_synced_many(conn, page.values())
            pending = {
                (t, rid) for t, rid in conn.execute(
                    "SELECT DISTINCT type, record_id FROM outbox"
                    " WHERE record_id IN (SELECT value FROM json_each(?))",
                    (json.dumps([rid for _, rid in page]),),
                )
            }
            by_type: dict[str, list[Mapping[str, Any]]] = {}
            for key, record in page.items():
                by_type.setdefault(key[0], []).append(record)
            leads: dict[str, None] = {}
            for t in SPECS:  # parents first, as the specs are ordered
                recs = by_type.get(t)
                if not recs:
                    continue
                old = _rows_by_id(conn, t, [r["id"] for r in recs])
                todo = []
                for record in recs:
                    key = (t, record["id"])
                    if key not in newer and record["id"] in old:
                        continue
                    if key in pending:
                        continue
                    # After a server restore, our copy may be newer than the restored one:
                    # keep it; repush_newer sends it back.
                    if protect.get(key, 0) > int(record["version"]):
                        continue
                    todo.append(record)
                    if t == "lead" and record["id"] not in old:
                        # A new lead row gets its stage columns here; an existing one keeps
                        # them (they follow its stage changes, not its own fields).
                        leads[record["id"]] = None
                    elif t == "lead_stage_change" and record.get("lead_id"):
                        leads[record["lead_id"]] = None
                if todo:
                    _write_local_many(conn, t, todo, old)
                    changed += len(todo)
            for lead_id in leads:
                recompute_lead_stage(conn, lead_id)
        if cursor is not None:
            set_meta(conn, "cursor", cursor)
        if index_now:
            search.drain(conn)
    return changed


# --- push replies ---------------------------------------------------------------------------------

@dataclass
class ReplyOutcome:
    accepted: int = 0
    merged: int = 0
    conflicts: int = 0
    rejected: int = 0
    conflict_ids: list[str] = field(default_factory=list)


def _outbox_row(conn: sqlite3.Connection, change_id: str) -> dict[str, Any] | None:
    cur = conn.execute(
        "SELECT seq, change_id, type, record_id, base_version, fields, base, group_id"
        " FROM outbox WHERE change_id = ?",
        (change_id,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    item = dict(zip([d[0] for d in cur.description], row, strict=True))
    item["fields"] = json.loads(item["fields"])
    item["base"] = json.loads(item["base"]) if item["base"] else None
    return item


def apply_replies(
    conn: sqlite3.Connection, replies: list[Mapping[str, Any]],
    cursor: tuple[str | None, str] | None = None,
) -> ReplyOutcome:
    """Apply the server's per-change replies in one transaction.

    `cursor`: (the cursor the push was sent with, the server's cursor right after it), when
    the push was all the org wrote since the first (so we hold every record the second
    covers once these replies are applied): our cursor moves with the replies, if it is
    still the one sent, and those records need not be pulled back.
    """
    outcome = ReplyOutcome()
    with transaction(conn):
        if cursor is not None and get_meta(conn, "cursor") == cursor[0]:
            set_meta(conn, "cursor", cursor[1])
        if replies and all(r.get("status") == "accepted" for r in replies):
            # The common case, in bulk: the same effect as _accept one by one.
            outcome.accepted = _accept_many(conn, replies)
            return outcome
        for reply in replies:
            row = _outbox_row(conn, str(reply.get("change_id")))
            if row is None:
                continue  # answered before (a replayed reply) or superseded by a merge
            status = reply.get("status")
            if status in ("rejected", "conflict") and _references_blocked(conn, row):
                # It failed because a record it points at failed first (a duplicate parent,
                # say): hold it back as a fresh change instead of adding a second problem.
                requeue(conn, row["type"], row["record_id"])
                continue
            if status == "accepted":
                _accept(conn, row, int(reply["version"]))
                outcome.accepted += 1
            elif status == "conflict":
                cid = _conflict(conn, row, reply)
                if cid is None:
                    outcome.merged += 1
                else:
                    outcome.conflicts += 1
                    outcome.conflict_ids.append(cid)
            elif status == "rejected":
                conn.execute(
                    "UPDATE outbox SET state = 'quarantined', reply = ? WHERE change_id = ?",
                    (json.dumps(dict(reply), ensure_ascii=False), row["change_id"]),
                )
                outcome.rejected += 1
    return outcome


def _references_blocked(conn: sqlite3.Connection, row: Mapping[str, Any]) -> bool:
    refs = _refs(row["type"], row["fields"])
    if not refs:
        return False
    marks = ", ".join("?" for _ in refs)
    return conn.execute(
        f"SELECT 1 FROM outbox WHERE record_id IN ({marks}) AND state IN ('conflict', 'quarantined')"
        " LIMIT 1",
        refs,
    ).fetchone() is not None


def requeue(conn: sqlite3.Connection, t: str, rid: str) -> None:
    """Replace a record's outbox rows by one fresh change carrying its whole local state."""
    theirs = synced_copy(conn, t, rid)
    if theirs is None:
        _push_whole(conn, t, rid)
    else:
        rebase(conn, t, rid, _local(conn, t, rid) or {}, theirs)


def _accept(conn: sqlite3.Connection, row: Mapping[str, Any], version: int) -> None:
    t, rid = row["type"], row["record_id"]
    local = _local(conn, t, rid) or {}
    copy: dict[str, Any] = dict(row["base"] or {})
    copy.update(row["fields"])
    copy.update(type=t, id=rid, version=version)
    for name in ("created_at", "created_by", "updated_at", "updated_by"):
        copy.setdefault(name, local.get(name))
    copy["deleted"] = bool(copy.get("deleted", False))
    _set_synced(conn, copy)  # the record's version from now on (see records.synced_versions)
    conn.execute("DELETE FROM outbox WHERE change_id = ?", (row["change_id"],))


def _accept_many(conn: sqlite3.Connection, replies: list[Mapping[str, Any]]) -> int:
    """`_accept` for many accepted replies, in order; returns how many named a change we
    still held (a replayed reply finds none)."""
    versions = {str(r.get("change_id")): int(r["version"]) for r in replies}
    cur = conn.execute(
        "SELECT seq, change_id, type, record_id, fields, base FROM outbox"
        " WHERE change_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
        (json.dumps(list(versions)),),
    )
    rows = cur.fetchall()
    if not rows:
        return 0
    order = {str(r.get("change_id")): n for n, r in enumerate(replies)}
    copies = []
    lacking: dict[str, list[str]] = {}  # records whose copy lacks meta: new ones, mostly
    for _seq, cid, t, rid, fields, base in sorted(rows, key=lambda r: order[r[1]]):
        version = versions[cid]
        copy: dict[str, Any] = json.loads(base) if base else {}
        copy.update(json.loads(fields))
        copy.update(type=t, id=rid, version=version)
        if not all(name in copy for name in _META):
            lacking.setdefault(t, []).append(rid)
        copy["deleted"] = bool(copy.get("deleted", False))
        copies.append(copy)
    # The meta fields of the local rows, for those copies only (an edit's base has them).
    local = {t: _meta_by_id(conn, t, ids) for t, ids in lacking.items()}
    for copy in copies:
        if copy["type"] in local:
            mine = local[copy["type"]].get(copy["id"]) or _NO_META
            for name, value in zip(_META, mine, strict=True):
                copy.setdefault(name, value)
    # The synced copies carry the records' new versions (see records.synced_versions).
    _set_synced_many(conn, copies)
    conn.execute("DELETE FROM outbox WHERE change_id IN (SELECT value FROM json_each(?))",
                 (json.dumps([r[1] for r in rows]),))
    return len(rows)


_NO_META = (None,) * len(_META)


def _meta_by_id(
    conn: sqlite3.Connection, type_name: str, ids: list[str]
) -> dict[str, tuple[Any, ...]]:
    """The meta fields (in `_META` order) of these records' local rows that exist."""
    rows = _select_by_id(conn, type_name, ids, ("id", *_META))
    return {rid: row[1:] for rid, row in rows.items()}


def _hold_record(conn: sqlite3.Connection, t: str, rid: str) -> None:
    conn.execute(
        "UPDATE outbox SET state = 'conflict' WHERE type = ? AND record_id = ?", (t, rid)
    )


def _conflict(conn: sqlite3.Connection, row: Mapping[str, Any], reply: Mapping[str, Any]) -> str | None:
    """Merge a stale change three-way, or record a conflict for the user; returns its id."""
    t, rid = row["type"], row["record_id"]
    spec = spec_for(t)
    theirs = reply.get("record")
    if theirs:
        _set_synced(conn, theirs)
    mine = _local(conn, t, rid) or {}
    reason = reply.get("reason")
    if reason == "duplicate":
        return _new_conflict(conn, "duplicate", row, mine, theirs, None, [],
                             duplicate_of=reply.get("duplicate_of"))
    if reason in ("parent_deleted", "has_children") or not theirs:
        return _new_conflict(conn, "delete_edit", row, mine, theirs or reply.get("other"), None, [])
    result = merge(spec, row["base"], mine, theirs)
    if result.delete_conflict:
        return _new_conflict(conn, "delete_edit", row, mine, theirs, row["base"], [])
    if result.conflicts:
        return _new_conflict(conn, "fields", row, mine, theirs, row["base"], result.conflicts)
    rebase(conn, t, rid, {**result.merged, "deleted": result.deleted}, theirs)
    return None


def _new_conflict(
    conn: sqlite3.Connection, kind: str, row: Mapping[str, Any], mine: Any, theirs: Any,
    base: Any, fields: list[str], duplicate_of: str | None = None,
) -> str:
    cid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO conflict (id, kind, type, record_id, change_id, fields, mine, theirs, base,"
        " duplicate_of, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            cid, kind, row["type"], row["record_id"], row["change_id"],
            json.dumps(fields), _dump(mine), _dump(theirs), _dump(base), duplicate_of, utc_now(),
        ),
    )
    _hold_record(conn, row["type"], row["record_id"])
    return cid


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def rebase(
    conn: sqlite3.Connection, t: str, rid: str, final: Mapping[str, Any], theirs: Mapping[str, Any]
) -> None:
    """Local row := final; replace the record's outbox rows by one change based on theirs."""
    spec = spec_for(t)
    if final.get("deleted", theirs.get("deleted")) and theirs.get("deleted"):
        # Deleted on both sides: the server takes no edit to a tombstone (it would answer
        # `deleted` to every retry), and an edit of a record its author also deleted has
        # nothing to land on. The record settles as the server's tombstone.
        final = theirs
    local = _local(conn, t, rid) or {}
    record = {**theirs, **{f.name: final.get(f.name) for f in spec.fields}}
    record["deleted"] = bool(final.get("deleted", theirs.get("deleted")))
    record["updated_at"] = local.get("updated_at") or theirs.get("updated_at")
    record["updated_by"] = local.get("updated_by") or theirs.get("updated_by")
    conn.execute("DELETE FROM outbox WHERE type = ? AND record_id = ?", (t, rid))
    write_local(conn, record)
    diff = {
        f.name: record.get(f.name)
        for f in spec.fields
        if _norm(record.get(f.name)) != _norm(theirs.get(f.name))
    }
    if record["deleted"] != bool(theirs.get("deleted")):
        diff["deleted"] = record["deleted"]
    if diff:
        outbox.add_change(conn, t, rid, diff, base_version=int(theirs["version"]))


def _norm(value: Any) -> Any:
    return None if value in (None, "", [], False) else value


# --- bootstrap, repair and new epochs -------------------------------------------------------------

_KEEP_META = ("server_url", "user", "org", "role", "ca_bundle")


def is_empty_profile(conn: sqlite3.Connection) -> bool:
    """Nothing typed here and nothing synced yet: a snapshot may replace the whole file."""
    if conn.execute("SELECT 1 FROM outbox LIMIT 1").fetchone():
        return False
    if conn.execute("SELECT 1 FROM synced_copy LIMIT 1").fetchone():
        return False
    for t in SPECS:
        where = "created_by != 'system'" if t == "list_item" else "1"
        if conn.execute(f"SELECT 1 FROM {t} WHERE {where} LIMIT 1").fetchone():
            return False
    return True


def install_snapshot(
    conn: sqlite3.Connection, path: Any, cursor: str, epoch: str | None,
    *, verified: bool = False,
) -> bool:
    """Copy a server-built snapshot over this empty profile (SQLite backup API, atomic).

    Returns False (and changes nothing) when the snapshot's schema is newer than ours, or it
    is damaged. `verified`: the file's checksum matched the server's, so the full
    quick_check (0.2 s per 160 MB) is skipped.
    """
    from app.storage import migrations

    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            found = int(src.execute("PRAGMA user_version").fetchone()[0])
            intact = verified or src.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            return False  # not a database at all: fall back to pulling everything
        if not intact or found > migrations.SCHEMA_VERSION or found < 1:
            return False
        kept = {k: get_meta(conn, k) for k in _KEEP_META}
        _backup_direct(src, conn)
    finally:
        src.close()
    migrations.migrate(conn)
    with transaction(conn):
        for k, v in kept.items():
            set_meta(conn, k, v)
        set_meta(conn, "cursor", cursor)
        set_meta(conn, "epoch", epoch)
        set_meta(conn, "is_demo", None)
        has_copies = conn.execute("SELECT 1 FROM synced_copy LIMIT 1").fetchone()
        has_digest = conn.execute("SELECT 1 FROM sync_digest LIMIT 1").fetchone()
        if has_copies and not has_digest:
            rebuild_digests(conn)
    return True


def _backup_direct(src: sqlite3.Connection, conn: sqlite3.Connection) -> None:
    """src.backup(conn), written straight into the file when no one else has it open.

    Into a WAL database every page goes to the WAL first and then again to the file at the
    checkpoint (1.1 s for 160 MB here); in rollback-journal mode the journal holds only the
    few pages of the empty profile (0.5 s). Still one atomic transaction either way.
    """
    switched = False
    if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        try:
            switched = str(conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]) == "delete"
        except sqlite3.OperationalError:
            switched = False  # another connection has it open: stay in WAL
    try:
        src.backup(conn)
    finally:
        if switched:
            conn.execute("PRAGMA journal_mode=WAL")


def _drop_synced(conn: sqlite3.Connection, t: str, rid: str) -> None:
    old = conn.execute(
        "SELECT version, deleted FROM synced_copy WHERE type = ? AND id = ?", (t, rid)
    ).fetchone()
    if old is None:
        return
    h = digest.record_hash(t, rid, old[0], bool(old[1]))
    b = digest.bucket_of(rid)
    cur = conn.execute("SELECT digest FROM sync_digest WHERE type = ? AND bucket = ?", (t, b)).fetchone()
    value = (cur[0] if cur else 0) & ((1 << 64) - 1)
    conn.execute(
        "UPDATE sync_digest SET count = count - 1, digest = ? WHERE type = ? AND bucket = ?",
        (digest.to_signed(value ^ h), t, b),
    )
    conn.execute("DELETE FROM synced_copy WHERE type = ? AND id = ?", (t, rid))


def _push_whole(conn: sqlite3.Connection, t: str, rid: str) -> None:
    """Queue the local record as a create: the server has no copy of it."""
    local = _local(conn, t, rid)
    if local is None:
        return
    spec = spec_for(t)
    conn.execute("DELETE FROM outbox WHERE type = ? AND record_id = ?", (t, rid))
    fields = {f.name: local.get(f.name) for f in spec.fields if _norm(local.get(f.name)) is not None}
    if local.get("deleted"):
        fields["deleted"] = True
    conn.execute(f"UPDATE {t} SET version = NULL WHERE id = ?", (blob(rid),))
    outbox.add_change(conn, t, rid, fields, base_version=None)


def drop_synced_not_in(conn: sqlite3.Connection, t: str, bucket: int, seen: set[str]) -> int:
    """After a bucket re-pull: records we think are synced but the server lacks are re-pushed."""
    rows = conn.execute(
        "SELECT id FROM synced_copy WHERE type = ? AND substr(id, 1, 1) = ?", (t, f"{bucket:x}")
    ).fetchall()
    missing = [rid for (rid,) in rows if rid not in seen]
    for rid in missing:
        _drop_synced(conn, t, rid)
        _push_whole(conn, t, rid)
    return len(missing)


def begin_new_epoch(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    """Forget the old epoch's synced copies; return the versions we held, to re-push newer work."""
    held = {
        (t, rid): int(v)
        for t, rid, v in conn.execute("SELECT type, id, version FROM synced_copy").fetchall()
    }
    with transaction(conn):
        set_meta(conn, "epoch_protect", json.dumps([[t, i, v] for (t, i), v in held.items()]))
        conn.execute("DELETE FROM synced_copy")
        conn.execute("DELETE FROM sync_digest")
        set_meta(conn, "cursor", None)
    return held


def protected_versions(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    raw = get_meta(conn, "epoch_protect")
    return {(t, i): v for t, i, v in json.loads(raw)} if raw else {}


def repush_newer(
    conn: sqlite3.Connection, held: dict[tuple[str, str], int], bases: Mapping[str, Mapping[str, Any]]
) -> int:
    """Re-push every record we held at a higher version than the restored server's.

    Merged three-way with the epoch-start copy as the base, so newer work wins over the
    restore unless someone changed the record after it (then it is a conflict).
    """
    queued = 0
    with transaction(conn):
        for (t, rid), old_version in held.items():
            theirs = synced_copy(conn, t, rid)
            if theirs is None:
                _push_whole(conn, t, rid)
                queued += 1
                continue
            if int(theirs["version"]) >= old_version or has_pending(conn, t, rid):
                continue
            mine = _local(conn, t, rid)
            if mine is None:
                continue
            spec = spec_for(t)
            base = bases.get(rid) or theirs
            result = merge(spec, base, mine, theirs)
            final = {**result.merged, "deleted": result.deleted}
            rebase(conn, t, rid, final, theirs)
            queued += 1
            if not result.clean:
                row = conn.execute(
                    "SELECT change_id FROM outbox WHERE type = ? AND record_id = ?", (t, rid)
                ).fetchone()
                fake = {"type": t, "record_id": rid, "change_id": row[0] if row else None}
                kind = "delete_edit" if result.delete_conflict else "fields"
                _new_conflict(conn, kind, fake, mine, theirs, base, result.conflicts)
        set_meta(conn, "epoch_protect", None)
    return queued
