"""Login and logout: the token goes to the keyring; who and where go to the profile's meta."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.domain.errors import SyncError, SyncErrorKind, ValidationError
from app.storage import sync_store
from app.storage.db import transaction
from app.sync import credentials
from app.sync.transport import Transport


@dataclass(frozen=True)
class LoginResult:
    username: str
    org: str
    role: str
    token_in_memory: bool  # True: no usable keyring; the token lasts this session only


def server_of(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
    return sync_store.get_meta(conn, "server_url"), sync_store.get_meta(conn, "user")


def _check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise ValidationError("url", "server", value=url)
    return url


def is_demo(conn: sqlite3.Connection) -> bool:
    return sync_store.get_meta(conn, "is_demo") == "1"


def login(
    conn: sqlite3.Connection, server_url: str, username: str, password: str,
    *, ca_bundle: str | None = None,
) -> LoginResult:
    if is_demo(conn):
        raise SyncError(SyncErrorKind.DEMO)
    url = _check_url(server_url)
    if not username.strip():
        raise ValidationError("required", "user")
    if not password:
        raise ValidationError("required", "password")
    transport = Transport(url, ca_bundle=ca_bundle)
    try:
        reply = transport.request(
            "POST", "/auth/login", {"username": username.strip(), "password": password}, auth=False
        )
    except SyncError as e:
        if e.kind == SyncErrorKind.AUTH:  # a 401 here is a wrong password, not an expiry
            raise SyncError(SyncErrorKind.AUTH, code="auth_failed") from e
        raise
    finally:
        transport.close()
    user = reply["user"]
    stored = credentials.save_token(url, user["username"], reply["token"])
    with transaction(conn):
        sync_store.set_meta(conn, "server_url", url)
        sync_store.set_meta(conn, "user", user["username"])
        sync_store.set_meta(conn, "org", user.get("org"))
        sync_store.set_meta(conn, "role", user.get("role"))
        sync_store.set_meta(conn, "ca_bundle", ca_bundle)
    return LoginResult(user["username"], str(user.get("org")), str(user.get("role")), stored.in_memory)


def logout(conn: sqlite3.Connection) -> None:
    """Revoke the token on the server when reachable and forget it here; unsynced work stays."""
    url, user = server_of(conn)
    if not url or not user:
        return
    token = credentials.load_token(url, user)
    if token:
        transport = Transport(url, ca_bundle=sync_store.get_meta(conn, "ca_bundle"), attempts=1)
        transport.token = token
        try:
            transport.request("POST", "/auth/logout")
        except SyncError:
            pass  # offline or already expired: forgetting it locally is what matters
        finally:
            transport.close()
    credentials.delete_token(url, user)


def transport_for(conn: sqlite3.Connection) -> Transport:
    """A transport with the stored token; SyncError(AUTH) when there is none."""
    url, user = server_of(conn)
    if not url or not user:
        raise SyncError(SyncErrorKind.AUTH, code="sync_not_logged_in")
    token = credentials.load_token(url, user)
    if not token:
        raise SyncError(SyncErrorKind.AUTH)
    transport = Transport(url, ca_bundle=sync_store.get_meta(conn, "ca_bundle"))
    transport.token = token
    return transport


def forget_token(conn: sqlite3.Connection) -> None:
    url, user = server_of(conn)
    if url and user:
        credentials.delete_token(url, user)
