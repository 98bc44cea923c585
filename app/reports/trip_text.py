"""Facts of one trip and the proposed 存在问题 / 下步打算 text (pure: no SQL, no files)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from app.domain.enums import Intent, Stage, VisitStatus
from app.domain.figures import HOME_ZONE
from app.domain.messages import (
    PROBLEM_KEYWORDS,
    ZONE_LABELS,
    enum_label,
    format_date_cn,
    report_text,
)
from app.storage.report_data import TripData

_INTENT_ORDER = [Intent.NONE.value, Intent.INITIAL.value, Intent.INTERESTED.value, Intent.STRONG.value]
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")


@dataclass
class TripFacts:
    """What 一、基本情况 and 二、主要成效 say about a trip."""

    days: int
    enterprises_visited: int
    meetings: int
    new_leads: list[dict[str, Any]] = field(default_factory=list)
    new_investment_wan: int = 0
    intents: dict[str, int] = field(default_factory=dict)  # enterprises by strongest intent
    moves: list[tuple[dict[str, Any], str | None, str, str]] = field(default_factory=list)


def _shanghai_date(utc_iso: str) -> str:
    """The Beijing calendar date of a UTC timestamp (record meta fields are UTC)."""
    try:
        moment = dt.datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    except ValueError:
        return utc_iso[:10]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment + dt.timedelta(hours=8)).date().isoformat()


def trip_facts(data: TripData) -> TripFacts:
    trip = data.trip
    start, end = trip["start_date"], trip["end_date"]
    days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
    done = {v["enterprise_id"] for v in data.visits if v["status"] == VisitStatus.DONE.value}
    facts = TripFacts(days=days, enterprises_visited=len(done), meetings=len(data.notes))

    by_lead: dict[str, list[dict[str, Any]]] = {}
    for c in data.changes:  # already ordered by (date, created_at, id)
        by_lead.setdefault(c["lead_id"], []).append(c)
    for lead in data.leads:
        changes = by_lead.get(lead["id"], [])
        first = changes[0]["date"] if changes else _shanghai_date(lead["created_at"])
        if start <= first <= end:
            facts.new_leads.append(lead)
            facts.new_investment_wan += lead["investment_wan"] or 0
        previous: str | None = None
        for c in changes:
            if start <= c["date"] <= end and previous is not None and previous != c["stage"]:
                facts.moves.append((lead, previous, c["stage"], c["date"]))
            previous = c["stage"]

    strongest: dict[str, str] = {}
    for note in data.notes:
        key = note["enterprise_name"] or note["id"]
        intent = note["intent"] or Intent.NONE.value
        if key not in strongest or _INTENT_ORDER.index(intent) > _INTENT_ORDER.index(strongest[key]):
            strongest[key] = intent
    facts.intents = {i: 0 for i in _INTENT_ORDER}
    for intent in strongest.values():
        facts.intents[intent] += 1
    return facts


def _numbered(items: list[str]) -> str:
    return "\n".join(report_text("item_line", n=i, text=t) for i, t in enumerate(items, 1))


def propose_problems(data: TripData) -> str:
    """存在问题 proposed from cancelled visits, notes without intent and problem sentences."""
    items: list[str] = []
    for v in data.visits:
        if v["status"] in (VisitStatus.CANCELLED.value, VisitStatus.POSTPONED.value):
            items.append(report_text("propose_cancelled", enterprise=v["enterprise_name"] or "",
                                     status=enum_label(VisitStatus(v["status"]))))
    seen: set[str] = set()
    for note in data.notes:
        name = note["enterprise_name"] or ""
        if note["intent"] == Intent.NONE.value and name not in seen:
            seen.add(name)
            items.append(report_text("propose_no_intent", enterprise=name))
    texts = [(n["enterprise_name"] or "", n["content"] or "") for n in data.notes]
    texts += [(v["enterprise_name"] or "", v["outcome"] or "") for v in data.visits]
    for name, text in texts:
        for sentence in _SENTENCE.findall(text):
            sentence = sentence.strip()
            if sentence and any(k in sentence for k in PROBLEM_KEYWORDS):
                line = report_text("propose_note_issue", enterprise=name, sentence=sentence)
                if line not in items:
                    items.append(line)
    return _numbered(items) if items else report_text("propose_no_problems")


def propose_next_steps(data: TripData) -> str:
    """下步打算 proposed from open follow-ups, then enterprises that showed strong intent."""
    items = []
    for f in data.follow_ups:
        if f["done"]:
            continue
        items.append(report_text(
            "propose_follow_up", content=f["content"],
            owner=f["owner"] or report_text("owner_unknown"),
            due=format_date_cn(f["due_date"]) if f["due_date"] else report_text("due_unknown"),
        ))
    followed = {f["lead_name"] for f in data.follow_ups if not f["done"]}
    for note in data.notes:
        name = note["enterprise_name"] or ""
        line = report_text("propose_follow_strong", enterprise=name)
        if note["intent"] == Intent.STRONG.value and line not in items and name not in followed:
            items.append(line)
    return _numbered(items) if items else report_text("propose_no_next")


def propose_sections(data: TripData) -> dict[str, str]:
    """The trip's `problems` and `next_steps`: as saved, else proposed (the caller may save)."""
    return {
        "problems": data.trip.get("problems") or propose_problems(data),
        "next_steps": data.trip.get("next_steps") or propose_next_steps(data),
    }


def local_time(scheduled_at: str, time_zone: str | None) -> str:
    """"09:30", or abroad "09:30（东京时间）" / "09:30（Europe/Vienna）"."""
    time = scheduled_at[11:16]
    if not time_zone or time_zone == HOME_ZONE:
        return time
    return report_text("time_zone_label", time=time, zone=ZONE_LABELS.get(time_zone, time_zone))


def stage_label(code: str | None) -> str:
    return enum_label(Stage(code)) if code else ""
