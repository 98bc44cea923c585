"""Demo trips (小分队行程), their visits, and meeting notes (洽谈纪要)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.domain.enums import ListKind
from app.domain.lists import SEED_LISTS
from app.storage.demo import names, phrases
from app.storage.demo.companies import Companies, Company
from app.storage.demo.factory import BASE_DATE, WINDOW_DAYS, WINDOW_START, Factory
from app.storage.demo.writer import meta

VISITS_PER_ENTERPRISE = 0.2
NOTES_PER_ENTERPRISE = 2.0
VISITS_PER_TRIP = 20
HOME_CITY = "许昌"  # the bureau the demo plays; its units are the seeded 责任单位

TRIP_REGIONS: tuple[tuple[str, int], ...] = (
    ("长三角", 25), ("粤港澳大湾区", 25), ("京津冀", 18), ("闽东南", 8), ("成渝", 7),
    ("环渤海", 7), ("中原", 4), ("其他", 3), ("日韩", 4), ("欧美", 3), ("港澳台", 3),
)
_SLOTS = ("09:00", "10:30", "14:00", "15:30", "17:00", "19:30")
_INTENTS = names.weighted((("none", 25), ("initial", 35), ("interested", 28), ("strong", 12)))


@dataclass(slots=True)
class DoneVisit:
    id: str
    index: int
    company: Company
    day: dt.date
    members: list[str]
    met: list[tuple[str, str, str]]


class Activity:
    """Trips first, then visits grouped into them, then notes (one per visit done, the rest
    spread over enterprises by how active each is)."""

    def __init__(self, seed: int, size: int, companies: Companies, staff: list[str]) -> None:
        self.companies = companies
        self.staff = staff
        self.visit_total = round(VISITS_PER_ENTERPRISE * size)
        self.trip_total = max(1, round(self.visit_total / VISITS_PER_TRIP)) if self.visit_total else 0
        self.note_total = round(NOTES_PER_ENTERPRISE * size)
        self.tf = Factory(seed, "trip")
        self.vf = Factory(seed, "visit")
        self.nf = Factory(seed, "meeting_note")
        self._trips: list[tuple[str, dt.date, int, str, list[str], list[int]]] = []
        self.done_visits: list[DoneVisit] = []
        self.notes_by_company: dict[int, list[str]] = {}
        self.note_ids: list[str] = []

    def trips(self) -> Iterator[dict[str, Any]]:
        f = self.tf
        regions = names.weighted(TRIP_REGIONS)
        per_trip = _even(f, self.visit_total, self.trip_total)
        for count in per_trip:
            region = f.pick_weighted(*regions)
            picked = self._pick_companies(region, count)
            cities = list(dict.fromkeys(self.companies.all[i].city for i in picked))[:6]
            region = self.companies.all[picked[0]].region if picked else region
            start = f.day(WINDOW_START, WINDOW_DAYS + 60)
            days = f.between(3, 7)
            end = start + dt.timedelta(days=days - 1)
            status = "finished" if end < BASE_DATE else "planned" if start > BASE_DATE else "ongoing"
            members = list(dict.fromkeys(f.pick(self.staff) for _ in range(f.between(3, 5))))
            chains = "、".join(dict.fromkeys(self.companies.all[i].chain for i in picked[:3]))
            tid = f.uid()
            record: dict[str, Any] = {
                "id": tid,
                "title": f"{start.year}年赴{_region_label(region)}小分队招商（{'、'.join(c.removesuffix('市') for c in cities[:3])}）",
                "members": members, "leader": members[0], "destinations": cities,
                "start_date": start.isoformat(), "end_date": end.isoformat(),
                "purpose": f.pick(phrases.TRIP_PURPOSES).format(chains=chains or "主导产业"),
                "status": status,
            }
            if status == "finished" and f.chance(0.8):
                record["problems"] = f.pick(phrases.TRIP_PROBLEMS)
                record["next_steps"] = f.pick(phrases.TRIP_NEXT_STEPS)
            planned_on = start - dt.timedelta(days=f.between(5, 25))
            record.update(meta(f.stamp(planned_on), f.stamp(min(end, BASE_DATE))))
            self._trips.append((tid, start, days, status, members, picked))
            yield record

    def visits(self) -> Iterator[dict[str, Any]]:
        f = self.vf
        for tid, start, days, trip_status, members, picked in self._trips:
            per_day: dict[int, int] = {}
            for k, index in enumerate(picked):
                company = self.companies.all[index]
                day_no = k * days // len(picked)
                slot = per_day.get(day_no, 0)
                per_day[day_no] = slot + 1
                day = start + dt.timedelta(days=day_no)
                met = f.rng.sample(company.contacts, min(len(company.contacts), f.between(0, 2)))
                status = _visit_status(f, trip_status, day)
                product = f.pick(names.CHAIN_WORDS[company.chain][1])
                vid = f.uid()
                record: dict[str, Any] = {
                    "id": vid, "trip_id": tid, "enterprise_id": company.id,
                    "contact_ids": [c[0] for c in met],
                    "scheduled_at": f"{day.isoformat()}T{_SLOTS[slot % len(_SLOTS)]}",
                    "time_zone": company.zone,
                    "place": company.address if f.chance(0.6) else f.pick(phrases.VISIT_PLACES),
                    "purpose": f.pick(phrases.VISIT_PURPOSES).format(p=product),
                    "status": status,
                }
                if status == "done":
                    record["outcome"] = f.pick(phrases.VISIT_OUTCOMES)
                    self.done_visits.append(DoneVisit(vid, index, company, day, members, met))
                planned_on = start - dt.timedelta(days=f.between(2, 20))
                record.update(meta(f.stamp(planned_on), f.stamp(min(day, BASE_DATE))))
                yield record

    def notes(self) -> Iterator[dict[str, Any]]:
        f = self.nf
        all_ = self.companies.all
        for visit in self.done_visits[: self.note_total]:
            ours = f.rng.sample(visit.members, min(len(visit.members), f.between(2, 3)))
            yield self._note(visit.index, visit.company, visit.day, ours, visit.met, visit.id)
        rest = max(0, self.note_total - len(self.done_visits))
        if not rest or not all_:
            return
        cum: list[float] = []
        total = 0.0
        for company in all_:
            total += company.weight
            cum.append(total)
        for index in f.rng.choices(range(len(all_)), cum_weights=cum, k=rest):
            company = all_[index]
            ours = list(dict.fromkeys(f.pick(self.staff) for _ in range(f.between(1, 3))))
            met = f.rng.sample(company.contacts, min(len(company.contacts), f.between(1, 2)))
            yield self._note(index, company, f.day(), ours, met, None)

    def _note(self, index: int, company: Company, day: dt.date, ours: list[str],
              met: list[tuple[str, str, str]], visit_id: str | None) -> dict[str, Any]:
        f = self.nf
        theirs = [f"{name}（{title}）" for _, name, title in met] or [f"{company.short}相关负责人"]
        amount = f"{f.between(1, 50)}亿元" if f.chance(0.6) else f"{f.between(2, 9) * 1000}万元"
        who = f"{met[0][1]}{met[0][2]}" if met else f"{company.short}负责人"
        content = phrases.note_content(f, {
            "our": ours[0] + ("等" if len(ours) > 1 else ""), "who": who, "b": company.short, "city": HOME_CITY,
            "p": f.pick(names.CHAIN_WORDS[company.chain][1]), "amt": amount,
            "unit": f.pick(SEED_LISTS[ListKind.UNIT]), "chain": company.chain,
        }, on_visit=visit_id is not None)
        nid = f.uid()
        self.note_ids.append(nid)
        self.notes_by_company.setdefault(index, []).append(nid)
        intent = f.pick_weighted(*_INTENTS)
        return {
            "id": nid, "visit_id": visit_id, "enterprise_id": company.id,
            "date": day.isoformat(), "our_attendees": ours, "their_attendees": theirs,
            "content": content, "intent": intent,
            **meta(f.stamp(day), f.stamp(min(day + dt.timedelta(days=f.between(0, 3)),
                                           BASE_DATE))),
        }

    def _pick_companies(self, region: str, count: int) -> list[int]:
        """Enterprises of two to four cities of the region, else anywhere in it, else anywhere."""
        f = self.tf
        c = self.companies
        cities = sorted(city for city, members in c.by_city.items()
                        if c.all[members[0]].region == region)
        pool: list[int] = []
        if cities:
            for city in f.rng.sample(cities, min(len(cities), f.between(2, 4))):
                pool += c.by_city[city]
        if len(pool) < count:
            pool = c.by_region.get(region, [])
        if len(pool) < count:
            pool = list(range(len(c.all)))
        return f.rng.sample(pool, count) if len(pool) >= count else f.rng.choices(pool, k=count)


def _even(f: Factory, total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal shares, jittered a little (trips of about 20)."""
    if parts <= 0:
        return []
    counts = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    for i in range(parts):
        j = f.below(parts)
        d = f.between(0, 4)
        if counts[i] - d >= 1:
            counts[i] -= d
            counts[j] += d
    return counts


def _visit_status(f: Factory, trip_status: str, day: dt.date) -> str:
    if trip_status == "planned" or (trip_status == "ongoing" and day >= BASE_DATE):
        return "planned"
    roll = f.rng.random()
    return "done" if roll < 0.85 else "cancelled" if roll < 0.92 else "postponed"


def _region_label(region: str) -> str:
    return {"其他": "外省", "中原": "省内", "日韩": "日本、韩国", "欧美": "欧美"}.get(region, region)
