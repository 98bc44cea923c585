"""Deleting a record from the UI: confirm, and ask again before cascading to children."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.domain import messages
from app.domain.errors import AppError, ValidationError
from app.storage.records import RecordStore
from app.ui import strings
from app.ui.dialogs import confirm


def delete_record(parent: QWidget | None, store: RecordStore, type_name: str, record_id: str,
                  title: str) -> bool:
    """Tombstone after confirmation; True when something was deleted."""
    if not confirm.ask(parent, strings.CONFIRM_DELETE_TITLE,
                       strings.confirm_delete(messages.type_label(type_name), title)):
        return False
    try:
        store.delete(type_name, record_id)
        return True
    except ValidationError as e:
        if e.code != "has_children":
            confirm.warn(parent, strings.CONFIRM_DELETE_TITLE, messages.render_error(e))
            return False
        if not confirm.ask(parent, strings.CONFIRM_DELETE_TITLE,
                           strings.confirm_cascade(messages.render_error(e))):
            return False
    try:
        store.delete(type_name, record_id, cascade=True)
    except AppError as e:
        confirm.warn(parent, strings.CONFIRM_DELETE_TITLE, messages.render_error(e))
        return False
    return True
