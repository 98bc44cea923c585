"""Applying a push: per-change replies, replays, groups all-or-nothing, conflicts, USCC."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from app.domain import uscc as uscc_rules
from app.domain import wire
from app.domain.enums import ListKind, Role
from app.domain.errors import ValidationError
from app.domain.records import SPECS, FieldSpec
from app.domain.values import utc_now
from server import db, sanitize
from server.services.auth import CurrentUser
from server.services.pull import decode_cursor, encode_cursor
from server.services.writer import (
    StoredRecord,
    Writer,
    compact_json,
    json_text,
    new_record,
    parent_ids,
)

log = logging.getLogger(__name__)


class NewEpoch(Exception):
    """The push names another epoch: nothing of it is applied."""

    def __init__(self, epoch: str) -> None:
        super().__init__(epoch)
        self.epoch = epoch


@dataclass
class PushResult:
    epoch: str
    replies: list[str]  # the JSON text of each reply, in request order (as stored)
    seq: int
    cursor: str | None = None


class _Refuse(Exception):
    """A change that will not be applied; carries its finished reply."""

    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__(reply.get("status"))
        self.reply = reply


def push(
    conn: Connection, *, user: CurrentUser, epoch: str | None, changes: Sequence[wire.Change],
    cursor: str | None = None,
) -> PushResult:
    """Apply changes in order inside the caller's write transaction (org row locked).

    `cursor` is the client's pull cursor. When it is at the org's head, every seq this push
    hands out is one of its own accepted changes, which the client records from the replies:
    the result then carries the cursor after the push, so the client moves its cursor with
    the replies instead of pulling its own changes back.
    """
    org = db.lock_org(conn, user.org_id)
    if epoch is not None and epoch != org.epoch:
        raise NewEpoch(org.epoch)
    at_head = False
    if cursor is not None:
        try:
            at_head = decode_cursor(cursor) == (org.epoch, org.seq)
        except ValidationError:
            at_head = False
    w = Writer(conn=conn, org_id=org.id, seq=org.seq, now=utc_now())
    stored = _stored_replies(conn, org.id, [c.change_id for c in changes])
    ids = [c.id for c in changes]
    for c in changes:  # the records these changes point at, fetched with them
        for name, value in c.fields.items():
            if name.endswith("_id") and isinstance(value, str):
                ids.append(value)
            elif name.endswith("_ids") and isinstance(value, list):
                ids += [v for v in value if isinstance(v, str)]
    w.prefetch(_uuids(ids))
    # Every change is checked against its record's parents (an edit under a tombstoned parent
    # is a conflict): fetch them in the same few queries, not one query per change. Their type
    # and tombstone are all that check reads (a conflict loads the one parent it reports).
    w.prefetch_kinds(_uuids([p for c in changes if (rec := w.cache.get(c.id)) is not None
                             for p in parent_ids(rec)]))
    w.prefetch_uscc([
        uscc_rules.normalise(c.fields["uscc"]) for c in changes
        if c.type == "enterprise" and isinstance(c.fields.get("uscc"), str)
    ])
    replies: dict[str, dict[str, Any] | str] = {}  # a stored reply stays the text it was
    new_replies: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    w.ahead = not db.is_sqlite(conn)  # PostgreSQL: UPDATEs sent on while we go on
    w.reply_time = time.time()
    try:
        _apply_units(w, user, changes, stored, replies, new_replies, order)
        w.finish()
    except BaseException as e:
        w.sync(e)  # the connection leaves the pipeline before the rollback
        raise
    texts = {cid: w.reply_texts.get(cid) or reply_json(r) for cid, r in new_replies.items()}
    if texts:
        now = time.time()
        if db.is_sqlite(conn):  # (tuples straight to the driver, as Writer.flush does)
            conn.exec_driver_sql(
                "INSERT INTO applied_change (org_id, change_id, reply, created_at)"
                " VALUES (?, ?, ?, ?)",
                [(org.id, cid, text, now) for cid, text in texts.items()],
            )
        else:  # (those not stored with the UPDATEs sent ahead)
            w.reply_texts.update(texts)
            unsent = [cid for cid in texts if cid not in w.replies_sent]
            if unsent:
                w.insert_replies(unsent)
    return PushResult(epoch=org.epoch, seq=w.seq,
                      replies=[texts[cid] if cid in texts else stored[cid] for cid in order],
                      cursor=encode_cursor(org.epoch, w.seq) if at_head else None)


def _apply_units(
    w: Writer, user: CurrentUser, changes: Sequence[wire.Change], stored: dict[str, str],
    replies: dict[str, dict[str, Any] | str], new_replies: dict[str, dict[str, Any]],
    order: list[str],
) -> None:
    """Apply the changes not replayed, unit by unit, collecting their replies."""
    for unit in _units(changes):
        fresh = [c for c in unit if c.change_id not in stored and c.change_id not in replies]
        for c in unit:
            order.append(c.change_id)
            if c.change_id in stored:
                replies[c.change_id] = stored[c.change_id]
        if not fresh:
            continue
        if len(fresh) == 1 and fresh[0].group is None:
            reply = _apply_one(w, user, fresh[0], group_deletes=None)
            replies[fresh[0].change_id] = new_replies[fresh[0].change_id] = reply
            if w.ahead:  # final: stored with the next UPDATEs sent ahead
                w.add_reply(fresh[0].change_id, reply_json(reply))
        else:
            for change_id, reply in _apply_group(w, user, fresh).items():
                replies[change_id] = new_replies[change_id] = reply


def reply_json(reply: dict[str, Any]) -> str:
    """`compact_json(reply)`; an accepted reply (nearly all of them) formatted directly."""
    if reply["status"] == wire.ACCEPTED and len(reply) == 4:
        return (f'{{"change_id":{json_text(reply["change_id"])},"status":"accepted",'
                f'"version":{json_text(reply["version"])},"seq":{json_text(reply["seq"])}}}')
    return compact_json(reply)


def _uuids(ids: list[str]) -> list[str]:
    from app.domain.records import is_uuid

    return [i.lower() for i in ids if is_uuid(i)]


def _units(changes: Sequence[wire.Change]) -> list[list[wire.Change]]:
    """Changes in order; the members of one group form one unit at its first member's place."""
    units: list[list[wire.Change]] = []
    groups: dict[str, list[wire.Change]] = {}
    for c in changes:
        if c.group is None:
            units.append([c])
        elif c.group in groups:
            groups[c.group].append(c)
        else:
            groups[c.group] = [c]
            units.append(groups[c.group])
    return units


def _stored_replies(conn: Connection, org_id: int, change_ids: list[str]) -> dict[str, str]:
    """The stored reply text of each change id already answered (sent back as it is)."""
    rows = db.select_in(conn, "SELECT change_id, reply FROM applied_change WHERE org_id = ?",
                        (org_id,), "change_id", list(dict.fromkeys(change_ids)))
    return {cid: str(reply) for cid, reply in rows}


def _apply_group(
    w: Writer, user: CurrentUser, changes: list[wire.Change]
) -> dict[str, dict[str, Any]]:
    """All or nothing: on any refusal the group's writes roll back and every member says why."""
    state = w.save_state()
    ahead, w.ahead = w.ahead, False  # no UPDATE in flight across the savepoint's commands
    try:
        return _apply_group_in(w, user, changes, state)
    finally:
        w.ahead = ahead


def _apply_group_in(
    w: Writer, user: CurrentUser, changes: list[wire.Change], state: Any
) -> dict[str, dict[str, Any]]:
    savepoint = w.conn.begin_nested()
    replies: dict[str, dict[str, Any]] = {}
    deletes: set[str] = set()
    failed: dict[str, Any] | None = None
    for c in changes:
        reply = _apply_one(w, user, c, group_deletes=deletes)
        replies[c.change_id] = reply
        if reply["status"] != wire.ACCEPTED:
            failed = reply
            break
    if failed is None:
        # Children tombstoned later in the group count; any still live refuse the whole group.
        for c in changes:
            if c.id in deletes:
                child = w.has_live_children(c.id)
                if child is not None:
                    rec = w.get(c.id)
                    failed = replies[c.change_id] = wire.conflict(
                        c.change_id, wire.HAS_CHILDREN, rec.to_wire() if rec else None,
                        other=child.to_wire(),
                    )
                    break
    if failed is None:
        w.flush()
        savepoint.commit()
        return replies
    savepoint.rollback()
    w.restore_state(state)
    for c in changes:
        if c.change_id not in replies or replies[c.change_id]["status"] == wire.ACCEPTED:
            replies[c.change_id] = wire.rejected(
                c.change_id, ValidationError("group_failed", "group", other=failed["change_id"])
            )
    return replies


def _apply_one(
    w: Writer, user: CurrentUser, c: wire.Change, *, group_deletes: set[str] | None
) -> dict[str, Any]:
    try:
        return _evaluate(w, user, c, group_deletes)
    except _Refuse as refusal:
        return refusal.reply
    except ValidationError as e:
        return sanitize.deep(wire.rejected(c.change_id, _safe(e)))  # type: ignore[no-any-return]


def _evaluate(
    w: Writer, user: CurrentUser, c: wire.Change, group_deletes: set[str] | None
) -> dict[str, Any]:
    spec = SPECS[c.type]
    current = w.get(c.id)
    if current is not None and current.type != spec.type:
        raise ValidationError("type_mismatch", "type", record_type=spec.type)
    if current is not None and not (
        c.base_version == current.version
        or (c.base_change_id is not None and c.base_change_id == current.last_change_id)
    ):
        raise _Refuse(wire.conflict(c.change_id, wire.STALE, current.to_wire()))

    def list_has(kind: ListKind, value: str) -> bool:
        return (kind.value, value) in w.list_values()

    # (validation only reads the current data: no copy of it)
    existing = None if current is None else current.data
    cleaned, deleted = wire.clean_change(spec.type, c.fields, existing=existing, list_has=list_has)
    now = w.now or utc_now()
    if current is None:
        # A record created and deleted before it was ever sent arrives as one change that
        # creates a tombstone; it still has to be a valid record.
        data = {f.name: cleaned.get(f.name, f.empty()) for f in spec.fields}
        new = new_record(spec.type, c.id, data, user=user.username, now=now,
                         change_id=c.change_id, seq=0, deleted=bool(deleted))
    else:
        if current.deleted and deleted is not False and (cleaned or deleted is None):
            raise _Refuse(wire.conflict(c.change_id, wire.DELETED, current.to_wire()))
        _check_permissions(user, current, cleaned, deleted)
        if spec.type == "lead_stage_change" and any(
            current.data.get(k) != v for k, v in cleaned.items()
        ):
            raise ValidationError("immutable", next(iter(cleaned)), record_type=spec.type)
        data = {**current.data, **cleaned}
        new = StoredRecord(
            type=spec.type, id=c.id, version=current.version + 1, seq=0,
            deleted=current.deleted if deleted is None else deleted, data=data,
            created_at=current.created_at, created_by=current.created_by, updated_at=now,
            updated_by=user.username, last_change_id=c.change_id,
        )
    if not new.deleted:
        _check_refs(w, c, new, current, cleaned)
        _check_visit_contacts(w, new, cleaned)
        _check_unique(w, c, new, current)
    elif new.deleted and (current is None or not current.deleted):
        if group_deletes is None:
            child = w.has_live_children(c.id)
            if child is not None:
                raise _Refuse(wire.conflict(
                    c.change_id, wire.HAS_CHILDREN, current.to_wire() if current else None,
                    other=child.to_wire(),
                ))
        else:
            group_deletes.add(c.id)
    new.seq = w.next_seq()
    w.put(current, new)
    return wire.accepted(c.change_id, new.version, new.seq)


def _check_permissions(
    user: CurrentUser, current: StoredRecord, cleaned: dict[str, Any], deleted: bool | None
) -> None:
    if deleted and current.created_by != user.username and user.role == Role.MEMBER.value:
        raise ValidationError("forbidden_delete", "deleted", record_type=current.type)
    if current.type == "list_item" and user.role != Role.ADMIN.value:
        renamed = any(current.data.get(k) != cleaned[k] for k in ("kind", "value") if k in cleaned)
        if renamed or deleted is not None:
            field = "deleted" if deleted is not None else "value"
            raise ValidationError("forbidden_list", field, record_type="list_item")


def _check_refs(
    w: Writer, c: wire.Change, new: StoredRecord, current: StoredRecord | None,
    cleaned: dict[str, Any],
) -> None:
    """Refs must point at records of this org; a tombstoned parent makes a conflict."""
    spec = SPECS[new.type]
    for f, is_parent in _ref_fields(new.type):
        # Parents are checked on every change (an edit under a deleted parent is a conflict);
        # other references only when this change sets them.
        if not is_parent and f.name not in cleaned:
            continue
        if not is_parent and current is not None and current.deleted is False and (
            current.data.get(f.name) == new.data.get(f.name)
        ):
            continue
        value = new.data.get(f.name)
        targets = (value or []) if f.kind == "refs" else ([value] if value else [])
        for target_id in targets:
            kind = w.kind_of(target_id)
            if kind is None or kind[0] != f.ref:
                raise ValidationError("ref_missing", f.name, record_type=spec.type, value=target_id)
            if kind[1]:
                target = w.get(target_id)
                assert target is not None
                raise _Refuse(wire.conflict(
                    c.change_id, wire.PARENT_DELETED, current.to_wire() if current else None,
                    other=target.to_wire(),
                ))


@functools.cache
def _ref_fields(type_name: str) -> tuple[tuple[FieldSpec, bool], ...]:
    """The type's ref and refs fields, each with whether it names a parent."""
    spec = SPECS[type_name]
    return tuple((f, f.name in spec.parents) for f in spec.fields if f.kind in ("ref", "refs"))


def _check_visit_contacts(w: Writer, new: StoredRecord, cleaned: dict[str, Any]) -> None:
    """A visit meets contacts of the enterprise it visits (as the client checks)."""
    if new.type != "visit" or not ({"contact_ids", "enterprise_id"} & set(cleaned)):
        return
    for cid in new.data.get("contact_ids") or []:
        contact = w.get(cid)
        if contact is not None and contact.data.get("enterprise_id") != new.data.get("enterprise_id"):
            raise ValidationError("contact_other_enterprise", "contact_ids", record_type="visit")


def _check_unique(
    w: Writer, c: wire.Change, new: StoredRecord, current: StoredRecord | None
) -> None:
    if new.type == "enterprise" and new.uscc and (current is None or current.uscc != new.uscc):
        owner = w.uscc_owner(new.uscc, new.id)
        if owner is not None:
            raise _Refuse(wire.conflict(
                c.change_id, wire.DUPLICATE, current.to_wire() if current else None,
                duplicate_of=owner.id, other=owner.to_wire(),
            ))
    if new.type == "list_item":
        key = (new.data.get("kind"), new.data.get("value"))
        unchanged = current is not None and not current.deleted and (
            (current.data.get("kind"), current.data.get("value")) == key
        )
        if not unchanged and key in w.list_values():
            raise ValidationError("list_value_exists", "value", value=key[1])


def _safe(e: ValidationError) -> ValidationError:
    """Field names echoed back are trimmed and stripped of NUL (PostgreSQL text refuses it)."""
    if e.field is not None:
        e.field = sanitize.text(e.field, 100)
    for k, v in list(e.params.items()):
        if isinstance(v, list):
            e.params[k] = [sanitize.text(str(x), 100) for x in v[:20]]
        elif not isinstance(v, (int, float, bool)) and v is not None:
            e.params[k] = sanitize.text(str(v), 200)
    return e
