"""Fixtures for GUI tests: a profile on disk, a main window, scripted answers to dialogs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.ui import settings as settings_mod
from app.ui.profile import Profile, open_profile

USER = "zhangwei"


@pytest.fixture(autouse=True)
def _qt_names(request: pytest.FixtureRequest) -> None:
    # QSettings needs names; XDG_CONFIG_HOME is a per-test folder (tests/conftest.py).
    if "qtbot" in request.fixturenames or "qapp" in request.fixturenames:
        from app.main import setup_qt

        app = request.getfixturevalue("qapp")
        if not getattr(app, "_fielddesk_setup", False):
            setup_qt(app)
            app._fielddesk_setup = True


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Profile]:
    directory = tmp_path / "profile"
    directory.mkdir()
    settings_mod.save(directory, settings_mod.Settings(user_name=USER, display_name="张伟",
                                                       demo_offered=True))
    opened = open_profile(directory)
    yield opened
    opened.close()


@pytest.fixture
def demo_profile(profile: Profile) -> Profile:
    """The profile filled with a small reproducible demo data set (realistic Chinese data)."""
    from app.storage import demo

    demo.generate(profile.conn, size=300, seed=7)
    return profile


class Answers:
    """Scripted replies to confirm.ask / ask_save_discard_cancel, recording the questions."""

    def __init__(self) -> None:
        self.yes = True
        self.unsaved = "discard"
        self.asked: list[str] = []

    def ask(self, _parent: Any, title: str, text: str, **_kw: Any) -> bool:
        self.asked.append(f"{title}: {text}")
        return self.yes

    def ask_unsaved(self, _parent: Any, title: str, text: str) -> str:
        self.asked.append(f"{title}: {text}")
        return self.unsaved

    def warn(self, _parent: Any, title: str, text: str) -> None:
        self.asked.append(f"{title}: {text}")


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    from app.ui.dialogs import confirm

    scripted = Answers()
    monkeypatch.setattr(confirm, "ask", scripted.ask)
    monkeypatch.setattr(confirm, "ask_save_discard_cancel", scripted.ask_unsaved)
    monkeypatch.setattr(confirm, "warn", scripted.warn)
    monkeypatch.setattr(confirm, "inform", scripted.warn)
    return scripted


@pytest.fixture
def fill_dialogs(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[Any], None]], list[Any]]:
    """Replace RecordDialog.exec: `filler(dialog)` types into the real form, then 保存 is pressed.

    Returns the list of dialogs shown, so a test can read their messages.
    """
    from app.ui.dialogs.record_dialog import RecordDialog

    shown: list[Any] = []
    state: dict[str, Callable[[Any], None]] = {}

    def fake_exec(dialog: RecordDialog) -> int:
        shown.append(dialog)
        state["filler"](dialog)
        return 1 if dialog.save() else 0

    def install(filler: Callable[[Any], None]) -> list[Any]:
        state["filler"] = filler
        monkeypatch.setattr(RecordDialog, "exec", fake_exec)
        return shown

    return install


@pytest.fixture
def opened_files() -> list[Path]:
    """Files the window handed to the system viewer (tests never open a real one)."""
    return []


@pytest.fixture
def window(qtbot: Any, profile: Profile, answers: Answers, opened_files: list[Path]) -> Any:
    from app.ui.main_window import MainWindow

    win = MainWindow(profile, open_file=lambda path: opened_files.append(path) or True)
    qtbot.addWidget(win)
    win.show()
    return win


def type_text(widget: Any, text: str) -> None:
    """Type `text` into a widget as key events, one per character.

    WORKAROUND: QTest.keyClicks asserts on non-ASCII characters (qasciikey.cpp), so Chinese
    is typed as QKeyEvents carrying the text, which is what an input method delivers.
    """
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))
