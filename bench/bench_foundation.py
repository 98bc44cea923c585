"""Foundation benchmarks on the "100,000 enterprises" dataset (demo-data --size 100000).

Measures demo generation, search latency (1-, 2-, 4-character and pinyin queries), the first
page of the enterprise list, a single save (record + outbox, synchronous=FULL) and the database
size; prints JSON. Not a test: see bench/README.md for how to run it and the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import platformdirs  # noqa: E402

from app.storage import search  # noqa: E402
from app.storage.db import open_database  # noqa: E402
from app.storage.demo import generate, is_demo  # noqa: E402
from app.storage.demo import generator as demo_generator  # noqa: E402
from app.storage.queries.enterprises import EnterpriseQuery, EnterpriseSource  # noqa: E402
from app.storage.records import RecordStore  # noqa: E402

TARGETS_MS = {"search_p95": 30.0, "list_page": 20.0, "save_p95": 10.0}
TARGET_DB_MB = 500.0

# Queries chosen to hit realistic result counts in the demo data: a very common character,
# two- and four-character industry words, a place, and pinyin (initials and full spellings of
# a common surname, a city and an industry word).
QUERIES: dict[str, list[str]] = {
    "1char": ["电", "新", "张", "链"],
    "2char": ["新材", "许昌", "智能", "储能"],
    "4char": ["智能装备", "锂电池负", "生物医药", "落地选址"],
    "pinyin": ["xny", "zhangwei", "shenzhen", "hxkj", "zeng", "shan"],
}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn: Callable[[], Any], repeat: int, warmup: int = 2) -> tuple[list[float], Any]:
    """Milliseconds per call over `repeat` calls after `warmup` unmeasured ones."""
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def stats(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
    }


def build(data_dir: Path, size: int, seed: int, force: bool) -> dict[str, Any]:
    """Generate the dataset once; reuse it (and its recorded timings) when it already exists."""
    db_path = data_dir / "fielddesk.sqlite3"
    info_path = data_dir / "generation.json"
    if not force and db_path.exists() and info_path.exists():
        info = json.loads(info_path.read_text())
        if info.get("size") == size and info.get("seed") == seed:
            info["reused"] = True
            return info
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    indexing: list[float] = []
    rebuild = demo_generator.search.rebuild

    def timed_rebuild(conn: Any) -> None:  # split generation time into rows vs search index
        start = time.perf_counter()
        rebuild(conn)
        indexing.append(time.perf_counter() - start)

    demo_generator.search.rebuild = timed_rebuild  # type: ignore[assignment]
    try:
        db = open_database(db_path)
        start = time.perf_counter()
        counts = generate(db.conn, size=size, seed=seed)
        total = time.perf_counter() - start
        db.conn.close()
    finally:
        demo_generator.search.rebuild = rebuild  # type: ignore[assignment]
    info = {
        "size": size, "seed": seed, "counts": counts, "records": sum(counts.values()),
        "generation_s": round(total, 2), "search_index_s": round(sum(indexing), 2),
        "rows_s": round(total - sum(indexing), 2), "reused": False,
    }
    info_path.write_text(json.dumps(info, ensure_ascii=False, indent=2))
    return info


def bench_search(conn: Any, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, queries in QUERIES.items():
        every: list[float] = []
        per_query = {}
        for q in queries:
            samples, result = timed(lambda q=q: search.search(conn, q), repeat)
            every += samples
            per_query[q] = {"total": result.total, **stats(samples)}
        out[kind] = {**stats(every), "queries": per_query}
    return out


def bench_list(conn: Any, repeat: int) -> dict[str, Any]:
    """The enterprise table's first page: 100 rows, filtered by industry chain, sorted."""
    store = RecordStore(conn)
    source = EnterpriseSource()
    cases: dict[str, Callable[[], Any]] = {
        "store_chain_by_updated": lambda: store.list(
            "enterprise", {"industry_chain": "新能源"}, limit=100),
        "store_chain_by_name": lambda: store.list(
            "enterprise", {"industry_chain": "新能源"}, limit=100, order_by="name_key, id"),
        "store_all_by_updated": lambda: store.list("enterprise", limit=100),
    }
    for sort in ("name", "updated_at"):
        query = EnterpriseQuery(industry_chain="新能源", sort=sort, descending=sort != "name")

        def page(query: EnterpriseQuery = query) -> Any:  # what the UI table model runs
            keys = source.find_keys(conn, query)
            return source.fetch(conn, keys[:100])

        cases[f"ui_chain_by_{sort}"] = page
    out = {}
    for name, fn in cases.items():
        samples, rows = timed(fn, repeat)
        out[name] = {"rows": len(rows), **stats(samples)}
    return out


def bench_save(db_path: Path, saves: int) -> dict[str, Any]:
    """Creates of an enterprise and of a contact, each its own transaction with its outbox row,
    on a copy of the dataset so the cached one stays a pure demo profile."""
    with tempfile.TemporaryDirectory(dir=db_path.parent) as tmp:
        copy = Path(tmp) / "fielddesk.sqlite3"
        shutil.copyfile(db_path, copy)
        db = open_database(copy)
        conn = db.conn
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        store = RecordStore(conn, user="bench")
        enterprise_ids = [r[0] for r in conn.execute("SELECT id FROM enterprise LIMIT 500")]
        samples: dict[str, list[float]] = {"enterprise_create": [], "contact_create": [],
                                           "enterprise_update": []}
        for i in range(saves):
            start = time.perf_counter()
            store.create("enterprise", {"name": f"基准测试新能源科技有限公司{i}",
                                        "industry_chain": "新能源", "region": "长三角"})
            samples["enterprise_create"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            store.create("contact", {"enterprise_id": enterprise_ids[i % len(enterprise_ids)],
                                     "name": "单志强", "mobile": f"139{i:08d}"})
            samples["contact_create"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            store.update("enterprise", enterprise_ids[i % len(enterprise_ids)],
                         {"notes": f"基准测试备注{i}"})
            samples["enterprise_update"].append((time.perf_counter() - start) * 1000)
        conn.close()
    return {name: stats(s) for name, s in samples.items()}


def size_mb(db_path: Path) -> dict[str, Any]:
    db = open_database(db_path)
    conn = db.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out: dict[str, Any] = {"file_mb": round(db_path.stat().st_size / 1e6, 1)}
    try:
        rows = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12"
        ).fetchall()
        out["largest_mb"] = {name: round(n / 1e6, 1) for name, n in rows}
    except Exception as e:  # noqa: BLE001 - dbstat is optional in SQLite builds
        out["largest_mb"] = f"dbstat unavailable: {e}"
    conn.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the dataset is built and cached"
                             " (default: the user cache dir, FieldDesk/bench/size-N)")
    parser.add_argument("--rebuild", action="store_true", help="generate again even if cached")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query/page")
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(platformdirs.user_cache_dir("FieldDesk", appauthor=False)) \
        / "bench" / f"size-{args.size}"
    db_path = data_dir / "fielddesk.sqlite3"

    result: dict[str, Any] = {"dataset": f"demo-data --size {args.size} --seed {args.seed}",
                              "sqlite": __import__("sqlite3").sqlite_version,
                              "cpus": os.cpu_count()}
    result["generation"] = build(data_dir, args.size, args.seed, args.rebuild)
    db = open_database(db_path)
    assert is_demo(db.conn)
    result["search"] = bench_search(db.conn, args.repeat)
    result["list_page"] = bench_list(db.conn, args.repeat)
    db.conn.close()
    result["save"] = bench_save(db_path, args.saves)
    result["database"] = size_mb(db_path)
    worst_search = max(v["p95_ms"] for v in result["search"].values())
    worst_list = max(v["p95_ms"] for v in result["list_page"].values())
    worst_save = max(v["p95_ms"] for v in result["save"].values())
    result["targets"] = {
        "search_p95_ms": [worst_search, TARGETS_MS["search_p95"],
                          worst_search <= TARGETS_MS["search_p95"]],
        "list_page_p95_ms": [worst_list, TARGETS_MS["list_page"],
                             worst_list <= TARGETS_MS["list_page"]],
        "save_p95_ms": [worst_save, TARGETS_MS["save_p95"], worst_save <= TARGETS_MS["save_p95"]],
        "database_mb": [result["database"]["file_mb"], TARGET_DB_MB,
                        result["database"]["file_mb"] <= TARGET_DB_MB],
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
