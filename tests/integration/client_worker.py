"""A field laptop in a subprocess: saves records and syncs in a loop until it is killed.

Prints `ack <type> <id>` after each save's COMMIT, `sync-start`, `stage push|pull` after each
batch or page, and `synced` after each finished sync.
The token lives in memory (no keyring in this process), as on a machine without one.
"""

from __future__ import annotations

import random
import sys

import keyring
from keyring.backends import fail


def main() -> None:
    profile, url, user, password, seed = sys.argv[1:6]
    keyring.set_keyring(fail.Keyring())
    from app.storage.db import open_database
    from app.storage.records import RecordStore
    from app.sync import session
    from app.sync.engine import SyncEngine
    from app.sync.transport import Transport

    rng = random.Random(int(seed))
    db = open_database(profile)
    store = RecordStore(db.conn, user=user)
    session.login(db.conn, url, user, password)
    transport = session.transport_for(db.conn)
    def progress(stage: str, done: int, total: int) -> None:
        sys.stdout.write(f"stage {stage}\n")
        sys.stdout.flush()

    engine = SyncEngine(db.conn, transport, push_batch=7, pull_page=9, progress=progress)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    n = 0
    while True:
        for _ in range(rng.randint(1, 6)):
            n += 1
            if rng.random() < 0.3:
                ids = [r["id"] for r in store.list("enterprise", limit=20)]
                if ids:
                    rid = rng.choice(ids)
                    store.update("enterprise", rid, {"notes": f"{seed}-{n}"})
                    sys.stdout.write(f"edit enterprise {rid} {seed}-{n}\n")
                    sys.stdout.flush()
                    continue
            r = store.create("enterprise", {"name": f"压测企业{seed}-{n}", "notes": "洽谈" * 20})
            sys.stdout.write(f"ack enterprise {r['id']}\n")
            sys.stdout.flush()
        sys.stdout.write("sync-start\n")
        sys.stdout.flush()
        engine.sync()
        sys.stdout.write("synced\n")
        sys.stdout.flush()
        if isinstance(transport, Transport) and n > 400:
            return


if __name__ == "__main__":
    main()
