"""Turning records into CLI output: wire-form JSON and readable Chinese text."""

from __future__ import annotations

from typing import Any

from app.domain.messages import enum_label, field_label, format_wan, type_label
from app.domain.records import spec_for
from app.storage.lead_stages import REACHED_COLUMNS

# Columns kept for queries only; not part of a record's public form.
_PRIVATE = {"name_key", *REACHED_COLUMNS}


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in _PRIVATE}


def value_text(type_name: str, name: str, value: Any) -> str:
    spec = spec_for(type_name)
    if value is None or value == []:
        return ""
    if spec.has_field(name):
        f = spec.field(name)
        if f.kind == "enum" and f.enum is not None:
            return enum_label(f.enum(value))
        if f.kind == "bool":
            return "是" if value else "否"
        if f.kind == "money":
            return format_wan(value)
        if f.is_multi:
            return "、".join(str(v) for v in value)
    if name == "stage" and value:
        from app.domain.enums import Stage

        return enum_label(Stage(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def record_lines(record: dict[str, Any]) -> list[str]:
    """A record as `标签：值` lines, empty fields left out."""
    t = record["type"]
    spec = spec_for(t)
    lines = [f"{type_label(t)}  {record['id']}" + ("（已删除）" if record.get("deleted") else "")]
    names = list(spec.field_names)
    if t == "lead":
        names.insert(1, "stage")
    for name in names:
        text = value_text(t, name, record.get(name))
        if text:
            label = "当前阶段" if name == "stage" else field_label(name, t)
            lines.append(f"  {label}：{text}")
    lines.append(f"  更新：{record['updated_at']}（{record['updated_by']}）")
    return lines


def list_lines(type_name: str, records: list[dict[str, Any]], total: int) -> list[str]:
    spec = spec_for(type_name)
    title = spec.title_field
    lines = []
    for r in records:
        extra = ""
        if type_name == "lead" and r.get("stage"):
            extra = f"  [{value_text('lead', 'stage', r['stage'])}]"
        if type_name == "visit":
            extra = f"  [{value_text('visit', 'status', r.get('status'))}]"
        lines.append(f"{r['id']}  {value_text(type_name, title, r.get(title))}{extra}")
    lines.append(f"共 {total} 条" + (f"，显示 {len(records)} 条" if total > len(records) else ""))
    return lines
