"""Messages an SDK queued before ``cio_events`` started are dropped, never sent later.

Each SDK posts to a real collector on 127.0.0.1 (so a message that got out would be seen), from
its real consumer thread, in a pytest subprocess (so interpreter exit, where the SDKs flush
their consumers, is part of the run).
"""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from collections.abc import Iterator

import pytest

FAMILIES = ["customerio.analytics", "segment.analytics", "rudderstack.analytics", "analytics"]


class Collector(http.server.ThreadingHTTPServer):
    """The SDKs' batch endpoint: records the events it receives under the first path segment.

    Batches posted under ``/busy`` are held until ``/release`` is requested, so the consumer
    thread that posted them stays busy.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.events: dict[str, list[str]] = {}
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        where = self.path.strip("/").split("/")[0]
        batch = json.loads(body).get("batch", [])
        self.server.events.setdefault(where, []).extend(str(m.get("event")) for m in batch)
        if where == "busy":
            self.server.release.wait(10)
        self._reply(b"{}")

    def do_GET(self) -> None:
        if self.path == "/release":
            self.server.release.set()
        self._reply(json.dumps(self.server.events).encode())

    def _reply(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


APP = """
import importlib
import json
import os
import time
import urllib.request

URL = os.environ["COLLECTOR"]
FAMILY = os.environ["SDK_MODULE"]
sdk = importlib.import_module(FAMILY)
options = {"upload_interval": 1.0} if FAMILY != "analytics" else {}
busy = sdk.Client("key", host=URL + "/busy", **options)
idle = sdk.Client("key", host=URL + "/idle", **options)


def collected():
    with urllib.request.urlopen(URL + "/collected", timeout=5) as response:
        return json.load(response)


def wait_until(condition):
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_queue_while_the_consumer_is_busy():
    busy.track("u1", "Sent Before")
    wait_until(lambda: collected() == {"busy": ["Sent Before"]})  # held by the collector
    busy.track("u1", "Queued Before")
    assert busy.queue.qsize() == 1


def test_fixture_start_drops_what_is_queued(cio_events):
    assert busy.queue.qsize() == 0
    assert [m["event"] for m in cio_events.dropped] == ["Queued Before"]
    assert cio_events.messages == []
    urllib.request.urlopen(URL + "/release", timeout=5).close()
    start = time.monotonic()
    busy.flush()
    assert time.monotonic() - start < 3


def test_the_consumer_takes_a_message():
    idle.track("u1", "In Flight")
    wait_until(lambda: idle.queue.qsize() == 0)  # in the consumer's batch, not posted yet


def test_its_post_is_refused_once_not_retried(cio_events):
    start = time.monotonic()
    idle.flush()  # the consumer posts while capturing: refused, and not retried
    assert time.monotonic() - start < 3
    assert [m["event"] for m in cio_events.dropped] == ["In Flight"]
    assert cio_events.messages == []
"""


@pytest.mark.parametrize("family", FAMILIES)
def test_messages_queued_before_the_fixture_are_never_sent(
    pytester: pytest.Pytester, collector: Collector, monkeypatch: pytest.MonkeyPatch, family: str
) -> None:
    """Dropped at fixture start when still queued; refused without retry when held in flight.

    The SDKs' own exit handlers run as the subprocess ends: the collector still sees only the
    message sent before any fixture.
    """
    pytester.makepyfile(test_app=APP)
    monkeypatch.setenv("COLLECTOR", collector.url)
    monkeypatch.setenv("SDK_MODULE", family)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", timeout=60
    )
    result.assert_outcomes(passed=4)
    assert collector.events == {"busy": ["Sent Before"]}
