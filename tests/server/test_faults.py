"""A server killed mid-push loses nothing and applies nothing twice; tokens expire."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx

from app.domain import digest
from tests.server.conftest import PASSWORD, Org, start_server
from tests.server.helpers import Api, change, uid
from tests.server.test_epoch import Fresh, _login, _setup_org, fresh  # noqa: F401


def test_kill_during_push_then_replay_converges(fresh: Fresh, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "data"
    data.mkdir()
    _setup_org(fresh.db, data, "断电局", "member")
    # Enough batches that the kill, 0.2 s after the first reply, lands while one is applied
    # even on a loaded machine (a push of 1,000 takes ~0.1 s).
    batches = [[change("enterprise", uid(), {"name": f"企业{b}-{i}", "notes": "备注" * 200})
                for i in range(1000)] for b in range(10)]
    srv = start_server(fresh.db, data)
    outcome: list[object] = []
    first_reply = threading.Event()
    try:
        with httpx.Client(base_url=srv.url, timeout=120) as http:
            api = _login(srv.url, http)

            def push_all() -> None:
                for batch in batches:
                    try:
                        outcome.append(api.push(batch).status_code)
                        first_reply.set()
                    except httpx.HTTPError as e:  # the kill lands here
                        outcome.append(type(e).__name__)
                        first_reply.set()
                        return

            t = threading.Thread(target=push_all)
            t.start()
            assert first_reply.wait(timeout=120)
            time.sleep(0.2)  # a later push is now being applied
            srv.process.send_signal(signal.SIGKILL)
            t.join(timeout=120)
    finally:
        srv.stop()
    assert any(not isinstance(o, int) for o in outcome), "the kill should interrupt a push"
    srv = start_server(fresh.db, data)
    try:
        with httpx.Client(base_url=srv.url, timeout=120) as http:
            api = _login(srv.url, http)
            for batch in batches:  # retrying everything is safe
                replies = api.push_ok(batch)
                assert all(r["status"] == "accepted" and r["version"] == 1 for r in replies)
            records, body = api.pull_all()
            mine = [r for r in records if r["type"] == "enterprise"]
            assert len(mine) == 10000 and len({r["id"] for r in mine}) == 10000
            computed = digest.compute((r["type"], r["id"], r["version"], r["deleted"]) for r in records)
            assert computed == {t: d for t, d in body["digests"].items() if d["count"]}
    finally:
        srv.stop()


def test_expired_token_is_refused(org: Org, engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from server import db
    from server.db import write_tx
    from server.services.auth import token_hash

    api = Api(org.member.http)
    assert api.login(org.users["member"], PASSWORD).status_code == 200
    assert api.get("/api/v1/auth/me").status_code == 200
    with write_tx(engine) as conn:
        conn.execute(update(db.auth_token).where(db.auth_token.c.token_hash == token_hash(api.token))
                     .values(expires_at=time.time() - 1))
    assert api.get("/api/v1/auth/me").status_code == 401
    assert org.member.get("/api/v1/auth/me").status_code == 200  # other sessions live on
