"""Benchmark reports: trip report (200 visits), ledger (10,000 leads), summary (100,000 leads).

    .venv/bin/python bench/bench_reports.py [--leads 100000] [--ledger 10000] [--visits 200]

Datasets are generated here with bulk executemany inserts (seeded, so runs compare): leads with
1–4 stage changes each along the pipeline (some moved back or terminated), 0.4 done visits per
lead, trips of 20 visits. Each figure is wall time, the best of `--repeat` runs after one cold
run (the cold run is reported too), plus that run's CPU time; the ledger lists every lead of
a profile holding exactly `--ledger` leads. The load average is recorded before and after:
on a shared machine wall times swing several-fold with it. JSON on stdout.
Targets (issue #5): trip PDF ≤ 1 s and ≤ 1.5 MB; ledger .xlsx ≤ 3 s, PDF ≤ 5 s; summary ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.reports.ledger import write_ledger  # noqa: E402
from app.reports.summary import compute  # noqa: E402
from app.reports.trip_report import write_trip_report  # noqa: E402
from app.storage import lead_stages  # noqa: E402
from app.storage.db import open_database  # noqa: E402
from app.storage.report_data import LedgerFilter  # noqa: E402

CHAINS = ["新能源", "新材料", "新能源汽车", "电子信息", "高端装备", "生物医药", "现代食品", "现代物流"]
UNITS = ["许昌县", "禹州市", "长葛市", "鄢陵县", "襄城县", "建安区", "魏都区", "示范区"]
WORDS = "华瑞鑫泰恒信达通宏盛创新源智联科丰凯晟博远"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
PIPE = ["clue", "negotiating", "signed", "registered", "started", "in_production"]
OUTCOME = ("双方就项目选址、用地指标、能耗指标及配套政策进行了深入交流，企业表示对营商环境高度认可，"
           "计划年内完成可研并启动备案，希望协调电价支持。")
NOW = "2025-10-01T00:00:00Z"


def _meta(row: dict[str, Any]) -> dict[str, Any]:
    row.update(created_at=NOW, created_by="bench", updated_at=NOW, updated_by="bench", deleted=0)
    return row


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    conn.executemany(sql, [tuple(r[c] for c in cols) for r in rows])


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _name(rng: random.Random, suffix: str) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4))) + suffix


def build_profile(path: Path, leads: int, seed: int = 1) -> dict[str, Any]:
    """A profile with `leads` leads, their enterprises, stage changes, visits and trips."""
    rng = random.Random(seed)
    db = open_database(path)
    conn = db.conn
    base = dt.date(2024, 1, 1)
    enterprises, lead_rows, changes, visits, trips = [], [], [], [], []
    n_ent = max(1, leads)
    ent_ids = [_id(rng) for _ in range(n_ent)]
    for eid in ent_ids:
        enterprises.append(_meta({"id": eid, "name": _name(rng, "科技有限公司"),
                                  "industry_chain": rng.choice(CHAINS), "address": "河南省许昌市"}))
    for i in range(leads):
        lid = _id(rng)
        steps = rng.randint(1, 4)
        start = rng.randint(0, 600)
        stage_i = rng.randint(0, 2)
        day = base + dt.timedelta(days=start)
        last = None
        for _ in range(steps):
            stage = PIPE[stage_i] if rng.random() > 0.05 else "terminated"
            changes.append(_meta({"id": _id(rng), "lead_id": lid, "stage": stage,
                                  "date": day.isoformat(), "who": "bench"}))
            last = (stage, day.isoformat())
            day += dt.timedelta(days=rng.randint(0, 90))
            stage_i = min(len(PIPE) - 1, max(0, stage_i + rng.choice((1, 1, 2, -1))))
        invest = rng.choice((500, 3000, 8000, 12000, 50000, 200000))
        lead_rows.append(_meta({
            "id": lid, "name": _name(rng, "项目"), "enterprise_id": ent_ids[i % n_ent],
            "industry_chain": rng.choice(CHAINS), "unit": rng.choice(UNITS), "investment_wan": invest,
            "funds_arrived_wan": rng.randint(0, invest), "responsible": rng.choice(SURNAMES) +
            rng.choice(GIVEN), "high_energy": int(rng.random() < 0.05), "stage": last[0] if last else None,
            "stage_date": last[1] if last else None, "notes": "",
        }))
    n_trips = max(1, int(leads * 0.4) // 20)
    for t in range(n_trips):
        tid = _id(rng)
        start = base + dt.timedelta(days=rng.randint(0, 600))
        trips.append(_meta({"id": tid, "title": f"小分队{t}", "start_date": start.isoformat(),
                            "end_date": (start + dt.timedelta(days=4)).isoformat(),
                            "status": "finished", "members": "[]", "destinations": "[]"}))
        for v in range(20):
            day = start + dt.timedelta(days=v % 5)
            visits.append(_meta({"id": _id(rng), "trip_id": tid, "enterprise_id": rng.choice(ent_ids),
                                 "contact_ids": "[]", "scheduled_at": f"{day.isoformat()}T{9 + v % 8:02d}:00",
                                 "time_zone": "Asia/Shanghai", "status": "done", "outcome": OUTCOME}))
    conn.execute("BEGIN")
    for table, rows in (("enterprise", enterprises), ("lead", lead_rows),
                        ("lead_stage_change", changes), ("trip", trips), ("visit", visits)):
        _insert(conn, table, rows)
    # Bulk inserts bypass RecordStore: derive each lead's stage and reached dates in one
    # pass, as the migration, demo data and server snapshots do.
    lead_stages.refresh_all(conn)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return {"db": db, "leads": leads, "stage_changes": len(changes), "visits": len(visits),
            "trips": len(trips)}


def build_trip(conn: sqlite3.Connection, visits: int, seed: int = 2) -> str:
    """One trip with `visits` done visits (each with two contacts and a long outcome)."""
    rng = random.Random(seed)
    tid = _id(rng)
    _insert(conn, "trip", [_meta({"id": tid, "title": "赴长三角、粤港澳大湾区招商小分队",
                                  "start_date": "2025-09-01", "end_date": "2025-09-10",
                                  "status": "finished", "leader": "张建国",
                                  "members": json.dumps(["王伟", "李娜", "赵刚"], ensure_ascii=False),
                                  "destinations": json.dumps(["上海", "苏州", "深圳"], ensure_ascii=False)})])
    rows, contacts, ents = [], [], []
    for v in range(visits):
        eid = _id(rng)
        ents.append(_meta({"id": eid, "name": _name(rng, "股份有限公司"), "address": "上海市浦东新区"}))
        cids = [_id(rng), _id(rng)]
        for cid in cids:
            contacts.append(_meta({"id": cid, "enterprise_id": eid, "is_key": 0,
                                   "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "title": "总经理"}))
        day = dt.date(2025, 9, 1) + dt.timedelta(days=v % 10)
        rows.append(_meta({"id": _id(rng), "trip_id": tid, "enterprise_id": eid,
                           "contact_ids": json.dumps(cids), "status": "done", "time_zone": "Asia/Shanghai",
                           "scheduled_at": f"{day.isoformat()}T{8 + v % 10:02d}:{v % 60:02d}",
                           "outcome": OUTCOME * (1 + v % 3)}))
    conn.execute("BEGIN")
    _insert(conn, "enterprise", ents)
    _insert(conn, "contact", contacts)
    _insert(conn, "visit", rows)
    conn.execute("COMMIT")
    return tid


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    """Wall time of a cold run and the best warm run, and that run's CPU time (on a shared,
    busy machine the CPU time is the better guide to what an idle laptop would see)."""
    runs = []
    for _ in range(repeat + 1):
        t, c = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t, time.process_time() - c))
    best = min(runs[1:] or runs)
    return {"cold_s": round(runs[0][0], 3), "best_s": round(best[0], 3),
            "best_cpu_s": round(best[1], 3)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--ledger", type=int, default=10_000)
    ap.add_argument("--visits", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--only", choices=("trip", "ledger", "summary"), action="append",
                    help="run only these parts (repeatable)")
    a = ap.parse_args()
    parts = set(a.only or ("trip", "ledger", "summary"))
    results: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                               "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="fielddesk-bench-") as tmp:
        folder = Path(tmp)

        small = build_profile(folder / "ledger.sqlite3", a.ledger if "ledger" in parts else 10)
        conn = small["db"].conn
        tid = build_trip(conn, a.visits)
        pdf = folder / "trip.pdf"
        if "trip" in parts:
            results["trip_report_pdf"] = {
                "visits": a.visits, **timed(lambda: write_trip_report(conn, tid, pdf), a.repeat),
                "bytes": pdf.stat().st_size, "target_s": 1.0, "target_bytes": 1_500_000,
            }
        for suffix, target in ((".xlsx", 3.0), (".pdf", 5.0)) if "ledger" in parts else ():
            out = folder / f"ledger{suffix}"
            results[f"ledger{suffix.replace('.', '_')}"] = {
                "leads": a.ledger,
                **timed(lambda out=out: write_ledger(conn, LedgerFilter(), out), a.repeat),
                "bytes": out.stat().st_size, "target_s": target,
            }
        conn.close()
        if "summary" not in parts:
            results["load_after"] = os.getloadavg()
            sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
            return 0

        t = time.perf_counter()
        big = build_profile(folder / "summary.sqlite3", a.leads)
        build_s = time.perf_counter() - t
        conn = big["db"].conn
        figures: dict[str, Any] = {}

        def run() -> None:
            figures.update(compute(conn, "2025-01-01", "2025-06-30"))

        results["summary"] = {
            "leads": a.leads, "stage_changes": big["stage_changes"], "visits": big["visits"],
            "trips": big["trips"], "build_dataset_s": round(build_s, 1),
            **timed(run, a.repeat), "target_s": 0.5,
            "signed": figures["signed"], "leads_captured": figures["leads_captured"],
        }
        conn.close()
    results["load_after"] = os.getloadavg()
    sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
