"""Concurrent writers and a puller against a real server: the puller misses nothing."""

from __future__ import annotations

import random
import threading
import time

import httpx

from app.domain import digest
from tests.server.conftest import Org
from tests.server.helpers import Api, change, uid

WRITERS = 4
BATCHES = 15
BATCH = 20


def test_concurrent_writers_and_a_puller_agree(org: Org, server) -> None:  # type: ignore[no-untyped-def]
    written: dict[str, int] = {}  # id → highest accepted version
    seqs: list[int] = []
    lock = threading.Lock()
    errors: list[str] = []
    done = threading.Event()
    shared = uid()
    org.member.push_ok([change("enterprise", shared, {"name": "共享"})])
    with lock:
        written[shared] = 1

    def writer(n: int) -> None:
        rng = random.Random(n)
        mine: dict[str, int] = {}
        with httpx.Client(base_url=server.url, timeout=60) as http:
            api = Api(http, org.member.token)
            for _ in range(BATCHES):
                changes = []
                for _ in range(BATCH):
                    if mine and rng.random() < 0.4:
                        rid = rng.choice(list(mine))
                        changes.append(change("enterprise", rid, {"city": f"城{rng.randint(1, 99)}"},
                                              base_version=mine[rid]))
                    else:
                        changes.append(change("enterprise", uid(), {"name": f"写{n}-{rng.random()}"}))
                # Everyone races on one record too: most of these are stale conflicts.
                changes.append(change("enterprise", shared, {"notes": f"w{n}"},
                                      base_version=written.get(shared, 1)))
                r = api.push(changes)
                if r.status_code != 200:
                    errors.append(r.text)
                    return
                for c, reply in zip(changes, r.json()["results"], strict=False):
                    if reply["status"] == "accepted":
                        mine[c["id"]] = reply["version"]
                        with lock:
                            written[c["id"]] = max(written.get(c["id"], 0), reply["version"])
                            seqs.append(reply["seq"])
                    elif reply["status"] == "conflict" and c["id"] == shared:
                        with lock:
                            written[shared] = max(written[shared], reply["record"]["version"])
                    elif reply["status"] != "conflict":
                        errors.append(str(reply))

    seen: dict[str, tuple[int, bool, str]] = {}
    pulled_seqs_ok = [True]

    def puller() -> None:
        cursor = None
        with httpx.Client(base_url=server.url, timeout=60) as http:
            api = Api(http, org.lead.token)
            final_round = False
            while True:
                r = api.pull(cursor, limit=7)
                if r.status_code != 200:
                    errors.append(r.text)
                    return
                body = r.json()
                for rec in body["records"]:
                    prev = seen.get(rec["id"])
                    if prev is not None and prev[0] > rec["version"]:
                        pulled_seqs_ok[0] = False  # a version went backwards
                    seen[rec["id"]] = (rec["version"], rec["deleted"], rec["type"])
                cursor = body["cursor"]
                if not body["has_more"]:
                    if final_round:
                        seen["__digests__"] = body["digests"]  # type: ignore[assignment]
                        return
                    if done.is_set():
                        final_round = True
                    else:
                        time.sleep(0.01)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    pull_thread = threading.Thread(target=puller)
    pull_thread.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    done.set()
    pull_thread.join(timeout=240)
    assert not errors, errors[:3]
    assert pulled_seqs_ok[0]
    assert len(seqs) == len(set(seqs))  # every accepted change got its own seq
    got_digests = seen.pop("__digests__")
    for rid, version in written.items():
        assert rid in seen, f"puller never saw {rid}"
        assert seen[rid][0] == version, (rid, seen[rid], version)
    mine = digest.compute((t, i, v, d) for i, (v, d, t) in seen.items())
    assert mine == {t: d for t, d in got_digests.items() if d["count"]}  # type: ignore[union-attr]
