"""Reports from the GUI: ask where to save, write on the db lane, open in the system viewer.

The trip and lead views and the 报表 menu all come here. A report is written in the
background (progress after ~0.5 s, cancellable between pages or row batches), then opened
with the system's PDF/Word/Excel viewer, from which the user prints. The viewer, the save
dialog and the date-range dialog are injectable so tests open none of them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, QSettings, QStandardPaths, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.errors import AppError
from app.reports.blocks import ReportCancelled, ReportResult
from app.storage.report_data import LedgerFilter
from app.ui import strings, tasks
from app.ui.dialogs import confirm
from app.ui.profile import Profile

log = logging.getLogger(__name__)

OpenFile = Callable[[Path], object]
AskPath = Callable[[QWidget, str, Path, str], "Path | None"]
AskRange = Callable[[QWidget], "tuple[str, str] | None"]
# The work of one report on the db lane: (connection, output path, cancel event) → result.
Work = Callable[[Any, Path, Any], ReportResult]

_FOLDER_KEY = "reports/folder"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def open_in_viewer(path: Path) -> bool:
    """Open `path` with the system's default application for its type."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def ask_save_path(parent: QWidget, title: str, default: Path, filters: str) -> Path | None:
    """A save dialog starting at `default`; a name without an allowed suffix gets the chosen
    filter's (the format follows the name: .pdf, .docx or .xlsx)."""
    name, chosen = QFileDialog.getSaveFileName(parent, title, str(default), filters)
    if not name:
        return None
    path = Path(name)
    allowed = re.findall(r"\*(\.\w+)", filters)
    wanted = re.findall(r"\*(\.\w+)", chosen or "") or allowed
    if path.suffix.lower() not in allowed and wanted:
        path = path.with_name(path.name + wanted[0])
    return path


def file_stem(*parts: str) -> str:
    """A file name from its parts, without characters Windows forbids in names."""
    return "_".join(_UNSAFE.sub("", p) for p in parts if p and _UNSAFE.sub("", p))


class SummaryRangeDialog(QDialog):
    """Pick the period of a 周报/月报: from and to dates, with 本周/本月/上月 shortcuts."""

    def __init__(self, parent: QWidget | None, today: dt.date) -> None:
        super().__init__(parent)
        self.setWindowTitle(strings.SUMMARY_RANGE_TITLE)
        self.today = today
        self.start = QDateEdit(self)
        self.end = QDateEdit(self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        form = QFormLayout()
        form.addRow(strings.SUMMARY_FROM, self.start)
        form.addRow(strings.SUMMARY_TO, self.end)
        quick = QHBoxLayout()
        for text, span in ((strings.SUMMARY_THIS_WEEK, "week"), (strings.SUMMARY_THIS_MONTH, "month"),
                           (strings.SUMMARY_LAST_MONTH, "last_month")):
            button = QPushButton(text, self)
            button.clicked.connect(lambda _c=False, s=span: self.set_span(s))
            quick.addWidget(button)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(quick)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.set_span("month")

    def set_span(self, span: str) -> None:
        t = self.today
        if span == "week":
            start, end = t - dt.timedelta(days=t.weekday()), t
        elif span == "last_month":
            end = t.replace(day=1) - dt.timedelta(days=1)
            start = end.replace(day=1)
        else:
            start, end = t.replace(day=1), t
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))

    def values(self) -> tuple[str, str]:
        return (self.start.date().toString("yyyy-MM-dd"), self.end.date().toString("yyyy-MM-dd"))


def ask_summary_range(parent: QWidget) -> tuple[str, str] | None:
    from app.reports.ledger import today_home

    dialog = SummaryRangeDialog(parent, dt.date.fromisoformat(today_home()))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.values()


class ReportRunner(QObject):
    """Writes reports for one window and opens them.

    Signals:
        report_opened(object): the ReportResult of a report written and handed to the viewer.
        status_message(str): a short line for the status bar.
    """

    report_opened = Signal(object)
    status_message = Signal(str)

    def __init__(self, profile: Profile, parent: QWidget, *, open_file: OpenFile | None = None,
                 ask_path: AskPath | None = None, ask_range: AskRange | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.widget = parent
        self.open_file: OpenFile = open_file or open_in_viewer
        self.ask_path: AskPath = ask_path or ask_save_path
        self.ask_range: AskRange = ask_range or ask_summary_range

    # --- the reports --------------------------------------------------------------------

    def trip_report(self, trip_id: str | None, *, itinerary: bool,
                    path: Path | None = None) -> tasks.Task | None:
        """行程单 (PDF) or 出差报告 (PDF or Word) for one trip."""
        if not trip_id:
            confirm.warn(self.widget, strings.REPORT_TITLE, strings.NO_TRIP_SELECTED)
            return None
        trip = self.profile.store.get("trip", trip_id)
        kind = strings.REPORT_KIND_ITINERARY if itinerary else strings.REPORT_KIND_TRIP
        stem = file_stem(kind, trip["title"] or "", trip["start_date"] or "")

        def work(conn: Any, out: Path, cancel: Any) -> ReportResult:
            from app.reports.trip_report import write_itinerary, write_trip_report

            write = write_itinerary if itinerary else write_trip_report
            return write(conn, trip_id, out, cancel)

        filters = strings.FILE_FILTER_PDF if itinerary else strings.FILE_FILTER_REPORT
        return self._run(kind, stem + ".pdf", filters, work, path)

    def ledger(self, flt: LedgerFilter | None = None,
               path: Path | None = None) -> tasks.Task | None:
        """招商项目台账 of the leads `flt` selects, as .xlsx or landscape PDF."""
        from app.reports.ledger import today_home

        flt = flt or LedgerFilter()
        stem = file_stem(strings.REPORT_KIND_LEDGER, today_home())

        def work(conn: Any, out: Path, cancel: Any) -> ReportResult:
            from app.reports.ledger import write_ledger

            return write_ledger(conn, flt, out, cancel=cancel)

        return self._run(strings.REPORT_KIND_LEDGER, stem + ".xlsx", strings.FILE_FILTER_LEDGER,
                         work, path)

    def summary(self, date_from: str | None = None, date_to: str | None = None,
                path: Path | None = None) -> tasks.Task | None:
        """周报/月报 for a period the user picks (PDF or Word)."""
        from app.reports.summary import parse_range, title_for

        if date_from is None or date_to is None:
            picked = self.ask_range(self.widget)
            if picked is None:
                return None
            date_from, date_to = picked
        try:
            start, end = parse_range(date_from, date_to)
        except AppError as e:
            confirm.warn(self.widget, strings.REPORT_TITLE, messages.render_error(e))
            return None
        title = title_for(start, end)
        stem = file_stem(title, f"{start}{strings.REPORT_RANGE_JOIN}{end}")

        def work(conn: Any, out: Path, cancel: Any) -> ReportResult:
            from app.reports.summary import write_summary

            return write_summary(conn, start, end, out, cancel=cancel)

        return self._run(title, stem + ".pdf", strings.FILE_FILTER_REPORT, work, path)

    # --- private ------------------------------------------------------------------------

    def _default_folder(self) -> Path:
        saved = QSettings().value(_FOLDER_KEY)
        if saved and Path(str(saved)).is_dir():
            return Path(str(saved))
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(documents) if documents and Path(documents).is_dir() else Path.home()

    def _run(self, kind: str, default_name: str, filters: str, work: Work,
             path: Path | None) -> tasks.Task | None:
        if path is None:
            path = self.ask_path(self.widget, strings.report_save_title(kind),
                                 self._default_folder() / default_name, filters)
            if path is None:
                return None
            QSettings().setValue(_FOLDER_KEY, str(path.parent))
        out = path

        def run(ctx: tasks.TaskContext) -> ReportResult | None:
            try:
                return work(ctx.conn, out, ctx.cancel)
            except ReportCancelled:
                return None

        return tasks.run_in_background(
            run, self._on_written, self._on_failed, lane="db", db_path=self.profile.db_path,
            parent=self.widget, label=strings.report_progress(kind))

    def _on_written(self, result: ReportResult | None) -> None:
        if result is None:
            self.status_message.emit(strings.REPORT_CANCELLED)
            return
        if result.warnings:
            # Characters no font has are marked 〓 in the file: say which, before it opens.
            confirm.warn(self.widget, strings.REPORT_TITLE,
                         strings.report_written(str(result.path), list(result.warnings)))
        if not self.open_file(result.path):
            log.warning("No viewer opened the report %s", result.path.suffix)
            confirm.warn(self.widget, strings.REPORT_TITLE,
                         strings.report_open_failed(str(result.path)))
        self.status_message.emit(strings.report_opened(str(result.path)))
        self.report_opened.emit(result)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, AppError):
            confirm.warn(self.widget, strings.REPORT_TITLE, messages.render_error(error))
        elif isinstance(error, OSError):
            log.warning("Writing a report failed: %r", error)
            confirm.warn(self.widget, strings.REPORT_TITLE, strings.report_write_failed(
                error.strerror or type(error).__name__))
        else:
            raise error
