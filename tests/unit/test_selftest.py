"""`fielddesk --self-test` passes from source and fails when keyring backends are missing."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_self_test_passes_from_source(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"], cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "自检通过" in proc.stdout


def test_keyring_check_fails_without_backend_metadata(monkeypatch):
    # What a frozen app without keyring's metadata sees: no entry points at all.
    import importlib.metadata

    from app import selftest

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: [])
    with pytest.raises(RuntimeError, match="entry points missing"):
        selftest._check_keyring()
