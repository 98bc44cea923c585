"""冲突: field clashes and delete-vs-edit, each resolved by the user seeing both sides."""

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
from app.domain.records import spec_for
from app.storage import conflicts
from app.ui import strings
from app.ui.profile import Profile
from app.ui.views.sync.conflict_editor import FieldGrid
from app.ui.views.sync.values import caption

ERROR_STYLE = "color: #c62828;"
TITLE_STYLE = "font-size: 15px; font-weight: bold;"


def _differing(spec: Any, mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    return [f.name for f in spec.fields if not f.system
            and (mine.get(f.name) or None) != (theirs.get(f.name) or None)]


class ConflictPanel(QWidget):
    """A list of open conflicts on the left; the chosen one, side by side, on the right.

    Signals:
        resolved(str): a conflict was resolved; the message to show.
    """

    resolved = Signal(str)

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.items: list[dict[str, Any]] = []
        self.grid: FieldGrid | None = None
        self.list = QListWidget(self)
        self.list.setMinimumWidth(220)
        self.list.currentRowChanged.connect(self._on_list_row_changed)
        self.title = QLabel(self)
        self.title.setStyleSheet(TITLE_STYLE)
        self.title.setWordWrap(True)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.body_scroll = QScrollArea(self)
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.apply_button = QPushButton(strings.SYNC_APPLY, self)
        self.apply_button.clicked.connect(self.apply)
        self.keep_mine_button = QPushButton(strings.SYNC_KEEP_MINE, self)
        self.keep_mine_button.clicked.connect(lambda: self._resolve("mine"))
        self.keep_theirs_button = QPushButton(strings.SYNC_KEEP_THEIRS, self)
        self.keep_theirs_button.clicked.connect(lambda: self._resolve("theirs"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        for button in (self.keep_mine_button, self.keep_theirs_button, self.apply_button):
            buttons.addWidget(button)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 0, 0, 0)
        column.addWidget(self.title)
        column.addWidget(self.hint)
        column.addWidget(self.body_scroll, 1)
        column.addLayout(buttons)
        self.empty = QLabel(strings.SYNC_CONFLICTS_EMPTY, self)
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

    # --- public -------------------------------------------------------------------------

    def refresh(self) -> int:
        """Re-read the open conflicts; returns how many there are."""
        current = self.current_id()
        self.items = [c for c in conflicts.list_open(self.profile.conn) if c["kind"] != "duplicate"]
        self.list.blockSignals(True)
        self.list.clear()
        for c in self.items:
            kind = strings.SYNC_KIND_FIELDS if c["kind"] == "fields" else strings.SYNC_KIND_DELETE
            text = strings.conflict_caption(kind, messages.type_label(c["type"]),
                                            caption(c["mine"] or c["theirs"]))
            QListWidgetItem(text, self.list).setData(Qt.ItemDataRole.UserRole, c["id"])
        self.list.blockSignals(False)
        self.empty.setVisible(not self.items)
        self.splitter.setVisible(bool(self.items))
        ids = [c["id"] for c in self.items]
        self.list.setCurrentRow(ids.index(current) if current in ids else 0 if ids else -1)
        self._on_list_row_changed(self.list.currentRow())
        return len(self.items)

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def apply(self) -> None:
        """Resolve the shown field conflict with the per-field choices."""
        if self.grid is None or not self.grid.choices:
            return
        per_field, edited = self.grid.values()
        self._resolve("mine", per_field, edited)

    # --- private ------------------------------------------------------------------------

    def _resolve(self, take: str, per_field: dict[str, str] | None = None,
                 edited: dict[str, Any] | None = None) -> None:
        conflict_id = self.current_id()
        if conflict_id is None:
            return
        try:
            conflicts.resolve(self.profile.conn, conflict_id, take, per_field=per_field,
                              edited=edited)
        except AppError as e:
            self.error.setText(messages.render_error(e))
            return
        self.resolved.emit(strings.SYNC_RESOLVED)

    def _on_list_row_changed(self, row: int) -> None:
        self.error.clear()
        old = self.body_scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.grid = None
        if not 0 <= row < len(self.items):
            for w in (self.title, self.hint, self.apply_button, self.keep_mine_button,
                      self.keep_theirs_button):
                w.hide()
            return
        c = self.items[row]
        spec = spec_for(c["type"])
        mine, theirs = conflicts.sides(self.profile.conn, c)
        is_fields = c["kind"] == "fields"
        self.title.setText(f"{messages.type_label(c['type'])}「{caption(mine or theirs)}」")
        if is_fields:
            self.hint.setText(strings.SYNC_CONFLICT_HINT)
            names = list(c["fields"])
        else:
            self.hint.setText(strings.SYNC_DELETED_HERE if mine.get("deleted")
                              else strings.SYNC_DELETED_THERE)
            names = _differing(spec, mine, theirs) or [spec.fields[0].name]
        self.grid = FieldGrid(self.profile.conn, spec, names, mine, theirs,
                              with_choices=is_fields)
        self.body_scroll.setWidget(self.grid)
        self.title.show()
        self.hint.show()
        self.apply_button.setVisible(is_fields)
        self.keep_mine_button.setVisible(not is_fields)
        self.keep_theirs_button.setVisible(not is_fields)
