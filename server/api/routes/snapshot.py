"""The bootstrap snapshot download: a client-schema SQLite file and its cursor."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from app.domain import wire
from server.api.deps import CurrentUser, State

router = APIRouter(tags=["snapshot"])


@router.get(
    "/snapshot",
    response_class=FileResponse,
    responses={200: {"content": {"application/vnd.sqlite3": {}},
                     "description": "The SQLite file; the cursor is in X-FieldDesk-Cursor."}},
)
def snapshot(user: CurrentUser, state: State) -> FileResponse:
    snap = state.snapshots.get(state.engine, user.org_id)
    return FileResponse(
        snap.path,
        media_type="application/vnd.sqlite3",
        filename="fielddesk-snapshot.sqlite3",
        headers={wire.SNAPSHOT_CURSOR_HEADER: snap.cursor, wire.SNAPSHOT_EPOCH_HEADER: snap.epoch},
    )
