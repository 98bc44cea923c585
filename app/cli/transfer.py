"""`fielddesk import enterprises|leads FILE` and `fielddesk export enterprises|leads`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.context import Context
from app.domain.enums import Stage
from app.domain.errors import ValidationError
from app.domain.messages import IMPORT_TEXT, type_label
from app.domain.records import parse_enum
from app.reports.export import FORMATS, write_table
from app.storage.importer import KINDS, ImportResult, run_import
from app.storage.importer.export_rows import TABLES

_TYPES_SHOWN = ("enterprise", "contact", "lead", "lead_stage_change", "list_item")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common], help="从 Excel/CSV 导入企业名单或项目台账")
    p.add_argument("kind", choices=KINDS, metavar="enterprises|leads")
    p.add_argument("file", type=Path, metavar="文件")
    p.add_argument("--sheet", default=None, metavar="工作表", help="工作表名称（默认第一个）")
    p.add_argument("--dry-run", action="store_true", help="只显示每行将做什么，不写入")
    p.add_argument("--extend-lists", action="store_true", help="把字典中没有的值加入字典")
    p.set_defaults(handler=_import)

    e = sub.add_parser("export", parents=[common], help="导出企业名单或项目台账")
    e.add_argument("kind", choices=KINDS, metavar="enterprises|leads")
    e.add_argument("--format", choices=FORMATS, default=None, help="xlsx 或 csv（默认取输出文件扩展名）")
    e.add_argument("--out", type=Path, required=True, metavar="文件")
    e.add_argument("--industry-chain", default=None, metavar="值")
    e.add_argument("--region", default=None, metavar="值", help="仅企业名单")
    e.add_argument("--tag", default=None, metavar="值", help="仅企业名单")
    e.add_argument("--stage", default=None, metavar="值", help="仅项目台账")
    e.add_argument("--unit", default=None, metavar="值", help="仅项目台账")
    e.add_argument("--source", default=None, metavar="值", help="仅项目台账")
    e.set_defaults(handler=_export)


def _import(ctx: Context) -> int:
    a = ctx.args
    result = run_import(
        ctx.store, a.kind, a.file, sheet=a.sheet, dry_run=a.dry_run, extend_lists=a.extend_lists
    )
    summary = result.summary(include_rows=a.dry_run)
    if not ctx.json:
        for w in summary["warnings"]:
            if not a.dry_run:
                ctx.warn(_warning_text(w))
    ctx.emit(summary, _text(result, summary, dry_run=a.dry_run))
    return 0


def _warning_text(w: dict[str, Any]) -> str:
    column = f"「{w['column']}」" if w["column"] else ""
    return IMPORT_TEXT["warning"].format(row=w["row"], column=column, message=w["message"])


def _text(result: ImportResult, summary: dict[str, Any], *, dry_run: bool) -> list[str]:
    lines: list[str] = []
    if dry_run:
        for row in result.plan.rows:
            if row.duplicate_of is not None:
                lines.append(IMPORT_TEXT["row_duplicate"].format(row=row.row, other=row.duplicate_of))
                continue
            parts = [
                IMPORT_TEXT["action"].format(
                    action=IMPORT_TEXT[a.action], type_label=type_label(a.type), label=a.label
                )
                for a in row.actions
            ]
            text = "；".join(parts) if parts else IMPORT_TEXT["row_empty"].format(row=row.row)
            lines.append(IMPORT_TEXT["row"].format(row=row.row, actions=text) if parts else text)
            lines += ["  " + _warning_text(w.to_dict()) for w in row.warnings]
        lines += [_warning_text(w.to_dict()) for w in result.plan.file_warnings]
    counts = []
    for t in _TYPES_SHOWN:
        n = {k: summary[k].get(t, 0) for k in ("created", "updated", "unchanged")}
        if any(n.values()):
            counts.append(IMPORT_TEXT["counts"].format(type_label=type_label(t), **n))
    verb = IMPORT_TEXT["summary_dry" if dry_run else "summary_done"]
    lines.append(IMPORT_TEXT["summary"].format(
        verb=verb, counts="；".join(counts) if counts else IMPORT_TEXT["nothing"]))
    if summary["lists_added"]:
        items = "、".join(f"{i['value']}" for i in summary["lists_added"])
        lines.append(IMPORT_TEXT["lists_added"].format(items=items))
    if summary["ignored_columns"]:
        lines.append(IMPORT_TEXT["ignored_columns"].format(
            columns="、".join(summary["ignored_columns"])))
    return lines


def _export(ctx: Context) -> int:
    a = ctx.args
    fmt = a.format or a.out.suffix.lower().lstrip(".")
    if fmt not in FORMATS or (a.out.suffix and a.out.suffix.lower().lstrip(".") != fmt):
        raise ValidationError("out_format", "out", allowed="、".join(f".{f}" for f in FORMATS))
    filters: dict[str, Any] = {"industry_chain": a.industry_chain}
    if a.kind == "enterprises":
        filters.update(region=a.region, tag=a.tag)
    else:
        filters.update(unit=a.unit, source=a.source)
        if a.stage:
            filters["stage"] = parse_enum(Stage, a.stage, "stage")
    table = TABLES[a.kind](ctx.conn, filters)
    path = write_table(table, a.out, fmt)
    data = {"kind": a.kind, "format": fmt, "out": str(path), "count": len(table.rows)}
    ctx.emit(data, IMPORT_TEXT["exported"].format(count=len(table.rows), path=path))
    return 0
