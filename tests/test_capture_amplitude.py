"""``cio_events`` captures Amplitude (amplitude-analytics 1.3) at the default destination's
``AmplitudeDestinationPlugin.execute``: ``track``, ``identify`` (the ``$identify`` event),
``group_identify``, from any thread; normalised to the Segment shape, validated and counted like
the others. Nothing reaches the storage while capturing, so the client starts no consumer
thread and sends nothing, then or at ``flush()``/``shutdown()``/exit; an event the SDK refuses
(no ``user_id`` and no ``device_id``) is in ``cio_events.dropped``. The "server" is a recording
HTTP server on 127.0.0.1: without the seam the SDK posts its batches there."""

from __future__ import annotations

import textwrap
import time

import pytest

PLAN = textwrap.dedent(
    """
    version: 1
    defaults:
      additionalProperties: false
    identify:
      properties:
        email: {type: string}
        first_seen: {type: integer}
    events:
      Signed Up:
        properties:
          plan: {enum: [free, pro]}
        required: [plan]
      Report Exported:
        properties: {}
    """
)

# a loopback HTTP server that records what is posted to it, as ``server`` (its URL: ``.url``)
CONFTEST = textwrap.dedent(
    """
    import http.server
    import threading

    import pytest


    class Server:
        def __init__(self):
            self.received = []
            outer = self

            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    outer.received.append(self.rfile.read(int(self.headers["Content-Length"])))
                    body = b'{"code": 200}'
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

                def log_message(self, *args):
                    pass

            self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
            self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/2/httpapi"
            threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

        def close(self):
            self.httpd.shutdown()
            self.httpd.server_close()


    @pytest.fixture
    def server():
        running = Server()
        yield running
        running.close()
    """
)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.mkdir("tracking_plan") / "plan.yaml").write_text(PLAN, encoding="utf-8")
    pytester.makeconftest(CONFTEST)
    return pytester


def test_track_identify_and_threads(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import threading

        from amplitude import Amplitude, BaseEvent, Config, EventOptions, Identify

        def test_shapes(cio_events, server):
            amp = Amplitude("key", Config(server_url=server.url))
            amp.identify(Identify().set("email", "a@b.c").set_once("first_seen", 1),
                         EventOptions(user_id="u1"))
            amp.track(BaseEvent("Signed Up", user_id="u1", event_properties={"plan": "pro"}))
            other = BaseEvent("Report Exported", user_id="u1", device_id="d1")
            thread = threading.Thread(target=amp.track, args=(other,))
            thread.start()
            thread.join()
            amp.group_identify("org", "acme", Identify().set("size", 3),
                               EventOptions(user_id="u1"))
            identify, signed_up, exported, group = cio_events.messages
            assert (identify["type"], identify["userId"], identify["event"]) == (
                "identify", "u1", None)
            assert identify["traits"] == {"email": "a@b.c", "first_seen": 1}
            assert identify["raw"]["event_type"] == "$identify"
            assert (signed_up["type"], signed_up["userId"], signed_up["event"]) == (
                "track", "u1", "Signed Up")
            assert signed_up["properties"] == {"plan": "pro"}
            assert signed_up["anonymousId"] is None and signed_up["traits"] is None
            assert signed_up["timestamp"] and signed_up["messageId"]
            assert signed_up["raw"]["library"].startswith("amplitude-python/")
            assert (exported["anonymousId"], exported["properties"]) == ("d1", {})
            assert (group["type"], group["groupType"], group["groupId"], group["traits"]) == (
                "group", "org", "acme", {"size": 3})
            assert {m["sdk"] for m in cio_events.messages} == {"amplitude"}
            cio_events.assert_identified("u1", {"email": "a@b.c"})
            cio_events.assert_tracked("Signed Up", user_id="u1", properties={"plan": "pro"})
            cio_events.assert_sequence(["Signed Up", "Report Exported"], exact=True)
            amp.flush()
            amp.shutdown()
            assert server.received == [] and cio_events.dropped == []

        def test_an_anonymous_track(cio_events):
            Amplitude("key").track(BaseEvent("Report Exported", device_id="d9"))
            (message,) = cio_events.tracks()
            assert (message["userId"], message["anonymousId"]) == (None, "d9")
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_runtime_validation_reports_bad_events(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from amplitude import Amplitude, BaseEvent, EventOptions, Identify

        def test_bad(cio_events):
            amp = Amplitude("key")
            amp.identify(Identify().set("email", "a@b.c"), EventOptions(user_id="u1"))
            amp.track(BaseEvent("Signed Up", user_id="u1", event_properties={"plan": "gold"}))
            amp.track(BaseEvent("Orders Completed", user_id="u1"))

        def test_track_before_identify(cio_events):
            Amplitude("key").track(BaseEvent("Signed Up", user_id="u2",
                                             event_properties={"plan": "pro"}))
        """
    )
    result = project.runpytest("-p", "no:cacheprovider")
    # Amplitude makes the user from the event (``needs_identify=False``, as the static CIO003):
    # a track before any identify is not a finding, the other test's events are
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["  CIO006 Property `plan` of `Signed Up`: 'gold' is not one of *"])
    result.stdout.fnmatch_lines(
        ["  CIO001 Event `Orders Completed` is not in the tracking plan*(track `Orders Completed`*"]
    )
    result.stdout.no_fnmatch_line("*CIO003*")


def test_nothing_is_sent_and_no_thread_starts(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import socket
        import threading
        import urllib.request

        import pytest
        from amplitude import Amplitude, BaseEvent, Config

        pytestmark = pytest.mark.cio_lint(ignore=["CIO003"])

        def test_no_socket(cio_events, server, monkeypatch):
            opened = []
            real_urlopen = urllib.request.urlopen
            real_connect = socket.socket.connect

            def urlopen(*args, **kwargs):
                opened.append(args)
                return real_urlopen(*args, **kwargs)

            def connect(self, address):
                opened.append(address)
                return real_connect(self, address)

            monkeypatch.setattr(urllib.request, "urlopen", urlopen)
            monkeypatch.setattr(socket.socket, "connect", connect)
            before = set(threading.enumerate())
            amp = Amplitude("key", Config(server_url=server.url, flush_queue_size=1))
            for n in range(3):
                amp.track(BaseEvent("Report Exported", user_id=f"u{n}"))
            future = amp.flush()
            amp.shutdown()
            assert future == [None]  # nothing was in the storage to flush
            assert len(cio_events.tracks()) == 3
            assert opened == [] and server.received == []
            assert set(threading.enumerate()) - before == set()
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_flush_shutdown_and_exit_do_not_hang(project: pytest.Pytester) -> None:
    # in a subprocess, so the interpreter's exit (where ``Amplitude`` runs ``shutdown`` from
    # ``threading._register_atexit``) is timed too; the URL is a closed loopback port
    project.makepyfile(
        """
        import pytest
        from amplitude import Amplitude, BaseEvent, Config

        pytestmark = pytest.mark.cio_lint(ignore=["CIO003"])

        def client():
            return Amplitude("key", Config(server_url="http://127.0.0.1:9/2/httpapi"))

        def test_flushed_and_shut_down(cio_events):
            amp = client()
            amp.track(BaseEvent("Report Exported", user_id="u1"))
            amp.flush()
            amp.shutdown()
            assert len(cio_events.tracks()) == 1

        def test_left_to_the_exit_handler(cio_events):
            client().track(BaseEvent("Report Exported", user_id="u2"))
            assert len(cio_events.tracks()) == 1
        """
    )
    started = time.monotonic()
    result = project.runpytest_subprocess("-p", "no:cacheprovider", timeout=60)
    elapsed = time.monotonic() - started
    result.assert_outcomes(passed=2)
    assert elapsed < 20, f"the run took {elapsed:.1f} s"


def test_an_event_without_ids_is_dropped(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import logging

        from amplitude import Amplitude, BaseEvent

        def test_dropped(cio_events, caplog):
            with caplog.at_level(logging.ERROR):
                Amplitude("key").track(BaseEvent("Orders Completed", event_properties={"a": 1}))
            assert cio_events.messages == []  # not captured, so not validated
            (dropped,) = cio_events.dropped
            assert (dropped["type"], dropped["event"], dropped["properties"]) == (
                "track", "Orders Completed", {"a": 1})
            assert dropped["userId"] is None and dropped["anonymousId"] is None
            assert "Invalid event body" in caplog.text  # the SDK's own log line
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_coverage_counts_amplitude_events_and_still_sends(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import json

        from amplitude import Amplitude, BaseEvent, Config, EventOptions, Identify

        def test_signed_up(cio_events):
            amp = Amplitude("key")
            amp.identify(Identify().set("email", "a@b.c"), EventOptions(user_id="u1"))
            amp.track(BaseEvent("Signed Up", user_id="u1", event_properties={"plan": "pro"}))

        def test_watched_without_the_fixture(server):
            # --cio-coverage watches without interfering: the event goes to the storage and out
            amp = Amplitude("key", Config(server_url=server.url))
            amp.track(BaseEvent("Report Exported", user_id="u2"))
            (future,) = amp.flush()
            future.result(10)
            amp.shutdown()
            (posted,) = server.received
            assert [e["event_type"] for e in json.loads(posted)["events"]] == ["Report Exported"]
        """
    )
    result = project.runpytest("-p", "no:cacheprovider", "--cio-coverage")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*- cio-lint coverage -*", "all 2 planned events of tracking_plan were emitted*"]
    )
