"""Saving a download while it arrives: the bytes, their checksum, and every way it can end."""

from __future__ import annotations

import hashlib

import pytest

from app.sync import download


def test_saves_every_chunk_and_returns_its_checksum(tmp_path):
    chunks = [bytes([i]) * 100_000 for i in range(30)]
    got = download.save(iter(chunks), tmp_path / "f")
    assert (tmp_path / "f").read_bytes() == b"".join(chunks)
    assert got == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_a_failing_source_or_a_cancel_ends_it_with_that_error(tmp_path):
    def broken():
        yield b"x" * 10
        raise ConnectionError("cut off")

    with pytest.raises(ConnectionError):
        download.save(broken(), tmp_path / "f")

    def stop():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download.save(iter([b"a"] * 100), tmp_path / "g", stop=stop)


def test_a_failing_write_is_raised_not_hung(tmp_path):
    with pytest.raises(OSError):
        download.save(iter([b"a" * 1000] * 100), tmp_path / "missing" / "f")
