"""Pre-tokenising text for FTS5: CJK runs become overlapping bigrams, other words pass through.

FTS5's own tokenizers cannot do 1- and 2-character Chinese queries (unicode61 makes a whole
run one token, trigram ignores queries under 3 characters). So the index is fed text that is
already split: every run of CJK characters is written as its overlapping bigrams
("许继集团" → "许继 继集 集团"), and unicode61 then only splits on the spaces. So

- a 2-character query is one exact token ("电池");
- a longer query is a phrase of its overlapping bigrams ("许继 继集 集团");
- a 1-character query looks in a separate table of each document's distinct characters
  (`char_tokens`), which is cheaper than a prefix index over the bigrams.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Han (with Extension A and the supplementary planes), kana and hangul: scripts written
# without spaces between words, so they are cut into bigrams.
_CJK = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303a\u3041-\u3096\u309d-\u309f\u30a1-\u30fa"
    "\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
CJK_CLASS = _CJK  # for a character class: f"[{CJK_CLASS}]"
CJK_RUN = re.compile(f"[{_CJK}]+")
# What unicode61 keeps together as a token: letters, digits (and marks). The underscore is a
# separator for unicode61 but not for \w, hence the explicit class.
_WORD = re.compile(r"[^\W_]+")
_SPLIT = re.compile(f"([{_CJK}]+)")
_FIRST = re.compile(f"[{_CJK}]|[^\\W_]")


def normalise(text: str) -> str:
    """NFKC and lower case: full-width letters and digits match their half-width forms."""
    return unicodedata.normalize("NFKC", text).lower()


def prepare(*parts: str | None) -> str:
    """Field values joined and normalised, ready for `index_text` and `char_tokens`."""
    return normalise(" ".join(p for p in parts if p))


def _bigrams(m: re.Match[str]) -> str:
    run = m.group()
    return " " + " ".join(map(str.__add__, run[:-1], run[1:])) + " "


def index_text(text: str) -> str:
    """The text handed to FTS5 for prepared `text`: CJK runs as overlapping bigrams.

    A run of one character yields nothing here (search_char has it). The output must be
    the same for the same input forever: contentless deletes replay it.
    """
    return CJK_RUN.sub(_bigrams, text)


def char_tokens(text: str) -> list[str]:
    """The distinct CJK characters of prepared `text` and the first characters of its words.

    They feed the 1-character table: a CJK character matches wherever it occurs, a letter or
    digit where a word starts with it.
    """
    found = dict.fromkeys("".join(CJK_RUN.findall(text)))
    found.update(dict.fromkeys(w[0] for w in _WORD.findall(CJK_RUN.sub(" ", text))))
    return list(found)


def head_char(text: str) -> str | None:
    """The first character of prepared `text`'s first token, for the "starts with" tier."""
    m = _FIRST.search(text)
    return m.group() if m else None


@dataclass(frozen=True)
class Unit:
    """One searchable piece of a query word: a CJK run or a run of letters/digits."""

    text: str
    is_cjk: bool

    def fts(self, *, exact: bool = False) -> str:
        """This unit as an FTS5 expression; every token is quoted, so no syntax gets through.

        Args:
            exact: match the whole token only (a USCC), not as a prefix.
        """
        if self.is_cjk:
            if len(self.text) == 1:
                return f'"{self.text}" *'
            return '"' + " ".join(self.text[i : i + 2] for i in range(len(self.text) - 1)) + '"'
        return f'"{self.text}"' if exact else f'"{self.text}" *'


def query_units(word: str) -> list[Unit]:
    """Split one (normalised) query word into the units FTS5 can look up.

    Anything that is neither CJK nor a letter or digit — quotes, *, -, parentheses, ^, : — is
    dropped here, which is what makes every query safe to hand to MATCH.
    """
    units: list[Unit] = []
    for piece in _SPLIT.split(word):
        if not piece:
            continue
        if CJK_RUN.fullmatch(piece):
            units.append(Unit(piece, True))
        else:
            units.extend(Unit(m.group(), False) for m in _WORD.finditer(piece))
    return units
