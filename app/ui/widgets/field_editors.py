"""One editor widget per field kind, with get/set in the form validate_fields accepts."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.domain import messages
from app.domain.records import FieldSpec
from app.storage import lists
from app.ui import strings

COMMON_TIME_ZONES = (
    "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "Asia/Tokyo", "Asia/Seoul",
    "Asia/Singapore", "Europe/Berlin", "Europe/London", "Europe/Paris", "America/New_York",
    "America/Los_Angeles",
)
_SPLIT = re.compile(r"[、,，;；\n]+")


class FieldEditor:
    """Adapter over one widget: `get()` returns what a person typed, `set()` shows a value."""

    def __init__(self, spec: FieldSpec, widget: QWidget, get: Callable[[], Any],
                 set_: Callable[[Any], None], on_change: Callable[[Callable[[], None]], None]):
        self.spec, self.widget = spec, widget
        self.get, self.set = get, set_
        self.connect_changed = on_change


def make_editor(spec: FieldSpec, conn: sqlite3.Connection, parent: QWidget | None = None) -> FieldEditor:
    """An editor for `spec.kind`; ref fields get their pickers from the form's caller."""
    kind = spec.kind
    if kind == "longtext":
        return _plain_text(spec, parent)
    if kind == "bool":
        return _check_box(spec, parent)
    if kind == "enum":
        assert spec.enum is not None
        items = [(messages.enum_label(m), m.value) for m in spec.enum]  # type: ignore[attr-defined]
        return _combo(spec, items, parent, allow_empty=not spec.required and spec.default is None)
    if kind == "list_value":
        assert spec.list_kind is not None
        values = lists.values(conn, spec.list_kind)
        return _combo(spec, [(v, v) for v in values], parent, allow_empty=True)
    if kind == "list_values":
        assert spec.list_kind is not None
        return _check_grid(spec, lists.values(conn, spec.list_kind), parent)
    if kind == "local_datetime":
        return _date_time(spec, parent)
    if kind == "time_zone":
        return _combo(spec, [(z, z) for z in COMMON_TIME_ZONES], parent, allow_empty=False,
                      editable=True)
    if kind == "texts":
        return _texts(spec, parent)
    return _line(spec, parent)


def _line(spec: FieldSpec, parent: QWidget | None) -> FieldEditor:
    edit = QLineEdit(parent)
    if spec.kind == "date":
        edit.setPlaceholderText("2025-09-05")
    elif spec.kind == "money":
        edit.setPlaceholderText("万元" if "usd" not in spec.name else "万美元")
    elif spec.kind == "uscc":
        edit.setPlaceholderText("18 位代码")

    def set_(value: Any) -> None:
        edit.setText("" if value is None else str(value))

    return FieldEditor(spec, edit, lambda: edit.text(), set_,
                       lambda slot: edit.textEdited.connect(lambda _t: slot()))


def _texts(spec: FieldSpec, parent: QWidget | None) -> FieldEditor:
    edit = QLineEdit(parent)
    edit.setPlaceholderText(strings.NOTE_ATTENDEES_HINT)

    def get() -> list[str]:
        return [p.strip() for p in _SPLIT.split(edit.text()) if p.strip()]

    def set_(value: Any) -> None:
        edit.setText("、".join(value or []))

    return FieldEditor(spec, edit, get, set_,
                       lambda slot: edit.textEdited.connect(lambda _t: slot()))


def _plain_text(spec: FieldSpec, parent: QWidget | None) -> FieldEditor:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(64)

    def set_(value: Any) -> None:
        edit.setPlainText(value or "")

    return FieldEditor(spec, edit, lambda: edit.toPlainText(), set_,
                       lambda slot: edit.textChanged.connect(slot))


def _check_box(spec: FieldSpec, parent: QWidget | None) -> FieldEditor:
    box = QCheckBox(parent)
    return FieldEditor(spec, box, lambda: box.isChecked(), lambda v: box.setChecked(bool(v)),
                       lambda slot: box.toggled.connect(lambda _c: slot()))


def _combo(spec: FieldSpec, items: list[tuple[str, str]], parent: QWidget | None, *,
           allow_empty: bool, editable: bool = False) -> FieldEditor:
    combo = QComboBox(parent)
    combo.setEditable(editable)
    if allow_empty:
        combo.addItem(strings.EMPTY, None)
    for label, code in items:
        combo.addItem(label, code)
    if spec.default is not None:
        combo.setCurrentIndex(max(0, combo.findData(spec.default)))

    def get() -> Any:
        if editable:
            return combo.currentText()
        return combo.currentData()

    def set_(value: Any) -> None:
        i = combo.findData(value)
        if i < 0 and value is not None:
            combo.addItem(str(value), value)  # e.g. a list value removed since
            i = combo.count() - 1
        combo.setCurrentIndex(max(i, 0))

    return FieldEditor(spec, combo, get, set_,
                       lambda slot: combo.currentIndexChanged.connect(lambda _i: slot()))


def _check_grid(spec: FieldSpec, values: list[str], parent: QWidget | None) -> FieldEditor:
    box = QWidget(parent)
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    checks: list[QCheckBox] = []
    for i, value in enumerate(values):
        check = QCheckBox(value, box)
        grid.addWidget(check, i // 3, i % 3)
        checks.append(check)

    def get() -> list[str]:
        return [c.text() for c in checks if c.isChecked()]

    def set_(value: Any) -> None:
        chosen = set(value or [])
        for c in checks:
            c.setChecked(c.text() in chosen)

    def connect(slot: Callable[[], None]) -> None:
        for c in checks:
            c.toggled.connect(lambda _c: slot())

    return FieldEditor(spec, box, get, set_, connect)


def _date_time(spec: FieldSpec, parent: QWidget | None) -> FieldEditor:
    edit = QDateTimeEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setDateTime(QDateTime(QDate.currentDate(), QTime(9, 0)))

    def get() -> str:
        return edit.dateTime().toString("yyyy-MM-ddTHH:mm")

    def set_(value: Any) -> None:
        if value:
            edit.setDateTime(QDateTime.fromString(str(value), "yyyy-MM-ddTHH:mm"))

    return FieldEditor(spec, edit, get, set_,
                       lambda slot: edit.dateTimeChanged.connect(lambda _d: slot()))


def align_top(widget: QWidget) -> Qt.AlignmentFlag:
    """Multi-line editors align their label to the top row."""
    if isinstance(widget, (QPlainTextEdit,)):
        return Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight
    return Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
