"""The enterprise detail pane: facts, contacts, visit history, notes, leads, other followers."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.enums import Intent, Stage, VisitStatus
from app.storage.queries.enterprises import EnterpriseDetail
from app.ui import strings

IdRole = Qt.ItemDataRole.UserRole


class EnterpriseDetailPane(QWidget):
    """Shows one EnterpriseDetail; buttons ask the view to act.

    Signals:
        edit_requested(), add_contact_requested(), add_visit_requested(),
        add_note_requested(), add_lead_requested(): buttons pressed.
        note_activated(str), lead_activated(str), contact_activated(str): a row opened.
    """

    edit_requested = Signal()
    add_contact_requested = Signal()
    add_visit_requested = Signal()
    add_note_requested = Signal()
    add_lead_requested = Signal()
    note_activated = Signal(str)
    lead_activated = Signal(str)
    contact_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: EnterpriseDetail | None = None
        self.title = QLabel(strings.ENT_DETAIL_EMPTY, self)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.followers = QLabel(self)
        self.followers.setWordWrap(True)
        buttons = QHBoxLayout()
        self._buttons = []
        for text, signal in (
            (strings.EDIT, self.edit_requested),
            (strings.ENT_ADD_CONTACT, self.add_contact_requested),
            (strings.ENT_ADD_VISIT, self.add_visit_requested),
            (strings.ENT_ADD_NOTE, self.add_note_requested),
            (strings.ENT_ADD_LEAD, self.add_lead_requested),
        ):
            button = QPushButton(text, self)
            button.clicked.connect(signal)
            buttons.addWidget(button)
            self._buttons.append(button)
        buttons.addStretch(1)
        self.tabs = QTabWidget(self)
        self.contacts = self._tree([messages.field_label("name", "contact"),
                                    messages.field_label("title"), messages.field_label("mobile"),
                                    messages.field_label("email")], self.contact_activated)
        self.visits = self._tree([messages.field_label("scheduled_at"),
                                  messages.field_label("status"), messages.field_label("trip_id"),
                                  messages.field_label("purpose")], None)
        self.notes = self._tree([messages.field_label("date"), messages.field_label("intent"),
                                 messages.field_label("content")], self.note_activated)
        self.leads = self._tree([messages.field_label("name", "lead"),
                                 messages.field_label("stage"),
                                 messages.field_label("investment_wan")], self.lead_activated)
        for widget, text in ((self.contacts, strings.ENT_CONTACTS), (self.visits, strings.ENT_VISITS),
                             (self.notes, strings.ENT_NOTES), (self.leads, strings.ENT_LEADS)):
            self.tabs.addTab(widget, text)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(buttons)
        layout.addWidget(self.followers)
        layout.addWidget(self.tabs, 1)
        self.show_detail(None)

    def show_detail(self, detail: EnterpriseDetail | None) -> None:
        self.detail = detail
        for button in self._buttons:
            button.setEnabled(detail is not None)
        self.tabs.setVisible(detail is not None)
        for tree in (self.contacts, self.visits, self.notes, self.leads):
            tree.clear()
        if detail is None:
            self.title.setText(strings.ENT_DETAIL_EMPTY)
            self.facts.clear()
            self.followers.clear()
            return
        r = detail.record
        self.title.setText(f"<h3>{html.escape(r['name'])}</h3>")
        facts = []
        for name in ("uscc", "industry_chain", "region", "province", "city", "address", "website"):
            if r.get(name):
                value = html.escape(str(r[name]))
                if name == "uscc" and r.get("uscc_override_by"):
                    value += strings.ENT_USCC_OVERRIDE
                facts.append(f"<b>{messages.field_label(name)}</b>：{value}")
        if r.get("tags"):
            facts.append(f"<b>{messages.field_label('tags')}</b>：{html.escape('、'.join(r['tags']))}")
        # Two facts per line: long addresses and names wrap instead of widening the pane.
        self.facts.setText("<br>".join("　".join(facts[i:i + 2]) for i in range(0, len(facts), 2)))
        others = "、".join(detail.followers) if detail.followers else strings.ENT_NO_FOLLOWERS
        self.followers.setText(f"<b>{strings.ENT_FOLLOWERS}</b>：{html.escape(others)}")
        for c in detail.contacts:
            name = (strings.ENT_KEY_CONTACT if c["is_key"] else "") + c["name"]
            self._add(self.contacts, c["id"], [name, c["title"], c["mobile"] or c["phone"], c["email"]])
        for v in detail.visits:
            self._add(self.visits, v["id"], [v["scheduled_at"].replace("T", " "),
                                             messages.enum_label(VisitStatus(v["status"])),
                                             v["trip_title"], v["purpose"]])
        for n in detail.notes:
            self._add(self.notes, n["id"], [n["date"], messages.enum_label(Intent(n["intent"])),
                                            (n["excerpt"] or "").replace("\n", " ")])
        for lead in detail.leads:
            stage = messages.enum_label(Stage(lead["stage"])) if lead["stage"] else ""
            name = lead["name"] + (f"【{strings.LEAD_HIGH_ENERGY_MARK}】" if lead["high_energy"] else "")
            self._add(self.leads, lead["id"], [name, stage,
                                               messages.format_wan(lead["investment_wan"])])
        self.tabs.setTabText(0, strings.group_header(strings.ENT_CONTACTS, len(detail.contacts)))
        self.tabs.setTabText(1, strings.group_header(strings.ENT_VISITS, len(detail.visits)))
        self.tabs.setTabText(2, strings.group_header(strings.ENT_NOTES, len(detail.notes)))
        self.tabs.setTabText(3, strings.group_header(strings.ENT_LEADS, len(detail.leads)))

    def _tree(self, headers: list[str], signal: Signal | None) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setColumnWidth(0, 150)
        if signal is not None:
            tree.itemActivated.connect(lambda item, _col: signal.emit(item.data(0, IdRole)))
        return tree

    @staticmethod
    def _add(tree: QTreeWidget, record_id: str, values: list[object]) -> None:
        item = QTreeWidgetItem(["" if v is None else str(v) for v in values])
        item.setData(0, IdRole, record_id)
        tree.addTopLevelItem(item)
