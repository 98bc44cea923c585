"""The stage board: one column per stage (线索 → 投产, 终止); drag a card to move a lead."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.enums import PIPELINE, Stage
from app.storage.queries import leads as queries
from app.ui import strings
from app.ui.models.columns import MARK_COLOUR

LeadRole = Qt.ItemDataRole.UserRole
CARDS_PER_COLUMN = 200


class StageColumn(QListWidget):
    """Cards of one stage; accepts cards dropped from other columns.

    Signals:
        card_dropped(str, str): (lead id, this column's stage).
    """

    card_dropped = Signal(str, str)

    def __init__(self, stage: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setWordWrap(True)
        self.setSpacing(2)

    def dropEvent(self, event: QDropEvent) -> None:
        source = event.source()
        # The board re-reads after the move is recorded; Qt must not move the item itself.
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if isinstance(source, StageColumn) and source is not self and source.currentItem():
            self.card_dropped.emit(source.currentItem().data(LeadRole), self.stage)


class LeadBoard(QWidget):
    """All stage columns.

    Signals:
        move_requested(str, str): (lead id, target stage) from a drag.
        lead_activated(str): a card was double-clicked.
    """

    move_requested = Signal(str, str)
    lead_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns: dict[str, StageColumn] = {}
        self.headers: dict[str, QLabel] = {}
        layout = QHBoxLayout(self)
        for stage in (*PIPELINE, Stage.TERMINATED):
            box = QVBoxLayout()
            header = QLabel(self)
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            header.setStyleSheet("font-weight: bold; padding: 4px; background: #e8eef7;")
            column = StageColumn(stage.value, self)
            column.card_dropped.connect(self.move_requested)
            column.itemActivated.connect(lambda item: self.lead_activated.emit(item.data(LeadRole)))
            box.addWidget(header)
            box.addWidget(column, 1)
            layout.addLayout(box)
            self.columns[stage.value] = column
            self.headers[stage.value] = header

    def refresh(self, conn) -> None:  # type: ignore[no-untyped-def]
        figures = {f.stage: f for f in _pipeline(conn)}
        for stage, column in self.columns.items():
            _total, cards = queries.board_column(conn, stage, CARDS_PER_COLUMN)
            figure = figures[stage]
            self.headers[stage].setText(strings.board_header(
                messages.enum_label(Stage(stage)), figure.count,
                messages.format_yi(figure.investment_wan)))
            column.clear()
            for card in cards:
                item = QListWidgetItem(strings.board_card(
                    card["name"], card["enterprise_name"],
                    messages.format_wan(card["investment_wan"]), bool(card["high_energy"])))
                item.setData(LeadRole, card["id"])
                if card["high_energy"]:
                    item.setForeground(QBrush(MARK_COLOUR))
                column.addItem(item)

    def selected_lead(self) -> str | None:
        for column in self.columns.values():
            if column.hasFocus() and column.currentItem():
                return column.currentItem().data(LeadRole)
        for column in self.columns.values():
            if column.currentItem() and column.currentItem().isSelected():
                return column.currentItem().data(LeadRole)
        return None


def _pipeline(conn):  # type: ignore[no-untyped-def]
    from app.storage.queries.dashboard import pipeline

    return pipeline(conn)
