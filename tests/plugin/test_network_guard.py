"""The network guard of ``cio_events``: nothing but loopback and Unix sockets is reachable.

Every blocked destination is one that cannot route anyway (TEST-NET-3 ``203.0.113.0/24``, the
IPv6 documentation prefix ``2001:db8::/32``, names under ``.invalid``). The tests assert the
guard's own error, which it raises before the call reaches the kernel or the resolver: without
the guard they end in ``OSError``/``socket.gaierror`` (or a datagram sent), not in
``NetworkBlockedError``.
"""

from __future__ import annotations

import pytest

GUARD_TESTS = """
import _socket
import socket

import pytest

from cio_lint.capture import NetworkBlockedError

NAME = "cio-lint-guard.invalid"
V4 = "203.0.113.1"
V6 = "2001:db8::1"

#: made before any fixture runs: the guard cannot swap the type of an existing object
EARLY = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)


def refused(call, *args, **kwargs):
    with pytest.raises(NetworkBlockedError, match="cio-lint blocked"):
        call(*args, **kwargs)


@pytest.mark.parametrize("host", [
    "::ffff:203.0.113.1", "::FFFF:cb00:7101", "::203.0.113.1", V6, "2001:db8::1%1",
    "fe80::1%1", b"2001:db8::1", bytearray(b"::ffff:203.0.113.1"), "::ffff:10.0.0.1",
])
def test_ipv6_address_forms(cio_events, host):
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        refused(sock.connect, (host, 80))
        refused(sock.connect_ex, (host, 80, 0, 0))


@pytest.mark.parametrize("host", [V4, b"203.0.113.1", "10.0.0.1", "224.0.0.251",
                                  "255.255.255.255", "<broadcast>", "127.1", "2130706433"])
def test_ipv4_address_forms(cio_events, host):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        refused(sock.connect, (host, 80))
        refused(sock.sendto, b"x", (host, 9))


@pytest.mark.parametrize("url", ["http://[::ffff:203.0.113.1]:80/v1/batch",
                                 "http://[2001:db8::1]/v1/batch", "http://203.0.113.1/v1/batch"])
def test_bracketed_hosts_through_requests(cio_events, url):
    import requests
    refused(requests.post, url, json={}, timeout=0.5)


@pytest.mark.parametrize("family", ["AF_PACKET", "AF_NETLINK"])
def test_other_address_families(cio_events, family):
    refused(socket.socket, getattr(socket, family), socket.SOCK_RAW)


@pytest.mark.parametrize("family,host", [
    (socket.AF_INET, V4), (socket.AF_INET6, V6), (socket.AF_INET6, "::ffff:203.0.113.1"),
])
def test_datagrams_without_connect(cio_events, family, host):
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        refused(sock.sendto, b"x", (host, 9))
        refused(sock.sendto, b"x", 0, (host, 9))
        refused(sock.sendmsg, [b"x"], [], 0, (host, 9))


def test_tcp_fast_open(cio_events):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        refused(sock.sendto, b"GET / HTTP/1.0\\r\\n\\r\\n", socket.MSG_FASTOPEN, (V4, 80))


def test_sendmsg_afalg_only_on_af_alg_sockets(cio_events):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        refused(sock.sendmsg_afalg, [b"x"], op=socket.ALG_OP_ENCRYPT)


RESOLVERS = {
    "gethostbyname": lambda: socket.gethostbyname(NAME),
    "gethostbyname_ex": lambda: socket.gethostbyname_ex(NAME),
    "getaddrinfo": lambda: socket.getaddrinfo(NAME, 443),
    "getaddrinfo-literal": lambda: socket.getaddrinfo(V6, 443),
    "gethostbyaddr-name": lambda: socket.gethostbyaddr(NAME),
    "gethostbyaddr-address": lambda: socket.gethostbyaddr(V4),
    "getnameinfo": lambda: socket.getnameinfo((V4, 443), 0),
    "_socket.getaddrinfo": lambda: _socket.getaddrinfo(NAME, 443),
    "_socket.gethostbyname": lambda: _socket.gethostbyname(NAME),
    "_socket.gethostbyaddr": lambda: _socket.gethostbyaddr(V4),
    "bind-name": lambda: socket.socket().bind((NAME, 0)),
    "sendto-name": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (NAME, 9)),
    "_socket-connect-name": lambda: _socket.socket().connect((NAME, 80)),
    "subdomain-of-localhost": lambda: socket.getaddrinfo("api.localhost", 80),
}


@pytest.mark.parametrize("name", list(RESOLVERS))
def test_name_resolution_is_refused_before_the_resolver(cio_events, name):
    refused(RESOLVERS[name])


def test_local_names_still_resolve(cio_events):
    assert socket.gethostbyname("localhost") == "127.0.0.1"
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM)
    assert socket.getaddrinfo("::1", 80, type=socket.SOCK_STREAM)
    assert socket.getaddrinfo(None, 80, type=socket.SOCK_STREAM)
    assert socket.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV) == ("127.0.0.1", "80")
    assert socket.gethostname()


def test_getfqdn_answers_without_resolving(cio_events):
    assert socket.getfqdn() == socket.gethostname()
    assert socket.getfqdn(NAME) == NAME
    assert socket.getfqdn("localhost")


def test_the_c_module_is_guarded_too(cio_events):
    sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    sock.settimeout(0.5)
    refused(sock.connect, (V4, 80))
    refused(sock.connect_ex, ("::ffff:203.0.113.1", 80))
    udp = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    refused(udp.sendto, b"x", (V4, 9))
    refused(udp.sendmsg, [b"x"], [], 0, (V4, 9))
    EARLY.settimeout(0.5)
    refused(EARLY.connect, (V4, 80))
    assert isinstance(sock, _socket.socket) and isinstance(EARLY, _socket.socket)
    assert isinstance(socket.socket(), _socket.socket) and issubclass(socket.socket, _socket.socket)
    for s in (sock, udp, EARLY):
        s.close()


def test_refused_in_other_threads(cio_events):
    import threading
    errors = []

    def send():
        try:
            _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM).sendto(b"x", (V4, 9))
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=send)
    thread.start()
    thread.join()
    assert [type(e) for e in errors] == [NetworkBlockedError]


def test_everything_is_restored_afterwards():
    from cio_lint.capture._hub import HUB
    assert not HUB.patched
    assert _socket.socket is type(EARLY)
    assert socket.getfqdn.__module__ == "socket"
    for name in ("connect", "connect_ex", "sendto", "sendmsg", "sendmsg_afalg", "bind"):
        assert name not in vars(socket.socket)
"""


def test_every_way_out_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_guard=GUARD_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=46)


LOOPBACK_TESTS = """
import _socket
import http.server
import socket
import threading
import urllib.request

import pytest
import requests


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_local_http_server(cio_events, http_server):
    assert requests.get(f"http://127.0.0.1:{http_server}/", timeout=2).text == "hello"
    assert requests.get(f"http://localhost:{http_server}/", timeout=2).text == "hello"
    with urllib.request.urlopen(f"http://127.0.0.1:{http_server}/", timeout=2) as response:
        assert response.read() == b"hello"


@pytest.mark.parametrize("family,bind,connect", [
    (socket.AF_INET, "127.0.0.1", "127.0.0.1"),
    (socket.AF_INET6, "::1", "::1"),
    (socket.AF_INET6, "::", "::ffff:127.0.0.1"),
])
def test_loopback_tcp_and_udp(cio_events, family, bind, connect):
    with socket.socket(family) as server:
        server.bind((bind, 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection((connect, port), timeout=2) as client:
            peer, _ = server.accept()
            client.sendall(b"ping")
            assert peer.recv(4) == b"ping"
            peer.close()
        raw = _socket.socket(family, _socket.SOCK_STREAM)
        raw.connect((connect, port))
        raw.close()
    with socket.socket(family, socket.SOCK_DGRAM) as receiver:
        receiver.bind((bind, 0))
        with socket.socket(family, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"dgram", (connect, receiver.getsockname()[1]))
        assert receiver.recv(5) == b"dgram"


def test_unix_sockets(cio_events, tmp_path):
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
            peer, _ = server.accept()
            client.sendall(b"unix")
            assert peer.recv(4) == b"unix"
            peer.close()
    dgram_path = str(tmp_path / "d")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver:
        receiver.bind(dgram_path)
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"unix", dgram_path)
        assert receiver.recv(4) == b"unix"
    left, right = socket.socketpair()
    left.sendall(b"pair")
    assert right.recv(4) == b"pair"
    left.close()
    right.close()
"""


def test_loopback_and_unix_sockets_keep_working(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_loopback=LOOPBACK_TESTS)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5)


@pytest.mark.parametrize(
    "setting,host",
    [
        ("https://cdp.customer.io/v1", "cdp.customer.io"),
        ("API.Segment.io.:443", "api.segment.io"),
        ("[::1]:8080", "::1"),
        ("::ffff:203.0.113.1", "203.0.113.1"),
        ("https://[::ffff:203.0.113.1]:443/v1", "203.0.113.1"),
        (b"2001:db8::1", "2001:db8::1"),
        ("[fe80::1%eth0]", "fe80::1"),
        ("http://[bad", None),
        ("", None),
    ],
)
def test_sdk_host_settings_are_normalised(setting: object, host: str | None) -> None:
    """The host named in the error for an SDK's refused post (``Client(host=...)``)."""
    from cio_lint.capture._network import hostname_of

    assert hostname_of(setting) == host
