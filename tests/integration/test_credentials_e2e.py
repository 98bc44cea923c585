"""The login token: only in the keyring, never on disk; a revoked login asks for a new one
and loses nothing; the real Secret Service keyring works headless."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from app.domain.errors import SyncError, SyncErrorKind
from app.storage import outbox
from tests.integration.conftest import PASSWORD, ROOT


def _files_containing(folder, needle: bytes) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            hits.append(str(path))
    return hits


def test_token_never_reaches_the_disk(clients, memory_keyring, tmp_path, capsys):
    import logging

    log_file = tmp_path / "logs" / "fielddesk.log"
    log_file.parent.mkdir()
    handler = logging.FileHandler(log_file, encoding="utf-8")
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        a = clients("a")
        a.store.create("enterprise", {"name": "令牌测试企业"})
        a.sync()
        a.sync()
        (token,) = memory_keyring.items.values()
        assert len(token) >= 20
        a.conn.execute("PRAGMA wal_checkpoint(FULL)")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    out = capsys.readouterr()
    assert token not in out.out + out.err
    assert _files_containing(tmp_path, token.encode()) == []


def test_revoked_login_asks_again_and_loses_nothing(server, clients):
    a = clients("a")
    a.store.create("enterprise", {"name": "停用前企业"})
    a.sync()
    server.cli("disable-user", "--user", "alice")
    pending = a.store.create("enterprise", {"name": "停用后录入的企业"})
    with pytest.raises(SyncError) as e:
        a.sync()
    assert e.value.kind == SyncErrorKind.AUTH
    assert a.store.get("enterprise", pending["id"])["name"] == "停用后录入的企业"
    assert outbox.pending_count(a.conn) == 1
    server.cli("disable-user", "--user", "alice", "--enable")
    a.login()
    a.sync()
    b = clients("b", user="bob")
    b.sync()
    assert b.store.get("enterprise", pending["id"])["name"] == "停用后录入的企业"


def test_cli_sync_after_revocation_says_log_in_again(server, clients, memory_keyring, capsys):
    from app.cli.main import run

    a = clients("a")
    server.cli("disable-user", "--user", "alice")
    home = a.path.parent / "cli-home"
    home.mkdir()
    a.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(a.path, home / "fielddesk.sqlite3")
    capsys.readouterr()
    code = run(["--data-dir", str(home), "--json", "sync"])
    err = json.loads(capsys.readouterr().err)["error"]
    assert code == 1 and err["code"] == "sync_auth" and "重新登录" in err["message"]
    assert memory_keyring.items == {}  # the dead token is forgotten


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Secret Service is Linux's")
def test_real_secret_service_keyring(server, tmp_path):
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        assert shutil.which(tool), f"{tool} missing: scripts/setup.sh --test installs it"
    script = (
        "echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
        f"exec {sys.executable} -m tests.integration.secret_service_worker "
        f"{tmp_path / 'p.sqlite3'} {server.url} alice '{PASSWORD}'"
    )
    home = tmp_path / "home"
    # gnome-keyring needs its cache and data folders to exist, or it fails to start and
    # D-Bus keeps re-activating it while the client waits.
    (home / ".cache").mkdir(parents=True)
    (home / ".local" / "share").mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home),
           "XDG_DATA_HOME": str(home / ".local" / "share"), "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    proc = subprocess.run(["dbus-run-session", "--", "sh", "-c", script], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["backend"] == "keyring.backends.SecretService"
    assert result["in_memory"] is False and result["stored"]
    assert result["accepted"] == 1 and result["after_logout"] is None
    assert _files_containing(tmp_path / "p.sqlite3", result["stored"].encode()) == []
