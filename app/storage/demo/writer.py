"""Bulk rows into the record tables: plain executemany in batches, progress and cancel between."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from app.domain.records import SPECS
from app.storage.records import column_encoder
from app.storage.schema import DERIVED_COLUMNS, META_COLUMNS

BATCH = 20_000
DEMO_AUTHOR = "demo"

Progress = Callable[[int, int], None]


class GenerationCancelled(Exception):
    """Raised between batches when the cancel event is set; the caller's transaction rolls back."""


def columns(type_name: str) -> tuple[str, ...]:
    spec = SPECS[type_name]
    return (
        "id",
        *spec.field_names,
        *(name for name, _ in DERIVED_COLUMNS.get(type_name, ())),
        *(name for name, _ in META_COLUMNS),
    )


class BatchWriter:
    """Turns record dicts into rows of one table and writes them BATCH at a time.

    Values are stored as `records.column_encoder` says (JSON lists, 0/1 flags, 16-byte ids,
    millisecond times), as RecordStore stores them, so a demo row reads back like a row saved
    through the app.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        total: int,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.conn = conn
        self.total = total
        self.done = 0
        self.progress = progress
        self.cancel = cancel
        self.counts: dict[str, int] = {}

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise GenerationCancelled

    def advance(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def write(self, type_name: str, records: Iterable[dict[str, Any]]) -> int:
        """Insert every record of one type; returns how many were written."""
        spec = SPECS[type_name]
        cols = columns(type_name)
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        sql = f"INSERT INTO {type_name} ({quoted}) VALUES ({marks})"

        encoded = [(i, enc) for i, c in enumerate(cols) if (enc := column_encoder(spec, c))]

        def row(record: dict[str, Any]) -> list[Any]:
            out = [record.get(c) for c in cols]
            for i, enc in encoded:
                out[i] = enc(out[i])
            return out

        written = 0
        for chunk in _chunks(records, BATCH):
            self.check_cancel()
            self.conn.executemany(sql, [row(r) for r in chunk])
            written += len(chunk)
            self.advance(len(chunk))
        self.counts[type_name] = self.counts.get(type_name, 0) + written
        return written


def meta(created_at: str, updated_at: str | None = None) -> dict[str, Any]:
    """The meta columns of a demo record: never synced (version NULL), authored by `demo`."""
    return {
        "created_at": created_at,
        "created_by": DEMO_AUTHOR,
        # ISO stamps compare as text; two random stamps on one day must not run backwards.
        "updated_at": max(created_at, updated_at or created_at),
        "updated_by": DEMO_AUTHOR,
        "deleted": 0,
        "version": None,
    }


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
