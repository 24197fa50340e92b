"""Refuse every non-loopback connection while a capturing recorder is active.

Captured SDK calls never reach their transport, so this is a second line of defence: it
catches what the seams cannot see (a message queued before the test started and posted by an
SDK consumer thread, an app posting to the HTTP API by hand). Loopback (a test database or
local server) and Unix sockets keep working; nothing else is reachable.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cio_lint.capture._patch import Patcher

#: Domains (and their subdomains) of the services the supported SDKs talk to.
ANALYTICS_DOMAINS: tuple[str, ...] = (
    "customer.io",
    "customerio.com",
    "segment.io",
    "segment.com",
    "segmentapis.com",
    "rudderstack.com",
    "rudderlabs.com",
)


class NetworkBlockedError(RuntimeError):
    """A connection to an analytics service was attempted while ``cio_events`` was active."""


def hostname_of(host: object) -> str | None:
    """The bare hostname of an SDK ``host`` setting (``https://x.io/v1``, ``x.io:443``)."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str) or not host.strip():
        return None
    text = host.strip()
    name = urlsplit(text if "://" in text else f"//{text}").hostname
    return name.lower().rstrip(".") if name else None


def is_loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_analytics_host(name: str, extra: frozenset[str] = frozenset()) -> bool:
    name = name.lower().rstrip(".")
    if name in extra:
        return True
    return any(name == d or name.endswith("." + d) for d in ANALYTICS_DOMAINS)


def blocked_message(host: str, port: object) -> str:
    where = f"{host}:{port}" if port not in (None, "") else host
    return (
        f"cio-lint blocked a connection to `{where}`: nothing is sent to analytics services "
        "(or anywhere but loopback) while `cio_events` is capturing. "
        "Assert on `cio_events.messages` instead."
    )


def install(patcher: Patcher, should_block: Callable[[str], bool]) -> None:
    """Patch name resolution and connects (every thread) to refuse analytics hosts."""

    def check(host: object, port: object) -> None:
        name = hostname_of(host)
        if name is not None and should_block(name):
            raise NetworkBlockedError(blocked_message(name, port))

    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        check(host, port)
        return real_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(address, tuple) and len(address) >= 2:
            check(address[0], address[1])
        return real_create_connection(address, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and len(address) >= 2:
            check(address[0], address[1])
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and len(address) >= 2:
            check(address[0], address[1])
        return real_connect_ex(self, address)

    patcher.set(socket, "getaddrinfo", getaddrinfo)
    patcher.set(socket, "create_connection", create_connection)
    patcher.set(socket.socket, "connect", connect)
    patcher.set(socket.socket, "connect_ex", connect_ex)
