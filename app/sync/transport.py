"""HTTP transport to the central server: one requests.Session, timeouts, retries, gzip, TLS.

Every push is safe to retry by design (change ids are idempotent on the server), so transient
failures (connection reset, timeouts, 502/503/504) are retried with backoff. Failures surface
as SyncError with a kind the UI words from messages.py.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests

from app import __version__
from app.domain.errors import SyncError, SyncErrorKind

log = logging.getLogger(__name__)

CLIENT_VERSION_HEADER = "X-FieldDesk-Client-Version"
MIN_VERSION_HEADER = "X-FieldDesk-Min-Client-Version"
GZIP_THRESHOLD = 2048  # bytes; smaller bodies are not worth compressing
_RETRY_STATUS = {502, 503, 504}


def parse_version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


class Transport:
    """Talks JSON to one server. `token` is set after login and sent as a Bearer header."""

    def __init__(
        self,
        base_url: str,
        *,
        ca_bundle: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        attempts: int = 4,
        backoff: float = 0.3,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.verify = ca_bundle if ca_bundle else True
        if self.session.trust_env:
            # Proxies (HTTPS_PROXY, NO_PROXY) and a CA bundle from the environment
            # (REQUESTS_CA_BUNDLE) are read once here, not on every request (0.6 ms each, a
            # tenth of a no-op sync). Nor is ~/.netrc consulted: it would replace the token.
            env = self.session.merge_environment_settings(
                self.base_url, {}, None, self.session.verify, None
            )
            self.session.trust_env = False
            self.session.proxies.update(env["proxies"])
            self.session.verify = env["verify"]
        self.session.headers[CLIENT_VERSION_HEADER] = __version__
        self.session.headers["Accept-Encoding"] = "gzip"
        self.timeout = (connect_timeout, read_timeout)
        self.attempts = attempts
        self.backoff = backoff
        self.token: str | None = None
        self._sleep = sleep
        self.last_server_time: str | None = None

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        raw: bool = False,
        auth: bool = True,
    ) -> Any:
        """Send a request and return the parsed JSON (or the Response when raw).

        Raises SyncError(NETWORK) when the server cannot be reached after retries,
        SyncError(AUTH) on 401, SyncError(VERSION) when the server needs a newer client,
        SyncError(SERVER) on other failures (with the server's error body when it sent one).
        """
        url = f"{self.base_url}/api/v1{path}"
        headers: dict[str, str] = {}
        data: bytes | None = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
            if len(data) > GZIP_THRESHOLD:
                data = gzip.compress(data, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        last_error: Exception | None = None
        for attempt in range(self.attempts):
            if attempt:
                delay = self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random())
                self._sleep(delay)
            try:
                response = self.session.request(
                    method, url, data=data, headers=headers, params=params,
                    timeout=self.timeout, stream=raw,
                )
            except (requests.ConnectionError, requests.Timeout) as e:
                log.info("Request %s %s failed (%s), attempt %d", method, path, type(e).__name__, attempt + 1)
                last_error = e
                continue
            except requests.RequestException as e:
                raise SyncError(SyncErrorKind.NETWORK, detail=type(e).__name__) from e
            if response.status_code in _RETRY_STATUS:
                last_error = RuntimeError(f"HTTP {response.status_code}")
                response.close()
                continue
            return self._handle(response, raw)
        if isinstance(last_error, RuntimeError):
            raise SyncError(SyncErrorKind.SERVER, detail=str(last_error))
        raise SyncError(SyncErrorKind.NETWORK, detail=type(last_error).__name__)

    def _handle(self, response: requests.Response, raw: bool) -> Any:
        self.last_server_time = response.headers.get("Date")
        minimum = response.headers.get(MIN_VERSION_HEADER)
        if minimum and parse_version(__version__) < parse_version(minimum):
            response.close()
            raise SyncError(SyncErrorKind.VERSION, minimum=minimum)
        status = response.status_code
        if status == 401:
            response.close()
            raise SyncError(SyncErrorKind.AUTH)
        if status == 426:
            response.close()
            raise SyncError(SyncErrorKind.VERSION, minimum=minimum or "?")
        if status >= 400:
            body = _error_body(response)
            raise SyncError(
                SyncErrorKind.SERVER, code=_server_code(status), status=status,
                detail=body.get("message", ""), error_field=body.get("field"), server_code=body.get("code"),
            )
        if raw:
            return response
        try:
            return response.json()
        except ValueError as e:
            # A reply we cannot parse acknowledges nothing: the caller retries the same changes.
            raise SyncError(SyncErrorKind.NETWORK, detail="unparseable reply") from e


def _server_code(status: int) -> str:
    if status == 429:
        return "sync_throttled"
    if status == 403:
        return "sync_forbidden"
    if 400 <= status < 500:
        return "sync_rejected"
    return "sync_server"


def _error_body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}
