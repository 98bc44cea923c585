"""Answering a search: parse the query, count every match, pick the top hits by a cheap score.

The score is a tier, not bm25 (which would have to score every one of 100,000 matches):

0. the name starts with the first word (pinyin from the first syllable included);
1. every word is in the name (or its pinyin, from any syllable);
2. anywhere else (address, notes, note content, …).

Inside a tier, rows come in docid order — record type (enterprise, contact, lead, note),
then the order `rebuild` gave them (shorter names first, newer notes first) — and the
fetched hits of tiers 0 and 1 are put shortest name first. Each tier is an FTS5 query in
rowid order with a LIMIT, so it stops after `limit` rows however many match.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.domain import uscc
from app.storage.search import counts, pinyin
from app.storage.search.index import HEAD_MARK, SHIFT, type_range
from app.storage.search.tokens import Unit, normalise, query_units

HEAD, TITLE, ANY = 0, 1, 2


@dataclass(frozen=True)
class Match:
    """One MATCH against one FTS5 table."""

    table: str
    expr: str


def unit_match(unit: Unit, scope: int, *, exact: bool = False) -> Match:
    """Where and how one unit is looked up in a tier (see index.py for the tables)."""
    if len(unit.text) == 1 and not exact:
        if scope == HEAD:
            return Match("search_char_title", f'"{unit.text}{HEAD_MARK}"')
        return Match("search_char_title" if scope == TITLE else "search_char", f'"{unit.text}"')
    expr = unit.fts(exact=exact)
    if scope == HEAD:
        if unit.is_cjk:  # names starting with the first character (see index.make_doc)
            return Match("search_title", f'"{unit.text[0]}{HEAD_MARK}" AND ^ {expr}')
        return Match("search_title", f"^ {expr}")
    return Match("search_title" if scope == TITLE else "search_text", expr)


@dataclass(frozen=True)
class Word:
    """One space-separated query word, ready for FTS5."""

    text: str
    units: tuple[Unit, ...]
    exact: bool = False  # a USCC: whole token only
    is_pinyin: bool = False

    def alternatives(self, scope: int) -> list[list[Match]]:
        """Ways this word can match in a tier: any alternative, all matches in it."""
        inner = TITLE if scope == HEAD else scope  # only the first unit must start the name
        text = [
            unit_match(u, scope if n == 0 else inner, exact=self.exact)
            for n, u in enumerate(self.units)
        ]
        if not self.is_pinyin:
            return [text]
        word = f'"{pinyin.query_token(self.text)}" *'
        table = "search_pinyin_head" if scope == HEAD else "search_pinyin"
        return [text, [Match(table, word)]]


def parse(query: str) -> list[Word]:
    """Split a query into words; drops what cannot be searched (FTS5 syntax, punctuation)."""
    words: list[Word] = []
    for raw in query.split():
        if uscc.looks_like_uscc(raw):
            code = uscc.normalise(raw).lower()
            words.append(Word(code, (Unit(code, False),), exact=True))
            continue
        units = tuple(query_units(normalise(raw)))
        if not units:
            continue
        is_pinyin = len(units) == 1 and pinyin.is_pinyin_word(units[0].text)
        words.append(Word(units[0].text if is_pinyin else raw, units, is_pinyin=is_pinyin))
    # Words with one way to match go first: FTS5 then drives the query in rowid order.
    return sorted(words, key=lambda w: w.is_pinyin)


_TABLE_ORDER = (
    "search_title", "search_text", "search_char_title", "search_char", "search_pinyin_head", "search_pinyin"
)


def _alternative_sql(matches: list[Match], lo: int, hi: int) -> tuple[str, list[object]]:
    by_table: dict[str, list[str]] = {}
    for m in matches:
        by_table.setdefault(m.table, []).append(f"({m.expr})")
    sql, args = "", []
    for table in sorted(by_table, key=_TABLE_ORDER.index):
        part = f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ?"
        part_args = [" AND ".join(by_table[table]), lo, hi]
        if not sql:
            sql, args = part, part_args
        else:
            sql += f" AND rowid IN ({part})"
            args += part_args
    return sql, args


def _word_sql(word: Word, scope: int, lo: int, hi: int) -> tuple[str, list[object], bool]:
    """SQL for one word; the flag says whether it is a plain SELECT ... WHERE (no UNION)."""
    parts = [_alternative_sql(alt, lo, hi) for alt in word.alternatives(scope)]
    sql = " UNION ".join(p[0] for p in parts)
    args = [a for p in parts for a in p[1]]
    return sql, args, len(parts) == 1


def rowids_sql(words: list[Word], scope: int, type_name: str | None) -> tuple[str, list[object]]:
    """SQL yielding the matching docids of one tier."""
    lo, hi = type_range(type_name)
    sql, args, simple = _word_sql(words[0], scope, lo, hi)
    if not simple:
        sql = f"SELECT rowid FROM ({sql}) WHERE 1"
    for word in words[1:]:
        # Only the first word must start the name in the HEAD tier.
        sub, sub_args, _ = _word_sql(word, TITLE if scope == HEAD else scope, lo, hi)
        sql += f" AND rowid IN ({sub})"
        args += sub_args
    return sql, args


def count(conn: sqlite3.Connection, words: list[Word], type_name: str | None) -> int:
    """The exact number of matching documents."""
    if len(words) == 1 and len(words[0].units) == 1 and not words[0].exact:
        unit = words[0].units[0]
        # 1 character (not a pinyin letter) or a CJK bigram: one token, counted in advance.
        if (unit.is_cjk and len(unit.text) == 2) or (
            len(unit.text) == 1 and not words[0].is_pinyin
        ):
            lo, hi = type_range(type_name)
            return counts.lookup(conn, unit.text, (lo >> SHIFT, hi >> SHIFT))
    if len(words) == 1 and words[0].is_pinyin:
        # A UNION of a big pinyin match and a (usually empty) text match would be sorted
        # into a temporary b-tree; counting each side and their overlap avoids that.
        lo, hi = type_range(type_name)
        sides = [_alternative_sql(alt, lo, hi) for alt in words[0].alternatives(ANY)]
        sizes = [_count(conn, sql, args) for sql, args in sides]
        if min(sizes) == 0:
            return sum(sizes)
        small, big = sorted(range(len(sides)), key=sizes.__getitem__)
        (small_sql, small_args), (big_sql, big_args) = sides[small], sides[big]
        both = _count(conn, f"{big_sql} AND rowid IN ({small_sql})", [*big_args, *small_args])
        return sum(sizes) - both
    sql, args = rowids_sql(words, ANY, type_name)
    return _count(conn, sql, args)


def _count(conn: sqlite3.Connection, sql: str, args: list[object]) -> int:
    return int(conn.execute(f"SELECT count(*) FROM ({sql})", args).fetchone()[0])


def _first_rowids(
    conn: sqlite3.Connection, words: list[Word], scope: int, type_name: str | None, n: int
) -> list[int]:
    """The first `n` docids of one tier, in docid order."""
    if len(words) == 1 and words[0].is_pinyin:
        # Each side stops after n rows; merging two short sorted lists beats a UNION.
        lo, hi = type_range(type_name)
        found: set[int] = set()
        alternatives = words[0].alternatives(scope)
        if scope == ANY:
            alternatives = alternatives[:1]  # pinyin is of names: the TITLE tier had it all
        for alt in alternatives:
            sql, args = _alternative_sql(alt, lo, hi)
            found.update(r[0] for r in conn.execute(f"{sql} ORDER BY rowid LIMIT ?", [*args, n]))
        return sorted(found)[:n]
    sql, args = rowids_sql(words, scope, type_name)
    return [r[0] for r in conn.execute(f"{sql} ORDER BY rowid LIMIT ?", [*args, n])]


def ranked_docids(
    conn: sqlite3.Connection, words: list[Word], type_name: str | None, limit: int
) -> list[tuple[int, int]]:
    """Up to `limit` (tier, docid) pairs, best first."""
    seen: set[int] = set()
    out: list[tuple[int, int]] = []
    for scope in (HEAD, TITLE, ANY):
        if len(out) >= limit:
            break
        for docid in _first_rowids(conn, words, scope, type_name, limit + len(seen)):
            if docid not in seen:
                seen.add(docid)
                out.append((scope, docid))
                if len(out) >= limit:
                    break
    return out
