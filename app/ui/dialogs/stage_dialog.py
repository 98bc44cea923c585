"""Asks for a lead's new stage and the date it happened (default today, Asia/Shanghai)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from app.domain import messages
from app.domain.enums import PIPELINE, Stage
from app.domain.values import today
from app.ui import strings


class StageDialog(QDialog):
    """Stage, date and an optional note for a lead_stage_change."""

    def __init__(self, parent: QWidget | None, lead_name: str, stage: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(strings.LEAD_MOVE_TITLE)
        self.stage = QComboBox(self)
        for s in (*PIPELINE, Stage.TERMINATED):
            self.stage.addItem(messages.enum_label(s), s.value)
        if stage:
            self.stage.setCurrentIndex(max(0, self.stage.findData(stage)))
        self.date = QDateEdit(QDate.fromString(today(), "yyyy-MM-dd"), self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.note = QLineEdit(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow(messages.field_label("name", "lead"), QLineEdit(lead_name, readOnly=True))
        layout.addRow(strings.LEAD_MOVE_STAGE, self.stage)
        layout.addRow(strings.LEAD_MOVE_DATE, self.date)
        layout.addRow(strings.LEAD_MOVE_NOTE, self.note)
        layout.addRow(buttons)

    def values(self) -> tuple[str, str, str]:
        """(stage code, ISO date, note)."""
        return (self.stage.currentData(), self.date.date().toString("yyyy-MM-dd"),
                self.note.text().strip())
