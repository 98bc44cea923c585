"""被拒绝: changes the server refused, with its reason; fix the record, then send it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain import messages
from app.domain.errors import AppError
from app.storage import conflicts
from app.storage.queries.sync_view import OutboxQuery, OutboxSource
from app.ui import strings
from app.ui.dialogs import forms
from app.ui.dialogs.record_dialog import RecordDialog
from app.ui.models.columns import Column, Row
from app.ui.models.record_table_model import RecordTableModel
from app.ui.profile import Profile
from app.ui.sync_runner import format_when
from app.ui.views.sync.conflict_panel import ERROR_STYLE
from app.ui.widgets.record_table import RecordTable

FormFn = Callable[[QWidget, Profile, dict[str, Any]], RecordDialog]

# The record dialogs a quarantined record can be fixed in (meeting notes open in 纪要).
FORMS: dict[str, FormFn] = {
    "enterprise": lambda parent, p, r: forms.enterprise_dialog(parent, p, r),
    "contact": lambda parent, p, r: forms.contact_dialog(parent, p, r["enterprise_id"], r),
    "trip": lambda parent, p, r: forms.trip_dialog(parent, p, r),
    "visit": lambda parent, p, r: forms.visit_dialog(parent, p, record=r),
    "lead": lambda parent, p, r: forms.lead_dialog(parent, p, record=r),
    "follow_up": lambda parent, p, r: forms.follow_up_dialog(parent, p, record=r),
}


def reason_text(row: Row) -> str:
    """The server's reason as it sent it (already Chinese), led by the field it names."""
    reply = row.get("reply") or {}
    field = reply.get("field")
    message = reply.get("message") or messages.render_code(
        str(reply.get("code") or "invalid"), field, row["type"])
    return strings.quarantine_reason(message, messages.field_label(field, row["type"]))


def quarantine_columns() -> list[Column]:
    return [
        Column("type", strings.SYNC_COL_TYPE, lambda r: messages.type_label(r["type"]), None, 80),
        Column("name", strings.SYNC_COL_NAME, lambda r: r["caption"] or strings.SYNC_GONE,
               None, 220),
        Column("reason", strings.SYNC_COL_REASON, reason_text, None, 380, tooltip=reason_text),
        Column("time", strings.SYNC_COL_TIME, lambda r: format_when(r["created_at"]), None, 130),
    ]


class QuarantinePanel(QWidget):
    """Quarantined changes; 修改记录… opens the record's form and re-queues it when saved.

    Signals:
        retried(str): a change was queued again; the message to show.
        open_note_requested(str): a meeting note needs fixing in the 纪要 view.
    """

    retried = Signal(str)
    open_note_requested = Signal(str)

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.model = RecordTableModel(profile.conn, OutboxSource(), quarantine_columns(),
                                      OutboxQuery(state="quarantined"), self)
        self.table = RecordTable(self.model, "sync_quarantine", self)
        self.table.horizontalHeader().setSortIndicatorShown(False)  # push order only
        hint = QLabel(strings.SYNC_QUARANTINE_HINT, self)
        hint.setWordWrap(True)
        self.empty = QLabel(strings.SYNC_QUARANTINE_EMPTY, self)
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.fix_button = QPushButton(strings.SYNC_FIX, self)
        self.fix_button.clicked.connect(self.fix)
        self.retry_button = QPushButton(strings.SYNC_RETRY, self)
        self.retry_button.clicked.connect(self.retry)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def refresh(self) -> int:
        self.model.refresh()
        count = self.model.rowCount()
        self.empty.setVisible(not count)
        for w in (self.table, self.fix_button, self.retry_button):
            w.setEnabled(bool(count))
        if count and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.error.clear()
        return count

    def current_row(self) -> Row | None:
        index = self.table.currentIndex()
        return self.model.row_data(index.row()) if index.isValid() else None

    def fix(self) -> None:
        """Open the record's form; when saved, send it again."""
        row = self.current_row()
        if row is None:
            return
        record = self.profile.store.find(row["type"], row["record_id"])
        if row["type"] == "meeting_note" and record is not None:
            self.open_note_requested.emit(row["record_id"])
            return
        make = FORMS.get(row["type"])
        if record is None or make is None:
            self.error.setText(strings.SYNC_NO_FORM)
            return
        dialog = make(self, self.profile, record)
        if dialog.exec():
            self._retry(row["change_id"])

    def retry(self) -> None:
        row = self.current_row()
        if row is not None:
            self._retry(row["change_id"])

    def _retry(self, change_id: str) -> None:
        try:
            conflicts.retry_quarantined(self.profile.conn, change_id)
        except AppError as e:
            self.error.setText(messages.render_error(e))
            return
        self.retried.emit(strings.SYNC_RETRIED)
