"""项目 view: the lead table and the stage board; moving a lead records a dated stage change."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.enums import PIPELINE, Stage
from app.domain.errors import AppError
from app.storage.queries import leads as queries
from app.storage.report_data import LedgerFilter
from app.ui import strings
from app.ui.dialogs import confirm, forms
from app.ui.dialogs.delete import delete_record
from app.ui.dialogs.stage_dialog import StageDialog
from app.ui.models.tables import lead_model
from app.ui.profile import Profile
from app.ui.views.base import View
from app.ui.views.lead_board import LeadBoard
from app.ui.widgets.record_table import RecordTable


class LeadsView(View):
    """Tabs: 项目列表 (filterable table) and 阶段看板 (board)."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(strings.LEAD_FILTER_TEXT)
        self.filter.setClearButtonEnabled(True)
        self.stage = QComboBox(self)
        self.stage.addItem(strings.ALL, None)
        for s in (*PIPELINE, Stage.TERMINATED):
            self.stage.addItem(messages.enum_label(s), s.value)
        self.high_energy = QCheckBox(strings.LEAD_HIGH_ENERGY_ONLY, self)
        new = QPushButton(strings.LEAD_NEW, self)
        new.clicked.connect(self.new_record)
        move = QPushButton(strings.LEAD_MOVE, self)
        move.clicked.connect(lambda: self.move_lead())
        ledger = QPushButton(strings.LEAD_LEDGER, self)
        ledger.setToolTip(strings.ACTION_LEDGER)
        ledger.clicked.connect(lambda: self.report_requested.emit("ledger", self.ledger_filter()))
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 2)
        bar.addWidget(self.stage)
        bar.addWidget(self.high_energy)
        bar.addStretch(1)
        bar.addWidget(new)
        bar.addWidget(move)
        bar.addWidget(ledger)
        self.filter.textChanged.connect(self._on_filter_changed)
        self.stage.currentIndexChanged.connect(self._on_filter_changed)
        self.high_energy.toggled.connect(self._on_filter_changed)
        self.model = lead_model(profile.conn, self)
        self.table = RecordTable(self.model, "leads", self)
        self.table.doubleClicked.connect(lambda _i: self.edit_lead(self.table.current_id()))
        self.board = LeadBoard(self)
        self.board.move_requested.connect(self._on_board_move_requested)
        self.board.lead_activated.connect(self.edit_lead)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.table, strings.LEAD_TABLE)
        self.tabs.addTab(self.board, strings.LEAD_BOARD)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_board_if_shown())
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

    # --- View ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self.model.refresh()
        self._refresh_board_if_shown()

    def new_record(self) -> None:
        dialog = forms.lead_dialog(self, self.profile)
        if dialog.exec() and dialog.record:
            self._saved()

    def delete_selected(self) -> None:
        lead_id = self._selected_lead()
        if lead_id:
            record = self.profile.store.get("lead", lead_id)
            if delete_record(self, self.profile.store, "lead", lead_id, record["name"]):
                self._saved()

    def save_state(self) -> None:
        self.table.save_state()

    # --- public -------------------------------------------------------------------------

    def ledger_filter(self) -> LedgerFilter:
        """The 台账 of what the list shows: the same name text, stage and 两高 filters."""
        query = self.model.query
        return LedgerFilter(stage=query.stage, text=query.text.strip() or None,
                            high_energy=True if query.high_energy_only else None)

    def show_lead(self, lead_id: str) -> None:
        self.tabs.setCurrentWidget(self.table)
        if not self.table.select_id(lead_id):
            self.edit_lead(lead_id)

    def edit_lead(self, lead_id: str | None) -> None:
        if not lead_id:
            return
        record = self.profile.store.get("lead", lead_id)
        if forms.lead_dialog(self, self.profile, record=record).exec():
            self._saved()

    def move_lead(self, lead_id: str | None = None, stage: str | None = None,
                  day: str | None = None, note: str = "") -> bool:
        """Record a stage change; asks for stage and date unless both are given."""
        lead_id = lead_id or self._selected_lead()
        if not lead_id:
            return False
        lead = self.profile.store.get("lead", lead_id)
        if stage is None or day is None:
            dialog = StageDialog(self, lead["name"], stage or lead.get("stage"))
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            stage, day, note = dialog.values()
        try:
            queries.move_lead(self.profile.store, lead_id, stage, day, note or None)
        except AppError as e:
            confirm.warn(self, strings.FORM_INVALID_TITLE, messages.render_error(e))
            return False
        self._saved()
        return True

    # --- private ------------------------------------------------------------------------

    def _selected_lead(self) -> str | None:
        if self.tabs.currentWidget() is self.board:
            return self.board.selected_lead()
        return self.table.current_id()

    def _saved(self) -> None:
        self.status_message.emit(strings.SAVED)
        self.data_changed.emit()
        self.refresh()

    def _refresh_board_if_shown(self) -> None:
        if self.tabs.currentWidget() is self.board:
            self.board.refresh(self.profile.conn)

    def _on_filter_changed(self, *_args: object) -> None:
        self.model.refresh(dataclasses.replace(
            self.model.query, text=self.filter.text(), stage=self.stage.currentData(),
            high_energy_only=self.high_energy.isChecked()))

    def _on_board_move_requested(self, lead_id: str, stage: str) -> None:
        # The drop names the stage; the dialog still asks for the date it happened.
        lead = self.profile.store.get("lead", lead_id)
        dialog = StageDialog(self, lead["name"], stage)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.move_lead(lead_id, *dialog.values())
