"""Record ids on disk: 16-byte BLOBs in the record tables, canonical UUID text everywhere else.

A UUID written as text takes 36 bytes, and a record's id is stored in its row, in the
primary-key index and in every row and index that refers to it: on "100,000 enterprises"
that was 54 MB of a 578 MB profile. So the record tables declare their id and reference
columns `UUID` and hold the 16 bytes:

- reading: connections are opened with `detect_types=PARSE_DECLTYPES`, and the `UUID`
  converter turns a column's bytes back into the canonical text, so every record, query
  row and id the rest of the program sees is the same string as before;
- writing and comparing: a parameter bound against such a column must be `blob(text)`
  (a text parameter never equals a BLOB, so a forgotten one finds nothing). In SQL, the
  `uuid_blob(text)` function does the same for ids inside JSON (`json_each`).

The sync bookkeeping tables (outbox, synced_copy, conflict, search_queue, draft, meta) keep
text ids: they are small and mostly empty. `CheckedConnection` (switched on for the tests)
fails a statement that binds UUID text while naming none of them: the forgotten `blob`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from app.domain.records import is_uuid

# Declared column type of a record id or reference (NUMERIC affinity leaves BLOBs alone).
SQL_TYPE = "UUID"

def blob(value: Any) -> Any:
    """An id as bound against a `UUID` column: its 16 bytes. Anything that is not UUID text
    (None, an already-converted BLOB, a malformed id) passes through unchanged, so a lookup
    by a malformed id simply finds nothing."""
    if is_uuid(value):
        return bytes.fromhex(value.replace("-", ""))
    return value


def text(value: bytes) -> str:
    """16 stored bytes → the canonical lower-case UUID text."""
    h = value.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _convert(value: bytes) -> str:
    # The converter sees the stored value as bytes whatever its storage class: a 16-byte
    # BLOB is an id; anything else is text that was stored as such (kept as it was).
    return text(value) if len(value) == 16 else value.decode("utf-8", "surrogateescape")


sqlite3.register_converter(SQL_TYPE, _convert)


def prepare(conn: sqlite3.Connection) -> None:
    """SQL functions a connection needs to compare ids held in JSON with stored ones, and
    migration v7 to convert stored ids and timestamps."""
    from app.storage import stamps

    conn.create_function("uuid_blob", 1, blob, deterministic=True)
    conn.create_function("utc_ms", 1, stamps.ms, deterministic=True)


# --- the test-time check ------------------------------------------------------------------

# Tables that keep ids as text: a statement naming one of them may bind UUID text.
_TEXT_ID_TABLES = re.compile(
    r"\b(?:FROM|INTO|UPDATE|JOIN)\s+(?:outbox|synced_copy|conflict|search_queue|draft|meta"
    r"|sync_digest|search_meta)\b",
    re.IGNORECASE,
)
CHECK_ENV = "FIELDDESK_CHECK_IDS"


def _check(sql: str, params: Any) -> None:
    # json_each compares ids inside JSON arrays (a visit's contact_ids): text against text.
    if not params or _TEXT_ID_TABLES.search(sql) or "json_each(" in sql:
        return
    values: Iterable[Any] = params.values() if isinstance(params, dict) else params
    for value in values:
        if type(value) is str and is_uuid(value):
            raise AssertionError(f"UUID text bound without ids.blob(): {value!r} in {sql[:200]!r}")


class CheckedConnection(sqlite3.Connection):
    """A connection that refuses UUID text bound against record tables (see module doc)."""

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        _check(sql, parameters)
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
        if _TEXT_ID_TABLES.search(sql):
            return super().executemany(sql, parameters)

        def checked() -> Iterable[Any]:
            for row in parameters:
                _check(sql, row)
                yield row

        return super().executemany(sql, checked())


def connection_factory() -> type[sqlite3.Connection]:
    return CheckedConnection if os.environ.get(CHECK_ENV) == "1" else sqlite3.Connection
