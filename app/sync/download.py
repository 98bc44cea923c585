"""Saving a large download (the bootstrap snapshot) while it arrives.

Receiving, writing and hashing are each a fair share of a 160 MB snapshot's time, and each
releases the GIL, so a second thread writes and hashes what the first receives.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

_DONE = object()


def save(chunks: Iterable[bytes], path: Path, *, stop: Callable[[], None] | None = None) -> str:
    """Write `chunks` to `path`; returns the SHA-256 (hex) of what was written.

    `stop` runs before each chunk and may raise (a cancel) to end the download; whatever
    ends it, the writer thread is finished before this returns or raises.
    """
    pending: queue.Queue[object] = queue.Queue(maxsize=4)  # a few chunks in flight at most
    failed: list[BaseException] = []
    hasher = hashlib.sha256()

    def write() -> None:
        try:
            with open(path, "wb") as fh:
                while (chunk := pending.get()) is not _DONE:
                    fh.write(chunk)  # type: ignore[arg-type]
                    hasher.update(chunk)  # type: ignore[arg-type]
        except BaseException as e:  # re-raised in the receiving thread
            failed.append(e)
            while pending.get() is not _DONE:  # keep the receiver from blocking
                pass

    writer = threading.Thread(target=write, name="fielddesk-download", daemon=True)
    writer.start()
    try:
        for chunk in chunks:
            if stop is not None:
                stop()
            if failed:
                break
            pending.put(chunk)
    finally:
        pending.put(_DONE)
        writer.join()
    if failed:
        raise failed[0]
    return hasher.hexdigest()
