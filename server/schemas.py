"""Request and reply bodies of the HTTP API (pydantic; they also make /openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from app.domain.records import RECORD_TYPES
from app.domain.wire import PUSH_MAX_CHANGES

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _json_int(value: Any) -> int:
    """A JSON integer: 3 or 3.0 (JSON Schema calls both integers), never true or "3"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("not an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not an integer")
        return int(value)
    return value


Version = Annotated[int, Ge(1), Le(2**31 - 1), BeforeValidator(_json_int)]
RecordType = Literal[RECORD_TYPES]  # type: ignore[valid-type]
Role = Literal["member", "lead", "admin"]
USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{1,64}$"


class ErrorDetail(BaseModel):
    field: str | None
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
    epoch: str | None = None  # set with code new_epoch


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    min_client_version: str


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=1, max_length=256)


class UserPublic(BaseModel):
    username: str
    role: Role
    org: str


class LoginReply(BaseModel):
    token: str
    expires_at: float
    user: UserPublic


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    change_id: str = Field(pattern=UUID_PATTERN)
    type: RecordType
    id: str = Field(pattern=UUID_PATTERN)
    base_version: Version | None = None
    base_change_id: str | None = Field(default=None, pattern=UUID_PATTERN)
    group: str | None = Field(default=None, pattern=UUID_PATTERN)
    fields: dict[str, Any]


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    epoch: str | None = Field(default=None, max_length=36)
    # The client's pull cursor: if the org wrote nothing since, the reply carries the cursor
    # after this push, and the client need not pull its own changes back.
    cursor: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")
    changes: list[ChangeIn] = Field(max_length=PUSH_MAX_CHANGES)


class ChangeReply(BaseModel):
    change_id: str
    status: Literal["accepted", "conflict", "rejected"]
    version: int | None = None
    seq: int | None = None
    reason: str | None = None
    record: dict[str, Any] | None = None
    duplicate_of: str | None = None
    other: dict[str, Any] | None = None
    field: str | None = None
    code: str | None = None
    message: str | None = None


class PushReply(BaseModel):
    epoch: str
    results: list[ChangeReply]
    cursor: str | None = None  # see PushRequest.cursor


class TypeDigest(BaseModel):
    count: int
    bucket_counts: list[int]
    buckets: list[str]


class PullReply(BaseModel):
    epoch: str
    cursor: str
    has_more: bool
    seq: int
    records: list[dict[str, Any]]
    digests: dict[str, TypeDigest]


class BucketReply(BaseModel):
    epoch: str
    cursor: str
    type: str
    bucket: int
    records: list[dict[str, Any]]
    next_after_id: str | None
    digests: dict[str, TypeDigest]


class EpochCopiesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(max_length=1000)


class EpochCopiesReply(BaseModel):
    epoch: str
    data: list[dict[str, Any]]
    count: int


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=1, max_length=256)
    role: Role = "member"


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    disabled: StrictBool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=256)


class UserItem(BaseModel):
    username: str
    role: Role
    disabled: bool
    created_at: str


class UserList(BaseModel):
    data: list[UserItem]
    count: int
