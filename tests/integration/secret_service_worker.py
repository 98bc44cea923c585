"""Runs inside `dbus-run-session` with an unlocked gnome-keyring: log in, sync, log out,
using whatever keyring backend the machine offers (it must be the real Secret Service)."""

from __future__ import annotations

import json
import sys

import keyring


def main() -> None:
    profile, url, user, password = sys.argv[1:5]
    from app.storage.db import open_database
    from app.storage.records import RecordStore
    from app.sync import credentials, session
    from app.sync.engine import SyncEngine

    backend = type(keyring.get_keyring()).__module__
    db = open_database(profile)
    result = session.login(db.conn, url, user, password)
    stored = keyring.get_password(credentials.SERVICE, f"{user}@{url}")
    RecordStore(db.conn, user=user).create("enterprise", {"name": "密钥环测试企业"})
    transport = session.transport_for(db.conn)
    report = SyncEngine(db.conn, transport).sync()
    transport.close()
    session.logout(db.conn)
    after = keyring.get_password(credentials.SERVICE, f"{user}@{url}")
    sys.stdout.write(json.dumps({
        "backend": backend, "in_memory": result.token_in_memory, "stored": stored,
        "accepted": report.accepted, "after_logout": after,
    }) + "\n")


if __name__ == "__main__":
    main()
