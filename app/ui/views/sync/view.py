"""同步 view: account and 立即同步 on top; outbox, conflicts, duplicates, rejected in tabs."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui import strings, tasks
from app.ui.dialogs import confirm
from app.ui.dialogs.login_dialog import prompt_login
from app.ui.profile import Profile
from app.ui.sync_runner import SyncRunner, format_when
from app.ui.views.base import View
from app.ui.views.sync.conflict_panel import ConflictPanel
from app.ui.views.sync.duplicate_panel import DuplicatePanel
from app.ui.views.sync.outbox_panel import OutboxPanel
from app.ui.views.sync.quarantine_panel import QuarantinePanel

ACCOUNT_STYLE = "font-size: 14px;"
MESSAGE_STYLE = "color: #455a64;"


class SyncView(View):
    """What waits for the server and what needs the user; works only with a SyncRunner bound."""

    TABS = ("outbox", "conflicts", "duplicates", "quarantine")

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.runner: SyncRunner | None = None
        self.account = QLabel(self)
        self.account.setStyleSheet(ACCOUNT_STYLE)
        self.account.setWordWrap(True)
        self.login_button = QPushButton(strings.SYNC_LOGIN, self)
        self.login_button.clicked.connect(lambda: self.prompt_login())
        self.logout_button = QPushButton(strings.SYNC_LOGOUT, self)
        self.logout_button.clicked.connect(self.logout)
        self.sync_button = QPushButton(strings.SYNC_NOW, self)
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = QPushButton(strings.SYNC_CANCEL, self)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: the engine cannot know totals in advance
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.message = QLabel(self)
        self.message.setStyleSheet(MESSAGE_STYLE)
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.account, 1)
        for button in (self.login_button, self.logout_button, self.sync_button,
                       self.cancel_button):
            top.addWidget(button)
        status_row = QHBoxLayout()
        status_row.addWidget(self.progress)
        status_row.addWidget(self.message, 1)
        self.outbox = OutboxPanel(profile, self)
        self.conflicts = ConflictPanel(profile, self)
        self.duplicates = DuplicatePanel(profile, self)
        self.quarantine = QuarantinePanel(profile, self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        for panel in (self.outbox, self.conflicts, self.duplicates, self.quarantine):
            self.tabs.addTab(panel, "")
        for signal in (self.conflicts.resolved, self.duplicates.merged, self.quarantine.retried):
            signal.connect(self._on_panel_wrote)
        self.quarantine.open_note_requested.connect(self.open_saved_note_requested)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(status_row)
        layout.addWidget(self.tabs, 1)
        self._counts = {key: 0 for key in self.TABS}
        self._update_header()

    # --- public -------------------------------------------------------------------------

    def bind_sync(self, runner: SyncRunner) -> None:
        """Called by the window once: the runner whose state this view shows and drives."""
        self.runner = runner
        runner.status_changed.connect(self._on_runner_status_changed)
        runner.progressed.connect(lambda _p, _q: self._update_header())
        runner.records_changed.connect(self._on_runner_records_changed)
        runner.sync_failed.connect(lambda _m: self._update_header())
        runner.sync_finished.connect(lambda _r: self._update_header())
        self._update_header()

    def activate(self) -> None:
        """Always re-read when shown: records saved anywhere change the outbox."""
        self._loaded = True
        self._stale = False
        self.refresh()

    def refresh(self) -> None:
        self._counts = {
            "outbox": self.outbox.refresh(),
            "conflicts": self.conflicts.refresh(),
            "duplicates": self.duplicates.refresh(),
            "quarantine": self.quarantine.refresh(),
        }
        labels = (strings.SYNC_TAB_OUTBOX, strings.SYNC_TAB_CONFLICTS,
                  strings.SYNC_TAB_DUPLICATES, strings.SYNC_TAB_QUARANTINE)
        for i, (key, label) in enumerate(zip(self.TABS, labels, strict=True)):
            self.tabs.setTabText(i, strings.sync_tab(label, self._counts[key]))
        self._update_header()

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(self.TABS.index(key))

    def sync_now(self) -> None:
        if self.runner is not None:
            self.runner.sync_now()

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()

    def prompt_login(self, reason: str = "") -> None:
        """Log in; the first sync starts right after."""
        if self.runner is not None:
            prompt_login(self.window(), self.runner, self.profile, reason,
                         then=self.runner.sync_now)

    def logout(self) -> None:
        if self.runner is None:
            return
        self.runner.refresh_status()  # the count in the question must be today's
        if confirm.ask(self, strings.SYNC_LOGOUT_TITLE,
                       strings.logout_question(self.runner.status.pending)):
            self.runner.logout(lambda: self.status_message.emit(strings.SYNC_LOGGED_OUT))

    # --- private ------------------------------------------------------------------------

    def _on_panel_wrote(self, message: str) -> None:
        self.status_message.emit(message)
        self.message.setText(message)
        self.refresh()
        self.data_changed.emit()

    def _on_runner_status_changed(self) -> None:
        s, c = self.runner.status, self._counts  # type: ignore[union-attr]
        shown = (c["outbox"], c["conflicts"], c["duplicates"], c["quarantine"])
        if self._loaded and self.isVisible() and shown != (
                s.pending, s.conflicts, s.duplicates, s.quarantined):
            self.refresh()  # a record was saved elsewhere, or a sync ran
        else:
            self._update_header()

    def _on_runner_records_changed(self) -> None:
        if self._loaded:
            self.refresh()

    def _update_header(self) -> None:
        r = self.runner
        if r is None or r.is_demo:
            self.account.setText(strings.SYNC_DEMO_ACCOUNT if self.profile.is_demo
                                 else strings.SYNC_ACCOUNT_NONE)
            for w in (self.login_button, self.logout_button, self.sync_button,
                      self.cancel_button, self.progress):
                w.setVisible(False)
            return
        s = r.status
        signed_in = bool(s.user and s.server_url) and r.has_token is not False
        if signed_in:
            text = strings.sync_account(s.user or "", s.server_url or "")
            text += "\n" + (strings.sync_last(format_when(s.last_sync_at)) if s.last_sync_at
                            else strings.SYNC_NEVER)
        else:
            text = strings.LOGIN_EXPIRED if r.login_expired else strings.SYNC_ACCOUNT_NONE
        self.account.setText(text)
        self.login_button.setVisible(not signed_in)
        self.logout_button.setVisible(signed_in)
        self.sync_button.setVisible(True)
        self.sync_button.setEnabled(not r.is_running)
        self.cancel_button.setVisible(r.shows_progress)
        self.progress.setVisible(r.shows_progress)
        if r.is_running and not r.shows_progress:
            QTimer.singleShot(tasks.PROGRESS_DELAY_MS, self, self._update_header)
        if r.is_running and r.last_message != strings.SYNC_CANCELLING:
            self.message.setText(strings.sync_progress(r.pushed, r.pulled))
        else:
            self.message.setText(r.last_message)
