"""ASGI middleware: body size limit, gzip request bodies (bomb-guarded), JSON pre-check,
the client-version gate, and the minimum client version announced on every reply."""

from __future__ import annotations

import json
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.middleware.gzip import GZipMiddleware

from app.domain import wire
from app.domain.messages import render_code

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def error_bytes(code: str, field: str | None, **params: Any) -> bytes:
    body = {"error": {"field": field, "code": code, "message": render_code(code, field, **params)}}
    return json.dumps(body, ensure_ascii=False).encode()


def parse_version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:4]:
        digits = "".join(ch for ch in piece[:9] if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


class GuardMiddleware:
    """Outermost layer: everything that must hold before FastAPI parses a request."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_inflated: int, min_client: str) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=2048, compresslevel=5)
        self.max_body = max_body
        self.max_inflated = max_inflated
        self.min_client = min_client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announce = (wire.MIN_CLIENT_HEADER.lower().encode(), self.min_client.encode())

        async def send_announcing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), announce]
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        client_version = headers.get(wire.CLIENT_VERSION_HEADER.lower())
        if client_version and parse_version(client_version) < parse_version(self.min_client):
            await _reply(send_announcing, 426, error_bytes(
                "sync_version", "client_version", minimum=self.min_client))
            return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            body = await self._read_body(scope, receive, headers, send_announcing)
            if body is None:
                return
            scope["headers"] = [
                (k, v) for k, v in scope["headers"]
                if k.lower() not in (b"content-encoding", b"content-length")
            ] + [(b"content-length", str(len(body)).encode())]
            receive = _replay(body, receive)
        # The snapshot is already a compact file download: gzipping it on the fly costs more
        # than it saves on a LAN, so it bypasses the response compressor.
        target = self.app if scope["path"].endswith("/snapshot") else self.gzip
        await target(scope, receive, send_announcing)

    async def _read_body(
        self, scope: Scope, receive: Receive, headers: dict[str, str], send: Send
    ) -> bytes | None:
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _reply(send, 413, error_bytes("body_too_large", "body", max=self.max_body))
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _reply(send, 413, error_bytes("body_too_large", "body", max=self.max_body))
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding == "gzip":
            inflated = self._gunzip(body)
            if isinstance(inflated, tuple):
                await _reply(send, inflated[0], inflated[1])
                return None
            body = inflated
        elif encoding not in ("identity", ""):
            await _reply(send, 415, error_bytes("encoding_unsupported", "content-encoding"))
            return None
        if body and scope["path"].startswith(wire.API_PREFIX):
            try:
                json.loads(body)
            except (ValueError, RecursionError):
                await _reply(send, 400, error_bytes("json_invalid", "body"))
                return None
        return body

    def _gunzip(self, body: bytes) -> bytes | tuple[int, bytes]:
        """Inflate at most max_inflated bytes: a decompression bomb stops at the limit."""
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out = d.decompress(body, self.max_inflated + 1)
            if len(out) > self.max_inflated or d.unconsumed_tail:
                return 413, error_bytes("body_too_large", "body", max=self.max_inflated)
            out += d.flush()
            if not d.eof or len(out) > self.max_inflated:
                return 400, error_bytes("gzip_invalid", "body")
        except zlib.error:
            return 400, error_bytes("gzip_invalid", "body")
        return out


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reply(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
