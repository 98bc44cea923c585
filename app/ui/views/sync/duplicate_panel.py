"""重复企业: the same enterprise entered on two laptops; the user confirms the merge."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.errors import AppError
from app.domain.records import children_of, spec_for
from app.storage import conflicts
from app.ui import strings
from app.ui.dialogs import confirm
from app.ui.profile import Profile
from app.ui.views.sync.conflict_editor import FieldGrid
from app.ui.views.sync.conflict_panel import ERROR_STYLE, TITLE_STYLE
from app.ui.views.sync.values import caption

SHOWN_FIELDS = ("name", "uscc", "industry_chain", "province", "city", "address", "tags", "notes")


def children_count(profile: Profile, enterprise_id: str) -> int:
    """Live records that point at this enterprise (what a merge moves)."""
    return sum(profile.store.count(child.type, {ref.name: enterprise_id})
               for child, ref in children_of("enterprise"))


class DuplicatePanel(QWidget):
    """Duplicate-enterprise conflicts, each shown side by side with a merge button.

    Signals:
        merged(str): a merge was done; the message to show.
    """

    merged = Signal(str)

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.items: list[dict[str, Any]] = []
        self.list = QListWidget(self)
        self.list.setMinimumWidth(220)
        self.list.currentRowChanged.connect(self._on_list_row_changed)
        self.title = QLabel(self)
        self.title.setStyleSheet(TITLE_STYLE)
        self.title.setWordWrap(True)
        hint = QLabel(strings.SYNC_DUPLICATE_HINT, self)
        hint.setWordWrap(True)
        self.body_scroll = QScrollArea(self)
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.merge_button = QPushButton(strings.SYNC_MERGE, self)
        self.merge_button.clicked.connect(self.merge)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.merge_button)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 0, 0, 0)
        column.addWidget(self.title)
        column.addWidget(hint)
        column.addWidget(self.body_scroll, 1)
        column.addLayout(buttons)
        self.empty = QLabel(strings.SYNC_DUPLICATES_EMPTY, self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.splitter, 1)

    def refresh(self) -> int:
        self.items = [c for c in conflicts.list_open(self.profile.conn) if c["kind"] == "duplicate"]
        self.list.blockSignals(True)
        self.list.clear()
        for c in self.items:
            mine = c["mine"] or {}
            text = strings.duplicate_caption(caption(mine), mine.get("uscc") or "")
            QListWidgetItem(text, self.list).setData(Qt.ItemDataRole.UserRole, c["id"])
        self.list.blockSignals(False)
        self.empty.setVisible(not self.items)
        self.splitter.setVisible(bool(self.items))
        self.list.setCurrentRow(0 if self.items else -1)
        self._on_list_row_changed(self.list.currentRow())
        return len(self.items)

    def merge(self) -> None:
        """Ask, then move everything to the server's enterprise and drop ours."""
        row = self.list.currentRow()
        if not 0 <= row < len(self.items):
            return
        c = self.items[row]
        survivor = self.profile.store.find("enterprise", c["duplicate_of"] or "")
        mine = self.profile.store.find("enterprise", c["record_id"]) or c["mine"] or {}
        question = strings.merge_question(caption(mine), caption(survivor or c["theirs"]),
                                          children_count(self.profile, c["record_id"]))
        if not confirm.ask(self, strings.SYNC_MERGE_TITLE, question):
            return
        try:
            result = conflicts.merge_duplicate(self.profile.store, c["id"])
        except AppError as e:
            self.error.setText(messages.render_error(e))
            return
        self.merged.emit(strings.merged(result["moved"]))

    def _on_list_row_changed(self, row: int) -> None:
        self.error.clear()
        old = self.body_scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        if not 0 <= row < len(self.items):
            self.title.clear()
            self.merge_button.setEnabled(False)
            return
        c = self.items[row]
        mine = self.profile.store.find("enterprise", c["record_id"]) or c["mine"] or {}
        theirs = self.profile.store.find("enterprise", c["duplicate_of"] or "") or c["theirs"] or {}
        self.title.setText(f"{messages.type_label('enterprise')}「{caption(mine)}」")
        names = [n for n in SHOWN_FIELDS if mine.get(n) or theirs.get(n)]
        self.body_scroll.setWidget(FieldGrid(self.profile.conn, spec_for("enterprise"), names,
                                        mine, theirs, with_choices=False))
        self.merge_button.setEnabled(True)
