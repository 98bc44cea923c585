"""A line edit that finds an enterprise by name as you type and remembers the chosen id."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QWidget

from app.storage.queries import enterprises
from app.storage.records import RecordStore
from app.ui.widgets.field_editors import FieldEditor

PLACEHOLDER = "输入企业名称查找"


class EnterprisePicker(QWidget):
    """Picks one live enterprise.

    Signals:
        picked(str): the id of the enterprise chosen ('' when cleared).
    """

    picked = Signal(str)

    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._conn = conn
        self._id: str | None = None
        self._names: dict[str, str] = {}
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(PLACEHOLDER)
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.activated.connect(self._on_completer_activated)
        self.edit.setCompleter(completer)
        self.edit.textEdited.connect(self._on_edit_text_edited)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)

    def enterprise_id(self) -> str | None:
        return self._id

    def set_enterprise(self, enterprise_id: str | None) -> None:
        self._id = enterprise_id
        if enterprise_id:
            record = RecordStore(self._conn).find("enterprise", enterprise_id)
            self.edit.setText(record["name"] if record else "")
        else:
            self.edit.clear()
        self.picked.emit(enterprise_id or "")

    def as_editor(self, spec) -> FieldEditor:  # type: ignore[no-untyped-def]
        return FieldEditor(spec, self, self.enterprise_id, self.set_enterprise,
                           lambda slot: self.picked.connect(lambda _i: slot()))

    def _on_edit_text_edited(self, text: str) -> None:
        found = enterprises.pick(self._conn, text, limit=20)
        self._names = {name: eid for eid, name in found}
        self._model.setStringList([name for _eid, name in found])
        exact = self._names.get(text.strip())
        self._id = exact
        self.picked.emit(exact or "")

    def _on_completer_activated(self, name: str) -> None:
        self._id = self._names.get(name)
        self.picked.emit(self._id or "")
