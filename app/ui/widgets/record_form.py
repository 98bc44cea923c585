"""A form over some fields of one record type, validated inline by the domain rules."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from app.domain import messages
from app.domain.errors import ValidationError
from app.domain.records import RecordSpec, validate_fields
from app.storage import lists
from app.ui.widgets.field_editors import FieldEditor, make_editor

ERROR_STYLE = "color: #c62828;"


class RecordForm(QWidget):
    """Editors for `field_names` of `spec`, each with its label and an inline error line.

    Signals:
        edited(): a person changed a value.
    """

    edited = Signal()

    def __init__(
        self,
        conn: sqlite3.Connection,
        spec: RecordSpec,
        field_names: Sequence[str],
        *,
        custom: Mapping[str, FieldEditor] | None = None,
        fixed: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._conn = conn
        self.spec = spec
        self.fixed = dict(fixed or {})  # values set by context (the parent), not shown
        self.editors: dict[str, FieldEditor] = {}
        self._errors: dict[str, QLabel] = {}
        self._original: dict[str, Any] = {}
        self._existing: dict[str, Any] | None = None
        self._shown_error: str | None = None
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in field_names:
            f = spec.field(name)
            editor = (custom or {}).get(name) or make_editor(f, conn, self)
            self.editors[name] = editor
            label = messages.field_label(name, spec.type) + ("＊" if f.required else "")
            error = QLabel(self)
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self._errors[name] = error
            holder = QWidget(self)
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(editor.widget)
            box.addWidget(error)
            layout.addRow(label, holder)
            editor.connect_changed(self._on_editor_changed)
        self.summary = QLabel(self)
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.hide()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        outer.addWidget(self.summary)
        self._original = self.values()

    # --- public -------------------------------------------------------------------------

    def set_record(self, record: Mapping[str, Any] | None) -> None:
        """Show an existing record (or reset for a new one) and mark the form clean."""
        self._existing = dict(record) if record is not None else None
        for name, editor in self.editors.items():
            if record is not None and name in record:
                editor.set(record[name])
        self.clear_errors()
        self._original = self.values()

    def values(self) -> dict[str, Any]:
        return {name: editor.get() for name, editor in self.editors.items()}

    def changed_values(self) -> dict[str, Any]:
        """For an update: only what differs from what was shown."""
        now = self.values()
        return {k: v for k, v in now.items() if _norm(v) != _norm(self._original.get(k))}

    @property
    def is_dirty(self) -> bool:
        return bool(self.changed_values())

    def mark_clean(self) -> None:
        self._original = self.values()

    def check(self) -> ValidationError | None:
        """Validate the current values with the domain rules; show and return the first error."""
        try:
            validate_fields(
                self.spec,
                {**self.values(), **self.fixed} if self._existing is None
                else self.changed_values(),
                existing=self._existing,
                list_has=lambda kind, value: lists.has(self._conn, kind, value),
            )
        except ValidationError as e:
            self.show_error(e)
            return e
        self.clear_errors()
        return None

    def show_error(self, error: ValidationError | Exception) -> None:
        """Put the message under its field (or below the form) and focus the field."""
        self.clear_errors()
        text = messages.render_error(error)
        name = getattr(error, "field", None)
        if name in self._errors:
            label = self._errors[name]
            label.setText(text)
            label.show()
            self.editors[name].widget.setFocus()
            self._shown_error = name
        else:
            self.summary.setText(text)
            self.summary.show()

    def error_text(self) -> str:
        """The message currently shown ('' when none): for tests and the status bar."""
        for label in [*self._errors.values(), self.summary]:
            if not label.isHidden() and label.text():
                return label.text()
        return ""

    def clear_errors(self) -> None:
        for label in self._errors.values():
            label.hide()
        self.summary.hide()
        self._shown_error = None

    # --- private ------------------------------------------------------------------------

    def _on_editor_changed(self) -> None:
        # Once an error is on screen, re-check on every change so it clears as soon as fixed.
        if self._shown_error is not None or not self.summary.isHidden():
            self.check()
        self.edited.emit()


def _norm(value: Any) -> Any:
    if value in ("", [], None, False):
        return None
    return value
