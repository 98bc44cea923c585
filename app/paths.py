"""Where files live: the only module that knows (platformdirs, overridable by FIELDDESK_HOME)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "FieldDesk"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The profile directory: --data-dir, else $FIELDDESK_HOME, else the platform's data dir."""
    if override:
        base = Path(override)
    elif os.environ.get("FIELDDESK_HOME"):
        base = Path(os.environ["FIELDDESK_HOME"])
    else:
        base = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return base


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path(base: Path) -> Path:
    return base / "fielddesk.sqlite3"


def demo_dir(base: Path) -> Path:
    """The separate demo profile beside the real one (demo data never syncs)."""
    return base / "demo"


def log_dir(base: Path) -> Path:
    return base / "logs"


def backup_dir(base: Path) -> Path:
    return base / "backups"


def resource_path(*parts: str) -> Path:
    """A bundled resource file, from source or from a frozen bundle."""
    import sys

    frozen = getattr(sys, "_MEIPASS", None)
    root = Path(frozen) if frozen else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)
