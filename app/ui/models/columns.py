"""Column definitions for record tables: header, display text, SQL sort key, colours."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

Row = dict[str, Any]

OVERDUE_COLOUR = QColor("#c62828")
DUE_SOON_COLOUR = QColor("#b26a00")
MARK_COLOUR = QColor("#ad1457")


@dataclass(frozen=True)
class Column:
    """One table column; `sort` names a key of the source's SORT_SQL (None: not sortable)."""

    key: str
    header: str
    display: Callable[[Row], str]
    sort: str | None = None
    width: int = 120
    align_right: bool = False
    foreground: Callable[[Row], QColor | None] | None = None
    tooltip: Callable[[Row], str | None] | None = None

    @property
    def alignment(self) -> Qt.AlignmentFlag:
        horizontal = Qt.AlignmentFlag.AlignRight if self.align_right else Qt.AlignmentFlag.AlignLeft
        return horizontal | Qt.AlignmentFlag.AlignVCenter


def text(key: str) -> Callable[[Row], str]:
    """Display a row value as-is ('' for None)."""

    def show(row: Row) -> str:
        value = row.get(key)
        return "" if value is None else str(value)

    return show
