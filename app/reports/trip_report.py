"""出差招商工作情况报告 (trip report) and 行程单 (itinerary) for one trip."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path
from typing import Any

from app.domain.enums import VisitStatus
from app.domain.messages import (
    REPORT_COLUMNS as COL,
)
from app.domain.messages import (
    WEEKDAYS,
    enum_label,
    format_date_cn,
    format_wan,
    format_yi,
    report_text,
)
from app.reports.blocks import (
    Column,
    Document,
    Heading,
    Para,
    ReportResult,
    Subtitle,
    Table,
    Title,
)
from app.reports.render import write_document
from app.reports.trip_text import local_time, propose_sections, stage_label, trip_facts
from app.storage.report_data import TripData, load_trip


def _day_cn(iso: str) -> str:
    """2025-09-05 → 9月5日 (the year is in the title)."""
    return format_date_cn(iso).split("年", 1)[1]


def _contacts_text(visit: dict[str, Any], with_phone: bool = False) -> str:
    parts = []
    for c in visit["contacts"]:
        text = c["name"] + (f"（{c['title']}）" if c.get("title") else "")
        if with_phone and (c.get("mobile") or c.get("phone")):
            text += " " + (c.get("mobile") or c.get("phone"))
        parts.append(text)
    return "\n".join(parts) if with_phone else "、".join(parts)


def trip_document(data: TripData) -> Document:
    """The trip report's blocks: 一、基本情况 … 四、下步打算, then the attachments."""
    trip = data.trip
    facts = trip_facts(data)
    doc = Document(title=report_text("trip_title"))
    doc.add(Title(report_text("trip_title")), Subtitle(report_text("trip_subtitle", title=trip["title"])))

    members = "、".join(trip["members"])
    count = len(set(trip["members"]) | ({trip["leader"]} if trip.get("leader") else set()))
    if trip.get("leader"):
        team = report_text("basic_team_leader", leader=trip["leader"], members=members or trip["leader"],
                           count=count)
    elif members:
        team = report_text("basic_team", members=members, count=count)
    else:
        team = report_text("basic_team_unknown")
    doc.add(Heading(report_text("h_basic")), Para(report_text(
        "basic_text", start=format_date_cn(trip["start_date"]), end=format_date_cn(trip["end_date"]),
        team=team, destinations="、".join(trip["destinations"]) or "—", days=facts.days,
        enterprises=facts.enterprises_visited, meetings=facts.meetings,
    )))
    if trip.get("purpose"):
        doc.add(Para(report_text("basic_purpose", purpose=trip["purpose"])))

    doc.add(Heading(report_text("h_results")))
    if facts.new_leads:
        doc.add(Para(report_text("results_text", count=len(facts.new_leads),
                                 yi=format_yi(facts.new_investment_wan))))
    else:
        doc.add(Para(report_text("results_none")))
    doc.add(Heading(report_text("h_new_leads"), level=2))
    if facts.new_leads:
        doc.add(Table(
            [Column(COL["index"], 0.6, "CENTER"), Column(COL["lead"], 3), Column(COL["enterprise"], 3),
             Column(COL["industry_chain"], 1.4), Column(COL["investment_wan"], 1.6, "RIGHT"),
             Column(COL["stage"], 1, "CENTER")],
            [[str(i), x["name"], x["enterprise_name"] or "", x["industry_chain"] or "",
              format_wan(x["investment_wan"]), stage_label(x["stage"])]
             for i, x in enumerate(facts.new_leads, 1)],
        ))
    else:
        doc.add(Para(report_text("none_text")))
    doc.add(Heading(report_text("h_intent"), level=2))
    if facts.meetings:
        doc.add(Para(report_text("intent_text", total=facts.meetings, **facts.intents)))
    else:
        doc.add(Para(report_text("intent_none")))
    doc.add(Heading(report_text("h_moved"), level=2))
    if facts.moves:
        doc.add(Para(report_text("moved_text", count=len({m[0]["id"] for m in facts.moves}))))
        doc.add(Table(
            [Column(COL["index"], 0.6, "CENTER"), Column(COL["lead"], 3.2), Column(COL["enterprise"], 3),
             Column(COL["stage_move"], 1.8, "CENTER"), Column(COL["date"], 1.4, "CENTER")],
            [[str(i), lead["name"], lead["enterprise_name"] or "",
              f"{stage_label(before)}→{stage_label(after)}", _day_cn(day)]
             for i, (lead, before, after, day) in enumerate(facts.moves, 1)],
        ))
    else:
        doc.add(Para(report_text("moved_none")))

    sections = propose_sections(data)
    doc.add(Heading(report_text("h_problems")), Para(sections["problems"]))
    doc.add(Heading(report_text("h_next")), Para(sections["next_steps"]))

    doc.add(Heading(report_text("attachment_visits")))
    if data.visits:
        doc.add(Table(
            [Column(COL["date"], 1.1, "CENTER"), Column(COL["time"], 1.5, "CENTER"),
             Column(COL["enterprise"], 2.6), Column(COL["contacts"], 2), Column(COL["outcome"], 3.2)],
            [[_day_cn(v["scheduled_at"][:10]), local_time(v["scheduled_at"], v["time_zone"]),
              v["enterprise_name"] or "", _contacts_text(v),
              v["outcome"] or enum_label(VisitStatus(v["status"]))] for v in data.visits],
        ))
    else:
        doc.add(Para(report_text("no_visits")))
    doc.add(Heading(report_text("attachment_follow_ups")))
    if data.follow_ups:
        doc.add(Table(
            [Column(COL["index"], 0.6, "CENTER"), Column(COL["follow_up"], 3.6), Column(COL["lead"], 2.2),
             Column(COL["owner"], 1.2, "CENTER"), Column(COL["due_date"], 2.1, "CENTER"),
             Column(COL["status"], 1.1, "CENTER")],
            [[str(i), f["content"], f["lead_name"] or "", f["owner"] or "",
              format_date_cn(f["due_date"]) if f["due_date"] else "",
              report_text("follow_up_done" if f["done"] else "follow_up_open")]
             for i, f in enumerate(data.follow_ups, 1)],
        ))
    else:
        doc.add(Para(report_text("no_follow_ups")))
    return doc


def itinerary_document(data: TripData) -> Document:
    """行程单: day by day, local time (with zone abroad), enterprise, address, contact, purpose."""
    trip = data.trip
    title = report_text("itinerary_title", title=trip["title"])
    doc = Document(title=title)
    doc.add(Title(title))
    doc.add(Para(report_text("itinerary_dates", start=format_date_cn(trip["start_date"]),
                             end=format_date_cn(trip["end_date"])), indent=False))
    doc.add(Para(report_text("itinerary_team", leader=trip.get("leader") or "—",
                             members="、".join(trip["members"]) or "—"), indent=False))
    doc.add(Para(report_text("itinerary_destinations",
                             destinations="、".join(trip["destinations"]) or "—"), indent=False))
    by_day: dict[str, list[dict[str, Any]]] = {}
    day = dt.date.fromisoformat(trip["start_date"])
    end = dt.date.fromisoformat(trip["end_date"])
    while day <= end and len(by_day) < 366:
        by_day[day.isoformat()] = []
        day += dt.timedelta(days=1)
    for v in data.visits:
        if v["status"] != VisitStatus.CANCELLED.value:
            by_day.setdefault(v["scheduled_at"][:10], []).append(v)
    columns = [Column(COL["time"], 1.3, "CENTER"), Column(COL["enterprise"], 2.4),
               Column(COL["address"], 2.4), Column(COL["contact_phone"], 2.2),
               Column(COL["purpose"], 2.4)]
    for iso, visits in sorted(by_day.items()):
        weekday = WEEKDAYS[dt.date.fromisoformat(iso).weekday()]
        doc.add(Heading(report_text("itinerary_day", date=format_date_cn(iso), weekday=weekday), 2))
        if not visits:
            doc.add(Para(report_text("itinerary_empty_day")))
            continue
        doc.add(Table(columns, [
            [local_time(v["scheduled_at"], v["time_zone"]), v["enterprise_name"] or "",
             v["place"] or v["enterprise_address"] or "", _contacts_text(v, with_phone=True),
             v["purpose"] or ""] for v in visits
        ]))
    return doc


def write_trip_report(
    conn: sqlite3.Connection, trip_id: str, path: Path, cancel: threading.Event | None = None
) -> ReportResult:
    """The trip report as .pdf or .docx (by suffix), written atomically."""
    return write_document(trip_document(load_trip(conn, trip_id)), Path(path), (".pdf", ".docx"),
                          cancel)


def write_itinerary(
    conn: sqlite3.Connection, trip_id: str, path: Path, cancel: threading.Event | None = None
) -> ReportResult:
    return write_document(itinerary_document(load_trip(conn, trip_id)), Path(path), (".pdf",),
                          cancel)
