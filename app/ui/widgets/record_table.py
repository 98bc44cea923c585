"""A QTableView set up for large record tables: fixed rows, SQL sorting, remembered columns."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.ui.models.record_table_model import RecordTableModel

ROW_HEIGHT = 26


class RecordTable(QTableView):
    """Table over a RecordTableModel; column state is kept under `state_key` in QSettings."""

    def __init__(self, model: RecordTableModel, state_key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._state_key = state_key
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setSortingEnabled(False)  # enabled after the state is restored (no early re-query)
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        vertical.hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        for i, column in enumerate(model.columns):
            self.setColumnWidth(i, column.width)
        self.restore_state()
        header.sortIndicatorChanged.connect(self._on_header_sort_changed)

    @property
    def record_model(self) -> RecordTableModel:
        model = self.model()
        assert isinstance(model, RecordTableModel)
        return model

    def current_id(self) -> str | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        return self.record_model.record_id(index.row())

    def select_id(self, record_id: str) -> bool:
        row = self.record_model.row_of_id(record_id)
        if row < 0:
            return False
        self.selectRow(row)
        self.scrollTo(self.record_model.index(row, 0))
        return True

    def restore_state(self) -> None:
        state = QSettings().value(f"columns/{self._state_key}")
        header = self.horizontalHeader()
        if state is not None:
            header.restoreState(state)
            # The restored sort indicator becomes the query's order before the first load.
            self.record_model.set_sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def save_state(self) -> None:
        QSettings().setValue(f"columns/{self._state_key}", self.horizontalHeader().saveState())

    def _on_header_sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        self.record_model.sort(column, order)
