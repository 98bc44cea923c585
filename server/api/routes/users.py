"""User management within the caller's org (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.domain.errors import ValidationError
from server.api.deps import AdminUser, State
from server.db import read_tx, write_tx
from server.schemas import UserCreate, UserItem, UserList, UserUpdate
from server.services import auth

router = APIRouter(prefix="/users", tags=["users"])
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]


@router.get("", response_model=UserList)
def list_users(admin: AdminUser, state: State) -> UserList:
    with read_tx(state.engine) as conn:
        items = auth.list_users(conn, org_id=admin.org_id)
    return UserList(data=[UserItem(**i) for i in items], count=len(items))  # type: ignore[arg-type]


@router.post("", response_model=UserItem, status_code=201)
def create_user(body: UserCreate, admin: AdminUser, state: State) -> UserItem:
    with write_tx(state.engine) as conn:
        auth.create_user(conn, state.settings, org_id=admin.org_id, username=body.username,
                         password=body.password, role=body.role)
        item = next(u for u in auth.list_users(conn, org_id=admin.org_id)
                    if u["username"] == body.username)
    return UserItem(**item)  # type: ignore[arg-type]


@router.patch("/{username}", response_model=UserItem)
def update_user(username: Username, body: UserUpdate, admin: AdminUser, state: State) -> UserItem:
    with write_tx(state.engine) as conn:
        # Another org's user is "unknown" here: the org filter hides it entirely.
        if not any(u["username"] == username for u in auth.list_users(conn, org_id=admin.org_id)):
            raise ValidationError("user_unknown", "username", value=username)
        if body.role is not None:
            auth.set_role(conn, username=username, role=body.role, org_id=admin.org_id)
        if body.disabled is not None:
            auth.set_disabled(conn, username=username, disabled=body.disabled, org_id=admin.org_id)
        if body.password is not None:
            auth.set_password(conn, state.settings, username=username, password=body.password,
                              org_id=admin.org_id)
        item = next(u for u in auth.list_users(conn, org_id=admin.org_id)
                    if u["username"] == username)
    return UserItem(**item)  # type: ignore[arg-type]
