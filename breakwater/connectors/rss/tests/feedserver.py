"""A feed server on loopback: serves files with ETag and Last-Modified, answers 304 to a
conditional GET, and can be told to fail (500, 401) to test errors."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Feeds:
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> body, type
    modified: dict[str, float] = field(default_factory=dict)
    fail_with: int | None = None
    requests: list[dict[str, str]] = field(default_factory=list)
    base: str = ""

    def put(self, path: str, body: bytes, content_type: str = "application/atom+xml",
            *, at: float = 1_764_489_600.0) -> str:
        self.files[path] = (body, content_type)
        self.modified[path] = at
        return self.base + path


@contextmanager
def feed_server() -> Iterator[Feeds]:
    feeds = Feeds()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feeds.requests.append({"path": self.path, **dict(self.headers.items())})
            if feeds.fail_with:
                self._send(feeds.fail_with, b"feed server says no", "text/plain")
                return
            if self.path not in feeds.files:
                self._send(404, b"no such feed", "text/plain")
                return
            body, content_type = feeds.files[self.path]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = formatdate(feeds.modified[self.path], usegmt=True)
            headers = {"ETag": etag, "Last-Modified": modified}
            if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == modified
            ):
                self._send(304, b"", content_type, headers)
                return
            self._send(200, body, content_type, headers)

        def _send(self, status: int, body: bytes, content_type: str,
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    feeds.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield feeds
    finally:
        server.shutdown()
        server.server_close()
