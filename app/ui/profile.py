"""An open profile: its directory, database connection, record store and settings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.storage.db import open_connection
from app.storage.records import RecordStore
from app.ui import settings as settings_mod
from app.ui.settings import Settings


@dataclass
class Profile:
    """Everything the views share about the profile being worked on (GUI thread only)."""

    dir: Path
    db_path: Path
    conn: sqlite3.Connection
    store: RecordStore
    settings: Settings
    is_demo: bool = False

    @property
    def user(self) -> str:
        return self.store.user

    def save_settings(self) -> None:
        settings_mod.save(self.dir, self.settings)
        self.store.user = self.settings.effective_user()

    def close(self) -> None:
        self.conn.close()


def open_profile(directory: Path, *, is_demo: bool = False) -> Profile:
    """Open (creating and migrating if needed) the profile in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = paths.database_path(directory)
    conn = open_connection(db_path)
    loaded = settings_mod.load(directory)
    store = RecordStore(conn, user=loaded.effective_user())
    return Profile(directory, db_path, conn, store, loaded, is_demo)
