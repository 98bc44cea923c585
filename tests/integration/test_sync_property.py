"""Property: laptops editing the same records offline, syncing in random order.

Edits to different fields merge silently; concurrent edits of one field (or delete vs edit)
surface as conflicts; after everyone syncs, all agree with the server, and no edit that a
laptop was told was saved is lost unless a later edit that had seen it replaced it, or a
conflict about it was shown to someone.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import ValidationError
from app.storage import conflicts, outbox

FIELDS = ("city", "address", "notes")
EXAMPLES = int(os.environ.get("FIELDDESK_SOAK_EXAMPLES", "8"))
_names = itertools.count()

op = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 2), st.sampled_from(FIELDS),
              st.sampled_from(["甲", "乙", "丙", "丁"])),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("sync"), st.integers(0, 2)),
)


@dataclass
class Edit:
    n: int
    client: int
    record: int
    field: str  # "deleted" for a delete
    value: object
    saw: frozenset[int] = frozenset()


@dataclass
class Model:
    edits: list[Edit] = field(default_factory=list)
    known: dict[int, set[int]] = field(default_factory=dict)  # client -> edit numbers seen
    server: set[int] = field(default_factory=set)
    conflicted: set[str] = field(default_factory=set)


def _sync(client, idx: int, model: Model) -> None:
    report = client.sync()
    model.server |= model.known[idx]
    model.known[idx] |= model.server
    for c in conflicts.list_open(client.conn):
        model.conflicted.add(c["record_id"])
        conflicts.resolve(client.conn, c["id"], "mine")
    return report


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(n_clients=st.sampled_from([2, 3]), ops=st.lists(op, min_size=4, max_size=18))
def test_offline_edits_merge_or_conflict_never_vanish(clients, n_clients, ops):
    tag = next(_names)
    laptops = [clients(f"p{tag}-{i}", user=("alice", "bob", "lena")[i]) for i in range(n_clients)]
    records = [laptops[0].store.create("enterprise", {"name": f"性质企业{tag}-{r}"})["id"] for r in range(3)]
    model = Model(known={i: set() for i in range(n_clients)})
    _sync(laptops[0], 0, model)
    for i in range(1, n_clients):
        _sync(laptops[i], i, model)
    for step in ops:
        kind, who = step[0], step[1] % n_clients
        laptop = laptops[who]
        if kind == "sync":
            _sync(laptop, who, model)
            continue
        rid = records[step[2]]
        if laptop.store.get("enterprise", rid)["deleted"]:
            continue  # the form is gone from this laptop: nothing to type into
        n = len(model.edits)
        if kind == "edit":
            _, _, _, fname, value = step
            if laptop.store.get("enterprise", rid)[fname] == value:
                continue  # typing the same value again changes nothing
            laptop.store.update("enterprise", rid, {fname: value})
            model.edits.append(Edit(n, who, step[2], fname, value, frozenset(model.known[who])))
        else:
            try:
                laptop.store.delete("enterprise", rid)
            except ValidationError as e:
                assert e.code == "forbidden_delete"  # a member, someone else's record
                continue
            model.edits.append(Edit(n, who, step[2], "deleted", True, frozenset(model.known[who])))
        model.known[who].add(n)
    # Everyone syncs until quiet.
    for _ in range(5):
        for i, laptop in enumerate(laptops):
            _sync(laptop, i, model)
        if all(outbox.pending_count(lp.conn) == 0 for lp in laptops):
            break
    for i, laptop in enumerate(laptops):
        _sync(laptop, i, model)
    left = [(i, c["state"], c["type"], c["fields"], c["reply"]) for i, lp in enumerate(laptops)
            for c in outbox.changes(lp.conn)]
    assert not left, left

    final = [{rid: lp.store.get("enterprise", rid) for rid in records} for lp in laptops]
    for rid in records:
        states = {tuple(f[rid].get(k) for k in (*FIELDS, "deleted", "version")) for f in final}
        assert len(states) == 1, f"laptops disagree on {rid}: {states}"
    for r, rid in enumerate(records):
        state = final[0][rid]
        for fname in (*FIELDS, "deleted"):
            mine = [e for e in model.edits if e.record == r and e.field == fname]
            # Edits nobody later overwrote having seen them.
            frontier = [e for e in mine if not any(o.n > e.n and e.n in o.saw for o in mine)]
            values = {e.value for e in frontier}
            if rid in model.conflicted:
                continue  # someone was shown both sides and chose
            if fname != "deleted" and state["deleted"]:
                continue
            if len(values) == 1:
                assert state[fname] == next(iter(values)), (rid, fname, state[fname], values)
            assert len(values) <= 1, f"concurrent edits of {fname} on {rid} raised no conflict"
        # A delete concurrent with an edit must have been shown as a conflict.
        deletes = [e for e in model.edits if e.record == r and e.field == "deleted"]
        # An edit some delete had seen (its author's own, say) was deleted with the record:
        # deleting on both sides agrees, there is nothing to show.
        edits = [e for e in model.edits if e.record == r and e.field != "deleted"
                 and not any(e.n in d.saw for d in deletes)]

        def seen(d: Edit, e: Edit) -> object:
            """The value of e's field on the record as the deleting laptop last saw it."""
            known = [o for o in model.edits if o.record == r and o.field == e.field and o.n in d.saw]
            return known[-1].value if known else None

        # An edit the deleter's copy already held (the same value typed on both laptops)
        # changed nothing the delete did not see.
        concurrent = any(d.n not in e.saw and e.n not in d.saw and e.value != seen(d, e)
                         for d in deletes for e in edits if d.client != e.client)
        if concurrent:
            assert rid in model.conflicted, f"delete vs edit on {rid} raised no conflict"
