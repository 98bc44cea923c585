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

    The reference implementation over raw rows: the app aggregates the same rules in SQL over
    each lead's derived reached-stage columns (`app.storage.report_data.summary_aggregates`),
    and tests/unit/reports/test_summary_sql.py holds the two equal. Both end in `assemble`.
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

    # Leads summed per (chain, unit, mask of what they count for), as the SQL path sums them.
    cells: dict[tuple[Any, Any, int], list[int]] = {}
    signed = [0] * len(SignedTotals._fields)
    negotiating = Stage.NEGOTIATING.value
    in_range_bits = ((_CLUE, CAPTURED), (_SIGNED, SIGNED), (_REG, REGISTERED),
                     (_STARTED, STARTED), (_PROD, IN_PRODUCTION))
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
        signed_day = slots[_SIGNED]
        if signed_day is not None and signed_day <= date_to:
            signed[0] += 1
            reg_day, start_day = slots[_REG], slots[_STARTED]
            signed[1] += reg_day is not None and reg_day <= date_to
            signed[2] += start_day is not None and start_day <= date_to
            signed[3] += amount
            signed[4] += row[2] or 0
        mask = 0
        for i, bit in in_range_bits:
            day = slots[i]
            if day is not None and date_from <= day <= date_to:
                mask |= bit
        last = slots[n]
        if last is not None and last[3] == negotiating:
            mask |= NEGOTIATING
        if not mask:
            continue
        if amount >= BIG_PROJECT_WAN:
            mask |= BIG
        key = ((row[5] or "") if len(row) > 5 else None,
               (row[6] or "") if len(row) > 6 else None, mask)
        acc = cells.get(key)
        if acc is None:
            acc = cells[key] = [0, 0, 0, 0]
        acc[0] += 1
        acc[1] += amount
        acc[2] += row[3] or 0
        acc[3] += row[4] or 0

    visit_count = sum(1 for scheduled_at, zone, status in visits
                      if status == "done" and date_from <= home_date(scheduled_at, zone) <= date_to)
    trip_count = sum(1 for start, end in trips if start <= date_to and end >= date_from)
    groups = [GroupRow(*key, *acc) for key, acc in cells.items()]
    return assemble(groups, SignedTotals(*signed), visit_count, trip_count)


# What a lead counts for in a period, as bits: the stages it reached in range, 在谈 on `to`,
# and a project of 1亿元 or more (for the _100m keys).
CAPTURED, SIGNED, REGISTERED, STARTED, IN_PRODUCTION, NEGOTIATING, BIG = (1 << i for i in range(7))
_MASK_KEYS = (
    (CAPTURED, "leads_captured"),
    (NEGOTIATING, "negotiating"),
    (NEGOTIATING | BIG, "negotiating_100m"),
    (SIGNED, "signed"),
    (SIGNED | BIG, "signed_100m"),
    (REGISTERED, "registered"),
    (STARTED, "started"),
    (IN_PRODUCTION, "in_production"),
)


class GroupRow(NamedTuple):
    """The leads of one industry chain and unit that count for the same figures, summed.

    `industry_chain`/`unit` are "" when not filled in, None when the caller keeps no groups;
    `mask` is the set of CAPTURED … BIG bits every one of these leads has.
    """

    industry_chain: str | None
    unit: str | None
    mask: int
    leads: int
    investment_wan: int
    foreign_contracted_wan_usd: int
    foreign_arrived_wan_usd: int


class SignedTotals(NamedTuple):
    """Over leads that reached 签约 on or before `to`: the denominators and numerators of the
    rates (current amounts)."""

    signed: int
    registered: int
    started: int
    investment_wan: int
    funds_arrived_wan: int


def assemble(
    groups: Iterable[GroupRow], signed: SignedTotals, visits: int, trips: int
) -> dict[str, Any]:
    """The summary JSON from summed cells (the SQL path and `summarize` both end here)."""
    width = 2 * len(COUNT_KEYS)
    slots = [(bits, 2 * COUNT_KEYS.index(key)) for bits, key in _MASK_KEYS]
    totals = [0] * width
    chains: dict[str, list[int]] = {}
    units: dict[str, list[int]] = {}
    contracted = arrived = 0
    for g in groups:
        if not g.mask & ~BIG:
            continue  # leads that count for nothing make no group
        if g.mask & SIGNED:
            contracted += g.foreign_contracted_wan_usd or 0
            arrived += g.foreign_arrived_wan_usd or 0
        targets = [totals]
        if g.industry_chain is not None:
            targets.append(chains.setdefault(g.industry_chain, [0] * width))
        if g.unit is not None:
            targets.append(units.setdefault(g.unit, [0] * width))
        amount = g.investment_wan or 0
        for bits, k in slots:
            if g.mask & bits == bits:
                for counts in targets:
                    counts[k] += g.leads
                    counts[k + 1] += amount

    result: dict[str, Any] = _count_objects(totals)
    result["performance_rate"] = rate(signed.registered, signed.signed)
    result["start_rate"] = rate(signed.started, signed.signed)
    result["funds_arrival_rate"] = rate(signed.funds_arrived_wan, signed.investment_wan)
    result["foreign"] = {"contracted_wan_usd": contracted, "arrived_wan_usd": arrived}
    result["by_industry_chain"] = _groups(chains)
    result["by_unit"] = _groups(units)
    result["visits"] = visits
    result["trips"] = trips
    return result


def _count_objects(flat: list[int]) -> dict[str, dict[str, int]]:
    return {key: {"count": flat[2 * i], "investment_wan": flat[2 * i + 1]}
            for i, key in enumerate(COUNT_KEYS)}


def _groups(groups: dict[str, list[int]]) -> list[dict[str, Any]]:
    """Groups with at least one counted lead, sorted by key ("" = not filled in)."""
    return [{"key": key, **_count_objects(groups[key])} for key in sorted(groups)]
