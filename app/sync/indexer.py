"""Search indexing (and the WAL checkpoint) after a sync, off the sync's hot path.

A pull writes records and notes them in `search_queue` in the same transaction (see
`search.queue`), so the sync commits without rebuilding index entries. Right after, a
thread with its own connection drains that queue in short transactions (a save in the window
waits for one batch at most). The queue is durable: if the process dies first, the next
open of the profile drains it (`search.ensure_current`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from app.storage import search
from app.storage.db import connect

log = logging.getLogger(__name__)

BATCH = 250  # records per drain transaction

_lock = threading.Lock()
_indexers: dict[str, Indexer] = {}


def database_path(conn: sqlite3.Connection) -> str:
    """The main database file of a connection ('' for an in-memory database)."""
    for _seq, name, path in conn.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return str(path or "")
    return ""


def start(conn: sqlite3.Connection) -> Indexer | None:
    """Index what is queued: in the background for a database file (one thread per file
    in this process), at once for an in-memory one. Returns the indexer to wait on."""
    path = database_path(conn)
    if not path:
        search.drain(conn)
        return None
    with _lock:
        indexer = _indexers.get(path)
        if indexer is None:
            indexer = _indexers[path] = Indexer(path)
    indexer.kick()
    return indexer


class Indexer:
    """Drains one profile's search queue in a daemon thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._idle = threading.Event()
        self._idle.set()

    def kick(self) -> None:
        with self._lock:
            self._idle.clear()
            if self._thread is not None:
                self._again = True  # the running thread goes round once more
                return
            self._thread = threading.Thread(target=self._run, name="fielddesk-indexer",
                                            daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the queue was drained; False if `timeout` ran out first."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(self.path)
            while True:
                while search.drain(conn, limit=BATCH):
                    pass
                # The checkpoint the sync's own commits skipped (see SyncEngine.sync). PASSIVE:
                # it copies what no reader still needs and never waits for anyone.
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                with self._lock:  # decided under the lock kick() takes: no kick is missed
                    if not self._again:
                        self._thread = None
                        self._idle.set()
                        return
                    self._again = False
        except Exception:  # the queue keeps the work; the next sync or open drains it
            log.exception("Background search indexing of %s stopped", self.path)
            with self._lock:
                self._thread = None
                self._again = False
                self._idle.set()
        finally:
            if conn is not None:
                conn.close()
