"""`fielddesk TYPE add|update|list|show|delete|restore`, `lead stage` and `lists`."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import Context
from app.cli.output import list_lines, public, record_lines
from app.domain.enums import ListKind
from app.domain.errors import ValidationError
from app.domain.messages import enum_label
from app.domain.records import RecordSpec, spec_for
from app.storage import lists

# CLI type names → record types (DESIGN.md: enterprise contact trip visit note lead followup).
CLI_TYPES = {
    "enterprise": "enterprise",
    "contact": "contact",
    "trip": "trip",
    "visit": "visit",
    "note": "meeting_note",
    "lead": "lead",
    "followup": "follow_up",
}
ALIASES = {"meeting_note": "note", "follow_up": "followup", "meeting-note": "note", "follow-up": "followup"}


def _dest(field_name: str) -> str:
    return f"f_{field_name}"


def add_field_options(parser: argparse.ArgumentParser, spec: RecordSpec) -> None:
    """One option per wire field: --industry-chain VALUE, --tag V (repeatable), --is-key [是/否]."""
    for f in spec.fields:
        if f.system:
            continue
        opts: dict[str, Any] = {"dest": _dest(f.name), "default": None}
        if f.is_multi:
            opts["action"] = "append"
            opts["metavar"] = "值"
        elif f.kind == "bool":
            opts.update(nargs="?", const="是", metavar="是/否")
        else:
            opts["metavar"] = "值"
        names = [f.cli_option]
        if f.singular and f"--{f.name.replace('_', '-')}" != f.cli_option:
            names.append(f"--{f.name.replace('_', '-')}")
        parser.add_argument(*names, **opts)


def collect_fields(args: argparse.Namespace, spec: RecordSpec) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for f in spec.fields:
        value = getattr(args, _dest(f.name), None)
        if value is not None:
            fields[f.name] = value
    return fields


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    for cli_name, type_name in CLI_TYPES.items():
        spec = spec_for(type_name)
        aliases = [a for a, target in ALIASES.items() if target == cli_name]
        p = sub.add_parser(cli_name, aliases=aliases, parents=[common], help=f"{_label(type_name)}记录")
        actions = p.add_subparsers(dest="action", parser_class=type(p), metavar="操作")

        a = actions.add_parser("add", parents=[common], help="新增")
        add_field_options(a, spec)
        if type_name == "enterprise":
            a.add_argument("--accept-invalid-uscc", action="store_true", help="确认保留校验位错误的代码")
        a.set_defaults(handler=_add, type_name=type_name)

        u = actions.add_parser("update", parents=[common], help="修改")
        u.add_argument("id")
        add_field_options(u, spec)
        u.add_argument("--clear", action="append", default=[], metavar="字段", help="清空字段")
        if type_name == "enterprise":
            u.add_argument("--accept-invalid-uscc", action="store_true")
        u.set_defaults(handler=_update, type_name=type_name)

        ls = actions.add_parser("list", parents=[common], help="列表")
        add_field_options(ls, spec)
        ls.add_argument("--limit", type=int, default=50)
        ls.add_argument("--offset", type=int, default=0)
        ls.add_argument("--deleted", action="store_true", help="列出回收站中的记录")
        if type_name == "lead":
            ls.add_argument("--stage", dest="stage_filter", default=None)
        ls.set_defaults(handler=_list, type_name=type_name)

        for action, handler, helptext in (
            ("show", _show, "查看"),
            ("delete", _delete, "删除（移入回收站）"),
            ("restore", _restore, "从回收站恢复"),
        ):
            x = actions.add_parser(action, parents=[common], help=helptext)
            x.add_argument("id")
            if action == "delete":
                x.add_argument("--cascade", action="store_true", help="连同下属记录一起删除")
            x.set_defaults(handler=handler, type_name=type_name)

        if type_name == "lead":
            st = actions.add_parser("stage", parents=[common], help="记录阶段变更")
            st.add_argument("id")
            st.add_argument("--to", required=True, metavar="阶段")
            st.add_argument("--on", required=True, metavar="日期")
            st.add_argument("--note", default=None)
            st.add_argument("--who", default=None)
            st.set_defaults(handler=_stage)

    lp = sub.add_parser("lists", parents=[common], help="字典（产业链、区域、标签、来源、责任单位）")
    la = lp.add_subparsers(dest="action", parser_class=type(lp), metavar="操作")
    show = la.add_parser("show", parents=[common], help="查看")
    show.add_argument("kind", nargs="?")
    show.set_defaults(handler=_lists_show)
    add = la.add_parser("add", parents=[common], help="添加字典项")
    add.add_argument("kind")
    add.add_argument("value")
    add.set_defaults(handler=_lists_add)


def _label(type_name: str) -> str:
    from app.domain.messages import type_label

    return type_label(type_name)


def _add(ctx: Context) -> int:
    spec = spec_for(ctx.args.type_name)
    fields = collect_fields(ctx.args, spec)
    record = ctx.store.create(
        spec.type, fields, accept_invalid_uscc=getattr(ctx.args, "accept_invalid_uscc", False)
    )
    ctx.emit(public(record), ["已保存", *record_lines(record)])
    return 0


def _update(ctx: Context) -> int:
    spec = spec_for(ctx.args.type_name)
    fields = collect_fields(ctx.args, spec)
    for name in ctx.args.clear:
        name = name.replace("-", "_")
        if not spec.has_field(name) or spec.field(name).system:
            raise ValidationError("unknown_field", name, record_type=spec.type)
        if name in fields:
            raise ValidationError("usage", name, detail=f"不能同时设置和清空 {name}")
        fields[name] = [] if spec.field(name).is_multi else None
    if not fields:
        raise ValidationError("usage", None, detail="没有要修改的字段")
    record = ctx.store.update(
        spec.type, ctx.args.id, fields,
        accept_invalid_uscc=getattr(ctx.args, "accept_invalid_uscc", False),
    )
    ctx.emit(public(record), ["已保存", *record_lines(record)])
    return 0


def _list(ctx: Context) -> int:
    spec = spec_for(ctx.args.type_name)
    filters = collect_fields(ctx.args, spec)
    if spec.type == "lead" and ctx.args.stage_filter:
        from app.domain.enums import Stage
        from app.domain.records import parse_enum

        filters["stage"] = parse_enum(Stage, ctx.args.stage_filter, "stage")
    filters = _clean_filters(spec, filters)
    if ctx.args.limit < 0 or ctx.args.offset < 0:
        raise ValidationError("size_range", "limit", min=0, max="∞")
    records = ctx.store.list(
        spec.type, filters, limit=ctx.args.limit, offset=ctx.args.offset, deleted=ctx.args.deleted
    )
    total = ctx.store.count(spec.type, filters, deleted=ctx.args.deleted)
    ctx.emit({"data": [public(r) for r in records], "count": total},
             list_lines(spec.type, records, total))
    return 0


def _clean_filters(spec: RecordSpec, filters: dict[str, Any]) -> dict[str, Any]:
    """Filter values parsed like field values (labels → codes, dates normalised)."""
    from app.domain.records import _clean_value

    out: dict[str, Any] = {}
    for name, value in filters.items():
        if name == "stage":
            out[name] = value
            continue
        f = spec.field(name)
        out[name] = _clean_value(f, value, allow_money_fraction=False)
    return out


def _show(ctx: Context) -> int:
    record = ctx.store.get(ctx.args.type_name, ctx.args.id)
    ctx.emit(public(record), record_lines(record))
    return 0


def _delete(ctx: Context) -> int:
    done = ctx.store.delete(ctx.args.type_name, ctx.args.id, cascade=ctx.args.cascade)
    ctx.emit(
        {"deleted": [{"type": t, "id": i} for t, i in done]},
        [f"已移入回收站：{len(done)} 条记录"] + [f"  {_label(t)} {i}" for t, i in done],
    )
    return 0


def _restore(ctx: Context) -> int:
    record = ctx.store.restore(ctx.args.type_name, ctx.args.id)
    ctx.emit(public(record), ["已恢复", *record_lines(record)])
    return 0


def _stage(ctx: Context) -> int:
    fields: dict[str, Any] = {"lead_id": ctx.args.id, "stage": ctx.args.to, "date": ctx.args.on}
    if ctx.args.note:
        fields["note"] = ctx.args.note
    fields["who"] = ctx.args.who or ctx.user
    lead = ctx.store.get("lead", ctx.args.id)
    if lead["deleted"]:
        raise ValidationError("ref_deleted", "lead_id", record_type="lead_stage_change")
    change = ctx.store.create("lead_stage_change", fields)
    lead = ctx.store.get("lead", ctx.args.id)
    ctx.emit(
        {"change": public(change), "lead": public(lead)},
        [f"已记录：{lead['name']} → {_stage_label(change['stage'])}（{change['date']}）",
         f"当前阶段：{_stage_label(lead['stage'])}"],
    )
    return 0


def _stage_label(code: str | None) -> str:
    from app.domain.enums import Stage

    return enum_label(Stage(code)) if code else ""


def _parse_kind(text: str) -> ListKind:
    from app.domain.records import parse_enum

    return ListKind(parse_enum(ListKind, text, "kind"))


def _lists_show(ctx: Context) -> int:
    kinds = [_parse_kind(ctx.args.kind)] if ctx.args.kind else list(ListKind)
    data = {k.value: lists.values(ctx.conn, k) for k in kinds}
    lines = [f"{enum_label(k)}：{'、'.join(data[k.value])}" for k in kinds]
    ctx.emit(data, lines)
    return 0


def _lists_add(ctx: Context) -> int:
    kind = _parse_kind(ctx.args.kind)
    record = ctx.store.create("list_item", {"kind": kind.value, "value": ctx.args.value})
    ctx.emit(public(record), f"已添加到{enum_label(kind)}：{record['value']}")
    return 0
