"""Push, pull, bucket re-pulls and epoch copies: the sync feed of the caller's org."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from app.domain import wire
from app.domain.records import is_uuid
from server.api.deps import CurrentUser, State, Token
from server.db import read_tx, write_tx
from server.schemas import (
    BucketReply,
    ChangeIn,
    EpochCopiesReply,
    EpochCopiesRequest,
    PullReply,
    PushReply,
    PushRequest,
    RecordType,
)
from server.services import auth
from server.services import pull as pull_service
from server.services import push as push_service

log = logging.getLogger(__name__)
router = APIRouter(tags=["sync"])


def json_response(body: Any, status_code: int = 200) -> Response:
    """Serialise once with the stdlib (large pages; pydantic re-validation would double it)."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(data, status_code=status_code, media_type="application/json")


def feed_response(body: dict[str, Any]) -> Response:
    """A pull or bucket reply whose `records` are JSON texts stored at write time."""
    records: list[str] = body.pop("records")
    head = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    data = (head[:-1] + ',"records":[' + ",".join(records) + "]}").encode()
    return Response(data, media_type="application/json")


def to_change(c: ChangeIn) -> wire.Change:
    """The wire.Change that `wire.parse_change(c.model_dump())` gives, without dumping and
    checking again what the schema has just validated (the same UUID pattern, a record type
    of RECORD_TYPES, a version of at least 1, an object of fields): a fifth of the time the
    route spent before the push itself. tests/server/test_push_parse.py holds the two equal."""
    return wire.Change(
        change_id=c.change_id.lower(), type=c.type, id=c.id.lower(),
        base_version=c.base_version, fields=dict(c.fields),
        base_change_id=c.base_change_id or None, group=c.group or None,
    )


@router.post("/push", response_model=PushReply)
def push(body: PushRequest, user: CurrentUser, state: State) -> Response:
    changes = [to_change(c) for c in body.changes]
    with state.highwater.noting(user.org_id) as note_high_water:
        with write_tx(state.engine) as conn:
            result = push_service.push(conn, user=user, epoch=body.epoch, changes=changes,
                                       cursor=body.cursor)
            note_high_water(result.seq)  # its file is synced alongside the COMMIT
    # The replies are JSON texts already (as stored for replays): spliced, not re-encoded.
    head = json.dumps({"epoch": result.epoch}, ensure_ascii=False, separators=(",", ":"))
    tail = "}"
    if result.cursor is not None:
        tail = f',"cursor":{json.dumps(result.cursor)}}}'
    data = f'{head[:-1]},"results":[{",".join(result.replies)}]{tail}'.encode()
    return Response(data, media_type="application/json")


@router.get("/pull", response_model=PullReply)
def pull(
    token: Token,
    state: State,
    cursor: Annotated[str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=wire.PULL_MAX_LIMIT)] = wire.PULL_DEFAULT_LIMIT,
) -> Response:
    # The token is checked in the pull's own read transaction (what CurrentUser does in one
    # of its own): a no-op sync is this one request, so it gets by with one worker-thread
    # hop and one transaction.
    with read_tx(state.engine) as conn:
        user = auth.user_for_token(conn, token)
        body = pull_service.pull(conn, org_id=user.org_id, cursor=cursor, limit=limit)
    return feed_response(body)


@router.get("/buckets/{type}/{bucket}", response_model=BucketReply)
def bucket(
    type: RecordType,
    bucket: Annotated[int, Path(ge=0, le=15)],
    user: CurrentUser,
    state: State,
    after_id: Annotated[str | None, Query(max_length=36, pattern=r"^[0-9a-f-]{1,36}$")] = None,
    limit: Annotated[int, Query(ge=1, le=wire.PULL_MAX_LIMIT)] = wire.PULL_DEFAULT_LIMIT,
) -> Response:
    with read_tx(state.engine) as conn:
        body = pull_service.bucket(conn, org_id=user.org_id, type_name=type, bucket_no=bucket,
                                   after_id=after_id, limit=limit)
    return feed_response(body)


@router.post("/epoch-copies", response_model=EpochCopiesReply)
def epoch_copies(body: EpochCopiesRequest, user: CurrentUser, state: State) -> Response:
    ids = [i.lower() for i in body.ids if is_uuid(i)]
    with read_tx(state.engine) as conn:
        return json_response(pull_service.epoch_copies(conn, org_id=user.org_id, ids=ids))
