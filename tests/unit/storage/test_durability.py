"""kill -9 in the middle of a stream of saves loses no acknowledged save."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.storage.db import open_database

WRITER = r"""
import sys
from app.storage.db import open_database
from app.storage.records import RecordStore
db = open_database(sys.argv[1])
store = RecordStore(db.conn, user="writer")
i = 0
while True:
    r = store.create("enterprise", {"name": f"企业{sys.argv[2]}-{i}", "notes": "洽谈" * 50})
    # Printed only after COMMIT returned: this is the acknowledgement a user would see.
    sys.stdout.write(r["id"] + "\n")
    sys.stdout.flush()
    i += 1
"""

ROOT = Path(__file__).resolve().parents[3]


def test_kill_9_loses_no_acknowledged_save(tmp_path):
    path = tmp_path / "p.sqlite3"
    open_database(path).conn.close()
    rng = random.Random(7)
    acknowledged: list[str] = []
    for round_ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(round_)],
            stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None
        deadline = time.monotonic() + rng.uniform(0.3, 1.0)
        lines: list[bytes] = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line:
                lines.append(line)
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read()
        proc.stdout.close()
        proc.wait()
        lines += rest.splitlines(keepends=True)
        # A torn last line was never fully acknowledged.
        acknowledged += [ln.decode().strip() for ln in lines if ln.endswith(b"\n")]
    assert len(acknowledged) > 20
    db = open_database(path)
    ids = {r[0] for r in db.conn.execute("SELECT id FROM enterprise")}
    outbox = {r[0] for r in db.conn.execute("SELECT record_id FROM outbox")}
    missing = [i for i in acknowledged if i not in ids or i not in outbox]
    assert missing == []
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.conn.close()
