"""Annotated dependencies: the server state and the user behind the bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from server.config import Settings
from server.db import read_tx
from server.services import auth
from server.services.orgs import HighWater
from server.services.snapshot import SnapshotCache


@dataclass
class ServerState:
    settings: Settings
    engine: Engine
    highwater: HighWater
    snapshots: SnapshotCache


# No I/O in these two: `async def` runs them on the event loop, where a plain `def` would cost
# a hop to a worker thread each (about a millisecond per request between them).
async def get_state(request: Request) -> ServerState:
    return request.app.state.fd  # type: ignore[no-any-return]


async def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise auth.AuthError("auth_required", "token")
    return token.strip()


def get_current_user(
    state: Annotated[ServerState, Depends(get_state)],
    token: Annotated[str, Depends(bearer_token)],
) -> auth.CurrentUser:
    with read_tx(state.engine) as conn:
        return auth.user_for_token(conn, token)


def get_admin(user: Annotated[auth.CurrentUser, Depends(get_current_user)]) -> auth.CurrentUser:
    if user.role != "admin":
        raise auth.ForbiddenError("forbidden", "role")
    return user


State = Annotated[ServerState, Depends(get_state)]
CurrentUser = Annotated[auth.CurrentUser, Depends(get_current_user)]
AdminUser = Annotated[auth.CurrentUser, Depends(get_admin)]
Token = Annotated[str, Depends(bearer_token)]
