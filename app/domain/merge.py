"""Three-way merge of one record: base (last synced copy), mine (local), theirs (server).

Wall clocks never decide: a field changed on one side only takes that side; the same field
changed differently on both sides is a conflict the user resolves seeing both values. Sets
(tags, members, contacts met) merge element-wise. Delete vs edit is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from app.domain.records import RecordSpec

# Separator used when the user keeps both versions of a long text.
BOTH_SEPARATOR = "\n\n——（以下为另一版本）——\n"


@dataclass
class MergeResult:
    merged: dict[str, Any]
    conflicts: list[str] = field(default_factory=list)  # field names changed on both sides
    delete_conflict: bool = False  # one side deleted, the other edited
    deleted: bool = False

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.delete_conflict


def _changed(spec: RecordSpec, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> set[str]:
    if before is None:
        return {f.name for f in spec.fields if after.get(f.name) not in (None, [], False)}
    return {f.name for f in spec.fields if _norm(before.get(f.name)) != _norm(after.get(f.name))}


def _norm(value: Any) -> Any:
    if value in (None, "", [], False):
        return None
    return value


def _merge_set(base: list[Any], mine: list[Any], theirs: list[Any]) -> list[Any]:
    """Keep theirs' order, drop what I removed, append what I added."""
    removed = [x for x in base if x not in mine]
    added = [x for x in mine if x not in base]
    out = [x for x in theirs if x not in removed]
    out += [x for x in added if x not in out]
    return out


def merge(
    spec: RecordSpec,
    base: Mapping[str, Any] | None,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
) -> MergeResult:
    """Merge field by field; `deleted` keys in the mappings carry tombstones."""
    my_changes = _changed(spec, base, mine)
    their_changes = _changed(spec, base, theirs)
    base_deleted = bool(base and base.get("deleted"))
    mine_deleted, theirs_deleted = bool(mine.get("deleted")), bool(theirs.get("deleted"))
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for f in spec.fields:
        name = f.name
        b = base.get(name) if base else None
        m, t = mine.get(name), theirs.get(name)
        if _norm(m) == _norm(t) or name not in my_changes:
            merged[name] = t
        elif name not in their_changes:
            merged[name] = m
        elif f.is_multi:
            merged[name] = _merge_set(list(b or []), list(m or []), list(t or []))
        else:
            conflicts.append(name)
            merged[name] = m  # kept locally until the user decides
    result = MergeResult(merged, conflicts)
    i_deleted = mine_deleted and not base_deleted
    they_deleted = theirs_deleted and not base_deleted
    if i_deleted and they_deleted:
        result.deleted = True
    elif i_deleted:
        result.delete_conflict = bool(their_changes)
        result.deleted = True
    elif they_deleted:
        result.delete_conflict = bool(my_changes)
        result.deleted = not my_changes
    else:
        result.deleted = theirs_deleted and mine_deleted or (theirs_deleted and not my_changes)
    return result


def keep_both(spec: RecordSpec, name: str, mine: Any, theirs: Any) -> Any:
    """The 'keep both' resolution: long texts are joined, sets united, else mine wins."""
    f = spec.field(name)
    if f.kind == "longtext":
        parts = [p for p in (mine, theirs) if p]
        return BOTH_SEPARATOR.join(parts) if parts else None
    if f.is_multi:
        return list(dict.fromkeys([*(mine or []), *(theirs or [])]))
    return mine
