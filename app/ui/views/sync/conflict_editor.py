"""One conflict, both sides per field: take mine / take theirs / keep both / edit."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QWidget,
)

from app.domain import messages
from app.domain.merge import keep_both
from app.domain.records import FieldSpec, RecordSpec
from app.ui import strings
from app.ui.views.sync.values import display
from app.ui.widgets.field_editors import FieldEditor, make_editor

MINE_STYLE = "background: #e8f1fb; border: 1px solid #b6d0ee; border-radius: 3px; padding: 4px;"
THEIRS_STYLE = "background: #fdf1e3; border: 1px solid #efcfa6; border-radius: 3px; padding: 4px;"
HEADER_STYLE = "font-weight: bold; color: #455a64;"
LABEL_STYLE = "padding-top: 5px;"
MAX_VALUE_CHARS = 2000  # a very long text is cut in the comparison (the editor has all of it)

_NOT_EDITABLE = ("ref", "refs")  # references need a picker: mine or theirs only


def _both_makes_sense(f: FieldSpec) -> bool:
    return f.kind == "longtext" or f.is_multi


def default_choice(f: FieldSpec) -> str:
    """Long texts keep both by default (as conflicts.resolve 'both' does); others keep mine."""
    return "both" if f.kind == "longtext" else "mine"


@dataclass
class FieldChoice:
    """The widgets of one conflicting field."""

    spec: FieldSpec
    combo: QComboBox
    editor: FieldEditor | None

    @property
    def choice(self) -> str:
        return str(self.combo.currentData())

    def choose(self, choice: str) -> None:
        self.combo.setCurrentIndex(self.combo.findData(choice))


def value_label(text: str, style: str, parent: QWidget) -> QLabel:
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + "……"
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(style)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class FieldGrid(QFrame):
    """字段 | 本机的值 | 服务器上的值 | 采用 — one row per field (choices optional)."""

    def __init__(self, conn: sqlite3.Connection, spec: RecordSpec, names: list[str],
                 mine: dict[str, Any], theirs: dict[str, Any], *, with_choices: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices: dict[str, FieldChoice] = {}
        self._mine, self._theirs, self._spec = mine, theirs, spec
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        headers = [strings.SYNC_COL_FIELD, strings.SYNC_COL_MINE, strings.SYNC_COL_THEIRS]
        if with_choices:
            headers.append(strings.SYNC_COL_CHOICE)
        for column, text in enumerate(headers):
            header = QLabel(text, self)
            header.setStyleSheet(HEADER_STYLE)
            grid.addWidget(header, 0, column)
        row = 1
        for name in names:
            f = spec.field(name)
            label = QLabel(messages.field_label(name, spec.type), self)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            label.setStyleSheet(LABEL_STYLE)  # level with the first line of the boxed values
            grid.addWidget(label, row, 0)
            grid.addWidget(value_label(display(conn, f, mine.get(name)), MINE_STYLE, self), row, 1)
            grid.addWidget(value_label(display(conn, f, theirs.get(name)), THEIRS_STYLE, self),
                           row, 2)
            if with_choices:
                choice = self._choice_row(conn, f)
                grid.addWidget(choice.combo, row, 3, Qt.AlignmentFlag.AlignTop)
                if choice.editor is not None:
                    row += 1
                    grid.addWidget(choice.editor.widget, row, 1, 1, 2)
                self.choices[name] = choice
            row += 1
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(row, 1)

    def values(self) -> tuple[dict[str, str], dict[str, Any]]:
        """(per-field choices, typed values of the fields chosen as 'edit')."""
        per_field = {name: c.choice for name, c in self.choices.items()}
        edited = {name: c.editor.get() for name, c in self.choices.items()
                  if c.choice == "edit" and c.editor is not None}
        return per_field, edited

    def _choice_row(self, conn: sqlite3.Connection, f: FieldSpec) -> FieldChoice:
        combo = QComboBox(self)
        combo.addItem(strings.SYNC_TAKE_MINE, "mine")
        combo.addItem(strings.SYNC_TAKE_THEIRS, "theirs")
        if _both_makes_sense(f):
            combo.addItem(strings.SYNC_TAKE_BOTH, "both")
        editor = None
        if f.kind not in _NOT_EDITABLE:
            combo.addItem(strings.SYNC_TAKE_EDIT, "edit")
            editor = make_editor(f, conn, self)
            start = self._mine.get(f.name)
            if _both_makes_sense(f):
                start = keep_both(self._spec, f.name, start, self._theirs.get(f.name))
            editor.set(start)
            editor.widget.hide()
        choice = FieldChoice(f, combo, editor)
        choice.choose(default_choice(f))
        combo.currentIndexChanged.connect(lambda _i, c=choice: self._on_choice_changed(c))
        return choice

    def _on_choice_changed(self, choice: FieldChoice) -> None:
        if choice.editor is not None:
            choice.editor.widget.setVisible(choice.choice == "edit")
            if choice.choice == "edit":
                choice.editor.widget.setFocus()
