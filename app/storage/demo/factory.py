"""Seeded makers of the small values demo records are built from: ids, names, dates, codes."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Sequence
from typing import TypeVar

from app.domain.uscc import check_character
from app.storage.demo import names

T = TypeVar("T")

# The demo world's "today": fixed so the same seed gives the same data on any day.
BASE_DATE = dt.date(2025, 11, 20)
WINDOW_START = dt.date(2023, 1, 1)
WINDOW_DAYS = (BASE_DATE - WINDOW_START).days

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "191", "193", "195", "198", "199",
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# GB 11714 organisation code: the check digit of the 9-character code inside a USCC.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class Factory:
    """One random stream per record type, all derived from the seed, so the data of one type
    does not shift when another type's generation changes."""

    def __init__(self, seed: int, stream: str) -> None:
        self.rng = random.Random(f"fielddesk-demo/{seed}/{stream}")
        self.random = self.rng.random  # bound once: called millions of times
        self._surnames, self._surname_cum = names.weighted(names.SURNAMES)
        self._titles, self._title_cum = names.weighted(names.CONTACT_TITLES)

    # The helpers below avoid random.randint/choices on purpose: generating 100,000 enterprises
    # calls them millions of times and those are several times slower than random().

    def uid(self) -> str:
        """A version-4 UUID from the seeded stream (same value as uuid.UUID(int=…, version=4))."""
        x = self.rng.getrandbits(128)
        x = (x & ~(0xC000 << 48)) | (0x8000 << 48)
        x = (x & ~(0xF000 << 64)) | (4 << 76)
        h = f"{x:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def chance(self, p: float) -> bool:
        return self.random() < p

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def pick(self, pool: Sequence[T]) -> T:
        return pool[int(self.random() * len(pool))]

    def pick_weighted(self, values: Sequence[T], cum: Sequence[float]) -> T:
        return values[self.weighted_index(cum)]

    def weighted_index(self, cum: Sequence[float]) -> int:
        """An index drawn with the weights whose running totals are `cum`."""
        return bisect.bisect(cum, self.random() * cum[-1])

    def person(self) -> str:
        surname = self.pick_weighted(self._surnames, self._surname_cum)
        given = names.GIVEN_CHARS
        if self.random() < 0.3:
            return surname + self.pick(given)
        return surname + self.pick(given) + self.pick(given)

    def contact_title(self) -> str:
        return self.pick_weighted(self._titles, self._title_cum)

    def mobile(self) -> str:
        return self.pick(_MOBILE_PREFIXES) + f"{self.below(100_000_000):08d}"

    def landline(self, area: str) -> str:
        digits = 8 if len(area) == 3 else 7
        number = self.between(2 * 10 ** (digits - 1), 9 * 10 ** (digits - 1) - 1)
        return f"{area}-{number}"

    def letters(self, low: int, high: int) -> str:
        return "".join(self.pick(_LETTERS) for _ in range(self.between(low, high)))

    def uscc(self, division: str) -> str:
        """A valid 统一社会信用代码: 91 (企业, 工商), division, organisation code, check."""
        if self.rng.random() < 0.7:  # codes issued since 2015 mostly start with MA
            body = "MA" + "".join(self.pick(_ORG_CHARS) for _ in range(6))
        else:
            body = f"{self.below(100_000_000):08d}"
        org = body + _org_check(body)
        first17 = "91" + division + org
        return first17 + check_character(first17)

    def day(self, start: dt.date = WINDOW_START, days: int = WINDOW_DAYS) -> dt.date:
        return start + dt.timedelta(days=self.below(max(1, days)))

    def stamp(self, day: dt.date) -> str:
        """A UTC timestamp during Beijing office hours of `day` (01:00–11:00 UTC)."""
        ms = self.below(36_000_000)
        # Pre-formatted pieces: this runs for every record, twice.
        return f"{_iso(day)}T{_CLOCK[ms // 1000]}.{_MILLIS[ms % 1000]}Z"


_CLOCK = tuple(f"{1 + s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(36_000))
_MILLIS = tuple(f"{n:03d}" for n in range(1000))
_ISO: dict[int, str] = {}


def _iso(day: dt.date) -> str:
    key = day.toordinal()
    text = _ISO.get(key)
    if text is None:
        text = _ISO[key] = day.isoformat()
    return text


def _org_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    return "0" if check == 11 else str(check)


def _value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def spread(rng: random.Random, parents: int, total: int, shape: tuple[float, ...]) -> list[int]:
    """Per-parent child counts summing exactly to `total`.

    `shape[k]` is the share of parents with k children; counts are then nudged one at a time
    until their sum is `total`, so ratios per parent are exact and the spread looks natural.
    """
    if parents <= 0:
        return []
    counts: list[int] = []
    for k, share in enumerate(shape):
        counts += [k] * round(share * parents)
    counts = (counts + [1] * parents)[:parents]
    rng.shuffle(counts)
    diff = total - sum(counts)
    while diff != 0:
        i = int(rng.random() * parents)
        if diff > 0:
            counts[i] += 1
            diff -= 1
        elif counts[i] > 0:
            counts[i] -= 1
            diff += 1
    return counts
