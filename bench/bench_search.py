"""Search benchmark: p50/p95 per query class, rebuild time and database size, as JSON.

Dataset: `demo-data --size N` (app.storage.demo.generate), default N = 100,000 enterprises
(~150,000 contacts, ~200,000 meeting notes, ~50,000 leads). The profile is kept under
--dir and reused when it already holds that size (pass --fresh to regenerate).

    .venv/bin/python bench/bench_search.py --size 100000 [--dir /tmp/fielddesk-bench] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.storage import search  # noqa: E402
from app.storage.db import open_database, transaction  # noqa: E402
from app.storage.search import pinyin  # noqa: E402

ONE = list("电新能华科药车材储锂河郑钢智云光")
TWO = ["电池", "储能", "集团", "乙烯", "许继", "投资", "选址", "用地", "锂电", "光伏", "总监", "郑州",
       "芯片", "物流", "基金", "客车"]
FOUR = ["有限公司", "储能电池", "产业园区", "营商环境", "投资意向", "新能源汽", "落地选址",
        "生物医药", "标准厂房", "电子信息", "上下游配", "实地考察", "高端装备", "股份有限", "招工用工",
        "人才引进"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def pinyin_queries(conn: Any, rng: random.Random, n: int) -> list[str]:
    """Pinyin as people type it, taken from real names: initials, a full-spelling prefix
    from the first syllable, and full spelling starting at a later syllable."""
    out: list[str] = []
    rows = conn.execute(
        "SELECT name, 'enterprise' FROM enterprise WHERE rowid % 997 = 1 "
        "UNION ALL SELECT name, 'contact' FROM contact WHERE rowid % 997 = 1"
    ).fetchall()
    rng.shuffle(rows)
    for name, kind in rows:
        readings = pinyin.name_readings(name, person=kind == "contact")
        if not readings or len(readings[0]) < 2:
            continue
        sylls = readings[-1]
        form = len(out) % 3
        if form == 0:
            out.append("".join(s[0] for s in sylls[:4]))
        elif form == 1:
            out.append("".join(sylls[:2]))
        else:
            start = rng.randrange(1, len(sylls))
            out.append("".join(sylls[start : start + 2]))
        if len(out) >= n:
            break
    return out


def time_queries(conn: Any, queries: list[str], reps: int) -> dict[str, Any]:
    for q in queries:  # warm the page cache as a user's second search would find it
        search.search(conn, q)
    times: list[float] = []
    totals: list[int] = []
    for _ in range(reps):
        for q in queries:
            t = time.perf_counter()
            result = search.search(conn, q)
            times.append((time.perf_counter() - t) * 1000)
            totals.append(result.total)
    return {
        "queries": queries,
        "n": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
        "median_total": int(statistics.median(totals)),
        "max_total": max(totals),
    }


def table_sizes(conn: Any) -> dict[str, int]:
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except Exception:  # dbstat is optional in SQLite builds
        return {}
    search_bytes = sum(size for name, size in rows if name.startswith("search_"))
    return {"search_index_bytes": search_bytes, "all_tables_bytes": sum(s for _, s in rows)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default="/tmp/fielddesk-bench")
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--skip-rebuild", action="store_true")
    args = ap.parse_args()

    from app.storage.demo import generate

    path = Path(args.dir) / f"search-{args.size}-{args.seed}.sqlite3"
    if args.fresh:
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
    started = time.perf_counter()
    db = open_database(path)  # rebuilds the index when it was built by another version
    conn = db.conn
    result: dict[str, Any] = {
        "dataset": f"demo-data --size {args.size} --seed {args.seed}",
        "open_s": round(time.perf_counter() - started, 1),
    }
    have = conn.execute("SELECT value FROM meta WHERE key = 'demo_size'").fetchone()
    if not have or int(have[0]) != args.size:
        t = time.perf_counter()
        generate(conn, size=args.size, seed=args.seed)
        result["generate_s"] = round(time.perf_counter() - t, 1)
    result["rows"] = {
        t: conn.execute(f"SELECT count(*) FROM {t} WHERE deleted = 0").fetchone()[0]
        for t in ("enterprise", "contact", "meeting_note", "lead")
    }
    if not args.skip_rebuild:
        t = time.perf_counter()
        with transaction(conn):
            search.rebuild(conn)
        result["rebuild_s"] = round(time.perf_counter() - t, 1)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    result["db_bytes"] = path.stat().st_size
    result["db_mb"] = round(path.stat().st_size / 1e6, 1)
    # Pages freed by replacing an older index stay in the file until VACUUM; a freshly
    # generated profile has none, so used = file size minus these.
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    result["free_bytes"] = conn.execute("PRAGMA freelist_count").fetchone()[0] * page
    result.update(table_sizes(conn))

    rng = random.Random(args.seed)
    classes = {
        "1-char": ONE,
        "2-char": TWO,
        "4-char": FOUR,
        "pinyin": pinyin_queries(conn, rng, 16),
        "pinyin-short": ["x", "zh", "wan", "dian", "kj", "yxgs"],
    }
    result["search"] = {name: time_queries(conn, qs, args.reps) for name, qs in classes.items()}
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
