"""Refuse every connection, datagram and name lookup that would leave this host while capturing.

Captured SDK calls never reach their transport, so this is a second line of defence: it
catches what the seams cannot see (a batch an SDK consumer thread already held, an app posting
to an HTTP API by hand). What stays allowed is decided in ``_addresses``: loopback, ``localhost``
and Unix sockets.

The guard works at the lowest layer Python offers, in two parts, because neither is enough alone:

- an audit hook (PEP 578) sees every ``connect``, ``sendto``, ``sendmsg`` and ``bind``, every
  socket creation and every resolver call of the C module ``_socket``, in every thread and
  whoever holds the socket, before the system call. Hooks cannot be removed, so it is
  installed once and does nothing while no recorder intercepts.
- the C methods resolve a host *name* before they raise their audit event, so names are
  refused earlier, by guarded methods on ``socket.socket`` and on the ``_socket.socket`` type
  new sockets are made from (while capturing). ``socket.getfqdn`` answers without a lookup.

Out of reach: subprocesses, ``ctypes`` and C extensions that make their own system calls, and
connections opened before the recorder started.
"""

from __future__ import annotations

import _socket
import socket
import sys
from collections.abc import Callable
from typing import Any

from cio_lint.capture._addresses import (
    IP_FAMILIES,
    LOCAL_NAMES,
    as_text,
    destination,
    family_name,
    hostname_of,
    is_local_host,
    parse_ip,
    refused_family,
    shown,
)
from cio_lint.capture._patch import Patcher

__all__ = [
    "ANALYTICS_DOMAINS",
    "NetworkBlockedError",
    "blocked_message",
    "hostname_of",
    "install",
    "is_analytics_host",
]

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

_AF_ALG = getattr(socket, "AF_ALG", None)


class NetworkBlockedError(RuntimeError):
    """A connection or lookup beyond loopback was attempted while ``cio_events`` was active.

    Deliberately not an ``OSError``: HTTP clients and SDKs retry those as network failures.
    """


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


class _Switch:
    def __init__(self) -> None:
        self.active = False


_SWITCH = _Switch()
_HOOKED: list[bool] = []


# --------------------------------------------------------------------------- checks


def _refuse_destination(family: int, address: object) -> None:
    where = destination(family, address)
    if where is not None:
        raise NetworkBlockedError(blocked_message(*where))


def _refuse_lookup(host: object, port: object = "") -> None:
    if not is_local_host(host):
        raise NetworkBlockedError(blocked_message(shown(host), port))


def _refuse_bind(family: int, address: object) -> None:
    """Binding is local, but binding to a name resolves it first."""
    if family in IP_FAMILIES and isinstance(address, tuple) and address:
        text = as_text(address[0])
        if text and parse_ip(text) is None and text.lower() not in LOCAL_NAMES:
            raise NetworkBlockedError(blocked_message(text, address[1] if len(address) > 1 else ""))


def _refuse_family(family: int) -> None:
    if refused_family(family):
        raise NetworkBlockedError(blocked_message(family_name(family), ""))


def _on_sockaddr(args: tuple[Any, ...]) -> None:
    sockaddr = args[0] if args else None
    if isinstance(sockaddr, tuple) and sockaddr:
        _refuse_lookup(sockaddr[0], sockaddr[1] if len(sockaddr) > 1 else "")


_AUDITED: dict[str, Callable[[tuple[Any, ...]], None]] = {
    "socket.__new__": lambda a: _refuse_family(a[1]),
    "socket.connect": lambda a: _refuse_destination(a[0].family, a[1]),
    "socket.sendto": lambda a: _refuse_destination(a[0].family, a[1]),
    "socket.sendmsg": lambda a: _refuse_destination(a[0].family, a[1]),
    "socket.bind": lambda a: _refuse_bind(a[0].family, a[1]),
    "socket.getaddrinfo": lambda a: _refuse_lookup(a[0], a[1]),
    "socket.gethostbyname": lambda a: _refuse_lookup(a[0]),
    "socket.gethostbyaddr": lambda a: _refuse_lookup(a[0]),
    "socket.getnameinfo": _on_sockaddr,
}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _SWITCH.active:
        check = _AUDITED.get(event)
        if check is not None:
            check(args)


# --------------------------------------------------------------------------- guarded methods


def _address_of(method: str, args: tuple[Any, ...]) -> object:
    if method == "sendto":
        return args[-1] if len(args) >= 2 else None
    if method == "sendmsg":
        return args[3] if len(args) >= 4 else None
    return args[0] if args else None


def _guarded(method: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _SWITCH.active:
            if method == "sendmsg_afalg":
                if self.family != _AF_ALG:
                    raise NetworkBlockedError(blocked_message(family_name(self.family), ""))
            elif method == "bind":
                _refuse_bind(self.family, _address_of(method, args))
            else:
                _refuse_destination(self.family, _address_of(method, args))
        return original(self, *args, **kwargs)

    guarded.__name__ = guarded.__qualname__ = method
    guarded.__doc__ = original.__doc__
    return guarded


_METHODS = ("connect", "connect_ex", "sendto", "sendmsg", "bind", "sendmsg_afalg")
_C_SOCKET: type[Any] = getattr(_socket.socket, "__cio_lint_original__", _socket.socket)


class _SameSocketType(type):
    """``isinstance``/``issubclass`` against the stand-in answer as for the C type itself."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, _C_SOCKET)

    def __subclasscheck__(cls, subclass: Any) -> bool:
        return issubclass(subclass, _C_SOCKET)


class _GuardedSocket(_C_SOCKET, metaclass=_SameSocketType):  # type: ignore[misc]
    """What ``_socket.socket`` is while capturing: the C type, with guarded methods."""

    __slots__ = ()
    __cio_lint_original__ = _C_SOCKET


_GuardedSocket.__name__ = _GuardedSocket.__qualname__ = "socket"
for _method in _METHODS:
    if hasattr(_C_SOCKET, _method):
        setattr(_GuardedSocket, _method, _guarded(_method, getattr(_C_SOCKET, _method)))


def _make_getfqdn(original: Callable[[str], str]) -> Callable[..., str]:
    def getfqdn(name: str = "") -> str:
        """``socket.getfqdn``, without a lookup for anything but loopback.

        What ``getfqdn`` documents when no fully qualified name is found: ``name`` itself, or
        ``gethostname()`` for the local host.
        """
        stripped = name.strip()
        if stripped in ("", "0.0.0.0", "::"):
            return socket.gethostname()
        return original(name) if is_local_host(stripped) else stripped

    return getfqdn


# --------------------------------------------------------------------------- install


def install(patcher: Patcher) -> None:
    """Turn the guard on (every thread) until ``patcher`` is restored."""
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    patcher.set(_SWITCH, "active", True)
    for method in _METHODS:
        original = getattr(socket.socket, method, None)
        if original is not None:
            patcher.set(socket.socket, method, _guarded(method, original))
    patcher.set(_socket, "socket", _GuardedSocket)
    patcher.set(_socket, "SocketType", _GuardedSocket)
    patcher.set(socket, "getfqdn", _make_getfqdn(socket.getfqdn))
