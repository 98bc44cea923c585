"""Background sync of one profile: reachability checks, timed and requested syncs, login.

Every network call runs on a `net` lane worker; a sync opens its OWN connection to the
profile database there (sqlite3 connections belong to one thread), so the GUI thread never
waits for the network and the `db` lane stays free for the views. Background failures are
logged and shown quietly; a sync the user asked for reports its failure (STYLE §4).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.domain import messages
from app.domain.errors import AppError, SyncError, SyncErrorKind
from app.storage.db import connect
from app.storage.queries import sync_view
from app.ui import strings, tasks
from app.ui.profile import Profile

if TYPE_CHECKING:
    from app.sync.engine import SyncReport
    from app.sync.session import LoginResult

# The sync client (requests, keyring: about 170 ms of imports) loads on the first network
# call, on a worker, not while the window starts.

log = logging.getLogger(__name__)

SYNC_INTERVAL_MS = 5 * 60 * 1000  # a background sync every few minutes
CHECK_INTERVAL_MS = 60 * 1000  # is the server reachable?
FIRST_CHECK_DELAY_MS = 1500  # after the window is up, not during start-up
HEALTH_TIMEOUT = (3.0, 5.0)  # (connect, read) seconds; a check must never hang


@dataclass(frozen=True)
class ServerCheck:
    """What a reachability check found: the server answered, and whether we hold a token."""

    online: bool
    has_token: bool


def probe_server(url: str, user: str | None, ca_bundle: str | None) -> ServerCheck:
    """Runs on a worker: one GET /health (no retries) and a keyring read."""
    from app.sync import credentials
    from app.sync.transport import Transport

    has_token = bool(user and credentials.load_token(url, user))
    transport = Transport(url, ca_bundle=ca_bundle, attempts=1,
                          connect_timeout=HEALTH_TIMEOUT[0], read_timeout=HEALTH_TIMEOUT[1])
    try:
        transport.request("GET", "/health", auth=False)
    except SyncError as e:
        # VERSION still means reachable; the sync says what to do about it.
        return ServerCheck(e.kind == SyncErrorKind.VERSION, has_token)
    finally:
        transport.close()
    return ServerCheck(True, has_token)


def run_sync(
    db_path: Path, cancel: threading.Event, progress: Callable[[str, int, int], None]
) -> SyncReport:
    """Runs on a worker with its own connection; an expired login forgets the token."""
    from app.sync import session
    from app.sync.engine import SyncEngine

    conn = connect(db_path)
    try:
        transport = session.transport_for(conn)
        try:
            return SyncEngine(conn, transport, cancel=cancel, progress=progress).sync()
        except SyncError as e:
            if e.kind == SyncErrorKind.AUTH:
                session.forget_token(conn)
            raise
        finally:
            transport.close()
    finally:
        conn.close()


def _with_connection(db_path: Path, fn: Callable[[Any], Any]) -> Any:
    conn = connect(db_path)
    try:
        return fn(conn)
    finally:
        conn.close()


class _ProgressBridge(QObject):
    """Carries (stage, done) from the sync worker to the GUI thread.

    Signals:
        moved(str, int): the engine's progress callback fired.
    """

    moved = Signal(str, int)


class SyncRunner(QObject):
    """Sync state of one profile for the indicator and the 同步 view.

    Signals:
        status_changed(): counts, reachability, login or running state changed.
        progressed(int, int): (pushed, pulled) so far in the running sync.
        sync_finished(object): a sync completed; the SyncReport.
        sync_failed(str): a sync failed or was cancelled; the message to show.
        login_required(str): a user-started action needs a (new) login; why, in Chinese.
        records_changed(): a sync wrote records; views re-read.
    """

    status_changed = Signal()
    progressed = Signal(int, int)
    sync_finished = Signal(object)
    sync_failed = Signal(str)
    login_required = Signal(str)
    records_changed = Signal()

    def __init__(self, profile: Profile, parent: QObject | None = None, *,
                 interval_ms: int | None = None, check_ms: int | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.status = sync_view.status(profile.conn)
        self.online: bool | None = None  # None: not checked yet, or no server configured
        self.has_token: bool | None = None  # None: not known yet
        self.login_expired = False
        self.task: tasks.Task | None = None
        self.pushed = self.pulled = 0
        self.started_at = 0.0  # time.monotonic() when the running sync started
        self.last_message = ""
        self.last_report: SyncReport | None = None
        self.login_dialog: object | None = None  # the open LoginDialog, one at a time
        self._stopped = False
        self._check_task: tasks.Task | None = None
        self._bridge = _ProgressBridge()
        self._bridge.moved.connect(self._on_engine_progress, Qt.ConnectionType.QueuedConnection)
        self._sync_timer = QTimer(self, interval=interval_ms or SYNC_INTERVAL_MS)
        self._sync_timer.timeout.connect(self._on_sync_timer_timeout)
        self._check_timer = QTimer(self, interval=check_ms or CHECK_INTERVAL_MS)
        self._check_timer.timeout.connect(self.check_server)

    # --- public -------------------------------------------------------------------------

    @property
    def is_demo(self) -> bool:
        return self.profile.is_demo or self.status.is_demo

    @property
    def is_running(self) -> bool:
        return self.task is not None

    @property
    def server_url(self) -> str:
        return self.status.server_url or self.profile.settings.server_url

    @property
    def is_logged_in(self) -> bool:
        return bool(self.status.user and self.has_token and not self.login_expired)

    def start(self) -> None:
        """Begin watching the server and syncing in the background (not for demo profiles)."""
        if self.is_demo:
            return
        self._sync_timer.start()
        self._check_timer.start()
        QTimer.singleShot(FIRST_CHECK_DELAY_MS, self, self.check_server)

    def stop(self) -> None:
        """The window closes: no more timers; a running sync is cancelled (it stays consistent)."""
        self._stopped = True
        self._sync_timer.stop()
        self._check_timer.stop()
        if self.task is not None:
            self.task.cancel()

    def refresh_status(self) -> None:
        """Re-read the counts (cheap, GUI connection) and tell the indicator and the view."""
        self.status = sync_view.status(self.profile.conn)
        self.status_changed.emit()

    def check_server(self) -> tasks.Task | None:
        """Is the server reachable, and do we hold a token? Fails quietly (logged)."""
        url = self.server_url
        if self._stopped or self.is_demo or not url or self._check_task is not None:
            if not url:
                self.online = None
                self.status_changed.emit()
            return None
        user, ca = self.status.user, self._meta("ca_bundle")

        def done(result: ServerCheck) -> None:
            self._check_task = None
            if self._stopped:
                return
            was_online = self.online
            self.online, self.has_token = result.online, result.has_token
            if result.has_token:
                self.login_expired = False
            self.status_changed.emit()
            if result.online and not was_online and self.is_logged_in and was_online is not None:
                self.sync_now(user_started=False)  # back online: send what waited

        def failed(error: BaseException) -> None:
            self._check_task = None
            log.warning("Server check failed unexpectedly: %r", error)

        self._check_task = tasks.run_in_background(
            lambda _ctx: probe_server(url, user, ca), done, failed, lane="net")
        return self._check_task

    def sync_now(self, *, user_started: bool = True) -> tasks.Task | None:
        """Start a sync off the GUI thread; None when one runs already or none is possible."""
        if self._stopped:
            return None
        if self.is_demo:
            if user_started:
                self._fail(messages.render_error(SyncError(SyncErrorKind.DEMO)))
            return None
        if self.task is not None:
            if user_started:
                self.sync_failed.emit(strings.SYNC_ALREADY_RUNNING)
            return None
        if not self.status.user or not self.status.server_url:
            if user_started:
                self.login_required.emit(messages.render_code("sync_not_logged_in", None))
            return None
        self.pushed = self.pulled = 0
        self.last_message = strings.SYNC_RUNNING
        db_path = self.profile.db_path

        def work(ctx: tasks.TaskContext) -> SyncReport:
            return run_sync(db_path, ctx.cancel, lambda stage, done, _total:
                            self._bridge.moved.emit(stage, done))

        self.task = tasks.run_in_background(
            work, self._on_sync_done, lambda e: self._on_sync_error(e, user_started), lane="net")
        self.started_at = time.monotonic()
        self.status_changed.emit()
        return self.task

    @property
    def shows_progress(self) -> bool:
        """Progress and 取消 appear only for a sync that outlives ~0.5 s (no flashing)."""
        return self.task is not None and (
            time.monotonic() - self.started_at >= tasks.PROGRESS_DELAY_MS / 1000)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.last_message = strings.SYNC_CANCELLING
            self.status_changed.emit()

    def login(self, url: str, user: str, password: str,
              on_done: Callable[[LoginResult], None],
              on_error: Callable[[str], None]) -> tasks.Task:
        """Log in on a worker (network, keyring, meta written on its own connection)."""
        db_path = self.profile.db_path
        ca = self._meta("ca_bundle")

        def done(result: LoginResult) -> None:
            self.has_token, self.login_expired, self.online = True, False, True
            self.refresh_status()
            on_done(result)

        def failed(error: BaseException) -> None:
            if not isinstance(error, AppError):
                raise error
            on_error(messages.render_error(error))

        def work(_ctx: tasks.TaskContext) -> LoginResult:
            from app.sync import session

            return _with_connection(
                db_path, lambda conn: session.login(conn, url, user, password, ca_bundle=ca))

        return tasks.run_in_background(work, done, failed, lane="net")

    def logout(self, on_done: Callable[[], None] | None = None) -> tasks.Task:
        """Revoke and forget the token on a worker; unsynced work stays."""
        db_path = self.profile.db_path

        def done(_result: object) -> None:
            self.has_token = False
            self.refresh_status()
            if on_done is not None:
                on_done()

        def work(_ctx: tasks.TaskContext) -> None:
            from app.sync import session

            _with_connection(db_path, session.logout)

        return tasks.run_in_background(work, done, lane="net")

    # --- private ------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        from app.storage import sync_store

        return sync_store.get_meta(self.profile.conn, key)

    def _on_sync_timer_timeout(self) -> None:
        if self.online and self.is_logged_in:
            self.sync_now(user_started=False)

    def _on_engine_progress(self, stage: str, done: int) -> None:
        if stage == "push":
            self.pushed = done
        elif stage == "pull":
            self.pulled = done
        self.progressed.emit(self.pushed, self.pulled)

    def _on_sync_done(self, report: SyncReport) -> None:
        self.task = None
        self.last_report = report
        self.online, self.has_token, self.login_expired = True, True, False
        text = strings.sync_done(report.pushed, report.pulled) + strings.sync_attention(
            report.conflicts, report.rejected)
        skew = report.clock_skew_seconds
        if skew is not None and abs(skew) > 300:
            text += "；" + strings.clock_skew(round(abs(skew) / 60))
        self.last_message = text
        if self._stopped:
            return
        self.refresh_status()
        self.records_changed.emit()
        self.sync_finished.emit(report)

    def _on_sync_error(self, error: BaseException, user_started: bool) -> None:
        self.task = None
        if self._stopped:
            return
        from app.sync.engine import Cancelled

        if isinstance(error, Cancelled):
            self.last_message = strings.SYNC_CANCELLED
            self._after_partial_sync()
            self.sync_failed.emit(self.last_message)
            return
        if not isinstance(error, AppError):
            raise error  # a bug: the crash dialog shows it
        message = messages.render_error(error)
        if isinstance(error, SyncError):
            if error.kind == SyncErrorKind.NETWORK:
                self.online = False
            elif error.kind == SyncErrorKind.AUTH:
                self.has_token, self.login_expired = False, True
        log.info("Sync failed (%s, user started: %s)", getattr(error, "code", "?"), user_started)
        self.last_message = message
        self._after_partial_sync()
        if isinstance(error, SyncError) and error.kind == SyncErrorKind.AUTH and user_started:
            self.login_required.emit(strings.LOGIN_EXPIRED)
        self.sync_failed.emit(message)

    def _after_partial_sync(self) -> None:
        # Batches applied before a cancel or a failure are committed: show them.
        self.refresh_status()
        self.records_changed.emit()

    def _fail(self, message: str) -> None:
        self.last_message = message
        self.status_changed.emit()
        self.sync_failed.emit(message)


def format_when(iso: str | None) -> str:
    """A UTC timestamp as local time for people: 今天 14:05, 昨天 09:30, 2025-09-05 14:05."""
    import datetime as dt

    if not iso:
        return strings.SYNC_NEVER
    try:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone()
    today = dt.datetime.now().astimezone().date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"{strings.TODAY} {clock}"
    if local.date() == today - dt.timedelta(days=1):
        return f"{strings.YESTERDAY} {clock}"
    return local.strftime("%Y-%m-%d %H:%M")

