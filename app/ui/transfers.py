"""Import and export from the menus: file dialogs here, the work on background lanes.

Reports have their own module, app/ui/report_actions.py.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QWidget

from app.domain import messages
from app.domain.errors import AppError, ImportFailed
from app.storage.records import RecordStore
from app.ui import strings, tasks
from app.ui.dialogs import confirm
from app.ui.profile import Profile

log = logging.getLogger(__name__)

MAX_ROWS_SHOWN = 20


def _on_error(parent: QWidget, title: str):  # type: ignore[no-untyped-def]
    def show(error: BaseException) -> None:
        if isinstance(error, ImportFailed):
            rows = [r.to_dict() for r in error.rows]
            lines = [messages.IMPORT_TEXT["warning"].format(
                row=r["row"], column=f"「{r['column']}」" if r["column"] else "",
                message=r["message"]) for r in rows[:MAX_ROWS_SHOWN]]
            confirm.warn(parent, title, strings.import_failed(
                messages.render_error(error), lines, max(0, len(rows) - MAX_ROWS_SHOWN)))
        elif isinstance(error, AppError):
            confirm.warn(parent, title, messages.render_error(error))
        else:
            raise error

    return show


def import_file(parent: QWidget, profile: Profile, kind: str, path: Path | None = None,
                on_done: Any = None) -> tasks.Task | None:
    """Import enterprises or leads on the db lane; nothing is written unless every row is good."""
    if path is None:
        name, _ = QFileDialog.getOpenFileName(parent, strings.IMPORT_TITLE, "",
                                              strings.FILE_FILTER_SHEETS)
        if not name:
            return None
        path = Path(name)
    user = profile.user

    def work(ctx: tasks.TaskContext) -> str:
        from app.storage.importer import run_import

        result = run_import(RecordStore(ctx.conn, user=user), kind, path)
        summary = result.summary(include_rows=False)
        counts = []
        for type_name in ("enterprise", "contact", "lead", "lead_stage_change"):
            n = {k: summary[k].get(type_name, 0) for k in ("created", "updated", "unchanged")}
            if any(n.values()):
                counts.append(messages.IMPORT_TEXT["counts"].format(
                    type_label=messages.type_label(type_name), **n))
        return messages.IMPORT_TEXT["summary"].format(
            verb=messages.IMPORT_TEXT["summary_done"],
            counts="；".join(counts) if counts else messages.IMPORT_TEXT["nothing"])

    def done(text: str) -> None:
        confirm.inform(parent, strings.IMPORT_TITLE, text)
        if on_done is not None:
            on_done()

    return tasks.run_in_background(work, done, _on_error(parent, strings.IMPORT_TITLE),
                                   lane="db", db_path=profile.db_path, parent=parent,
                                   label=strings.IMPORTING)


def export_table(parent: QWidget, profile: Profile, kind: str,
                 path: Path | None = None) -> tasks.Task | None:
    """Export all live enterprises or leads to .xlsx or .csv."""
    if path is None:
        name, _ = QFileDialog.getSaveFileName(parent, strings.EXPORT_TITLE, "",
                                              strings.FILE_FILTER_EXPORT)
        if not name:
            return None
        path = Path(name)
    fmt = path.suffix.lower().lstrip(".") or "xlsx"

    def work(ctx: tasks.TaskContext) -> str:
        from app.reports.export import write_table
        from app.storage.importer.export_rows import TABLES

        table = TABLES[kind](ctx.conn, {})
        written = write_table(table, path, fmt)
        return messages.IMPORT_TEXT["exported"].format(count=len(table.rows), path=written)

    return tasks.run_in_background(
        work, lambda text: confirm.inform(parent, strings.EXPORT_TITLE, text),
        _on_error(parent, strings.EXPORT_TITLE), lane="db", db_path=profile.db_path,
        parent=parent, label=strings.EXPORTING)
