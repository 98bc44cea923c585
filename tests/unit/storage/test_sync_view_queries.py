"""The 同步 view's reads and per-field conflict resolution, without a server."""

from __future__ import annotations

import pytest

from app.domain.errors import ValidationError
from app.domain.merge import BOTH_SEPARATOR
from app.storage import conflicts, sync_store
from app.storage.queries import sync_view
from tests import factories


def _accept_all(store, version=1):
    out, _ = sync_store.outgoing(store.conn)
    sync_store.apply_replies(store.conn, [
        {"change_id": c.change_id, "status": "accepted", "version": version, "seq": i}
        for i, c in enumerate(out, 1)
    ])


def _conflict_on(store, record_id, mine, theirs):
    """Edit locally, then answer the push with a server copy that changed the same fields."""
    store.update("enterprise", record_id, mine)
    (c,), _ = sync_store.outgoing(store.conn)
    server = store.get("enterprise", record_id)
    server.update(sync_store.synced_copy(store.conn, "enterprise", record_id))
    server.update(theirs, version=2)
    sync_store.apply_replies(store.conn, [
        {"change_id": c.change_id, "status": "conflict", "reason": "stale", "record": server}])
    (item,) = conflicts.list_open(store.conn)
    return item


def test_status_counts_and_outbox_rows(store):
    e = factories.enterprise(store, name="许继集团有限公司")
    store.create("contact", {"enterprise_id": e["id"], "name": "单田芳", "mobile": "13800138000"})
    status = sync_view.status(store.conn)
    assert (status.pending, status.conflicts, status.duplicates, status.quarantined) == (2, 0, 0, 0)
    assert status.last_sync_at is None and not status.is_demo
    source = sync_view.OutboxSource()
    keys = source.find_keys(store.conn, sync_view.OutboxQuery())
    rows = source.fetch(store.conn, keys)
    first, second = (rows[k] for k in keys)
    assert first["caption"] == "许继集团有限公司" and first["is_create"]
    assert first["field_names"][0] == "name"  # in the record's field order
    assert second["type"] == "contact" and second["caption"] == "单田芳"


def test_per_field_choices_mine_theirs_edit_and_both(store):
    e = factories.enterprise(store, city="许昌市", address="老地址", notes="原备注")
    _accept_all(store)
    c = _conflict_on(
        store, e["id"],
        {"city": "郑州市", "address": "本机地址", "notes": "本机备注", "province": "河南省"},
        {"city": "洛阳市", "address": "服务器地址", "notes": "服务器备注", "province": "河北省"},
    )
    assert set(c["fields"]) == {"city", "address", "notes", "province"}
    assert sync_view.status(store.conn).conflicts == 1
    mine, theirs = conflicts.sides(store.conn, c)
    assert mine["city"] == "郑州市" and theirs["city"] == "洛阳市"
    record = conflicts.resolve(
        store.conn, c["id"], "mine",
        per_field={"city": "theirs", "address": "edit", "notes": "both"},
        edited={"address": "  合并后的地址 "},
    )
    assert record["city"] == "洛阳市"  # theirs
    assert record["province"] == "河南省"  # the default: mine
    assert record["address"] == "合并后的地址"  # typed, cleaned like any edit
    assert record["notes"] == "本机备注" + BOTH_SEPARATOR + "服务器备注"
    (change,), _ = sync_store.outgoing(store.conn)
    assert change.base_version == 2 and "city" not in change.fields
    assert conflicts.list_open(store.conn) == []


def test_an_edited_value_is_validated(store):
    e = factories.enterprise(store, website="https://a.example.cn")
    _accept_all(store)
    c = _conflict_on(store, e["id"], {"website": "https://b.example.cn"},
                     {"website": "https://c.example.cn"})
    with pytest.raises(ValidationError) as info:
        conflicts.resolve(store.conn, c["id"], "mine", per_field={"website": "edit"},
                          edited={"website": "不是网址"})
    assert info.value.field == "website"
    with pytest.raises(ValidationError):
        conflicts.resolve(store.conn, c["id"], "edit")  # 'edit' is a per-field choice only
    assert len(conflicts.list_open(store.conn)) == 1  # nothing partial was written
