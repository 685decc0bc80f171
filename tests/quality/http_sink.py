"""A real HTTP server on 127.0.0.1 that records webhook POSTs (optionally failing first)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # http.server's naming
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with self.server.lock:
            self.server.attempts += 1
            failing = self.server.fail_first > 0
            if failing:
                self.server.fail_first -= 1
            else:
                self.server.requests.append({
                    "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    "json": json.loads(body.decode("utf-8")),
                })
        self.send_response(500 if failing else 200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"boom" if failing else b"ok")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep tests quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    lock: threading.Lock
    requests: list[dict[str, Any]]
    attempts: int
    fail_first: int


class WebhookSink:
    """with WebhookSink(fail_first=2) as hook: post to hook.url(...); read hook.requests"""

    def __init__(self, fail_first: int = 0) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.lock = threading.Lock()
        self._server.requests = []
        self._server.attempts = 0
        self._server.fail_first = fail_first
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hooks/T000/B000/XXXX") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._server.lock:
            return list(self._server.requests)

    @property
    def attempts(self) -> int:
        with self._server.lock:
            return self._server.attempts

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
