"""Snippets: a window of the original text around the first match, matches wrapped in 【】.

【 and 】 mark the matched characters (HIGHLIGHT_OPEN/CLOSE); the CLI prints them as they are
and the GUI turns them into styling. Matching is done on a normalised copy (NFKC, lower
case) mapped back character by character, so the snippet shows the text as it was typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.storage.search import pinyin
from app.storage.search.query import Word
from app.storage.search.tokens import normalise

HIGHLIGHT_OPEN = "【"
HIGHLIGHT_CLOSE = "】"
BEFORE = 12  # characters of context before the first match
WIDTH = 60  # characters in a snippet, roughly
ELLIPSIS = "…"


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index in `text`."""
    whole = normalise(text)
    if len(whole) == len(text):
        # The common case (NFKC maps full-width forms one to one): no per-character pass.
        return whole, list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        n = normalise(c)
        out.append(n)
        where.extend([i] * len(n))
    return "".join(out), where


def _spans(text: str, words: Sequence[Word]) -> list[tuple[int, int]]:
    """Character ranges of `text` where the query's units occur."""
    norm, where = _normalised_with_map(text)
    spans: list[tuple[int, int]] = []
    for word in words:
        for unit in word.units:
            start = norm.find(unit.text)
            while start != -1:
                end = start + len(unit.text)
                spans.append((where[start], where[end - 1] + 1))
                start = norm.find(unit.text, end)
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` cut to a window around the first span, every span in it wrapped in 【】."""
    text = " ".join(text.split())  # one line: notes have line breaks
    spans = _merge(spans)
    if not spans:
        return text[:WIDTH] + (ELLIPSIS if len(text) > WIDTH else "")
    lo = max(0, spans[0][0] - BEFORE)
    hi = min(len(text), lo + WIDTH)
    hi = max(hi, min(len(text), spans[0][1]))
    parts = [ELLIPSIS] if lo > 0 else []
    pos = lo
    for start, end in spans:
        if start >= hi:
            break
        start, end = max(start, pos), min(end, hi)
        if start >= end:
            continue
        parts += [text[pos:start], HIGHLIGHT_OPEN, text[start:end], HIGHLIGHT_CLOSE]
        pos = end
    parts.append(text[pos:hi])
    if hi < len(text):
        parts.append(ELLIPSIS)
    return "".join(parts)


def make_snippet(
    fields: Sequence[str], words: Sequence[Word], name: str = "", *, person: bool = False
) -> str:
    """The snippet for one hit.

    Args:
        fields: the record's searchable texts, name first (the order to look for a match in).
        words: the parsed query.
        name: the record's name, for locating a pinyin match in it.
        person: read the name as a person's (every reading of the surname).
    """
    texts = [" ".join(f.split()) for f in fields if f]
    for text in texts:
        spans = _spans(text, words)
        if name and any(w.is_pinyin for w in words) and text == " ".join(name.split()):
            readings = pinyin.name_readings(name, person=person)
            for word in words:
                if word.is_pinyin:
                    span = pinyin.match_span(readings, text, word.text)
                    if span:
                        spans.append(span)
        if spans:
            return highlight(text, spans)
    return highlight(texts[0], []) if texts else ""
