"""``cio_events`` captures a REAL posthog 6.x (6.9.3) through ``Client._enqueue``, the seam that
version has (it has no ``_submit_event``): module API and clients, ``set``, ``alias``, another
thread, the network guard, and nothing sent or queued.

posthog 6.9.3 is installed by ``scripts/test.sh`` beside the main (posthog 7) one, into
``.venv/posthog6`` (``pip install --no-deps --target``: its dependencies are 7's, already
installed). The pytester runs are subprocesses with that directory first on ``PYTHONPATH``, and
each asserts it really runs 6.x. Without the directory these tests fail, they never skip."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from conftest import CAPTURE_PLAN

POSTHOG6 = Path(__file__).resolve().parents[1] / ".venv" / "posthog6"

PLAN = CAPTURE_PLAN

#: the module API needs a key to build its default client; the host is loopback, port 9
#: (discard): nothing is listening and nothing may be sent. Every test module checks that it
#: runs posthog 6 from ``.venv/posthog6``.
CONFTEST = textwrap.dedent(
    """
    import posthog

    assert posthog.VERSION.startswith("6."), posthog.VERSION
    assert "posthog6" in posthog.__file__, posthog.__file__

    posthog.api_key = "phc_test"
    posthog.host = "http://127.0.0.1:9"
    """
)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    if not (POSTHOG6 / "posthog" / "client.py").is_file():
        pytest.fail(
            f"posthog 6 is not installed in {POSTHOG6}: run scripts/test.sh (it installs"
            " posthog==6.9.3 there with `pip install --no-deps --target .venv/posthog6`)",
            pytrace=False,
        )
    path = [str(POSTHOG6), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path))
    pytester.makeconftest(CONFTEST)
    (pytester.mkdir("tracking_plan") / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    # a fresh interpreter: PYTHONPATH must put posthog 6 first, and an in-process run could
    # meet a stale ``http.cookiejar`` left by another pytester run
    return project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *args)


def test_the_installed_client_has_only_the_enqueue_seam(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import posthog
        from posthog.client import Client

        def test_version(cio_events):
            assert posthog.VERSION.startswith("6.")
            assert not hasattr(Client, "_submit_event")
            assert hasattr(Client._enqueue, "__cio_lint_original__")

        def test_restored_after_the_fixture():
            assert not hasattr(Client._enqueue, "__cio_lint_original__")
        """
    )
    run(project).assert_outcomes(passed=2)


def test_client_and_module_api_in_any_thread(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import threading

        import posthog
        from posthog import Posthog

        def test_shapes(cio_events):
            assert posthog.VERSION.startswith("6.")
            client = Posthog("phc_other", host="http://127.0.0.1:9")
            client.set(distinct_id="u1", properties={"email": "a@b.c"})
            client.capture("Signed Up", distinct_id="u1",
                           properties={"plan": "pro", "$set": {"email": "x@y.z"}})
            thread = threading.Thread(target=posthog.capture, args=("Report Exported",),
                                      kwargs={"distinct_id": "u2"})
            thread.start()
            thread.join()
            posthog.capture("Signed Up", distinct_id="u3", properties={"plan": "free"})
            client.alias("old-id", "new-id")
            client.group_identify("company", "acme", {"name": "Acme"})
            client.set_once(distinct_id="u1", properties={"email": "first@b.c"})
            identify, signed_up, exported, module_call, alias, group, once = cio_events.messages
            assert identify["type"] == "identify" and identify["userId"] == "u1"
            assert identify["traits"] == {"email": "a@b.c"}
            assert signed_up["type"] == "track" and signed_up["event"] == "Signed Up"
            assert signed_up["properties"] == {"plan": "pro"}
            assert signed_up["traits"] == {"email": "x@y.z"}
            assert signed_up["timestamp"] and signed_up["messageId"]
            assert signed_up["raw"]["properties"]["$lib_version"].startswith("6.")
            assert exported["userId"] == "u2" and exported["properties"] == {}
            assert (module_call["userId"], module_call["properties"]) == ("u3", {"plan": "free"})
            assert (alias["type"], alias["userId"], alias["previousId"]) == (
                "alias", "new-id", "old-id")
            assert (group["type"], group["groupId"], group["traits"]) == (
                "group", "acme", {"name": "Acme"})
            assert (once["type"], once["traits"]) == ("identify", {"email": "first@b.c"})
            assert {m["sdk"] for m in cio_events.messages} == {"posthog"}
            cio_events.assert_tracked("Signed Up", user_id="u1", properties={"plan": "pro"})

        def test_before_send_still_runs(cio_events):
            client = Posthog("phc_other", host="http://127.0.0.1:9",
                             before_send=lambda m: None if m["event"] == "Drop" else m)
            client.capture("Drop", distinct_id="u1")
            client.capture("Report Exported", distinct_id="u1")
            assert [m["event"] for m in cio_events.messages] == ["Report Exported"]

        def test_returns_as_if_queued(cio_events):
            client = Posthog("phc_other", host="http://127.0.0.1:9")
            sent = client.capture("Report Exported", distinct_id="u1")
            assert sent and sent == cio_events.messages[0]["messageId"]
        """
    )
    run(project).assert_outcomes(passed=3)


def test_nothing_is_sent_or_queued(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import http.server
        import threading

        from posthog import Posthog

        def test_loopback_server_hears_nothing(cio_events):
            received = []

            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    received.append(self.path)
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b"{}")

                def log_message(self, *args):
                    pass

            server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            host = f"http://127.0.0.1:{server.server_address[1]}"
            try:
                sync = Posthog("phc_sync", host=host, sync_mode=True)
                queued = Posthog("phc_async", host=host)
                sync.capture("Report Exported", distinct_id="u1")
                sync.set(distinct_id="u1", properties={"email": "a@b.c"})
                queued.capture("Report Exported", distinct_id="u2")
                queued.alias("old-id", "new-id")
                assert queued.queue.empty()
                queued.flush()
                queued.shutdown()  # a sync_mode client has no consumers to shut down (6.x)
            finally:
                server.shutdown()
                server.server_close()
            assert received == []
            assert [m["type"] for m in cio_events.messages] == [
                "track", "identify", "track", "alias"]
        """
    )
    run(project).assert_outcomes(passed=1)


def test_network_guard_covers_posthog6(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import queue

        import pytest

        from cio_lint.capture import NetworkBlockedError

        FAR = "http://203.0.113.1"  # TEST-NET-3: without the guard a timeout, never blocked

        def blocked(error):
            while error is not None:
                if isinstance(error, NetworkBlockedError):
                    return True
                error = error.__cause__ or error.__context__
            return False

        def test_transport_directly(cio_events):
            from posthog.request import batch_post
            with pytest.raises(Exception) as raised:
                batch_post("phc_key", host=FAR, batch=[{"event": "x", "distinct_id": "u"}],
                           timeout=2)
            assert blocked(raised.value)

        def test_consumer_thread(cio_events):
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
        """
    )
    run(project).assert_outcomes(passed=2)


def test_passive_coverage_lets_the_event_through(project: pytest.Pytester) -> None:
    """Without ``cio_events`` (``--cio-coverage`` only watches) the event is counted and still
    sent: here to a real server on loopback, by a ``sync_mode`` client."""
    project.makepyfile(
        """
        import http.server
        import threading

        from posthog import Posthog

        def test_sent_and_counted():
            received = []

            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    received.append(self.rfile.read(int(self.headers["Content-Length"])))
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b"{}")

                def log_message(self, *args):
                    pass

            server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                host = f"http://127.0.0.1:{server.server_address[1]}"
                client = Posthog("phc_sync", host=host, sync_mode=True, gzip=False)
                client.capture("Report Exported", distinct_id="u1")
            finally:
                server.shutdown()
                server.server_close()
            assert len(received) == 1 and b"Report Exported" in received[0]
        """
    )
    result = run(project, "--cio-coverage")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "1 of 2 planned events of tracking_plan were not emitted by any test:",
            "  Signed Up",
        ]
    )


def test_runtime_validation_and_coverage(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import posthog

        def test_bad(cio_events):
            posthog.capture("Signed Up", distinct_id="u1", properties={"plan": "gold"})

        def test_good_without_identify(cio_events):
            posthog.capture("Signed Up", distinct_id="u1", properties={"plan": "pro"})
        """
    )
    result = run(project, "--cio-coverage")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["  CIO006 Property `plan` of `Signed Up`: 'gold' is not one of *"])
    result.stdout.fnmatch_lines(
        [
            "1 of 2 planned events of tracking_plan were not emitted by any test:",
            "  Report Exported",
        ]
    )
    assert "CIO003" not in result.stdout.str()
