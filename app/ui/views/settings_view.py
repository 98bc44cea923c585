"""设置 view: profile facts, user name, sync server address, language."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui import strings
from app.ui.profile import Profile
from app.ui.views.base import View


class SettingsView(View):
    """Edits the profile's Settings dataclass; saved as JSON on 保存."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.profile_label = QLabel(self)
        self.profile_label.setWordWrap(True)
        self.user = QLineEdit(self)
        self.display_name = QLineEdit(self)
        self.server = QLineEdit(self)
        self.server.setPlaceholderText(strings.SET_SERVER_HINT)
        self.language = QComboBox(self)
        self.language.addItem(strings.SET_LANGUAGE_ZH, "zh_CN")
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c62828;")
        save = QPushButton(strings.ACTION_SAVE, self)
        save.clicked.connect(self.save)
        form = QFormLayout()
        form.addRow(strings.SET_PROFILE, self.profile_label)
        form.addRow(strings.SET_USER, self.user)
        form.addRow(strings.SET_DISPLAY_NAME, self.display_name)
        form.addRow(strings.SET_SERVER, self.server)
        form.addRow(strings.SET_LANGUAGE, self.language)
        form.addRow("", self.error)
        form.addRow("", save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        self._shown: tuple[str, str, str] = ("", "", "")

    def refresh(self) -> None:
        s = self.profile.settings
        kind = strings.SET_DEMO_PROFILE if self.profile.is_demo else strings.SET_MAIN_PROFILE
        self.profile_label.setText(f"{kind}\n{strings.SET_PROFILE_DIR}：{self.profile.dir}")
        self.user.setText(s.user_name or self.profile.user)
        self.user.setPlaceholderText(s.effective_user())
        self.display_name.setText(s.display_name)
        self.server.setText(s.server_url)
        self._shown = self._values()

    def save(self) -> bool:
        server = self.server.text().strip()
        if server and not server.startswith(("http://", "https://")):
            self.error.setText(strings.SET_SERVER_INVALID)
            self.server.setFocus()
            return False
        self.error.clear()
        s = self.profile.settings
        s.user_name = self.user.text().strip()
        s.display_name = self.display_name.text().strip()
        s.server_url = server
        s.language = self.language.currentData()
        self.profile.save_settings()
        self._shown = self._values()
        self.status_message.emit(strings.SET_SAVED)
        return True

    def discard_changes(self) -> None:
        self.refresh()

    @property
    def is_dirty(self) -> bool:
        return self._loaded and self._values() != self._shown

    def _values(self) -> tuple[str, str, str]:
        return (self.user.text().strip(), self.display_name.text().strip(),
                self.server.text().strip())
