"""Nothing is sent, nothing is patched outside ``cio_events``, nothing leaks between tests."""

from __future__ import annotations

import socket

import pytest

from cio_lint.capture import EventRecorder, NetworkBlockedError
from cio_lint.capture._hub import HUB


def test_socket_guard_refuses_analytics_hosts_in_every_thread(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        import socket
        import threading

        import pytest
        import requests

        from cio_lint.capture import NetworkBlockedError

        @pytest.mark.parametrize("host", [
            "cdp.customer.io", "track-eu.customer.io", "api.segment.io",
            "events.eu1.segmentapis.com", "hosted.rudderlabs.com",
        ])
        def test_blocked(cio_events, host):
            with pytest.raises(NetworkBlockedError, match="nothing is sent to analytics"):
                socket.create_connection((host, 443))
            with pytest.raises(NetworkBlockedError):
                socket.getaddrinfo(host, 443)
            with pytest.raises(NetworkBlockedError):
                socket.socket().connect((host, 443))

        def test_blocked_through_requests(cio_events):
            with pytest.raises(NetworkBlockedError, match="cdp.customer.io:443"):
                requests.post("https://cdp.customer.io/v1/batch", json={}, timeout=1)

        def test_blocked_in_background_threads(cio_events):
            errors = []

            def connect():
                try:
                    socket.create_connection(("api.segment.io", 443), timeout=1)
                except Exception as exc:
                    errors.append(exc)

            thread = threading.Thread(target=connect)
            thread.start()
            thread.join()
            assert len(errors) == 1 and isinstance(errors[0], NetworkBlockedError)

        def test_local_connections_still_work(cio_events):
            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen()
            with socket.create_connection(server.getsockname(), timeout=1):
                pass
            server.close()

        def test_configured_proxy_host_is_blocked_too(cio_events):
            import segment.analytics
            client = segment.analytics.Client("key", host="https://collector.example.org")
            client.track("u1", "Signed Up", {"plan": "pro"})
            with pytest.raises(NetworkBlockedError):
                socket.getaddrinfo("collector.example.org", 443)
        """
    )
    sdk_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=9)


def test_no_request_and_no_connection_is_attempted(sdk_project: pytest.Pytester) -> None:
    """Every transport below the SDKs is spied on: none of them is ever reached."""
    sdk_project.makepyfile(
        """
        import socket

        import pytest
        import requests

        @pytest.fixture
        def attempts(monkeypatch):
            seen = []
            real_request = requests.Session.request
            real_connect = socket.socket.connect

            def request(self, method, url, *args, **kwargs):
                seen.append(("request", url))
                return real_request(self, method, url, *args, **kwargs)

            def connect(self, address):
                seen.append(("connect", address))
                return real_connect(self, address)

            monkeypatch.setattr(requests.Session, "request", request)
            monkeypatch.setattr(socket.socket, "connect", connect)
            return seen

        def test_sync_mode_and_threaded_clients(attempts, cio_events):
            import customerio.analytics
            import rudderstack.analytics
            import segment.analytics
            from customerio import APIClient, CustomerIO, SendEmailRequest

            clients = []
            for module in (customerio.analytics, segment.analytics, rudderstack.analytics):
                clients.append(module.Client("key", sync_mode=True))
                clients.append(module.Client("key", send=True, sync_mode=False))
                module.track("u1", "Signed Up", {"plan": "pro"})
            for client in clients:
                assert client.track("u1", "Signed Up", {"plan": "pro"})[0] is True
                client.flush()  # nothing was queued: returns at once
                if client.queue is not None:
                    assert client.queue.qsize() == 0
            CustomerIO("site", "key").track("u1", "Signed Up", {"plan": "pro"})
            APIClient("key").send_email(SendEmailRequest(to="a@b.c", identifiers={"id": "u1"}))
            assert len(cio_events.tracks("Signed Up")) == 10
            assert attempts == []
        """
    )
    sdk_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_no_leak_between_tests(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        import socket

        import customerio.analytics
        import customerio.client_base
        import segment.analytics

        ORIGINALS = {
            "enqueue": segment.analytics.Client._enqueue,
            "cdp_enqueue": customerio.analytics.Client._enqueue,
            "send_request": customerio.client_base.ClientBase.send_request,
            "getaddrinfo": socket.getaddrinfo,
            "create_connection": socket.create_connection,
        }

        def assert_pristine():
            assert segment.analytics.Client._enqueue is ORIGINALS["enqueue"]
            assert customerio.analytics.Client._enqueue is ORIGINALS["cdp_enqueue"]
            assert customerio.client_base.ClientBase.send_request is ORIGINALS["send_request"]
            assert socket.getaddrinfo is ORIGINALS["getaddrinfo"]
            assert socket.create_connection is ORIGINALS["create_connection"]
            assert "connect" not in vars(socket.socket)
            from cio_lint.capture._hub import HUB
            assert not HUB.patched

        def test_first(cio_events):
            assert segment.analytics.Client._enqueue is not ORIGINALS["enqueue"]
            segment.analytics.track("u1", "First", {})
            assert cio_events.events == ["First"]

        def test_without_fixture_is_untouched():
            assert_pristine()
            client = segment.analytics.Client("key", send=False)
            ok, message = client.track("u1", "Not Captured", {})
            assert ok and message["event"] == "Not Captured"

        def test_second(cio_events):
            assert cio_events.messages == []
            segment.analytics.track("u1", "Second", {})
            assert cio_events.events == ["Second"]

        def test_failing_test_still_restores(cio_events):
            segment.analytics.track("u1", "Third", {})
            raise RuntimeError("boom")

        def test_after_failure():
            assert_pristine()
        """
    )
    result = sdk_project.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=4, failed=1)
    assert not HUB.patched
    assert "connect" not in vars(socket.socket)


def test_plugin_is_inert_for_tests_that_do_not_use_it(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        import socket

        def test_plain():
            from cio_lint.capture._hub import HUB
            assert not HUB.patched
            assert "connect" not in vars(socket.socket)
        """
    )
    sdk_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_guard_is_only_active_while_capturing() -> None:
    from cio_lint.capture import EventRecorder

    with EventRecorder(), pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("cdp.customer.io", 443)
    with EventRecorder(intercept=False):
        assert HUB.patched and not HUB.intercepting
        assert "connect" not in vars(socket.socket)
    assert not HUB.patched


def test_every_non_loopback_host_is_refused_and_loopback_works() -> None:
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        with EventRecorder():
            with pytest.raises(NetworkBlockedError):
                socket.create_connection(("example.org", 80), timeout=1)
            with pytest.raises(NetworkBlockedError):
                socket.socket().connect(("10.1.2.3", 80))
            with pytest.raises(NetworkBlockedError):
                socket.getaddrinfo("pypi.org", 443)
            client = socket.create_connection(server.getsockname(), timeout=1)
            client.close()
    finally:
        server.close()
