"""The writer's shortcuts give what the plain code gave: records whose data is decoded on
first use, a wire JSON text spliced from the data's JSON text, and reply texts formatted
directly instead of through the JSON encoder."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.domain.records import RECORD_TYPES, SPECS
from server.services.writer import (
    StoredRecord,
    _wire_json,
    compact_json,
    json_text,
    row_to_record,
)


def _record(type_name: str, data: dict[str, Any], **kw: Any) -> StoredRecord:
    meta: dict[str, Any] = dict(
        version=3, seq=7, deleted=False, created_at="2024-01-02T03:04:05Z",
        created_by="张三", updated_at="2024-02-03T04:05:06Z", updated_by="李四",
        last_change_id=None,
    )
    meta.update(kw)
    return StoredRecord(type_name, "0f0e0d0c-0b0a-4908-8706-050403020100", data=data, **meta)


def _full(type_name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, f in enumerate(SPECS[type_name].fields):
        if f.is_multi:
            out[f.name] = ["上市公司", "专精特新"]
        elif f.kind == "bool":
            out[f.name] = bool(i % 2)
        elif i % 3 == 0:
            out[f.name] = None
        else:
            out[f.name] = f"值{i} \"引号\" \\ \n"
    return out


def _plain(rec: StoredRecord) -> str:
    return json.dumps(rec.to_wire(), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("type_name", RECORD_TYPES)
@pytest.mark.parametrize("deleted", [False, True])
def test_spliced_wire_json_is_the_plain_encoding(type_name: str, deleted: bool) -> None:
    rec = _record(type_name, _full(type_name), deleted=deleted)
    spliced = _wire_json(rec, compact_json(rec.data))
    assert spliced == _plain(rec)
    assert json.loads(spliced) == rec.to_wire()


@pytest.mark.parametrize("change", ["missing", "extra", "reordered", "empty"])
def test_data_not_in_field_order_falls_back_to_the_plain_encoding(change: str) -> None:
    data = _full("enterprise")
    names = list(data)
    if change == "missing":
        del data[names[1]]
    elif change == "extra":
        data["legacy"] = 1
    elif change == "reordered":
        data = {k: data[k] for k in reversed(names)}
    else:
        data = {}
    rec = _record("enterprise", data)
    assert _wire_json(rec, compact_json(rec.data)) == _plain(rec)


def test_stored_data_is_decoded_on_first_use() -> None:
    data = _full("contact")
    row = ("contact", "0f0e0d0c-0b0a-4908-8706-050403020100", 2, 9, 0,
           json.dumps(data, ensure_ascii=False), "a", "b", "c", "d", None)
    rec = row_to_record(row)
    assert rec._raw is not None and rec._data is None
    assert (rec.type, rec.deleted, rec.version) == ("contact", False, 2)
    assert rec._data is None  # looking at type and tombstone decodes nothing
    assert rec.data == data
    assert rec._raw is None
    assert rec == StoredRecord("contact", rec.id, 2, 9, False, data, "a", "b", "c", "d", None)
    rec.data = {"name": "x"}
    assert rec.data == {"name": "x"}


@pytest.mark.parametrize("who", ["张三", 'a"b\\c', "tab\there\nline\x01\u2028", ""])
def test_spliced_wire_json_escapes_the_meta_fields_as_json_does(who: str) -> None:
    rec = _record("contact", _full("contact"), created_by=who, updated_by=who,
                  created_at=who, updated_at="2024-02-03T04:05:06.123456Z", version=2**31 - 1)
    assert _wire_json(rec, compact_json(rec.data)) == _plain(rec)


@pytest.mark.parametrize("value", ["许昌", 'q"\\\n\x00', "", 0, -5, 2**40, True, None, 1.5,
                                   ["a", 1], {"k": "v"}])
def test_json_text_is_compact_json(value: Any) -> None:
    assert json_text(value) == compact_json(value)


def _replies() -> list[dict[str, Any]]:
    from app.domain import wire
    from app.domain.errors import ValidationError

    cid = "0f0e0d0c-0b0a-4908-8706-050403020100"
    rec = _record("enterprise", _full("enterprise")).to_wire()
    return [
        wire.accepted(cid, 1, 1),
        wire.accepted(cid, 2**31 - 1, 2**53),
        wire.conflict(cid, wire.STALE, rec),
        wire.conflict(cid, wire.DUPLICATE, None, duplicate_of=cid, other=rec),
        wire.rejected(cid, ValidationError("mobile", "mobile", record_type="contact")),
    ]


@pytest.mark.parametrize("reply", _replies())
def test_reply_text_is_the_compact_encoding(reply: dict[str, Any]) -> None:
    from server.services.push import reply_json

    assert reply_json(reply) == compact_json(reply)
    assert json.loads(reply_json(reply)) == reply
