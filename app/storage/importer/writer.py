"""Applying an import plan in one transaction: bulk inserts for new records, the store for updates.

New records take the bulk path (executemany for rows and outbox changes, then the search index),
which must leave exactly what `RecordStore.create` leaves; tests/unit/importer/test_writer.py
compares the two. Updates go through `RecordStore.update`, which coalesces unsent outbox changes.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from app.domain.records import SPECS, RecordSpec, new_change_id
from app.domain.values import utc_now
from app.storage import search
from app.storage.db import storage_error, transaction
from app.storage.importer.plan import CREATE, UPDATE, Action, ImportPlan
from app.storage.records import (
    RecordStore,
    column_encoder,
    derived_values,
    q,
    recompute_lead_stage,
)

_MISSING = object()


def _as_is(value: Any) -> Any:
    return value
# Parents before children, so references hold at every step.
WRITE_ORDER = ("list_item", "enterprise", "contact", "lead", "lead_stage_change")


def apply_plan(
    store: RecordStore, plan: ImportPlan, list_items: list[Action], *, bulk: bool = True
) -> None:
    """Write every create and update of the plan, all or nothing.

    `bulk=False` creates through RecordStore.create one by one (the benchmark compares both).
    """
    conn = store.conn
    try:
        with transaction(conn):
            actions = list_items + plan.actions
            for type_name in WRITE_ORDER:
                creates = _unique(a for a in actions if a.type == type_name and a.action == CREATE)
                if bulk:
                    insert_new(conn, SPECS[type_name], [(a.id, a.fields) for a in creates], store.user)
                else:
                    for a in creates:
                        store.create(type_name, a.fields, record_id=a.id)
                for a in _unique(a for a in actions if a.type == type_name and a.action == UPDATE):
                    store.update(type_name, a.id, a.fields)
            leads = {a.fields["lead_id"] for a in actions
                     if a.type == "lead_stage_change" and a.action == CREATE}
            for lead_id in sorted(leads):
                recompute_lead_stage(conn, lead_id)
    except sqlite3.Error as e:
        raise storage_error(e) from e


def _unique(actions: Iterable[Action]) -> list[Action]:
    seen: set[str] = set()
    out = []
    for a in actions:
        if a.id not in seen:
            seen.add(a.id)
            out.append(a)
    return out


def _timestamps(count: int) -> list[str]:
    """Creation times one millisecond apart, so records made in one import keep their order
    (a lead's stage changes on one day are ordered by (date, created_at, id))."""
    start = dt.datetime.now(dt.UTC)
    return [
        (start + dt.timedelta(milliseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        for i in range(count)
    ]


def insert_new(
    conn: sqlite3.Connection, spec: RecordSpec, items: list[tuple[str, dict[str, Any]]], user: str
) -> list[dict[str, Any]]:
    """Insert new records (cleaned fields, ids not in use) with their outbox changes and index
    entries, as RecordStore.create would one by one. Must run inside a transaction."""
    if not items:
        return []
    # Stage changes of one lead on one day are ordered by created_at; others share one time.
    stamps = _timestamps(len(items)) if spec.type == "lead_stage_change" else [utc_now()] * len(items)
    table = [r[1] for r in conn.execute(f"PRAGMA table_info({spec.type})")]
    # Each field's empty value, decided once (a fresh list per record for multi-valued ones).
    empties = [(f.name, f.is_multi, f.empty()) for f in spec.fields]
    meta = ("created_at", "created_by", "updated_at", "updated_by", "deleted", "version")
    records: list[dict[str, Any]] = []
    changes: list[tuple[Any, ...]] = []
    for (rid, cleaned), now in zip(items, stamps, strict=True):
        # The record as RecordStore.get returns it: every column, the unset ones None.
        record: dict[str, Any] = dict.fromkeys(table)
        record["type"] = spec.type
        record["id"] = rid
        for name, multi, empty in empties:
            value = cleaned.get(name, _MISSING)
            record[name] = ([] if multi else empty) if value is _MISSING else value
        record.update(derived_values(spec, record))
        record.update(created_at=now, created_by=user, updated_at=now, updated_by=user,
                      deleted=False, version=None)
        records.append(record)
        wire = {k: v for k, v in cleaned.items() if v not in (None, [], False)}
        changes.append((new_change_id(), spec.type, rid, json.dumps(wire, ensure_ascii=False), now))
    columns = ["id", *spec.field_names, *derived_values(spec, records[0]), *meta[:5]]
    encoders = [column_encoder(spec, c) or _as_is for c in columns]
    rows = [tuple(enc(r[c]) for c, enc in zip(columns, encoders, strict=True)) for r in records]
    marks = ", ".join("?" for _ in columns)
    conn.executemany(
        f"INSERT INTO {spec.type} ({', '.join(q(c) for c in columns)}) VALUES ({marks})", rows
    )
    # A brand-new record has no earlier change and no synced copy: no base, no base change.
    conn.executemany(
        "INSERT INTO outbox (change_id, type, record_id, base_version, base_change_id, group_id,"
        " fields, created_at) VALUES (?, ?, ?, NULL, NULL, NULL, ?, ?)",
        changes,
    )
    _index(conn, spec.type, records)
    return records


def _index(conn: sqlite3.Connection, type_name: str, records: list[dict[str, Any]]) -> None:
    many = getattr(search, "index_many", None)
    if many is not None:
        many(conn, type_name, records)
        return
    for record in records:
        search.index_record(conn, type_name, None, record)
