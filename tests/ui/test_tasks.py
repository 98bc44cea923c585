"""Background tasks: results on the GUI thread, errors handed over, delayed progress, cancel."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from app.ui import tasks


def test_result_arrives_on_the_gui_thread(qtbot: Any, tmp_path: Path) -> None:
    from app.storage.db import open_database

    db_path = tmp_path / "p.sqlite3"
    open_database(db_path).conn.close()
    seen: dict[str, Any] = {}

    def work(ctx: tasks.TaskContext) -> int:
        seen["worker"] = threading.current_thread().name
        return int(ctx.conn.execute("SELECT count(*) FROM enterprise").fetchone()[0])

    def done(result: int) -> None:
        seen["result"] = result
        seen["on_gui_thread"] = QThread.currentThread() is QApplication.instance().thread()

    task = tasks.run_in_background(work, done, lane="db", db_path=db_path)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen["result"] == 0
    assert seen["on_gui_thread"] is True
    assert seen["worker"].startswith("db-lane")


def test_errors_are_handed_to_on_error(qtbot: Any) -> None:
    errors: list[BaseException] = []

    def work(_ctx: tasks.TaskContext) -> None:
        raise ValueError("boom")

    task = tasks.run_in_background(work, None, errors.append, lane="net")
    with qtbot.waitSignal(task.failed, timeout=5000):
        pass
    assert isinstance(errors[0], ValueError)


def test_progress_shows_after_half_a_second_and_cancel_stops_work(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    ticks: list[float] = []
    timer = QTimer(interval=50)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()

    def work(ctx: tasks.TaskContext) -> str:
        for i in range(400):  # up to 20 s unless cancelled
            if ctx.is_cancelled:
                return "cancelled"
            ctx.progress(i, 400)
            time.sleep(0.05)
        return "finished"

    results: list[str] = []
    task = tasks.run_in_background(work, results.append, lane="net", parent=parent,
                                   label="正在处理…")
    qtbot.wait(300)
    assert task.dialog is None  # no flash of a dialog for short work
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=2000)
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.value() > 5, timeout=3000)
    task.dialog.findChild(QPushButton).click()  # the dialog's 取消 button
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    timer.stop()
    assert results == ["cancelled"]
    # The event loop kept running while the worker did: ticks every ~50 ms, no long gap.
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) >= 8 and max(gaps) < 0.5
