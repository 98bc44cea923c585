"""Background work: run_in_background with a one-thread `db` lane and a small `net` lane.

Results come back to the GUI thread through a Signal; widgets are touched only there.
Progress dialogs appear after about half a second; cancelling sets a threading.Event the
task checks between batches. See STYLE §4 (Anki taskman, Picard util/thread).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.ui import strings

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500


@dataclass
class TaskContext:
    """What a task function gets: its lane's connection (db lane), cancel flag, progress."""

    cancel: threading.Event
    report: Callable[[int, int], None]
    db_path: Path | None = None
    _conn: sqlite3.Connection | None = field(default=None, repr=False)

    @property
    def conn(self) -> sqlite3.Connection:
        """The db lane's own connection (sqlite3 connections belong to one thread)."""
        if self._conn is None:
            raise RuntimeError("this task was not run on the db lane")
        return self._conn

    def progress(self, done: int, total: int = 0) -> None:
        self.report(int(done), int(total))

    @property
    def is_cancelled(self) -> bool:
        return self.cancel.is_set()


class _Bridge(QObject):
    """Carries results from worker threads to the GUI thread (queued connection).

    Signals:
        finished(object, object): (result, exception) of a task.
        progressed(int, int): (done, total).
    """

    finished = Signal(object, object)
    progressed = Signal(int, int)


class Task(QObject):
    """One running background task; keep a reference until `done` fires.

    Signals:
        done(object): the result, after on_done ran.
        failed(object): the exception, after on_error ran.
    """

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel_event = threading.Event()
        self.bridge = _Bridge()
        self.dialog: QProgressDialog | None = None
        self.is_running = True

    def cancel(self) -> None:
        self.cancel_event.set()


class _Lanes:
    """Executors: `db` is one thread with its own connection, `net` a few for I/O work."""

    def __init__(self) -> None:
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-lane")
        self.net = ThreadPoolExecutor(max_workers=3, thread_name_prefix="net-lane")
        self.db_path: Path | None = None
        self._db_conn: sqlite3.Connection | None = None  # used only on the db thread

    def db_connection(self, path: Path | None) -> sqlite3.Connection | None:
        """Called on the db thread: (re)open the lane's connection when the profile changed."""
        from app.storage.db import connect

        if path is None:
            return None
        if self._db_conn is not None and self.db_path == path:
            return self._db_conn
        if self._db_conn is not None:
            self._db_conn.close()
        self._db_conn = connect(path)
        self.db_path = path
        return self._db_conn

    def close_db(self) -> None:
        """Close the db lane's connection (on its own thread) before a profile switch."""

        def close() -> None:
            if self._db_conn is not None:
                self._db_conn.close()
                self._db_conn = None
                self.db_path = None

        self.db.submit(close).result(timeout=30)


_lanes: _Lanes | None = None
_running: set[Task] = set()


def lanes() -> _Lanes:
    global _lanes
    if _lanes is None:
        _lanes = _Lanes()
    return _lanes


def run_in_background(
    fn: Callable[[TaskContext], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    lane: str = "db",
    db_path: Path | None = None,
    parent: QWidget | None = None,
    label: str | None = None,
    cancellable: bool = True,
) -> Task:
    """Run `fn(ctx)` off the GUI thread; `on_done(result)` / `on_error(exc)` run on the GUI thread.

    With a `label`, a progress dialog (over `parent`, if any) appears if the task outlives
    ~0.5 s.
    """
    task = Task()
    _running.add(task)

    def report(done: int, total: int) -> None:
        task.bridge.progressed.emit(done, total)

    ctx = TaskContext(cancel=task.cancel_event, report=report, db_path=db_path)
    pool = lanes()

    def work() -> None:
        try:
            if lane == "db":
                ctx._conn = pool.db_connection(db_path)
            result = fn(ctx)
        except BaseException as e:  # handed to the GUI thread; nothing is swallowed
            task.bridge.finished.emit(None, e)
        else:
            task.bridge.finished.emit(result, None)

    def finished(result: object, error: object) -> None:
        task.is_running = False
        if task.dialog is not None:
            task.dialog.reset()
            task.dialog.deleteLater()
            task.dialog = None
        _running.discard(task)
        if error is not None:
            log.info("Background task failed: %r", error)
            if on_error is not None:
                on_error(error)  # type: ignore[arg-type]
            else:
                raise error  # type: ignore[misc]  # reaches sys.excepthook
            task.failed.emit(error)
        else:
            if on_done is not None:
                on_done(result)
            task.done.emit(result)

    task.bridge.finished.connect(finished, Qt.ConnectionType.QueuedConnection)
    if label is not None:
        _attach_progress(task, parent, label, cancellable)
    (pool.db if lane == "db" else pool.net).submit(work)
    return task


def _attach_progress(task: Task, parent: QWidget | None, label: str, cancellable: bool) -> None:
    state = {"done": 0, "total": 0}

    def on_progress(done: int, total: int) -> None:
        state.update(done=done, total=total)
        if task.dialog is not None:
            _apply(task.dialog, done, total)

    def show() -> None:
        if not task.is_running:
            return
        dialog = QProgressDialog(label, strings.CANCEL if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(strings.APP_TITLE)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(task.cancel)
        _apply(dialog, state["done"], state["total"])
        task.dialog = dialog
        dialog.show()

    task.bridge.progressed.connect(on_progress, Qt.ConnectionType.QueuedConnection)
    QTimer.singleShot(PROGRESS_DELAY_MS, show)


def _apply(dialog: QProgressDialog, done: int, total: int) -> None:
    if total > 0:
        dialog.setMaximum(total)
        dialog.setValue(min(done, total))
    else:
        dialog.setMaximum(0)  # busy indicator


def running_tasks() -> int:
    return len(_running)
