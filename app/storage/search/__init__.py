"""One search over enterprises, contacts, meeting notes and leads: Chinese, pinyin and USCC.

Public API: `create_schema`, `rebuild`, `index_record` (inside each save's transaction),
`index_many` (bulk inserts), `queue` + `drain` (sync pulls: the rows' transaction notes what
to index, a moment later `drain` indexes it), `ensure_current`, and `search`, which returns the exact total
and the top hits, each with a snippet whose matches are wrapped in 【】 (see snippet.py).
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.storage.ids import blob
from app.storage.search import query as _query
from app.storage.search.index import (
    BODY_FIELDS,
    CODE_TYPES,
    PERSON_TYPES,
    SHIFT,
    TITLE_FIELD,
    create_schema,
    drain,
    ensure_current,
    field_text,
    index_many,
    index_record,
    indexed_fields,
    is_current,
    queue,
    queued,
    rebuild,
)
from app.storage.search.snippet import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, make_snippet

__all__ = [
    "HIGHLIGHT_CLOSE",
    "HIGHLIGHT_OPEN",
    "SearchHit",
    "SearchResult",
    "create_schema",
    "drain",
    "ensure_current",
    "index_many",
    "index_record",
    "indexed_fields",
    "is_current",
    "queue",
    "queued",
    "rebuild",
    "search",
]

SEARCHABLE = tuple(CODE_TYPES.values())


@dataclass
class SearchHit:
    type: str
    id: str
    title: str
    snippet: str


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit] = field(default_factory=list)


def search(
    conn: sqlite3.Connection, query: str, *, type_name: str | None = None, limit: int = 50
) -> SearchResult:
    """Live records matching every word of `query`; the exact total and the best `limit`.

    Words are separated by spaces and must all match. A word matches as Chinese text (any
    length), as the start of a letter/digit word, as pinyin of a name (full spelling or
    initials, from any syllable), or, shaped like a USCC, that exact code.
    """
    if type_name is not None and type_name not in SEARCHABLE:
        return SearchResult(total=0)
    words = _query.parse(query)
    if not words:
        return SearchResult(total=0)
    total = _query.count(conn, words, type_name)
    if total == 0 or limit <= 0:
        return SearchResult(total=total)
    ranked = _query.ranked_docids(conn, words, type_name, limit)
    hits = _hits(conn, [docid for _, docid in ranked], words)
    ordered: list[tuple[tuple[int, int, int], SearchHit]] = []
    for order, (tier, docid) in enumerate(ranked):
        hit = hits.get(docid)
        if hit is None:
            continue
        # Name tiers: shortest name first (an exact name is the shortest); others keep order.
        key = len(hit.title) if tier < _query.ANY and TITLE_FIELD[hit.type] else 0
        ordered.append(((tier, key, order), hit))
    ordered.sort(key=lambda item: item[0])
    return SearchResult(total=total, hits=[h for _, h in ordered])


def _in(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def _hits(
    conn: sqlite3.Connection, docids: list[int], words: list[_query.Word]
) -> dict[int, SearchHit]:
    """The hits for these docids, read with one query per table (not one per hit)."""
    uids = dict(
        conn.execute(f"SELECT docid, uid FROM search_doc WHERE docid IN ({_in(docids)})", docids)
    )
    wanted: dict[str, dict[str, int]] = {}
    for docid, uid in uids.items():
        type_name = CODE_TYPES.get(docid >> SHIFT)
        if type_name is not None:
            wanted.setdefault(type_name, {})[str(uuid.UUID(bytes=uid))] = docid
    out: dict[int, SearchHit] = {}
    for type_name, by_id in wanted.items():
        title_field = TITLE_FIELD[type_name]
        fields = [f for f in (title_field,) if f] + list(BODY_FIELDS[type_name])
        extra = ["date", "enterprise_id", "visit_id"] if type_name == "meeting_note" else []
        cols = ", ".join(f'"{f}"' for f in ["id", *fields, *extra])
        ids = list(by_id)
        rows = [
            dict(zip(["id", *fields, *extra], row, strict=True))
            for row in conn.execute(
                # "+deleted": keep the planner on the primary key, not an index led by `deleted`.
                f"SELECT {cols} FROM {type_name} WHERE id IN ({_in(ids)}) AND +deleted = 0",
                [blob(i) for i in ids],
            )
        ]
        titles = _note_titles(conn, rows) if type_name == "meeting_note" else {}
        for values in rows:
            name = field_text(values[title_field]) if title_field else ""
            snippet = make_snippet(
                [field_text(values[f]) for f in fields], words, name,
                person=type_name in PERSON_TYPES,
            )
            title = name if title_field else titles.get(values["id"], "")
            out[by_id[values["id"]]] = SearchHit(type_name, values["id"], title, snippet)
    return out


def _note_titles(conn: sqlite3.Connection, notes: list[dict[str, Any]]) -> dict[str, str]:
    """Each note's title: its enterprise's name and its date, or the date alone."""
    visit_ids = [n["visit_id"] for n in notes if not n.get("enterprise_id") and n.get("visit_id")]
    via_visit = dict(
        conn.execute(f"SELECT id, enterprise_id FROM visit WHERE id IN ({_in(visit_ids)})",
                     [blob(i) for i in visit_ids])
    ) if visit_ids else {}
    enterprise_of = {
        n["id"]: n.get("enterprise_id") or via_visit.get(n.get("visit_id")) for n in notes
    }
    wanted = [e for e in set(enterprise_of.values()) if e]
    names = dict(
        conn.execute(f"SELECT id, name FROM enterprise WHERE id IN ({_in(wanted)})",
                     [blob(i) for i in wanted])
    ) if wanted else {}
    titles = {}
    for n in notes:
        date = str(n.get("date") or "")
        name = names.get(enterprise_of[n["id"]])
        titles[n["id"]] = f"{name} {date}" if name else date
    return titles
