"""Whether a profile database needs a schema upgrade before the window can open it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.storage import migrations, search


def needs_upgrade(path: Path) -> bool:
    """True for an existing database below the current schema, or whose search index was
    built by another tokenizer version (either may take minutes on a large profile)."""
    if not path.exists():
        return False
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found == 0:
            return False
        if found < migrations.SCHEMA_VERSION:
            return True
        return not search.is_current(conn)
    finally:
        conn.close()


def upgrade(path: Path) -> None:
    """Open once (backup, migrations, index rebuilds) and close; run off the GUI thread."""
    from app.storage.db import open_connection

    open_connection(path).close()
