"""Client sync benchmarks against a real server process on loopback.

Dataset: "about 100,000 records" = demo-data --size 15000 (DESIGN.md, Testing), seeded into a
fresh server (SQLite by default, `--pg URL` for PostgreSQL) through real pushes, exactly as
bench_server.py does. Then, per repetition, a separate client process (a fresh profile, the
real SyncEngine and Transport) measures:

- first sync: `SyncEngine.sync()` of the fresh profile, through the snapshot bootstrap, with
  the server's snapshot already built and cached (the cold build is timed on its own first);
- push: 1,000 records changed locally (a realistic mix of types), then one sync;
- pull: 1,000 records changed by another user on the server, then one sync; plus how long
  the search index trails that sync (polling a search for the marker the changes carry);
- no-op: syncs with nothing to do, 100,000 records present;
- peak memory: the client process's RSS high-water (ru_maxrss) over all of the above.

    .venv/bin/python bench/bench_sync.py --out bench/results/sync.json
    .venv/bin/python bench/bench_sync.py --pg postgresql://postgres@127.0.0.1:5432/test

Prints JSON. Not a test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# Which field each type's benchmark change edits (text the record already has, plus a marker).
EDIT_FIELD = {
    "enterprise": "notes", "contact": "notes", "trip": "purpose", "visit": "outcome",
    "meeting_note": "content", "lead": "notes", "follow_up": "content",
}
SEARCHABLE = ("enterprise", "contact", "meeting_note", "lead")
# One unused 4-character word per batch of changes: the search-lag probe looks for it.
MARKERS = tuple(f"{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'子丑寅卯辰巳午未申酉戌亥'[i % 12]}复核"
                for i in range(60))  # the sexagenary cycle: 60 distinct words
TARGETS = {"first_sync_s": 1.16, "push_1000_ms": 150, "pull_1000_ms": 150,
           "search_lag_s": 2.0, "noop_ms": 10, "client_peak_rss_mb": 200}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- the client process ---------------------------------------------------------------------

def _trace_rss(dest: Path) -> None:
    """Debugging aid: where the main thread was each time the RSS reached a new high."""
    import threading
    import traceback

    main = threading.main_thread().ident
    page = os.sysconf("SC_PAGE_SIZE")

    def sample() -> None:
        high = 0
        with open(dest, "a") as log:
            while True:
                with open("/proc/self/statm") as f:
                    rss = int(f.read().split()[1]) * page / 2**20
                if rss > high + 20:
                    high = rss
                    frame = sys._current_frames().get(main)
                    stack = "".join(traceback.format_stack(frame, limit=8)) if frame else ""
                    log.write(f"--- {rss:.0f} MB\n{stack}\n")
                    log.flush()
                time.sleep(0.005)

    threading.Thread(target=sample, daemon=True).start()


def _time_phases(transport: Any) -> dict[str, float]:
    """Debugging aid (FIELDDESK_BENCH_PHASES=1): seconds per sync phase, reported per sync."""
    import functools

    from app.storage import db, sync_store

    spent: dict[str, float] = {}

    def wrap(owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name)

        @functools.wraps(inner)
        def timed(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0

        setattr(owner, name, timed)

    wrap(transport, "request", "request")
    for name in ("apply_pulled", "apply_replies", "outgoing", "mark_sent", "_set_synced_many",
                 "_write_local_many", "_rows_by_id", "install_snapshot", "local_digests"):
        wrap(sync_store, name, name)
    wrap(sync_store.search, "queue", "search_queue")
    real = db.transaction

    import contextlib

    @contextlib.contextmanager
    def transaction(conn: Any) -> Any:
        outer = not conn.in_transaction
        with real(conn) as c:
            yield c
            t0 = time.perf_counter()
        if outer:
            spent["commit"] = spent.get("commit", 0.0) + time.perf_counter() - t0

    from app.sync import engine

    sync_store.transaction = transaction  # type: ignore[attr-defined]
    engine.transaction = transaction  # type: ignore[attr-defined]
    return spent


def worker(url: str, token: str, profile: Path, cprofile: Path | None) -> int:
    """One laptop: reads one JSON command per line, answers one JSON line each."""
    def rss_mb() -> float:
        """This process's RSS high-water mark (VmHWM). Not ru_maxrss: Linux carries that
        over exec from the forked parent, so it would report the bench process's size."""
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc/self/status")

    t0 = time.perf_counter()
    from app.storage import search
    from app.storage.db import open_database
    from app.storage.records import RecordStore
    from app.sync.engine import SyncEngine
    from app.sync.transport import Transport

    imported = time.perf_counter() - t0
    if os.environ.get("FIELDDESK_BENCH_RSS_TRACE"):
        _trace_rss(Path(os.environ["FIELDDESK_BENCH_RSS_TRACE"]))
    t0 = time.perf_counter()
    db = open_database(profile)
    conn = db.conn
    created = time.perf_counter() - t0
    transport = Transport(url)
    transport.token = token
    phases = _time_phases(transport) if os.environ.get("FIELDDESK_BENCH_PHASES") else None
    engine = SyncEngine(conn, transport)
    store = RecordStore(conn, user="u0")
    out = sys.stdout
    out.write(json.dumps({"ready": True, "import_s": imported, "profile_create_s": created,
                          "rss_mb": rss_mb()}) + "\n")
    out.flush()
    profiles = 0
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        prof = None
        if cprofile is not None and op in ("sync", "edit"):
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        reply: dict[str, Any] = {"op": op}
        if op == "sync":
            started = time.perf_counter()
            report = engine.sync()
            reply["seconds"] = time.perf_counter() - started
            reply["report"] = {k: v for k, v in report.to_dict().items() if k != "conflict_ids"}
            if phases is not None:
                reply["phases_ms"] = {k: round(v * 1000, 1) for k, v in phases.items()}
                phases.clear()
            marker = cmd.get("marker")
            if marker:
                # How long after sync() returned the search finds every pulled change.
                want = cmd["expect"]
                deadline = time.perf_counter() + 30
                while True:
                    found = search.search(conn, marker, limit=0).total
                    lag = time.perf_counter() - started - reply["seconds"]
                    if found >= want or time.perf_counter() > deadline:
                        break
                    time.sleep(0.01)
                reply["search_found"] = found
                reply["search_lag_s"] = lag
        elif op == "edit":
            started = time.perf_counter()
            for t, rid in cmd["records"]:
                field = EDIT_FIELD[t]
                old = store.get(t, rid).get(field) or ""
                store.update(t, rid, {field: f"{old} {cmd['marker']}".strip()})
            reply["seconds"] = time.perf_counter() - started
        elif op == "quit":
            out.write(json.dumps({"op": op, "rss_mb": rss_mb()}) + "\n")
            out.flush()
            break
        if prof is not None:
            prof.disable()
            profiles += 1
            prof.dump_stats(str(cprofile / f"{profiles:02d}-{op}-{cmd.get('label', '')}.prof"))
        reply["rss_mb"] = rss_mb()
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()
    engine.wait_indexed() if hasattr(engine, "wait_indexed") else None
    transport.close()
    conn.close()
    return 0


class Laptop:
    """The parent's handle on one worker process."""

    def __init__(self, url: str, token: str, profile: Path, cprofile: Path | None) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--url", url,
               f"--token={token}",  # a token may start with "-"
               "--profile", str(profile)]
        if cprofile is not None:
            cprofile.mkdir(parents=True, exist_ok=True)
            cmd += ["--cprofile", str(cprofile)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.hello = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker died (exit {self.proc.wait()})")
        return json.loads(line)  # type: ignore[no-any-return]

    def ask(self, **cmd: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def quit(self) -> dict[str, Any]:
        reply = self.ask(op="quit")
        self.proc.wait(timeout=60)
        return reply


# --- the parent ------------------------------------------------------------------------------

def other_laptop_push(url: str, token: str, changes: list[dict[str, Any]]) -> float:
    """Push changes as another user, in one gzip request; returns seconds."""
    import httpx

    body = gzip.compress(json.dumps({"changes": changes}, ensure_ascii=False).encode(), 5)
    started = time.perf_counter()
    r = httpx.post(url + "/api/v1/push", content=body, timeout=120, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json",
        "Content-Encoding": "gzip"})
    r.raise_for_status()
    statuses = {x["status"] for x in r.json()["results"]}
    if statuses != {"accepted"}:
        raise RuntimeError(f"other laptop's push not accepted: {statuses}")
    return time.perf_counter() - started


def pick_records(changes: list[dict[str, Any]], n: int, seed: int) -> list[list[tuple[str, str]]]:
    """`n` disjoint sets of 1,000 editable records, each mixed like the dataset."""
    editable = [(c["type"], c["id"]) for c in changes if c["type"] in EDIT_FIELD]
    chosen = random.Random(seed).sample(editable, 1000 * n)
    return [chosen[i * 1000:(i + 1) * 1000] for i in range(n)]


def server_edits(initial: dict[str, dict[str, Any]], records: list[tuple[str, str]],
                 marker: str) -> list[dict[str, Any]]:
    out = []
    for t, rid in records:
        field = EDIT_FIELD[t]
        old = initial[rid]["fields"].get(field) or ""
        out.append({"change_id": str(uuid.uuid4()), "type": t, "id": rid, "base_version": 1,
                    "fields": {field: f"{old} {marker}".strip()}})
    return out


def _snapshot_dir(db: str, data: Path) -> Path:
    from server.config import Settings

    return Settings(db=db, data_dir=str(data)).snapshot_dir()


def _save_state(state: Path, db: str, data: Path, changes: list[dict[str, Any]],
                result: dict[str, Any]) -> None:
    """Keep the seeded server database and its snapshot for later `--state` runs."""
    import sqlite3

    state.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(db), sqlite3.connect(state / "server.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    shutil.copy(db + ".highwater.json", state / "server.sqlite3.highwater.json")
    for f in _snapshot_dir(db, data).glob("org-*.sqlite3"):
        shutil.copy(f, state / f.name)
    keep = {k: result[k] for k in ("dataset", "dataset_records", "dataset_build_s", "seed_push")}
    keep["snapshot_cold"] = result["snapshot"]
    (state / "result.json").write_text(json.dumps(keep, ensure_ascii=False, indent=2))
    (state / "changes.json").write_text(json.dumps(changes, ensure_ascii=False))


def _restore_state(state: Path, db: str, data: Path) -> None:
    shutil.copy(state / "server.sqlite3", db)
    shutil.copy(state / "server.sqlite3.highwater.json", db + ".highwater.json")
    folder = _snapshot_dir(db, data)
    folder.mkdir(parents=True, exist_ok=True)
    for f in state.glob("org-*.sqlite3"):
        shutil.copy(f, folder / f.name)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import httpx
    from bench_server import Server, dataset_changes, drop_pg, pg_database, push_all

    work = Path(tempfile.mkdtemp(prefix="fd-bench-sync-"))
    result: dict[str, Any] = {
        "dataset": f"demo-data --size {args.size} --seed {args.seed}",
        "backend": "pg" if args.pg else "sqlite",
        "machine": {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()},
    }
    pg_name = None
    srv = None
    laptops: list[Laptop] = []
    state: Path | None = args.state
    reuse = state is not None and (state / "changes.json").exists()
    # A long snapshot max age: no background rebuild may run while the client is timed.
    env = {"FIELDDESK_SERVER_SNAPSHOT_MAX_AGE_SECONDS": "86400"}
    try:
        data = work / "server"
        data.mkdir()
        db = str(data / "server.sqlite3")
        if reuse:
            assert state is not None
            changes = json.loads((state / "changes.json").read_text())
            saved = json.loads((state / "result.json").read_text())
            result.update(saved, reused_state=str(state))
            _restore_state(state, db, data)
            srv = Server(db, data, users=2, env=env, provision=False)
        else:
            t0 = time.perf_counter()
            changes = dataset_changes(args.size, args.seed, work)
            result["dataset_records"] = len(changes)
            result["dataset_build_s"] = round(time.perf_counter() - t0, 1)
            if args.pg:
                db, pg_name = pg_database(args.pg)
            srv = Server(db, data, users=2, env=env)
            seeded = push_all(srv, changes, 1000)
            result["seed_push"] = {k: seeded[k] for k in ("records", "seconds", "statuses")}
        token, other = srv.token("u0"), srv.token("u1")
        # The cold snapshot build (first request builds and caches it), then a warm download.
        for label in ("cold_build_and_download_s", "cached_download_s"):
            started = time.perf_counter()
            with httpx.stream("GET", srv.url + "/api/v1/snapshot", timeout=900,
                              headers={"Authorization": f"Bearer {token}"}) as r:
                r.raise_for_status()
                size = sum(len(chunk) for chunk in r.iter_bytes(1 << 20))
            seconds = round(time.perf_counter() - started, 3)
            if reuse and label.startswith("cold"):
                assert state is not None
                if any(state.glob("org-*.sqlite3")):
                    label = "adopted_after_restart_and_download_s"
                else:  # the state was kept without its snapshot: this request built it
                    for f in _snapshot_dir(db, data).glob("org-*.sqlite3"):
                        shutil.copy(f, state / f.name)
            result.setdefault("snapshot", {})[label] = seconds
        result["snapshot"]["size_mb"] = round(size / 1e6, 1)
        if state is not None and not reuse:
            _save_state(state, db, data, changes, result)

        # First syncs, all before any change, so every one starts from the same server state.
        first, hellos = [], []
        for rep in range(args.reps):
            cprof = work / f"prof-{rep}" if args.cprofile else None
            lap = Laptop(srv.url, token, work / f"laptop-{rep}.sqlite3", cprof)
            laptops.append(lap)
            hellos.append(lap.hello)
            reply = lap.ask(op="sync", label="first")
            if not reply["report"]["bootstrapped"]:
                raise RuntimeError(f"first sync did not bootstrap: {reply}")
            first.append(reply)
        initial = {c["id"]: c for c in changes}
        sets = pick_records(changes, 2 * args.reps * args.rounds, args.seed)
        push, pull, lag, noop, catchup, edits, peaks = [], [], [], [], [], [], []
        for rep, lap in enumerate(laptops):
            # Catch up with the earlier repetitions' changes (not timed as a target).
            catchup.append(lap.ask(op="sync", label="catchup"))
            for rnd in range(args.rounds):
                n = 2 * (rep * args.rounds + rnd)
                marker_mine, marker_theirs = MARKERS[n], MARKERS[n + 1]
                mine = sets[n]
                edits.append(lap.ask(op="edit", records=mine, marker=marker_mine, label="mine"))
                r = lap.ask(op="sync", label="push")
                if r["report"]["accepted"] != 1000:
                    raise RuntimeError(f"push not all accepted: {r['report']}")
                push.append(r)
                theirs = sets[n + 1]
                other_laptop_push(srv.url, other, server_edits(initial, theirs, marker_theirs))
                expect = sum(1 for t, _ in theirs if t in SEARCHABLE)
                r = lap.ask(op="sync", label="pull", marker=marker_theirs, expect=expect)
                if r["report"]["pulled"] != 1000 or r["search_found"] != expect:
                    raise RuntimeError(f"pull incomplete: {r}")
                pull.append(r)
                lag.append(r["search_lag_s"])
            for _ in range(args.noop_runs):
                r = lap.ask(op="sync", label="noop")
                if r["report"]["requests"] != 1 or r["report"]["pulled"]:
                    raise RuntimeError(f"no-op sync did work: {r['report']}")
                noop.append(r["seconds"])
            peaks.append(lap.quit()["rss_mb"])
        laptops = []

        def ms(values: list[float]) -> list[float]:
            return [round(v * 1000, 1) for v in values]

        result["first_sync"] = {
            "runs_s": [round(r["seconds"], 3) for r in first],
            "median_s": round(median([r["seconds"] for r in first]), 3),
            "snapshot_was_cached": True,
            "requests": first[0]["report"]["requests"],
            "profile_create_s": round(median([h["profile_create_s"] for h in hellos]), 3),
            "client_import_s": round(median([h["import_s"] for h in hellos]), 3),
            "rss_after_mb": [round(r["rss_mb"], 1) for r in first],
        }
        result["push_1000"] = {"runs_ms": ms([r["seconds"] for r in push]),
                               "median_ms": round(median([r["seconds"] for r in push]) * 1000, 1),
                               "local_edit_s": [round(e["seconds"], 2) for e in edits],
                               "requests": push[0]["report"]["requests"]}
        result["pull_1000"] = {"runs_ms": ms([r["seconds"] for r in pull]),
                               "median_ms": round(median([r["seconds"] for r in pull]) * 1000, 1),
                               "search_lag_s": [round(v, 3) for v in lag],
                               "requests": pull[0]["report"]["requests"]}
        if "phases_ms" in pull[0]:
            result["first_sync"]["phases_ms"] = [r["phases_ms"] for r in first]
            result["push_1000"]["phases_ms"] = [r["phases_ms"] for r in push]
            result["pull_1000"]["phases_ms"] = [r["phases_ms"] for r in pull]
        result["catchup_sync_ms"] = ms([r["seconds"] for r in catchup])
        result["noop"] = {"runs": len(noop), "median_ms": round(median(noop) * 1000, 2),
                          "p95_ms": round(sorted(noop)[int(0.95 * (len(noop) - 1))] * 1000, 2)}
        result["client_peak_rss_mb"] = [round(p, 1) for p in peaks]
        measured = {
            "first_sync_s": result["first_sync"]["median_s"],
            "push_1000_ms": result["push_1000"]["median_ms"],
            "pull_1000_ms": result["pull_1000"]["median_ms"],
            "search_lag_s": round(max(lag), 3),
            "noop_ms": result["noop"]["median_ms"],
            "client_peak_rss_mb": round(max(peaks), 1),
        }
        result["targets"] = {k: [measured[k], TARGETS[k], measured[k] <= TARGETS[k]]
                             for k in TARGETS}
        result["machine"]["loadavg_end"] = os.getloadavg()
        if args.cprofile:
            dest = Path(args.cprofile)
            dest.mkdir(parents=True, exist_ok=True)
            for folder in work.glob("prof-*"):
                for f in folder.iterdir():
                    shutil.copy(f, dest / f"{folder.name}-{f.name}")
    finally:
        for lap in laptops:
            lap.proc.kill()
        if srv is not None:
            srv.stop()
        if pg_name:
            drop_pg(args.pg, pg_name)
        shutil.rmtree(work, ignore_errors=True)
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=15000, help="demo-data size (15000 ≈ 100k records)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg", help="PostgreSQL URL: run the server on a throwaway database there")
    p.add_argument("--reps", type=int, default=3, help="client processes (each: every measure)")
    p.add_argument("--rounds", type=int, default=3,
                   help="push and pull rounds of 1,000 changes per client")
    p.add_argument("--noop-runs", type=int, default=20, help="no-op syncs per client")
    p.add_argument("--cprofile", help="folder for cProfile dumps of each client sync and edit")
    p.add_argument("--state", type=Path,
                   help="SQLite only: keep the seeded server and its snapshot in this folder, or"
                        " reuse them if it holds them (skips seeding and the cold build)")
    p.add_argument("--out", type=Path)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--token", help=argparse.SUPPRESS)
    p.add_argument("--profile", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return worker(args.url, args.token, args.profile,
                      Path(args.cprofile) if args.cprofile else None)
    if args.state and args.pg:
        p.error("--state is for the SQLite backend")
    if args.reps * args.rounds > len(MARKERS) // 2:
        p.error(f"--reps × --rounds at most {len(MARKERS) // 2}")
    result = run(args)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
