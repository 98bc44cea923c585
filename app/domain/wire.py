"""The sync wire format shared by client and server: changes, replies, records (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import ValidationError
from app.domain.records import META_FIELDS, ListLookup, is_uuid, spec_for, validate_fields

API_PREFIX = "/api/v1"
# Every server reply names the oldest client it accepts; a client sends its own version.
MIN_CLIENT_HEADER = "X-FieldDesk-Min-Client-Version"
CLIENT_VERSION_HEADER = "X-FieldDesk-Client-Version"
SERVER_VERSION_HEADER = "X-FieldDesk-Server-Version"
SNAPSHOT_CURSOR_HEADER = "X-FieldDesk-Cursor"
SNAPSHOT_EPOCH_HEADER = "X-FieldDesk-Epoch"
SNAPSHOT_SHA256_HEADER = "X-FieldDesk-Snapshot-SHA256"  # hex digest of the file

PUSH_MAX_CHANGES = 1000
PULL_DEFAULT_LIMIT = 1000
PULL_MAX_LIMIT = 5000

ACCEPTED, CONFLICT, REJECTED = "accepted", "conflict", "rejected"
# Why a change is in conflict.
STALE, DELETED, PARENT_DELETED, DUPLICATE, HAS_CHILDREN = (
    "stale", "deleted", "parent_deleted", "duplicate", "has_children",
)
# The one field of a change that is not a record field: the tombstone flag.
DELETED_FIELD = "deleted"


@dataclass(frozen=True)
class Change:
    """One change as pushed: only the changed fields travel."""

    change_id: str
    type: str
    id: str
    base_version: int | None
    fields: Mapping[str, Any]
    base_change_id: str | None = None
    group: str | None = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "change_id": self.change_id,
            "type": self.type,
            "id": self.id,
            "base_version": self.base_version,
            "fields": dict(self.fields),
        }
        if self.base_change_id:
            out["base_change_id"] = self.base_change_id
        if self.group:
            out["group"] = self.group
        return out


def parse_change(obj: Any, where: str = "change") -> Change:
    """A change from its JSON form; ValidationError names the bad member (e.g. changes[2].id)."""
    if not isinstance(obj, Mapping):
        raise ValidationError("type_object", where)
    for key in ("change_id", "id"):
        if not is_uuid(obj.get(key)):
            raise ValidationError("ref_format", f"{where}.{key}")
    for key in ("base_change_id", "group"):
        if obj.get(key) is not None and not is_uuid(obj.get(key)):
            raise ValidationError("ref_format", f"{where}.{key}")
    base = obj.get("base_version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 1):
        raise ValidationError("int_format", f"{where}.base_version")
    if not isinstance(obj.get("type"), str):
        raise ValidationError("type_text", f"{where}.type")
    type_name = spec_for(obj["type"]).type  # unknown types are refused here
    fields = obj.get("fields")
    if not isinstance(fields, Mapping):
        raise ValidationError("type_object", f"{where}.fields")
    return Change(
        change_id=obj["change_id"].lower(),
        type=type_name,
        id=obj["id"].lower(),
        base_version=base,
        fields=dict(fields),
        base_change_id=(obj.get("base_change_id") or None),
        group=(obj.get("group") or None),
    )


def clean_change(
    type_name: str,
    fields: Mapping[str, Any],
    *,
    existing: Mapping[str, Any] | None,
    list_has: ListLookup | None,
) -> tuple[dict[str, Any], bool | None]:
    """Validate a change's fields against the record they apply to (None for a create).

    Returns (cleaned record fields, the tombstone flag or None when unchanged). The USCC
    override fields are system fields that travel on the wire: an invalid USCC is accepted
    only when `uscc_override_by` is set in the merged record.
    """
    spec = spec_for(type_name)
    values = dict(fields)
    deleted = values.pop(DELETED_FIELD, None)
    if deleted is not None and not isinstance(deleted, bool):
        raise ValidationError("bool", DELETED_FIELD, record_type=spec.type)
    for name in META_FIELDS:
        if name in values:
            raise ValidationError("read_only", name, record_type=spec.type)
    override = values.get("uscc_override_by", (existing or {}).get("uscc_override_by"))
    if deleted is not None and not values and existing is not None:
        return {}, deleted
    cleaned = validate_fields(
        spec,
        values,
        existing=existing,
        list_has=list_has,
        accept_invalid_uscc=bool(override),
        allow_system=True,
    )
    return cleaned, deleted


# --- replies ------------------------------------------------------------------------------


def accepted(change_id: str, version: int, seq: int) -> dict[str, Any]:
    return {"change_id": change_id, "status": ACCEPTED, "version": version, "seq": seq}


def conflict(
    change_id: str,
    reason: str,
    record: Mapping[str, Any] | None,
    *,
    duplicate_of: str | None = None,
    other: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A change the server did not apply because its base or parent moved on.

    `record` is the server's current copy of the changed record (None if it has none);
    `other` is the record that caused it (the tombstoned parent, or the duplicate).
    """
    out: dict[str, Any] = {
        "change_id": change_id,
        "status": CONFLICT,
        "reason": reason,
        "record": dict(record) if record is not None else None,
    }
    if duplicate_of is not None:
        out["duplicate_of"] = duplicate_of
    if other is not None:
        out["other"] = dict(other)
    return out


def rejected(change_id: str, error: ValidationError | Any) -> dict[str, Any]:
    """A change the server will never apply as sent; the client quarantines it."""
    body = error.to_dict()
    return {
        "change_id": change_id,
        "status": REJECTED,
        "field": body["field"],
        "code": body["code"],
        "message": body["message"],
    }


# --- records ------------------------------------------------------------------------------


def record_to_wire(
    type_name: str, record_id: str, data: Mapping[str, Any], meta: Mapping[str, Any]
) -> dict[str, Any]:
    """A record in wire form: type, id, every field of its type, then the meta fields."""
    spec = spec_for(type_name)
    out: dict[str, Any] = {"type": spec.type, "id": record_id}
    for f in spec.fields:
        out[f.name] = data.get(f.name, f.empty())
    for name in META_FIELDS:
        out[name] = meta.get(name)
    out["deleted"] = bool(out["deleted"])
    return out


def record_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """Only the record fields (no type, id or meta) of a wire record."""
    spec = spec_for(record["type"])
    return {f.name: record.get(f.name, f.empty()) for f in spec.fields}
