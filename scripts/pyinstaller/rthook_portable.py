"""PyInstaller runtime hook: portable mode and input method, before any app code runs.

A file named `portable` beside the executable keeps the profile in `data/` beside it (a bundle
on a USB stick); FIELDDESK_HOME set by the user still wins.
"""

import os
import sys
from pathlib import Path

_exe_dir = Path(sys.executable).resolve().parent
if (_exe_dir / "portable").exists() and not os.environ.get("FIELDDESK_HOME"):
    os.environ["FIELDDESK_HOME"] = str(_exe_dir / "data")

from app.platform_env import prepare_input_method  # noqa: E402

prepare_input_method()
