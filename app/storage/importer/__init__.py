"""Importing an enterprise list or a lead ledger (.xlsx/.xls/.csv): read, validate every row,
then write all of it in one transaction or nothing (DESIGN.md, Import rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.errors import ImportFailed, ImportRowError, ValidationError
from app.domain.messages import enum_label
from app.domain.records import LIST_ITEM, new_id, validate_fields
from app.domain.values import today as shanghai_today
from app.storage.importer.cells import ListIndex, ParsedRow, parse_row
from app.storage.importer.columns import COLUMNS, KEY_COLUMN, find_header
from app.storage.importer.enterprises import plan_enterprise_rows
from app.storage.importer.leads import plan_lead_rows
from app.storage.importer.lookup import Existing, list_values
from app.storage.importer.plan import CREATE, Action, ImportPlan, RowPlan
from app.storage.importer.reader import read_sheet
from app.storage.importer.writer import apply_plan
from app.storage.records import RecordStore

KINDS = tuple(COLUMNS)


@dataclass
class ImportResult:
    """A planned (dry run) or applied import."""

    plan: ImportPlan
    dry_run: bool
    list_items: list[Action] = field(default_factory=list)

    def summary(self, *, include_rows: bool = False) -> dict[str, Any]:
        data = self.plan.summary(dry_run=self.dry_run, include_rows=include_rows)
        if self.list_items:
            data["created"]["list_item"] = len(self.list_items)
        data["lists_added"] = [
            {"kind": a.fields["kind"], "value": a.fields["value"], "row": a.row}
            for a in self.list_items
        ]
        return data


def run_import(
    store: RecordStore,
    kind: str,
    path: Path | str,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    extend_lists: bool = False,
    today: str | None = None,
) -> ImportResult:
    """Import `path` as `kind` ("enterprises" or "leads").

    Raises ValidationError for an unreadable file or a missing header, ImportFailed with every
    bad row otherwise; in both cases nothing is written. With `dry_run` nothing is written either.
    """
    if kind not in KINDS:
        raise ValidationError("enum", "type", value=kind, choices="、".join(KINDS))
    data = read_sheet(Path(path), sheet)
    header = find_header(kind, data.rows)
    if header is None:
        key = KEY_COLUMN[kind]
        label = next(c.header for c in COLUMNS[kind] if c.key == key)
        raise ValidationError("header_missing", "file", column=label)
    if header.bad_units:
        raise ImportFailed([
            ImportRowError(header.row, m.text, "header_unit", value=m.unit) for m in header.bad_units
        ])
    plan = ImportPlan(kind, data.name, header.row, ignored_columns=header.ignored)
    for m in header.matches:
        if m.factor != 1:
            plan.file_warnings.append(ImportRowError(header.row, m.text, "yi_converted"))
    lists = ListIndex(list_values(store.conn), extend_lists)
    rows: list[ParsedRow] = []
    duplicates: list[RowPlan] = []
    first_seen: dict[str, int] = {}
    for number, cells in data.rows:
        if number <= header.row:
            continue
        row = parse_row(header, number, cells, lists)
        if row is None:
            continue
        signature = repr(sorted(row.values.items())) if not row.errors else f"#{number}"
        if signature in first_seen:
            other = first_seen[signature]
            duplicates.append(RowPlan(number, warnings=[
                ImportRowError(number, "", "duplicate_row", other=other)], duplicate_of=other))
            continue
        first_seen[signature] = number
        rows.append(row)
    existing = Existing(store.conn)
    if kind == "enterprises":
        plan_enterprise_rows(rows, existing, plan)
    else:
        plan_lead_rows(rows, existing, plan, today=today or shanghai_today(), who=store.user)
    plan.rows = sorted(plan.rows + duplicates, key=lambda r: r.row)
    errors = sorted((e for r in rows for e in r.errors), key=lambda e: e.row)
    if errors:
        raise ImportFailed(errors)
    result = ImportResult(plan, dry_run, _list_actions(lists))
    if not dry_run:
        apply_plan(store, plan, result.list_items)
    return result


def _list_actions(lists: ListIndex) -> list[Action]:
    out = []
    for kind, value, row in lists.added:
        cleaned = validate_fields(LIST_ITEM, {"kind": kind.value, "value": value})
        out.append(Action("list_item", CREATE, new_id(), f"{enum_label(kind)}：{value}", cleaned, row))
    return out


__all__ = ["ImportResult", "KINDS", "run_import"]
