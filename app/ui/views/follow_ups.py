"""待办 view: follow-ups by due date with owner; overdue red, due soon amber; mark done."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.errors import AppError
from app.storage.queries import follow_ups as queries
from app.ui import strings
from app.ui.dialogs import confirm, forms
from app.ui.dialogs.delete import delete_record
from app.ui.models.tables import follow_up_model
from app.ui.profile import Profile
from app.ui.views.base import View
from app.ui.widgets.record_table import RecordTable


class FollowUpsView(View):
    """The to-do table with an owner filter and a done toggle."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(messages.field_label("content", "follow_up"))
        self.filter.setClearButtonEnabled(True)
        self.owner = QComboBox(self)
        self.show_done = QCheckBox(strings.FU_SHOW_DONE, self)
        done = QPushButton(strings.FU_MARK_DONE, self)
        done.clicked.connect(self.mark_done)
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 2)
        bar.addWidget(self.owner)
        bar.addWidget(self.show_done)
        bar.addStretch(1)
        bar.addWidget(done)
        self.filter.textChanged.connect(self._on_filter_changed)
        self.owner.currentIndexChanged.connect(self._on_filter_changed)
        self.show_done.toggled.connect(self._on_filter_changed)
        self.model = follow_up_model(profile.conn, self)
        self.table = RecordTable(self.model, "follow_ups", self)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        chosen = self.owner.currentData()
        self.owner.blockSignals(True)
        self.owner.clear()
        self.owner.addItem(strings.FU_OWNER + "：" + strings.ALL, None)
        for name in queries.owners(self.profile.conn):
            self.owner.addItem(name, name)
        self.owner.setCurrentIndex(max(0, self.owner.findData(chosen)))
        self.owner.blockSignals(False)
        self._on_filter_changed()

    def new_record(self) -> None:
        # A follow-up belongs to a lead or a note: it is created from the note editor or a lead.
        self.status_message.emit(strings.FU_NEW + "：" + strings.NOTE_ADD_FOLLOW_UP)

    def mark_done(self) -> None:
        follow_up_id = self.table.current_id()
        if not follow_up_id:
            return
        try:
            self.profile.store.update("follow_up", follow_up_id, {"done": True})
        except AppError as e:
            confirm.warn(self, strings.FORM_INVALID_TITLE, messages.render_error(e))
            return
        self.status_message.emit(strings.SAVED)
        self.data_changed.emit()
        self._on_filter_changed()

    def edit_current(self) -> None:
        follow_up_id = self.table.current_id()
        if follow_up_id:
            record = self.profile.store.get("follow_up", follow_up_id)
            if forms.follow_up_dialog(self, self.profile, record=record).exec():
                self.data_changed.emit()
                self.model.invalidate_rows()

    def delete_selected(self) -> None:
        follow_up_id = self.table.current_id()
        if follow_up_id:
            record = self.profile.store.get("follow_up", follow_up_id)
            if delete_record(self, self.profile.store, "follow_up", follow_up_id,
                             record["content"]):
                self.data_changed.emit()
                self._on_filter_changed()

    def save_state(self) -> None:
        self.table.save_state()

    def _on_filter_changed(self, *_args: object) -> None:
        self.model.refresh(dataclasses.replace(
            self.model.query, text=self.filter.text(), owner=self.owner.currentData(),
            include_done=self.show_done.isChecked()))
