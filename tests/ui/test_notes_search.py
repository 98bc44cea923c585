"""纪要: write a note with follow-ups, save with Ctrl+S, find it with the Ctrl+F search box."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.conftest import type_text


def test_write_a_note_and_find_it_via_search(window: Any, profile: Any, qtbot: Any) -> None:
    enterprise = profile.store.create("enterprise", {"name": "许继集团有限公司"})
    window.write_note("", enterprise["id"])
    notes = window.views["notes"]
    editor = notes.editor
    assert window.current_view() is notes
    editor.form.editors["our_attendees"].widget.setText("张伟、李娜")
    editor.form.editors["their_attendees"].widget.setText("曾总")
    intent = editor.form.editors["intent"].widget
    intent.setCurrentIndex(intent.findData("interested"))
    content = editor.form.editors["content"].widget
    type_text(content, "对方计划在许昌建设特高压配套产业园，投资约二十亿元")
    editor.add_follow_up("报送产业园选址方案", "李娜", "2025-09-20")
    assert editor.is_dirty
    qtbot.keyClick(content, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S
    (note,) = profile.store.list("meeting_note")
    assert note["enterprise_id"] == enterprise["id"]
    assert note["our_attendees"] == ["张伟", "李娜"]
    assert note["their_attendees"] == ["曾总"]
    assert note["intent"] == "interested"
    (follow_up,) = profile.store.list("follow_up")
    assert (follow_up["meeting_note_id"], follow_up["owner"], follow_up["due_date"]) == (
        note["id"], "李娜", "2025-09-20")
    assert not editor.is_dirty
    assert notes.model.rowCount() == 1

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Ctrl+F
    assert window.search_box.hasFocus()
    type_text(window.search_box, "产业园")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.search_dock.isVisible()
    hits = window.search_panel.hit_items()
    note_hits = [h for h in hits if h.data(0, Qt.ItemDataRole.UserRole) == "meeting_note"]
    assert [h.data(0, Qt.ItemDataRole.UserRole + 1) for h in note_hits] == [note["id"]]
    heading = note_hits[0].parent().text(0)
    assert heading.startswith("洽谈纪要")
    label = window.search_panel.tree.itemWidget(note_hits[0], 0)
    assert "color:#c62828" in label.text()  # the match is highlighted

    editor.start_new()
    window.search_panel.tree.itemActivated.emit(note_hits[0], 0)
    assert editor.note_id == note["id"]
    assert "产业园" in content.toPlainText()


def test_note_with_a_bad_follow_up_saves_nothing(window: Any, profile: Any) -> None:
    enterprise = profile.store.create("enterprise", {"name": "许继集团有限公司"})
    window.write_note("", enterprise["id"])
    editor = window.views["notes"].editor
    editor.form.editors["content"].widget.setPlainText("洽谈内容")
    editor.add_follow_up("跟进", "李娜", "2025-02-30")  # no such day
    assert editor.save() is False
    assert "截止日期不是存在的日期" in editor.error_text()
    assert profile.store.count("meeting_note") == 0
    assert profile.store.count("follow_up") == 0


def test_note_needs_a_visit_or_an_enterprise(window: Any, profile: Any) -> None:
    window.write_note("", "")
    editor = window.views["notes"].editor
    editor.form.editors["content"].widget.setPlainText("洽谈内容")
    assert editor.save() is False
    assert editor.error_text() == "拜访与企业至少填写一项"
    assert profile.store.count("meeting_note") == 0
