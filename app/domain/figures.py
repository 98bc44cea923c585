"""Period-summary figures (DESIGN.md "Figures"): pure computation over plain rows, no SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from app.domain.enums import PIPELINE, Stage

HOME_ZONE = "Asia/Shanghai"
BIG_PROJECT_WAN = 10_000  # 亿元以上 = investment_wan ≥ 10,000

# The count objects of the summary, in the order reports print them.
COUNT_KEYS = (
    "leads_captured",
    "negotiating",
    "negotiating_100m",
    "signed",
    "signed_100m",
    "registered",
    "started",
    "in_production",
)
RATE_KEYS = ("performance_rate", "start_rate", "funds_arrival_rate")

# Pipeline position of each forward stage; `terminated` has none and reaches nothing.
_INDEX = {s.value: i for i, s in enumerate(PIPELINE)}
_CLUE, _NEG, _SIGNED, _REG, _STARTED, _PROD = range(6)
# Count key → pipeline index of the stage that must be reached in range.
_REACHED_IN_RANGE = (
    ("leads_captured", _CLUE),
    ("signed", _SIGNED),
    ("registered", _REG),
    ("started", _STARTED),
    ("in_production", _PROD),
)


class LeadFacts(NamedTuple):
    """The lead columns the figures need (money in 万元 / 万美元, None = not filled)."""

    id: str
    investment_wan: int | None = None
    funds_arrived_wan: int | None = None
    foreign_contracted_wan_usd: int | None = None
    foreign_arrived_wan_usd: int | None = None
    industry_chain: str | None = None
    unit: str | None = None


class StageChangeFacts(NamedTuple):
    """One lead_stage_change row; tombstoned ones (deleted) are ignored."""

    lead_id: str
    stage: str
    date: str
    created_at: str = ""
    id: str = ""
    deleted: bool = False


class VisitFacts(NamedTuple):
    """A visit's local date-time, its zone and status."""

    scheduled_at: str
    time_zone: str | None
    status: str


class TripFacts(NamedTuple):
    start_date: str
    end_date: str


def rate(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator, half-up to 4 decimals; None when the denominator is 0."""
    if not denominator:
        return None
    value = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return float(value)


def reached_dates(changes: Iterable[tuple[str, str]]) -> list[str | None]:
    """For one lead's live (stage, date) changes: the date each pipeline stage was reached.

    A stage is reached on the earliest date the lead entered it or any later forward stage,
    so a lead that skips 在谈 and is signed directly still reached 在谈 on its signing date.
    `terminated` reaches nothing and erases nothing.
    """
    earliest: list[str | None] = [None] * len(PIPELINE)
    for stage, day in changes:
        i = _INDEX.get(stage)
        if i is not None and (earliest[i] is None or day < earliest[i]):  # type: ignore[operator]
            earliest[i] = day
    best: str | None = None
    for i in range(len(PIPELINE) - 1, -1, -1):
        if earliest[i] is not None and (best is None or earliest[i] < best):  # type: ignore[operator]
            best = earliest[i]
        earliest[i] = best
    return earliest


def stage_on(changes: Iterable[tuple[str, str, str, str]], day: str) -> str | None:
    """A lead's stage on `day`: its latest live (stage, date, created_at, id) dated ≤ day."""
    best: tuple[str, str, str] | None = None
    stage_found: str | None = None
    for stage, date, created_at, cid in changes:
        if date <= day and (best is None or (date, created_at, cid) > best):
            best = (date, created_at, cid)
            stage_found = stage
    return stage_found


def home_date(scheduled_at: str, time_zone: str | None) -> str:
    """The Asia/Shanghai calendar date of a visit scheduled in local time abroad."""
    if not time_zone or time_zone == HOME_ZONE:
        return scheduled_at[:10]
    try:
        local = dt.datetime.fromisoformat(scheduled_at).replace(tzinfo=ZoneInfo(time_zone))
    except (ValueError, KeyError):
        return scheduled_at[:10]
    return local.astimezone(ZoneInfo(HOME_ZONE)).date().isoformat()


def summarize(
    leads: Iterable[LeadFacts | tuple[Any, ...]],
    changes: Iterable[StageChangeFacts | tuple[Any, ...]],
    visits: Iterable[VisitFacts | tuple[Any, ...]],
    trips: Iterable[TripFacts | tuple[Any, ...]],
    date_from: str,
    date_to: str,
) -> dict[str, Any]:
    """The period summary for [date_from, date_to] (ISO dates, both included), as JSON data.

    `leads` must be the live leads; changes of any other lead, and tombstoned changes, are
    ignored. Tuples in the NamedTuple field order are accepted (the loader passes raw rows).
    """
    # Per lead, one list: the earliest date per pipeline index, then the latest change dated
    # ≤ date_to as (date, created_at, id, stage). This loop runs once per stage change
    # (hundreds of thousands), so it does one dict lookup and builds nothing it can avoid.
    lead_rows = {row[0]: row for row in leads}
    n = len(PIPELINE)
    state: dict[Any, list[Any]] = {}
    state_get = state.get
    index_of = _INDEX.get
    empty: list[Any] = [None] * (n + 1)
    for lead_id, stage, day, created_at, cid, deleted in changes:
        if deleted:
            continue
        slots = state_get(lead_id)
        if slots is None:
            slots = state[lead_id] = empty.copy()
        i = index_of(stage)
        if i is not None:
            old = slots[i]
            if old is None or day < old:
                slots[i] = day
        if day <= date_to:
            prev = slots[n]
            if (prev is None or day > prev[0]
                    or (day == prev[0] and (created_at or "", cid or "") > (prev[1], prev[2]))):
                slots[n] = (day, created_at or "", cid or "", stage)

    # Counts per group as flat [count, wan, count, wan, …] lists in COUNT_KEYS order.
    width = 2 * len(COUNT_KEYS)
    totals = [0] * width
    chains: dict[str, list[int]] = {}
    units: dict[str, list[int]] = {}
    signed_by_to = registered_by_to = started_by_to = 0
    invest_signed = funds_signed = 0
    foreign_contracted = foreign_arrived = 0
    negotiating = Stage.NEGOTIATING.value
    big = BIG_PROJECT_WAN
    reached_keys = [(2 * COUNT_KEYS.index(key), i) for key, i in _REACHED_IN_RANGE]
    k_signed, k_signed_big = 2 * COUNT_KEYS.index("signed"), 2 * COUNT_KEYS.index("signed_100m")
    k_neg, k_neg_big = 2 * COUNT_KEYS.index("negotiating"), 2 * COUNT_KEYS.index("negotiating_100m")

    for lead_id, slots in state.items():
        row = lead_rows.get(lead_id)
        if row is None:  # a tombstoned (or unknown) lead: its changes count for nothing
            continue
        amount = row[1] or 0
        best: str | None = None
        for i in range(n - 1, -1, -1):  # suffix minimum: reaching a later stage reaches this
            day = slots[i]
            if day is not None and (best is None or day < best):
                best = day
            slots[i] = best
        hits = [k for k, i in reached_keys
                if slots[i] is not None and date_from <= slots[i] <= date_to]
        if k_signed in hits:
            if amount >= big:
                hits.append(k_signed_big)
            foreign_contracted += row[3] or 0
            foreign_arrived += row[4] or 0
        signed_day = slots[_SIGNED]
        if signed_day is not None and signed_day <= date_to:
            signed_by_to += 1
            invest_signed += amount
            funds_signed += row[2] or 0
            reg_day, start_day = slots[_REG], slots[_STARTED]
            if reg_day is not None and reg_day <= date_to:
                registered_by_to += 1
            if start_day is not None and start_day <= date_to:
                started_by_to += 1
        last = slots[n]
        if last is not None and last[3] == negotiating:
            hits.append(k_neg)
            if amount >= big:
                hits.append(k_neg_big)
        if not hits:
            continue
        targets = [totals]
        if len(row) > 5:
            group = chains.get(row[5] or "")
            if group is None:
                group = chains[row[5] or ""] = [0] * width
            targets.append(group)
        if len(row) > 6:
            group = units.get(row[6] or "")
            if group is None:
                group = units[row[6] or ""] = [0] * width
            targets.append(group)
        for counts in targets:
            for k in hits:
                counts[k] += 1
                counts[k + 1] += amount

    visit_count = 0
    for scheduled_at, zone, status in visits:
        if status == "done" and date_from <= home_date(scheduled_at, zone) <= date_to:
            visit_count += 1
    trip_count = sum(1 for start, end in trips if start <= date_to and end >= date_from)

    result: dict[str, Any] = _count_objects(totals)
    result["performance_rate"] = rate(registered_by_to, signed_by_to)
    result["start_rate"] = rate(started_by_to, signed_by_to)
    result["funds_arrival_rate"] = rate(funds_signed, invest_signed)
    result["foreign"] = {
        "contracted_wan_usd": foreign_contracted,
        "arrived_wan_usd": foreign_arrived,
    }
    result["by_industry_chain"] = _groups(chains)
    result["by_unit"] = _groups(units)
    result["visits"] = visit_count
    result["trips"] = trip_count
    return result


def _count_objects(flat: list[int]) -> dict[str, dict[str, int]]:
    return {key: {"count": flat[2 * i], "investment_wan": flat[2 * i + 1]}
            for i, key in enumerate(COUNT_KEYS)}


def _groups(groups: dict[str, list[int]]) -> list[dict[str, Any]]:
    """Groups with at least one counted lead, sorted by key ("" = not filled in)."""
    return [{"key": key, **_count_objects(groups[key])} for key in sorted(groups)]
