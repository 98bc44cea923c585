"""The status-bar sync indicator: online/offline, pending changes, conflicts, last sync."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QToolButton, QWidget

from app.ui import strings
from app.ui.sync_runner import SyncRunner, format_when

ONLINE_COLOUR = QColor("#2e7d32")
OFFLINE_COLOUR = QColor("#9e9e9e")
ATTENTION_COLOUR = QColor("#e65100")
BUSY_COLOUR = QColor("#1565c0")


def _dot(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


class SyncIndicator(QToolButton):
    """A flat button in the status bar; its `clicked` opens the 同步 view."""

    def __init__(self, runner: SyncRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(strings.SYNC_INDICATOR_TIP)
        runner.status_changed.connect(self.update_text)
        runner.progressed.connect(lambda _p, _q: self.update_text())
        self.update_text()

    def update_text(self) -> None:
        text, colour = self._describe()
        self.setText(text)
        self.setIcon(_dot(colour))

    def _describe(self) -> tuple[str, QColor]:
        r, s = self.runner, self.runner.status
        if r.is_demo:
            return strings.SYNC_DEMO, OFFLINE_COLOUR
        if r.is_running:
            return strings.sync_progress(r.pushed, r.pulled), BUSY_COLOUR
        if not r.server_url:
            word, colour = strings.SYNC_NO_SERVER, OFFLINE_COLOUR
        elif r.online is None:
            word, colour = strings.SYNC_CHECKING, OFFLINE_COLOUR
        elif r.online:
            word, colour = strings.SYNC_ONLINE, ONLINE_COLOUR
        else:
            word, colour = strings.SYNC_OFFLINE, OFFLINE_COLOUR
        note = ""
        if r.login_expired:
            note, colour = strings.SYNC_LOGIN_EXPIRED, ATTENTION_COLOUR
        elif r.server_url and (not s.user or r.has_token is False):
            note = strings.SYNC_NOT_LOGGED_IN
        conflicts = s.conflicts + s.duplicates
        if conflicts or s.quarantined:
            colour = ATTENTION_COLOUR
        return strings.sync_indicator(
            strings.sync_state(word, note), s.pending, conflicts, s.quarantined,
            strings.sync_last(format_when(s.last_sync_at)) if s.last_sync_at else strings.SYNC_NEVER,
        ), colour
