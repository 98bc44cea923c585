"""统一社会信用代码 (GB 32100-2015): character set and check character."""

from __future__ import annotations

import re
import unicodedata

# GB 32100-2015 Table 1: the 31 characters, I O Z S V excluded, valued 0..30 in this order.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Weight of position i (0-based) is 3**i mod 31.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def normalise(text: str) -> str:
    """Upper-case, half-width, without spaces or hyphens: the form a USCC is stored in."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-]", "", text).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in the alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` (already normalised) is not a valid USCC, or None when it is.

    Returns one of `uscc_length`, `uscc_chars`, `uscc_checksum`.
    """
    if len(code) != 18:
        return "uscc_length"
    if not _SHAPE.match(code):
        return "uscc_chars"
    if check_character(code[:17]) != code[17]:
        return "uscc_checksum"
    return None


def looks_like_uscc(text: str) -> bool:
    """True when a search query has the shape of a USCC (18 characters from the alphabet)."""
    return bool(_SHAPE.match(normalise(text)))
