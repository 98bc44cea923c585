"""The nine record types as declarative specs, and the validation shared by client and server.

Every other layer derives from these specs: table columns, wire form, CLI options, import
columns. A record is a plain dict in wire form: `id`, the fields below, and the meta fields.
"""

from __future__ import annotations

import functools
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from app.domain import uscc, values
from app.domain.enums import Intent, ListKind, Stage, TripStatus, VisitStatus
from app.domain.errors import ValidationError

SHORT = 200
LONG = 100_000
NAME = 200


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record type.

    kind: text, longtext, uscc, mobile, phone, email, url, date, local_datetime, time_zone,
    money, bool, enum, ref, refs, texts, list_value, list_values, int.
    """

    name: str
    kind: str = "text"
    required: bool = False
    max_len: int = SHORT
    enum: type | None = None
    ref: str | None = None  # record type a ref/refs points at
    list_kind: ListKind | None = None
    default: Any = None
    singular: str | None = None  # CLI option for one item of a multi-valued field
    system: bool = False  # set by the app, not typed by a person (still travels on the wire)

    @property
    def is_multi(self) -> bool:
        return self.kind in ("refs", "texts", "list_values")

    @property
    def cli_option(self) -> str:
        return "--" + (self.singular or self.name).replace("_", "-")

    def empty(self) -> Any:
        if self.is_multi:
            return []
        if self.kind == "bool":
            return False
        return self.default if self.default is not None else None


@dataclass(frozen=True)
class RecordSpec:
    """One record type: its wire name, fields and structural rules."""

    type: str
    fields: tuple[FieldSpec, ...]
    title_field: str = "name"
    # Of these reference fields at least one must be set.
    one_of: tuple[str, ...] = ()
    parents: tuple[str, ...] = field(default=())  # ref fields whose target is a parent

    @functools.cached_property
    def _by_name(self) -> dict[str, FieldSpec]:
        # Looked up for every field of every record a push or pull validates or encodes.
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> FieldSpec:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(name) from None

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    @functools.cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


F = FieldSpec

ENTERPRISE = RecordSpec(
    "enterprise",
    (
        F("name", required=True, max_len=NAME),
        F("uscc", "uscc"),
        F("uscc_override_by", system=True, max_len=100),
        F("uscc_override_at", system=True, max_len=40),
        F("industry_chain", "list_value", list_kind=ListKind.INDUSTRY_CHAIN),
        F("province", max_len=50),
        F("city", max_len=50),
        F("region", "list_value", list_kind=ListKind.REGION),
        F("tags", "list_values", list_kind=ListKind.TAG, singular="tag"),
        F("address", max_len=500),
        F("website", "url"),
        F("notes", "longtext", max_len=LONG),
    ),
)

CONTACT = RecordSpec(
    "contact",
    (
        F("enterprise_id", "ref", required=True, ref="enterprise"),
        F("name", required=True, max_len=100),
        F("title", max_len=100),
        F("mobile", "mobile"),
        F("phone", "phone"),
        F("email", "email"),
        F("wechat", max_len=100),
        F("is_key", "bool"),
        F("notes", "longtext", max_len=LONG),
    ),
    parents=("enterprise_id",),
)

TRIP = RecordSpec(
    "trip",
    (
        F("title", required=True, max_len=NAME),
        F("members", "texts", singular="member", max_len=50),
        F("leader", max_len=50),
        F("destinations", "texts", singular="destination", max_len=100),
        F("start_date", "date", required=True),
        F("end_date", "date", required=True),
        F("purpose", "longtext", max_len=LONG),
        F("status", "enum", enum=TripStatus, default=TripStatus.PLANNED.value),
        F("problems", "longtext", max_len=LONG),
        F("next_steps", "longtext", max_len=LONG),
    ),
    title_field="title",
)

VISIT = RecordSpec(
    "visit",
    (
        F("trip_id", "ref", ref="trip"),
        F("enterprise_id", "ref", required=True, ref="enterprise"),
        F("contact_ids", "refs", ref="contact", singular="contact_id"),
        F("scheduled_at", "local_datetime", required=True),
        F("time_zone", "time_zone", default="Asia/Shanghai"),
        F("place", max_len=500),
        F("purpose", "longtext", max_len=LONG),
        F("status", "enum", enum=VisitStatus, default=VisitStatus.PLANNED.value),
        F("outcome", "longtext", max_len=LONG),
    ),
    title_field="scheduled_at",
    parents=("trip_id", "enterprise_id"),
)

MEETING_NOTE = RecordSpec(
    "meeting_note",
    (
        F("visit_id", "ref", ref="visit"),
        F("enterprise_id", "ref", ref="enterprise"),
        F("date", "date", required=True),
        F("our_attendees", "texts", singular="our_attendee", max_len=50),
        F("their_attendees", "texts", singular="their_attendee", max_len=100),
        F("content", "longtext", max_len=LONG),
        F("intent", "enum", enum=Intent, default=Intent.NONE.value),
    ),
    title_field="date",
    one_of=("visit_id", "enterprise_id"),
    parents=("visit_id", "enterprise_id"),
)

LEAD = RecordSpec(
    "lead",
    (
        F("name", required=True, max_len=NAME),
        F("enterprise_id", "ref", ref="enterprise"),
        F("industry_chain", "list_value", list_kind=ListKind.INDUSTRY_CHAIN),
        F("source", "list_value", list_kind=ListKind.SOURCE),
        F("investment_wan", "money"),
        F("funds_arrived_wan", "money"),
        F("foreign_contracted_wan_usd", "money"),
        F("foreign_arrived_wan_usd", "money"),
        F("unit", "list_value", list_kind=ListKind.UNIT),
        F("responsible", max_len=50),
        F("high_energy", "bool"),
        F("notes", "longtext", max_len=LONG),
    ),
    parents=("enterprise_id",),
)

LEAD_STAGE_CHANGE = RecordSpec(
    "lead_stage_change",
    (
        F("lead_id", "ref", required=True, ref="lead"),
        F("stage", "enum", required=True, enum=Stage),
        F("date", "date", required=True),
        F("who", max_len=50),
        F("note", "longtext", max_len=2000),
    ),
    title_field="stage",
    parents=("lead_id",),
)

FOLLOW_UP = RecordSpec(
    "follow_up",
    (
        F("lead_id", "ref", ref="lead"),
        F("meeting_note_id", "ref", ref="meeting_note"),
        # DESIGN.md lists no text for a follow-up; a to-do needs one, so it has `content`.
        F("content", required=True, max_len=500),
        F("owner", max_len=50),
        F("due_date", "date"),
        F("done", "bool"),
    ),
    title_field="content",
    one_of=("lead_id", "meeting_note_id"),
    parents=("lead_id", "meeting_note_id"),
)

LIST_ITEM = RecordSpec(
    "list_item",
    (
        F("kind", "enum", required=True, enum=ListKind),
        F("value", required=True, max_len=50),
        F("position", "int"),
    ),
    title_field="value",
)

SPECS: dict[str, RecordSpec] = {
    s.type: s
    for s in (
        ENTERPRISE, CONTACT, TRIP, VISIT, MEETING_NOTE, LEAD, LEAD_STAGE_CHANGE, FOLLOW_UP,
        LIST_ITEM,
    )
}
RECORD_TYPES: tuple[str, ...] = tuple(SPECS)

# Short names accepted by the CLI (and anywhere a person types a type).
ALIASES = {"note": "meeting_note", "followup": "follow_up", "stage_change": "lead_stage_change"}

META_FIELDS = ("created_at", "created_by", "updated_at", "updated_by", "deleted", "version")


def spec_for(type_name: str) -> RecordSpec:
    name = ALIASES.get(type_name, type_name)
    try:
        return SPECS[name]
    except KeyError:
        raise ValidationError("unknown_type", "type", value=type_name) from None


def children_of(type_name: str) -> list[tuple[RecordSpec, FieldSpec]]:
    """(child spec, ref field) pairs whose ref field names `type_name` as its parent."""
    out = []
    for spec in SPECS.values():
        for name in spec.parents:
            f = spec.field(name)
            if f.ref == type_name:
                out.append((spec, f))
    return out


def new_id() -> str:
    return str(uuid.uuid4())


def new_change_id() -> str:
    """A change id: a version-7 UUID (RFC 9562), whose leading 48 bits are the Unix time in
    milliseconds, so ids made later sort later. The server keeps every change id it applied
    in an index; random ids put each insert on a random page of it (810 of the ~2,150 pages
    a push of 1,000 wrote), time-ordered ones append (1,000 inserts 7 -> 1.5 ms).

    Record ids stay random (version 4): their first hex digit picks the digest bucket.
    """
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62 | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


_UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(text: object) -> bool:
    """A UUID in its canonical 36-character form (hex digits of either case): what
    `str(uuid.UUID(text)) == text.lower()` accepts, without building a UUID (a push checks
    a few thousand)."""
    return isinstance(text, str) and _UUID_TEXT.fullmatch(text) is not None


# --- validation -------------------------------------------------------------------------------

ListLookup = Callable[[ListKind, str], bool]


def _clean_value(f: FieldSpec, value: Any, *, allow_money_fraction: bool) -> Any:
    """Parse one typed value to its stored form (no cross-field or list checks)."""
    name = f.name
    if value is None or (isinstance(value, str) and not value.strip() and not f.is_multi):
        if f.kind == "bool":
            return False
        return None
    k = f.kind
    if k in ("text",):
        return values.clean_text(value, name, max_len=f.max_len) or None
    if k == "longtext":
        return values.clean_text(value, name, max_len=f.max_len, multiline=True) or None
    if k == "uscc":
        return uscc.normalise(values.clean_text(value, name, max_len=40)) or None
    if k == "mobile":
        return values.parse_mobile(value, name)
    if k == "phone":
        return values.parse_phone(value, name) or None
    if k == "email":
        return values.parse_email(value, name) or None
    if k == "url":
        return values.parse_url(value, name) or None
    if k == "date":
        return values.parse_date(value, name)
    if k == "local_datetime":
        return values.parse_local_datetime(value, name)
    if k == "time_zone":
        return values.parse_time_zone(value, name)
    if k == "money":
        return values.parse_money(value, name, allow_fraction=allow_money_fraction)[0]
    if k == "int":
        if isinstance(value, bool):
            raise ValidationError("int_format", name)
        try:
            return int(values.nfkc(str(value)).strip())
        except ValueError:
            raise ValidationError("int_format", name, value=value) from None
    if k == "bool":
        return values.parse_bool(value, name)
    if k == "enum":
        assert f.enum is not None
        return parse_enum(f.enum, value, name)
    if k == "ref":
        if not is_uuid(value):
            raise ValidationError("ref_format", name, value=value)
        return str(value).lower()
    if k == "list_value":
        return values.clean_text(value, name, max_len=50) or None
    if k in ("refs", "texts", "list_values"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ValidationError("type_list", name)
        out: list[str] = []
        for item in value:
            if k == "refs":
                if not is_uuid(item):
                    raise ValidationError("ref_format", name, value=item)
                item = str(item).lower()
            else:
                item = values.clean_text(item, name, max_len=f.max_len if k == "texts" else 50)
            if item and item not in out:
                out.append(item)
        if len(out) > 200:
            raise ValidationError("too_many", name, max=200)
        return out
    raise AssertionError(f"unknown kind {k}")


def parse_enum(enum: type, value: Any, field_name: str) -> str:
    """An enum code from its code or its Chinese label."""
    from app.domain.messages import enum_from_label

    if isinstance(value, str):
        text = "".join(values.nfkc(value).split())
        for member in enum:  # type: ignore[attr-defined]
            if text == member.value or text.lower() == member.value:
                return str(member.value)
        found = enum_from_label(enum, text)
        if found is not None:
            return found
    raise ValidationError("enum", field_name, value=value, choices=enum_choices(enum))


def enum_choices(enum: type) -> str:
    from app.domain.messages import enum_label

    return "、".join(f"{enum_label(m)}({m.value})" for m in enum)  # type: ignore[attr-defined]


def validate_fields(
    spec: RecordSpec,
    fields: Mapping[str, Any],
    *,
    existing: Mapping[str, Any] | None = None,
    list_has: ListLookup | None = None,
    accept_invalid_uscc: bool = False,
    allow_money_fraction: bool = False,
    allow_system: bool = False,
) -> dict[str, Any]:
    """Validate a create (existing=None) or a partial update; returns the cleaned changes.

    Raises ValidationError for the first bad field (field name and code set). Required fields,
    one-of rules and cross-field rules are checked against the merged result.
    """
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if not spec.has_field(name):
            raise ValidationError("unknown_field", name, record_type=spec.type)
        f = spec.field(name)
        if f.system and not allow_system:
            raise ValidationError("read_only", name, record_type=spec.type)
        try:
            cleaned[name] = _clean_value(f, value, allow_money_fraction=allow_money_fraction)
        except ValidationError as e:
            e.record_type = spec.type
            raise
    merged: dict[str, Any] = {}
    if existing is None:
        for f in spec.fields:
            merged[f.name] = f.empty()
    else:
        merged.update({f.name: existing.get(f.name, f.empty()) for f in spec.fields})
    merged.update(cleaned)
    if existing is None:
        for f in spec.fields:
            if f.name not in cleaned and f.default is not None:
                cleaned[f.name] = f.default
                merged[f.name] = f.default
    _check_record(spec, merged, cleaned, list_has, accept_invalid_uscc)
    return cleaned


def _check_record(
    spec: RecordSpec,
    merged: dict[str, Any],
    cleaned: dict[str, Any],
    list_has: ListLookup | None,
    accept_invalid_uscc: bool,
) -> None:
    def fail(code: str, name: str | None, **params: Any) -> None:
        raise ValidationError(code, name, record_type=spec.type, **params)

    for f in spec.fields:
        v = merged.get(f.name)
        if f.required and (v is None or v == "" or v == []):
            fail("required", f.name)
        if f.name in cleaned and list_has is not None and f.list_kind is not None and v:
            for item in v if f.is_multi else [v]:
                if not list_has(f.list_kind, item):
                    fail("list_unknown", f.name, value=item)
    if spec.one_of and not any(merged.get(n) for n in spec.one_of):
        fail("one_of_required", spec.one_of[0], others=list(spec.one_of))
    if spec.type == "enterprise" and "uscc" in cleaned and cleaned["uscc"]:
        why = uscc.problem(cleaned["uscc"])
        if why and not accept_invalid_uscc:
            fail(why, "uscc", value=cleaned["uscc"])
    if spec.type == "trip":
        start, end = merged.get("start_date"), merged.get("end_date")
        if start and end and end < start:
            fail("end_before_start", "end_date")
