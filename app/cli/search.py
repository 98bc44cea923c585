"""`fielddesk search QUERY [--type TYPE]`."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import Context
from app.domain.errors import ValidationError
from app.domain.messages import type_label
from app.domain.records import spec_for
from app.storage import search

SEARCHABLE = ("enterprise", "contact", "meeting_note", "lead")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("search", parents=[common], help="搜索企业、联系人、纪要、项目（支持拼音）")
    p.add_argument("query")
    p.add_argument("--type", dest="type_filter", default=None, metavar="类型")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(handler=_search)


def _search(ctx: Context) -> int:
    type_name = None
    if ctx.args.type_filter:
        from app.cli.records import CLI_TYPES

        type_name = spec_for(CLI_TYPES.get(ctx.args.type_filter, ctx.args.type_filter)).type
        if type_name not in SEARCHABLE:
            raise ValidationError("enum", "type", value=ctx.args.type_filter,
                                  choices="、".join(SEARCHABLE))
    if not ctx.args.query.strip():
        raise ValidationError("required", "query")
    if not 1 <= ctx.args.limit <= 500:
        raise ValidationError("size_range", "limit", min=1, max=500)
    result = search.search(ctx.conn, ctx.args.query, type_name=type_name, limit=ctx.args.limit)
    data = [
        {"type": h.type, "id": h.id, "title": h.title, "snippet": h.snippet} for h in result.hits
    ]
    lines = [f"[{type_label(h.type)}] {h.title}  {h.id}\n    {h.snippet}" for h in result.hits]
    lines.append(f"共找到 {result.total} 条" + (f"，显示前 {len(data)} 条" if result.total > len(data) else ""))
    ctx.emit({"data": data, "count": result.total}, lines)
    return 0
