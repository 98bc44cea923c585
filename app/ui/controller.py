"""Runs the windows of one session: opens profiles, offers the demo profile, restores drafts."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from app import paths
from app.domain import messages
from app.domain.errors import AppError
from app.storage.queries import drafts, enterprises, upgrade
from app.ui import strings, tasks
from app.ui.dialogs import confirm
from app.ui.main_window import MainWindow
from app.ui.profile import Profile, open_profile

log = logging.getLogger(__name__)


class Controller(QObject):
    """Owns the current profile and its window; swaps both when the profile changes.

    Signals:
        window_opened(object): the main window of the main profile is shown.
    """

    window_opened = Signal(object)

    def __init__(self, base_dir: Path, *, offer_demo: bool = True) -> None:
        super().__init__()
        self.base_dir = base_dir
        self.offer_demo = offer_demo
        self.profile: Profile | None = None
        self.window: MainWindow | None = None
        self.demo_task: tasks.Task | None = None
        self.upgrade_task: tasks.Task | None = None
        self.demo_size = strings.DEMO_SIZE

    def start(self) -> MainWindow | None:
        """Open the main profile; None while an older database is upgraded in the background
        (the window opens when that is done)."""
        db_path = paths.database_path(self.base_dir)
        if upgrade.needs_upgrade(db_path):
            log.info("Upgrading %s in the background", db_path)

            def failed(error: BaseException) -> None:
                if not isinstance(error, AppError):
                    raise error  # the crash dialog shows it
                confirm.warn(None, strings.APP_TITLE, messages.render_error(error))
                QCoreApplication.exit(1)

            self.upgrade_task = tasks.run_in_background(
                lambda _ctx: upgrade.upgrade(db_path), lambda _r: self._open_main(), failed,
                lane="net", label=strings.UPGRADING, cancellable=False)
            return None
        return self._open_main()

    def _open_main(self) -> MainWindow:
        self.open(self.base_dir, is_demo=False)
        assert self.window is not None
        QTimer.singleShot(0, self._after_first_show)
        self.window_opened.emit(self.window)
        return self.window

    def open(self, directory: Path, *, is_demo: bool) -> None:
        old_window, old_profile = self.window, self.profile
        self.profile = open_profile(directory, is_demo=is_demo)
        self.window = MainWindow(self.profile)
        self.window.demo_requested.connect(self.create_demo)
        self.window.profile_switch_requested.connect(self.switch_profile)
        if old_window is not None:
            self.window.setGeometry(old_window.geometry())
            old_window.close()
            old_window.deleteLater()
        if old_profile is not None:
            old_profile.close()
        self.window.show()

    def close(self) -> None:
        """Close the window (asking about unsaved work) and then the database."""
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
        if self.profile is not None:
            self.profile.close()
            self.profile = None

    def switch_profile(self, demo: bool) -> None:
        target = paths.demo_dir(self.base_dir) if demo else self.base_dir
        if demo and not paths.database_path(target).exists():
            self.create_demo()
            return
        self.open(target, is_demo=demo)

    def create_demo(self, seed: int = 1) -> tasks.Task | None:
        """Build the demo profile off the GUI thread, with progress and cancel, then open it."""
        try:
            from app.storage import demo  # written alongside; imported when first needed
        except ImportError:
            log.warning("Demo generator not available")
            confirm.warn(self.window, strings.APP_TITLE, strings.DEMO_UNAVAILABLE)
            return None
        target = paths.demo_dir(self.base_dir)

        def work(ctx: tasks.TaskContext) -> Path:
            from app.storage.db import open_connection

            conn = open_connection(paths.database_path(target))
            try:
                demo.generate(conn, size=self.demo_size, seed=seed, progress=ctx.progress,
                              cancel=ctx.cancel)
            finally:
                conn.close()
            return target

        def done(path: Path) -> None:
            if self.demo_task is not None and self.demo_task.cancel_event.is_set():
                self._status(strings.DEMO_CANCELLED)
                return
            self.open(path, is_demo=True)
            self._status(strings.DEMO_DONE)

        def failed(error: BaseException) -> None:
            if isinstance(error, demo.GenerationCancelled):
                self._status(strings.DEMO_CANCELLED)
            elif isinstance(error, AppError):
                confirm.warn(self.window, strings.APP_TITLE, messages.render_error(error))
            else:
                raise error

        self.demo_task = tasks.run_in_background(
            work, done, failed, lane="net", parent=self.window, label=strings.DEMO_CREATING)
        return self.demo_task

    def _status(self, text: str) -> None:
        if self.window is not None:
            self.window.statusBar().showMessage(text, 8000)

    def _after_first_show(self) -> None:
        if self.window is None or self.profile is None:
            return
        if drafts.load_all(self.profile.conn, "meeting_note"):
            self.window.view("notes").offer_draft_restore()  # type: ignore[attr-defined]
            self.window.show_view("notes")
            return
        settings = self.profile.settings
        if self.offer_demo and not settings.demo_offered and not self.profile.is_demo:
            settings.demo_offered = True
            self.profile.save_settings()
            if _is_empty(self.profile) and confirm.ask(
                self.window, strings.DEMO_OFFER_TITLE, strings.DEMO_OFFER_TEXT, default_yes=True
            ):
                self.create_demo()


def _is_empty(profile: Profile) -> bool:
    return not enterprises.has_any(profile.conn)

