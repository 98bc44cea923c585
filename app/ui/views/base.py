"""What every main-window view offers the window: new, save, delete, refresh, dirty state."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.ui.profile import Profile


class View(QWidget):
    """Base of the views in the navigation pane.

    Signals:
        status_message(str): a short message for the status bar.
        data_changed(): records were written (the window refreshes counts).
        open_enterprise_requested(str): show this enterprise in the 企业 view.
        open_note_requested(str, str): write a note for (visit id, enterprise id); '' = none.
        open_lead_requested(str): show this lead in the 项目 view.
        open_saved_note_requested(str): open this saved note in the 纪要 view.
        report_requested(str, object): write a report: ("itinerary" | "trip_report", trip id)
            or ("ledger", LedgerFilter); the window asks where and opens it.
    """

    status_message = Signal(str)
    data_changed = Signal()
    open_enterprise_requested = Signal(str)
    open_note_requested = Signal(str, str)
    open_lead_requested = Signal(str)
    open_saved_note_requested = Signal(str)
    report_requested = Signal(str, object)

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self._loaded = False
        self._stale = False

    def activate(self) -> None:
        """Called each time the view is shown; loads its data the first time or when stale."""
        if not self._loaded or self._stale:
            self._loaded = True
            self._stale = False
            self.refresh()

    def mark_stale(self) -> None:
        """Another view wrote records: re-read next time this view is shown."""
        self._stale = True

    def refresh(self) -> None:
        """Re-read from the database."""

    def new_record(self) -> None:
        """Ctrl+N in this view."""

    def save(self) -> bool:
        """Ctrl+S in this view; True when nothing is left unsaved."""
        return True

    def discard_changes(self) -> None:
        """Drop unsaved edits (the user chose not to save them)."""

    def delete_selected(self) -> None:
        """Delete key in this view (asks first)."""

    @property
    def is_dirty(self) -> bool:
        return False

    def save_state(self) -> None:
        """Persist column widths and splitter positions (QSettings)."""
