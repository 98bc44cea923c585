"""The last-resort handler for unexpected exceptions: log it, show one dialog."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from app.ui import strings

log = logging.getLogger(__name__)


def install(log_folder: Path) -> None:
    """Route uncaught exceptions (including those raised in Qt slots) to a dialog."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("Unhandled exception\n%s", details)
        if QApplication.instance() is None:
            sys.__excepthook__(kind, value, tb)
            return
        show(details, log_folder)

    sys.excepthook = hook


def show(details: str, log_folder: Path) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, strings.CRASH_TITLE, strings.CRASH_TEXT)
    box.setInformativeText(strings.crash_log_hint(str(log_folder)))
    box.setDetailedText(details)
    copy = box.addButton(strings.CRASH_COPY, QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()
    if box.clickedButton() is copy:
        QApplication.clipboard().setText(details)
