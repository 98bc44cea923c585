"""The bulk insert path leaves exactly what RecordStore.create leaves (row, outbox, index)."""

from __future__ import annotations

import json

import pytest

from app.domain.records import SPECS, validate_fields
from app.storage import search
from app.storage.db import transaction
from app.storage.ids import blob
from app.storage.importer.writer import insert_new
from tests.factories import make_uscc

_VOLATILE = {"id", "created_at", "updated_at", "enterprise_id", "lead_id"}

CASES = {
    "enterprise": {"name": "许继集团有限公司", "uscc": make_uscc(), "industry_chain": "高端装备",
                   "tags": ["上市公司"], "city": "许昌市", "notes": "龙头"},
    "contact": {"name": "单田芳", "title": "总经理", "mobile": "13812345678"},
    "lead": {"name": "储能电池项目", "investment_wan": 50000, "high_energy": False, "unit": "经开区"},
    "lead_stage_change": {"stage": "signed", "date": "2025-06-30", "who": "tester"},
}


def _row(conn, type_name, rid):
    cur = conn.execute(f"SELECT * FROM {type_name} WHERE id = ?", (blob(rid),))
    cols = [d[0] for d in cur.description]
    return {k: v for k, v in zip(cols, cur.fetchone(), strict=True) if k not in _VOLATILE}


def _public(record):
    return {k: v for k, v in record.items() if k not in _VOLATILE}


def _outbox(conn, rid):
    rows = conn.execute(
        "SELECT type, base_version, base_change_id, group_id, fields, state, sent_at"
        " FROM outbox WHERE record_id = ?", (rid,)).fetchall()
    return [(*r[:4], json.loads(r[4]), *r[5:]) for r in rows]


@pytest.mark.parametrize("type_name", list(CASES))
def test_bulk_insert_matches_store_create(store, type_name):
    parent = store.create("enterprise", {"name": "父企业"})
    lead = store.create("lead", {"name": "父项目"})
    fields = dict(CASES[type_name])
    if type_name == "contact":
        fields["enterprise_id"] = parent["id"]
    if type_name == "lead_stage_change":
        fields["lead_id"] = lead["id"]
    via_store = store.create(type_name, fields)
    spec = SPECS[type_name]
    cleaned = validate_fields(spec, fields)
    if type_name == "enterprise":
        # USCCs are unique among live enterprises: the store's copy gives its code up first.
        store.conn.execute("UPDATE enterprise SET uscc = NULL WHERE id = ?", (blob(via_store["id"]),))
    with transaction(store.conn):
        (bulk,) = insert_new(store.conn, spec, [("00000000-0000-4000-8000-00000000000a", cleaned)],
                             store.user)
    if type_name == "enterprise":
        assert bulk["uscc"] == fields["uscc"]
        store.conn.execute("UPDATE enterprise SET uscc = ? WHERE id = ?", (fields["uscc"], blob(via_store["id"])))
    assert bulk == store.get(type_name, bulk["id"])
    assert _public(bulk) == _public(store.get(type_name, via_store["id"]))
    assert _row(store.conn, type_name, bulk["id"]) == _row(store.conn, type_name, via_store["id"])
    assert _outbox(store.conn, bulk["id"]) == _outbox(store.conn, via_store["id"])
    if type_name in ("enterprise", "contact", "lead"):
        query = fields["name"][:2]
        hits = {h.id for h in search.search(store.conn, query, type_name=type_name).hits}
        assert {bulk["id"], via_store["id"]} <= hits


def test_lookup_decodes_records_as_the_store_does(store):
    from app.storage.importer.lookup import Existing

    ent = store.create("enterprise", {"name": "许继集团", "uscc": make_uscc(), "tags": ["上市公司"]})
    contact = store.create("contact", {"enterprise_id": ent["id"], "name": "王强", "is_key": True})
    lead = store.create("lead", {"name": "储能", "enterprise_id": ent["id"], "high_energy": True})
    existing = Existing(store.conn)
    existing.load_enterprises([ent["uscc"]], [])
    existing.load_children([ent["id"]], contacts=True, leads=True)
    assert existing.enterprise(ent["uscc"], None) == store.get("enterprise", ent["id"])
    assert existing.contacts(ent["id"]) == [store.get("contact", contact["id"])]
    assert existing.leads(ent["id"]) == [store.get("lead", lead["id"])]
