"""The push route builds each wire.Change from the validated request model directly: it must
equal what `wire.parse_change(model_dump())` gave, for every body the schema accepts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import ValidationError as SchemaError

from app.domain import wire
from app.domain.records import RECORD_TYPES
from server.api.routes.sync import to_change
from server.schemas import PushRequest


def _uid(upper: bool = False) -> str:
    text = str(uuid.uuid4())
    return text.upper() if upper else text


def _bodies() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, type_name in enumerate(RECORD_TYPES):
        out.append({"change_id": _uid(i % 2 == 0), "type": type_name, "id": _uid(i % 3 == 0),
                    "base_version": None, "fields": {"name": "许继集团", "tags": ["上市公司"]}})
    out += [
        {"change_id": _uid(), "type": "enterprise", "id": _uid(), "base_version": 3.0,
         "fields": {}},
        {"change_id": _uid(), "type": "lead", "id": _uid(), "base_version": 2**31 - 1,
         "base_change_id": _uid(True), "group": _uid(True), "fields": {"deleted": True}},
        {"change_id": _uid(), "type": "contact", "id": _uid(), "fields": {"x": {"nested": [1]}}},
        {"change_id": _uid(), "type": "visit", "id": _uid(), "base_version": 1,
         "base_change_id": None, "group": None, "fields": {"contact_ids": [_uid()]}},
    ]
    return out


@pytest.mark.parametrize("body", _bodies())
def test_change_from_the_model_equals_parse_change(body: dict[str, Any]) -> None:
    request = PushRequest.model_validate_json(json.dumps({"changes": [body]}))
    [model] = request.changes
    assert to_change(model) == wire.parse_change(model.model_dump(), "changes[0]")


@pytest.mark.parametrize("bad", [
    {"change_id": "not-a-uuid"},
    {"id": str(uuid.uuid4()) + "\n"},
    {"id": "{" + str(uuid.uuid4()) + "}"},
    {"id": str(uuid.uuid4()).replace("-", "")},
    {"type": "note"},  # an alias the CLI knows; the wire takes the type names only
    {"type": "nope"},
    {"base_version": 0},
    {"base_version": True},
    {"base_version": "1"},
    {"base_version": 1.5},
    {"group": ""},
    {"base_change_id": "x"},
    {"fields": []},
])
def test_what_parse_change_refuses_the_schema_refuses_first(bad: dict[str, Any]) -> None:
    body = {"change_id": _uid(), "type": "enterprise", "id": _uid(), "base_version": None,
            "fields": {"name": "x"}, **bad}
    with pytest.raises(SchemaError):
        PushRequest.model_validate_json(json.dumps({"changes": [body]}))
