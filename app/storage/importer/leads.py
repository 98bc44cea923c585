"""Planning a lead ledger (台账): leads matched on (enterprise, name), dated stage columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.enums import PIPELINE, Stage
from app.domain.errors import ValidationError
from app.domain.messages import enum_label
from app.domain.records import LEAD, LEAD_STAGE_CHANGE, new_id, validate_fields
from app.storage.importer.cells import ParsedRow, clean_one
from app.storage.importer.enterprises import EnterpriseResolver, _changed
from app.storage.importer.lookup import Existing
from app.storage.importer.plan import CREATE, UNCHANGED, UPDATE, Action, ImportPlan, RowPlan
from app.storage.records import name_key

# Order of stages that share a date: the pipeline, `terminated` last.
_ORDER = {s.value: i for i, s in enumerate((*PIPELINE, Stage.TERMINATED))}


@dataclass
class _LeadSlot:
    action: Action
    row: ParsedRow


def plan_lead_rows(
    rows: list[ParsedRow], existing: Existing, plan: ImportPlan, *, today: str, who: str
) -> None:
    """Plan a lead ledger (rows already cleaned and de-duplicated).

    An enterprise the ledger names but the database lacks is created (name and USCC only), so a
    ledger can be imported before the enterprise list; the summary counts it. An enterprise the
    database has is only matched, never changed, by a ledger.
    """
    who = clean_one(LEAD_STAGE_CHANGE, "who", who)
    existing.load_enterprises(
        {r.get("enterprise.uscc") for r in rows if r.get("enterprise.uscc")},
        {name_key(r.get("enterprise.name")) for r in rows if r.get("enterprise.name")},
    )
    resolver = EnterpriseResolver(existing, plan, update_existing=False)
    targets = {r.number: resolver.resolve(r) for r in rows}
    resolver.finish({r.number: r for r in rows})
    existing.load_children([t.id for t in resolver.targets if t.existing], contacts=False, leads=True)
    # A ledger without enterprise columns still matches its projects by name (see _plan_lead).
    orphans = {name_key(r.get("lead.name")) for r in rows
               if r.get("lead.name") and targets[r.number] is None and not r.fields("enterprise")}
    existing.load_leads_named(orphans)
    existing.load_stage_changes(
        [x["id"] for k in orphans for x in existing.leads_named(k) if x.get("enterprise_id")])
    seen: dict[tuple[str, str], _LeadSlot] = {}
    stage_actions: list[Action] = []
    lead_actions: list[Action] = []
    for row in rows:
        row_plan = RowPlan(row.number, warnings=row.warnings)
        plan.rows.append(row_plan)
        target = targets[row.number]
        if target is not None and target.action is not None:
            row_plan.actions.append(target.action)
        elif row.fields("enterprise"):
            continue  # the enterprise part already failed: its error is reported
        fields = row.fields("lead")
        if not fields.get("name"):
            row.error("lead.name", "required")
            continue
        enterprise_id = target.id if target is not None else None
        key = (enterprise_id or "", name_key(fields["name"]))
        if key in seen:
            _same_lead(row, seen[key].row)
            continue
        lead = _plan_lead(row, fields, enterprise_id, existing)
        if lead is None:
            continue
        seen[key] = _LeadSlot(lead, row)
        lead_actions.append(lead)
        row_plan.actions.append(lead)
        changes = _plan_stages(row, lead, existing, today=today, who=who)
        row_plan.actions += changes
        stage_actions += changes
    plan.actions += lead_actions + stage_actions


def _same_lead(row: ParsedRow, first: ParsedRow) -> None:
    """A second row of one project: identical rows were skipped already, so it disagrees."""
    for key in sorted(set(row.values) | set(first.values)):
        if key.startswith("enterprise."):
            continue
        if row.get(key) != first.get(key):
            row.error(key, "same_record_disagree", other=first.number, what="项目")
            return


def _plan_lead(
    row: ParsedRow, fields: dict[str, Any], enterprise_id: str | None, existing: Existing
) -> Action | None:
    nkey = name_key(fields["name"])
    found = next((x for x in existing.leads(enterprise_id) if name_key(x["name"]) == nkey), None)
    if found is None and enterprise_id is None:
        # The row names no enterprise: the one live project of that name, whatever its
        # enterprise; several of them are ambiguous.
        named = existing.leads_named(nkey)
        if len(named) > 1:
            row.error("lead.name", "lead_ambiguous", count=len(named))
            return None
        found = named[0] if named else None
    if found is not None:
        changed = _changed(found, fields, name_key)
        return Action("lead", UPDATE if changed else UNCHANGED, found["id"], found["name"],
                      changed, row.number, existing=found)
    data = dict(fields)
    if enterprise_id:
        data["enterprise_id"] = enterprise_id
    try:
        cleaned = validate_fields(LEAD, data)
    except ValidationError as e:
        row.error(f"lead.{e.field or 'name'}", e.code, **e.params)
        return None
    return Action("lead", CREATE, new_id(), fields["name"], cleaned, row.number)


def _latest(dated: dict[str, str]) -> str:
    return max(dated, key=lambda s: (dated[s], _ORDER[s]))


def _plan_stages(
    row: ParsedRow, lead: Action, existing: Existing, *, today: str, who: str
) -> list[Action]:
    """One stage change per dated column, matched on (lead, stage, date); 当前阶段 must agree."""
    dated = {k.split(".", 1)[1]: v for k, v in row.values.items() if k.startswith("date.")}
    current: str | None = row.get("stage")
    stored = existing.stage_changes(lead.id) if lead.action != CREATE else []
    have = {(c["stage"], c["date"]) for c in stored}
    if current:
        if current in dated:
            if dated[current] != max(dated.values()):
                row.error("stage", "stage_disagree", stage=enum_label(Stage(_latest(dated))))
                return []
        elif not (lead.existing and lead.existing.get("stage") == current):
            # Undated, it is taken as reached today: it must then be the latest stage, i.e. not
            # behind a dated one in the pipeline (a ledger may leave earlier dates blank).
            latest = _latest(dated) if dated else None
            if latest and (_ORDER[current] < _ORDER[latest] or dated[latest] > today):
                row.error("stage", "stage_disagree", stage=enum_label(Stage(latest)))
                return []
            dated[current] = today
            row.warn("stage", "stage_undated")
    out = []
    for stage in sorted(dated, key=lambda s: (dated[s], _ORDER[s])):
        day = dated[stage]
        if (stage, day) in have:
            continue
        # Stage and date were validated as cells, `who` once per import: no second pass here.
        fields = {"lead_id": lead.id, "stage": stage, "date": day, "who": who}
        out.append(Action("lead_stage_change", CREATE, new_id(),
                          f"{lead.label} {enum_label(Stage(stage))} {day}", fields, row.number))
    return out
