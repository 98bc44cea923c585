"""The 同步 view and the status-bar indicator against a real server process.

The GUI profile is "laptop A" (alice); a second laptop (bob) is a plain client of the same
server (tests/integration/conftest.py). Every sync runs on a worker thread through the real
engine and transport; the test waits for the runner's signals.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from app.domain.merge import BOTH_SEPARATOR
from app.storage import outbox
from app.sync import session
from app.ui import strings
from tests.factories import make_uscc
from tests.integration import conftest as integration
from tests.integration.conftest import PASSWORD, Client, ServerProcess

# The integration fixtures, shared (server templates are built once per session).
memory_keyring = integration.memory_keyring
server_templates = integration.server_templates

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "test-artifacts" / "screens"
WAIT_MS = 15000


@pytest.fixture
def sync_server(tmp_path: Path, server_templates: dict[str, str]) -> Iterator[ServerProcess]:
    """A real server on a fresh copy of the provisioned SQLite database (GUI tests need one
    back end; the integration tests cover PostgreSQL)."""
    import shutil

    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    db = data_dir / "server.sqlite3"
    shutil.copyfile(server_templates["sqlite"], db)
    srv = ServerProcess(str(db), data_dir)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def bob(sync_server: ServerProcess, tmp_path: Path, memory_keyring: Any) -> Iterator[Client]:
    client = Client(tmp_path / "bob.sqlite3", sync_server, "bob")
    client.login()
    yield client
    client.close()


@pytest.fixture
def window(qtbot: Any, profile: Any, answers: Any, sync_server: ServerProcess,
           memory_keyring: Any) -> Any:
    """Laptop A, logged in as alice, with the 同步 view showing."""
    from app.ui.main_window import MainWindow

    session.login(profile.conn, sync_server.url, "alice", PASSWORD)
    win = MainWindow(profile)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.show_view("sync")
    return win


def _sync_by_button(qtbot: Any, window: Any) -> Any:
    view = window.view("sync")
    with qtbot.waitSignal(window.sync_runner.sync_finished, timeout=WAIT_MS) as blocker:
        view.sync_button.click()
    return blocker.args[0]


def test_indicator_shows_online_pending_conflicts_and_last_sync(qtbot, window, bob):
    runner, indicator = window.sync_runner, window.sync_indicator
    store = window.profile.store
    e = store.create("enterprise", {"name": "森源电气", "city": "长葛市"})
    store.create("contact", {"enterprise_id": e["id"], "name": "单田芳"})
    window.update_pending()
    assert "待同步 2" in indicator.text() and strings.SYNC_NEVER in indicator.text()
    with qtbot.waitSignal(runner.status_changed, timeout=WAIT_MS):
        runner.check_server()
    assert runner.online and indicator.text().startswith(strings.SYNC_ONLINE)
    _sync_by_button(qtbot, window)
    assert "已全部同步" in indicator.text() and "上次同步 今天" in indicator.text()
    # Both sides edit the same field: one open conflict is counted.
    bob.sync()
    bob.store.update("enterprise", e["id"], {"city": "许昌市"})
    bob.sync()
    store.update("enterprise", e["id"], {"city": "禹州市"})
    window.update_pending()
    assert "待同步 1" in indicator.text()
    _sync_by_button(qtbot, window)
    assert "冲突 1" in indicator.text()
    assert window.view("sync").tabs.tabText(1) == strings.sync_tab(strings.SYNC_TAB_CONFLICTS, 1)
    # Clicking the indicator opens the 同步 view.
    window.show_view("dashboard")
    indicator.click()
    assert window.current_view() is window.view("sync")


def test_sync_button_moves_records_both_ways_and_views_refresh(qtbot, window, bob):
    mine = window.profile.store.create("enterprise", {"name": "许继集团有限公司"})
    theirs = bob.store.create("enterprise", {"name": "平高集团有限公司", "city": "平顶山市"})
    bob.sync()
    enterprises = window.show_view("enterprises")
    assert enterprises.table.model().rowCount() == 1
    window.update_pending()  # as a view does after it saved
    view = window.show_view("sync")
    view.show_tab("outbox")
    assert view.outbox.model.rowCount() == 1
    assert view.outbox.model.index(0, 1).data() == "许继集团有限公司"
    assert view.outbox.model.index(0, 2).data().startswith("新建：企业名称")
    _screenshot(qtbot, window, "sync_outbox")
    window.show_view("enterprises")
    with qtbot.waitSignal(window.sync_runner.sync_finished, timeout=WAIT_MS) as blocker:
        window.sync_runner.sync_now()
    report = blocker.args[0]
    assert report.accepted == 1 and report.pulled >= 1
    # The view on screen re-read what the sync brought.
    assert enterprises.table.model().rowCount() == 2
    assert window.profile.store.get("enterprise", theirs["id"])["city"] == "平顶山市"
    bob.sync()
    assert bob.store.get("enterprise", mine["id"])["created_by"] == "alice"
    assert outbox.pending_count(window.profile.conn) == 0
    assert view.outbox.model.rowCount() == 0


def test_conflict_resolved_field_by_field(qtbot, window, bob):
    store = window.profile.store
    e = store.create("enterprise", {"name": "黄河旋风", "city": "长葛市", "address": "旧址",
                                    "notes": "原备注"})
    _sync_by_button(qtbot, window)
    bob.sync()
    bob.store.update("enterprise", e["id"], {"city": "许昌市", "address": "乙的地址",
                                             "province": "河北省",
                                             "notes": "乙的纪要：对方有意向扩产"})
    bob.sync()
    store.update("enterprise", e["id"], {"city": "禹州市", "address": "甲的地址",
                                         "province": "河南",
                                         "notes": "甲的纪要：约定下月回访"})
    report = _sync_by_button(qtbot, window)
    assert report.conflicts == 1
    view = window.view("sync")
    view.show_tab("conflicts")
    panel = view.conflicts
    assert panel.list.count() == 1 and "黄河旋风" in panel.list.item(0).text()
    grid = panel.grid
    assert set(grid.choices) == {"city", "address", "notes", "province"}
    assert grid.choices["notes"].choice == "both"  # long text keeps both by default
    assert grid.choices["city"].choice == "mine"
    _screenshot(qtbot, window, "sync_view")
    grid.choices["city"].choose("theirs")
    grid.choices["address"].choose("mine")
    province = grid.choices["province"]
    assert not province.editor.widget.isVisibleTo(grid)
    province.choose("edit")  # neither: the user types the right value
    assert province.editor.widget.isVisibleTo(grid) and province.editor.get() == "河南"
    province.editor.widget.setText("河南省")
    _screenshot(qtbot, window, "sync_conflict_edit")
    panel.apply_button.click()
    assert panel.list.count() == 0 and "冲突 1" not in window.sync_indicator.text()
    _sync_by_button(qtbot, window)
    bob.sync()
    for s in (store, bob.store):
        record = s.get("enterprise", e["id"])
        assert record["city"] == "许昌市"  # theirs
        assert record["address"] == "甲的地址"  # mine
        assert record["province"] == "河南省"  # edited
        assert record["notes"] == "甲的纪要：约定下月回访" + BOTH_SEPARATOR + "乙的纪要：对方有意向扩产"


def test_duplicate_enterprise_merged_after_confirmation(qtbot, window, bob, answers):
    code = make_uscc("91411000MA44XJ7K2")
    theirs = bob.store.create("enterprise", {"name": "许昌智能继电器股份有限公司", "uscc": code})
    bob.sync()
    store = window.profile.store
    mine = store.create("enterprise", {"name": "许昌智能继电器", "uscc": code})
    contact = store.create("contact", {"enterprise_id": mine["id"], "name": "曾志伟"})
    report = _sync_by_button(qtbot, window)
    assert report.conflicts == 1
    view = window.view("sync")
    view.show_tab("duplicates")
    assert view.duplicates.list.count() == 1
    assert view.tabs.tabText(2) == strings.sync_tab(strings.SYNC_TAB_DUPLICATES, 1)
    _screenshot(qtbot, window, "sync_duplicates")
    answers.yes = True
    view.duplicates.merge_button.click()
    assert "「许昌智能继电器」" in answers.asked[-1] and "1 条记录" in answers.asked[-1]
    assert view.duplicates.list.count() == 0
    assert store.get("contact", contact["id"])["enterprise_id"] == theirs["id"]
    _sync_by_button(qtbot, window)
    bob.sync()
    for s in (store, bob.store):
        assert s.count("enterprise", {"uscc": code}) == 1
        assert s.get("contact", contact["id"])["enterprise_id"] == theirs["id"]


def test_quarantined_record_fixed_in_its_form_and_retried(qtbot, window, bob, fill_dialogs):
    store = window.profile.store
    # A list value the server does not know: its own list item never reaches the server.
    store.create("list_item", {"kind": "industry_chain", "value": "低空经济"})
    window.profile.conn.execute("DELETE FROM outbox WHERE type = 'list_item'")
    bad = store.create("enterprise", {"name": "低空科技有限公司", "industry_chain": "低空经济"})
    good = store.create("enterprise", {"name": "许昌烟草机械有限公司"})
    report = _sync_by_button(qtbot, window)
    assert report.rejected == 1 and report.accepted == 1
    assert "被拒绝 1" in window.sync_indicator.text()
    view = window.view("sync")
    view.show_tab("quarantine")
    panel = view.quarantine
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, 1).data() == "低空科技有限公司"
    assert panel.model.index(0, 2).data().startswith("产业链")  # the server's reason, by field
    _screenshot(qtbot, window, "sync_quarantine")

    def pick_chain(dialog: Any) -> None:
        combo = dialog.form.editors["industry_chain"].widget
        combo.setCurrentIndex(combo.findData("高端装备"))

    shown = fill_dialogs(pick_chain)
    panel.table.selectRow(0)
    panel.fix_button.click()
    assert len(shown) == 1 and panel.model.rowCount() == 0
    report = _sync_by_button(qtbot, window)
    assert report.rejected == 0 and outbox.pending_count(window.profile.conn) == 0
    bob.sync()
    assert bob.store.get("enterprise", bad["id"])["industry_chain"] == "高端装备"
    assert bob.store.find("enterprise", good["id"]) is not None


def test_cancel_keeps_what_was_applied(qtbot, window, bob, monkeypatch):
    from app.sync.transport import Transport

    theirs = bob.store.create("enterprise", {"name": "平高集团有限公司"})
    bob.sync()
    mine = window.profile.store.create("enterprise", {"name": "许继集团有限公司"})
    in_push, release = threading.Event(), threading.Event()
    real_request = Transport.request

    def slow_push(self: Transport, method: str, path: str, *args: Any, **kw: Any) -> Any:
        if path == "/push" and not in_push.is_set():
            in_push.set()  # the push is on the wire: the user clicks 取消 now
            release.wait(10)
        return real_request(self, method, path, *args, **kw)

    monkeypatch.setattr(Transport, "request", slow_push)
    view = window.view("sync")
    with qtbot.waitSignal(window.sync_runner.sync_failed, timeout=WAIT_MS) as blocker:
        view.sync_button.click()
        qtbot.waitUntil(in_push.is_set, timeout=WAIT_MS)
        qtbot.waitUntil(view.cancel_button.isVisible, timeout=WAIT_MS)
        assert not view.sync_button.isEnabled()
        view.cancel_button.click()
        release.set()
    assert blocker.args[0] == strings.SYNC_CANCELLED
    # The push that was on the wire is acknowledged; the pull never started.
    assert outbox.pending_count(window.profile.conn) == 0
    assert window.profile.store.find("enterprise", theirs["id"]) is None
    assert view.message.text() == strings.SYNC_CANCELLED and not view.cancel_button.isVisible()
    _sync_by_button(qtbot, window)
    assert window.profile.store.find("enterprise", theirs["id"]) is not None
    bob.sync()
    assert bob.store.find("enterprise", mine["id"]) is not None


def test_expired_login_asks_again_and_loses_nothing(qtbot, window, bob, memory_keyring):
    from app.ui.dialogs.login_dialog import LoginDialog

    (token,) = [v for (_s, account), v in memory_keyring.items.items()
                if account.startswith("alice@")]
    requests.post(f"{window.sync_runner.server_url}/api/v1/auth/logout",
                  headers={"Authorization": f"Bearer {token}"}, timeout=5).raise_for_status()
    e = window.profile.store.create("enterprise", {"name": "森源电气", "notes": "离线时记下的"})
    view = window.view("sync")
    with qtbot.waitSignal(window.sync_runner.login_required, timeout=WAIT_MS):
        view.sync_button.click()
    dialog = window.sync_runner.login_dialog
    assert isinstance(dialog, LoginDialog) and dialog.isVisible()
    assert dialog.reason.text() == strings.LOGIN_EXPIRED
    assert dialog.server.text() == window.sync_runner.server_url and dialog.user.text() == "alice"
    _screenshot(qtbot, dialog, "sync_login")
    assert outbox.pending_count(window.profile.conn) == 1  # nothing lost
    assert strings.SYNC_LOGIN_EXPIRED in window.sync_indicator.text()
    assert token not in memory_keyring.items.values()  # the dead token is forgotten
    dialog.password.setText("wrong password")
    with qtbot.waitSignal(window.sync_runner.status_changed, timeout=WAIT_MS, raising=False):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.isVisible() and dialog.error.text() == "用户名或密码错误"
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(window.sync_runner.sync_finished, timeout=WAIT_MS):
        dialog.ok_button.click()  # logs in, then the sync that needed it runs again
    assert not dialog.isVisible()
    assert outbox.pending_count(window.profile.conn) == 0
    bob.sync()
    assert bob.store.get("enterprise", e["id"])["notes"] == "离线时记下的"


def test_logout_keeps_unsynced_work_and_login_syncs_it(qtbot, window, bob, answers,
                                                      memory_keyring):
    view = window.view("sync")
    assert view.logout_button.isVisible() and not view.login_button.isVisible()
    e = window.profile.store.create("enterprise", {"name": "许继集团有限公司"})
    answers.yes = True
    with qtbot.waitSignal(window.sync_runner.status_changed, timeout=WAIT_MS):
        view.logout_button.click()
    qtbot.waitUntil(view.login_button.isVisible, timeout=WAIT_MS)
    assert "未同步的 1 条修改仍保留在本机" in answers.asked[-1]
    assert not any(a.startswith("alice@") for _s, a in memory_keyring.items)
    assert outbox.pending_count(window.profile.conn) == 1
    view.login_button.click()
    dialog = window.sync_runner.login_dialog
    assert dialog.isVisible() and not dialog.reason.isVisible()
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(window.sync_runner.sync_finished, timeout=WAIT_MS):
        dialog.ok_button.click()  # logs in, then syncs what waited
    assert view.logout_button.isVisible()
    bob.sync()
    assert bob.store.find("enterprise", e["id"]) is not None


def test_background_sync_runs_on_a_timer_when_online(qtbot, profile, answers, sync_server,
                                                     bob, monkeypatch):
    from app.ui import sync_runner
    from app.ui.main_window import MainWindow

    monkeypatch.setattr(sync_runner, "SYNC_INTERVAL_MS", 300)
    monkeypatch.setattr(sync_runner, "CHECK_INTERVAL_MS", 100)
    monkeypatch.setattr(sync_runner, "FIRST_CHECK_DELAY_MS", 0)
    session.login(profile.conn, sync_server.url, "alice", PASSWORD)
    profile.store.create("enterprise", {"name": "许继集团有限公司"})
    win = MainWindow(profile)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.sync_runner.sync_finished, timeout=WAIT_MS):
        win.show()
    assert outbox.pending_count(profile.conn) == 0
    win.close()
    assert not win.sync_runner._sync_timer.isActive()


def test_outbox_models_pass_the_model_tester(qtbot, qtmodeltester, profile):
    import gc

    from app.storage.queries.sync_view import OutboxQuery, OutboxSource
    from app.ui.models.record_table_model import RecordTableModel
    from app.ui.views.sync.outbox_panel import OutboxPanel, outbox_columns
    from app.ui.views.sync.quarantine_panel import quarantine_columns

    e = profile.store.create("enterprise", {"name": "许继集团有限公司", "tags": ["上市公司"]})
    profile.store.create("contact", {"enterprise_id": e["id"], "name": "单田芳"})
    profile.store.delete("contact", profile.store.list("contact")[0]["id"])
    for columns, query in ((outbox_columns(), OutboxQuery()),
                           (quarantine_columns(), OutboxQuery(state="quarantined"))):
        model = RecordTableModel(profile.conn, OutboxSource(), columns, query)
        model.refresh()
        qtmodeltester.check(model, force_py=True)
        # WORKAROUND: as in test_models.py, parentless models tested by ModelTester are
        # deleted inside the test (PySide6 crashes collecting them at exit).
        model.deleteLater()
        del model
        gc.collect()
    panel = OutboxPanel(profile)
    qtbot.addWidget(panel)
    assert panel.refresh() == 2
    assert panel.model.index(1, 2).data() == strings.SYNC_CHANGE_DELETE  # made, then deleted


def test_demo_profile_never_syncs(qtbot, profile, answers):
    from app.ui.main_window import MainWindow

    profile.is_demo = True
    win = MainWindow(profile)
    qtbot.addWidget(win)
    win.show()
    view = win.show_view("sync")
    assert win.sync_indicator.text() == strings.SYNC_DEMO
    assert not view.sync_button.isVisible()
    with qtbot.waitSignal(win.sync_runner.sync_failed, timeout=1000) as blocker:
        win.sync_runner.sync_now()
    assert blocker.args[0] == "演示数据档案不会同步"


def _screenshot(qtbot: Any, widget: Any, name: str) -> None:
    from PySide6.QtGui import QImage

    qtbot.wait(30)  # let posted layout requests run, as they would before a real paint
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    assert widget.grab().save(str(path))
    assert QImage(str(path)).width() > 300
