"""User settings: one typed dataclass saved as JSON in the profile directory (no Qt)."""

from __future__ import annotations

import dataclasses
import getpass
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
CURRENT_VERSION = 1


@dataclass
class Settings:
    """Every option, declared once with its default."""

    version: int = CURRENT_VERSION
    user_name: str = ""  # who this laptop writes records as (created_by / updated_by)
    display_name: str = ""
    server_url: str = ""  # read by sync; empty means "not configured"
    language: str = "zh_CN"
    demo_offered: bool = False  # the first-start offer of a demo profile was answered
    autosave_seconds: int = 5

    def effective_user(self) -> str:
        return self.user_name or _os_user()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return os.environ.get("USER", "local")


# Numbered upgrade steps: each takes the raw dict of version N and returns version N+1.
_UPGRADES: dict[int, Any] = {}


def load(profile_dir: Path) -> Settings:
    """Settings of a profile; defaults when the file is missing, unreadable or from the future."""
    path = profile_dir / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        log.warning("Settings file %s unreadable (%s); using defaults", path, type(e).__name__)
        return Settings()
    version = int(raw.get("version", 1))
    while version < CURRENT_VERSION and version in _UPGRADES:
        raw = _UPGRADES[version](raw)
        version += 1
    known = {f.name for f in dataclasses.fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known}
    values["version"] = CURRENT_VERSION
    return Settings(**values)


def save(profile_dir: Path, settings: Settings) -> None:
    """Write atomically (temp file + replace) so a crash never leaves half a file."""
    profile_dir.mkdir(parents=True, exist_ok=True)
    path = profile_dir / SETTINGS_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(dataclasses.asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    os.replace(tmp, path)
