"""Test-wide setup: offscreen Qt, a temporary FIELDDESK_HOME, the `gui` marker, PG gating."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Every connection refuses UUID text bound against the record tables (app/storage/ids.py).
os.environ.setdefault("FIELDDESK_CHECK_IDS", "1")

# Tests must never write into the real home: point every default path at a scratch folder.
_REAL_HOME_GUARD = Path(os.environ.get("HOME", "/root")) / ".local" / "share" / "FieldDesk"


@pytest.fixture(autouse=True)
def _fielddesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("FIELDDESK_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return home


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures:
            item.add_marker(pytest.mark.gui)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _REAL_HOME_GUARD.exists() and any(_REAL_HOME_GUARD.glob("*.sqlite3*")):
        modified = max(p.stat().st_mtime for p in _REAL_HOME_GUARD.glob("*.sqlite3*"))
        import time

        if time.time() - modified < 3600 and os.environ.get("CI"):
            raise RuntimeError(f"a test wrote into the real profile {_REAL_HOME_GUARD}")


def pg_url() -> str | None:
    """The PostgreSQL URL for tests; mandatory when FIELDDESK_REQUIRE_PG=1."""
    url = os.environ.get("FIELDDESK_TEST_PG_URL")
    if not url and os.environ.get("FIELDDESK_REQUIRE_PG") == "1":
        raise RuntimeError("FIELDDESK_REQUIRE_PG=1 but FIELDDESK_TEST_PG_URL is unset")
    return url


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A RecordStore over a fresh profile database on disk."""
    from app.storage.db import open_database
    from app.storage.records import RecordStore

    db = open_database(tmp_path / "profile" / "fielddesk.sqlite3")
    yield RecordStore(db.conn, user="tester")
    db.conn.close()
