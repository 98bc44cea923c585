"""Two laptops and a real server: push, pull, merges, conflicts, duplicates, quarantine."""

from __future__ import annotations

from app.storage import conflicts, outbox, sync_store
from tests.factories import make_uscc


def _fields(store, type_name, rid):
    r = store.get(type_name, rid)
    return {k: v for k, v in r.items() if k not in ("created_at", "updated_at", "version")}


def test_records_travel_and_noop_sync_is_one_request(clients):
    a, b = clients("a"), clients("b", user="bob")
    e = a.store.create("enterprise", {"name": "许继集团有限公司", "uscc": make_uscc()})
    c = a.store.create("contact", {"enterprise_id": e["id"], "name": "单田芳", "mobile": "13800138000"})
    report = a.sync()
    assert report.accepted == 2 and outbox.pending_count(a.conn) == 0
    report = b.sync()
    assert report.bootstrapped  # a fresh profile starts from the server's snapshot
    assert b.store.get("contact", c["id"])["name"] == "单田芳"
    assert b.store.get("enterprise", e["id"])["created_by"] == "alice"
    noop = b.sync()
    assert noop.requests == 1 and noop.pulled == 0
    # A push from the head moves the cursor with the replies: nothing is pulled back.
    b.store.update("contact", c["id"], {"title": "董事长"})
    report = b.sync()
    assert report.accepted == 1 and report.pulled == 0
    assert a.sync().pulled == 1 and a.store.get("contact", c["id"])["title"] == "董事长"
    assert sync_store.local_digests(a.conn) == sync_store.local_digests(b.conn)


def test_different_fields_merge_silently(clients):
    a, b = clients("a"), clients("b", user="bob")
    e = a.store.create("enterprise", {"name": "平高集团", "city": "平顶山市"})
    a.sync(), b.sync()
    a.store.update("enterprise", e["id"], {"address": "平顶山市南环东路22号"})
    b.store.update("enterprise", e["id"], {"notes": "已对接储能项目"})
    a.sync()
    report = b.sync()
    assert report.merged == 1 and report.conflicts == 0
    a.sync()
    for client in (a, b):
        r = client.store.get("enterprise", e["id"])
        assert r["address"] == "平顶山市南环东路22号" and r["notes"] == "已对接储能项目"
    assert _fields(a.store, "enterprise", e["id"]) == _fields(b.store, "enterprise", e["id"])


def test_same_field_conflict_resolved_by_user(clients):
    a, b = clients("a"), clients("b", user="bob")
    e = a.store.create("enterprise", {"name": "森源电气", "city": "长葛市"})
    a.sync(), b.sync()
    a.store.update("enterprise", e["id"], {"notes": "甲的纪要"})
    b.store.update("enterprise", e["id"], {"notes": "乙的纪要"})
    a.sync()
    report = b.sync()
    assert report.conflicts == 1
    (c,) = conflicts.list_open(b.conn)
    assert c["fields"] == ["notes"] and c["mine"]["notes"] == "乙的纪要"
    assert c["theirs"]["notes"] == "甲的纪要"
    assert b.store.get("enterprise", e["id"])["notes"] == "乙的纪要"  # nothing typed is lost
    conflicts.resolve(b.conn, c["id"], "both")
    b.sync()
    a.sync()
    notes = a.store.get("enterprise", e["id"])["notes"]
    assert "甲的纪要" in notes and "乙的纪要" in notes
    assert notes == b.store.get("enterprise", e["id"])["notes"]


def test_delete_vs_edit_is_a_conflict(clients):
    a, b = clients("a"), clients("b", user="lena")
    e = a.store.create("enterprise", {"name": "黄河旋风"})
    a.sync(), b.sync()
    a.store.update("enterprise", e["id"], {"city": "长葛市"})
    b.store.delete("enterprise", e["id"])
    a.sync()
    report = b.sync()
    assert report.conflicts == 1
    (c,) = conflicts.list_open(b.conn)
    assert c["kind"] == "delete_edit"
    conflicts.resolve(b.conn, c["id"], "theirs")
    b.sync(), a.sync()
    assert not b.store.get("enterprise", e["id"])["deleted"]
    assert b.store.get("enterprise", e["id"])["city"] == "长葛市"


def test_same_enterprise_on_two_laptops_becomes_one(clients):
    a, b = clients("a"), clients("b", user="bob")
    code = make_uscc("91411000MA44XJ7K2")
    ea = a.store.create("enterprise", {"name": "许昌智能继电器股份有限公司", "uscc": code})
    eb = b.store.create("enterprise", {"name": "许昌智能继电器", "uscc": code})
    cb = b.store.create("contact", {"enterprise_id": eb["id"], "name": "曾志伟"})
    a.sync()
    report = b.sync()
    assert report.conflicts == 1
    (c,) = conflicts.list_open(b.conn)
    assert c["kind"] == "duplicate" and c["duplicate_of"] == ea["id"]
    conflicts.merge_duplicate(b.store, c["id"])
    b.sync(), a.sync()
    for client in (a, b):
        assert client.store.count("enterprise", {"uscc": code}) == 1
        assert client.store.get("contact", cb["id"])["enterprise_id"] == ea["id"]


def test_rejected_change_is_quarantined_and_others_go_on(clients, monkeypatch):
    a, b = clients("a"), clients("b", user="bob")
    # A list value the server does not know (added locally, then its list item quarantined).
    a.store.create("list_item", {"kind": "industry_chain", "value": "低空经济"})
    a.conn.execute("DELETE FROM outbox WHERE type = 'list_item'")
    bad = a.store.create("enterprise", {"name": "低空科技", "industry_chain": "低空经济"})
    contact = a.store.create("contact", {"enterprise_id": bad["id"], "name": "王强"})
    good = a.store.create("enterprise", {"name": "许昌烟草机械"})
    report = a.sync()
    assert report.rejected == 1 and report.accepted == 1 and report.held == 1
    (q,) = conflicts.list_quarantine(a.conn)
    assert q["id"] == bad["id"] and q["reason"]["field"] == "industry_chain"
    b.sync()
    assert b.store.find("enterprise", good["id"]) is not None
    assert b.store.find("enterprise", bad["id"]) is None
    # The user fixes the record and retries: it and the held contact go through.
    a.store.update("enterprise", bad["id"], {"industry_chain": "高端装备"})
    conflicts.retry_quarantined(a.conn, q["change_id"])
    report = a.sync()
    assert report.rejected == 0 and outbox.pending_count(a.conn) == 0
    b.sync()
    assert b.store.get("contact", contact["id"])["name"] == "王强"


def test_edit_then_delete_of_a_record_deleted_on_the_server_settles(clients):
    """Both sides deleted it: the local edit made before the delete has nothing to land on,
    and the sync must end (it used to push that edit against the tombstone forever)."""
    import signal

    a, lena = clients("a"), clients("l", user="lena")
    rid = a.store.create("enterprise", {"name": "复现企业有限公司", "city": "许昌市"})["id"]
    a.sync(), lena.sync()
    lena.store.delete("enterprise", rid)
    lena.sync()
    a.store.update("enterprise", rid, {"city": "郑州市"})
    a.store.delete("enterprise", rid)

    def stop(*_):
        raise TimeoutError("the sync did not settle within 30 s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(30)
    try:
        a.sync()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert outbox.pending_count(a.conn) == 0 and not conflicts.list_open(a.conn)
    assert a.store.get("enterprise", rid)["deleted"]
    lena.sync()
    assert sync_store.local_digests(a.conn) == sync_store.local_digests(lena.conn)
