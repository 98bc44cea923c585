"""kill -9 the client at random moments during push and pull: nothing acknowledged is lost,
nothing is applied twice, and client and server end equal."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.storage import conflicts, outbox
from tests.integration.conftest import PASSWORD, ROOT

KILLS = int(os.environ.get("FIELDDESK_SOAK_KILLS", "50"))


# Each round waits for one moment in the laptop's life, then kills it a little later, so kills
# land between syncs, during pushes and during pulls however fast this machine is.
MOMENTS = (("synced\n", 0.06), ("sync-start\n", 0.03), ("stage pull\n", 0.01))


def _run_and_kill(profile: Path, url: str, seed: int, moment: str, delay: float) -> list[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.client_worker", str(profile), url, "alice",
         PASSWORD, str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    guard = threading.Timer(60, proc.kill)  # a worker that never reaches the moment
    guard.start()
    try:
        first = proc.stdout.readline()  # imports and login done
        assert first == b"ready\n", first
        seen: list[bytes] = []
        while True:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if line.decode() == moment:
                break
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
    finally:
        guard.cancel()
    text = b"".join(seen).decode() + out.decode(errors="replace")
    # Only whole lines were acknowledged; a torn last line was not.
    return [ln for ln in text.splitlines(keepends=True) if ln.endswith("\n")]


def test_kill_9_during_sync_loses_nothing(server, clients, tmp_path):
    rng = random.Random(20261122)
    profile = tmp_path / "laptop.sqlite3"
    acked: set[str] = set()
    last_edit: dict[str, str] = {}
    synced_rounds = 0
    killed_in: dict[str, int] = {"push": 0, "pull": 0}
    office = clients("office", user="bob")
    for round_ in range(KILLS):
        moment, spread = MOMENTS[round_ % len(MOMENTS)]
        if moment.startswith("stage pull"):
            # Someone else's work, so the laptop's pull runs to several pages.
            for i in range(40):
                office.store.create("enterprise", {"name": f"办公室企业{round_}-{i}"})
            office.sync()
        lines = _run_and_kill(profile, server.url, round_, moment, rng.uniform(0, spread))
        phases = [ln.split()[-1] for ln in lines if ln.startswith(("sync-start", "stage", "synced"))]
        if phases and phases[-1] != "synced":
            killed_in["pull" if phases[-1] == "pull" else "push"] += 1
        for ln in lines:
            parts = ln.split()
            if parts[0] == "ack":
                acked.add(parts[2])
            elif parts[0] == "edit":
                last_edit[parts[2]] = parts[3]
            elif parts[0] == "synced":
                synced_rounds += 1
    assert synced_rounds >= KILLS // 3, "kills should land between and during syncs"
    assert killed_in["push"] >= KILLS // 10 and killed_in["pull"] >= KILLS // 10, killed_in
    assert len(acked) > KILLS

    from tests.integration.conftest import Client

    laptop = Client(profile, server, "alice")
    laptop.login()
    laptop.sync()
    laptop.sync()
    assert outbox.pending_count(laptop.conn) == 0
    assert conflicts.list_open(laptop.conn) == [] and conflicts.list_quarantine(laptop.conn) == []

    office.sync()
    server_ids = {r["id"] for r in office.store.list("enterprise", limit=None)}
    lost = acked - server_ids
    assert not lost, f"{len(lost)} acknowledged records missing on the server"
    assert server_ids == {r["id"] for r in laptop.store.list("enterprise", limit=None)}
    def order(value: str) -> tuple[int, int]:
        round_no, n = value.split("-")
        return int(round_no), int(n)

    for rid, value in last_edit.items():
        # Everyone sees the last acknowledged edit, or a later one that was saved but killed
        # before it could be acknowledged — never an older one.
        seen = office.store.get("enterprise", rid)["notes"]
        assert order(seen) >= order(value), (rid, seen, value)
    for r in office.store.list("enterprise", limit=None):
        mine = laptop.store.get("enterprise", r["id"])
        assert (mine["name"], mine["notes"], mine["version"]) == (r["name"], r["notes"], r["version"])
    laptop.close()
