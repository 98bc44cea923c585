"""纪要 view: the list of meeting notes beside the note editor; offers to restore drafts."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QItemSelection, QSettings, Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.storage.queries import drafts
from app.ui import strings
from app.ui.dialogs import confirm
from app.ui.dialogs.delete import delete_record
from app.ui.models.tables import note_model
from app.ui.profile import Profile
from app.ui.views.base import View
from app.ui.views.note_editor import NoteEditor
from app.ui.widgets.record_table import RecordTable


class NotesView(View):
    """Notes list (left) and editor (right)."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(strings.ENT_FILTER_TEXT)
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter_changed)
        new = QPushButton(strings.NOTE_NEW, self)
        new.clicked.connect(self.new_record)
        self.model = note_model(profile.conn, self)
        self.table = RecordTable(self.model, "notes", self)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.editor = NoteEditor(profile, self)
        self.editor.saved.connect(self._on_editor_saved)
        self.editor.draft_saved.connect(lambda: self.status_message.emit(strings.NOTE_DRAFT_SAVED))
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(new)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        state = QSettings().value("splitters/notes")
        if state is not None:
            self.splitter.restoreState(state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    # --- View ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self.model.refresh()

    def new_record(self) -> None:
        if self._settle_unsaved():
            self.editor.start_new()

    def save(self) -> bool:
        return self.editor.save()

    def discard_changes(self) -> None:
        self.editor.discard()

    @property
    def is_dirty(self) -> bool:
        return self.editor.is_dirty

    def delete_selected(self) -> None:
        note_id = self.table.current_id()
        if note_id is None:
            return
        record = self.profile.store.get("meeting_note", note_id)
        if delete_record(self, self.profile.store, "meeting_note", note_id, record["date"]):
            self.status_message.emit(strings.DELETED)
            self.data_changed.emit()
            self.editor.start_new()
            self.refresh()

    def save_state(self) -> None:
        self.table.save_state()
        QSettings().setValue("splitters/notes", self.splitter.saveState())

    # --- public -------------------------------------------------------------------------

    def start_note(self, visit_id: str | None, enterprise_id: str | None) -> None:
        if self._settle_unsaved():
            self.editor.start_new(visit_id, enterprise_id)
            self.editor.form.editors["content"].widget.setFocus()

    def open_note(self, note_id: str) -> None:
        if self._settle_unsaved():
            self.editor.open_note(note_id)
            self.table.select_id(note_id)

    def offer_draft_restore(self) -> bool:
        """Ask about each note draft left by a crash; True if one was restored."""
        for draft in drafts.load_all(self.profile.conn, "meeting_note"):
            excerpt = (draft.data.get("fields", {}).get("content") or "")[:200]
            if confirm.ask(self, strings.NOTE_RESTORE_TITLE,
                           strings.restore_draft_question(draft.saved_at, excerpt),
                           default_yes=True):
                self.editor.load_draft(draft)
                return True
            drafts.discard(self.profile.conn, draft.key)
        return False

    # --- private ------------------------------------------------------------------------

    def _settle_unsaved(self) -> bool:
        """Before the editor shows something else: save, discard or stay."""
        if not self.editor.is_dirty:
            return True
        answer = confirm.ask_save_discard_cancel(self, strings.FORM_UNSAVED_TITLE,
                                                 strings.FORM_UNSAVED_TEXT)
        if answer == "save":
            return self.editor.save()
        if answer == "discard":
            self.editor.discard()
            return True
        return False

    def _on_filter_changed(self, text: str) -> None:
        self.model.refresh(dataclasses.replace(self.model.query, text=text))

    def _on_table_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        note_id = self.table.current_id()
        if note_id and note_id != self.editor.note_id and self._settle_unsaved():
            self.editor.open_note(note_id)

    def _on_editor_saved(self, _note: dict) -> None:
        self.status_message.emit(strings.NOTE_SAVED)
        self.data_changed.emit()
        self.model.refresh()
