"""待同步: every change still waiting for the server, in the order it will be pushed."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain import messages
from app.domain.records import SPECS
from app.storage.queries.sync_view import OutboxQuery, OutboxSource
from app.ui import strings
from app.ui.models.columns import Column, Row
from app.ui.models.record_table_model import RecordTableModel
from app.ui.profile import Profile
from app.ui.sync_runner import format_when
from app.ui.views.sync.values import field_list
from app.ui.widgets.record_table import RecordTable

ATTENTION_COLOUR = QColor("#c62828")

_STATES = {
    "pending": strings.SYNC_STATE_PENDING,
    "conflict": strings.SYNC_STATE_CONFLICT,
    "quarantined": strings.SYNC_STATE_QUARANTINED,
    "held": strings.SYNC_STATE_HELD,
}


def change_text(row: Row) -> str:
    """新建：名称、地址 / 删除 / 名称、备注 — what this change does."""
    if row["is_delete"]:
        return strings.SYNC_CHANGE_DELETE
    names = field_list(SPECS.get(row["type"]), row["field_names"])
    if row["is_create"]:
        return f"{strings.SYNC_CHANGE_NEW}：{names}" if names else strings.SYNC_CHANGE_NEW
    if row["is_restore"]:
        return f"{strings.SYNC_CHANGE_RESTORE}：{names}" if names else strings.SYNC_CHANGE_RESTORE
    return names


def state_text(row: Row) -> str:
    if row["state"] == "pending" and row["sent_at"]:
        return strings.SYNC_STATE_SENT
    return _STATES.get(row["state"]) or str(row["state"])


def _state_colour(row: Row) -> QColor | None:
    return ATTENTION_COLOUR if row["state"] in ("conflict", "quarantined") else None


def outbox_columns() -> list[Column]:
    return [
        Column("type", strings.SYNC_COL_TYPE, lambda r: messages.type_label(r["type"]), None, 80),
        Column("name", strings.SYNC_COL_NAME, lambda r: r["caption"] or strings.SYNC_GONE,
               None, 240, tooltip=lambda r: r["caption"]),
        Column("fields", strings.SYNC_COL_FIELDS, change_text, None, 300, tooltip=change_text),
        Column("time", strings.SYNC_COL_TIME, lambda r: format_when(r["created_at"]), None, 130),
        Column("state", strings.SYNC_COL_STATE, state_text, None, 120, foreground=_state_colour),
    ]


class OutboxPanel(QWidget):
    """The outbox as a paged table (it can hold a whole import: rows are fetched on demand)."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RecordTableModel(profile.conn, OutboxSource(), outbox_columns(),
                                      OutboxQuery(), self)
        self.table = RecordTable(self.model, "sync_outbox", self)
        self.table.horizontalHeader().setSortIndicatorShown(False)  # push order only
        self.summary = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def refresh(self) -> int:
        """Re-read; returns the number of pending changes."""
        self.model.refresh()
        count = self.model.rowCount()
        self.summary.setText(strings.outbox_summary(count, count) if count
                             else strings.SYNC_OUTBOX_EMPTY)
        return count
