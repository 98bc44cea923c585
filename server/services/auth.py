"""Users, argon2 password hashes, opaque expiring tokens (stored hashed), login throttling."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, delete, insert, select, update

from app.domain.enums import Role
from app.domain.errors import AppError, ValidationError
from app.domain.values import utc_now
from server import db
from server.config import Settings
from server.db import read_tx, write_tx

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
PASSWORD_MAX = 256


class AuthError(AppError):
    """Login failed, token missing/expired/revoked, or the user is disabled."""

    code = "auth_failed"


class ThrottledError(AppError):
    """Too many failed logins for this (username, address)."""

    code = "login_throttled"

    def __init__(self, retry_after: int) -> None:
        super().__init__("login_throttled", "password", seconds=retry_after)
        self.retry_after = retry_after


class ForbiddenError(AppError):
    code = "forbidden"


@dataclass(frozen=True)
class CurrentUser:
    id: int
    org_id: int
    org_name: str
    username: str
    role: str


def hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(time_cost=settings.argon2_time_cost,
                          memory_cost=settings.argon2_memory_kib)


def check_username(username: object) -> str:
    if not isinstance(username, str) or not USERNAME.match(username):
        raise ValidationError("username_format", "username")
    return username


def check_password(password: object) -> str:
    if not isinstance(password, str) or not password or len(password) > PASSWORD_MAX:
        raise ValidationError("password_format", "password", max=PASSWORD_MAX)
    return password


def check_role(role: object) -> str:
    try:
        return Role(role).value
    except ValueError:
        raise ValidationError("enum", "role", choices="member、lead、admin") from None


def create_user(
    conn: Connection, settings: Settings, *, org_id: int, username: str, password: str, role: str
) -> int:
    username, role = check_username(username), check_role(role)
    password = check_password(password)
    if conn.execute(select(db.app_user.c.id).where(db.app_user.c.username == username)).first():
        raise ValidationError("username_taken", "username", value=username)
    result = conn.execute(insert(db.app_user).values(
        org_id=org_id, username=username, password_hash=hasher(settings).hash(password),
        role=role, disabled=False, created_at=utc_now(),
    ))
    log.info("Created user %s in org %s with role %s", username, org_id, role)
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def set_role(conn: Connection, *, username: str, role: str, org_id: int | None = None) -> None:
    _user_update(conn, username, org_id, role=check_role(role))


def set_disabled(conn: Connection, *, username: str, disabled: bool, org_id: int | None = None) -> None:
    _user_update(conn, username, org_id, disabled=disabled)
    if disabled:
        log.info("Disabled user %s", username)


def set_password(conn: Connection, settings: Settings, *, username: str, password: str,
                 org_id: int | None = None) -> None:
    _user_update(conn, username, org_id,
                 password_hash=hasher(settings).hash(check_password(password)))


def _user_update(conn: Connection, username: str, org_id: int | None, **values: object) -> None:
    stmt = update(db.app_user).where(db.app_user.c.username == username).values(**values)
    if org_id is not None:
        stmt = stmt.where(db.app_user.c.org_id == org_id)
    if conn.execute(stmt).rowcount == 0:
        raise ValidationError("user_unknown", "username", value=username)


def list_users(conn: Connection, *, org_id: int) -> list[dict[str, object]]:
    rows = conn.execute(
        select(db.app_user.c.username, db.app_user.c.role, db.app_user.c.disabled,
               db.app_user.c.created_at)
        .where(db.app_user.c.org_id == org_id).order_by(db.app_user.c.username)
    )
    return [{"username": r.username, "role": r.role, "disabled": bool(r.disabled),
             "created_at": r.created_at} for r in rows]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(
    engine: Engine, settings: Settings, *, username: str, password: str, address: str
) -> tuple[str, float, CurrentUser]:
    """Exchange a password for a token; failures are throttled per (username, address).

    The password is verified outside any transaction (argon2 is slow on purpose and must
    not hold SQLite's writer lock); the failure count is committed even though we raise.
    """
    check_username(username)
    check_password(password)
    now = time.time()
    address = address[:64]
    with read_tx(engine) as conn:
        fail = conn.execute(select(db.login_failure).where(
            db.login_failure.c.username == username, db.login_failure.c.address == address,
        )).first()
        row = conn.execute(
            select(db.app_user, db.org.c.name.label("org_name"))
            .join(db.org, db.org.c.id == db.app_user.c.org_id)
            .where(db.app_user.c.username == username)
        ).first()
    if fail is not None and now - fail.first_at > settings.login_window_seconds:
        fail = None
    if fail is not None and fail.failures >= settings.login_max_failures:
        retry = int(fail.first_at + settings.login_window_seconds - now) + 1
        raise ThrottledError(max(retry, 1))
    ok = False
    try:
        # Unknown users cost the same time, so timing does not reveal who exists.
        stored = row.password_hash if row is not None else _DUMMY_HASH.get(settings)
        ok = hasher(settings).verify(stored, password) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    with write_tx(engine) as conn:
        key = (db.login_failure.c.username == username, db.login_failure.c.address == address)
        if not ok or row is None or row.disabled:
            current = conn.execute(select(db.login_failure).where(*key)).first()
            if current is None or now - current.first_at > settings.login_window_seconds:
                conn.execute(delete(db.login_failure).where(*key))
                conn.execute(insert(db.login_failure).values(
                    username=username, address=address, failures=1, first_at=now))
            else:
                conn.execute(update(db.login_failure).where(*key)
                             .values(failures=current.failures + 1))
            log.info("Failed login for %s from %s", username, address)
            failed = True
        else:
            conn.execute(delete(db.login_failure).where(*key))
            token = secrets.token_urlsafe(32)
            expires = now + settings.token_ttl_seconds
            conn.execute(insert(db.auth_token).values(
                token_hash=token_hash(token), user_id=row.id, created_at=now, expires_at=expires,
                revoked=False,
            ))
            failed = False
    if failed:
        raise AuthError("auth_failed", "password")
    assert row is not None
    return token, expires, CurrentUser(row.id, row.org_id, row.org_name, row.username, row.role)


class _DummyHash:
    """A hash to verify against when the user is unknown (computed once per settings)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], str] = {}

    def get(self, settings: Settings) -> str:
        key = (settings.argon2_time_cost, settings.argon2_memory_kib)
        if key not in self._cache:
            self._cache[key] = hasher(settings).hash(secrets.token_hex(8))
        return self._cache[key]


_DUMMY_HASH = _DummyHash()


def user_for_token(conn: Connection, token: str) -> CurrentUser:
    """The live user behind a bearer token; disabled users and revoked tokens stop at once."""
    if not token or len(token) > 200:
        raise AuthError("auth_required", "token")
    row = conn.execute(
        select(db.app_user.c.id, db.app_user.c.org_id, db.app_user.c.username, db.app_user.c.role,
               db.app_user.c.disabled, db.auth_token.c.expires_at, db.auth_token.c.revoked,
               db.org.c.name.label("org_name"))
        .join(db.app_user, db.app_user.c.id == db.auth_token.c.user_id)
        .join(db.org, db.org.c.id == db.app_user.c.org_id)
        .where(db.auth_token.c.token_hash == token_hash(token))
    ).first()
    if row is None or row.revoked or row.disabled or row.expires_at < time.time():
        raise AuthError("auth_required", "token")
    return CurrentUser(row.id, row.org_id, row.org_name, row.username, row.role)


def logout(conn: Connection, token: str) -> None:
    conn.execute(update(db.auth_token).where(db.auth_token.c.token_hash == token_hash(token))
                 .values(revoked=True))
