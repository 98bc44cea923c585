"""The FastAPI app: routers under /api/v1, error handlers that always answer {"error": …}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import app as client_app
from app.domain import wire
from app.domain.errors import AppError, NotFoundError, ValidationError
from app.domain.messages import render_code, render_error
from server import migrate, sanitize
from server.api.deps import ServerState
from server.api.routes import auth as auth_routes
from server.api.routes import health, snapshot, sync, users
from server.config import Settings
from server.db import make_engine
from server.middleware import GuardMiddleware
from server.services import auth
from server.services.orgs import HighWater, check_high_water
from server.services.pull import EpochChanged
from server.services.push import NewEpoch
from server.services.snapshot import SnapshotCache

log = logging.getLogger(__name__)

# Codes that are not plain bad input (422).
_STATUS_BY_CODE = {"user_unknown": 404, "username_taken": 409, "cursor_invalid": 400}


def create_app(settings: Settings | None = None, *, prepare: bool = True) -> Any:
    """The ASGI app. With `prepare`, migrate the database and run the high-water check."""
    from server.schemas import ErrorBody

    settings = settings or Settings()
    engine = make_engine(settings.database_url())
    hw = HighWater(settings.highwater_file())
    if prepare:
        migrate.upgrade(engine)
        check_high_water(engine, hw)
    errors: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorBody, "description": text}
        for status, text in (
            (400, "Malformed request (JSON, cursor, gzip)"),
            (401, "Missing, expired or revoked token; disabled user"),
            (403, "Role does not allow this"),
            (404, "Not found"),
            (409, "Another epoch (code new_epoch) or a taken name"),
            (413, "Body too large"),
            (415, "Unsupported content encoding"),
            (422, "Invalid input; the field is named"),
            (426, "Client too old"),
            (429, "Too many failed logins"),
        )
    }
    api = FastAPI(
        title="FieldDesk sync server",
        version=client_app.__version__,
        responses=errors,
    )
    api.state.fd = ServerState(
        settings=settings, engine=engine, highwater=hw,
        snapshots=SnapshotCache(settings.snapshot_dir(), settings.snapshot_max_age_seconds),
    )
    for router in (health.router, auth_routes.router, sync.router, snapshot.router, users.router):
        api.include_router(router, prefix=wire.API_PREFIX)
    _handlers(api)
    return GuardMiddleware(
        api, max_body=settings.max_body_bytes, max_inflated=settings.max_inflated_bytes,
        min_client=settings.min_client_version,
    )


def fastapi_app(asgi: Any) -> FastAPI:
    """The FastAPI app inside the guard (for state and OpenAPI in tests)."""
    return asgi.app  # type: ignore[no-any-return]


def _error(status: int, code: str, field: str | None, message: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"error": {"field": field, "code": code, "message": message}}
    body.update(extra)
    return JSONResponse(body, status_code=status)


def _handlers(api: FastAPI) -> None:
    @api.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        headers = {}
        if isinstance(exc, auth.ThrottledError):
            status = 429
            headers["Retry-After"] = str(exc.retry_after)
        elif isinstance(exc, auth.AuthError):
            status = 401
            headers["WWW-Authenticate"] = "Bearer"
        elif isinstance(exc, auth.ForbiddenError):
            status = 403
        elif isinstance(exc, (EpochChanged,)):
            return _error(409, exc.code, exc.field, render_error(exc), epoch=exc.epoch)
        elif isinstance(exc, NotFoundError):
            status = 404
        elif isinstance(exc, ValidationError):
            status = _STATUS_BY_CODE.get(exc.code, 422)
        else:
            status = 400
        response = _error(status, exc.code, exc.field, render_error(exc))
        response.headers.update(headers)
        return response

    @api.exception_handler(NewEpoch)
    async def new_epoch(request: Request, exc: NewEpoch) -> JSONResponse:
        return _error(409, "new_epoch", "epoch", render_code("new_epoch", "epoch"),
                      epoch=exc.epoch)

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = sanitize.text(_dotted(loc) or "body", 200)
        kind = str(first.get("type", "invalid"))
        if kind in ("json_invalid",):
            return _error(400, "json_invalid", "body", render_code("json_invalid", "body"))
        code = "required" if kind == "missing" else "invalid_value"
        return _error(422, code, field, render_code(code, field), detail=kind)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "route_not_found", 405: "method_not_allowed"}.get(exc.status_code, "http")
        return _error(exc.status_code, code, None, render_code(code, None))

    @api.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("Unexpected error on %s %s", request.method, request.url.path)
        return _error(500, "internal", None, render_code("internal", None))


def _dotted(loc: list[str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out
