"""Pulled records reach the search index through the durable queue: soon, exactly, and
never lost — whether the queue is drained, a local save overtakes it, or the process dies."""

from __future__ import annotations

from app.storage import search, sync_store
from app.storage.db import open_database, transaction
from app.sync import indexer
from tests import factories

OTHER_ID = "0b8f4a9e-1111-4c3a-9d7e-0000000000aa"


def _synced_enterprise(store, **fields):
    e = factories.enterprise(store, **fields)
    (c,), _ = sync_store.outgoing(store.conn)
    sync_store.apply_replies(
        store.conn, [{"change_id": c.change_id, "status": "accepted", "version": 1, "seq": 1}]
    )
    return store.get("enterprise", e["id"])


def _wire(store, record_id, version, **changes):
    record = store.get("enterprise", record_id)
    record.update(changes)
    record["version"] = version
    return record


def _ids(conn, query):
    return {h.id for h in search.search(conn, query).hits}


def _same_as_rebuilt(conn):
    """The incrementally kept index answers like one rebuilt from the rows."""
    queries = ("许继", "平高", "集团", "洛阳", "xjjt", "pgjt", "新备注")
    before = ({q: _ids(conn, q) for q in queries},
              sorted(conn.execute("SELECT token, type, n FROM search_count WHERE n != 0")))
    with transaction(conn):
        search.rebuild(conn)
    after = ({q: _ids(conn, q) for q in queries},
             sorted(conn.execute("SELECT token, type, n FROM search_count WHERE n != 0")))
    assert before == after


def test_deferred_pull_is_searchable_after_drain(store):
    e = _synced_enterprise(store, name="许继集团有限公司", notes="原备注")
    theirs = _wire(store, e["id"], 2, name="平高集团有限公司", notes="新备注")
    new = dict(theirs, id=OTHER_ID, name="洛阳钼业集团", uscc=None, version=1)
    assert sync_store.apply_pulled(store.conn, [theirs, new], "c2", index_now=False) == 2
    # The rows and cursor are committed; the index trails them until the queue is drained.
    assert store.get("enterprise", e["id"])["name"] == "平高集团有限公司"
    assert search.queued(store.conn) == 2
    assert _ids(store.conn, "许继") == {e["id"]} and not _ids(store.conn, "洛阳")
    assert search.drain(store.conn) == 2
    assert search.queued(store.conn) == 0
    assert _ids(store.conn, "平高") == {e["id"]} and not _ids(store.conn, "许继")
    assert _ids(store.conn, "洛阳") == {OTHER_ID} and _ids(store.conn, "pgjt") == {e["id"]}
    _same_as_rebuilt(store.conn)


def test_pull_that_changes_nothing_indexed_queues_nothing(store):
    e = _synced_enterprise(store, name="许继集团", city="许昌市")
    theirs = _wire(store, e["id"], 2, city="洛阳市")
    sync_store.apply_pulled(store.conn, [theirs], "c2", index_now=False)
    assert search.queued(store.conn) == 0
    assert store.get("enterprise", e["id"])["city"] == "洛阳市"


def test_local_save_over_a_queued_record_replays_from_the_queue(store):
    e = _synced_enterprise(store, name="许继集团", notes="原备注")
    sync_store.apply_pulled(store.conn, [_wire(store, e["id"], 2, name="平高集团")], "c2",
                            index_now=False)
    # The index still holds 许继集团: the save must replace that, not 平高集团.
    store.update("enterprise", e["id"], {"notes": "新备注"})
    assert search.queued(store.conn) == 0
    assert _ids(store.conn, "平高") == {e["id"]} and _ids(store.conn, "新备注") == {e["id"]}
    assert not _ids(store.conn, "许继")
    _same_as_rebuilt(store.conn)


def test_tombstone_and_second_pull_before_drain(store):
    e = _synced_enterprise(store, name="许继集团")
    other = _synced_enterprise(store, name="平高集团", uscc=None)
    sync_store.apply_pulled(store.conn, [_wire(store, e["id"], 2, name="洛阳集团")], "c2",
                            index_now=False)
    sync_store.apply_pulled(store.conn, [_wire(store, e["id"], 3, name="许继集团"),
                                         _wire(store, other["id"], 2, deleted=True)], "c3",
                            index_now=False)
    assert search.queued(store.conn) == 2  # the first note of e stands for what is indexed
    search.drain(store.conn, limit=1)
    search.drain(store.conn)
    assert _ids(store.conn, "许继") == {e["id"]}
    assert not _ids(store.conn, "平高") and not _ids(store.conn, "洛阳")
    _same_as_rebuilt(store.conn)


def test_queue_survives_the_process_and_is_drained_on_open(tmp_path):
    from app.storage.records import RecordStore

    path = tmp_path / "profile.sqlite3"
    store = RecordStore(open_database(path).conn, user="tester")
    e = _synced_enterprise(store, name="许继集团")
    sync_store.apply_pulled(store.conn, [_wire(store, e["id"], 2, name="平高集团")], "c2",
                            index_now=False)
    store.conn.close()  # as if killed before the indexer ran
    conn = open_database(path).conn
    try:
        assert search.queued(conn) == 0
        assert _ids(conn, "平高") == {e["id"]} and not _ids(conn, "许继")
    finally:
        conn.close()


def test_background_indexer_drains_with_its_own_connection(store):
    e = _synced_enterprise(store, name="许继集团")
    sync_store.apply_pulled(store.conn, [_wire(store, e["id"], 2, name="平高集团")], "c2",
                            index_now=False)
    job = indexer.start(store.conn)
    assert job is not None and job.wait(30)
    assert search.queued(store.conn) == 0
    assert _ids(store.conn, "平高") == {e["id"]}


def test_apply_pulled_indexes_at_once_by_default(store):
    e = _synced_enterprise(store, name="许继集团")
    sync_store.apply_pulled(store.conn, [_wire(store, e["id"], 2, name="平高集团")], "c2")
    assert search.queued(store.conn) == 0 and _ids(store.conn, "平高") == {e["id"]}
