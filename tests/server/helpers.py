"""Helpers for server tests: change builders and a small API client over any httpx client."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

# A valid USCC (GB 32100-2015 check digit) generator for tests.
_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def make_uscc(n: int) -> str:
    body = f"91110000{n:09d}"[:17]
    total = sum(_CHARS.index(c) * w for c, w in zip(body, _WEIGHTS, strict=False))
    return body + _CHARS[(31 - total % 31) % 31]


def uid() -> str:
    return str(uuid.uuid4())


def change(
    type_name: str,
    record_id: str,
    fields: dict[str, Any],
    *,
    base_version: int | None = None,
    base_change_id: str | None = None,
    group: str | None = None,
    change_id: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "change_id": change_id or uid(),
        "type": type_name,
        "id": record_id,
        "base_version": base_version,
        "fields": fields,
    }
    if base_change_id:
        out["base_change_id"] = base_change_id
    if group:
        out["group"] = group
    return out


class Api:
    """One logged-in user talking to the server."""

    def __init__(self, http: httpx.Client, token: str | None = None) -> None:
        self.http = http
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def login(self, username: str, password: str) -> httpx.Response:
        r = self.http.post("/api/v1/auth/login", json={"username": username, "password": password})
        if r.status_code == 200:
            self.token = r.json()["token"]
        return r

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers=self.headers(), **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers={**self.headers(), **kw.pop("headers", {})}, **kw)

    def push(self, changes: list[dict[str, Any]], epoch: str | None = None) -> httpx.Response:
        return self.post("/api/v1/push", json={"epoch": epoch, "changes": changes})

    def push_ok(self, changes: list[dict[str, Any]], epoch: str | None = None) -> list[dict[str, Any]]:
        r = self.push(changes, epoch)
        assert r.status_code == 200, r.text
        return r.json()["results"]  # type: ignore[no-any-return]

    def pull(self, cursor: str | None = None, limit: int | None = None) -> httpx.Response:
        params: dict[str, Any] = {}
        if cursor:
            params["cursor"] = cursor
        if limit:
            params["limit"] = limit
        return self.get("/api/v1/pull", params=params)

    def pull_all(self, cursor: str | None = None, limit: int = 1000) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Every record after the cursor (all pages) and the last page's body."""
        records: list[dict[str, Any]] = []
        while True:
            r = self.pull(cursor, limit)
            assert r.status_code == 200, r.text
            body = r.json()
            records += body["records"]
            cursor = body["cursor"]
            if not body["has_more"]:
                return records, body


def enterprise(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, **fields}
