"""Login, tokens, logout, throttling, disabled users, roles and user management."""

from __future__ import annotations

import uuid

import httpx

from tests.server.conftest import PASSWORD, Org
from tests.server.helpers import Api, change, uid


def test_login_wrong_password_and_unknown_user_are_401(org: Org, http: httpx.Client) -> None:
    api = Api(http)
    r = api.login(org.users["member"], "wrong")
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth_failed"
    r = api.login("nobody_" + uuid.uuid4().hex[:6], "wrong")
    assert r.status_code == 401


def test_requests_without_valid_token_are_401(http: httpx.Client) -> None:
    assert http.get("/api/v1/pull").status_code == 401
    r = http.get("/api/v1/pull", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth_required"


def test_failed_logins_are_throttled_per_user_and_address(org: Org, http: httpx.Client) -> None:
    api = Api(http)
    name = org.users["member2"]
    for _ in range(3):  # the test server allows 3 failures per window
        assert api.login(name, "wrong").status_code == 401
    r = api.login(name, PASSWORD)  # even the right password waits out the window
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "login_throttled"
    assert int(r.headers["Retry-After"]) > 0
    assert "秒后再试" in r.json()["error"]["message"]
    # Another user from the same address is not affected.
    assert Api(http).login(org.users["lead"], PASSWORD).status_code == 200


def test_logout_revokes_the_token(org: Org, http: httpx.Client) -> None:
    api = Api(http)
    api.login(org.users["lead"], PASSWORD)
    assert api.get("/api/v1/auth/me").status_code == 200
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/auth/me").status_code == 401


def test_disabled_users_tokens_stop_at_once(org: Org) -> None:
    assert org.member.get("/api/v1/auth/me").status_code == 200
    r = org.admin.http.patch(f"/api/v1/users/{org.users['member']}", json={"disabled": True},
                             headers=org.admin.headers())
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert org.member.get("/api/v1/auth/me").status_code == 401
    assert org.member.push([change("enterprise", uid(), {"name": "甲"})]).status_code == 401
    assert Api(org.member.http).login(org.users["member"], PASSWORD).status_code == 401


def test_disable_user_via_cli_stops_tokens(org: Org, server) -> None:
    assert org.lead.get("/api/v1/auth/me").status_code == 200
    r = server.cli("disable-user", "--user", org.users["lead"])
    assert r.returncode == 0, r.stderr
    assert org.lead.get("/api/v1/auth/me").status_code == 401


def test_user_management_is_admin_only(org: Org) -> None:
    name = "new_" + uuid.uuid4().hex[:8]
    body = {"username": name, "password": "pw-123456", "role": "member"}
    assert org.lead.post("/api/v1/users", json=body).status_code == 403
    assert org.member.get("/api/v1/users").status_code == 403
    r = org.admin.post("/api/v1/users", json=body)
    assert r.status_code == 201 and r.json()["role"] == "member"
    assert org.admin.post("/api/v1/users", json=body).status_code == 409  # unique per server
    listed = org.admin.get("/api/v1/users").json()
    assert name in [u["username"] for u in listed["data"]] and listed["count"] == 5
    r = org.admin.http.patch(f"/api/v1/users/{name}", json={"role": "lead"},
                             headers=org.admin.headers())
    assert r.status_code == 200 and r.json()["role"] == "lead"


def test_cli_creates_orgs_and_users(server, http: httpx.Client) -> None:
    org_name = "CLI局" + uuid.uuid4().hex[:6]
    user = "cli_" + uuid.uuid4().hex[:6]
    assert server.cli("create-org", org_name).returncode == 0
    assert server.cli("create-org", org_name).returncode == 2  # exists
    r = server.cli("create-user", "--org", org_name, "--user", user, "--role", "member",
                   "--password-stdin", stdin="s3cret-pw\n")
    assert r.returncode == 0, r.stderr
    assert "s3cret-pw" not in r.stderr + r.stdout
    api = Api(http)
    assert api.login(user, "s3cret-pw").status_code == 200
    assert api.get("/api/v1/auth/me").json()["org"] == org_name
    assert server.cli("set-role", "--user", user, "--role", "lead").returncode == 0
    assert api.get("/api/v1/auth/me").json()["role"] == "lead"


def test_old_client_is_told_to_upgrade(http: httpx.Client) -> None:
    r = http.get("/api/v1/health", headers={"X-FieldDesk-Client-Version": "0.0.1"})
    assert r.status_code == 426 and r.json()["error"]["code"] == "sync_version"
    assert r.headers["X-FieldDesk-Min-Client-Version"]
