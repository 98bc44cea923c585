"""Planning an enterprise list: rows grouped per enterprise, matched by USCC or name; contacts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.domain.errors import ValidationError
from app.domain.records import CONTACT, ENTERPRISE, new_id, validate_fields
from app.domain.values import match_key
from app.storage.importer.cells import ParsedRow
from app.storage.importer.lookup import Existing
from app.storage.importer.plan import CREATE, UNCHANGED, UPDATE, Action, ImportPlan, RowPlan
from app.storage.records import name_key


@dataclass
class Target:
    """One enterprise the file talks about: new or existing, with the values its rows agree on."""

    id: str
    existing: dict[str, Any] | None
    first_row: int
    values: dict[str, tuple[Any, int, str]] = field(default_factory=dict)  # field → (value, row, key)
    action: Action | None = None


class EnterpriseResolver:
    """Finds the enterprise of each row (same USCC wins, else same normalised name) and makes
    sure all rows of one enterprise agree; shared by the enterprise list and the lead ledger."""

    def __init__(self, existing: Existing, plan: ImportPlan, *, update_existing: bool = True) -> None:
        self.existing = existing
        self.plan = plan
        # A lead ledger only finds (or creates) enterprises: its 企业名称 is often a short name,
        # which must not rename the enterprise a USCC matched.
        self.update_existing = update_existing
        self.targets: list[Target] = []
        self._by_uscc: dict[str, Target] = {}
        self._by_name: dict[str, Target] = {}
        self._by_id: dict[str, Target] = {}

    def resolve(self, row: ParsedRow) -> Target | None:
        """The row's enterprise (None when the row names none, or on a row error)."""
        values = row.fields("enterprise")
        code: str | None = values.get("uscc")
        name: str | None = values.get("name")
        if not code and not name:
            return None
        if row.uscc_problem:
            # Only the code of an enterprise stored with an accepted invalid code may come back.
            ex = self.existing.by_uscc.get(code or "")
            if not (ex and ex.get("uscc_override_by")):
                row.error("enterprise.uscc", row.uscc_problem, value=code)
                return None
        target = self._find(row, code, name)
        if target is None:
            return None
        self._register(target, code, name)
        for fname, value in values.items():
            key = "enterprise." + fname
            seen = target.values.get(fname)
            if seen is None:
                target.values[fname] = (value, row.number, key)
            elif seen[0] != value and not (fname == "name" and name_key(seen[0]) == name_key(value)):
                # Names that normalise alike agree (the first spelling is kept).
                row.error(key, "group_disagree", other=seen[1])
        return target

    def _find(self, row: ParsedRow, code: str | None, name: str | None) -> Target | None:
        nkey = name_key(name) if name else None
        if code and code in self._by_uscc:
            return self._by_uscc[code]
        if code and (ex := self.existing.by_uscc.get(code)) is not None:
            return self._target_for(ex, row)
        if nkey and nkey in self._by_name:
            target = self._by_name[nkey]
            other = target.values.get("uscc") or (None, 0, "")
            if code and other[0] and other[0] != code:
                row.error("enterprise.uscc", "uscc_row_conflict", other=other[1])
                return None
            if code and target.existing and target.existing.get("uscc") not in (None, code):
                row.error("enterprise.uscc", "name_uscc_mismatch", other=target.existing["uscc"])
                return None
            return target
        if nkey and (ex := self.existing.by_name.get(nkey)) is not None:
            if code and ex.get("uscc") and ex["uscc"] != code:
                row.error("enterprise.uscc", "name_uscc_mismatch", other=ex["uscc"])
                return None
            return self._target_for(ex, row)
        if not name:
            row.error("enterprise.name", "required")
            return None
        target = Target(new_id(), None, row.number)
        self.targets.append(target)
        return target

    def _target_for(self, ex: dict[str, Any], row: ParsedRow) -> Target:
        if ex["id"] not in self._by_id:
            target = Target(ex["id"], ex, row.number)
            self._by_id[ex["id"]] = target
            self.targets.append(target)
            self._register(target, ex.get("uscc"), ex.get("name"))
        return self._by_id[ex["id"]]

    def _register(self, target: Target, code: str | None, name: str | None) -> None:
        if code:
            self._by_uscc.setdefault(code, target)
        if name:
            self._by_name.setdefault(name_key(name), target)

    def finish(self, rows_by_number: dict[int, ParsedRow]) -> None:
        """Decide create/update/unchanged for each enterprise and add the actions to the plan."""
        for target in self.targets:
            fields = {k: v[0] for k, v in target.values.items()}
            first = rows_by_number.get(target.first_row)
            if target.existing is None:
                try:
                    cleaned = validate_fields(ENTERPRISE, fields)
                except ValidationError as e:
                    if first is not None:
                        first.error(f"enterprise.{e.field or 'name'}", e.code, **e.params)
                    continue
                action = Action("enterprise", CREATE, target.id, fields.get("name", ""), cleaned,
                                target.first_row)
            else:
                ex = target.existing
                changed = _changed(ex, fields, name_key) if self.update_existing else {}
                action = Action("enterprise", UPDATE if changed else UNCHANGED, target.id,
                                ex["name"], changed, target.first_row, existing=ex)
            target.action = self.plan.add(action)


@dataclass
class _ContactSlot:
    action: Action
    mobile: str | None
    name_key: str | None
    values: dict[str, tuple[Any, int]]


def plan_enterprise_rows(rows: list[ParsedRow], existing: Existing, plan: ImportPlan) -> None:
    """Plan an enterprise list (rows already cleaned and de-duplicated)."""
    existing.load_enterprises(
        {r.get("enterprise.uscc") for r in rows if r.get("enterprise.uscc")},
        {name_key(r.get("enterprise.name")) for r in rows if r.get("enterprise.name")},
    )
    resolver = EnterpriseResolver(existing, plan)
    targets = {r.number: resolver.resolve(r) for r in rows}
    resolver.finish({r.number: r for r in rows})
    existing.load_children([t.id for t in resolver.targets if t.existing], contacts=True, leads=False)
    slots: dict[str, list[_ContactSlot]] = {}
    for row in rows:
        target = targets[row.number]
        row_plan = RowPlan(row.number, warnings=row.warnings)
        plan.rows.append(row_plan)
        if target is None and not row.fields("enterprise"):
            # Contact details with no enterprise (an unmerged continuation row in a CSV).
            row.error("enterprise.name", "required")
        if target is None or target.action is None:
            continue
        row_plan.actions.append(target.action)
        contact = row.fields("contact")
        if contact:
            action = _plan_contact(row, target, contact, existing, slots.setdefault(target.id, []))
            if action is not None:
                row_plan.actions.append(action)
    plan.actions += [s.action for group in slots.values() for s in group]


def _plan_contact(
    row: ParsedRow,
    target: Target,
    fields: dict[str, Any],
    existing: Existing,
    slots: list[_ContactSlot],
) -> Action | None:
    """Contacts match on (enterprise, mobile), else (enterprise, name)."""
    mobile = fields.get("mobile")
    nkey = match_key(fields["name"]) if fields.get("name") else None
    for slot in slots:  # a contact an earlier row of this file already named
        if (mobile and slot.mobile == mobile) or (not mobile and nkey and slot.name_key == nkey):
            for k, v in fields.items():
                seen = slot.values.get(k)
                if seen is not None and seen[0] != v:
                    row.error(f"contact.{k}", "same_record_disagree", other=seen[1], what="联系人")
                    return None
                slot.values.setdefault(k, (v, row.number))
            slot.action.merge(_changes(slot.action, fields))
            return slot.action
    found = None
    for c in existing.contacts(target.id):
        if mobile and c.get("mobile") == mobile:
            found = c
            break
    if found is None and nkey:
        found = next((c for c in existing.contacts(target.id) if match_key(c["name"]) == nkey), None)
    if found is not None:
        changed = _changed(found, fields, match_key)
        action = Action("contact", UPDATE if changed else UNCHANGED, found["id"], found["name"],
                        changed, row.number, existing=found)
    else:
        if not fields.get("name"):
            row.error("contact.name", "required")
            return None
        try:
            cleaned = validate_fields(CONTACT, {"enterprise_id": target.id, **fields})
        except ValidationError as e:
            row.error(f"contact.{e.field}", e.code, **e.params)
            return None
        action = Action("contact", CREATE, new_id(), fields["name"], cleaned, row.number)
    slots.append(_ContactSlot(action, mobile, nkey, {k: (v, row.number) for k, v in fields.items()}))
    return action


def _changed(
    stored: dict[str, Any], fields: dict[str, Any], key: Callable[[str], str]
) -> dict[str, Any]:
    """Fields that differ from the stored record; a name spelled differently but matching
    (全角括号, spaces) is not a change, so re-importing does not churn names."""
    out = {k: v for k, v in fields.items() if stored.get(k) != v}
    if "name" in out and stored.get("name") and key(out["name"]) == key(stored["name"]):
        del out["name"]
    return out


def _changes(action: Action, fields: dict[str, Any]) -> dict[str, Any]:
    """Fields a later row adds to a contact already planned (only what differs from the store)."""
    if action.action == CREATE or action.existing is None:
        return fields
    return _changed(action.existing, fields, match_key)
