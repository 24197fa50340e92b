"""What stays on this host: the addresses, names and socket families the network guard allows.

Pure decisions over the values a socket call receives, with no patching. The rule is an allow
list: loopback and unspecified IP addresses (in every spelling ``ipaddress`` knows, IPv4-mapped
and IPv4-compatible IPv6 included), the name ``localhost``, Unix sockets. Anything not
recognised as local (another name, a form the parser rejects, another address family) is
refused, because the call would otherwise resolve it or send to it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Names resolved from the hosts file, never from a DNS server. ``*.localhost`` is not here:
#: the system resolver may ask a DNS server for it.
LOCAL_NAMES = frozenset({"localhost", "localhost."})

#: Families whose addresses are checked one by one; every other family is refused outright.
IP_FAMILIES = frozenset({socket.AF_INET, socket.AF_INET6})
UNIX_FAMILIES = frozenset({getattr(socket, "AF_UNIX", -2)})
_UNSET = -1  # ``socket(family=-1)``: AF_INET, or the family of the ``fileno`` given


def as_text(host: object) -> str | None:
    """A host as the socket module takes it (``str``, ``bytes`` or ``bytearray``), as text."""
    if isinstance(host, (bytes, bytearray)):
        try:
            return bytes(host).decode("ascii")
        except UnicodeDecodeError:
            return bytes(host).decode("latin-1")
    return host if isinstance(host, str) else None


def parse_ip(text: str) -> IPAddress | None:
    """``text`` as an IP address, exactly as written (a ``%zone`` allowed), or None for a name.

    IPv4-mapped (``::ffff:192.0.2.1``) and IPv4-compatible (``::192.0.2.1``) IPv6 addresses
    are the IPv4 address they carry, so they are judged like it.
    """
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.packed[:12] == bytes(12) and int(address) > 1:
            return ipaddress.IPv4Address(address.packed[12:])
        if address.scope_id is not None:
            return ipaddress.IPv6Address(text.partition("%")[0])
    return address


def is_local_ip(address: IPAddress) -> bool:
    """Loopback, or unspecified (``0.0.0.0``/``::`` as a destination means this host)."""
    return address.is_loopback or address.is_unspecified


def is_local_host(host: object) -> bool:
    """Whether connecting to, or resolving, ``host`` (a socket call's host) stays on this host.

    ``''`` is ``INADDR_ANY``; ``<broadcast>`` and every name but ``localhost`` are not local.
    A value that is not a host at all (``None``, a number) is left to the call to reject.
    """
    text = as_text(host)
    if text is None or text == "":
        return True
    address = parse_ip(text)
    if address is not None:
        return is_local_ip(address)
    return text.lower() in LOCAL_NAMES


def shown(host: object) -> str:
    """A host for a message: the IPv4 address of a mapped IPv6 one, text for bytes."""
    text = as_text(host)
    if text is None:
        return repr(host)
    address = parse_ip(text)
    return str(address) if address is not None else text


def hostname_of(setting: object) -> str | None:
    """The host of an SDK ``host`` setting (``https://x.io/v1``, ``x.io:443``, ``[::1]:8080``).

    Brackets, a zone, bytes and mapped addresses are normalised; a name is lowercased without
    its trailing dot.
    """
    text = as_text(setting)
    if text is None or not text.strip():
        return None
    text = text.strip()
    literal = parse_ip(text[1:-1] if text.startswith("[") and text.endswith("]") else text)
    if literal is not None:
        return str(literal)
    try:
        name = urlsplit(text if "://" in text else f"//{text}").hostname
    except ValueError:
        return None
    if not name:
        return None
    address = parse_ip(name)
    return str(address) if address is not None else name.lower().rstrip(".")


def family_name(family: int) -> str:
    try:
        return socket.AddressFamily(family).name
    except ValueError:
        return f"address family {family}"


def refused_family(family: int) -> bool:
    """Sockets of this family reach beyond the host with no address to check (AF_PACKET...)."""
    return family != _UNSET and family not in IP_FAMILIES and family not in UNIX_FAMILIES


def destination(family: int, address: object) -> tuple[str, object] | None:
    """The (host, port) a socket of ``family`` would send to, when it is not on this host."""
    if family in UNIX_FAMILIES:
        return None
    if family not in IP_FAMILIES:
        return (family_name(family), "")
    if address is None:
        return None  # ``sendmsg`` without an address: the connected peer, checked at connect
    if not isinstance(address, tuple) or len(address) < 2:
        return None  # the call raises its own TypeError
    host, port = address[0], address[1]
    return None if is_local_host(host) else (shown(host), port)
