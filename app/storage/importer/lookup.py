"""What the database already holds that an import matches against, loaded in bulk."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from app.domain.enums import ListKind
from app.domain.records import SPECS, RecordSpec
from app.storage import lists
from app.storage.ids import blob
from app.storage.records import name_key
from app.storage.schema import id_columns

# SQLite's default limit on host parameters is 32766; stay well below it.
_CHUNK = 900


def _select(conn: sqlite3.Connection, type_name: str, where: str, args: list[Any]) -> list[dict[str, Any]]:
    cur = conn.execute(f"SELECT * FROM {type_name} WHERE deleted = 0 AND {where}", args)
    cols = [d[0] for d in cur.description]
    decoders = _decoders(SPECS[type_name], cols)
    out = []
    for row in cur.fetchall():
        record: dict[str, Any] = {"type": type_name}
        for name, decode, value in zip(cols, decoders, row, strict=True):
            record[name] = decode(value) if decode is not None else value
        out.append(record)
    return out


def _decoders(spec: RecordSpec, cols: list[str]) -> list[Callable[[Any], Any] | None]:
    """Per column, what records.decode_row does to its value, decided once per query
    (decode_row looks each field up by name per row, which shows at 10,000 rows)."""
    out: list[Callable[[Any], Any] | None] = []
    for name in cols:
        f = spec.field(name) if spec.has_field(name) else None
        if f is not None and f.is_multi:
            out.append(lambda v: json.loads(v) if v else [])
        elif (f is not None and f.kind == "bool") or name == "deleted":
            out.append(bool)
        else:
            out.append(None)
    return out


def _in_chunks(
    conn: sqlite3.Connection, type_name: str, column: str, keys: Iterable[str]
) -> list[dict[str, Any]]:
    keys = sorted(set(keys))
    bind = blob if column in id_columns(SPECS[type_name]) else None
    out: list[dict[str, Any]] = []
    for start in range(0, len(keys), _CHUNK):
        chunk: list[Any] = keys[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        if bind is not None:
            chunk = [bind(k) for k in chunk]
        out += _select(conn, type_name, f'"{column}" IN ({marks})', chunk)
    return out


class Existing:
    """Live records an import may match, keyed the way DESIGN.md's import rules match them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.by_uscc: dict[str, dict[str, Any]] = {}
        self.by_name: dict[str, dict[str, Any]] = {}
        self._contacts: dict[str, list[dict[str, Any]]] = {}
        self._leads: dict[str, list[dict[str, Any]]] = {}
        self._changes: dict[str, list[dict[str, Any]]] = {}
        self._named: dict[str, list[dict[str, Any]]] = {}

    def load_enterprises(self, usccs: Iterable[str], names: Iterable[str]) -> None:
        """Load the live enterprises with any of these codes or normalised names."""
        found = _in_chunks(self.conn, "enterprise", "uscc", usccs)
        found += _in_chunks(self.conn, "enterprise", "name_key", names)
        # Oldest first, so when two live enterprises share a name the older one is matched.
        for record in sorted(found, key=lambda r: (r["created_at"], r["id"])):
            if record.get("uscc"):
                self.by_uscc.setdefault(record["uscc"], record)
            self.by_name.setdefault(name_key(record["name"]), record)

    def load_children(self, enterprise_ids: Iterable[str], *, contacts: bool, leads: bool) -> None:
        ids = list(set(enterprise_ids))
        if contacts:
            for c in _in_chunks(self.conn, "contact", "enterprise_id", ids):
                self._contacts.setdefault(c["enterprise_id"], []).append(c)
        if leads:
            found = _in_chunks(self.conn, "lead", "enterprise_id", ids)
            found += _select(self.conn, "lead", "enterprise_id IS NULL", [])
            for lead in sorted(found, key=lambda r: (r["created_at"], r["id"])):
                self._leads.setdefault(lead.get("enterprise_id") or "", []).append(lead)
            self.load_stage_changes([lead["id"] for lead in found])

    def load_stage_changes(self, lead_ids: Iterable[str]) -> None:
        for ch in _in_chunks(self.conn, "lead_stage_change", "lead_id", lead_ids):
            self._changes.setdefault(ch["lead_id"], []).append(ch)

    def load_leads_named(self, name_keys: Iterable[str]) -> None:
        """Live leads by normalised name, for ledger rows that name no enterprise."""
        for lead in _in_chunks(self.conn, "lead", "name_key", name_keys):
            self._named.setdefault(lead["name_key"], []).append(lead)

    def leads_named(self, key: str) -> list[dict[str, Any]]:
        return self._named.get(key, [])

    def enterprise(self, uscc: str | None, name: str | None) -> dict[str, Any] | None:
        """Same USCC wins; otherwise the same normalised name."""
        if uscc and uscc in self.by_uscc:
            return self.by_uscc[uscc]
        if name:
            return self.by_name.get(name_key(name))
        return None

    def contacts(self, enterprise_id: str) -> list[dict[str, Any]]:
        return self._contacts.get(enterprise_id, [])

    def leads(self, enterprise_id: str | None) -> list[dict[str, Any]]:
        return self._leads.get(enterprise_id or "", [])

    def stage_changes(self, lead_id: str) -> list[dict[str, Any]]:
        return self._changes.get(lead_id, [])


def list_values(conn: sqlite3.Connection) -> dict[ListKind, list[str]]:
    return {kind: lists.values(conn, kind) for kind in ListKind}
