"""A loopback HTTP proxy that injects network faults between a client and the real server.

Faults (one per request, chosen by a callable): `reset` (TCP RST before forwarding), `stall`
(hold the request past the client's read timeout, then reset), `truncate` (forward, then send
half the reply body), `corrupt` (forward, then send the reply with one byte in the middle of
its body changed), `status500|502|503` (answer without forwarding), `after500` (forward,
then answer 500), `drop_after` (forward so the server commits, then reset without a reply).
Every connection is closed after one exchange. Bounded: a stall lasts `stall_seconds`.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = ("reset", "stall", "truncate", "corrupt", "status500", "status502", "status503",
          "after500", "drop_after")
_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}


class FaultProxy:
    def __init__(
        self, upstream_port: int, decide: Callable[[str, str], str | None], stall_seconds: float = 1.5
    ) -> None:
        self.upstream_port = upstream_port
        self.decide = decide
        self.stall_seconds = stall_seconds
        self.injected: Counter[str] = Counter()
        self.requests = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                proxy.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy.decide(self.command, self.path)
                if fault:
                    proxy.injected[fault] += 1
                if fault == "reset":
                    return self._reset()
                if fault == "stall":
                    time.sleep(proxy.stall_seconds)
                    return self._reset()
                if fault in ("status500", "status502", "status503"):
                    return self._reply(int(fault[-3:]), {}, b'{"error": {"code": "injected"}}')
                status, headers, payload = self._forward(body)
                if fault == "drop_after":
                    return self._reset()
                if fault == "after500":
                    return self._reply(500, {}, b'{"error": {"code": "injected"}}')
                if fault == "truncate":
                    return self._reply(status, headers, payload, cut=max(1, len(payload) // 2))
                if fault == "corrupt" and payload:
                    middle = len(payload) // 2
                    payload = payload[:middle] + bytes([payload[middle] ^ 0xFF]) + payload[middle + 1:]
                return self._reply(status, headers, payload)

            def _forward(self, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                out = {k: v for k, v in resp.getheaders() if k.lower() not in _HOP | {"content-length"}}
                conn.close()
                return resp.status, out, payload

            def _reply(self, status: int, headers: dict[str, str], payload: bytes, cut: int | None = None) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload if cut is None else payload[:cut])
                self.wfile.flush()
                if cut is not None:
                    self._reset()
                self.close_connection = True

            def _reset(self) -> None:
                self.close_connection = True
                try:
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

            def finish(self) -> None:
                try:
                    super().finish()
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # injected resets make the handler's socket fail by design

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
