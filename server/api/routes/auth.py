"""Login and logout: a password for an expiring opaque token, and revoking it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from server.api.deps import CurrentUser, State, Token
from server.db import write_tx
from server.schemas import LoginReply, LoginRequest, UserPublic
from server.services import auth

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=LoginReply)
def login(body: LoginRequest, request: Request, state: State) -> LoginReply:
    address = request.client.host if request.client else "unknown"
    token, expires, user = auth.login(
        state.engine, state.settings, username=body.username, password=body.password,
        address=address,
    )
    return LoginReply(token=token, expires_at=expires, user=_public(user))


@router.post("/logout", status_code=204, response_class=Response)
def logout(user: CurrentUser, token: Token, state: State) -> Response:
    with write_tx(state.engine) as conn:
        auth.logout(conn, token)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return _public(user)


def _public(user: auth.CurrentUser) -> UserPublic:
    return UserPublic.model_validate(
        {"username": user.username, "role": user.role, "org": user.org_name})
