"""The main window: navigation pane, lazily built views, global search, menus — wiring only."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from app import __version__, paths
from app.ui import strings, transfers
from app.ui.dialogs import confirm, login_dialog
from app.ui.profile import Profile
from app.ui.report_actions import ReportRunner
from app.ui.sync_runner import SyncRunner
from app.ui.views.base import View
from app.ui.views.search_panel import SearchPanel
from app.ui.widgets.sync_indicator import SyncIndicator

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
PRELOAD_DELAY_MS = 800


# (key, navigation label, "module:Class"); a view's module is imported when first shown,
# which keeps start-up to what the 工作台 needs.
VIEWS: tuple[tuple[str, str, str], ...] = (
    ("dashboard", strings.NAV_DASHBOARD, "app.ui.views.dashboard:DashboardView"),
    ("trips", strings.NAV_TRIPS, "app.ui.views.trips:TripsView"),
    ("enterprises", strings.NAV_ENTERPRISES, "app.ui.views.enterprises:EnterprisesView"),
    ("notes", strings.NAV_NOTES, "app.ui.views.notes:NotesView"),
    ("leads", strings.NAV_LEADS, "app.ui.views.leads:LeadsView"),
    ("follow_ups", strings.NAV_FOLLOW_UPS, "app.ui.views.follow_ups:FollowUpsView"),
    ("sync", strings.NAV_SYNC, "app.ui.views.sync:SyncView"),
    ("settings", strings.NAV_SETTINGS, "app.ui.views.settings_view:SettingsView"),
)


def _view_class(target: str) -> Callable[[Profile], View]:
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]


class MainWindow(QMainWindow):
    """One profile's window.

    Signals:
        profile_switch_requested(bool): open the demo (True) or the main (False) profile.
        demo_requested(): create the demo profile.
    """

    profile_switch_requested = Signal(bool)
    demo_requested = Signal()

    def __init__(self, profile: Profile, parent: QWidget | None = None, *,
                 open_file: Callable[[Path], object] | None = None) -> None:
        """`open_file` shows a written report (default: the system viewer)."""
        super().__init__(parent)
        self.profile = profile
        self.reports = ReportRunner(profile, self, open_file=open_file)
        self.reports.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.setWindowTitle(strings.APP_TITLE + (strings.DEMO_SUFFIX if profile.is_demo else ""))
        self._factories = VIEWS
        self.views: dict[str, View] = {}
        self.nav = QListWidget(self)
        self.nav.setFixedWidth(96)
        self.nav.setSpacing(3)
        nav_font = QFont(self.nav.font())
        nav_font.setPointSizeF(nav_font.pointSizeF() * 1.15)
        self.nav.setFont(nav_font)
        for _key, label, _factory in self._factories:
            self.nav.addItem(label)
        self.stack = QStackedWidget(self)
        for _ in self._factories:
            self.stack.addWidget(QWidget())  # placeholders, replaced when first shown
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 4)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText(strings.SEARCH_PLACEHOLDER)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(320)
        self.search_panel = SearchPanel(profile.conn, self)
        self.search_dock = QDockWidget(strings.SEARCH_TITLE, self)
        self.search_dock.setObjectName("search_dock")
        self.search_dock.setWidget(self.search_panel)
        self.search_dock.setMinimumWidth(440)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.search_dock)
        self.search_dock.hide()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search_box.textEdited.connect(lambda _t: self._search_timer.start())
        self.search_box.returnPressed.connect(self.run_search)
        self.search_panel.open_requested.connect(self.open_record)

        self._build_menus()
        toolbar = self.addToolBar(strings.ACTION_SEARCH)
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.action_new)
        toolbar.addAction(self.action_save)
        toolbar.addSeparator()
        toolbar.addWidget(self.search_box)
        self.sync_runner = SyncRunner(profile, self)
        self.sync_runner.records_changed.connect(self._after_sync)
        self.sync_runner.login_required.connect(self.prompt_login)
        self.sync_runner.sync_failed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.sync_runner.sync_finished.connect(
            lambda _r: self.statusBar().showMessage(self.sync_runner.last_message, 8000))
        self.sync_indicator = SyncIndicator(self.sync_runner, self)
        self.sync_indicator.clicked.connect(lambda: self.show_view("sync"))
        self.statusBar().addPermanentWidget(self.sync_indicator)
        self.statusBar().addPermanentWidget(
            QLabel(strings.status_profile(str(profile.dir), profile.is_demo), self))
        self.nav.currentRowChanged.connect(self._on_nav_row_changed)
        self._restore_geometry()
        self.nav.setCurrentRow(0)
        self.update_pending()
        self.sync_runner.start()
        # Import the other views' modules once the window is up and idle, so the first click
        # on a view does not pay for its imports.
        QTimer.singleShot(PRELOAD_DELAY_MS, self._preload_views)

    # --- public -------------------------------------------------------------------------

    def view(self, key: str) -> View:
        """The view for `key`, built on first use."""
        if key not in self.views:
            index = [k for k, _l, _f in self._factories].index(key)
            view = _view_class(self._factories[index][2])(self.profile)
            self._wire(view)
            old = self.stack.widget(index)
            self.stack.removeWidget(old)
            old.deleteLater()
            self.stack.insertWidget(index, view)
            self.views[key] = view
        return self.views[key]

    def show_view(self, key: str) -> View:
        index = [k for k, _l, _f in self._factories].index(key)
        self.nav.setCurrentRow(index)
        return self.view(key)

    def current_view(self) -> View | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, View) else None

    def run_search(self) -> None:
        self._search_timer.stop()
        query = self.search_box.text()
        if not query.strip():
            self.search_dock.hide()
            return
        self.search_panel.run(query)
        self.search_dock.show()

    def open_record(self, type_name: str, record_id: str) -> None:
        """Show a record found by search in its view."""
        store = self.profile.store
        if type_name == "enterprise":
            self.open_enterprise(record_id)
        elif type_name == "contact":
            self.open_enterprise(store.get("contact", record_id)["enterprise_id"])
        elif type_name == "meeting_note":
            self.show_view("notes").open_note(record_id)  # type: ignore[attr-defined]
        elif type_name == "lead":
            self.show_view("leads").show_lead(record_id)  # type: ignore[attr-defined]
        elif type_name == "visit":
            self.open_enterprise(store.get("visit", record_id)["enterprise_id"])

    def open_enterprise(self, enterprise_id: str) -> None:
        self.show_view("enterprises").show_enterprise(enterprise_id)  # type: ignore[attr-defined]

    def write_note(self, visit_id: str, enterprise_id: str) -> None:
        self.show_view("notes").start_note(visit_id or None, enterprise_id or None)  # type: ignore[attr-defined]

    def import_file(self, kind: str, path: Path | None = None) -> object:
        return transfers.import_file(self, self.profile, kind, path, on_done=self._after_import)

    def trip_report(self, *, itinerary: bool, path: Path | None = None) -> object:
        """行程单 or 出差报告 of the trip selected in the 行程 view."""
        trip_id = self.views["trips"].trip_id if "trips" in self.views else None  # type: ignore[attr-defined]
        return self.reports.trip_report(trip_id, itinerary=itinerary, path=path)

    def ledger(self, path: Path | None = None) -> object:
        """招商项目台账 of what the 项目 list shows (every lead if it was never opened)."""
        leads = self.views.get("leads")
        flt = leads.ledger_filter() if leads is not None else None  # type: ignore[attr-defined]
        return self.reports.ledger(flt, path)

    def _after_import(self) -> None:
        for view in self.views.values():
            view.mark_stale()
        current = self.current_view()
        if current is not None:
            current.activate()
        self.update_pending()

    def update_pending(self) -> None:
        self.sync_runner.refresh_status()

    def prompt_login(self, reason: str = "") -> None:
        """Ask for a (new) login; the sync that needed it runs again afterwards."""
        login_dialog.prompt_login(self, self.sync_runner, self.profile, reason,
                                  then=self.sync_runner.sync_now)

    # --- private ------------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(strings.MENU_FILE)
        self.action_new = self._action(strings.ACTION_NEW, QKeySequence.StandardKey.New,
                                       self._on_new_triggered)
        self.action_save = self._action(strings.ACTION_SAVE, QKeySequence.StandardKey.Save,
                                        self._on_save_triggered)
        self.action_close = self._action(strings.ACTION_CLOSE, QKeySequence.StandardKey.Close,
                                         self.close)
        file_menu.addActions([self.action_new, self.action_save])
        file_menu.addSeparator()
        if self.profile.is_demo:
            file_menu.addAction(self._action(strings.ACTION_OPEN_MAIN, None,
                                             lambda: self.profile_switch_requested.emit(False)))
        else:
            file_menu.addAction(self._action(strings.ACTION_CREATE_DEMO, None,
                                             self.demo_requested.emit))
            file_menu.addAction(self._action(strings.ACTION_OPEN_DEMO, None,
                                             lambda: self.profile_switch_requested.emit(True)))
        file_menu.addSeparator()
        file_menu.addAction(self.action_close)
        file_menu.addAction(self._action(strings.ACTION_QUIT, QKeySequence.StandardKey.Quit,
                                         self.close))
        data_menu = bar.addMenu(strings.MENU_DATA)
        for text, slot in (
            (strings.ACTION_IMPORT_ENTERPRISES, lambda: self.import_file("enterprises")),
            (strings.ACTION_IMPORT_LEADS, lambda: self.import_file("leads")),
            (strings.ACTION_EXPORT_ENTERPRISES,
             lambda: transfers.export_table(self, self.profile, "enterprises")),
            (strings.ACTION_EXPORT_LEADS, lambda: transfers.export_table(self, self.profile, "leads")),
        ):
            data_menu.addAction(self._action(text, None, slot))
        reports_menu = bar.addMenu(strings.MENU_REPORTS)
        self.action_itinerary = self._action(strings.ACTION_ITINERARY, None,
                                             lambda: self.trip_report(itinerary=True))
        self.action_trip_report = self._action(strings.ACTION_TRIP_REPORT, None,
                                               lambda: self.trip_report(itinerary=False))
        self.action_ledger = self._action(strings.ACTION_LEDGER, None, self.ledger)
        self.action_summary = self._action(strings.ACTION_SUMMARY, None, self.reports.summary)
        reports_menu.addActions([self.action_itinerary, self.action_trip_report])
        reports_menu.addSeparator()
        reports_menu.addActions([self.action_ledger, self.action_summary])
        edit_menu = bar.addMenu(strings.MENU_EDIT)
        self.action_delete = self._action(strings.ACTION_DELETE, QKeySequence.StandardKey.Delete,
                                          self._on_delete_triggered)
        # Delete must not steal the key from text fields: the action only fires for tables.
        self.action_delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.stack.addAction(self.action_delete)
        self.action_search = self._action(strings.ACTION_SEARCH, QKeySequence.StandardKey.Find,
                                          self._on_search_triggered)
        self.action_refresh = self._action(strings.ACTION_REFRESH, QKeySequence.StandardKey.Refresh,
                                           self._on_refresh_triggered)
        edit_menu.addActions([self.action_delete, self.action_search, self.action_refresh])
        help_menu = bar.addMenu(strings.MENU_HELP)
        help_menu.addAction(self._action(strings.ACTION_OPEN_LOGS, None, self._on_open_logs))
        help_menu.addAction(self._action(strings.ACTION_ABOUT, None, self._on_about))

    def _action(self, text: str, key: QKeySequence.StandardKey | None,
                slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if key is not None:
            action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _preload_views(self) -> None:
        for _key, _label, target in self._factories:
            _view_class(target)

    def _wire(self, view: View) -> None:
        bind_sync = getattr(view, "bind_sync", None)
        if bind_sync is not None:
            bind_sync(self.sync_runner)
        view.status_message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        view.data_changed.connect(lambda v=view: self._on_view_data_changed(v))
        view.open_enterprise_requested.connect(self.open_enterprise)
        view.open_note_requested.connect(self.write_note)
        view.open_saved_note_requested.connect(
            lambda note_id: self.show_view("notes").open_note(note_id))  # type: ignore[attr-defined]
        view.report_requested.connect(self._on_view_report_requested)
        view.open_lead_requested.connect(
            lambda lead_id: self.show_view("leads").show_lead(lead_id))  # type: ignore[attr-defined]

    def _on_view_report_requested(self, kind: str, argument: object) -> None:
        if kind == "ledger":
            self.reports.ledger(argument)  # type: ignore[arg-type]
        else:
            self.reports.trip_report(argument, itinerary=kind == "itinerary")  # type: ignore[arg-type]

    def _on_view_data_changed(self, source: View) -> None:
        for view in self.views.values():
            if view is not source:
                view.mark_stale()
        self.update_pending()

    def _after_sync(self) -> None:
        # A sync wrote records: views re-read, except one with unsaved typing (it re-reads
        # when shown next).
        for view in self.views.values():
            view.mark_stale()
        current = self.current_view()
        if current is not None and not current.is_dirty:
            current.activate()

    def _on_nav_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self._factories[row][0]
        view = self.view(key)
        self.stack.setCurrentIndex(row)
        view.activate()

    def _on_new_triggered(self) -> None:
        view = self.current_view()
        if view is not None:
            view.new_record()

    def _on_save_triggered(self) -> None:
        view = self.current_view()
        if view is not None:
            view.save()

    def _on_delete_triggered(self) -> None:
        view = self.current_view()
        if view is not None:
            view.delete_selected()

    def _on_search_triggered(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _on_refresh_triggered(self) -> None:
        view = self.current_view()
        if view is not None:
            view.refresh()
        self.update_pending()

    def _on_open_logs(self) -> None:
        folder = paths.ensure_dir(paths.log_dir(self.profile.dir))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _on_about(self) -> None:
        QMessageBox.about(self, strings.ACTION_ABOUT, strings.about_text(__version__))

    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        # Dock visibility is part of the saved state; an empty results pane at start-up
        # only takes room from the views.
        if not self.search_box.text().strip():
            self.search_dock.hide()

    # --- Qt overrides -------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        for view in self.views.values():
            if view.is_dirty:
                self.stack.setCurrentWidget(view)
                answer = confirm.ask_save_discard_cancel(
                    self, strings.FORM_UNSAVED_TITLE, strings.FORM_UNSAVED_TEXT)
                if answer == "cancel" or (answer == "save" and not view.save()):
                    event.ignore()
                    return
                if answer == "discard":
                    view.discard_changes()  # type: ignore[attr-defined]
        self.sync_runner.stop()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        for view in self.views.values():
            view.save_state()
        super().closeEvent(event)
