"""What a command runs against: the profile, the store, and where its output goes."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlite_utils

from app import paths
from app.storage.records import RecordStore


class Context:
    """One CLI invocation: parsed args, the profile database (opened lazily), output."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.json: bool = bool(getattr(args, "json", False))
        self.data_dir: Path = paths.data_dir(getattr(args, "data_dir", None))

    @cached_property
    def db(self) -> sqlite_utils.Database:
        from app.storage.db import open_database
        from app.storage.queries.upgrade import needs_upgrade

        path = paths.database_path(self.data_dir)
        if needs_upgrade(path):
            # An upgrade or a search-index rebuild can take minutes on a large profile.
            sys.stderr.write("正在升级本地数据库（已先备份），请稍候…\n")
        return open_database(path)

    @property
    def conn(self):  # type: ignore[no-untyped-def]
        return self.db.conn

    @cached_property
    def user(self) -> str:
        """Who the changes are attributed to: the logged-in user, else the OS account."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'user'").fetchone()
        if row and row[0]:
            return str(row[0])
        try:
            return getpass.getuser()
        except Exception:  # noqa: BLE001 - no passwd entry in some containers
            return "local"

    @cached_property
    def store(self) -> RecordStore:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'role'").fetchone()
        return RecordStore(self.conn, user=self.user, role=row[0] if row else None)

    def emit(self, data: Any, text: str | list[str] | None = None) -> None:
        """Print JSON (with --json) or the human-readable text."""
        if self.json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=None) + "\n")
        elif text is not None:
            lines = [text] if isinstance(text, str) else text
            sys.stdout.write("\n".join(lines) + ("\n" if lines else ""))

    def warn(self, text: str) -> None:
        """A warning on stderr (in --json mode too: stdout stays machine-readable)."""
        sys.stderr.write(f"警告：{text}\n")

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.conn.close()
