"""A real HTTP test double of Customer.io's App API, on 127.0.0.1 in a thread.

``FakeAppApi`` serves the documented response shapes from a route table
(``"/v1/campaigns/1/actions?start=p2"`` -> replies); a route's replies are served in order and
the last one repeats, so ``[Reply(500), Reply(200, body)]`` is "fails once, then works". Every
request is recorded (path, query, ``Authorization`` header, monotonic time of arrival); a request
whose ``Authorization`` is not ``Bearer <key>`` gets ``401`` as the real API does, and a path
that is not in the table gets ``404``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # JSON-encoded unless bytes
    headers: tuple[tuple[str, str], ...] = ()
    #: stream ``body`` (bytes) without a Content-Length, in chunks, until the client hangs up
    stream: bool = False
    #: seconds to wait before answering (a slow server)
    delay: float = 0.0


@dataclass(frozen=True)
class Hit:
    path: str
    query: str
    authorization: str | None
    at: float

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass
class FakeAppApi:
    key: str
    routes: dict[str, list[Reply]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    url: str = ""
    _served: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def route(self, target: str, *replies: Reply | object) -> None:
        """``target`` (path, ``?query``) answers ``replies`` in turn (a JSON value is a 200)."""
        self.routes[target] = [r if isinstance(r, Reply) else Reply(200, r) for r in replies]

    def reply_for(self, target: str, authorization: str | None) -> Reply:
        if authorization != f"Bearer {self.key}":
            return Reply(401, {"meta": {"error": "Unauthorized request"}})
        replies = self.routes.get(target)
        if not replies:
            return Reply(404, {"meta": {"error": "not found"}})
        with self._lock:
            turn = self._served.get(target, 0)
            self._served[target] = turn + 1
        return replies[min(turn, len(replies) - 1)]

    def targets(self) -> list[str]:
        return [hit.target for hit in self.hits]


def _handler(api: FakeAppApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            authorization = self.headers.get("Authorization")
            with api._lock:
                api.hits.append(Hit(path, query, authorization, time.monotonic()))
            reply = api.reply_for(self.path, authorization)
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for name, value in reply.headers:
                    self.send_header(name, value)
                if reply.stream:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for start in range(0, len(body), 1 << 16):
                        self.wfile.write(body[start : start + (1 << 16)])
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler


@contextmanager
def serve(key: str = "test-app-key-5f2c9e0b7a41d3") -> Iterator[FakeAppApi]:
    """A running ``FakeAppApi`` that accepts ``key``, stopped on leaving."""
    api = FakeAppApi(key=key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
