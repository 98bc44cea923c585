"""The login token, kept in the OS keyring only (the one module that imports keyring).

With only a plaintext or failing keyring backend the token lives in memory for this session and
the caller is told, so it can say so to the user. The token never goes to the database,
settings, logs or reports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors

log = logging.getLogger(__name__)

SERVICE = "FieldDesk"

# Backends that would write the token to disk in plain text, or that cannot store at all.
_UNSAFE_BACKEND_MODULES = (
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyrings.alt.file",  # PlaintextKeyring and EncryptedKeyring with a guessable key
    "keyrings.alt.Gnome",
)

# Tokens of sessions where the keyring could not be used, per (server, user).
_memory: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class StoreResult:
    """Where a token went: `keyring`, or `memory` (for this session only)."""

    where: str

    @property
    def in_memory(self) -> bool:
        return self.where == "memory"


def _account(server: str, user: str) -> str:
    return f"{user}@{server.rstrip('/')}"


def backend_is_safe(backend: keyring.backend.KeyringBackend | None = None) -> bool:
    backend = backend or keyring.get_keyring()
    name = type(backend).__module__
    if name.startswith(_UNSAFE_BACKEND_MODULES):
        return False
    # A chainer is as safe as the backends it chains.
    inner = getattr(backend, "backends", None)
    if inner is not None:
        return bool(inner) and all(backend_is_safe(b) for b in inner)
    return getattr(backend, "priority", 0) > 0


def save_token(server: str, user: str, token: str) -> StoreResult:
    key = (server.rstrip("/"), user)
    if backend_is_safe():
        try:
            keyring.set_password(SERVICE, _account(server, user), token)
            _memory.pop(key, None)
            return StoreResult("keyring")
        except keyring.errors.KeyringError as e:
            log.warning("Keyring refused the token (%s); keeping it in memory", type(e).__name__)
    _memory[key] = token
    return StoreResult("memory")


def load_token(server: str, user: str) -> str | None:
    key = (server.rstrip("/"), user)
    if key in _memory:
        return _memory[key]
    if not backend_is_safe():
        return None
    try:
        return keyring.get_password(SERVICE, _account(server, user))
    except keyring.errors.KeyringError as e:
        log.warning("Keyring read failed (%s)", type(e).__name__)
        return None


def delete_token(server: str, user: str) -> None:
    _memory.pop((server.rstrip("/"), user), None)
    if not backend_is_safe():
        return
    try:
        keyring.delete_password(SERVICE, _account(server, user))
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as e:
        log.warning("Keyring delete failed (%s)", type(e).__name__)
