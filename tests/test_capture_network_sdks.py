"""The network guard of ``cio_events`` covers the HTTP clients of PostHog, Mixpanel and Amplitude:
a send that bypasses the seams (their transports called directly, PostHog's consumer thread,
Amplitude's worker pool, ``requests``, ``urllib3`` and ``urllib.request``) cannot leave
loopback. Destinations are TEST-NET-3
(``203.0.113.1``), which cannot route anyway: without the guard these end in a timeout or
``OSError``, never in ``NetworkBlockedError``. A real server on 127.0.0.1 shows loopback stays
reachable."""

from __future__ import annotations

import pytest

TESTS = """
import http.server
import json
import queue
import threading

import pytest
import requests
import urllib3

from cio_lint.capture import NetworkBlockedError

FAR = "http://203.0.113.1"


def blocked(error):
    while error is not None:
        if isinstance(error, NetworkBlockedError):
            return True
        error = error.__cause__ or error.__context__
    return False


def test_requests_session(cio_events):
    with pytest.raises(NetworkBlockedError):
        requests.Session().post(FAR + "/batch", json={}, timeout=2)


def test_urllib3_pool_manager(cio_events):
    with pytest.raises(NetworkBlockedError):
        urllib3.PoolManager(retries=False).request("POST", FAR + "/batch", timeout=2)


def test_posthog_transport_directly(cio_events):
    from posthog.request import batch_post
    with pytest.raises(Exception) as raised:
        batch_post("phc_key", host=FAR, batch=[{"event": "x", "distinct_id": "u"}], timeout=2)
    assert blocked(raised.value)


def test_posthog_consumer_thread(cio_events):
    from posthog.consumer import Consumer
    pending = queue.Queue()
    pending.put({"event": "Report Exported", "distinct_id": "u1", "properties": {}})
    errors = []
    consumer = Consumer(pending, "phc_key", host=FAR, retries=0, flush_interval=0.05,
                        timeout=2, on_error=lambda error, batch: errors.append(error))
    consumer.start()
    pending.join()
    consumer.pause()
    consumer.join(5)
    assert len(errors) == 1 and blocked(errors[0])


def test_mixpanel_transport_directly(cio_events):
    from mixpanel import Consumer
    with pytest.raises(Exception) as raised:
        Consumer(request_timeout=2)._write_request(FAR + "/track", json.dumps({"event": "x"}))
    assert blocked(raised.value)


def test_urllib_request(cio_events):
    import urllib.request
    with pytest.raises(Exception) as raised:
        urllib.request.urlopen(FAR + "/2/httpapi", data=b"{}", timeout=2)
    assert blocked(raised.value)


def test_amplitude_transport_directly(cio_events):
    from amplitude.http_client import HttpClient
    with pytest.raises(Exception) as raised:
        HttpClient.post(FAR + "/2/httpapi", b'{"api_key": "key", "events": []}')
    assert blocked(raised.value)


def test_amplitude_worker_pool(cio_events):
    # what a destination's storage held before the seam could see it is posted by its workers
    from amplitude import BaseEvent, Config
    from amplitude.storage import InMemoryStorage
    from amplitude.worker import Workers
    config = Config(api_key="key", server_url=FAR + "/2/httpapi")
    workers = Workers()
    workers.setup(config, InMemoryStorage())
    future = workers.threads_pool.submit(workers.send, [BaseEvent("x", user_id="u1")])
    with pytest.raises(Exception) as raised:
        future.result(10)
    workers.threads_pool.shutdown()
    assert blocked(raised.value)


def test_loopback_server_is_reachable(cio_events):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            body = b'{"status": "Ok"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from posthog.request import batch_post
        host = f"http://127.0.0.1:{server.server_address[1]}"
        batch_post("phc_key", host=host, batch=[{"event": "x", "distinct_id": "u"}], timeout=2)
    finally:
        server.shutdown()
        server.server_close()
    assert len(received) == 1
"""


def test_sdk_transports_stay_on_loopback(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    # a fresh interpreter: an in-process run shares ``sys.modules`` with the other pytester
    # runs of this worker, whose snapshot restore can leave ``requests`` holding a stale
    # ``http.cookiejar`` ("You can only merge into CookieJar") before the guard is reached
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=9)
