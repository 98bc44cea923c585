"""Demo project leads (项目线索) with their dated stage changes, and follow-ups (跟进事项)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

from app.domain.enums import PIPELINE, ListKind, Stage
from app.domain.lists import SEED_LISTS
from app.storage.demo import names, phrases
from app.storage.demo.activity import Activity
from app.storage.demo.companies import CHAIN_WEIGHTS, Companies
from app.storage.demo.factory import BASE_DATE, WINDOW_DAYS, WINDOW_START, Factory
from app.storage.demo.writer import meta
from app.storage.records import name_key

LEADS_PER_ENTERPRISE = 0.5
FOLLOW_UPS_PER_ENTERPRISE = 0.3

# Where leads end up (current stage), in per cent; every stage is represented.
FINAL_STAGES: tuple[tuple[str, int], ...] = (
    ("clue", 28), ("negotiating", 26), ("signed", 14), ("registered", 8), ("started", 8),
    ("in_production", 7), ("terminated", 9),
)
# Days between entering a stage and the next one (low, high).
GAPS = {
    "negotiating": (15, 120), "signed": (20, 180), "registered": (15, 90),
    "started": (20, 150), "in_production": (90, 365), "terminated": (30, 240),
}
SOURCES: tuple[tuple[str, int], ...] = (
    ("小分队招商", 30), ("产业链招商", 20), ("以商招商", 12), ("驻地招商", 10), ("展会招商", 8),
    ("基金招商", 5), ("委托招商", 5), ("商协会招商", 5), ("平台招商", 3), ("其他", 2),
)
_ORDER = {s.value: i for i, s in enumerate(PIPELINE)}
_PATTERNS = tuple(p for p, weight in names.LEAD_PATTERNS for _ in range(weight))
_SERVICE_PATTERNS = tuple(p for p, weight in names.SERVICE_PATTERNS for _ in range(weight))


class Pipeline:
    """Leads (each with its path through the stages), their changes, then follow-ups."""

    def __init__(self, seed: int, size: int, companies: Companies, activity: Activity,
                 staff: list[str]) -> None:
        self.companies = companies
        self.activity = activity
        self.staff = staff
        self.lead_total = round(LEADS_PER_ENTERPRISE * size)
        self.follow_up_total = round(FOLLOW_UPS_PER_ENTERPRISE * size)
        self.lf = Factory(seed, "lead")
        self.sf = Factory(seed, "lead_stage_change")
        self.ff = Factory(seed, "follow_up")
        # (lead id, company index or -1, responsible, [(stage, date)])
        self._paths: list[tuple[str, int, str, list[tuple[str, dt.date]]]] = []

    @property
    def change_estimate(self) -> int:
        """Stage changes expected (for the progress total before they exist): ~2.5 per lead."""
        return round(self.lead_total * 2.5)

    def leads(self) -> Iterator[dict[str, Any]]:
        f = self.lf
        all_ = self.companies.all
        finals, stages_cum = names.weighted(FINAL_STAGES)
        sources = names.weighted(SOURCES)
        chains = names.weighted(CHAIN_WEIGHTS)
        units = SEED_LISTS[ListKind.UNIT]
        cum: list[float] = []
        total = 0.0
        for company in all_:
            total += company.weight
            cum.append(total)
        seen: set[tuple[int, str]] = set()
        for _ in range(self.lead_total):
            index = f.weighted_index(cum) if all_ and f.chance(0.95) else -1
            owner = all_[index] if index >= 0 else None
            chain = owner.chain if owner and f.chance(0.9) else f.pick_weighted(*chains)
            brand = owner.short[:2] if owner else f.pick(names.BRAND_CHARS) + f.pick(
                names.BRAND_CHARS)
            name = self._name(chain, brand)
            while (index, name) in seen:  # one enterprise never has two leads of one name
                name = self._name(chain, brand)
            seen.add((index, name))
            path = self._path(f.pick_weighted(finals, stages_cum))
            responsible = f.pick(self.staff)
            investment = _amount(f)
            reached = max((_ORDER.get(s, -1) for s, _ in path), default=-1)
            lid = f.uid()
            record: dict[str, Any] = {
                "id": lid, "name": name, "enterprise_id": owner.id if owner else None,
                "industry_chain": chain, "source": f.pick_weighted(*sources),
                "investment_wan": investment, "unit": f.pick(units), "responsible": responsible,
                "high_energy": chain in ("新材料", "循环经济", "新能源") and f.chance(0.08),
                "stage": path[-1][0], "stage_date": path[-1][1].isoformat(),
                "name_key": name_key(name),
            }
            if reached >= _ORDER["registered"]:
                share = (0.05, 0.2, 0.5)[min(reached - _ORDER["registered"], 2)]
                record["funds_arrived_wan"] = round(investment * (share + f.rng.random() * 0.4))
            if owner and owner.foreign:
                usd = round(investment / 7.1 * (0.5 + f.rng.random() * 0.5))
                record["foreign_contracted_wan_usd"] = usd
                if reached >= _ORDER["registered"]:
                    record["foreign_arrived_wan_usd"] = round(usd * (0.1 + f.rng.random() * 0.6))
            if f.chance(0.25):
                record["notes"] = f.pick(phrases.LEAD_NOTES)
            record.update(meta(f.stamp(path[0][1]), f.stamp(path[-1][1])))
            self._paths.append((lid, index, responsible, path))
            yield record

    def changes(self) -> Iterator[dict[str, Any]]:
        f = self.sf
        for lid, _, who, path in self._paths:
            for stage, day in path:
                yield {
                    "id": f.uid(), "lead_id": lid, "stage": stage, "date": day.isoformat(),
                    "who": who, "note": f.pick(phrases.STAGE_NOTES[stage]),
                    **meta(f.stamp(day)),
                }

    def follow_ups(self) -> Iterator[dict[str, Any]]:
        f = self.ff
        notes = self.activity.notes_by_company
        note_ids = self.activity.note_ids
        for _ in range(self.follow_up_total):
            lead_id = note_id = None
            roll = f.rng.random()
            if self._paths and (roll < 0.75 or not note_ids):
                lid, index, _, _ = self._paths[f.below(len(self._paths))]
                lead_id = lid
                if roll >= 0.55 and notes.get(index):  # the note the to-do came out of
                    note_id = f.pick(notes[index])
            elif note_ids:
                note_id = f.pick(note_ids)
            else:
                return
            due = f.day(BASE_DATE - dt.timedelta(days=300), 360)
            done = f.chance(0.75) if due < BASE_DATE else f.chance(0.1)
            created = max(WINDOW_START, due - dt.timedelta(days=f.between(7, 60)))
            yield {
                "id": f.uid(), "lead_id": lead_id, "meeting_note_id": note_id,
                "content": f.pick(phrases.FOLLOW_UPS), "owner": f.pick(self.staff),
                "due_date": due.isoformat(), "done": done,
                **meta(f.stamp(created), f.stamp(min(due, BASE_DATE)) if done else None),
            }

    # --- pieces -----------------------------------------------------------------------------

    def _name(self, chain: str, brand: str) -> str:
        f = self.lf
        product = f.pick(names.CHAIN_WORDS[chain][1])
        units = names.LEAD_UNITS.get(chain)
        pattern = f.pick(_PATTERNS if units else _SERVICE_PATTERNS)
        number = f.pick(("2", "3", "5", "8", "10", "12", "15", "20", "30", "50", "100"))
        return pattern.format(n=number, u=f.pick(units) if units else "", p=product, b=brand)

    def _path(self, final: str) -> list[tuple[str, dt.date]]:
        """The dated stages a lead went through to reach `final`, some stages skipped."""
        f = self.lf
        if final == Stage.TERMINATED.value:
            last = f.weighted_index((45, 85, 100))  # after 线索, 在谈 or 签约
            stages = [s.value for s in PIPELINE[: last + 1]] + [final]
        else:
            stages = [s.value for s in PIPELINE[: _ORDER[final] + 1]]
        # Ledgers often start a lead at 在谈, jump straight to 签约 at a signing event, or go
        # from 签约 to 开工 without a recorded 注册.
        if len(stages) > 1 and stages[1] != "terminated" and f.chance(0.15):
            stages.pop(0)
        for skippable, p in (("negotiating", 0.05), ("registered", 0.1)):
            # Only between two other stages and never just before 终止, so a path keeps its
            # first entry and a terminated lead was always somewhere first.
            if skippable in stages[1:-1] and stages[stages.index(skippable) + 1] != "terminated" \
                    and f.chance(p):
                stages.remove(skippable)
        gaps = [f.between(*GAPS[s]) for s in stages[1:]]
        span = sum(gaps)
        if span >= WINDOW_DAYS:
            gaps = [max(1, math.floor(g * (WINDOW_DAYS - 1) / span)) for g in gaps]
            span = sum(gaps)
        day = WINDOW_START + dt.timedelta(days=f.below(max(1, WINDOW_DAYS - span)))
        path = [(stages[0], day)]
        for stage, gap in zip(stages[1:], gaps, strict=True):
            day = day + dt.timedelta(days=gap)
            path.append((stage, day))
        return path


def _amount(f: Factory) -> int:
    """Planned investment in 万元: median ~3 亿元, a long tail of 10–100 亿元 projects."""
    value = f.rng.lognormvariate(math.log(30_000), 1.0)
    value = min(max(value, 500.0), 3_000_000.0)
    step = 100 if value < 10_000 else 1000
    return int(round(value / step) * step)
