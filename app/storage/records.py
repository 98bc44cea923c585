"""Reading and writing records: each save is the row, its outbox change and its index entry,
committed in one transaction."""

from __future__ import annotations

import functools
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.domain import uscc as uscc_rules
from app.domain.enums import ListKind
from app.domain.errors import NotFoundError, ValidationError
from app.domain.records import (
    SPECS,
    RecordSpec,
    children_of,
    is_uuid,
    new_id,
    spec_for,
    validate_fields,
)
from app.domain.values import match_key, utc_now
from app.storage import lead_stages, lists, outbox, search, stamps
from app.storage.db import storage_error, transaction
from app.storage.ids import blob
from app.storage.schema import DERIVED_COLUMNS
from app.storage.stamps import ms


def q(name: str) -> str:
    return f'"{name}"'


def encode(spec: RecordSpec, name: str, value: Any) -> Any:
    """Python value → column value of field `name`."""
    spec.field(name)  # (KeyError for a name that is not a field)
    enc = column_encoder(spec, name)
    return enc(value) if enc is not None else value


_JSON_LIST = json.JSONEncoder(ensure_ascii=False).encode


@functools.cache
def column_encoder(spec: RecordSpec, column: str) -> Callable[[Any], Any] | None:
    """How a value of a record (wire form) is stored in `column` of its table, as `encode`
    does for fields, plus ids, timestamps and the tombstone; None where it is stored as it
    is. Decided once per column by the bulk writers (imports, demo data)."""
    if column == "deleted":
        return _flag
    if column == "id":
        return blob
    if column in stamps.COLUMNS:
        return ms
    if not spec.has_field(column):
        return None
    f = spec.field(column)
    if f.is_multi:
        return lambda v: _JSON_LIST(v or [])
    if f.kind == "bool":
        return _flag
    if f.kind == "ref":
        return blob
    return None


def _flag(value: Any) -> int:
    return 1 if value else 0


def decode_row(spec: RecordSpec, columns: Iterable[str], row: Iterable[Any]) -> dict[str, Any]:
    """Column values → a record dict in wire form (type, id, fields, derived, meta)."""
    record: dict[str, Any] = {"type": spec.type}
    for name, value in zip(columns, row):
        if spec.has_field(name):
            f = spec.field(name)
            if f.is_multi:
                value = json.loads(value) if value else []
            elif f.kind == "bool":
                value = bool(value)
        elif name == "deleted":
            value = bool(value)
        record[name] = value
    return record


def synced_versions(
    conn: sqlite3.Connection, type_name: str, record_ids: list[str]
) -> dict[str, int]:
    """The server's version of each of these records that has been synced: what a record's
    `version` is. The synced copy holds it; the row's own `version` column is written by
    pulls only and lags behind after our own pushes are acknowledged (not updating it there
    saves rewriting a page of every pushed record: ~10 ms of a push of 1,000)."""
    if not record_ids:
        return {}
    if len(record_ids) == 1:
        row = conn.execute(
            "SELECT version FROM synced_copy WHERE type = ? AND id = ?", (type_name, record_ids[0])
        ).fetchone()
        return {record_ids[0]: int(row[0])} if row else {}
    return {
        rid: int(v) for rid, v in conn.execute(
            "SELECT id, version FROM synced_copy WHERE type = ?"
            " AND id IN (SELECT value FROM json_each(?))", (type_name, json.dumps(record_ids)),
        )
    }


def derived_values(spec: RecordSpec, record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.type in ("enterprise", "lead"):
        out["name_key"] = name_key(record.get("name") or "")
    return out


def name_key(name: str) -> str:
    """Names compared for duplicates: NFKC, no spaces, lower case, （）→()."""
    return match_key(name).replace("（", "(").replace("）", ")")


class RecordStore:
    """All record reads and writes of one profile, as one user."""

    def __init__(self, conn: sqlite3.Connection, user: str = "local", role: str | None = None) -> None:
        """`role` is the server role last seen at login (None before any login: no checks,
        the server is the authority and quarantines what it refuses)."""
        self.conn = conn
        self.user = user
        self.role = role
        self._last_now: str | None = None

    def _now(self) -> str:
        """The current time, strictly later than this store's previous save: two stage
        changes of a lead dated the same day are ordered by created_at, and two saves in
        one millisecond (a script, a fast machine) must not tie and fall back to the ids."""
        now = utc_now()
        if self._last_now is not None and now <= self._last_now:
            now = stamps.text(stamps.ms(self._last_now) + 1)
        self._last_now = now
        return now

    # --- reads ---------------------------------------------------------------------------

    def get(self, type_name: str, record_id: str) -> dict[str, Any]:
        """The record, tombstoned or not; NotFoundError if there is none."""
        spec = spec_for(type_name)
        if not is_uuid(record_id):
            raise NotFoundError("not_found", "id", type=spec.type, id=record_id)
        cur = self.conn.execute(f"SELECT * FROM {spec.type} WHERE id = ?", (blob(record_id),))
        row = cur.fetchone()
        if row is None:
            raise NotFoundError("not_found", "id", type=spec.type, id=record_id)
        record = decode_row(spec, [d[0] for d in cur.description], row)
        record["version"] = synced_versions(self.conn, spec.type, [record["id"]]).get(record["id"])
        return record

    def find(self, type_name: str, record_id: str) -> dict[str, Any] | None:
        try:
            return self.get(type_name, record_id)
        except NotFoundError:
            return None

    def list(
        self,
        type_name: str,
        filters: Mapping[str, Any] | None = None,
        *,
        limit: int | None = 100,
        offset: int = 0,
        deleted: bool = False,
        order_by: str | None = None,
    ) -> list[dict[str, Any]]:
        spec = spec_for(type_name)
        where, args = self._where(spec, filters or {}, deleted)
        order = order_by or self._default_order(spec)
        sql = f"SELECT * FROM {spec.type} WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        cur = self.conn.execute(sql, args)
        cols = [d[0] for d in cur.description]
        records = [decode_row(spec, cols, row) for row in cur.fetchall()]
        versions = synced_versions(self.conn, spec.type, [r["id"] for r in records])
        for r in records:
            r["version"] = versions.get(r["id"])
        return records

    def count(
        self, type_name: str, filters: Mapping[str, Any] | None = None, *, deleted: bool = False
    ) -> int:
        spec = spec_for(type_name)
        where, args = self._where(spec, filters or {}, deleted)
        return int(self.conn.execute(f"SELECT count(*) FROM {spec.type} WHERE {where}", args)
                   .fetchone()[0])

    @staticmethod
    def _default_order(spec: RecordSpec) -> str:
        return {
            "visit": "scheduled_at, id",
            "meeting_note": '"date" DESC, created_at DESC, id',
            "trip": "start_date DESC, id",
            "lead_stage_change": '"date", created_at, id',
            "follow_up": "done, due_date IS NULL, due_date, id",
            "list_item": "kind, COALESCE(position, 1000000), created_at, value",
        }.get(spec.type, "updated_at DESC, id")

    def _where(
        self, spec: RecordSpec, filters: Mapping[str, Any], deleted: bool
    ) -> tuple[str, list[Any]]:
        clauses = ["deleted = ?"]
        args: list[Any] = [1 if deleted else 0]
        for name, value in filters.items():
            if value is None:
                continue
            if name == "stage" and spec.type == "lead":
                clauses.append("stage = ?")
                args.append(value)
                continue
            if not spec.has_field(name):
                raise ValidationError("unknown_field", name, record_type=spec.type)
            f = spec.field(name)
            if f.is_multi:
                for item in value if isinstance(value, (list, tuple)) else [value]:
                    clauses.append(f"EXISTS (SELECT 1 FROM json_each({q(name)}) WHERE value = ?)")
                    args.append(item)
            else:
                clauses.append(f"{q(name)} = ?")
                args.append(encode(spec, name, value))
        return " AND ".join(clauses), args

    def list_has(self, kind: ListKind, value: str) -> bool:
        return lists.has(self.conn, kind, value)

    # --- writes --------------------------------------------------------------------------

    def create(
        self,
        type_name: str,
        fields: Mapping[str, Any],
        *,
        record_id: str | None = None,
        accept_invalid_uscc: bool = False,
    ) -> dict[str, Any]:
        """Validate and save a new record with its outbox change; returns the saved record."""
        spec = spec_for(type_name)
        try:
            with transaction(self.conn):
                return self._create(spec, fields, record_id, accept_invalid_uscc)
        except sqlite3.Error as e:
            raise storage_error(e) from e

    def update(
        self,
        type_name: str,
        record_id: str,
        fields: Mapping[str, Any],
        *,
        accept_invalid_uscc: bool = False,
    ) -> dict[str, Any]:
        """Apply a partial change (None clears a field); unchanged fields are not sent."""
        spec = spec_for(type_name)
        try:
            with transaction(self.conn):
                return self._update(spec, record_id, fields, accept_invalid_uscc)
        except sqlite3.Error as e:
            raise storage_error(e) from e

    def delete(self, type_name: str, record_id: str, *, cascade: bool = False) -> list[tuple[str, str]]:
        """Tombstone a record (and, with cascade, its live descendants as one group).

        Returns the (type, id) pairs tombstoned. Refused while live children remain and
        cascade is not asked for.
        """
        spec = spec_for(type_name)
        try:
            with transaction(self.conn):
                record = self.get(spec.type, record_id)
                if record["deleted"]:
                    raise ValidationError("deleted", "id", type=spec.type)
                descendants = self._live_descendants(spec.type, record["id"])
                if descendants and not cascade:
                    detail = _count_by_type(descendants)
                    raise ValidationError(
                        "has_children", "id", type=spec.type, count=len(descendants), detail=detail
                    )
                group = str(uuid.uuid4()) if descendants else None
                done = []
                for t, rid in [(spec.type, record["id"]), *descendants]:
                    self._check_may_delete(self.get(t, rid))
                    self._set_deleted(SPECS[t], rid, True, group)
                    done.append((t, rid))
                return done
        except sqlite3.Error as e:
            raise storage_error(e) from e

    def restore(self, type_name: str, record_id: str) -> dict[str, Any]:
        """Bring a record back from the recycle bin (its parents must be live)."""
        spec = spec_for(type_name)
        try:
            with transaction(self.conn):
                record = self.get(spec.type, record_id)
                if not record["deleted"]:
                    raise ValidationError("not_deleted", "id", type=spec.type)
                for name in spec.parents:
                    if record.get(name):
                        self._check_ref(spec, name, record[name])
                if spec.type == "enterprise" and record.get("uscc"):
                    self._check_unique_uscc(record["uscc"], record["id"])
                self._set_deleted(spec, record["id"], False, None)
                return self.get(spec.type, record["id"])
        except sqlite3.Error as e:
            raise storage_error(e) from e

    # --- internals (run inside a transaction) ------------------------------------------------

    def _create(
        self,
        spec: RecordSpec,
        fields: Mapping[str, Any],
        record_id: str | None,
        accept_invalid_uscc: bool,
    ) -> dict[str, Any]:
        cleaned = validate_fields(
            spec, fields, list_has=self.list_has, accept_invalid_uscc=accept_invalid_uscc
        )
        rid = (record_id or new_id()).lower()
        if not is_uuid(rid):
            raise ValidationError("ref_format", "id", value=record_id)
        if self.find(spec.type, rid) is not None:
            raise ValidationError("exists", "id", value=rid)
        now = self._now()
        self._uscc_override(spec, cleaned, now)
        self._check_relations(spec, cleaned, rid)
        row: dict[str, Any] = {"id": blob(rid)}
        for f in spec.fields:
            row[f.name] = encode(spec, f.name, cleaned.get(f.name, f.empty()))
        record_for_derived = {f.name: cleaned.get(f.name) for f in spec.fields}
        row.update(derived_values(spec, record_for_derived))
        row.update(
            created_at=ms(now), created_by=self.user, updated_at=ms(now), updated_by=self.user,
            deleted=0,
        )
        cols = ", ".join(q(c) for c in row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(f"INSERT INTO {spec.type} ({cols}) VALUES ({marks})", list(row.values()))
        wire_fields = {k: v for k, v in cleaned.items() if v not in (None, [], False)}
        outbox.add_change(self.conn, spec.type, rid, wire_fields, base_version=None)
        record = self.get(spec.type, rid)
        search.index_record(self.conn, spec.type, None, record)
        self._after_write(spec, record)
        return self.get(spec.type, rid)

    def _update(
        self,
        spec: RecordSpec,
        record_id: str,
        fields: Mapping[str, Any],
        accept_invalid_uscc: bool,
    ) -> dict[str, Any]:
        old = self.get(spec.type, record_id)
        if old["deleted"]:
            raise ValidationError("deleted", "id", type=spec.type)
        cleaned = validate_fields(
            spec,
            fields,
            existing=old,
            list_has=self.list_has,
            accept_invalid_uscc=accept_invalid_uscc,
        )
        now = self._now()
        self._uscc_override(spec, cleaned, now)
        changed = {k: v for k, v in cleaned.items() if old.get(k) != v}
        if not changed:
            return old
        self._check_relations(spec, {**old, **changed}, old["id"], only=set(changed))
        sets = {k: encode(spec, k, v) for k, v in changed.items()}
        sets.update(derived_values(spec, {**old, **changed}))
        sets.update(updated_at=ms(now), updated_by=self.user)
        assignments = ", ".join(f"{q(k)} = ?" for k in sets)
        self.conn.execute(
            f"UPDATE {spec.type} SET {assignments} WHERE id = ?", [*sets.values(), blob(old["id"])]
        )
        outbox.add_change(self.conn, spec.type, old["id"], changed, base_version=old["version"])
        new = self.get(spec.type, old["id"])
        search.index_record(self.conn, spec.type, old, new)
        self._after_write(spec, new)
        return self.get(spec.type, old["id"])

    def _uscc_override(self, spec: RecordSpec, cleaned: dict[str, Any], now: str) -> None:
        """An accepted invalid USCC records who accepted it and when; a valid one clears that."""
        if spec.type != "enterprise" or "uscc" not in cleaned:
            return
        code = cleaned["uscc"]
        if code and uscc_rules.problem(code):
            cleaned["uscc_override_by"] = self.user
            cleaned["uscc_override_at"] = now
        else:
            cleaned["uscc_override_by"] = None
            cleaned["uscc_override_at"] = None

    def _check_relations(
        self,
        spec: RecordSpec,
        merged: Mapping[str, Any],
        record_id: str,
        only: set[str] | None = None,
    ) -> None:
        for f in spec.fields:
            if only is not None and f.name not in only:
                continue
            value = merged.get(f.name)
            if f.kind == "ref" and value:
                self._check_ref(spec, f.name, value)
            elif f.kind == "refs" and value:
                for item in value:
                    self._check_ref(spec, f.name, item)
        if spec.type == "enterprise" and merged.get("uscc") and (only is None or "uscc" in only):
            self._check_unique_uscc(merged["uscc"], record_id)
        if spec.type == "visit" and merged.get("contact_ids") and merged.get("enterprise_id"):
            for cid in merged["contact_ids"]:
                contact = self.get("contact", cid)
                if contact["enterprise_id"] != merged["enterprise_id"]:
                    raise ValidationError("contact_other_enterprise", "contact_ids",
                                          record_type=spec.type)
        if spec.type == "list_item" and (only is None or {"kind", "value"} & only):
            if self.list_has(ListKind(merged["kind"]), merged["value"]):
                raise ValidationError("list_value_exists", "value", value=merged["value"])

    def _check_ref(self, spec: RecordSpec, name: str, target_id: str) -> None:
        target_type = spec.field(name).ref
        assert target_type is not None
        target = self.find(target_type, target_id)
        if target is None:
            raise ValidationError("ref_missing", name, record_type=spec.type, value=target_id)
        if target["deleted"]:
            raise ValidationError("ref_deleted", name, record_type=spec.type, value=target_id)

    def _check_unique_uscc(self, code: str, record_id: str) -> None:
        row = self.conn.execute(
            "SELECT id, name FROM enterprise WHERE uscc = ? AND deleted = 0 AND id != ? LIMIT 1",
            (code, blob(record_id)),
        ).fetchone()
        if row:
            raise ValidationError(
                "uscc_duplicate", "uscc", record_type="enterprise", other=row[1], other_id=row[0]
            )

    def _live_descendants(self, type_name: str, record_id: str) -> list[tuple[str, str]]:
        """Live records under this one, depth first, each once."""
        found: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()

        def walk(t: str, rid: str) -> None:
            for child_spec, ref in children_of(t):
                rows = self.conn.execute(
                    f"SELECT id FROM {child_spec.type} WHERE {q(ref.name)} = ? AND deleted = 0",
                    (blob(rid),),
                ).fetchall()
                for (cid,) in rows:
                    key = (child_spec.type, cid)
                    if key not in seen:
                        seen.add(key)
                        found.append(key)
                        walk(child_spec.type, cid)

        walk(type_name, record_id)
        return found

    def _check_may_delete(self, record: Mapping[str, Any]) -> None:
        """The server's rule, applied offline so a member is told now, not after a sync:
        deleting what someone else created needs lead or admin; lists need admin."""
        if self.role is None:
            return
        if record["type"] == "list_item" and self.role != "admin":
            raise ValidationError("forbidden_list", "id", record_type="list_item")
        if self.role == "member" and record["created_by"] not in (self.user,):
            raise ValidationError("forbidden_delete", "id", record_type=record["type"])

    def _set_deleted(self, spec: RecordSpec, record_id: str, deleted: bool, group: str | None) -> None:
        old = self.get(spec.type, record_id)
        now = self._now()
        self.conn.execute(
            f"UPDATE {spec.type} SET deleted = ?, updated_at = ?, updated_by = ? WHERE id = ?",
            (1 if deleted else 0, ms(now), self.user, blob(record_id)),
        )
        outbox.add_change(
            self.conn, spec.type, record_id, {"deleted": deleted},
            base_version=old["version"], group_id=group,
        )
        new = self.get(spec.type, record_id)
        search.index_record(self.conn, spec.type, old, new)
        self._after_write(spec, new)

    def _after_write(self, spec: RecordSpec, record: Mapping[str, Any]) -> None:
        if spec.type == "lead_stage_change":
            recompute_lead_stage(self.conn, record["lead_id"])


def recompute_lead_stage(conn: sqlite3.Connection, lead_id: str) -> None:
    """A lead's current stage (its latest live change by (date, created_at, id)) and the
    dates it reached each stage; see `lead_stages`."""
    lead_stages.refresh_lead(conn, lead_id)


def _count_by_type(items: list[tuple[str, str]]) -> str:
    from app.domain.messages import type_label

    counts: dict[str, int] = {}
    for t, _ in items:
        counts[t] = counts.get(t, 0) + 1
    return "、".join(f"{type_label(t)} {n} 条" for t, n in counts.items())


__all__ = ["RecordStore", "recompute_lead_stage", "DERIVED_COLUMNS"]
