"""Window habits: unsaved-changes prompt on close, Delete with confirm, remembered state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt

from app.ui import settings as settings_mod


def test_close_with_unsaved_note_asks_first(window: Any, profile: Any, answers: Any) -> None:
    enterprise = profile.store.create("enterprise", {"name": "许继集团有限公司"})
    window.write_note("", enterprise["id"])
    editor = window.views["notes"].editor
    editor.form.editors["content"].widget.setPlainText("还没保存的纪要")
    answers.unsaved = "cancel"
    assert window.close() is False
    assert window.isVisible()
    answers.unsaved = "save"
    assert window.close() is True
    assert profile.store.list("meeting_note")[0]["content"] == "还没保存的纪要"


def test_delete_key_confirms_and_cascades(window: Any, profile: Any, answers: Any,
                                          qtbot: Any) -> None:
    enterprise = profile.store.create("enterprise", {"name": "许继集团有限公司"})
    profile.store.create("contact", {"enterprise_id": enterprise["id"], "name": "曾毅"})
    view = window.show_view("enterprises")
    view.refresh()
    view.table.selectRow(0)
    view.table.setFocus()
    answers.yes = False
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert profile.store.count("enterprise") == 1  # declined: nothing deleted
    answers.yes = True
    answers.asked.clear()
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert profile.store.count("enterprise") == 0
    assert profile.store.count("contact") == 0
    assert len(answers.asked) == 2 and "联系人 1 条" in answers.asked[1]
    assert view.model.rowCount() == 0


def test_window_and_column_state_are_remembered(qtbot: Any, profile: Any, answers: Any) -> None:
    from app.ui.main_window import MainWindow

    first = MainWindow(profile)
    qtbot.addWidget(first)
    first.resize(701, 503)  # the offscreen screen is 800x600
    view = first.show_view("enterprises")
    view.table.setColumnWidth(0, 333)
    first.close()
    assert QSettings().value("window/geometry") is not None
    second = MainWindow(profile)
    qtbot.addWidget(second)
    assert second.size().width() == 701
    assert second.show_view("enterprises").table.columnWidth(0) == 333


def test_empty_search_pane_is_not_restored_at_start(qtbot: Any, profile: Any, answers: Any) -> None:
    from app.ui.main_window import MainWindow

    first = MainWindow(profile)
    qtbot.addWidget(first)
    first.show()
    first.search_box.setText("许继")
    first.run_search()
    assert first.search_dock.isVisible()
    first.close()
    second = MainWindow(profile)
    qtbot.addWidget(second)
    second.show()
    assert not second.search_dock.isVisible()


def test_settings_view_saves_server_address(window: Any, profile: Any) -> None:
    view = window.show_view("settings")
    view.server.setText("ftp://wrong")
    assert view.save() is False
    assert view.error.text() == "同步服务器地址应以 http:// 或 https:// 开头"
    view.server.setText("https://zs.example.gov.cn")
    view.user.setText("lina")
    assert view.save() is True
    stored = settings_mod.load(profile.dir)
    assert (stored.server_url, stored.user_name) == ("https://zs.example.gov.cn", "lina")
    assert profile.store.user == "lina"  # later saves are written as the new user


def test_settings_file_roundtrip_and_unknown_keys(tmp_path: Path) -> None:
    assert settings_mod.load(tmp_path) == settings_mod.Settings()
    (tmp_path / "settings.json").write_text('{"server_url": "https://a.cn", "future": 1}')
    assert settings_mod.load(tmp_path).server_url == "https://a.cn"
    (tmp_path / "settings.json").write_text("{not json")
    assert settings_mod.load(tmp_path) == settings_mod.Settings()


def test_every_widget_string_has_glyphs_in_the_bundled_font(qapp: Any) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from app.domain import messages
    from app.ui import strings

    bundled = [f for f in qapp.font().families() if "WenQuanYi" in f or "文泉驿" in f]
    assert bundled, qapp.font().families()  # registered and part of the app font
    metrics = QFontMetrics(QFont(bundled[0]))
    texts = [v for v in vars(strings).values() if isinstance(v, str)]
    texts += [*messages.ERRORS.values(), *messages.ENUM_LABELS.values(),
              *messages.TYPE_LABELS.values(), *map(str, messages.FIELD_LABELS.values())]
    missing = {c for text in texts for c in text if ord(c) > 0x2E7F and not metrics.inFontUcs4(ord(c))}
    assert missing == set()


def test_qt_dialogs_are_translated(qapp: Any) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                           | QDialogButtonBox.StandardButton.Cancel)
    texts = {b.text() for b in box.buttons()}
    assert texts == {"保存", "取消"}


def test_unexpected_exception_is_logged_and_shown(qapp: Any, tmp_path: Path,
                                                  monkeypatch: Any) -> None:
    import logging
    import sys

    from app.ui import crash

    shown: list[tuple[str, Path]] = []
    monkeypatch.setattr(crash, "show", lambda details, folder: shown.append((details, folder)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("app.ui.crash").addHandler(handler)
    try:
        crash.install(tmp_path / "logs")
        try:
            raise RuntimeError("unexpected")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        logging.getLogger("app.ui.crash").removeHandler(handler)
    assert "RuntimeError: unexpected" in shown[0][0]
    assert shown[0][1] == tmp_path / "logs"
    assert any("Unhandled exception" in r.getMessage() for r in records)
