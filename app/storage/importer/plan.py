"""What an import will do: per-row actions, warnings, errors, and the summary counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.domain.errors import ImportRowError

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
_RANK = {CREATE: 2, UPDATE: 1, UNCHANGED: 0}


@dataclass
class Action:
    """One record the import creates, updates or leaves as it is.

    `fields` holds every cleaned field for a create, only the changed ones for an update.
    """

    type: str
    action: str
    id: str
    label: str
    fields: dict[str, Any] = field(default_factory=dict)
    row: int = 0
    existing: dict[str, Any] | None = None  # the stored record an update starts from

    def merge(self, more: dict[str, Any]) -> None:
        """Another row of the same record adds fields (groups: one row per contact)."""
        for k, v in more.items():
            self.fields.setdefault(k, v)
        if self.action == UNCHANGED and self.fields:
            self.action = UPDATE

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "action": self.action, "id": self.id, "label": self.label}


@dataclass
class RowPlan:
    """What one spreadsheet row does."""

    row: int
    actions: list[Action] = field(default_factory=list)
    warnings: list[ImportRowError] = field(default_factory=list)
    duplicate_of: int | None = None  # an identical earlier row: skipped

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "actions": [a.to_dict() for a in self.actions],
            "warnings": [w.to_dict() for w in self.warnings],
            "duplicate_of": self.duplicate_of,
        }


@dataclass
class ImportPlan:
    """Everything an import decided before writing; `errors` empty means it may be applied."""

    kind: str
    sheet: str
    header_row: int
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)
    file_warnings: list[ImportRowError] = field(default_factory=list)
    # Every distinct record touched, in write order (parents before children).
    actions: list[Action] = field(default_factory=list)

    def add(self, action: Action) -> Action:
        self.actions.append(action)
        return action

    @property
    def warnings(self) -> list[ImportRowError]:
        out = list(self.file_warnings)
        for r in self.rows:
            out += r.warnings
        return out

    def counts(self) -> dict[str, dict[str, int]]:
        """{"created": {type: n}, "updated": {...}, "unchanged": {...}}, each record once."""
        best: dict[tuple[str, str], str] = {}
        for a in self.actions:
            key = (a.type, a.id)
            if key not in best or _RANK[a.action] > _RANK[best[key]]:
                best[key] = a.action
        out: dict[str, dict[str, int]] = {"created": {}, "updated": {}, "unchanged": {}}
        names = {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged"}
        for (type_name, _), action in best.items():
            bucket = out[names[action]]
            bucket[type_name] = bucket.get(type_name, 0) + 1
        return out

    def summary(self, *, dry_run: bool, include_rows: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "dry_run": dry_run,
            "rows_read": len(self.rows),
            "duplicates_skipped": [r.row for r in self.rows if r.duplicate_of is not None],
            **self.counts(),
            "warnings": [w.to_dict() for w in self.warnings],
            "ignored_columns": self.ignored_columns,
        }
        if include_rows:
            data["rows"] = [r.to_dict() for r in self.rows]
        return data
