"""Global search results (Ctrl+F): grouped by record type, matches highlighted, opens records."""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.domain import messages
from app.storage import search
from app.ui import strings

log = logging.getLogger(__name__)

TypeRole = Qt.ItemDataRole.UserRole
IdRole = Qt.ItemDataRole.UserRole + 1
TYPE_ORDER = ("enterprise", "contact", "meeting_note", "lead")
HIGHLIGHT = '<span style="color:#c62828; font-weight:bold;">'


def highlight(snippet: str) -> str:
    """HTML for a snippet whose matches are marked 【like this】 by the search module."""
    text = html.escape(snippet)
    return text.replace("【", HIGHLIGHT).replace("】", "</span>")


class SearchPanel(QWidget):
    """Runs a search and lists the hits under one heading per record type.

    Signals:
        open_requested(str, str): (record type, id) of the hit the user opened.
    """

    open_requested = Signal(str, str)

    def __init__(self, conn, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self._conn = conn
        self.summary = QLabel(self)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(False)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self.result: search.SearchResult | None = None

    def run(self, query: str) -> search.SearchResult:
        self.result = result = search.search(self._conn, query, limit=50)
        self.tree.clear()
        if not result.hits:
            self.summary.setText(strings.SEARCH_NO_RESULTS if query.strip() else "")
            return result
        self.summary.setText(strings.search_summary(result.total, len(result.hits)))
        groups: dict[str, list[search.SearchHit]] = {}
        for hit in result.hits:
            groups.setdefault(hit.type, []).append(hit)
        for type_name in sorted(groups, key=lambda t: TYPE_ORDER.index(t) if t in TYPE_ORDER else 9):
            hits = groups[type_name]
            head = QTreeWidgetItem([strings.group_header(messages.type_label(type_name), len(hits))])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(head)
            for hit in hits:
                item = QTreeWidgetItem(head, [""])
                item.setData(0, TypeRole, hit.type)
                item.setData(0, IdRole, hit.id)
                label = QLabel(f"<b>{html.escape(hit.title)}</b><br>{highlight(hit.snippet)}")
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setContentsMargins(2, 2, 2, 4)
                item.setSizeHint(0, label.sizeHint())
                self.tree.setItemWidget(item, 0, label)
            head.setExpanded(True)
        return result

    def hit_items(self) -> list[QTreeWidgetItem]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            out += [head.child(j) for j in range(head.childCount())]
        return out

    def _on_tree_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_name = item.data(0, TypeRole)
        if type_name:
            self.open_requested.emit(type_name, item.data(0, IdRole))
