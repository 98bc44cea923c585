"""Pinyin readings of names and the index tokens that let a query start at any syllable.

A name's syllables s0..sn-1 give, for every start i, one token of full spellings
("jijituan") and one of initials ("jjt"); a pinyin query then is a prefix query on these
tokens, so "xuji", "xjjt" and "jituan" all find 许继集团. Tokens are capped (see FULL_CAP,
INITIALS_CAP) to keep the term dictionary small, and a longer query is cut to the cap of
the kind it is (see `query_token`): names that agree on those first letters but differ
later match too, which takes 16 letters of spelling or 8 initials in common.

Readings come from pinyin_table.py, generated from pypinyin (see make_pinyin_table.py):
pypinyin itself costs ~80 µs per name and 0.4 s to import; a table lookup per character,
with phrases found by greedy longest match, keeps a rebuild of 300,000 names to seconds.
"""

from __future__ import annotations

from functools import lru_cache

from app.storage.search.tokens import CJK_RUN, normalise

FULL_CAP = 16  # letters of full spelling per token (at least one whole syllable)
INITIALS_CAP = 8
_MAX_PHRASE = 6
# Compound surnames read as one phrase; anything else takes every reading of its first char.
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫 万俟 闻人 呼延".split()
)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, int]]:
    """(character → readings, phrase → syllables, first character → longest phrase length)."""
    from app.storage.search.pinyin_table import DATA

    chars: dict[str, tuple[str, ...]] = {}
    phrases: dict[str, tuple[str, ...]] = {}
    longest: dict[str, int] = {}
    for line in DATA.split("\n"):
        key, _, value = line.partition("\t")
        if "," in key or key.isascii():
            readings = tuple(key.split(","))
            for c in value:
                chars[c] = readings
        elif len(key) <= _MAX_PHRASE:
            phrases[key] = tuple(value.split(" "))
            longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return chars, phrases, longest


def table_version() -> str:
    from app.storage.search.pinyin_table import VERSION

    return VERSION


def char_readings(char: str) -> tuple[str, ...]:
    """Every reading of one character, the common one first (单 → dan, chan, shan)."""
    return _table()[0].get(char, ())


def syllables(text: str) -> list[str]:
    """Phrase-aware readings of the CJK characters in `text` (重庆 → chong qing)."""
    chars, phrases, longest = _table()
    out: list[str] = []
    for run in CJK_RUN.findall(text):
        i, n = 0, len(run)
        while i < n:
            # Only ~1,500 characters start a phrase whose reading differs: skip the rest fast.
            size = min(longest.get(run[i], 0), n - i)
            while size > 1:
                found = phrases.get(run[i : i + size])
                if found:
                    out.extend(found)
                    i += size
                    break
                size -= 1
            else:
                readings = chars.get(run[i])
                if readings:
                    out.append(readings[0])
                i += 1
    return out


def name_readings(name: str, *, person: bool) -> list[list[str]]:
    """The syllable lists a name can be read as: one, or one per surname reading of a person."""
    name = normalise(name).strip()
    if not name:
        return []
    if not person or not CJK_RUN.match(name):
        base = syllables(name)
        return [base] if base else []
    if name[:2] in _COMPOUND_SURNAMES:
        return [syllables(name[:2]) + _given(name[2:])]
    given = _given(name[1:])
    return [[reading, *given] for reading in char_readings(name[0])] or ([given] if given else [])


def _given(text: str) -> list[str]:
    """A given name, read character by character: phrase readings fit words, not names."""
    return [r[0] for r in map(char_readings, text) if r]


def tokens(readings: list[list[str]]) -> tuple[list[str], list[str]]:
    """(head, rest) tokens: those starting at the first syllable, and those starting later.

    The full-spelling token from syllable i runs to the first syllable boundary at or past
    FULL_CAP letters (or the end); the initials token holds up to INITIALS_CAP letters.
    """
    head: dict[str, None] = {}
    rest: dict[str, None] = {}
    for sylls in readings:
        full = "".join(sylls)
        initials = "".join(s[0] for s in sylls)
        offsets = [0]
        for syllable in sylls:
            offsets.append(offsets[-1] + len(syllable))
        n, j = len(sylls), 0
        for i in range(n):
            j = max(j, i + 1)
            while j < n and offsets[j] - offsets[i] < FULL_CAP:
                j += 1
            target = head if i == 0 else rest
            target[full[offsets[i] : offsets[j]]] = None
            target[initials[i : i + INITIALS_CAP]] = None
    return list(head), list(rest)


def is_pinyin_word(word: str) -> bool:
    """A query word that may be pinyin: ASCII letters only."""
    return word.isascii() and word.isalpha()


@lru_cache(maxsize=1)
def _syllables() -> tuple[frozenset[str], frozenset[str]]:
    """(every syllable, every proper prefix of one) of the readings table."""
    whole = frozenset(r for readings in _table()[0].values() for r in readings)
    prefixes = frozenset(w[:i] for w in whole for i in range(1, len(w)))
    return whole, prefixes


def is_spelling(word: str) -> bool:
    """Whether `word` reads as whole syllables, the last possibly unfinished ("xujiji")."""
    whole, prefixes = _syllables()
    ends = [True] + [False] * len(word)  # ends[i]: word[:i] is whole syllables
    for i in range(len(word)):
        if ends[i]:
            for j in range(i + 1, min(len(word), i + 6) + 1):
                if word[i:j] in whole:
                    ends[j] = True
                elif j == len(word) and word[i:j] in prefixes:
                    return True
    return ends[-1]


def query_token(word: str) -> str:
    """The prefix to look up for pinyin query `word`, cut to the cap of its kind."""
    if len(word) <= INITIALS_CAP:
        return word
    return word[:FULL_CAP] if is_spelling(word) else word[:INITIALS_CAP]


def match_span(readings: list[list[str]], name: str, word: str) -> tuple[int, int] | None:
    """Character range of `name` a pinyin `word` matched, for highlighting (CJK chars only)."""
    positions = [i for i, c in enumerate(name) if CJK_RUN.match(c)]
    for sylls in readings:
        if len(sylls) != len(positions):
            continue
        for i in range(len(sylls)):
            full, initials = "", ""
            for j in range(i, len(sylls)):
                full += sylls[j]
                initials += sylls[j][0]
                if full.startswith(word) or initials.startswith(word):
                    return positions[i], positions[j] + 1
                if not (word.startswith(full) or word.startswith(initials)):
                    break
    return None
