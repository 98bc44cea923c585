"""Client sync bookkeeping: held-back changes, acknowledgements, merges, conflicts, pulls."""

import json

from app.storage import outbox, sync_store
from tests import factories


def _wire(store, type_name, record_id, version, **changes):
    record = store.get(type_name, record_id)
    record.update(changes)
    record["version"] = version
    return record


def test_accept_moves_change_to_synced_copy(store):
    e = factories.enterprise(store)
    out, held = sync_store.outgoing(store.conn)
    assert [c.id for c in out] == [e["id"]] and held == 0
    sync_store.mark_sent(store.conn, [out[0].change_id])
    r = sync_store.apply_replies(
        store.conn, [{"change_id": out[0].change_id, "status": "accepted", "version": 1, "seq": 1}]
    )
    assert r.accepted == 1 and outbox.pending_count(store.conn) == 0
    assert store.get("enterprise", e["id"])["version"] == 1
    copy = sync_store.synced_copy(store.conn, "enterprise", e["id"])
    assert copy["name"] == e["name"] and copy["version"] == 1
    assert sync_store.local_digests(store.conn)["enterprise"]["count"] == 1


def test_replayed_reply_is_harmless(store):
    e = factories.enterprise(store)
    (c,), _ = sync_store.outgoing(store.conn)
    reply = {"change_id": c.change_id, "status": "accepted", "version": 1, "seq": 1}
    sync_store.apply_replies(store.conn, [reply])
    assert sync_store.apply_replies(store.conn, [reply]).accepted == 0
    assert store.get("enterprise", e["id"])["version"] == 1


def _synced_enterprise(store):
    e = factories.enterprise(store, city="许昌市", notes="原备注")
    (c,), _ = sync_store.outgoing(store.conn)
    sync_store.apply_replies(store.conn, [{"change_id": c.change_id, "status": "accepted", "version": 1, "seq": 1}])
    return store.get("enterprise", e["id"])


def test_stale_change_merges_silently_when_fields_differ(store):
    e = _synced_enterprise(store)
    store.update("enterprise", e["id"], {"city": "郑州市"})
    (c,), _ = sync_store.outgoing(store.conn)
    theirs = _wire(store, "enterprise", e["id"], 2, city="许昌市", notes="服务器备注")
    r = sync_store.apply_replies(
        store.conn, [{"change_id": c.change_id, "status": "conflict", "reason": "stale", "record": theirs}]
    )
    assert r.merged == 1
    local = store.get("enterprise", e["id"])
    assert local["city"] == "郑州市" and local["notes"] == "服务器备注" and local["version"] == 2
    (again,), _ = sync_store.outgoing(store.conn)
    assert again.fields == {"city": "郑州市"} and again.base_version == 2


def test_same_field_conflict_is_held_with_both_values(store):
    e = _synced_enterprise(store)
    store.update("enterprise", e["id"], {"city": "郑州市"})
    (c,), _ = sync_store.outgoing(store.conn)
    theirs = _wire(store, "enterprise", e["id"], 2, city="洛阳市")
    r = sync_store.apply_replies(
        store.conn, [{"change_id": c.change_id, "status": "conflict", "reason": "stale", "record": theirs}]
    )
    assert r.conflicts == 1
    row = store.conn.execute("SELECT kind, fields, mine, theirs FROM conflict").fetchone()
    assert row[0] == "fields" and json.loads(row[1]) == ["city"]
    assert json.loads(row[2])["city"] == "郑州市" and json.loads(row[3])["city"] == "洛阳市"
    assert store.get("enterprise", e["id"])["city"] == "郑州市"  # nothing typed is lost
    assert sync_store.outgoing(store.conn) == ([], 0)


def test_changes_referencing_a_conflicted_record_are_held(store):
    e = factories.enterprise(store)
    (c,), _ = sync_store.outgoing(store.conn)
    sync_store.apply_replies(
        store.conn, [{"change_id": c.change_id, "status": "rejected", "field": "name",
                      "code": "required", "message": "企业名称不能为空"}]
    )
    store.create("contact", {"enterprise_id": e["id"], "name": "王强"})
    other = factories.enterprise(store, name="另一家")
    out, held = sync_store.outgoing(store.conn)
    assert [x.id for x in out] == [other["id"]] and held == 1


def test_pull_applies_records_without_local_changes_and_moves_cursor(store):
    e = _synced_enterprise(store)
    theirs = _wire(store, "enterprise", e["id"], 3, city="洛阳市")
    new = dict(theirs, id="0b8f4a9e-1111-4c3a-9d7e-0000000000aa", name="洛阳钼业", version=1)
    changed = sync_store.apply_pulled(store.conn, [theirs, new], "cursor-2")
    assert changed == 2
    assert store.get("enterprise", e["id"])["city"] == "洛阳市"
    assert store.get("enterprise", new["id"])["name"] == "洛阳钼业"
    assert sync_store.get_meta(store.conn, "cursor") == "cursor-2"
    from app.storage import search

    assert any(h.id == new["id"] for h in search.search(store.conn, "洛阳钼业").hits)


def test_pull_keeps_local_row_with_pending_change(store):
    e = _synced_enterprise(store)
    store.update("enterprise", e["id"], {"city": "郑州市"})
    theirs = _wire(store, "enterprise", e["id"], 2, city="洛阳市")
    sync_store.apply_pulled(store.conn, [theirs], "c")
    assert store.get("enterprise", e["id"])["city"] == "郑州市"
    assert sync_store.synced_copy(store.conn, "enterprise", e["id"])["version"] == 2


def test_digest_matches_server_computation(store):
    from app.domain import digest

    e = _synced_enterprise(store)
    theirs = _wire(store, "enterprise", e["id"], 5, city="洛阳市")
    sync_store.apply_pulled(store.conn, [theirs], "c")
    expected = digest.compute([("enterprise", e["id"], 5, False)])
    assert sync_store.local_digests(store.conn) == expected
    sync_store.rebuild_digests(store.conn)
    assert sync_store.local_digests(store.conn) == expected


def test_pulled_new_lead_gets_its_stage_whichever_page_brings_it(store):
    lead = factories.lead(store)
    sc = store.create("lead_stage_change", {"lead_id": lead["id"], "stage": "signed",
                                            "date": "2026-03-01"})
    lead_wire = _wire(store, "lead", lead["id"], 2)
    sc_wire = _wire(store, "lead_stage_change", sc["id"], 1)
    for pages in ([[sc_wire], [lead_wire]], [[lead_wire, sc_wire]]):
        # As on a laptop that has neither yet: the stage change may come a page earlier
        # than its lead (the lead was edited later), or in the same page.
        for t in ("lead_stage_change", "lead", "outbox", "synced_copy", "sync_digest"):
            store.conn.execute(f"DELETE FROM {t}")
        for n, page in enumerate(pages):
            sync_store.apply_pulled(store.conn, page, f"c{n}")
        got = store.get("lead", lead["id"])
        assert (got["stage"], got["stage_date"], got["reached_signed"]) == (
            "signed", "2026-03-01", "2026-03-01")


def test_pulled_stage_change_and_lead_edit_keep_the_derived_stage(store):
    lead = factories.lead(store)
    sc = store.create("lead_stage_change", {"lead_id": lead["id"], "stage": "signed",
                                            "date": "2026-03-01"})
    copies = [_wire(store, "lead", lead["id"], 1),
              _wire(store, "lead_stage_change", sc["id"], 1)]
    store.conn.execute("DELETE FROM outbox")
    sync_store.apply_pulled(store.conn, copies, "c1")
    # An edit of the lead alone (only its changed columns are written) keeps the stage.
    sync_store.apply_pulled(store.conn, [_wire(store, "lead", lead["id"], 2, notes="新")], "c2")
    got = store.get("lead", lead["id"])
    assert (got["notes"], got["stage"], got["stage_date"]) == ("新", "signed", "2026-03-01")
    assert got["reached_signed"] == "2026-03-01"
    # A later stage change pulled moves it on.
    new = dict(_wire(store, "lead_stage_change", sc["id"], 1), id="0b8f4a9e-2222-4c3a-9d7e-0000000000bb",
               stage="started", date="2026-04-01")
    sync_store.apply_pulled(store.conn, [new], "c3")
    got = store.get("lead", lead["id"])
    assert (got["stage"], got["reached_started"]) == ("started", "2026-04-01")
