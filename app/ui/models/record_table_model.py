"""A table model over record keys: SQL sorts and filters, rows are fetched a page at a time."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.storage.queries.table import TableSource
from app.ui.models.columns import Column, Row

log = logging.getLogger(__name__)

PAGE_SIZE = 200
RecordIdRole = Qt.ItemDataRole.UserRole + 1  # the record's UUID behind every cell
RawRowRole = Qt.ItemDataRole.UserRole + 2  # the whole row dict

AnyIndex = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    """Rows of one record type; holds keys (rowids), fetches visible rows on demand."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        source: TableSource,
        columns: Sequence[Column],
        query: Any,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._conn = conn
        self._source = source
        self._columns = list(columns)
        self._query = query
        self._keys: list[int] = []
        self._rows: dict[int, Row] = {}  # page cache, cleared on refresh

    # --- public -------------------------------------------------------------------------

    @property
    def query(self) -> Any:
        return self._query

    @property
    def source(self) -> TableSource:
        return self._source

    @property
    def columns(self) -> list[Column]:
        return self._columns

    def refresh(self, query: Any | None = None) -> None:
        """Re-run the query (WHERE and ORDER BY in SQLite) and drop cached rows."""
        if query is not None:
            self._query = query
        self.beginResetModel()
        self._keys = self._source.find_keys(self._conn, self._query)
        self._rows.clear()
        self.endResetModel()

    def set_sort(self, column: int, order: Qt.SortOrder) -> bool:
        """Change the query's ORDER BY without re-running it; False if not sortable."""
        if not 0 <= column < len(self._columns) or self._columns[column].sort is None:
            return False
        if not dataclasses.is_dataclass(self._query):
            return False
        self._query = dataclasses.replace(
            self._query, sort=self._columns[column].sort,
            descending=order == Qt.SortOrder.DescendingOrder,
        )
        return True

    def invalidate_rows(self) -> None:
        """Rows changed but the key list did not (an edit): refetch what is shown."""
        self._rows.clear()
        if self._keys:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._keys) - 1, len(self._columns) - 1)
            )

    def row_data(self, row: int) -> Row | None:
        if not 0 <= row < len(self._keys):
            return None
        return self._row(row)

    def record_id(self, row: int) -> str | None:
        data = self.row_data(row)
        return None if data is None else str(data["id"])

    def row_of_id(self, record_id: str) -> int:
        """The row showing `record_id` among the fetched pages, or -1."""
        for key, data in self._rows.items():
            if data.get("id") == record_id:
                try:
                    return self._keys.index(key)
                except ValueError:
                    return -1
        return -1

    # --- private ------------------------------------------------------------------------

    def _row(self, row: int) -> Row | None:
        key = self._keys[row]
        data = self._rows.get(key)
        if data is None:
            start = (row // PAGE_SIZE) * PAGE_SIZE
            page = self._keys[start : start + PAGE_SIZE]
            fetched = self._source.fetch(self._conn, page)
            if len(self._rows) > 20 * PAGE_SIZE:  # bound the cache when scrolling far
                self._rows.clear()
            self._rows.update(fetched)
            data = self._rows.get(key)
        return data

    # --- Qt overrides -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.alignment.value)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.ToolTipRole,
            RecordIdRole,
            RawRowRole,
        ):
            return None
        row = self._row(index.row())
        if row is None:  # deleted between the id query and this fetch
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.ForegroundRole:
            return column.foreground(row) if column.foreground else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip else None
        if role == RecordIdRole:
            return row["id"]
        return row

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.set_sort(column, order):
            self.refresh()
