"""Sync server benchmarks: push and pull throughput, snapshot build, 50 concurrent clients.

Dataset: "about 100,000 records" = demo-data --size 15000 (DESIGN.md, Testing), turned into
create changes in parent-first order. Every run starts a real `fielddesk-server serve` process
on a fresh database (a SQLite file, or a throwaway PostgreSQL database). Prints JSON. Not a
test; the default run is bounded (one pass per backend plus a 60 s load on PostgreSQL).

    .venv/bin/python bench/bench_server.py --pg postgresql://postgres@127.0.0.1:5432/test \
        --out bench/results/server.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from app.domain.records import SPECS  # noqa: E402
from app.storage.db import open_database  # noqa: E402
from app.storage.demo import generate  # noqa: E402
from app.storage.records import decode_row  # noqa: E402

ORDER = ("enterprise", "contact", "trip", "visit", "meeting_note", "lead", "lead_stage_change",
         "follow_up")
PASSWORD = "bench-password"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def dataset_changes(size: int, seed: int, work: Path) -> list[dict[str, Any]]:
    """The demo profile's records as create changes, parents first."""
    db = open_database(work / "demo.sqlite3")
    conn = db.conn
    generate(conn, size=size, seed=seed)
    changes: list[dict[str, Any]] = []
    for type_name in ORDER:
        spec = SPECS[type_name]
        cur = conn.execute(f"SELECT * FROM {type_name} ORDER BY rowid")
        cols = [d[0] for d in cur.description]
        for row in cur:
            rec = decode_row(spec, cols, row)
            fields = {f.name: rec[f.name] for f in spec.fields
                      if rec.get(f.name) not in (None, [], False, "")}
            changes.append({"change_id": str(uuid.uuid4()), "type": type_name, "id": rec["id"],
                            "base_version": None, "fields": fields})
    conn.close()
    return changes


class Server:
    """A `fielddesk-server serve` process on a fresh database, with one org and users."""

    def __init__(self, db: str, data: Path, users: int = 1,
                 env: dict[str, str] | None = None, provision: bool = True) -> None:
        self.db, self.data = db, data
        env = {**os.environ, "FIELDDESK_SERVER_DATA_DIR": str(data),
               "FIELDDESK_SERVER_SNAPSHOT_MAX_AGE_SECONDS": "0", **(env or {})}
        self.env = env
        if provision:  # False: a database provisioned before (org 基准局, users u0…)
            self._cli("migrate")
            self._cli("create-org", "基准局")
            self._cli("create-user", "--org", "基准局", "--user", "u0", "--role", "lead",
                      "--password-stdin", stdin=PASSWORD + "\n")
            if users > 1:
                self._more_users(users)
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        with open(data / "server.log", "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--db", db, "--port", str(port),
                 "--log-level", "warning"], cwd=ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def _more_users(self, users: int) -> None:
        """Users u1… written directly: fifty CLI start-ups would dominate the run."""
        from server.config import Settings, database_url
        from server.db import make_engine, write_tx
        from server.services import auth, orgs

        engine = make_engine(database_url(self.db))
        try:
            with write_tx(engine) as conn:
                org_id = orgs.org_id_by_name(conn, "基准局")
                for n in range(1, users):
                    auth.create_user(conn, Settings(), org_id=org_id, username=f"u{n}",
                                     password=PASSWORD, role="lead")
        finally:
            engine.dispose()

    def _cli(self, *args: str, stdin: str | None = None) -> None:
        subprocess.run([sys.executable, "-m", "server.cli", "--db", self.db, *args], input=stdin,
                       text=True, env=self.env, cwd=ROOT, check=True, capture_output=True)

    def token(self, user: str = "u0") -> str:
        r = httpx.post(self.url + "/api/v1/auth/login",
                       json={"username": user, "password": PASSWORD}, timeout=30)
        r.raise_for_status()
        return str(r.json()["token"])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def push_all(srv: Server, changes: list[dict[str, Any]], batch: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {srv.token()}", "Content-Type": "application/json",
               "Content-Encoding": "gzip"}
    statuses: dict[str, int] = {}
    codes: dict[str, int] = {}
    started = time.perf_counter()
    with httpx.Client(base_url=srv.url, timeout=300) as http:
        for start in range(0, len(changes), batch):
            body = gzip.compress(json.dumps({"changes": changes[start:start + batch]},
                                            ensure_ascii=False).encode(), compresslevel=5)
            r = http.post("/api/v1/push", content=body, headers=headers)
            r.raise_for_status()
            for reply in r.json()["results"]:
                statuses[reply["status"]] = statuses.get(reply["status"], 0) + 1
                if reply["status"] != "accepted":
                    key = f'{reply.get("reason") or reply.get("code")}:{reply.get("field")}'
                    codes[key] = codes.get(key, 0) + 1
    seconds = time.perf_counter() - started
    return {"records": len(changes), "seconds": round(seconds, 2),
            "records_per_s": round(len(changes) / seconds), "statuses": statuses,
            "not_accepted": dict(sorted(codes.items(), key=lambda kv: -kv[1])[:5])}


def pull_all(srv: Server, limit: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {srv.token()}", "Accept-Encoding": "gzip"}
    count, pages, cursor = 0, 0, None
    started = time.perf_counter()
    with httpx.Client(base_url=srv.url, timeout=300) as http:
        while True:
            params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            r = http.get("/api/v1/pull", params=params, headers=headers)
            r.raise_for_status()
            body = r.json()
            count += len(body["records"])
            pages += 1
            cursor = body["cursor"]
            if not body["has_more"]:
                break
        noop = time.perf_counter()
        http.get("/api/v1/pull", params={"cursor": cursor}, headers=headers).raise_for_status()
        noop_ms = (time.perf_counter() - noop) * 1000
    seconds = noop - started
    return {"records": count, "pages": pages, "seconds": round(seconds, 2),
            "records_per_s": round(count / seconds), "noop_sync_ms": round(noop_ms, 1),
            "cursor": cursor}


def snapshot(srv: Server, work: Path) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {srv.token()}"}
    out: dict[str, Any] = {}
    for label in ("build_and_download", "cached_download"):
        started = time.perf_counter()
        with httpx.stream("GET", srv.url + "/api/v1/snapshot", headers=headers, timeout=600) as r:
            r.raise_for_status()
            with open(work / "snap.sqlite3", "wb") as fh:
                for chunk in r.iter_bytes(1 << 20):
                    fh.write(chunk)
        out[label + "_s"] = round(time.perf_counter() - started, 2)
    conn = sqlite3.connect(work / "snap.sqlite3")
    out["records"] = conn.execute("SELECT count(*) FROM synced_copy").fetchone()[0]
    conn.close()
    out["size_mb"] = round((work / "snap.sqlite3").stat().st_size / 1e6, 1)
    return out


def load(srv: Server, clients: int, seconds: float, start_cursor: str | None) -> dict[str, Any]:
    """`clients` threads, each pushing 10 changes then pulling from its cursor, for `seconds`.

    Every client starts at the head of the feed, like a laptop already in sync: the load is
    the steady state (small pushes, pulls of what the others just wrote), not 50 bootstraps.
    """
    tokens = [srv.token(f"u{n}") for n in range(clients)]
    latencies: dict[str, list[float]] = {"push": [], "pull": []}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        mine: dict[str, int] = {}
        cursor = start_cursor
        headers = {"Authorization": f"Bearer {tokens[n]}"}
        with httpx.Client(base_url=srv.url, timeout=60, headers=headers) as http:
            while time.monotonic() < stop_at:
                changes = []
                used: set[str] = set()
                for _ in range(10):
                    rid = rng.choice(list(mine)) if mine else ""
                    if rid and rid not in used and rng.random() < 0.5:
                        used.add(rid)
                        changes.append({"change_id": str(uuid.uuid4()), "type": "enterprise",
                                        "id": rid, "base_version": mine[rid],
                                        "fields": {"city": f"城{rng.randint(1, 999)}"}})
                    else:
                        changes.append({"change_id": str(uuid.uuid4()), "type": "enterprise",
                                        "id": str(uuid.uuid4()), "base_version": None,
                                        "fields": {"name": f"负载{n}-{rng.random():.6f}"}})
                t0 = time.perf_counter()
                try:
                    r = http.post("/api/v1/push", json={"changes": changes})
                    t1 = time.perf_counter()
                    if r.status_code != 200:
                        raise RuntimeError(f"push {r.status_code} {r.text[:200]}")
                    for c, reply in zip(changes, r.json()["results"], strict=False):
                        if reply["status"] != "accepted":
                            raise RuntimeError(f"push reply {reply}")
                        mine[c["id"]] = reply["version"]
                    params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
                    t2 = time.perf_counter()
                    r = http.get("/api/v1/pull", params=params)
                    t3 = time.perf_counter()
                    if r.status_code != 200:
                        raise RuntimeError(f"pull {r.status_code} {r.text[:200]}")
                    cursor = r.json()["cursor"]
                except Exception as e:  # counted, never hidden
                    with lock:
                        errors.append(str(e)[:300])
                    continue
                with lock:
                    latencies["push"].append((t1 - t0) * 1000)
                    latencies["pull"].append((t3 - t2) * 1000)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    out: dict[str, Any] = {"clients": clients, "seconds": round(elapsed, 1),
                           "errors": len(errors), "error_samples": errors[:3]}
    for kind, samples in latencies.items():
        out[kind] = {"requests": len(samples),
                     "p50_ms": round(percentile(samples, 50), 1) if samples else None,
                     "p95_ms": round(percentile(samples, 95), 1) if samples else None,
                     "p99_ms": round(percentile(samples, 99), 1) if samples else None,
                     "mean_ms": round(statistics.fmean(samples), 1) if samples else None}
    out["requests_per_s"] = round(sum(len(s) for s in latencies.values()) / elapsed, 1)
    return out


def pg_database(base: str) -> tuple[str, str]:
    import psycopg

    name = f"fd_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rpartition("/")[0] + "/" + name, name


def drop_pg(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", type=int, default=15000, help="demo-data size (15000 ≈ 100k records)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--backends", default="sqlite,pg")
    p.add_argument("--pg", default=os.environ.get("FIELDDESK_TEST_PG_URL"))
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--page", type=int, default=5000)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--load-seconds", type=float, default=60)
    p.add_argument("--no-load", action="store_true")
    p.add_argument("--load-only", action="store_true",
                   help="skip the dataset: only the concurrent load on an empty org")
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fd-bench-server-"))
    result: dict[str, Any] = {"dataset": f"demo-data --size {args.size} --seed {args.seed}",
                              "machine": {"cpus": os.cpu_count(),
                                          "loadavg_start": os.getloadavg()}}
    try:
        t0 = time.perf_counter()
        changes = [] if args.load_only else dataset_changes(args.size, args.seed, work)
        result["dataset_records"] = len(changes)
        result["dataset_build_s"] = round(time.perf_counter() - t0, 1)
        for backend in args.backends.split(","):
            if backend == "pg" and not args.pg:
                result["pg"] = "skipped: no --pg / FIELDDESK_TEST_PG_URL"
                continue
            data = work / backend
            data.mkdir()
            pg_name = None
            if backend == "pg":
                db, pg_name = pg_database(args.pg)
            else:
                db = str(data / "server.sqlite3")
            users = args.clients if backend == "pg" and not args.no_load else 1
            srv = Server(db, data, users=users)
            try:
                res: dict[str, Any] = {}
                if changes:
                    res["push"] = push_all(srv, changes, args.batch)
                res["pull"] = pull_all(srv, args.page)
                cursor = res["pull"].pop("cursor")
                if changes:
                    res["snapshot"] = snapshot(srv, data)
                if backend == "pg" and not args.no_load:
                    res["load"] = load(srv, args.clients, args.load_seconds, cursor)
                result[backend] = res
                print(json.dumps({backend: res}, ensure_ascii=False), file=sys.stderr)
            finally:
                srv.stop()
                if pg_name:
                    drop_pg(args.pg, pg_name)
        result["machine"]["loadavg_end"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
