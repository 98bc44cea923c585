"""Saving records: the row and its outbox change in one transaction; tombstones; cascade."""

import json

import pytest

from app.domain.errors import NotFoundError, ValidationError
from app.storage import outbox, search
from tests import factories


def test_create_writes_record_and_outbox_row(store):
    e = factories.enterprise(store, uscc=factories.make_uscc())
    assert store.get("enterprise", e["id"])["name"] == "许继集团有限公司"
    changes = outbox.changes(store.conn)
    assert [(c["type"], c["id"]) for c in changes] == [("enterprise", e["id"])]
    assert changes[0]["fields"]["name"] == "许继集团有限公司"
    assert changes[0]["base_version"] is None


def test_failure_inside_save_writes_nothing(store, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("index failed")

    monkeypatch.setattr(search, "index_record", boom)
    with pytest.raises(RuntimeError):
        factories.enterprise(store)
    assert store.count("enterprise") == 0
    assert outbox.pending_count(store.conn) == 0


def test_invalid_input_writes_nothing(store):
    with pytest.raises(ValidationError) as e:
        store.create("enterprise", {"name": "甲公司", "uscc": "91110108551385082A"})
    assert e.value.code == "uscc_checksum"
    assert store.count("enterprise") == 0 and outbox.pending_count(store.conn) == 0


def test_unsent_edits_coalesce_into_one_change(store):
    e = factories.enterprise(store)
    store.update("enterprise", e["id"], {"city": "许昌市"})
    store.update("enterprise", e["id"], {"address": "许昌市许继大道1298号"})
    changes = outbox.changes(store.conn)
    assert len(changes) == 1
    assert changes[0]["fields"]["city"] == "许昌市"
    assert changes[0]["fields"]["address"] == "许昌市许继大道1298号"


def test_sent_change_is_never_altered(store):
    e = factories.enterprise(store)
    store.conn.execute("UPDATE outbox SET sent_at = '2025-01-01T00:00:00Z'")
    store.update("enterprise", e["id"], {"city": "许昌市"})
    changes = outbox.changes(store.conn)
    assert len(changes) == 2
    assert "city" not in changes[0]["fields"]
    assert changes[1]["fields"] == {"city": "许昌市"}
    assert changes[1]["base_change_id"] == changes[0]["change_id"]


def test_unchanged_update_writes_no_change(store):
    e = factories.enterprise(store)
    store.conn.execute("DELETE FROM outbox")
    store.update("enterprise", e["id"], {"name": "许继集团有限公司"})
    assert outbox.pending_count(store.conn) == 0


def test_duplicate_uscc_refused_locally(store):
    code = factories.make_uscc()
    factories.enterprise(store, uscc=code)
    with pytest.raises(ValidationError) as e:
        factories.enterprise(store, name="另一家公司", uscc=code)
    assert e.value.code == "uscc_duplicate" and e.value.params["other"] == "许继集团有限公司"


def test_invalid_uscc_override_is_recorded(store):
    e = store.create(
        "enterprise", {"name": "境外公司", "uscc": "91110108551385082A"}, accept_invalid_uscc=True
    )
    assert e["uscc_override_by"] == "tester" and e["uscc_override_at"]
    fields = outbox.changes(store.conn)[0]["fields"]
    assert fields["uscc_override_by"] == "tester"


def test_delete_with_children_needs_cascade(store):
    e = factories.enterprise(store)
    c = store.create("contact", {"enterprise_id": e["id"], "name": "王强"})
    with pytest.raises(ValidationError) as err:
        store.delete("enterprise", e["id"])
    assert err.value.code == "has_children"
    assert not store.get("enterprise", e["id"])["deleted"]
    done = store.delete("enterprise", e["id"], cascade=True)
    assert set(done) == {("enterprise", e["id"]), ("contact", c["id"])}
    assert store.get("contact", c["id"])["deleted"]
    groups = {ch["group"] for ch in outbox.changes(store.conn) if ch["fields"] == {"deleted": True}}
    assert len(groups) == 1 and None not in groups


def test_restore_needs_live_parent(store):
    e = factories.enterprise(store)
    c = store.create("contact", {"enterprise_id": e["id"], "name": "王强"})
    store.delete("enterprise", e["id"], cascade=True)
    with pytest.raises(ValidationError) as err:
        store.restore("contact", c["id"])
    assert err.value.code == "ref_deleted"
    store.restore("enterprise", e["id"])
    assert not store.restore("contact", c["id"])["deleted"]


def test_tombstoned_records_leave_lists_but_stay_readable(store):
    e = factories.enterprise(store)
    store.delete("enterprise", e["id"])
    assert store.count("enterprise") == 0
    assert store.count("enterprise", deleted=True) == 1
    assert store.get("enterprise", e["id"])["deleted"] is True


def test_ref_must_exist(store):
    with pytest.raises(ValidationError) as e:
        store.create("contact", {"enterprise_id": "0b8f4a9e-1111-4c3a-9d7e-00000000dead", "name": "x"})
    assert e.value.code == "ref_missing" and e.value.field == "enterprise_id"


def test_lead_stage_is_latest_change_by_date(store):
    lead = factories.lead(store)
    add = lambda stage, day: store.create(  # noqa: E731
        "lead_stage_change", {"lead_id": lead["id"], "stage": stage, "date": day}
    )
    add("clue", "2025-03-01")
    signed = add("signed", "2025-06-01")
    add("negotiating", "2025-04-01")  # entered later, dated earlier: not the current stage
    assert store.get("lead", lead["id"])["stage"] == "signed"
    store.delete("lead_stage_change", signed["id"])
    assert store.get("lead", lead["id"])["stage"] == "negotiating"


def test_list_filters_on_multi_valued_field(store):
    factories.enterprise(store, name="甲", tags=["专精特新", "上市公司"])
    factories.enterprise(store, name="乙", tags=["上市公司"])
    names = {r["name"] for r in store.list("enterprise", {"tags": "专精特新"})}
    assert names == {"甲"}


def test_unknown_id_is_not_found(store):
    with pytest.raises(NotFoundError):
        store.get("enterprise", "0b8f4a9e-1111-4c3a-9d7e-00000000dead")


def test_list_values_extend(store):
    with pytest.raises(ValidationError):
        factories.enterprise(store, industry_chain="低空经济")
    store.create("list_item", {"kind": "industry_chain", "value": "低空经济"})
    assert factories.enterprise(store, industry_chain="低空经济")["industry_chain"] == "低空经济"
    with pytest.raises(ValidationError) as e:
        store.create("list_item", {"kind": "industry_chain", "value": "低空经济"})
    assert e.value.code == "list_value_exists"


def test_outbox_fields_are_json(store):
    factories.enterprise(store, tags=["上市公司"])
    raw = store.conn.execute("SELECT fields FROM outbox").fetchone()[0]
    assert json.loads(raw)["tags"] == ["上市公司"]


def test_member_may_not_delete_what_others_created(store):
    from app.storage.records import RecordStore

    e = factories.enterprise(store)  # created by "tester"
    member = RecordStore(store.conn, user="bob", role="member")
    with pytest.raises(ValidationError) as err:
        member.delete("enterprise", e["id"])
    assert err.value.code == "forbidden_delete" and not store.get("enterprise", e["id"])["deleted"]
    lead = RecordStore(store.conn, user="lena", role="lead")
    assert lead.delete("enterprise", e["id"]) == [("enterprise", e["id"])]
    own = member.create("enterprise", {"name": "自己建的企业"})
    assert member.delete("enterprise", own["id"])
    seeded = store.list("list_item", {"kind": "region"}, limit=1)[0]
    with pytest.raises(ValidationError) as err:
        lead.delete("list_item", seeded["id"])
    assert err.value.code == "forbidden_list"
