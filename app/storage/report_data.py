"""The rows reports are built from: summary sums, one trip with its visits, the lead ledger."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain import figures
from app.domain.errors import NotFoundError
from app.storage.ids import blob
from app.storage.queries.table import like_pattern


def _dicts(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" for _ in items)


def _blobs(ids: Iterable[Any]) -> list[Any]:
    return [blob(i) for i in ids]


# --- period summary ---------------------------------------------------------------------------


_AMOUNT = "COALESCE(investment_wan, 0)"


def _summary_cells_sql() -> str:
    """One row per (chain, unit, mask) in `figures.GroupRow` field order."""
    in_range = [
        ("reached_clue", figures.CAPTURED),
        ("reached_signed", figures.SIGNED),
        ("reached_registered", figures.REGISTERED),
        ("reached_started", figures.STARTED),
        ("reached_in_production", figures.IN_PRODUCTION),
    ]
    # 在谈 on `to`: the current stage when the lead's latest change is dated on or before
    # `to`; else its latest live change dated on or before `to`, looked up only for leads
    # that had reached 在谈 by then.
    negotiating = (
        f"CASE WHEN stage_date <= :t THEN (stage = 'negotiating') * {figures.NEGOTIATING}"
        " WHEN reached_negotiating <= :t THEN COALESCE((SELECT c.stage FROM lead_stage_change c"
        ' WHERE c.lead_id = lead.id AND c.deleted = 0 AND c."date" <= :t'
        ' ORDER BY c."date" DESC, c.created_at DESC, c.id DESC LIMIT 1) = \'negotiating\', 0)'
        f" * {figures.NEGOTIATING} ELSE 0 END"
    )
    mask = " + ".join(
        [f"(CASE WHEN {col} BETWEEN :f AND :t THEN {bit} ELSE 0 END)" for col, bit in in_range]
        + [f"({negotiating})", f"(CASE WHEN {_AMOUNT} >= :big THEN {figures.BIG} ELSE 0 END)"]
    )
    wanted = " OR ".join(
        [f"{col} BETWEEN :f AND :t" for col, _ in in_range]
        + ["stage = 'negotiating' AND stage_date <= :t",
           "stage_date > :t AND reached_negotiating <= :t"]
    )
    return (
        f"SELECT COALESCE(industry_chain, ''), COALESCE(unit, ''), {mask}, count(*),"
        f" SUM({_AMOUNT}), SUM(foreign_contracted_wan_usd), SUM(foreign_arrived_wan_usd)"
        # Every lead that reached anything by `to` reached 线索 by then.
        f" FROM lead WHERE deleted = 0 AND reached_clue <= :t AND ({wanted}) GROUP BY 1, 2, 3"
    )


_SUMMARY_CELLS = _summary_cells_sql()
_SIGNED_TOTALS = (
    "SELECT count(*), SUM(reached_registered <= :t), SUM(reached_started <= :t),"
    f" SUM({_AMOUNT}), SUM(COALESCE(funds_arrived_wan, 0))"
    " FROM lead WHERE deleted = 0 AND reached_signed <= :t"
)
_HOME_ZONES = f"('', '{figures.HOME_ZONE}')"


@dataclass
class SummaryAggregates:
    """What `figures.assemble` turns into the period summary."""

    groups: list[figures.GroupRow]
    signed: figures.SignedTotals
    visits: int
    trips: int


def summary_aggregates(conn: sqlite3.Connection, date_from: str, date_to: str) -> SummaryAggregates:
    """The period-summary sums for [date_from, date_to], aggregated in SQL.

    Reads the leads' derived `reached_*`/`stage` columns (app.storage.lead_stages), so the
    cost is a pass over the leads, not a replay of every stage change; the rules are those
    of `figures.summarize`, and tests/unit/reports/test_summary_sql.py holds the two equal.
    """
    p = {"f": date_from, "t": date_to, "big": figures.BIG_PROJECT_WAN}
    groups = [
        figures.GroupRow(chain, unit, mask, leads, wan or 0, contracted or 0, arrived or 0)
        for chain, unit, mask, leads, wan, contracted, arrived in conn.execute(_SUMMARY_CELLS, p)
    ]
    signed = figures.SignedTotals(*(v or 0 for v in conn.execute(_SIGNED_TOTALS, p).fetchone()))
    visits = int(conn.execute(
        "SELECT count(*) FROM visit WHERE deleted = 0 AND status = 'done'"
        f" AND (time_zone IS NULL OR time_zone IN {_HOME_ZONES})"
        " AND scheduled_at >= :f AND scheduled_at < date(:t, '+1 day')", p,
    ).fetchone()[0])
    # A visit abroad may fall on another Beijing date than its local one: a day either side.
    for scheduled_at, zone in conn.execute(
        "SELECT scheduled_at, time_zone FROM visit WHERE deleted = 0 AND status = 'done'"
        f" AND time_zone NOT IN {_HOME_ZONES}"
        " AND scheduled_at >= date(:f, '-1 day') AND scheduled_at < date(:t, '+2 day')", p,
    ):
        visits += date_from <= figures.home_date(scheduled_at, zone) <= date_to
    trips = int(conn.execute(
        "SELECT count(*) FROM trip WHERE deleted = 0 AND start_date <= :t AND end_date >= :f", p,
    ).fetchone()[0])
    return SummaryAggregates(groups, signed, visits, trips)


# --- one trip ---------------------------------------------------------------------------------


@dataclass
class TripData:
    """A trip with everything its report and itinerary print."""

    trip: dict[str, Any]
    visits: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)


def _decode_list(value: Any) -> list[str]:
    return list(json.loads(value)) if value else []


def load_trip(conn: sqlite3.Connection, trip_id: str) -> TripData:
    """The live trip, its live visits (with enterprise and contacts), notes, leads, follow-ups."""
    rows = _dicts(conn.execute("SELECT * FROM trip WHERE id = ? AND deleted = 0", (blob(trip_id),)))
    if not rows:
        raise NotFoundError("not_found", "trip_id", type="trip", id=trip_id)
    trip = rows[0]
    for name in ("members", "destinations"):
        trip[name] = _decode_list(trip[name])
    data = TripData(trip)
    data.visits = _dicts(conn.execute(
        "SELECT v.id, v.enterprise_id, v.contact_ids, v.scheduled_at, v.time_zone, v.place,"
        " v.purpose, v.status, v.outcome, e.name AS enterprise_name, e.address AS enterprise_address"
        " FROM visit v LEFT JOIN enterprise e ON e.id = v.enterprise_id"
        " WHERE v.trip_id = ? AND v.deleted = 0 ORDER BY v.scheduled_at, v.rowid",
        (blob(trip["id"]),),
    ))
    contact_ids = {cid for v in data.visits for cid in _decode_list(v["contact_ids"])}
    contacts: dict[str, dict[str, Any]] = {}
    if contact_ids:
        ids = sorted(contact_ids)
        contacts = {c["id"]: c for c in _dicts(conn.execute(
            f"SELECT id, name, title, mobile, phone FROM contact WHERE id IN ({_marks(ids)})"
            " AND deleted = 0", _blobs(ids)))}
    for v in data.visits:
        v["contacts"] = [contacts[c] for c in _decode_list(v.pop("contact_ids")) if c in contacts]
    visit_ids = [v["id"] for v in data.visits]
    enterprise_ids = sorted({v["enterprise_id"] for v in data.visits})
    if visit_ids:
        data.notes = _dicts(conn.execute(
            "SELECT m.id, m.visit_id, m.enterprise_id, m.date, m.content, m.intent,"
            " e.name AS enterprise_name FROM meeting_note m"
            " LEFT JOIN visit v ON v.id = m.visit_id"
            " LEFT JOIN enterprise e ON e.id = COALESCE(m.enterprise_id, v.enterprise_id)"
            f" WHERE m.deleted = 0 AND m.visit_id IN ({_marks(visit_ids)})"
            ' ORDER BY m."date", m.created_at',
            _blobs(visit_ids),
        ))
    if enterprise_ids:
        data.leads = _dicts(conn.execute(
            "SELECT l.id, l.name, l.enterprise_id, l.industry_chain, l.investment_wan, l.stage,"
            " l.stage_date, l.created_at, e.name AS enterprise_name FROM lead l"
            " LEFT JOIN enterprise e ON e.id = l.enterprise_id"
            f" WHERE l.deleted = 0 AND l.enterprise_id IN ({_marks(enterprise_ids)})"
            " ORDER BY l.created_at, l.id",
            _blobs(enterprise_ids),
        ))
    lead_ids = [x["id"] for x in data.leads]
    if lead_ids:
        data.changes = _dicts(conn.execute(
            'SELECT lead_id, stage, "date", created_at, id FROM lead_stage_change'
            f' WHERE deleted = 0 AND lead_id IN ({_marks(lead_ids)})'
            ' ORDER BY "date", created_at, id',
            _blobs(lead_ids),
        ))
    note_ids = [n["id"] for n in data.notes]
    if note_ids or lead_ids:
        data.follow_ups = _dicts(conn.execute(
            "SELECT f.id, f.content, f.owner, f.due_date, f.done, f.lead_id, f.meeting_note_id,"
            " l.name AS lead_name FROM follow_up f LEFT JOIN lead l ON l.id = f.lead_id"
            f" WHERE f.deleted = 0 AND (f.meeting_note_id IN ({_marks(note_ids)})"
            f" OR f.lead_id IN ({_marks(lead_ids)}))"
            " ORDER BY f.done, f.due_date IS NULL, f.due_date, f.id",
            _blobs([*note_ids, *lead_ids]),
        ))
        for f in data.follow_ups:
            f["done"] = bool(f["done"])
    return data


# --- the ledger -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilter:
    """Which leads a ledger lists; None means "any". Dates bound any live stage change."""

    stage: str | None = None
    text: str | None = None  # in the project name, as the 项目 list filters
    industry_chain: str | None = None
    unit: str | None = None
    source: str | None = None
    responsible: str | None = None
    high_energy: bool | None = None
    date_from: str | None = None
    date_to: str | None = None


def ledger_rows(conn: sqlite3.Connection, flt: LedgerFilter) -> list[dict[str, Any]]:
    """Live leads matching `flt` with their enterprise name and signing and start dates
    (`signed_date`, `started_date`: the dates they reached 签约 and 开工, or None)."""
    clauses: list[str] = ["l.deleted = 0"]
    args: list[Any] = []
    if flt.stage:
        # A lead with no change yet is a 线索 in every list of the app.
        clauses.append("COALESCE(l.stage, 'clue') = ?")
        args.append(flt.stage)
    if flt.text and flt.text.strip():
        clauses.append("l.name LIKE ? ESCAPE '\\'")
        args.append(like_pattern(flt.text.strip()))
    for name in ("industry_chain", "unit", "source", "responsible"):
        value = getattr(flt, name)
        if value:
            clauses.append(f"l.{name} = ?")
            args.append(value)
    if flt.high_energy is not None:
        clauses.append("l.high_energy = ?")
        args.append(1 if flt.high_energy else 0)
    if flt.date_from or flt.date_to:
        clauses.append(
            'EXISTS (SELECT 1 FROM lead_stage_change c WHERE c.lead_id = l.id AND c.deleted = 0'
            ' AND c."date" >= ? AND c."date" <= ?)'
        )
        args += [flt.date_from or "0000-00-00", flt.date_to or "9999-99-99"]
    rows = _dicts(conn.execute(
        "SELECT l.id, l.name, l.industry_chain, l.source, l.investment_wan, l.funds_arrived_wan,"
        " l.foreign_contracted_wan_usd, l.foreign_arrived_wan_usd, l.unit, l.responsible,"
        " l.high_energy, l.notes, l.stage, l.stage_date, l.reached_signed AS signed_date,"
        " l.reached_started AS started_date, e.name AS enterprise_name"
        " FROM lead l LEFT JOIN enterprise e ON e.id = l.enterprise_id"
        f" WHERE {' AND '.join(clauses)}"
        " ORDER BY l.unit IS NULL, l.unit, l.industry_chain IS NULL, l.industry_chain, l.name, l.id",
        args,
    ))
    for r in rows:
        r["high_energy"] = bool(r["high_energy"])
    return rows
