"""Conflicts and quarantine as the user sees them, and their resolutions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from app.domain.errors import NotFoundError, ValidationError
from app.domain.merge import keep_both, merge
from app.domain.records import RecordSpec, children_of, spec_for, validate_fields
from app.domain.values import utc_now
from app.storage import lists, sync_store
from app.storage.db import transaction
from app.storage.ids import blob
from app.storage.records import RecordStore

TAKE_CHOICES = ("mine", "theirs", "both")
FIELD_CHOICES = (*TAKE_CHOICES, "edit")  # per field, 'edit' takes what the user typed


def _load(value: str | None) -> Any:
    return json.loads(value) if value else None


def list_open(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT id, kind, type, record_id, change_id, fields, mine, theirs, base, duplicate_of,"
        " created_at FROM conflict WHERE resolved_at IS NULL ORDER BY created_at"
    )
    cols = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        item = dict(zip(cols, row, strict=True))
        for key in ("fields", "mine", "theirs", "base"):
            item[key] = _load(item[key])
        out.append(item)
    return out


def get(conn: sqlite3.Connection, conflict_id: str) -> dict[str, Any]:
    for item in list_open(conn):
        if item["id"] == conflict_id:
            return item
    raise NotFoundError("not_found", "id", type="conflict", id=conflict_id)


def sides(conn: sqlite3.Connection, conflict: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(mine, theirs) as they are now: the local record and the newest server copy we know."""
    t, rid = conflict["type"], conflict["record_id"]
    mine = sync_store._local(conn, t, rid) or conflict["mine"] or {}
    theirs = sync_store.synced_copy(conn, t, rid) or conflict["theirs"] or {}
    return mine, theirs


def resolve(
    conn: sqlite3.Connection,
    conflict_id: str,
    take: str,
    *,
    per_field: Mapping[str, str] | None = None,
    edited: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Resolve a field or delete-vs-edit conflict: keep mine, theirs, or both (long text).

    Args:
        take: the choice for every conflicting field not named in `per_field`.
        per_field: field name -> 'mine', 'theirs', 'both' or 'edit' (field conflicts only).
        edited: field name -> the value the user typed, for the fields chosen as 'edit';
            validated like any edit.
    """
    per_field = dict(per_field or {})
    for choice, allowed in ((take, TAKE_CHOICES), *((c, FIELD_CHOICES) for c in per_field.values())):
        if choice not in allowed:
            raise ValidationError("enum", "take", value=choice, choices="、".join(allowed))
    with transaction(conn):
        c = get(conn, conflict_id)
        if c["kind"] == "duplicate":
            raise ValidationError("conflict_needs_merge", "id")
        t, rid = c["type"], c["record_id"]
        spec = spec_for(t)
        # Against the newest server copy we know, not the one the conflict first saw.
        theirs = sync_store.synced_copy(conn, t, rid) or c["theirs"]
        mine = sync_store._local(conn, t, rid) or c["mine"]
        if theirs is None:
            raise ValidationError("conflict_no_server_copy", "id")
        result = merge(spec, c["base"], mine, theirs)
        final: dict[str, Any] = dict(result.merged)
        if c["kind"] == "fields":
            typed = _clean_edits(conn, spec, per_field, edited or {}, mine)
            for name in result.conflicts or c["fields"]:
                choice = per_field.get(name, take)
                if choice == "edit":
                    final[name] = typed[name]
                elif choice == "theirs":
                    final[name] = theirs.get(name)
                elif choice == "both":
                    final[name] = keep_both(spec, name, mine.get(name), theirs.get(name))
                else:
                    final[name] = mine.get(name)
            final["deleted"] = result.deleted
        else:  # delete vs edit
            if take == "both":
                raise ValidationError("conflict_both_fields_only", "take")
            source = theirs if take == "theirs" else mine
            final = {f.name: source.get(f.name) for f in spec.fields}
            final["deleted"] = bool(source.get("deleted"))
        sync_store.rebase(conn, t, rid, final, theirs)
        conn.execute(
            "UPDATE conflict SET resolved_at = ?, resolution = ? WHERE id = ?",
            (utc_now(), "per_field" if per_field else take, conflict_id),
        )
        return sync_store._local(conn, t, rid) or {}


def _clean_edits(
    conn: sqlite3.Connection, spec: RecordSpec, per_field: Mapping[str, str],
    edited: Mapping[str, Any], mine: Mapping[str, Any],
) -> dict[str, Any]:
    names = [n for n, choice in per_field.items() if choice == "edit"]
    missing = [n for n in names if n not in edited]
    if missing:
        raise ValidationError("required", missing[0], record_type=spec.type)
    values = {n: edited[n] for n in names}
    return validate_fields(spec, values, existing=mine,
                           list_has=lambda kind, v: lists.has(conn, kind, v))


def merge_duplicate(store: RecordStore, conflict_id: str) -> dict[str, Any]:
    """One enterprise created on two laptops: move everything to the server's, drop ours."""
    conn = store.conn
    with transaction(conn):
        c = get(conn, conflict_id)
        if c["kind"] != "duplicate" or not c["duplicate_of"]:
            raise ValidationError("conflict_not_duplicate", "id")
        loser, survivor = c["record_id"], c["duplicate_of"]
        if store.find("enterprise", survivor) is None:
            raise ValidationError("conflict_survivor_missing", "id")
        moved = 0
        for child_spec, ref in children_of("enterprise"):
            for child in store.list(child_spec.type, {ref.name: loser}, limit=None):
                store.update(child_spec.type, child["id"], {ref.name: survivor})
                moved += 1
        # Ours never reached the server: it goes without a trace instead of a tombstone.
        conn.execute("DELETE FROM outbox WHERE type = 'enterprise' AND record_id = ?", (loser,))
        was_synced = sync_store.synced_copy(conn, "enterprise", loser) is not None
        if was_synced:
            store.delete("enterprise", loser)
        else:
            from app.storage import search

            old = store.get("enterprise", loser)
            conn.execute("DELETE FROM enterprise WHERE id = ?", (blob(loser),))
            search.index_record(conn, "enterprise", old, None)
        conn.execute(
            "UPDATE conflict SET resolved_at = ?, resolution = 'merged' WHERE id = ?",
            (utc_now(), conflict_id),
        )
        return {"survivor": survivor, "removed": loser, "moved": moved}


def list_quarantine(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT change_id, type, record_id, fields, reply, created_at FROM outbox"
        " WHERE state = 'quarantined' ORDER BY seq"
    ).fetchall()
    return [
        {"change_id": cid, "type": t, "id": rid, "fields": _load(f), "reason": _load(r) or {},
         "created_at": at}
        for cid, t, rid, f, r, at in rows
    ]


def retry_quarantined(conn: sqlite3.Connection, change_id: str) -> None:
    """Send the record again as it is now (after the user fixed it), as a fresh change."""
    with transaction(conn):
        row = conn.execute(
            "SELECT type, record_id FROM outbox WHERE change_id = ? AND state = 'quarantined'",
            (change_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError("not_found", "id", type="quarantine", id=change_id)
        t, rid = row
        theirs = sync_store.synced_copy(conn, t, rid)
        if theirs is None:
            sync_store._push_whole(conn, t, rid)
        else:
            local = sync_store._local(conn, t, rid) or {}
            sync_store.rebase(conn, t, rid, local, theirs)
