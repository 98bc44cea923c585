"""Reading the org's feed: pull by cursor, one bucket at a time, epoch copies."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import Connection, select

from app.domain import digest as digests
from app.domain.errors import AppError, ValidationError
from app.domain.records import SPECS
from server import db
from server.services.writer import WIRE_COLUMNS, read_digests, wire_json


class EpochChanged(AppError):
    """The cursor belongs to another epoch (or runs past the server's highest seq)."""

    code = "new_epoch"

    def __init__(self, epoch: str) -> None:
        super().__init__("new_epoch", "cursor")
        self.epoch = epoch


# The digests of an org at one (epoch, seq): every write that changes them takes a new seq in
# the same transaction, so they are read once per state, not on every no-op pull.
_digests: dict[int, tuple[str, int, dict[str, Any]]] = {}


def org_digests(conn: Connection, org_id: int, epoch: str, seq: int) -> dict[str, Any]:
    """`read_digests` for the org's state at (epoch, seq), as read in this transaction."""
    cached = _digests.get(org_id)
    if cached is not None and cached[0] == epoch and cached[1] == seq:
        return cached[2]
    found = read_digests(conn, org_id)
    _digests[org_id] = (epoch, seq, found)
    return found


def encode_cursor(epoch: str, seq: int) -> str:
    raw = f"1:{epoch}:{seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, epoch, seq = raw.split(":")
        if version != "1" or len(epoch) != 36:
            raise ValueError(version)
        return epoch, int(seq)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("cursor_invalid", "cursor") from None


# A feed reads each record's stored wire JSON only (not its data and meta columns too).
FEED_COLUMNS = (db.record.c.id, db.record.c.seq, db.record.c.wire)


def _feed_json(conn: Connection, org_id: int, rows: list[Any]) -> list[str]:
    """The wire JSON of FEED_COLUMNS rows, in order; a row written before the wire column
    existed (NULL there) is read whole and encoded."""
    missing = [r.id for r in rows if r.wire is None]
    encoded: dict[str, str] = {}
    for start in range(0, len(missing), 500):
        for r in conn.execute(select(*WIRE_COLUMNS).where(
            db.record.c.org_id == org_id,
            db.in_list(conn, db.record.c.id, missing[start:start + 500]),
        )):
            encoded[r.id] = wire_json(r)
    return [str(r.wire) if r.wire is not None else encoded[r.id] for r in rows]


def pull(conn: Connection, *, org_id: int, cursor: str | None, limit: int) -> dict[str, Any]:
    """Records after the cursor in seq order, one page, with the org's counts and digests.

    `records` holds each record's JSON text, to be spliced into the reply unparsed.

    Runs in one read transaction, so the digests describe exactly the state the page ends in
    once `has_more` is false.
    """
    org = conn.execute(select(db.org).where(db.org.c.id == org_id)).one()
    after = 0
    if cursor:
        try:
            epoch, after = decode_cursor(cursor)
        except ValidationError:
            # A cursor we cannot read is one we did not hand out in this epoch: start over.
            raise EpochChanged(org.epoch) from None
        if epoch != org.epoch or after > org.seq:
            raise EpochChanged(org.epoch)
    rows = conn.execute(
        select(*FEED_COLUMNS).where(db.record.c.org_id == org_id, db.record.c.seq > after)
        .order_by(db.record.c.seq).limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].seq if rows else after
    return {
        "epoch": org.epoch,
        "cursor": encode_cursor(org.epoch, last),
        "has_more": has_more,
        "seq": org.seq,
        "records": _feed_json(conn, org_id, rows),  # JSON text each (see routes.sync)
        "digests": org_digests(conn, org_id, org.epoch, org.seq),
    }


def bucket(
    conn: Connection, *, org_id: int, type_name: str, bucket_no: int, after_id: str | None,
    limit: int,
) -> dict[str, Any]:
    """Every record (tombstones too) of one type whose id starts with the bucket's hex digit."""
    if type_name not in SPECS:
        raise ValidationError("unknown_type", "type", value=type_name)
    if not 0 <= bucket_no < digests.BUCKETS:
        raise ValidationError("bucket_range", "bucket")
    prefix = f"{bucket_no:x}"
    org = conn.execute(select(db.org).where(db.org.c.id == org_id)).one()
    stmt = select(*FEED_COLUMNS).where(
        db.record.c.org_id == org_id, db.record.c.type == type_name,
        db.record.c.id.like(prefix + "%"),
    )
    if after_id:
        stmt = stmt.where(db.record.c.id > after_id)
    rows = conn.execute(stmt.order_by(db.record.c.id).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {
        "epoch": org.epoch,
        "cursor": encode_cursor(org.epoch, org.seq),
        "type": type_name,
        "bucket": bucket_no,
        "records": _feed_json(conn, org_id, rows),
        "next_after_id": rows[-1].id if has_more and rows else None,
        "digests": read_digests(conn, org_id),
    }


def epoch_copies(conn: Connection, *, org_id: int, ids: list[str]) -> dict[str, Any]:
    """Records as they were when the current epoch began (the base of a post-restore merge)."""
    org = conn.execute(select(db.org).where(db.org.c.id == org_id)).one()
    found = []
    if ids:
        rows = conn.execute(select(db.epoch_copy.c.record).where(
            db.epoch_copy.c.org_id == org_id, db.epoch_copy.c.id.in_(ids)))
        found = [json.loads(r[0]) for r in rows]
    return {"epoch": org.epoch, "data": found, "count": len(found)}
