"""Field values as people read them in the 同步 view (enum labels, names for references)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from app.domain import messages
from app.domain.records import FieldSpec, RecordSpec
from app.storage.queries import sync_view
from app.ui import strings

LIST_SEPARATOR = "、"


def caption(record: Mapping[str, Any] | None, fallback: str = strings.SYNC_NO_NAME) -> str:
    """A record's name as a person knows it, from its own fields."""
    if not record:
        return fallback
    for key in ("name", "title", "content", "value", "date"):
        if record.get(key):
            return str(record[key])
    return fallback


def display(conn: sqlite3.Connection, f: FieldSpec, value: Any) -> str:
    """One value in words: '' and None read （空）; references read the record's name."""
    if value in (None, "", []):
        return strings.SYNC_EMPTY_VALUE
    if f.kind == "bool":
        return strings.YES if value else strings.NO
    if f.kind == "enum" and f.enum is not None:
        try:
            return messages.enum_label(f.enum(value))
        except ValueError:
            return str(value)
    if f.kind == "money":
        return messages.format_wan(int(value))
    if f.kind in ("ref", "refs") and f.ref:
        ids = [value] if f.kind == "ref" else list(value)
        names = sync_view.captions(conn, ((f.ref, i) for i in ids))
        return LIST_SEPARATOR.join(names.get((f.ref, i)) or strings.SYNC_GONE for i in ids)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def field_list(spec: RecordSpec | None, names: list[str]) -> str:
    """Field labels joined for a column: 名称、地址、备注."""
    type_name = spec.type if spec else None
    return LIST_SEPARATOR.join(messages.field_label(n, type_name) for n in names)
