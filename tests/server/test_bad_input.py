"""Bad input is never a 500: size limits, gzip bombs, NUL bytes, wrong types, broken JSON."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.server.conftest import Org
from tests.server.helpers import change, uid


def _post(org: Org, body: bytes, **headers: str):  # type: ignore[no-untyped-def]
    return org.member.http.post("/api/v1/push", content=body, headers={
        **org.member.headers(), "Content-Type": "application/json", **headers})


@pytest.mark.parametrize("body", [
    b"{", b'{"changes": [', b"not json", b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000,
    b'{"changes": [{"change_id": "x"', b"null",
])
def test_malformed_or_truncated_json_is_4xx(org: Org, body: bytes) -> None:
    r = _post(org, body)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"]["code"]


def test_wrong_types_name_the_field(org: Org) -> None:
    c = change("enterprise", uid(), {"name": "甲"})
    c["base_version"] = "one"
    r = org.member.push([c])
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "changes[0].base_version"
    r = org.member.post("/api/v1/push", json={"changes": "nope"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "changes"
    c = change("enterprise", uid(), {"name": "甲"})
    c["fields"] = ["name"]
    assert org.member.push([c]).json()["error"]["field"] == "changes[0].fields"


def test_unknown_record_type_is_422_naming_type(org: Org) -> None:
    r = org.member.push([change("spaceship", uid(), {"name": "x"})])
    assert r.status_code == 422 and r.json()["error"]["field"] == "changes[0].type"


def test_nul_bytes_and_control_characters_are_harmless(org: Org) -> None:
    eid = uid()
    [r] = org.member.push_ok([change("enterprise", eid, {"name": "甲\x00乙", "notes": "a\x00b"})])
    assert r["status"] == "accepted"
    records, _ = org.member.pull_all()
    rec = next(x for x in records if x["id"] == eid)
    assert "\x00" not in rec["name"]
    [r] = org.member.push_ok([change("enterprise", uid(), {"na\x00me": "x"})])
    assert r["status"] == "rejected" and "\x00" not in r["field"]
    r = org.member.http.post("/api/v1/auth/login", json={"username": "a\x00b", "password": "x\x00"})
    assert r.status_code in (401, 422)


def test_huge_strings_are_rejected_by_field(org: Org) -> None:
    [r] = org.member.push_ok([change("enterprise", uid(), {"name": "长" * 5000})])
    assert r["status"] == "rejected" and r["field"] == "name" and r["code"] == "too_long"
    [r] = org.member.push_ok([change("enterprise", uid(), {"name": "甲", "notes": "x" * 200_000})])
    assert r["status"] == "rejected" and r["field"] == "notes"


def test_wrong_value_types_inside_fields(org: Org) -> None:
    for fields in ({"name": {"a": 1}}, {"name": ["x"]}, {"name": "甲", "tags": 5},
                   {"name": "甲", "deleted": "yes"}, {"name": True}):
        [r] = org.member.push_ok([change("enterprise", uid(), fields)])
        assert r["status"] == "rejected", fields
        assert r["field"], fields


def test_body_over_the_limit_is_413(org: Org) -> None:
    r = _post(org, b" " * (33 * 1024 * 1024))
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"


def test_gzip_bodies_are_accepted(org: Org) -> None:
    body = json.dumps({"changes": [change("enterprise", uid(), {"name": "压缩"})]}).encode()
    r = _post(org, gzip.compress(body), **{"Content-Encoding": "gzip"})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted"


def test_gzip_bomb_stops_at_the_limit(org: Org) -> None:
    bomb = gzip.compress(b"0" * (80 * 1024 * 1024), compresslevel=9)  # ~80 KB on the wire
    assert len(bomb) < 200_000
    r = _post(org, bomb, **{"Content-Encoding": "gzip"})
    assert r.status_code == 413


def test_broken_gzip_and_unknown_encoding(org: Org) -> None:
    assert _post(org, b"\x1f\x8bnot gzip", **{"Content-Encoding": "gzip"}).status_code == 400
    assert _post(org, b"{}", **{"Content-Encoding": "br"}).status_code == 415


def test_too_many_changes_is_422(org: Org) -> None:
    changes = [change("enterprise", uid(), {"name": "x"}) for _ in range(1001)]
    r = org.member.push(changes)
    assert r.status_code == 422 and r.json()["error"]["field"] == "changes"


def test_unknown_route_is_json_404(http) -> None:  # type: ignore[no-untyped-def]
    r = http.get("/api/v1/nothing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "route_not_found"


def test_lone_surrogates_and_odd_keys_are_echoed_safely(org: Org) -> None:
    body = (f'{{"changes": [{{"change_id": "{uid()}", "type": "enterprise", "id": "{uid()}",'
            ' "base_version": null, "fields": {"\\ud800bad\\u0000": {"\\udfff": 1}}}]}').encode()
    r = _post(org, body)
    assert r.status_code == 200, r.text
    [reply] = r.json()["results"]
    assert reply["status"] == "rejected" and reply["code"] == "unknown_field"
    body = (f'{{"changes": [{{"change_id": "{uid()}", "type": "contact", "id": "{uid()}",'
            ' "base_version": null, "fields": {"name": "x", "enterprise_id": {"\\ud800": "\\u0000"}}}]}').encode()
    r = _post(org, body)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "rejected"
    body = (b'{"changes": [], "\\ud800\\u0000": 1}')
    r = _post(org, body)
    assert r.status_code == 422, r.text
    r = org.member.post("/api/v1/epoch-copies", json={"ids": ["\x00" * 36, "x"]})
    assert r.status_code == 200 and r.json()["count"] == 0
