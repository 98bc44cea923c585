"""Child process for the kill -9 test: start the real app, type a note, report the autosave."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def main(base: str, enterprise_id: str, text: str) -> int:
    from app.main import setup_qt
    from app.ui.controller import Controller
    from tests.ui.conftest import type_text

    app = QApplication(sys.argv)
    setup_qt(app)
    controller = Controller(Path(base), offer_demo=False)
    window = controller.start()

    def type_note() -> None:
        window.write_note("", enterprise_id)
        notes = window.views["notes"]
        notes.editor.draft_saved.connect(report)
        type_text(notes.editor.form.editors["content"].widget, text)
        print("TYPED", flush=True)

    def report() -> None:
        # Only the periodic autosave writes the draft here: focus never leaves the editor.
        print("DRAFT_SAVED", flush=True)

    QTimer.singleShot(100, type_note)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2], sys.argv[3]))
