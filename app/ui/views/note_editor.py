"""The meeting-note editor: linked visit/enterprise, attendees, intent, content, follow-ups,
with a draft autosaved every few seconds and when focus leaves the editor."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.errors import AppError, ValidationError
from app.domain.records import MEETING_NOTE
from app.domain.values import today
from app.storage.queries import drafts, notes
from app.ui import strings
from app.ui.profile import Profile
from app.ui.widgets.enterprise_picker import EnterprisePicker
from app.ui.widgets.field_editors import FieldEditor
from app.ui.widgets.record_form import RecordForm

log = logging.getLogger(__name__)

NOTE_FIELDS = ("visit_id", "enterprise_id", "date", "our_attendees", "their_attendees", "intent",
               "content")
FOLLOW_UP_COLUMNS = ("content", "owner", "due_date")


class NoteEditor(QWidget):
    """Edits one meeting note (new or saved).

    Signals:
        saved(dict): the note was committed (with its new follow-ups).
        draft_saved(): a draft was written to the database.
    """

    saved = Signal(dict)
    draft_saved = Signal()

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.note_id: str | None = None
        self._visit_id: str | None = None
        self._last_draft: dict[str, Any] | None = None
        self._dirty_follow_ups = False
        self.visit_label = QLabel(strings.NOTE_NO_VISIT, self)
        self.picker = EnterprisePicker(profile.conn, self)
        visit_editor = FieldEditor(MEETING_NOTE.field("visit_id"), self.visit_label,
                                   lambda: self._visit_id, self._set_visit, lambda _slot: None)
        self.form = RecordForm(
            profile.conn, MEETING_NOTE, NOTE_FIELDS,
            custom={"visit_id": visit_editor,
                    "enterprise_id": self.picker.as_editor(MEETING_NOTE.field("enterprise_id"))},
            parent=self,
        )
        content = self.form.editors["content"].widget
        content.setMaximumHeight(16777215)
        content.setMinimumHeight(200)
        content.setPlaceholderText(strings.NOTE_CONTENT_PLACEHOLDER)  # type: ignore[attr-defined]
        self.follow_ups = QTableWidget(0, len(FOLLOW_UP_COLUMNS), self)
        self.follow_ups.setHorizontalHeaderLabels(
            [messages.field_label(c, "follow_up") for c in FOLLOW_UP_COLUMNS])
        self.follow_ups.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.follow_ups.verticalHeader().hide()
        self.follow_ups.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.follow_ups.setMaximumHeight(140)
        self.follow_ups.itemChanged.connect(self._on_follow_up_item_changed)
        self.existing_follow_ups = QLabel(self)
        self.existing_follow_ups.setWordWrap(True)
        add = QPushButton(strings.NOTE_ADD_FOLLOW_UP, self)
        add.clicked.connect(lambda: self.add_follow_up())
        remove = QPushButton(strings.NOTE_REMOVE_FOLLOW_UP, self)
        remove.clicked.connect(self._on_remove_follow_up)
        self.save_button = QPushButton(strings.ACTION_SAVE, self)
        self.save_button.clicked.connect(self.save)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel(strings.NOTE_FOLLOW_UPS, self))
        buttons.addStretch(1)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.existing_follow_ups)
        layout.addWidget(self.follow_ups)
        layout.addWidget(self.error)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)

        self.autosave = QTimer(self)
        self.autosave.setInterval(max(1, min(5, profile.settings.autosave_seconds)) * 1000)
        self.autosave.timeout.connect(self.save_draft)
        self.autosave.start()
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._on_app_focus_changed)  # type: ignore[attr-defined]
        self.start_new()

    # --- public -------------------------------------------------------------------------

    @property
    def draft_key(self) -> str:
        return f"meeting_note:{self.note_id or 'new'}"

    @property
    def is_dirty(self) -> bool:
        return self.form.is_dirty or self._dirty_follow_ups

    def start_new(self, visit_id: str | None = None, enterprise_id: str | None = None) -> None:
        """A blank note, linked to a visit (and its enterprise) or an enterprise."""
        self.note_id = None
        if visit_id and not enterprise_id:
            summary = notes.visit_summary(self.profile.conn, visit_id)
            enterprise_id = summary["enterprise_id"] if summary else None
        self.form.set_record(None)
        for name, value in (("visit_id", visit_id), ("enterprise_id", enterprise_id),
                            ("date", today()), ("our_attendees", []), ("their_attendees", []),
                            ("intent", "none"), ("content", "")):
            self.form.editors[name].set(value)
        # What the context filled in is not an edit: only typing makes the note dirty.
        self.form.mark_clean()
        self._clear_follow_ups()
        self.existing_follow_ups.clear()
        self.error.clear()
        self._last_draft = None

    def open_note(self, note_id: str) -> None:
        record = self.profile.store.get("meeting_note", note_id)
        self.note_id = note_id
        self.form.set_record(record)
        self._clear_follow_ups()
        existing = notes.follow_ups_of(self.profile.conn, note_id)
        self.existing_follow_ups.setText("\n".join(
            strings.follow_up_line(f["due_date"], f["content"], f["owner"]) for f in existing))
        self.error.clear()
        self._last_draft = None

    def add_follow_up(self, content: str = "", owner: str | None = None, due: str = "") -> None:
        row = self.follow_ups.rowCount()
        self.follow_ups.insertRow(row)
        for column, value in enumerate((content, owner or self.profile.user, due)):
            self.follow_ups.setItem(row, column, QTableWidgetItem(value))
        self._dirty_follow_ups = True

    def new_follow_ups(self) -> list[dict[str, Any]]:
        out = []
        for row in range(self.follow_ups.rowCount()):
            item = {c: (self.follow_ups.item(row, i).text().strip()
                        if self.follow_ups.item(row, i) else "")
                    for i, c in enumerate(FOLLOW_UP_COLUMNS)}
            if any(item.values()):
                out.append(item)
        return out

    def draft_data(self) -> dict[str, Any]:
        return {"note_id": self.note_id, "fields": self.form.values(),
                "follow_ups": self.new_follow_ups()}

    def save_draft(self) -> bool:
        """Write a draft if something changed since the last one; True when written."""
        if not self.is_dirty:
            return False
        data = self.draft_data()
        if data == self._last_draft:
            return False
        try:
            drafts.save(self.profile.conn, self.draft_key, "meeting_note", self.note_id, data)
        except AppError as e:
            log.warning("Draft autosave failed: %r", e)
            return False
        self._last_draft = data
        self.draft_saved.emit()
        return True

    def load_draft(self, draft: drafts.Draft) -> None:
        """Put a restored draft into the editor (it stays dirty until saved)."""
        data = draft.data
        if data.get("note_id"):
            self.open_note(data["note_id"])
        else:
            self.start_new()
        for name, value in data.get("fields", {}).items():
            if name in self.form.editors:
                self.form.editors[name].set(value)
        for item in data.get("follow_ups", []):
            self.add_follow_up(item.get("content", ""), item.get("owner"), item.get("due_date", ""))
        self._last_draft = data

    def save(self) -> bool:
        """Validate and commit the note with its new follow-ups; True when saved."""
        self.error.clear()
        if self.form.check() is not None:
            return False
        fields = self.form.values() if self.note_id is None else self.form.changed_values()
        follow_ups = [{k: v for k, v in f.items() if v} for f in self.new_follow_ups()]
        try:
            note = notes.save_note(self.profile.store, self.note_id, fields, follow_ups)
        except ValidationError as e:
            if e.record_type == "follow_up":
                self.error.setText(f"{strings.NOTE_FOLLOW_UPS}：{messages.render_error(e)}")
            else:
                self.form.show_error(e)
            return False
        except AppError as e:
            self.error.setText(messages.render_error(e))
            return False
        drafts.discard(self.profile.conn, self.draft_key)
        self.open_note(note["id"])
        self.saved.emit(note)
        return True

    def discard(self) -> None:
        drafts.discard(self.profile.conn, self.draft_key)
        if self.note_id:
            self.open_note(self.note_id)
        else:
            self.start_new()

    def error_text(self) -> str:
        return self.error.text() or self.form.error_text()

    # --- private ------------------------------------------------------------------------

    def _set_visit(self, visit_id: str | None) -> None:
        self._visit_id = visit_id or None
        summary = notes.visit_summary(self.profile.conn, visit_id) if visit_id else None
        if summary:
            self.visit_label.setText(strings.visit_caption(
                summary["scheduled_at"].replace("T", " "), summary["enterprise_name"] or ""))
        else:
            self.visit_label.setText(strings.NOTE_NO_VISIT)

    def _clear_follow_ups(self) -> None:
        self.follow_ups.setRowCount(0)
        self._dirty_follow_ups = False

    def _on_follow_up_item_changed(self, _item: QTableWidgetItem) -> None:
        self._dirty_follow_ups = True

    def _on_remove_follow_up(self) -> None:
        row = self.follow_ups.currentRow()
        if row >= 0:
            self.follow_ups.removeRow(row)
            self._dirty_follow_ups = True

    def _on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        # Focus leaving the editor (another view, another window) saves a draft at once.
        if old is not None and self.isAncestorOf(old) and (new is None or not self.isAncestorOf(new)):
            self.save_draft()

