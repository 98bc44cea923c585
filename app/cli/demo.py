"""`fielddesk demo-data --size N [--seed S]`: fill a demo profile with reproducible data."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from app.cli.context import Context
from app.domain.errors import ValidationError
from app.domain.messages import type_label
from app.storage.demo import MAX_SIZE, generate


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "demo-data", parents=[common],
        help="生成演示数据（写入空的或演示用的数据目录；演示档案不会同步）",
    )
    p.add_argument("--size", type=int, required=True, metavar="N",
                   help=f"企业数量（1–{MAX_SIZE:,}），联系人、纪要、项目等按固定比例生成")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子（相同种子生成相同数据）")
    p.set_defaults(handler=_demo_data)


def _demo_data(ctx: Context) -> int:
    size, seed = ctx.args.size, ctx.args.seed
    # Checked before the profile is opened, so bad input writes nothing at all.
    if not 1 <= size <= MAX_SIZE:
        raise ValidationError("size_range", "size", min=1, max=MAX_SIZE)
    if not 0 <= seed < 2**63:
        raise ValidationError("size_range", "seed", min=0, max=2**63 - 1)
    started = time.perf_counter()
    counts = generate(ctx.conn, size=size, seed=seed, progress=_progress_printer())
    seconds = round(time.perf_counter() - started, 1)
    total = sum(counts.values())
    lines = [f"已生成演示数据（规模 {size}，种子 {seed}），共 {total:,} 条，用时 {seconds} 秒："]
    lines += [f"  {type_label(t)}：{n:,}" for t, n in counts.items()]
    lines.append(f"数据目录：{ctx.data_dir}（演示档案，不会同步）")
    ctx.emit({"data": counts, "count": total, "size": size, "seed": seed, "seconds": seconds},
             lines)
    return 0


def _progress_printer() -> Any:
    """A progress line on an interactive terminal; silent when output is piped."""
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent != last[0]:
            last[0] = percent
            sys.stderr.write(f"\r正在生成演示数据…… {percent}%")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show
