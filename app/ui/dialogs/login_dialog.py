"""Log in to the sync server: address (from 设置), user, password; runs on a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui import strings
from app.ui.dialogs import confirm
from app.ui.profile import Profile
from app.ui.sync_runner import SyncRunner

if TYPE_CHECKING:
    from app.sync.session import LoginResult

ATTENTION_STYLE = "color: #e65100;"
ERROR_STYLE = "color: #c62828;"


class LoginDialog(QDialog):
    """Window-modal, never blocking: the login runs on a worker and the dialog waits for it.

    The password is handed to the login call and dropped; only the token is kept (keyring).
    """

    def __init__(self, parent: QWidget | None, runner: SyncRunner, profile: Profile,
                 reason: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(strings.LOGIN_TITLE)
        self.runner, self.profile = runner, profile
        self.reason = QLabel(reason, self)
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(ATTENTION_STYLE)
        self.reason.setVisible(bool(reason))
        self.server = QLineEdit(runner.server_url, self)
        self.server.setPlaceholderText(strings.SET_SERVER_HINT)
        self.user = QLineEdit(runner.status.user or profile.settings.user_name, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(strings.LOGIN_OK)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(strings.LOGIN_SERVER, self.server)
        form.addRow(strings.LOGIN_USER, self.user)
        form.addRow(strings.LOGIN_PASSWORD, self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.busy = False
        (self.password if self.user.text() and self.server.text() else
         self.server if not self.server.text() else self.user).setFocus()

    def submit(self) -> None:
        """Check the inputs, then log in in the background."""
        url, user = self.server.text().strip(), self.user.text().strip()
        if not url.startswith(("http://", "https://")):
            self._show_error(strings.SET_SERVER_INVALID, self.server)
            return
        if not user:
            self._show_error(strings.LOGIN_USER_MISSING, self.user)
            return
        if not self.password.text():
            self._show_error(strings.LOGIN_PASSWORD_MISSING, self.password)
            return
        self._set_busy(True)
        self.runner.login(url, user, self.password.text(), self._on_login_done,
                          self._on_login_failed)

    def _on_login_done(self, result: LoginResult) -> None:
        self._set_busy(False)
        self.password.clear()
        url = self.server.text().strip().rstrip("/")
        if self.profile.settings.server_url != url:
            self.profile.settings.server_url = url
            self.profile.save_settings()
        if result.token_in_memory:
            confirm.inform(self, strings.LOGIN_TITLE, strings.LOGIN_MEMORY_NOTICE)
        self.accept()

    def _on_login_failed(self, message: str) -> None:
        self._set_busy(False)
        self._show_error(message, self.password)

    def _show_error(self, message: str, focus: QWidget) -> None:
        self.error.setText(message)
        focus.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.server, self.user, self.password, self.ok_button):
            widget.setEnabled(not busy)
        if busy:
            self.error.setText(strings.LOGIN_BUSY)

    def reject(self) -> None:
        if not self.busy:  # the login in flight finishes first; then the dialog can go
            super().reject()


def prompt_login(parent: QWidget, runner: SyncRunner, profile: Profile, reason: str = "",
                 then: Callable[[], object] | None = None) -> LoginDialog:
    """Show the login dialog (one at a time); `then` runs after a successful login."""
    current = getattr(runner, "login_dialog", None)
    if isinstance(current, LoginDialog) and current.isVisible():
        current.raise_()
        return current
    dialog = LoginDialog(parent, runner, profile, reason)
    if then is not None:
        dialog.accepted.connect(then)
    runner.login_dialog = dialog
    dialog.open()
    return dialog
