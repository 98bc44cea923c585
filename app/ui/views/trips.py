"""行程 view: trips, and the selected trip's day-by-day agenda with visit actions."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, QItemSelection, QSettings, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.enums import VisitStatus
from app.domain.errors import AppError
from app.storage.queries import trips as queries
from app.ui import strings
from app.ui.dialogs import confirm, forms
from app.ui.dialogs.delete import delete_record
from app.ui.models.columns import DUE_SOON_COLOUR
from app.ui.models.tables import trip_model
from app.ui.profile import Profile
from app.ui.views.base import View
from app.ui.widgets.record_table import RecordTable

VisitRole = Qt.ItemDataRole.UserRole
EnterpriseRole = Qt.ItemDataRole.UserRole + 1
DayRole = Qt.ItemDataRole.UserRole + 2


class TripsView(View):
    """Trip list (top left), agenda of the selected trip (right)."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.model = trip_model(profile.conn, self)
        self.table = RecordTable(self.model, "trips", self)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_trip())
        new_trip = QPushButton(strings.TRIP_NEW, self)
        new_trip.clicked.connect(self.new_record)
        edit_trip = QPushButton(strings.TRIP_EDIT, self)
        edit_trip.clicked.connect(self.edit_trip)
        self.title = QLabel(strings.TRIP_EMPTY, self)
        self.title.setWordWrap(True)
        self.agenda = QTreeWidget(self)
        self.agenda.setHeaderLabels([messages.field_label("scheduled_at"),
                                     messages.field_label("enterprise_id"),
                                     messages.field_label("status"),
                                     messages.field_label("place"),
                                     messages.field_label("purpose")])
        self.agenda.setColumnWidth(0, 200)
        self.agenda.setColumnWidth(1, 220)
        self.agenda.setColumnWidth(2, 70)
        self.agenda.setUniformRowHeights(True)
        self.agenda.itemSelectionChanged.connect(self._update_buttons)
        self.agenda.itemActivated.connect(lambda _i, _c: self.edit_visit())
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, text, slot in (
            ("plan", strings.VISIT_PLAN, self.plan_visit),
            ("reschedule", strings.VISIT_RESCHEDULE, self.reschedule_visit),
            ("done", strings.VISIT_DONE, lambda: self.set_visit_status(VisitStatus.DONE)),
            ("cancel", strings.VISIT_CANCEL, lambda: self.set_visit_status(VisitStatus.CANCELLED)),
            ("enterprise", strings.VISIT_OPEN_ENTERPRISE, self._on_open_enterprise),
            ("note", strings.VISIT_WRITE_NOTE, self._on_write_note),
        ):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.buttons[key] = button
        actions.addStretch(1)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(new_trip)
        bar.addWidget(edit_trip)
        bar.addStretch(1)
        for text, itinerary in ((strings.ACTION_ITINERARY, True), (strings.ACTION_TRIP_REPORT, False)):
            button = QPushButton(text, self)
            button.clicked.connect(lambda _c=False, i=itinerary: self.report_requested.emit(
                "itinerary" if i else "trip_report", self.trip_id))
            bar.addWidget(button)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.table)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.agenda, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        state = QSettings().value("splitters/trips")
        if state is not None:
            self.splitter.restoreState(state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self.trip_id: str | None = None
        self._update_buttons()

    # --- View ---------------------------------------------------------------------------

    def refresh(self) -> None:
        current = self.trip_id
        self.model.refresh()
        if current:
            self.show_trip(current)
        elif self.model.rowCount():
            self.table.selectRow(0)

    def new_record(self) -> None:
        dialog = forms.trip_dialog(self, self.profile)
        if dialog.exec() and dialog.record:
            self._saved()
            self.model.refresh()
            self.show_trip(dialog.record["id"])

    def delete_selected(self) -> None:
        visit_id = self.current_visit_id()
        if visit_id and self.agenda.hasFocus():
            record = self.profile.store.get("visit", visit_id)
            if delete_record(self, self.profile.store, "visit", visit_id,
                             record["scheduled_at"].replace("T", " ")):
                self._saved()
            return
        trip_id = self.table.current_id()
        if trip_id:
            record = self.profile.store.get("trip", trip_id)
            if delete_record(self, self.profile.store, "trip", trip_id, record["title"]):
                self.trip_id = None
                self._saved()
                self.model.refresh()

    def save_state(self) -> None:
        self.table.save_state()
        QSettings().setValue("splitters/trips", self.splitter.saveState())

    # --- public -------------------------------------------------------------------------

    def show_trip(self, trip_id: str) -> None:
        self.table.select_id(trip_id)
        self.trip_id = trip_id
        trip = self.profile.store.get("trip", trip_id)
        self.title.setText(f"<b>{trip['title']}</b>　{strings.trip_dates(trip['start_date'], trip['end_date'])}"
                           f"　{'、'.join(trip['destinations'])}")
        self.agenda.clear()
        for day in queries.agenda(self.profile.conn, trip_id):
            date = dt.date.fromisoformat(day.day)
            head = QTreeWidgetItem([strings.agenda_day(messages.format_date_cn(day.day),
                                                       strings.WEEKDAYS[date.weekday()],
                                                       len(day.visits))])
            head.setData(0, DayRole, day.day)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.agenda.addTopLevelItem(head)
            head.setFirstColumnSpanned(True)
            for v in day.visits:
                time = v["scheduled_at"][11:16]
                if v["time_zone"] and v["time_zone"] != "Asia/Shanghai":
                    time += f"（{v['time_zone']}）"
                item = QTreeWidgetItem(head, [time, v["enterprise_name"] or "",
                                              messages.enum_label(VisitStatus(v["status"])),
                                              v["place"] or "", (v["purpose"] or "").replace("\n", " ")])
                item.setData(0, VisitRole, v["id"])
                item.setData(0, EnterpriseRole, v["enterprise_id"])
                item.setData(0, DayRole, day.day)
                if v["status"] == VisitStatus.CANCELLED.value:
                    for c in range(5):
                        item.setForeground(c, QBrush(Qt.GlobalColor.gray))
                elif v["status"] == VisitStatus.POSTPONED.value:
                    item.setForeground(2, QBrush(DUE_SOON_COLOUR))
            if not day.visits:
                QTreeWidgetItem(head, [strings.TRIP_DAY_EMPTY]).setData(0, DayRole, day.day)
            head.setExpanded(True)
        self._update_buttons()

    def current_visit_id(self) -> str | None:
        item = self.agenda.currentItem()
        return item.data(0, VisitRole) if item is not None else None

    def plan_visit(self) -> None:
        if not self.trip_id:
            return
        item = self.agenda.currentItem()
        day = item.data(0, DayRole) if item is not None else None
        dialog = forms.visit_dialog(self, self.profile, trip_id=self.trip_id, day=day)
        if dialog.exec():
            self._saved()

    def edit_visit(self) -> None:
        visit_id = self.current_visit_id()
        if not visit_id:
            return
        record = self.profile.store.get("visit", visit_id)
        if forms.visit_dialog(self, self.profile, record=record).exec():
            self._saved()

    def edit_trip(self) -> None:
        if not self.trip_id:
            return
        record = self.profile.store.get("trip", self.trip_id)
        if forms.trip_dialog(self, self.profile, record).exec():
            self._saved()
            self.model.invalidate_rows()

    def reschedule_visit(self, new_time: str | None = None) -> None:
        """Move the selected visit; asks for the new time unless given ('YYYY-MM-DDTHH:MM')."""
        visit_id = self.current_visit_id()
        if not visit_id:
            return
        record = self.profile.store.get("visit", visit_id)
        if new_time is None:
            new_time = self._ask_time(record["scheduled_at"])
            if new_time is None:
                return
        self._update_visit(visit_id, {"scheduled_at": new_time, "status": VisitStatus.PLANNED.value})

    def set_visit_status(self, status: VisitStatus) -> None:
        visit_id = self.current_visit_id()
        if visit_id:
            self._update_visit(visit_id, {"status": status.value})

    # --- private ------------------------------------------------------------------------

    def _update_visit(self, visit_id: str, fields: dict) -> None:
        try:
            self.profile.store.update("visit", visit_id, fields)
        except AppError as e:
            confirm.warn(self, strings.FORM_INVALID_TITLE, messages.render_error(e))
            return
        self._saved()

    def _ask_time(self, current: str) -> str | None:
        dialog = QDialog(self)
        dialog.setWindowTitle(strings.VISIT_RESCHEDULE_TITLE)
        edit = QDateTimeEdit(QDateTime.fromString(current, "yyyy-MM-ddTHH:mm"), dialog)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, dialog)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(strings.VISIT_RESCHEDULE_LABEL, dialog))
        layout.addWidget(edit)
        layout.addWidget(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return edit.dateTime().toString("yyyy-MM-ddTHH:mm")

    def _saved(self) -> None:
        self.status_message.emit(strings.SAVED)
        self.data_changed.emit()
        if self.trip_id:
            selected = self.current_visit_id()
            self.show_trip(self.trip_id)
            if selected:
                self._select_visit(selected)
        self.model.invalidate_rows()

    def _select_visit(self, visit_id: str) -> None:
        for i in range(self.agenda.topLevelItemCount()):
            head = self.agenda.topLevelItem(i)
            for j in range(head.childCount()):
                if head.child(j).data(0, VisitRole) == visit_id:
                    self.agenda.setCurrentItem(head.child(j))
                    return

    def _update_buttons(self) -> None:
        has_trip = self.trip_id is not None
        has_visit = self.current_visit_id() is not None
        self.buttons["plan"].setEnabled(has_trip)
        for key in ("reschedule", "done", "cancel", "enterprise", "note"):
            self.buttons[key].setEnabled(has_visit)

    def _on_table_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        trip_id = self.table.current_id()
        if trip_id and trip_id != self.trip_id:
            self.show_trip(trip_id)

    def _on_open_enterprise(self) -> None:
        item = self.agenda.currentItem()
        if item is not None and item.data(0, EnterpriseRole):
            self.open_enterprise_requested.emit(item.data(0, EnterpriseRole))

    def _on_write_note(self) -> None:
        item = self.agenda.currentItem()
        if item is not None and item.data(0, VisitRole):
            self.open_note_requested.emit(item.data(0, VisitRole),
                                          item.data(0, EnterpriseRole) or "")
