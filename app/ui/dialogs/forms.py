"""The record dialogs: which fields each form shows and how it saves."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.enums import Stage
from app.domain.records import SPECS
from app.domain.values import today
from app.storage.queries import enterprises
from app.storage.queries import leads as lead_queries
from app.storage.queries.trips import TripQuery, TripSource
from app.ui import strings
from app.ui.dialogs.record_dialog import RecordDialog, SaveFn, create_fn, update_fn
from app.ui.profile import Profile
from app.ui.widgets.enterprise_picker import EnterprisePicker
from app.ui.widgets.field_editors import FieldEditor
from app.ui.widgets.record_form import RecordForm

ENTERPRISE_FIELDS = ("name", "uscc", "industry_chain", "region", "province", "city", "tags",
                     "address", "website", "notes")
CONTACT_FIELDS = ("name", "title", "mobile", "phone", "email", "wechat", "is_key", "notes")
TRIP_FIELDS = ("title", "leader", "members", "destinations", "start_date", "end_date", "purpose",
               "status", "problems", "next_steps")
VISIT_FIELDS = ("enterprise_id", "contact_ids", "trip_id", "scheduled_at", "time_zone", "place",
                "purpose", "status", "outcome")
LEAD_FIELDS = ("name", "enterprise_id", "industry_chain", "source", "investment_wan",
               "funds_arrived_wan", "foreign_contracted_wan_usd", "foreign_arrived_wan_usd", "unit",
               "responsible", "high_energy", "notes")
FOLLOW_UP_FIELDS = ("content", "owner", "due_date", "done")


def _dialog(parent: QWidget | None, profile: Profile, type_name: str, fields: tuple[str, ...],
            title_new: str, title_edit: str, record: dict[str, Any] | None,
            fixed: dict[str, Any] | None = None, custom: dict[str, FieldEditor] | None = None,
            defaults: dict[str, Any] | None = None, create: SaveFn | None = None,
            extra: QWidget | None = None) -> RecordDialog:
    form = RecordForm(profile.conn, SPECS[type_name], fields, custom=custom,
                      fixed=fixed if record is None else None)
    if record is None:
        if defaults:
            for name, value in defaults.items():
                if name in form.editors:
                    form.editors[name].set(value)
        form.mark_clean()
        save = create or create_fn(profile.store, type_name, fixed)
        title = title_new
    else:
        form.set_record(record)
        save = update_fn(profile.store, type_name, record["id"], form)
        title = title_edit
    return RecordDialog(parent, title, form, save, extra=extra)


def enterprise_dialog(parent: QWidget | None, profile: Profile,
                      record: dict[str, Any] | None = None) -> RecordDialog:
    return _dialog(parent, profile, "enterprise", ENTERPRISE_FIELDS, strings.ENT_NEW,
                   strings.ENT_EDIT, record)


def contact_dialog(parent: QWidget | None, profile: Profile, enterprise_id: str,
                   record: dict[str, Any] | None = None) -> RecordDialog:
    return _dialog(parent, profile, "contact", CONTACT_FIELDS, strings.ENT_ADD_CONTACT,
                   strings.EDIT, record, fixed={"enterprise_id": enterprise_id})


def trip_dialog(parent: QWidget | None, profile: Profile,
                record: dict[str, Any] | None = None) -> RecordDialog:
    day = today()
    return _dialog(parent, profile, "trip", TRIP_FIELDS, strings.TRIP_NEW, strings.TRIP_EDIT,
                   record, defaults={"start_date": day, "end_date": day,
                                     "leader": profile.settings.display_name})


def _trip_editor(profile: Profile) -> FieldEditor:
    combo = QComboBox()
    combo.addItem(strings.EMPTY, None)
    source = TripSource()
    keys = source.find_keys(profile.conn, TripQuery())[:200]
    rows = source.fetch(profile.conn, keys)
    for key in keys:
        row = rows[key]
        combo.addItem(f"{row['title']}（{row['start_date']}）", row["id"])

    def set_(value: Any) -> None:
        combo.setCurrentIndex(max(0, combo.findData(value)))

    return FieldEditor(SPECS["visit"].field("trip_id"), combo, combo.currentData, set_,
                       lambda slot: combo.currentIndexChanged.connect(lambda _i: slot()))


def _contacts_editor(profile: Profile, picker: EnterprisePicker) -> FieldEditor:
    """Checkable contacts of the enterprise the picker holds; refilled when it changes."""
    box = QListWidget()
    box.setMaximumHeight(90)

    def fill(enterprise_id: str | None, checked: set[str]) -> None:
        box.clear()
        for contact_id, name, title in (
                enterprises.contacts_of(profile.conn, enterprise_id) if enterprise_id else []):
            item = QListWidgetItem(f"{name}　{title}".strip(), box)
            item.setData(Qt.ItemDataRole.UserRole, contact_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if contact_id in checked
                               else Qt.CheckState.Unchecked)

    def get() -> list[str]:
        return [box.item(i).data(Qt.ItemDataRole.UserRole) for i in range(box.count())
                if box.item(i).checkState() == Qt.CheckState.Checked]

    picker.picked.connect(lambda enterprise_id: fill(enterprise_id or None, set()))
    return FieldEditor(SPECS["visit"].field("contact_ids"), box, get,
                       lambda ids: fill(picker.enterprise_id(), set(ids or [])),
                       lambda slot: box.itemChanged.connect(lambda _i: slot()))


def visit_dialog(parent: QWidget | None, profile: Profile, *, trip_id: str | None = None,
                 enterprise_id: str | None = None, day: str | None = None,
                 record: dict[str, Any] | None = None) -> RecordDialog:
    picker = EnterprisePicker(profile.conn)
    custom = {
        "enterprise_id": picker.as_editor(SPECS["visit"].field("enterprise_id")),
        "contact_ids": _contacts_editor(profile, picker),
        "trip_id": _trip_editor(profile),
    }
    defaults: dict[str, Any] = {"trip_id": trip_id, "enterprise_id": enterprise_id}
    if day:
        defaults["scheduled_at"] = f"{day}T09:00"
    return _dialog(parent, profile, "visit", VISIT_FIELDS, strings.VISIT_PLAN,
                   strings.VISIT_EDIT, record, custom=custom, defaults=defaults)


def lead_dialog(parent: QWidget | None, profile: Profile, *, enterprise_id: str | None = None,
                record: dict[str, Any] | None = None) -> RecordDialog:
    picker = EnterprisePicker(profile.conn)
    custom = {"enterprise_id": picker.as_editor(SPECS["lead"].field("enterprise_id"))}
    def create(values: dict[str, Any], _accept: bool) -> dict[str, Any]:
        # A new lead starts as a clue dated today, saved with the lead in one transaction.
        return lead_queries.create_lead(profile.store, values, Stage.CLUE.value, today())

    return _dialog(parent, profile, "lead", LEAD_FIELDS, strings.LEAD_NEW, strings.LEAD_EDIT,
                   record, custom=custom, defaults={"enterprise_id": enterprise_id}, create=create,
                   extra=_stage_history(profile, record["id"]) if record else None)


def _stage_history(profile: Profile, lead_id: str) -> QWidget:
    """The lead's stage changes, oldest first (read-only: moves go through 变更阶段)."""
    box = QGroupBox(strings.LEAD_HISTORY)
    layout = QVBoxLayout(box)
    for change in lead_queries.stage_history(profile.conn, lead_id):
        text = f"{change['date']}　{messages.enum_label(Stage(change['stage']))}"
        if change["who"]:
            text += f"　{change['who']}"
        if change["note"]:
            text += f"　{change['note']}"
        layout.addWidget(QLabel(text, box))
    return box


def follow_up_dialog(parent: QWidget | None, profile: Profile, *, lead_id: str | None = None,
                     meeting_note_id: str | None = None,
                     record: dict[str, Any] | None = None) -> RecordDialog:
    fixed = {k: v for k, v in (("lead_id", lead_id), ("meeting_note_id", meeting_note_id)) if v}
    return _dialog(parent, profile, "follow_up", FOLLOW_UP_FIELDS, strings.FU_NEW, strings.EDIT,
                   record, fixed=fixed or None, defaults={"owner": profile.user})
