"""The enterprise list's queries: results, and plans that stay on the covering index."""

from __future__ import annotations

import time
from typing import Any

from app.storage.queries.enterprises import EnterpriseQuery, EnterpriseSource, _where


def _plan(conn: Any, query: EnterpriseQuery) -> str:
    where, args = _where(query)
    rows = conn.execute(
        f"EXPLAIN QUERY PLAN SELECT rowid FROM enterprise WHERE {where} ORDER BY name_key",
        args).fetchall()
    return " | ".join(r[-1] for r in rows)


def test_list_filters_run_on_the_covering_index_without_sorting(store: Any) -> None:
    for query in (EnterpriseQuery(), EnterpriseQuery(text="科技"), EnterpriseQuery(tag="专精特新"),
                  EnterpriseQuery(region="长三角", text="ＡＢＣ")):
        plan = _plan(store.conn, query)
        assert "COVERING INDEX enterprise_list" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


def test_text_filter_is_width_and_case_insensitive(store: Any) -> None:
    store.create("enterprise", {"name": "ABC 科技有限公司", "city": "苏州市"})
    store.create("enterprise", {"name": "许继集团有限公司", "city": "许昌市"})
    source = EnterpriseSource()

    def names(query: EnterpriseQuery) -> list[str]:
        keys = source.find_keys(store.conn, query)
        rows = source.fetch(store.conn, keys)
        return [rows[k]["name"] for k in keys]

    assert names(EnterpriseQuery(text="ａｂｃ")) == ["ABC 科技有限公司"]
    assert names(EnterpriseQuery(text="abc科技")) == ["ABC 科技有限公司"]
    assert names(EnterpriseQuery(text="许昌")) == ["许继集团有限公司"]
    assert names(EnterpriseQuery(text="有限公司", descending=True)) == [
        "许继集团有限公司", "ABC 科技有限公司"]
    assert names(EnterpriseQuery(text="100%")) == []


def test_text_filter_sees_writes_made_after_it_ran(store: Any, tmp_path: Any) -> None:
    from app.storage.db import connect
    from app.storage.records import RecordStore

    source = EnterpriseSource()
    store.create("enterprise", {"name": "许继集团有限公司"})
    assert len(source.find_keys(store.conn, EnterpriseQuery(text="集团"))) == 1
    store.create("enterprise", {"name": "平高集团有限公司"})  # this connection
    assert len(source.find_keys(store.conn, EnterpriseQuery(text="集团"))) == 2
    path = store.conn.execute("PRAGMA database_list").fetchone()[2]
    other = connect(path)
    RecordStore(other, user="lina").create("enterprise", {"name": "森源集团有限公司"})
    other.close()
    assert len(source.find_keys(store.conn, EnterpriseQuery(text="集团"))) == 3


def test_rows_read_ahead_are_ignored_after_a_write(store: Any) -> None:
    source = EnterpriseSource()
    store.create("enterprise", {"name": "许继集团有限公司"})
    base = EnterpriseQuery()
    stamp = source.stamp(store.conn, base)
    rows = EnterpriseSource.load_text_rows(store.conn, base)
    store.create("enterprise", {"name": "平高集团有限公司"})  # lands between read and use
    source.set_text_rows(stamp, rows)
    assert source.cached_rows(store.conn, base) is None
    assert len(source.find_keys(store.conn, EnterpriseQuery(text="集团"))) == 2
    assert len(source.find_keys(store.conn, base)) == 2


def test_chain_and_region_filters_in_list_orders_read_only_their_index(store: Any) -> None:
    from app.storage.queries.enterprises import _order

    for query, index in (
        (EnterpriseQuery(industry_chain="新能源"), "enterprise_chain_name"),
        (EnterpriseQuery(industry_chain="新能源", sort="updated_at"), "enterprise_chain"),
        (EnterpriseQuery(region="长三角", sort="updated_at", descending=True), "enterprise_region"),
    ):
        where, args = _where(query)
        plan = " | ".join(r[-1] for r in store.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT rowid FROM enterprise WHERE {where}"
            f" ORDER BY {_order(query)}", args))
        assert f"COVERING INDEX {index} " in plan and "TEMP B-TREE" not in plan, plan


def test_chain_filter_sorted_by_update_lists_newest_last_edit_first(store: Any) -> None:
    first = store.create("enterprise", {"name": "许继集团有限公司", "industry_chain": "新能源"})
    store.create("enterprise", {"name": "平高集团有限公司", "industry_chain": "新能源"})
    store.create("enterprise", {"name": "森源集团有限公司", "industry_chain": "新材料"})
    time.sleep(0.002)  # updated_at has millisecond resolution
    store.update("enterprise", first["id"], {"notes": "再次拜访"})
    source = EnterpriseSource()
    query = EnterpriseQuery(industry_chain="新能源", sort="updated_at", descending=True)
    keys = source.find_keys(store.conn, query)
    rows = source.fetch(store.conn, keys)
    assert [rows[k]["name"] for k in keys] == ["许继集团有限公司", "平高集团有限公司"]
