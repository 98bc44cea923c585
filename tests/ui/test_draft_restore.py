"""A note being typed survives kill -9: autosaved draft, offered again on the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app.storage.queries import drafts
from app.ui import settings as settings_mod
from app.ui.profile import open_profile

ROOT = Path(__file__).resolve().parents[2]
TEXT = "对方表示年内在许昌落地储能项目，需协调用地指标与电力接入"


def _wait_for(proc: subprocess.Popen, marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"child exited before {marker}: {proc.poll()}")
        if line.strip() == marker:
            return
    raise AssertionError(f"no {marker} within {timeout} s")


def test_draft_survives_kill_and_is_offered_on_restart(tmp_path: Path, qtbot: Any,
                                                       answers: Any) -> None:
    base = tmp_path / "fielddesk"
    base.mkdir()
    settings_mod.save(base, settings_mod.Settings(user_name="zhangwei", demo_offered=True))
    profile = open_profile(base)
    enterprise = profile.store.create("enterprise", {"name": "许继集团有限公司"})
    profile.close()

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "tests.ui.draft_child", str(base), enterprise["id"], TEXT],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) as proc:
        try:
            _wait_for(proc, "TYPED", 30)
            started = time.monotonic()
            _wait_for(proc, "DRAFT_SAVED", 10)
            assert time.monotonic() - started <= 6.0  # autosave at least every 5 s
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()

    # Nothing was saved as a note; only the draft holds the text.
    profile = open_profile(base)
    assert profile.store.count("meeting_note") == 0
    (draft,) = drafts.load_all(profile.conn, "meeting_note")
    assert draft.data["fields"]["content"] == TEXT
    profile.close()

    from app.ui.controller import Controller

    answers.yes = True
    controller = Controller(base, offer_demo=False)
    window = controller.start()
    editor = window.view("notes").editor
    qtbot.waitUntil(lambda: editor.form.editors["content"].get() == TEXT, timeout=5000)
    assert any("恢复" in q and TEXT[:10] in q for q in answers.asked)
    assert window.current_view() is window.views["notes"]
    assert editor.form.editors["enterprise_id"].get() == enterprise["id"]
    assert editor.is_dirty
    assert editor.save()
    assert controller.profile.store.list("meeting_note")[0]["content"] == TEXT
    assert drafts.load_all(controller.profile.conn) == []
    controller.close()


def test_focus_loss_saves_a_draft_at_once(window: Any, profile: Any, qtbot: Any) -> None:
    from tests.ui.conftest import type_text

    enterprise = profile.store.create("enterprise", {"name": "许继集团有限公司"})
    window.activateWindow()
    window.write_note("", enterprise["id"])
    editor = window.views["notes"].editor
    editor.autosave.stop()  # only the focus change may write the draft in this test
    content = editor.form.editors["content"].widget
    content.setFocus()
    qtbot.waitUntil(content.hasFocus, timeout=2000)
    type_text(content, "草稿内容")
    assert drafts.load_all(profile.conn) == []
    window.search_box.setFocus()
    qtbot.waitUntil(lambda: len(drafts.load_all(profile.conn)) == 1, timeout=2000)
    assert drafts.load_all(profile.conn)[0].data["fields"]["content"] == "草稿内容"


def test_declining_the_restore_discards_the_draft(tmp_path: Path, qtbot: Any,
                                                  answers: Any) -> None:
    from app.ui.controller import Controller

    base = tmp_path / "fd"
    base.mkdir()
    profile = open_profile(base)
    drafts.save(profile.conn, "meeting_note:new", "meeting_note", None,
                {"note_id": None, "fields": {"content": "旧草稿"}, "follow_ups": []})
    profile.close()
    answers.yes = False
    controller = Controller(base, offer_demo=False)
    window = controller.start()
    qtbot.waitUntil(lambda: drafts.load_all(controller.profile.conn) == [], timeout=3000)
    assert window.views["notes"].editor.form.editors["content"].get() == ""
    controller.close()


def test_first_start_offers_a_separate_demo_profile(tmp_path: Path, qtbot: Any,
                                                    answers: Any) -> None:
    from app import paths
    from app.ui.controller import Controller

    base = tmp_path / "fresh"
    answers.yes = True
    controller = Controller(base, offer_demo=True)
    controller.demo_size = 40
    controller.start()
    qtbot.waitUntil(lambda: controller.demo_task is not None, timeout=3000)
    qtbot.waitUntil(lambda: controller.profile is not None and controller.profile.is_demo,
                    timeout=30000)
    assert any("演示数据" in q for q in answers.asked)
    assert controller.profile.dir == paths.demo_dir(base)
    assert "演示数据" in controller.window.windowTitle()
    assert controller.profile.store.count("enterprise") == 40
    # The real profile stays empty, and is not offered the demo again.
    main = open_profile(base)
    assert main.store.count("enterprise") == 0
    assert main.settings.demo_offered is True
    main.close()
    controller.close()


def test_an_older_database_is_upgraded_in_the_background(tmp_path: Path, qtbot: Any,
                                                         answers: Any) -> None:
    import sqlite3

    from app import paths
    from app.storage import migrations
    from app.ui.controller import Controller

    base = tmp_path / "old"
    base.mkdir()
    profile = open_profile(base)
    profile.store.create("enterprise", {"name": "许继集团有限公司"})
    profile.close()
    conn = sqlite3.connect(paths.database_path(base))
    conn.execute("DROP INDEX enterprise_list")  # as a v3 database had it
    conn.execute("PRAGMA user_version = 3")
    conn.close()

    controller = Controller(base, offer_demo=False)
    assert controller.start() is None  # the window waits for the upgrade
    assert controller.upgrade_task is not None
    qtbot.waitUntil(lambda: controller.window is not None, timeout=20000)
    conn = sqlite3.connect(paths.database_path(base))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    conn.close()
    assert list((base / "backups").glob("*-v3-*.sqlite3"))  # backed up before upgrading
    assert controller.profile.store.count("enterprise") == 1
    controller.close()


def test_an_index_from_another_tokenizer_is_rebuilt_in_the_background(
        tmp_path: Path, qtbot: Any, answers: Any) -> None:
    import sqlite3

    from app import paths
    from app.storage import search
    from app.ui.controller import Controller

    base = tmp_path / "stale"
    base.mkdir()
    profile = open_profile(base)
    made = profile.store.create("enterprise", {"name": "许继集团有限公司"})
    profile.close()
    conn = sqlite3.connect(paths.database_path(base))
    conn.execute("UPDATE search_meta SET value = 'old' WHERE key = 'search_index_version'")
    conn.execute("INSERT INTO search_text (search_text) VALUES ('delete-all')")
    conn.commit()
    conn.close()

    controller = Controller(base, offer_demo=False)
    assert controller.start() is None  # a rebuild can take minutes: not on the GUI thread
    qtbot.waitUntil(lambda: controller.window is not None, timeout=20000)
    hits = search.search(controller.profile.store.conn, "许继集团").hits
    assert [h.id for h in hits] == [made["id"]]
    controller.close()
