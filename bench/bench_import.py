"""Benchmark `fielddesk import`: a 10,000-row enterprise list and a lead ledger (JSON output).

    .venv/bin/python bench/bench_import.py [--rows 10000] [--via-store]

Datasets are generated here (not demo-data): enterprise list rows with one contact each, every
third enterprise with a second contact row; a ledger with two dated stages per project.
Each figure is [wall seconds, CPU seconds] for `run_import` into a fresh profile (first import),
then the same file again (everything matched, nothing changed), then a dry run, then a version
with one field changed on every row (the update path, through RecordStore.update), then exports of
what was imported; `load_average` says how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.uscc import ALPHABET, check_character  # noqa: E402
from app.reports.export import write_table  # noqa: E402
from app.storage import importer as importer_pkg  # noqa: E402
from app.storage.db import open_database  # noqa: E402
from app.storage.importer import run_import, writer  # noqa: E402
from app.storage.importer.export_rows import TABLES  # noqa: E402
from app.storage.records import RecordStore  # noqa: E402

CHAINS = ["新能源", "新材料", "电子信息", "高端装备", "生物医药", "现代食品", "现代物流"]
REGIONS = ["京津冀", "长三角", "粤港澳大湾区", "闽东南", "成渝"]
TAGS = ["上市公司", "专精特新", "链主企业", "民营500强", ""]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
WORDS = "华瑞鑫泰恒信达通宏盛创新源智联科丰凯晟博远"


def _uscc(rng: random.Random) -> str:
    body = "9141" + "".join(rng.choice(ALPHABET[:10]) for _ in range(4)) + "".join(
        rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def enterprise_list(path: Path, rows: int, seed: int = 7, note: str | None = None) -> int:
    import openpyxl

    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("名单")
    ws.append(["重点招商企业名单"])
    ws.append(["企业名称", "统一社会信用代码", "产业链", "所在省份", "所在城市", "重点区域",
               "企业标签", "地址", "网址", "联系人", "职务", "手机", "备注"])
    written = enterprises = 0
    while written < rows:
        enterprises += 1
        name = "".join(rng.choice(WORDS) for _ in range(3)) + f"科技{enterprises}有限公司"
        base = [name, _uscc(rng), rng.choice(CHAINS), "江苏省", "苏州市", rng.choice(REGIONS),
                rng.choice(TAGS) or None, f"工业园区星湖街{enterprises}号", None]
        for _ in range(2 if enterprises % 3 == 0 else 1):
            if written >= rows:
                break
            person = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            mobile = "13" + "".join(rng.choice("0123456789") for _ in range(9))
            ws.append(base + [person, "总经理", mobile, note])
            written += 1
    book.save(path)
    return enterprises


def lead_ledger(path: Path, rows: int, seed: int = 11, funds: int | None = None) -> None:
    import openpyxl

    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("台账")
    ws.append(["招商项目台账"])
    ws.append(["项目名称", "企业名称", "产业链", "项目来源", "计划总投资（亿元）", "当前阶段",
               "线索日期", "在谈日期", "签约日期", "责任单位", "是否两高", "实际到位资金（万元）"])
    for i in range(rows):
        ent = "".join(rng.choice(WORDS) for _ in range(3)) + f"集团{i // 2}有限公司"
        signed = i % 3 == 0
        ws.append([f"项目{i}", ent, rng.choice(CHAINS), "小分队招商", round(rng.uniform(0.5, 30), 2),
                   "签约" if signed else "在谈", "2025-01-05", "2025-03-10",
                   "2025-06-30" if signed else None, "经开区", "否", funds])
    book.save(path)


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(wall seconds, CPU seconds of this process, result): on a shared machine the CPU time
    is the steadier figure; the wall time includes waiting for fsync and for the CPU."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return (round(time.perf_counter() - start, 3), round(time.process_time() - cpu, 3)), result


def run(rows: int, via_store: bool) -> dict[str, object]:
    import os

    out: dict[str, object] = {"rows": rows, "python": platform.python_version(),
                              "load_average": [round(x, 1) for x in os.getloadavg()],
                              "path": "RecordStore.create" if via_store else "bulk"}
    if via_store:
        original = writer.apply_plan
        importer_pkg.apply_plan = lambda s, p, items: original(s, p, items, bulk=False)  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        ent_file, lead_file = tmpdir / "enterprises.xlsx", tmpdir / "leads.xlsx"
        out["enterprise_list_enterprises"] = enterprise_list(ent_file, rows)
        lead_ledger(lead_file, rows)
        # The same lists a month later: every enterprise's 备注 / every project's funds changed.
        changed = {"enterprises": tmpdir / "enterprises2.xlsx", "leads": tmpdir / "leads2.xlsx"}
        enterprise_list(changed["enterprises"], rows, note="第二版")
        lead_ledger(changed["leads"], rows, funds=500)
        db = open_database(tmpdir / "profile" / "fielddesk.sqlite3")
        store = RecordStore(db.conn, user="bench")
        for label, kind, path in (("enterprises", "enterprises", ent_file), ("leads", "leads", lead_file)):
            secs, result = _timed(run_import, store, kind, path, today="2025-09-30")
            out[f"{label}_first_import_s"] = secs
            out[f"{label}_first_created"] = result.summary()["created"]
            secs, result = _timed(run_import, store, kind, path, today="2025-09-30")
            out[f"{label}_reimport_unchanged_s"] = secs
            out[f"{label}_reimport_unchanged"] = result.summary()["unchanged"]
            secs, _ = _timed(run_import, store, kind, path, dry_run=True, today="2025-09-30")
            out[f"{label}_dry_run_s"] = secs
            secs, result = _timed(run_import, store, kind, changed[kind], today="2025-09-30")
            out[f"{label}_reimport_changed_s"] = secs
            out[f"{label}_reimport_changed_updated"] = result.summary()["updated"]
        for kind in ("enterprises", "leads"):
            for fmt in ("xlsx", "csv"):
                secs, table = _timed(TABLES[kind], db.conn)
                out[f"export_{kind}_query_s"] = secs
                secs, _ = _timed(write_table, table, tmpdir / f"out.{fmt}", fmt)
                out[f"export_{kind}_{fmt}_write_s"] = secs
                out[f"export_{kind}_rows"] = len(table.rows)
        out["outbox_rows"] = db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        db.conn.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--via-store", action="store_true",
                        help="create through RecordStore.create one by one, for comparison")
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.via_store), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
