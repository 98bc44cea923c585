"""Tenant isolation over every endpoint: org B can neither read, write, overwrite, delete nor
learn the existence of org A's records (nor its users, change ids, counts or digests)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.storage.ids import blob
from tests.server.conftest import Org
from tests.server.helpers import change, make_uscc, uid

ENDPOINTS_COVERED = {
    "/api/v1/health", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me",
    "/api/v1/push", "/api/v1/pull", "/api/v1/buckets/{type}/{bucket}", "/api/v1/epoch-copies",
    "/api/v1/snapshot", "/api/v1/users", "/api/v1/users/{username}",
}


def _strip(reply: dict) -> dict:  # type: ignore[type-arg]
    return {k: v for k, v in reply.items() if k not in ("change_id", "seq", "version")}


def _seed_a(a: Org) -> dict[str, str]:
    ids = {"ent": uid(), "contact": uid(), "uscc": make_uscc(4242)}
    a.member.push_ok([
        change("enterprise", ids["ent"], {"name": "甲方机密企业", "uscc": ids["uscc"]},
               change_id=(ids.setdefault("change", uid()))),
        change("contact", ids["contact"], {"enterprise_id": ids["ent"], "name": "王五"}),
    ])
    return ids


def test_matrix_covers_every_endpoint(http) -> None:  # type: ignore[no-untyped-def]
    paths = set(http.get("/openapi.json").json()["paths"])
    assert paths == ENDPOINTS_COVERED


def test_b_cannot_read_a(org: Org, org_b: Org, tmp_path: Path) -> None:
    _, b_before = org_b.member.pull_all()
    ids = _seed_a(org)
    records, b_after = org_b.member.pull_all()
    assert not {ids["ent"], ids["contact"]} & {r["id"] for r in records}
    # Counts and digests of B do not move when A writes.
    assert b_after["digests"] == b_before["digests"]
    assert b_after["seq"] == b_before["seq"]
    for bucket in range(16):
        body = org_b.member.get(f"/api/v1/buckets/enterprise/{bucket}").json()
        assert ids["ent"] not in {r["id"] for r in body["records"]}
        assert body["digests"] == b_before["digests"]
    copies = org_b.member.post("/api/v1/epoch-copies", json={"ids": [ids["ent"]]}).json()
    assert copies["data"] == [] and copies["count"] == 0
    snap = org_b.member.get("/api/v1/snapshot")
    path = tmp_path / "b.sqlite3"
    path.write_bytes(snap.content)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM enterprise WHERE id = ?", (blob(ids["ent"]),)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM synced_copy WHERE id = ?", (ids["ent"],)).fetchone()[0] == 0
    finally:
        conn.close()
    assert org_b.member.get("/api/v1/auth/me").json()["org"] == org_b.name


def test_b_cannot_write_overwrite_or_delete_a_nor_learn_it_exists(org: Org, org_b: Org) -> None:
    ids = _seed_a(org)
    unknown = uid()
    # Edit and delete of A's id answer exactly as for an id nobody has.
    for fields, base in (({"city": "北京"}, 1), ({"deleted": True}, 1)):
        [on_a] = org_b.member.push_ok([change("enterprise", ids["ent"], fields, base_version=base)])
        [on_none] = org_b.member.push_ok([change("enterprise", unknown, fields, base_version=base)])
        assert _strip(on_a) == _strip(on_none) or on_a["status"] == on_none["status"] == "accepted"
    # A child under A's enterprise id: the reference is missing, as for any unknown id.
    [r] = org_b.member.push_ok([change("contact", uid(), {"enterprise_id": ids["ent"], "name": "x"})])
    [r2] = org_b.member.push_ok([change("contact", uid(), {"enterprise_id": uid(), "name": "x"})])
    assert _strip(r)["status"] == "rejected" and r["code"] == r2["code"] == "ref_missing"
    # Creating a record with A's id makes B's own record; A's stays as it was.
    [r] = org_b.member.push_ok([change("enterprise", ids["ent"], {"name": "改"})])
    assert r["status"] == "accepted" and r["version"] == 1
    # A's USCC is free in B: no duplicate_of pointing into A.
    [r] = org_b.member.push_ok([change("enterprise", uid(), {"name": "乙", "uscc": ids["uscc"]})])
    assert r["status"] == "accepted" and "duplicate_of" not in r
    # A's change id replayed by B is B's own new change, not A's stored reply.
    [r] = org_b.member.push_ok([change("enterprise", uid(), {"name": "丙"}, change_id=ids["change"])])
    assert r["status"] == "accepted"
    # Conflict replies never carry A's record.
    [r] = org_b.member.push_ok([change("enterprise", ids["ent"], {"city": "上海"}, base_version=1)])
    assert "甲方机密企业" not in str(r)
    # A's records are untouched.
    records, _ = org.member.pull_all()
    ent = next(x for x in records if x["id"] == ids["ent"])
    assert (ent["name"], ent["deleted"], ent["version"], ent["city"]) == ("甲方机密企业", False, 1, None)


def test_b_admin_cannot_see_or_manage_a_users(org: Org, org_b: Org) -> None:
    listed = org_b.admin.get("/api/v1/users").json()
    assert not set(org.users.values()) & {u["username"] for u in listed["data"]}
    r = org_b.admin.http.patch(f"/api/v1/users/{org.users['member']}", json={"disabled": True},
                               headers=org_b.admin.headers())
    missing = org_b.admin.http.patch("/api/v1/users/nobody_at_all", json={"disabled": True},
                                     headers=org_b.admin.headers())
    assert r.status_code == missing.status_code == 404
    assert r.json()["error"]["code"] == missing.json()["error"]["code"]
    assert org.member.get("/api/v1/auth/me").status_code == 200
    # Logging out with B's token leaves A's sessions alone.
    assert org_b.member2.post("/api/v1/auth/logout").status_code == 204
    assert org.member2.get("/api/v1/auth/me").status_code == 200
