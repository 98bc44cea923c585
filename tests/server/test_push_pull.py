"""Push and pull: accepted/conflict/rejected replies, replays, partial fields, paging, digests."""

from __future__ import annotations

from app.domain import digest
from app.storage.lists import seed_rows
from tests.server.conftest import Org
from tests.server.helpers import change, make_uscc, uid


def test_health_announces_min_client_version(http) -> None:
    r = http.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.headers["X-FieldDesk-Min-Client-Version"]


def test_new_org_has_the_clients_seeded_lists(org: Org) -> None:
    records, body = org.member.pull_all()
    seeded = {(str(r["id"]), r["kind"], r["value"]) for r in seed_rows()}
    got = {(r["id"], r["kind"], r["value"]) for r in records if r["type"] == "list_item"}
    assert got == seeded
    assert all(r["version"] == 1 for r in records)
    assert body["digests"]["list_item"]["count"] == len(seeded)


def test_create_edit_and_pull_in_seq_order(org: Org) -> None:
    _, first = org.member.pull_all()
    eid = uid()
    [a] = org.member.push_ok([change("enterprise", eid, {"name": "许继集团", "industry_chain": "新能源"})])
    assert a["status"] == "accepted" and a["version"] == 1
    [b] = org.member.push_ok([change("enterprise", eid, {"city": "许昌"}, base_version=1)])
    assert b["status"] == "accepted" and b["version"] == 2 and b["seq"] > a["seq"]
    records, body = org.lead.pull_all(first["cursor"])
    assert [r["id"] for r in records] == [eid]
    rec = records[0]
    # Only changed fields travelled; the server merged them onto its record.
    assert (rec["name"], rec["city"], rec["industry_chain"], rec["version"]) == (
        "许继集团", "许昌", "新能源", 2)
    assert rec["created_by"] == org.users["member"]
    # A no-op sync is one request with nothing in it.
    again = org.lead.pull(body["cursor"]).json()
    assert again["records"] == [] and again["has_more"] is False


def test_push_at_the_head_answers_the_cursor_after_it(org: Org) -> None:
    _, head = org.member.pull_all()
    eid = uid()
    body = {"epoch": head["epoch"], "cursor": head["cursor"],
            "changes": [change("enterprise", eid, {"name": "许继集团"})]}
    r = org.member.post("/api/v1/push", json=body)
    assert r.status_code == 200, r.text
    after = r.json()["cursor"]
    # Nothing but this push lies between the two cursors: pulling from the new one is a no-op.
    assert org.member.pull(after).json()["records"] == []
    assert [x["id"] for x in org.member.pull_all(head["cursor"])[0]] == [eid]
    # Someone else wrote since: no cursor, the client pulls as usual.
    org.lead.push_ok([change("enterprise", uid(), {"name": "平高集团"})])
    body = {"epoch": head["epoch"], "cursor": after,
            "changes": [change("enterprise", eid, {"city": "许昌"}, base_version=1)]}
    r = org.member.post("/api/v1/push", json=body)
    assert r.status_code == 200 and "cursor" not in r.json()
    # A cursor the server cannot read only means no shortcut.
    body = {"epoch": head["epoch"], "cursor": "bm9wZQ", "changes": []}
    r = org.member.post("/api/v1/push", json=body)
    assert r.status_code == 200 and "cursor" not in r.json()


def test_replay_gets_the_identical_reply(org: Org) -> None:
    eid = uid()
    c = change("enterprise", eid, {"name": "甲公司"})
    first = org.member.push_ok([c])
    second = org.member.push_ok([c])
    assert first == second
    c2 = change("enterprise", eid, {"name": "乙公司"}, base_version=1)
    org.member.push_ok([c2])
    # The first change replayed after a later one: still its first reply, nothing re-applied.
    assert org.member.push_ok([c]) == first
    records, _ = org.member.pull_all()
    assert [r["name"] for r in records if r["id"] == eid] == ["乙公司"]


def test_stale_base_is_a_conflict_with_the_servers_record(org: Org) -> None:
    eid = uid()
    org.member.push_ok([change("enterprise", eid, {"name": "甲"})])
    org.lead.push_ok([change("enterprise", eid, {"city": "北京"}, base_version=1)])
    [r] = org.member.push_ok([change("enterprise", eid, {"city": "上海"}, base_version=1)])
    assert r["status"] == "conflict" and r["reason"] == "stale"
    assert r["record"]["city"] == "北京" and r["record"]["version"] == 2


def test_base_change_id_counts_as_current(org: Org) -> None:
    eid = uid()
    c1 = change("enterprise", eid, {"name": "甲"})
    org.member.push_ok([c1])
    # The reply to c1 was lost: the next edit names c1 instead of a version it never saw.
    [r] = org.member.push_ok([change("enterprise", eid, {"city": "天津"}, base_change_id=c1["change_id"])])
    assert r["status"] == "accepted" and r["version"] == 2
    org.lead.push_ok([change("enterprise", eid, {"city": "重庆"}, base_version=2)])
    [r] = org.member.push_ok([change("enterprise", eid, {"city": "成都"}, base_change_id=c1["change_id"])])
    assert r["status"] == "conflict"


def test_rejected_names_field_and_code_in_chinese(org: Org) -> None:
    [r] = org.member.push_ok([change("contact", uid(), {"enterprise_id": uid(), "name": "张三",
                                                         "mobile": "12345"})])
    assert r["status"] == "rejected" and r["field"] == "mobile" and r["code"] == "mobile"
    assert "手机" in r["message"]


def test_invalid_uscc_only_with_override(org: Org) -> None:
    bad = make_uscc(7)[:-1] + ("0" if make_uscc(7)[-1] != "0" else "1")
    [r] = org.member.push_ok([change("enterprise", uid(), {"name": "甲", "uscc": bad})])
    assert r["status"] == "rejected" and r["field"] == "uscc"
    [r] = org.member.push_ok([change("enterprise", uid(), {
        "name": "甲", "uscc": bad, "uscc_override_by": "tester",
        "uscc_override_at": "2026-01-01T00:00:00Z"})])
    assert r["status"] == "accepted"


def test_list_values_checked_against_the_orgs_live_list(org: Org) -> None:
    [r] = org.member.push_ok([change("enterprise", uid(), {"name": "甲", "industry_chain": "量子计算"})])
    assert r["status"] == "rejected" and r["code"] == "list_unknown"
    item = uid()
    replies = org.member.push_ok([
        change("list_item", item, {"kind": "industry_chain", "value": "量子计算"}),
        change("enterprise", uid(), {"name": "甲", "industry_chain": "量子计算"}),
    ])
    assert [x["status"] for x in replies] == ["accepted", "accepted"]


def test_uscc_duplicate_answers_duplicate_of(org: Org) -> None:
    code = make_uscc(11)
    first = uid()
    org.member.push_ok([change("enterprise", first, {"name": "许继集团", "uscc": code})])
    [r] = org.member2.push_ok([change("enterprise", uid(), {"name": "许继", "uscc": code})])
    assert r["status"] == "conflict" and r["reason"] == "duplicate"
    assert r["duplicate_of"] == first and r["other"]["name"] == "许继集团"
    # Once the first is tombstoned the code is free again.
    org.member.push_ok([change("enterprise", first, {"deleted": True}, base_version=1)])
    [r] = org.member2.push_ok([change("enterprise", uid(), {"name": "许继", "uscc": code})])
    assert r["status"] == "accepted"


def test_edit_under_tombstoned_parent_is_a_conflict(org: Org) -> None:
    eid, cid = uid(), uid()
    org.member.push_ok([change("enterprise", eid, {"name": "甲"}),
                        change("contact", cid, {"enterprise_id": eid, "name": "张三"})])
    group = uid()
    org.lead.push_ok([change("contact", cid, {"deleted": True}, base_version=1, group=group),
                      change("enterprise", eid, {"deleted": True}, base_version=1, group=group)])
    [r] = org.member.push_ok([change("contact", uid(), {"enterprise_id": eid, "name": "李四"})])
    assert r["status"] == "conflict" and r["reason"] == "parent_deleted"
    assert r["other"]["id"] == eid and r["record"] is None
    [r] = org.member.push_ok([change("contact", cid, {"title": "总经理"}, base_version=2)])
    assert r["status"] == "conflict" and r["reason"] == "deleted"


def test_restoring_a_child_under_a_tombstoned_parent_is_a_conflict(org: Org) -> None:
    eid, cid, tid, vid = uid(), uid(), uid(), uid()
    org.member.push_ok([
        change("enterprise", eid, {"name": "甲"}),
        change("contact", cid, {"enterprise_id": eid, "name": "张三"}),
        change("trip", tid, {"title": "行程", "start_date": "2025-01-02", "end_date": "2025-01-03"}),
        change("visit", vid, {"trip_id": tid, "enterprise_id": eid,
                              "scheduled_at": "2025-01-02T09:00"}),
    ])
    group = uid()
    org.lead.push_ok([change("contact", cid, {"deleted": True}, base_version=1, group=group),
                      change("visit", vid, {"deleted": True}, base_version=1, group=group),
                      change("enterprise", eid, {"deleted": True}, base_version=1, group=group)])
    [r] = org.member.push_ok([change("contact", cid, {"deleted": False}, base_version=2)])
    assert r["status"] == "conflict" and r["reason"] == "parent_deleted"
    assert r["other"]["id"] == eid and r["other"]["deleted"] is True
    assert r["other"]["name"] == "甲" and r["record"]["id"] == cid  # the whole parent
    # A visit has two parents: the live trip passes, the tombstoned enterprise does not.
    [r] = org.member.push_ok([change("visit", vid, {"deleted": False}, base_version=2)])
    assert r["reason"] == "parent_deleted" and r["other"]["id"] == eid
    # A reference to a record of another type is missing, whatever its state.
    [r] = org.member.push_ok([change("contact", uid(), {"enterprise_id": tid, "name": "李四"})])
    assert r["status"] == "rejected" and r["code"] == "ref_missing"


def test_delete_with_live_children_is_a_conflict_unless_grouped(org: Org) -> None:
    eid, cid = uid(), uid()
    org.member.push_ok([change("enterprise", eid, {"name": "甲"}),
                        change("contact", cid, {"enterprise_id": eid, "name": "张三"})])
    [r] = org.member.push_ok([change("enterprise", eid, {"deleted": True}, base_version=1)])
    assert r["status"] == "conflict" and r["reason"] == "has_children"
    assert r["other"]["id"] == cid


def test_parent_links_follow_an_edit_that_moves_a_child(org: Org) -> None:
    e1, e2, cid = uid(), uid(), uid()
    org.member.push_ok([change("enterprise", e1, {"name": "甲"}),
                        change("enterprise", e2, {"name": "乙"}),
                        change("contact", cid, {"enterprise_id": e1, "name": "张三"})])
    # An edit that leaves the parent alone keeps the link; one that moves the child moves it.
    org.member.push_ok([change("contact", cid, {"title": "经理"}, base_version=1)])
    [r] = org.member.push_ok([change("enterprise", e1, {"deleted": True}, base_version=1)])
    assert r["status"] == "conflict" and r["reason"] == "has_children"
    org.member.push_ok([change("contact", cid, {"enterprise_id": e2}, base_version=2)])
    [r] = org.member.push_ok([change("enterprise", e2, {"deleted": True}, base_version=1)])
    assert r["status"] == "conflict" and r["other"]["id"] == cid
    [r] = org.member.push_ok([change("enterprise", e1, {"deleted": True}, base_version=1)])
    assert r["status"] == "accepted"


def test_group_is_all_or_nothing(org: Org) -> None:
    eid, c1, c2 = uid(), uid(), uid()
    org.member.push_ok([change("enterprise", eid, {"name": "甲"}),
                        change("contact", c1, {"enterprise_id": eid, "name": "张三"}),
                        change("contact", c2, {"enterprise_id": eid, "name": "李四"})])
    org.lead.push_ok([change("contact", c2, {"title": "董事长"}, base_version=1)])
    _, before = org.member.pull_all()
    group = uid()
    replies = org.member.push_ok([
        change("enterprise", eid, {"deleted": True}, base_version=1, group=group),
        change("contact", c1, {"deleted": True}, base_version=1, group=group),
        change("contact", c2, {"deleted": True}, base_version=1, group=group),  # stale
    ])
    assert [r["status"] for r in replies] == ["rejected", "rejected", "conflict"]
    assert replies[0]["code"] == "group_failed"
    after, body = org.member.pull_all(before["cursor"])
    assert after == []
    assert body["digests"] == before["digests"]


def test_member_cannot_delete_others_records_lead_can(org: Org) -> None:
    eid = uid()
    org.member.push_ok([change("enterprise", eid, {"name": "甲"})])
    [r] = org.member2.push_ok([change("enterprise", eid, {"deleted": True}, base_version=1)])
    assert r["status"] == "rejected" and r["code"] == "forbidden_delete"
    [r] = org.lead.push_ok([change("enterprise", eid, {"deleted": True}, base_version=1)])
    assert r["status"] == "accepted"


def test_list_item_rename_or_remove_is_admin_only(org: Org) -> None:
    records, _ = org.member.pull_all()
    item = next(r for r in records if r["type"] == "list_item")
    [r] = org.member.push_ok([change("list_item", item["id"], {"value": "改名"}, base_version=1)])
    assert r["status"] == "rejected" and r["code"] == "forbidden_list"
    [r] = org.lead.push_ok([change("list_item", item["id"], {"deleted": True}, base_version=1)])
    assert r["status"] == "rejected"
    [r] = org.admin.push_ok([change("list_item", item["id"], {"value": "改名"}, base_version=1)])
    assert r["status"] == "accepted"


def test_stage_changes_are_never_edited(org: Org) -> None:
    lead, sc = uid(), uid()
    org.member.push_ok([change("lead", lead, {"name": "项目"}),
                        change("lead_stage_change", sc, {"lead_id": lead, "stage": "clue",
                                                         "date": "2026-01-05"})])
    [r] = org.member.push_ok([change("lead_stage_change", sc, {"stage": "signed"}, base_version=1)])
    assert r["status"] == "rejected" and r["code"] == "immutable"
    [r] = org.member.push_ok([change("lead_stage_change", sc, {"deleted": True}, base_version=1)])
    assert r["status"] == "accepted"


def test_pull_pages_and_digests_match_the_clients_computation(org: Org) -> None:
    ids = [uid() for _ in range(25)]
    org.member.push_ok([change("enterprise", i, {"name": f"企业{n}"}) for n, i in enumerate(ids)])
    org.member.push_ok([change("enterprise", ids[0], {"deleted": True}, base_version=1)])
    pages, cursor, records = 0, None, []
    while True:
        body = org.lead.pull(cursor, limit=7).json()
        pages += 1
        records += body["records"]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert pages >= 5
    seqs = [r for r in records]
    assert len({r["id"] for r in seqs}) == len(seqs)  # each record once, at its last seq
    mine = digest.compute((r["type"], r["id"], r["version"], r["deleted"]) for r in records)
    theirs = {t: d for t, d in body["digests"].items() if d["count"]}
    assert mine == theirs
    assert digest.differing_buckets(mine, theirs) == []


def test_bucket_repull_returns_exactly_that_bucket(org: Org) -> None:
    ids = [uid() for _ in range(40)]
    org.member.push_ok([change("enterprise", i, {"name": f"企业{n}"}) for n, i in enumerate(ids)])
    got = []
    for b in range(16):
        after = None
        while True:
            params = {"limit": 2, **({"after_id": after} if after else {})}
            body = org.member.get(f"/api/v1/buckets/enterprise/{b}", params=params).json()
            assert all(r["id"][0] == f"{b:x}" for r in body["records"])
            got += [r["id"] for r in body["records"]]
            after = body["next_after_id"]
            if after is None:
                break
    assert sorted(got) == sorted(ids)


def test_cursor_from_another_epoch_or_garbage(org: Org) -> None:
    r = org.member.pull("bm9uc2Vuc2U")  # not one we handed out: start over
    assert r.status_code == 409 and r.json()["error"]["code"] == "new_epoch"
    assert r.json()["epoch"]
    r = org.member.pull("not a cursor!")
    assert r.status_code == 422 and r.json()["error"]["field"] == "cursor"


def test_visit_contacts_belong_to_the_visited_enterprise(org: Org) -> None:
    e1, e2, c2 = uid(), uid(), uid()
    org.member.push_ok([change("enterprise", e1, {"name": "甲"}),
                        change("enterprise", e2, {"name": "乙"}),
                        change("contact", c2, {"enterprise_id": e2, "name": "李四"})])
    [r] = org.member.push_ok([change("visit", uid(), {
        "enterprise_id": e1, "contact_ids": [c2], "scheduled_at": "2026-03-01 10:00"})])
    assert r["status"] == "rejected" and r["code"] == "contact_other_enterprise"


def test_create_and_delete_coalesced_into_one_change(org: Org) -> None:
    eid = uid()
    [r] = org.member.push_ok([change("enterprise", eid, {"name": "甲", "deleted": True})])
    assert r["status"] == "accepted"
    records, _ = org.member.pull_all()
    assert [x["deleted"] for x in records if x["id"] == eid] == [True]
    [r] = org.member.push_ok([change("enterprise", uid(), {"deleted": True})])
    assert r["status"] == "rejected" and r["code"] == "required"


def test_rows_without_stored_wire_json_are_encoded_on_read(org: Org, engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from server import db
    from server.db import write_tx

    eid = uid()
    org.member.push_ok([change("enterprise", eid, {"name": "旧行", "tags": ["上市公司"]})])
    stored, _ = org.member.pull_all()
    with write_tx(engine) as conn:  # as rows written before migration 0002 look
        conn.execute(update(db.record).where(db.record.c.id == eid).values(wire=None))
    again, _ = org.member.pull_all()
    assert [r for r in again if r["id"] == eid] == [r for r in stored if r["id"] == eid]


def test_a_long_push_of_edits_mixed_with_conflicts_groups_and_deletes(org: Org) -> None:
    # Over the PostgreSQL writer's AHEAD_ROWS (100): its UPDATEs go ahead in a pipeline
    # while reads (a USCC owner, live children, a group's savepoint) come between them.
    ents = [uid() for _ in range(230)]
    child = uid()
    org.member.push_ok(
        [change("enterprise", e, {"name": f"企业{n}", **({"uscc": make_uscc(n)} if n < 10 else {})})
         for n, e in enumerate(ents)]
        + [change("contact", child, {"enterprise_id": ents[200], "name": "张三"})])
    _, before = org.member.pull_all()
    first = [change("enterprise", ents[n], {"notes": f"一{n}"}, base_version=1) for n in range(120)]
    group = uid()
    changes = [
        *first,
        change("enterprise", ents[120], {"uscc": make_uscc(0)}, base_version=1),  # ents[0]'s
        change("enterprise", ents[121], {"uscc": make_uscc(500)}, base_version=1),
        change("enterprise", ents[200], {"deleted": True}, base_version=1),  # a live child
        change("enterprise", ents[1], {"city": "许昌"}, base_version=1,
               base_change_id=first[1]["change_id"]),
        change("enterprise", ents[122], {"notes": "旧"}, base_version=5),  # stale
        change("contact", child, {"deleted": True}, base_version=1, group=group),
        change("enterprise", ents[200], {"deleted": True}, base_version=1, group=group),
        *[change("enterprise", ents[n], {"notes": f"二{n}"}, base_version=1)
          for n in range(123, 230) if n != 200],
        change("enterprise", ents[2], {"deleted": True}, base_version=2,
               base_change_id=first[2]["change_id"]),
    ]
    replies = org.member.push_ok(changes)
    status = {r["change_id"]: r["status"] for r in replies}
    assert [c["change_id"] for c in changes] == [r["change_id"] for r in replies]
    refused = {changes[i]["change_id"] for i in (120, 122, 124)}
    assert {cid for cid, s in status.items() if s != "accepted"} == refused
    assert replies[120]["reason"] == "duplicate" and replies[120]["duplicate_of"] == ents[0]
    # A replay is answered as the first time, and nothing is applied twice.
    assert org.member.push_ok(changes) == replies
    records, body = org.member.pull_all(before["cursor"])
    got = {r["id"]: r for r in records}
    assert got[ents[0]]["notes"] == "一0" and got[ents[0]]["version"] == 2
    assert (got[ents[1]]["notes"], got[ents[1]]["city"], got[ents[1]]["version"]) == ("一1", "许昌", 3)
    assert got[ents[2]]["deleted"] is True and got[ents[2]]["version"] == 3
    assert ents[120] not in got and ents[122] not in got
    assert got[ents[121]]["uscc"] == make_uscc(500)
    assert got[ents[200]]["deleted"] is True and got[child]["deleted"] is True
    assert all(got[ents[n]]["notes"] == f"二{n}" for n in range(123, 230) if n != 200)
    assert len(got) == 120 + 1 + 2 + 106
    everything, body = org.lead.pull_all()
    mine = digest.compute((r["type"], r["id"], r["version"], r["deleted"]) for r in everything)
    assert mine == {t: d for t, d in body["digests"].items() if d["count"]}
    # The USCC given up by the deleted ents[2] is free again; ents[0]'s still is not.
    [a, b] = org.member.push_ok([
        change("enterprise", uid(), {"name": "新", "uscc": make_uscc(2)}),
        change("enterprise", uid(), {"name": "重", "uscc": make_uscc(0)})])
    assert (a["status"], b["status"]) == ("accepted", "conflict")


def test_a_push_failing_midway_rolls_back_and_leaves_the_connection_usable(
    org: Org, engine, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    # In process: the UPDATEs sent ahead (every 3 edits here) are still in flight when the
    # push fails; the transaction rolls back and the pooled connection serves the next one.
    from sqlalchemy import select

    from app.domain import wire
    from server import db
    from server.db import write_tx
    from server.services import push as push_service
    from server.services import writer
    from server.services.auth import CurrentUser

    ents = [uid() for _ in range(10)]
    org.member.push_ok([change("enterprise", e, {"name": f"企业{n}"}) for n, e in enumerate(ents)])
    records, _ = org.member.pull_all()
    with engine.connect() as conn:
        name = conn.execute(select(db.app_user.c.username, db.app_user.c.role).where(
            db.app_user.c.org_id == org.id)).first()
    user = CurrentUser(id=0, org_id=org.id, org_name=org.name, username=name[0], role=name[1])
    monkeypatch.setattr(writer, "AHEAD_ROWS", 3)
    changes = [wire.Change(change_id=uid(), type="enterprise", id=e, base_version=1,
                           fields={"notes": "改"}) for e in ents]
    real = push_service._check_unique
    calls = 0

    def failing(*a, **k):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 8:
            raise RuntimeError("boom")
        return real(*a, **k)

    monkeypatch.setattr(push_service, "_check_unique", failing)
    engine.dispose()  # one pooled connection from here on
    used = []
    for _ in range(3):
        calls = 0
        try:
            with write_tx(engine) as conn:
                used.append(conn.connection.driver_connection)
                push_service.push(conn, user=user, epoch=None, changes=changes)
        except RuntimeError as e:
            assert str(e) == "boom"
        else:
            raise AssertionError("the push did not fail")
    with engine.connect() as conn:
        used.append(conn.connection.driver_connection)
        conn.exec_driver_sql("SELECT 1")
    # Still the one connection (left in no broken state for the pool to throw away), and on
    # psycopg out of pipeline mode.
    assert all(c is used[0] for c in used)
    assert getattr(getattr(used[0], "pgconn", None), "pipeline_status", 0) == 0
    assert org.member.pull_all()[0] == records  # nothing of it was applied
    monkeypatch.setattr(push_service, "_check_unique", real)
    with write_tx(engine) as conn:
        result = push_service.push(conn, user=user, epoch=None, changes=changes)
    assert all('"accepted"' in r for r in result.replies)
    got = {r["id"]: r for r in org.member.pull_all()[0]}
    assert all(got[e]["notes"] == "改" and got[e]["version"] == 2 for e in ents)
