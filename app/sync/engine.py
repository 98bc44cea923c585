"""One sync: bootstrap a fresh profile from the server's snapshot, push the outbox, pull the
feed, repair digest mismatches, and handle a new server epoch. Returns a SyncReport."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from app.domain import digest, wire
from app.domain.errors import SyncError, SyncErrorKind
from app.domain.values import utc_now
from app.storage import sync_store
from app.storage.db import transaction
from app.sync import download, indexer
from app.sync.transport import Transport

log = logging.getLogger(__name__)

PUSH_BATCH = 1000  # the server takes up to 1000 changes per push
PULL_PAGE = 1000
CLOCK_SKEW_WARN_SECONDS = 300
MAX_MERGE_ROUNDS = 5  # push rounds in a row that only merged before a sync gives up pushing


class Cancelled(Exception):
    """The user cancelled; everything applied so far is committed and consistent."""


@dataclass
class SyncReport:
    pushed: int = 0
    accepted: int = 0
    merged: int = 0
    conflicts: int = 0
    rejected: int = 0
    held: int = 0
    pulled: int = 0
    repaired_buckets: int = 0
    bootstrapped: bool = False
    new_epoch: bool = False
    requests: int = 0
    clock_skew_seconds: float | None = None
    seconds: float = 0.0
    conflict_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


class SyncEngine:
    """Runs syncs of one profile over one transport. Not thread-safe: one sync at a time."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        transport: Transport,
        *,
        cancel: threading.Event | None = None,
        progress: Callable[[str, int, int], None] | None = None,
        push_batch: int = PUSH_BATCH,
        pull_page: int = PULL_PAGE,
    ) -> None:
        self.conn = conn
        self.transport = transport
        self.cancel = cancel or threading.Event()
        self.progress = progress or (lambda stage, done, total: None)
        self.push_batch = push_batch
        self.pull_page = pull_page
        self.report = SyncReport()
        self._indexer: indexer.Indexer | None = None
        self._to_index = False  # pulled rows wait in the search queue
        self._idle_push_rounds = 0

    # --- the whole sync ----------------------------------------------------------------------

    def sync(self) -> SyncReport:
        if sync_store.get_meta(self.conn, "is_demo") == "1":
            raise SyncError(SyncErrorKind.DEMO)
        started = time.perf_counter()
        self.report = SyncReport()
        self._idle_push_rounds = 0  # push rounds in a row that only merged, this sync
        # No WAL checkpoint inside a sync's commits (one copies 32 MB into the database and
        # syncs it, doubling a pull's commit): the indexer thread checkpoints right after.
        autocheckpoint = self.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        try:
            return self._sync(started)
        finally:
            self.conn.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint)}")
            if self._to_index or self.report.pushed or self.report.pulled:
                # Committed rows get their search entries right after, in the background.
                self._to_index = False
                self._indexer = indexer.start(self.conn)

    def wait_indexed(self, timeout: float | None = None) -> bool:
        """Block until the search index has caught up with what this engine pulled."""
        return self._indexer.wait(timeout) if self._indexer is not None else True

    def _sync(self, started: float) -> SyncReport:
        try:
            if self._is_fresh():
                try:
                    self._bootstrap()
                except SyncError as e:
                    # The snapshot only saves time: without it the pull brings everything.
                    if e.kind in (SyncErrorKind.AUTH, SyncErrorKind.VERSION):
                        raise
                    log.info("Snapshot bootstrap failed (%s); pulling instead", e.code)
            for _round in range(3):
                self._push_all()
                self._pull_all()
                ready, _ = sync_store.outgoing(self.conn, limit=1)
                if not ready:
                    break
        except SyncError as e:
            if e.params.get("server_code") == "new_epoch":
                self._new_epoch()
            else:
                raise
        with transaction(self.conn):
            sync_store.set_meta(self.conn, "last_sync_at", utc_now())
        self.report.held = sync_store.outgoing(self.conn, limit=0)[1]
        self.report.seconds = time.perf_counter() - started
        self._check_clock()
        return self.report

    def _request(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        if self.cancel.is_set():
            raise Cancelled()
        self.report.requests += 1
        return self.transport.request(method, path, body, **kw)

    # --- push --------------------------------------------------------------------------------

    def _push_all(self) -> None:
        while True:
            if not sync_store.has_outgoing(self.conn):
                return  # the usual case, without taking the write lock
            if self._idle_push_rounds >= MAX_MERGE_ROUNDS:
                # A merge that keeps producing a change the server refuses again would push
                # forever: leave what is left for the next sync (and the log) instead.
                log.warning("Push stopped after %d rounds that only merged", MAX_MERGE_ROUNDS)
                return
            # Read and marked sent in one write transaction, before the request leaves: an edit
            # saved meanwhile (the GUI syncs in the background) cannot coalesce into a change
            # after it was read for this push. From here on the change is never altered.
            with transaction(self.conn):
                changes, _held = sync_store.outgoing(self.conn, limit=self.push_batch)
                if changes:
                    sync_store.mark_sent(self.conn, [c.change_id for c in changes])
                cursor = sync_store.get_meta(self.conn, "cursor")
            if not changes:
                return
            body: dict[str, Any] = {
                "epoch": sync_store.get_meta(self.conn, "epoch"),
                "changes": [c.to_wire() for c in changes],
            }
            if cursor:
                # At the org's head, the reply's cursor spares pulling our own changes back.
                body["cursor"] = cursor
            reply = self._request("POST", "/push", body)
            if reply.get("epoch") and reply["epoch"] != sync_store.get_meta(self.conn, "epoch"):
                with transaction(self.conn):
                    sync_store.set_meta(self.conn, "epoch", reply["epoch"])
            results = reply.get("results", [])
            after = reply.get("cursor")
            outcome = sync_store.apply_replies(
                self.conn, results,
                cursor=(cursor, after) if cursor and isinstance(after, str) and after else None,
            )
            self.report.pushed += len(changes)
            self.report.accepted += outcome.accepted
            self.report.merged += outcome.merged
            self.report.conflicts += outcome.conflicts
            self.report.rejected += outcome.rejected
            self.report.conflict_ids += outcome.conflict_ids
            self.progress("push", self.report.pushed, self.report.pushed)
            if outcome.merged and not outcome.accepted:
                self._idle_push_rounds += 1
            else:
                self._idle_push_rounds = 0
            answered = {r.get("change_id") for r in results}
            if not answered & {c.change_id for c in changes}:
                # A reply that names none of our changes acknowledges nothing: try again later.
                raise SyncError(SyncErrorKind.SERVER, detail="reply names no change")

    # --- pull --------------------------------------------------------------------------------

    def _pull_all(self) -> None:
        digests: dict[str, Any] | None = None
        while True:
            params: dict[str, Any] = {"limit": self.pull_page}
            cursor = sync_store.get_meta(self.conn, "cursor")
            if cursor:
                params["cursor"] = cursor
            reply = self._request("GET", "/pull", params=params)
            epoch = reply.get("epoch")
            if (reply.get("records") or reply.get("cursor") != cursor
                    or epoch != sync_store.get_meta(self.conn, "epoch")):
                # (A no-op pull changes nothing here: no write transaction for it.)
                with transaction(self.conn):
                    sync_store.set_meta(self.conn, "epoch", epoch)
                    if sync_store.apply_pulled(self.conn, reply.get("records", []),
                                               reply.get("cursor"), index_now=False):
                        self._to_index = True
            self.report.pulled += len(reply.get("records", []))
            self.progress("pull", self.report.pulled, self.report.pulled)
            digests = reply.get("digests")
            if not reply.get("has_more"):
                break
        if digests is not None:
            self._repair(digests)

    def _repair(self, theirs: dict[str, Any]) -> None:
        """Re-pull only the buckets whose digest differs from our synced copies'."""
        mine = sync_store.local_digests(self.conn)
        for type_name, bucket in digest.differing_buckets(mine, theirs):
            self.report.repaired_buckets += 1
            seen: set[str] = set()
            after: str | None = None
            while True:
                params: dict[str, Any] = {"limit": self.pull_page}
                if after:
                    params["after_id"] = after
                reply = self._request("GET", f"/buckets/{type_name}/{bucket}", params=params)
                records = reply.get("records", [])
                seen.update(r["id"] for r in records)
                if sync_store.apply_pulled(self.conn, records, None, index_now=False):
                    self._to_index = True
                after = reply.get("next_after_id")
                if not after:
                    break
            with transaction(self.conn):
                sync_store.drop_synced_not_in(self.conn, type_name, bucket, seen)
        log.info("Digest repair re-pulled %d buckets", self.report.repaired_buckets)

    # --- bootstrap ---------------------------------------------------------------------------

    def _is_fresh(self) -> bool:
        if sync_store.get_meta(self.conn, "cursor"):
            return False
        return sync_store.is_empty_profile(self.conn)

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()

    def _bootstrap(self) -> None:
        """Copy the server's ready-made snapshot into this (empty) profile, then pull on."""
        with tempfile.TemporaryDirectory(prefix="fielddesk-snap-") as tmp:
            target = Path(tmp) / "snapshot.sqlite3"
            response = self._request("GET", "/snapshot", raw=True)
            try:
                expected = int(response.headers.get("Content-Length") or -1)
                # The server's checksum of the file (servers before it send none: then the
                # install runs SQLite's quick_check instead).
                checksum = (response.headers.get(wire.SNAPSHOT_SHA256_HEADER) or "").lower()
                got = download.save(response.iter_content(4 << 20), target,
                                    stop=self._check_cancel)
                cursor = response.headers.get("X-FieldDesk-Cursor")
                epoch = response.headers.get("X-FieldDesk-Epoch")
            except requests.RequestException as e:
                raise SyncError(SyncErrorKind.NETWORK, detail=type(e).__name__) from e
            finally:
                response.close()
            if expected >= 0 and target.stat().st_size != expected:
                # A cut-off download is never installed; the next sync fetches it again.
                raise SyncError(SyncErrorKind.NETWORK, detail="snapshot truncated")
            if checksum and got != checksum:
                raise SyncError(SyncErrorKind.NETWORK, detail="snapshot damaged")
            if not cursor or not sync_store.install_snapshot(
                self.conn, target, cursor, epoch, verified=bool(checksum)
            ):
                return
        self.report.bootstrapped = True

    # --- epochs --------------------------------------------------------------------------------

    def _new_epoch(self) -> None:
        """The server was restored: pull everything, re-push what we hold that it lacks."""
        self.report.new_epoch = True
        with transaction(self.conn):
            sync_store.set_meta(self.conn, "cursor", None)
        newer = sync_store.begin_new_epoch(self.conn)
        self._pull_all()
        behind = {
            key: v for key, v in newer.items()
            if (copy := sync_store.synced_copy(self.conn, *key)) is None or copy["version"] < v
        }
        bases = self._epoch_bases(behind)
        sync_store.repush_newer(self.conn, newer, bases)
        self._push_all()
        self._pull_all()

    def _epoch_bases(self, ids: dict[tuple[str, str], int]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        id_list = [rid for (_t, rid) in ids]
        for i in range(0, len(id_list), 1000):
            reply = self._request("POST", "/epoch-copies", {"ids": id_list[i : i + 1000]})
            for record in reply.get("data", []):
                out[record["id"]] = record
        return out

    # --- clocks ---------------------------------------------------------------------------------

    def _check_clock(self) -> None:
        header = self.transport.last_server_time
        if not header:
            return
        try:
            server = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        skew = (dt.datetime.now(dt.UTC) - server).total_seconds()
        self.report.clock_skew_seconds = skew
        if abs(skew) > CLOCK_SKEW_WARN_SECONDS:
            log.warning("Clock differs from the server's by %.0f s", skew)
