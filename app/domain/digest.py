"""Order-independent per-type digests of synced records, computed alike by client and server."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BUCKETS = 16
_MASK = (1 << 64) - 1


def bucket_of(record_id: str) -> int:
    """The bucket of a record: the first hex digit of its (lower-case UUID) id."""
    try:
        return int(record_id[0], 16)
    except (ValueError, IndexError):
        return 0


def record_hash(type_name: str, record_id: str, version: int, deleted: bool) -> int:
    """An unsigned 64-bit hash of (type, id, version, deleted): first 8 bytes of SHA-256."""
    text = f"{type_name}\x1f{record_id.lower()}\x1f{int(version)}\x1f{1 if deleted else 0}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def to_signed(value: int) -> int:
    """A 64-bit unsigned value as the signed integer a BIGINT column can hold."""
    value &= _MASK
    return value - (1 << 64) if value >= 1 << 63 else value


def to_hex(value: int) -> str:
    """The wire form of a bucket digest: 16 lower-case hex digits."""
    return f"{value & _MASK:016x}"


@dataclass
class TypeDigest:
    """Counts and XOR digests of one record type, per bucket."""

    counts: list[int] = field(default_factory=lambda: [0] * BUCKETS)
    digests: list[int] = field(default_factory=lambda: [0] * BUCKETS)

    def add(self, record_id: str, value: int) -> None:
        b = bucket_of(record_id)
        self.counts[b] += 1
        self.digests[b] ^= value

    def to_wire(self) -> dict[str, object]:
        return {
            "count": sum(self.counts),
            "bucket_counts": list(self.counts),
            "buckets": [to_hex(d) for d in self.digests],
        }


def compute(records: Iterable[tuple[str, str, int, bool]]) -> dict[str, dict[str, object]]:
    """Per-type digests over (type, id, version, deleted) tuples, in wire form.

    The client runs this over its last-synced copies; the server keeps the same numbers
    up to date in every write and returns them with every pull.
    """
    by_type: dict[str, TypeDigest] = {}
    for type_name, record_id, version, deleted in records:
        d = by_type.setdefault(type_name, TypeDigest())
        d.add(record_id, record_hash(type_name, record_id, version, deleted))
    return {t: d.to_wire() for t, d in sorted(by_type.items())}


def differing_buckets(
    mine: Mapping[str, Mapping[str, object]], theirs: Mapping[str, Mapping[str, object]]
) -> list[tuple[str, int]]:
    """(type, bucket) pairs whose digest or count differs between two wire digests."""
    out: list[tuple[str, int]] = []
    empty = TypeDigest().to_wire()
    for type_name in sorted(set(mine) | set(theirs)):
        a, b = mine.get(type_name, empty), theirs.get(type_name, empty)
        for i in range(BUCKETS):
            if (a["buckets"][i], a["bucket_counts"][i]) != (  # type: ignore[index]
                b["buckets"][i], b["bucket_counts"][i]  # type: ignore[index]
            ):
                out.append((type_name, i))
    return out
