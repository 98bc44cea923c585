"""The period summary against a hand-built dataset whose every figure is worked out by hand."""

from __future__ import annotations

from typing import Any

from app.domain.figures import (
    COUNT_KEYS,
    LeadFacts,
    StageChangeFacts,
    TripFacts,
    VisitFacts,
    home_date,
    rate,
    reached_dates,
    stage_on,
    summarize,
)

L = LeadFacts
C = StageChangeFacts

# id, investment, funds, foreign contracted, foreign arrived, chain, unit
LEADS = [
    L("A", 20000, 5000, 100, 50, "新能源", "许昌县"),
    L("B", 5000, 1000, None, None, "新能源", "禹州市"),
    L("C", 15000, None, 30, None, "新材料", None),
    L("D", 8000, 4000, None, None, None, "许昌县"),
    L("E", 30000, None, None, None, "新能源", "禹州市"),
    L("F", 12000, None, None, None, "新材料", "许昌县"),
    L("G", 9000, None, None, None, "新能源", "许昌县"),
    L("I", 50000, None, None, None, "新能源", "许昌县"),
    L("J", 50000, None, None, None, "新能源", "许昌县"),
    L("K", 50000, None, None, None, "新能源", "许昌县"),
    L("L", 3000, None, None, None, "新材料", "许昌县"),
    L("M", 10000, 10000, 999, 999, "新能源", "许昌县"),
    L("N", 7000, 0, None, None, "新能源", "禹州市"),
]

T = "2025-09-01T00:00:00Z"
CHANGES = [
    # A: captured before the range, signed in it.
    C("A", "clue", "2025-08-20", T, "a1"),
    C("A", "negotiating", "2025-09-05", T, "a2"),
    C("A", "signed", "2025-09-10", T, "a3"),
    # B: skips 在谈, registered, then terminated (which erases nothing).
    C("B", "clue", "2025-09-02", T, "b1"),
    C("B", "signed", "2025-09-03", T, "b2"),
    C("B", "registered", "2025-09-20", T, "b3"),
    C("B", "terminated", "2025-09-25", T, "b4"),
    # C: signed, then moved back to 在谈: counts as signed and as negotiating on `to`.
    C("C", "clue", "2025-09-01", T, "c1"),
    C("C", "negotiating", "2025-09-08", T, "c2"),
    C("C", "signed", "2025-09-12", T, "c3"),
    C("C", "negotiating", "2025-09-15", T, "c4"),
    # D: everything before the range except 开工; 投产 after `to`.
    C("D", "clue", "2025-07-01", T, "d1"),
    C("D", "signed", "2025-07-15", T, "d2"),
    C("D", "registered", "2025-08-01", T, "d3"),
    C("D", "started", "2025-09-05", T, "d4"),
    C("D", "in_production", "2025-10-05", T, "d5"),
    # E: a tie on date and created_at, broken by id: e2 (在谈) is the latest.
    C("E", "negotiating", "2025-09-18", "2025-09-18T02:00:00Z", "e2"),
    C("E", "clue", "2025-09-18", "2025-09-18T02:00:00Z", "e1"),
    # F: a tie on date broken by created_at (the id order says the opposite).
    C("F", "clue", "2025-09-20", "2025-09-20T08:00:00Z", "f9"),
    C("F", "negotiating", "2025-09-20", "2025-09-20T09:00:00Z", "f1"),
    # G: its signing was tombstoned to correct a mistake.
    C("G", "clue", "2025-09-03", T, "g1"),
    C("G", "signed", "2025-09-06", T, "g2", True),
    # H: a tombstoned lead (absent from LEADS): its changes count for nothing.
    C("H", "signed", "2025-09-05", T, "h1"),
    # I: only ever terminated.
    C("I", "terminated", "2025-09-10", T, "i1"),
    # K: captured after the range.
    C("K", "clue", "2025-10-02", T, "k1"),
    # L: 在谈 since before the range.
    C("L", "negotiating", "2025-06-01", T, "l1"),
    # M, N: signed before the range; only the rates see them.
    C("M", "signed", "2025-05-01", T, "m1"),
    C("M", "registered", "2025-06-01", T, "m2"),
    C("N", "signed", "2025-04-01", T, "n1"),
]

VISITS = [
    VisitFacts("2025-09-01T10:00", "Asia/Shanghai", "done"),
    VisitFacts("2025-09-30T23:30", "Europe/Berlin", "done"),  # 10-01 in Beijing time
    VisitFacts("2025-08-31T20:00", "America/New_York", "done"),  # 09-01 in Beijing time
    VisitFacts("2025-09-10T09:00", "Asia/Shanghai", "planned"),
    VisitFacts("2025-09-11T09:00", None, "cancelled"),
    VisitFacts("2025-09-30T09:00", "Asia/Tokyo", "done"),
]
TRIPS = [
    TripFacts("2025-08-25", "2025-09-02"),
    TripFacts("2025-09-30", "2025-10-05"),
    TripFacts("2025-10-01", "2025-10-03"),
    TripFacts("2025-08-01", "2025-08-31"),
    TripFacts("2025-08-01", "2025-10-31"),
]


def c(count: int, wan: int) -> dict[str, int]:
    return {"count": count, "investment_wan": wan}


def zeros(**given: dict[str, int]) -> dict[str, Any]:
    return {k: given.get(k, c(0, 0)) for k in COUNT_KEYS}


def figures() -> dict[str, Any]:
    return summarize(LEADS, CHANGES, VISITS, TRIPS, "2025-09-01", "2025-09-30")


def test_totals() -> None:
    f = figures()
    assert {k: f[k] for k in COUNT_KEYS} == {
        "leads_captured": c(5, 71000),  # B C E F G
        "negotiating": c(4, 60000),  # C E F L
        "negotiating_100m": c(3, 57000),  # C E F
        "signed": c(3, 40000),  # A B C
        "signed_100m": c(2, 35000),  # A C
        "registered": c(1, 5000),  # B
        "started": c(1, 8000),  # D
        "in_production": c(0, 0),  # D's is after `to`
    }


def test_rates_over_leads_signed_by_to() -> None:
    f = figures()
    # Signed by `to`: A B C D M N (6); registered by `to`: B D M; started by `to`: D.
    assert f["performance_rate"] == 0.5
    assert f["start_rate"] == 0.1667
    # Funds: (5000+1000+0+4000+10000+0) / (20000+5000+15000+8000+10000+7000) = 0.30769…
    assert f["funds_arrival_rate"] == 0.3077
    assert f["foreign"] == {"contracted_wan_usd": 130, "arrived_wan_usd": 50}


def test_counts_of_visits_and_trips() -> None:
    f = figures()
    assert f["visits"] == 3
    assert f["trips"] == 3


def test_groups_sorted_with_blank_key() -> None:
    f = figures()
    assert f["by_industry_chain"] == [
        {"key": "", **zeros(started=c(1, 8000))},
        {"key": "新材料", **zeros(
            leads_captured=c(2, 27000), negotiating=c(3, 30000), negotiating_100m=c(2, 27000),
            signed=c(1, 15000), signed_100m=c(1, 15000))},
        {"key": "新能源", **zeros(
            leads_captured=c(3, 44000), negotiating=c(1, 30000), negotiating_100m=c(1, 30000),
            signed=c(2, 25000), signed_100m=c(1, 20000), registered=c(1, 5000))},
    ]
    assert f["by_unit"] == [
        {"key": "", **zeros(
            leads_captured=c(1, 15000), negotiating=c(1, 15000), negotiating_100m=c(1, 15000),
            signed=c(1, 15000), signed_100m=c(1, 15000))},
        {"key": "禹州市", **zeros(
            leads_captured=c(2, 35000), negotiating=c(1, 30000), negotiating_100m=c(1, 30000),
            signed=c(1, 5000), registered=c(1, 5000))},
        {"key": "许昌县", **zeros(
            leads_captured=c(2, 21000), negotiating=c(2, 15000), negotiating_100m=c(1, 12000),
            signed=c(1, 20000), signed_100m=c(1, 20000), started=c(1, 8000))},
    ]
    for group in f["by_unit"]:
        assert not set(group) & {"performance_rate", "start_rate", "funds_arrival_rate"}


def test_exact_keys() -> None:
    assert set(figures()) == {
        *COUNT_KEYS, "performance_rate", "start_rate", "funds_arrival_rate", "foreign",
        "by_industry_chain", "by_unit", "visits", "trips",
    }


def test_empty_range_gives_null_rates() -> None:
    f = summarize(LEADS, CHANGES, [], [], "2020-01-01", "2020-01-31")
    assert f["performance_rate"] is None and f["start_rate"] is None
    assert f["funds_arrival_rate"] is None
    assert f["leads_captured"] == c(0, 0) and f["by_unit"] == []


def test_order_of_input_does_not_matter() -> None:
    shuffled = list(reversed(CHANGES))
    assert summarize(LEADS, shuffled, VISITS, TRIPS, "2025-09-01", "2025-09-30") == figures()


def test_single_day_range_and_plain_tuples() -> None:
    leads = [tuple(x) for x in LEADS]
    changes = [tuple(x) for x in CHANGES]
    f = summarize(leads, changes, [], [], "2025-09-18", "2025-09-18")
    assert f["leads_captured"] == c(1, 30000)  # E only
    assert f["negotiating"] == c(3, 48000)  # C (since 09-15), E, L; F not yet


def test_reached_dates_fill_skipped_stages() -> None:
    got = reached_dates([("clue", "2025-01-05"), ("signed", "2025-01-03"), ("terminated", "2025-01-01")])
    assert got == ["2025-01-03", "2025-01-03", "2025-01-03", None, None, None]


def test_stage_on_uses_date_then_created_then_id() -> None:
    rows = [("signed", "2025-01-02", "t1", "b"), ("clue", "2025-01-02", "t1", "a"),
            ("negotiating", "2025-01-02", "t0", "z")]
    assert stage_on(rows, "2025-01-02") == "signed"
    assert stage_on(rows, "2025-01-01") is None


def test_rate_half_up() -> None:
    assert rate(1, 8) == 0.125
    assert rate(5, 160000) == 0.0  # 0.00003125
    assert rate(1, 20000) == 0.0001  # exactly half-up at the fifth decimal
    assert rate(3, 0) is None


def test_home_date_converts_zones() -> None:
    assert home_date("2025-09-05T23:30", "Europe/Berlin") == "2025-09-06"
    assert home_date("2025-09-05T23:30", None) == "2025-09-05"


# --- property: the fast single pass agrees with a per-lead reference built from the helpers ---

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_STAGES = ["clue", "negotiating", "signed", "registered", "started", "in_production", "terminated"]
_DAYS = [f"2025-09-{d:02d}" for d in range(1, 11)]


def _reference(leads: list[LeadFacts], changes: list[StageChangeFacts], start: str, end: str
               ) -> dict[str, Any]:
    counts = {k: c(0, 0) for k in COUNT_KEYS}
    signed = registered = started = invest = funds = 0
    for lead in leads:
        mine = [x for x in changes if x.lead_id == lead.id and not x.deleted]
        reached = reached_dates([(x.stage, x.date) for x in mine])
        amount = lead.investment_wan or 0
        hits = [key for key, i in (("leads_captured", 0), ("signed", 2), ("registered", 3),
                                   ("started", 4), ("in_production", 5))
                if reached[i] is not None and start <= reached[i] <= end]
        if "signed" in hits and amount >= 10000:
            hits.append("signed_100m")
        if stage_on([(x.stage, x.date, x.created_at, x.id) for x in mine], end) == "negotiating":
            hits += ["negotiating"] + (["negotiating_100m"] if amount >= 10000 else [])
        for key in hits:
            counts[key]["count"] += 1
            counts[key]["investment_wan"] += amount
        if reached[2] is not None and reached[2] <= end:
            signed += 1
            invest += amount
            funds += lead.funds_arrived_wan or 0
            registered += reached[3] is not None and reached[3] <= end
            started += reached[4] is not None and reached[4] <= end
    return {**counts, "performance_rate": rate(registered, signed),
            "start_rate": rate(started, signed), "funds_arrival_rate": rate(funds, invest)}


_change = st.tuples(st.sampled_from(["L1", "L2", "L3", "L4"]), st.sampled_from(_STAGES),
                    st.sampled_from(_DAYS), st.sampled_from(["t1", "t2"]),
                    st.text("abc", min_size=1, max_size=2), st.booleans())


@settings(max_examples=150, deadline=None)
@given(changes=st.lists(_change, max_size=25), amounts=st.lists(
    st.sampled_from([None, 0, 5000, 10000, 20000]), min_size=4, max_size=4),
    bounds=st.tuples(st.sampled_from(_DAYS), st.sampled_from(_DAYS)))
def test_single_pass_matches_reference(changes: list[tuple[Any, ...]], amounts: list[Any],
                                       bounds: tuple[str, str]) -> None:
    start, end = sorted(bounds)
    leads = [L(f"L{i + 1}", amount, 3000) for i, amount in enumerate(amounts)]
    facts = [C(*x) for x in changes]
    got = summarize(leads[:3], facts, [], [], start, end)  # L4 plays a tombstoned lead
    want = _reference(leads[:3], facts, start, end)
    assert {k: got[k] for k in want} == want
