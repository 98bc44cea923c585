"""SQLite: a write transaction's COMMIT does not copy the WAL into the database file; the
checkpointer thread does, right after (server.db.WalCheckpointer)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from server import db
from server.config import database_url


def _big_write(engine: Any) -> None:
    """About 2,500 pages, well past SQLite's default checkpoint threshold of 1,000."""
    with db.write_tx(engine) as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS filler (n INTEGER, t TEXT)"))
        conn.execute(text("INSERT INTO filler VALUES (:n, :t)"),
                     [{"n": i, "t": "x" * 2000} for i in range(5000)])


def test_commit_leaves_the_checkpoint_to_the_checkpointer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    woken: list[db.WalCheckpointer] = []
    monkeypatch.setattr(db.WalCheckpointer, "wake", lambda self: woken.append(self))
    path = tmp_path / "s.sqlite3"
    engine = db.make_engine(database_url(str(path)))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == (
                db.WAL_AUTOCHECKPOINT_PAGES)
        _big_write(engine)
        assert len(woken) == 1
        before = os.path.getsize(path)
        assert os.path.getsize(str(path) + "-wal") > 2000 * 4096  # still all in the WAL
        woken[0].checkpoint()
        assert os.path.getsize(path) > before + 2000 * 4096
        with engine.connect() as conn:  # nothing lost on the way
            assert conn.exec_driver_sql("SELECT count(*) FROM filler").scalar() == 5000
    finally:
        engine.dispose()


def test_the_checkpointer_thread_runs_after_a_write_and_then_ends(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    engine = db.make_engine(database_url(str(path)))
    try:
        checkpointer = db._checkpointers[engine]
        checkpointer.idle_seconds = 0.2
        before = os.path.getsize(path) if path.exists() else 0
        _big_write(engine)
        deadline = time.monotonic() + 20
        while os.path.getsize(path) < before + 2000 * 4096 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.getsize(path) >= before + 2000 * 4096
        while checkpointer._thread is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer._thread is None  # idle: no thread (and no open file) is kept
        checkpointer.idle_seconds = 60  # (so that it cannot have ended again by the assert)
        _big_write(engine)  # and a later write starts it again
        assert checkpointer._thread is not None
    finally:
        engine.dispose()


def test_a_checkpoint_never_creates_a_missing_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "gone 50% 数据.sqlite3"
    db.WalCheckpointer(str(path)).checkpoint()  # logs a warning, raises nothing
    assert not path.exists() and "checkpoint" in caplog.text
    caplog.clear()
    engine = db.make_engine(database_url(str(path)))
    try:
        _big_write(engine)
        assert path.exists()
        db._checkpointers[engine].checkpoint()  # odd characters in the name are quoted
        assert caplog.text == ""
    finally:
        engine.dispose()


def test_a_burst_of_writes_gets_one_checkpoint_once_it_settles(tmp_path: Path) -> None:
    runs: list[float] = []

    class Counting(db.WalCheckpointer):
        def checkpoint(self) -> None:
            runs.append(time.monotonic())

    cp = Counting(str(tmp_path / "x.sqlite3"), idle_seconds=60, settle_seconds=0.5,
                  max_delay_seconds=5)
    started = time.monotonic()
    for _ in range(5):
        cp.wake()
        time.sleep(0.01)
    deadline = time.monotonic() + 10
    while not runs and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.6)
    assert len(runs) == 1 and runs[0] - started >= 0.5
    # A write that never pauses still gets its checkpoint within max_delay_seconds.
    cp.max_delay_seconds = 0.3
    runs.clear()
    started = time.monotonic()
    while not runs and time.monotonic() - started < 10:
        cp.wake()
        time.sleep(0.02)
    assert runs and runs[0] - started < 2
