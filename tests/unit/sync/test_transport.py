"""Transport against a scripted loopback HTTP server: retries, gzip, errors, versions."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from app.domain.errors import SyncError, SyncErrorKind
from app.sync.transport import MIN_VERSION_HEADER, Transport


class Script:
    def __init__(self) -> None:
        self.replies: list[tuple[int, dict[str, str], bytes]] = []
        self.requests: list[dict[str, Any]] = []


@pytest.fixture
def server():
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            script.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status, headers, payload = script.replies.pop(0) if script.replies else (200, {}, b"{}")
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _reply  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", script
    httpd.shutdown()
    httpd.server_close()


def make(url: str) -> Transport:
    return Transport(url, attempts=3, backoff=0.0, connect_timeout=1, read_timeout=2, sleep=lambda s: None)


def test_retries_503_then_succeeds(server):
    url, script = server
    script.replies = [(503, {}, b""), (200, {}, b'{"ok": true}')]
    t = make(url)
    assert t.request("GET", "/health") == {"ok": True}
    assert len(script.requests) == 2
    t.close()


def test_large_body_is_gzipped_and_token_sent(server):
    url, script = server
    t = make(url)
    t.token = "abc"
    body = {"changes": ["企业" * 2000]}
    t.request("POST", "/sync/push", body)
    req = script.requests[0]
    assert req["headers"]["Content-Encoding"] == "gzip"
    assert json.loads(req["body"]) == body
    assert req["headers"]["Authorization"] == "Bearer abc"
    t.close()


def test_401_is_auth_error(server):
    url, script = server
    script.replies = [(401, {}, b'{"error": {"code": "token_expired"}}')]
    with pytest.raises(SyncError) as e:
        make(url).request("GET", "/sync/pull")
    assert e.value.kind == SyncErrorKind.AUTH


def test_newer_minimum_version_refuses(server):
    url, script = server
    script.replies = [(200, {MIN_VERSION_HEADER: "99.0.0"}, b"{}")]
    with pytest.raises(SyncError) as e:
        make(url).request("GET", "/health")
    assert e.value.kind == SyncErrorKind.VERSION and e.value.params["minimum"] == "99.0.0"


def test_unreachable_is_network_error():
    t = Transport("http://127.0.0.1:9", attempts=2, backoff=0.0, connect_timeout=0.5, sleep=lambda s: None)
    with pytest.raises(SyncError) as e:
        t.request("GET", "/health")
    assert e.value.kind == SyncErrorKind.NETWORK
    t.close()


def test_server_error_body_is_kept(server):
    url, script = server
    script.replies = [(422, {}, json.dumps({"error": {"field": "fields.name", "code": "required",
                                                     "message": "企业名称不能为空"}}).encode())]
    with pytest.raises(SyncError) as e:
        make(url).request("POST", "/sync/push", {"x": 1})
    assert e.value.kind == SyncErrorKind.SERVER
    assert e.value.params["detail"] == "企业名称不能为空" and e.value.params["status"] == 422


def test_unparseable_reply_acknowledges_nothing(server):
    url, script = server
    script.replies = [(200, {}, b'{"truncated": ')]
    with pytest.raises(SyncError) as e:
        make(url).request("POST", "/sync/push", {"x": 1})
    assert e.value.kind == SyncErrorKind.NETWORK
