"""Process environment fixes applied before Qt starts (no Qt imports here).

Chinese input on Linux: the PySide6 wheels ship Qt's ibus input-context plugin but not fcitx's,
and fcitx5 (the usual input method on UOS and Kylin) exposes an ibus-compatible D-Bus frontend.
When the session asks for fcitx and no fcitx plugin is bundled, route Qt through the ibus
plugin so typing Chinese works.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path


def _has_plugin(plugin_dirs: list[Path], stem: str) -> bool:
    for folder in plugin_dirs:
        d = folder / "platforminputcontexts"
        if d.is_dir() and any(stem in p.name for p in d.iterdir()):
            return True
    return False


def qt_plugin_dirs() -> list[Path]:
    dirs = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "PySide6" / "Qt" / "plugins")
    try:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")
        if spec and spec.origin:
            dirs.append(Path(spec.origin).parent / "Qt" / "plugins")
    except (ImportError, ValueError):
        pass
    return dirs


def prepare_input_method(
    env: MutableMapping[str, str] | None = None, plugin_dirs: list[Path] | None = None
) -> str | None:
    """Point Qt at the ibus input context when fcitx is wanted but not loadable.

    Returns the QT_IM_MODULE value set, or None when nothing changed.
    """
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    wanted = env.get("QT_IM_MODULE", "")
    xmod = env.get("XMODIFIERS", "")
    wants_fcitx = wanted.startswith("fcitx") or (not wanted and "fcitx" in xmod)
    if not wants_fcitx:
        return None
    dirs = qt_plugin_dirs() if plugin_dirs is None else plugin_dirs
    if _has_plugin(dirs, "fcitx"):
        return None
    env["QT_IM_MODULE"] = "ibus"
    return "ibus"
