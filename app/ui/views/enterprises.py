"""企业 view: the filterable enterprise table (100,000 rows) beside the detail pane."""

from __future__ import annotations

import dataclasses
import logging
import time

from PySide6.QtCore import QItemSelection, QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.enums import ListKind
from app.storage import lists
from app.storage.queries import enterprises as queries
from app.ui import strings, tasks
from app.ui.dialogs import forms
from app.ui.dialogs.delete import delete_record
from app.ui.models.tables import enterprise_model
from app.ui.profile import Profile
from app.ui.views.base import View
from app.ui.views.enterprise_detail import EnterpriseDetailPane
from app.ui.widgets.record_table import RecordTable

log = logging.getLogger(__name__)


class EnterprisesView(View):
    """Filters over the table; the selected enterprise's detail on the right."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.last_filter_ms = 0.0
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(strings.ENT_FILTER_TEXT)
        self.text.setClearButtonEnabled(True)
        self.chain = self._combo(strings.ENT_FILTER_CHAIN, lists.values(profile.conn,
                                                                        ListKind.INDUSTRY_CHAIN))
        self.region = self._combo(strings.ENT_FILTER_REGION, lists.values(profile.conn,
                                                                         ListKind.REGION))
        self.tag = self._combo(strings.ENT_FILTER_TAG, lists.values(profile.conn, ListKind.TAG))
        self.visited = QComboBox(self)
        self.visited.addItem(strings.ENT_FILTER_VISITED, None)
        self.visited.addItem(strings.ENT_VISITED, True)
        self.visited.addItem(strings.ENT_NEVER_VISITED, False)
        self.count = QLabel(self)
        bar = QHBoxLayout()
        self.text.setMaximumWidth(360)
        bar.addWidget(self.text, 1)
        for combo in (self.chain, self.region, self.tag, self.visited):
            bar.addWidget(combo)
            combo.currentIndexChanged.connect(self._on_filter_changed)
        bar.addStretch(1)
        self.text.textChanged.connect(self._on_filter_changed)

        self.model = enterprise_model(profile.conn, self)
        self.table = RecordTable(self.model, "enterprises", self)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.detail = EnterpriseDetailPane(self)
        self.detail.edit_requested.connect(self.edit_current)
        self.detail.add_contact_requested.connect(self._on_detail_add_contact)
        self.detail.add_visit_requested.connect(self._on_detail_add_visit)
        self.detail.add_note_requested.connect(self._on_detail_add_note)
        self.detail.add_lead_requested.connect(self._on_detail_add_lead)
        self.detail.note_activated.connect(self.open_saved_note_requested)
        self.detail.lead_activated.connect(self.open_lead_requested)
        self.detail.contact_activated.connect(self._on_detail_contact_activated)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        state = QSettings().value("splitters/enterprises")
        if state is not None:
            self.splitter.restoreState(state)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        self._total: int | None = None
        self._read_ahead_task: tasks.Task | None = None

    # --- View ---------------------------------------------------------------------------

    def refresh(self) -> None:
        current = self.table.current_id()
        self._total = None
        self._apply_filters()
        if current:
            self.show_enterprise(current)

    def new_record(self) -> None:
        dialog = forms.enterprise_dialog(self, self.profile)
        if dialog.exec() and dialog.record:
            self.status_message.emit(strings.SAVED)
            self.data_changed.emit()
            self.refresh()
            self.show_enterprise(dialog.record["id"])

    def delete_selected(self) -> None:
        record_id = self.table.current_id()
        if record_id is None:
            return
        record = self.profile.store.get("enterprise", record_id)
        if delete_record(self, self.profile.store, "enterprise", record_id, record["name"]):
            self.status_message.emit(strings.DELETED)
            self.data_changed.emit()
            self.detail.show_detail(None)
            self.refresh()

    def save_state(self) -> None:
        self.table.save_state()
        QSettings().setValue("splitters/enterprises", self.splitter.saveState())

    # --- public -------------------------------------------------------------------------

    def show_enterprise(self, enterprise_id: str) -> None:
        """Select it in the table when it is among the loaded rows; always show its detail."""
        if not self.table.select_id(enterprise_id):
            self._load_detail(enterprise_id)

    def edit_current(self) -> None:
        detail = self.detail.detail
        if detail is None:
            return
        record = self.profile.store.get("enterprise", detail.record["id"])
        dialog = forms.enterprise_dialog(self, self.profile, record)
        if dialog.exec():
            self.status_message.emit(strings.SAVED)
            self.data_changed.emit()
            self.model.invalidate_rows()
            self._load_detail(record["id"])

    # --- private ------------------------------------------------------------------------

    def _combo(self, placeholder: str, values: list[str]) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(placeholder, None)
        for value in values:
            combo.addItem(value, value)
        return combo

    def _query(self) -> queries.EnterpriseQuery:
        return dataclasses.replace(
            self.model.query,
            text=self.text.text(),
            industry_chain=self.chain.currentData(),
            region=self.region.currentData(),
            tag=self.tag.currentData(),
            visited=self.visited.currentData(),
        )

    def _apply_filters(self) -> None:
        started = time.perf_counter()
        query = self._query()
        self.model.refresh(query)
        self.last_filter_ms = (time.perf_counter() - started) * 1000
        unfiltered = dataclasses.replace(query, sort="name", descending=False) == \
            queries.EnterpriseQuery()
        if unfiltered:
            self._total = self.model.rowCount()  # no extra count(*) on the common path
        elif self._total is None:
            self._total = queries.count_all(self.profile.conn)
        self.count.setText(strings.enterprise_count(self.model.rowCount(), self._total))
        self._read_ahead(dataclasses.replace(query, text=""))

    def _read_ahead(self, base: queries.EnterpriseQuery) -> None:
        """Read what the text filter narrows on the db lane while the person looks at the list.

        SQLite releases the GIL while it works, so this does not slow the window; a keystroke
        before it arrives reads the rows itself.
        """
        source = self.model.source
        assert isinstance(source, queries.EnterpriseSource)
        if source.cached_rows(self.profile.conn, base) is not None:
            return
        stamp = source.stamp(self.profile.conn, base)

        def load(ctx: tasks.TaskContext) -> queries.TextRows:
            return queries.EnterpriseSource.load_text_rows(ctx.conn, base)

        def failed(error: BaseException) -> None:
            log.warning("Enterprise list read-ahead failed: %r", error)  # a keystroke retries

        self._read_ahead_task = tasks.run_in_background(
            load, lambda rows: source.set_text_rows(stamp, rows), failed, lane="db",
            db_path=self.profile.db_path)

    def _load_detail(self, enterprise_id: str) -> None:
        detail = queries.detail(self.profile.conn, enterprise_id, self.profile.user)
        self.detail.show_detail(detail)

    def _current_enterprise_id(self) -> str | None:
        return self.detail.detail.record["id"] if self.detail.detail else None

    def _on_filter_changed(self, *_args: object) -> None:
        self._apply_filters()

    def _on_table_selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        record_id = self.table.current_id()
        if record_id:
            self._load_detail(record_id)

    def _after_child_saved(self) -> None:
        self.status_message.emit(strings.SAVED)
        self.data_changed.emit()
        enterprise_id = self._current_enterprise_id()
        if enterprise_id:
            self._load_detail(enterprise_id)
        self.model.invalidate_rows()

    def _on_detail_add_contact(self) -> None:
        enterprise_id = self._current_enterprise_id()
        if enterprise_id and forms.contact_dialog(self, self.profile, enterprise_id).exec():
            self._after_child_saved()

    def _on_detail_contact_activated(self, contact_id: str) -> None:
        enterprise_id = self._current_enterprise_id()
        record = self.profile.store.get("contact", contact_id)
        if enterprise_id and forms.contact_dialog(self, self.profile, enterprise_id, record).exec():
            self._after_child_saved()

    def _on_detail_add_visit(self) -> None:
        enterprise_id = self._current_enterprise_id()
        if enterprise_id and forms.visit_dialog(self, self.profile,
                                                enterprise_id=enterprise_id).exec():
            self._after_child_saved()

    def _on_detail_add_note(self) -> None:
        enterprise_id = self._current_enterprise_id()
        if enterprise_id:
            self.open_note_requested.emit("", enterprise_id)

    def _on_detail_add_lead(self) -> None:
        enterprise_id = self._current_enterprise_id()
        if enterprise_id and forms.lead_dialog(self, self.profile,
                                               enterprise_id=enterprise_id).exec():
            self._after_child_saved()
