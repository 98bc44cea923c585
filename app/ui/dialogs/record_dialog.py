"""Create or edit one record in a dialog: inline validation, USCC exception, unsaved prompt."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QScrollArea, QVBoxLayout, QWidget

from app.domain import messages
from app.domain.errors import AppError, ValidationError
from app.storage.records import RecordStore
from app.ui import strings
from app.ui.dialogs import confirm
from app.ui.widgets.record_form import RecordForm

log = logging.getLogger(__name__)

USCC_PROBLEMS = ("uscc_checksum", "uscc_length", "uscc_chars")
# (values typed, accept_invalid_uscc) -> saved record
SaveFn = Callable[[dict[str, Any], bool], dict[str, Any]]


class RecordDialog(QDialog):
    """A RecordForm with 保存/取消; nothing is written unless the whole record is valid."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        form: RecordForm,
        save: SaveFn,
        *,
        extra: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = form
        self._save = save
        self.record: dict[str, Any] | None = None
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(form)
        if extra is not None:
            body_layout.addWidget(extra)
        body_layout.addStretch(1)
        scroll.setWidget(body)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.buttons)
        self.resize(560, min(720, 140 + 52 * len(form.editors)))

    def save(self) -> bool:
        """Validate, ask about an invalid USCC, write; True when saved."""
        accept_invalid = False
        error = self.form.check()
        if error is not None:
            if error.code in USCC_PROBLEMS and confirm.ask(
                self, strings.FORM_USCC_TITLE,
                strings.uscc_accept_question(messages.render_error(error)),
            ):
                accept_invalid = True
                self.form.clear_errors()
            else:
                return False
        try:
            self.record = self._save(self.form.values(), accept_invalid)
        except ValidationError as e:
            self.form.show_error(e)
            return False
        except AppError as e:
            log.warning("Save refused: %r", e)
            self.form.show_error(e)
            return False
        self.form.mark_clean()
        self.accept()
        return True

    def reject(self) -> None:
        if self.form.is_dirty:
            answer = confirm.ask_save_discard_cancel(
                self, strings.FORM_UNSAVED_TITLE, strings.FORM_UNSAVED_TEXT
            )
            if answer == "cancel":
                return
            if answer == "save":
                self.save()
                return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.form.is_dirty and self.result() != QDialog.DialogCode.Accepted:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


def create_fn(store: RecordStore, type_name: str, fixed: Mapping[str, Any] | None = None) -> SaveFn:
    """Save callback creating a record (fixed fields, e.g. the parent, added)."""

    def save(values: dict[str, Any], accept_invalid: bool) -> dict[str, Any]:
        return store.create(type_name, {**values, **(fixed or {})},
                            accept_invalid_uscc=accept_invalid)

    return save


def update_fn(store: RecordStore, type_name: str, record_id: str, form: RecordForm) -> SaveFn:
    """Save callback sending only the changed fields."""

    def save(_values: dict[str, Any], accept_invalid: bool) -> dict[str, Any]:
        return store.update(type_name, record_id, form.changed_values(),
                            accept_invalid_uscc=accept_invalid)

    return save
