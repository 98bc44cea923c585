"""The high-water file noted alongside a push's COMMIT (HighWater.noting)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.services.orgs import HighWater


def _on_disk(path: Path) -> dict[str, int]:
    return {k: int(v) for k, v in json.loads(path.read_text()).items()}


def test_the_file_holds_the_seq_when_the_block_ends(tmp_path: Path) -> None:
    path = tmp_path / "hw.json"
    hw = HighWater(path)
    hw.note(1, 10)
    with hw.noting(1) as note:
        note(25)
    assert hw.get(1) == 25 and _on_disk(path) == {"1": 25}
    assert HighWater(path).get(1) == 25


def test_a_block_that_fails_after_noting_puts_the_mark_back(tmp_path: Path) -> None:
    path = tmp_path / "hw.json"
    hw = HighWater(path)
    hw.note(1, 10)
    hw.note(2, 7)
    with pytest.raises(RuntimeError), hw.noting(1) as note:
        note(25)
        raise RuntimeError("COMMIT failed")
    # Above the database's seq, the mark would start a new epoch at the next start-up.
    assert hw.get(1) == 10 and _on_disk(path) == {"1": 10, "2": 7}


def test_a_mark_raised_meanwhile_by_a_later_push_is_kept(tmp_path: Path) -> None:
    hw = HighWater(tmp_path / "hw.json")
    hw.note(1, 10)
    with pytest.raises(RuntimeError), hw.noting(1) as note:
        note(25)
        hw.note(1, 40)
        raise RuntimeError("COMMIT failed")
    assert hw.get(1) == 40


def test_a_file_that_cannot_be_written_fails_the_block(tmp_path: Path) -> None:
    hw = HighWater(tmp_path / "hw.json")
    (tmp_path / "hw.json.tmp").mkdir()  # the temporary file cannot be created
    with pytest.raises(OSError), hw.noting(1) as note:
        note(5)
