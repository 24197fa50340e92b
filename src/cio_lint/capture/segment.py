"""The Segment-family seam: ``Client._enqueue(self, msg)``.

``customerio-cdp-analytics``, ``segment-analytics-python``, ``analytics-python`` and
``rudder-sdk-python`` are forks of one client. Every public call (``track``, ``identify``,
``page``...) validates its arguments with ``require(...)``, builds a message dict and hands it
to ``Client._enqueue``; the module-level API does the same through a cached default client.
Patching the ``Client`` class therefore covers module-level calls and every instance, in any
thread.

While a recorder intercepts, the original ``_enqueue`` still runs - so timestamps, message ids,
``clean()`` and the size limit behave exactly as in production - but against a view of the
client whose ``send`` is ``False``. All four families return ``(True, msg)`` at that point,
before anything is queued for the consumer thread or posted in ``sync_mode``.
"""

from __future__ import annotations

import copy
import functools
import importlib
import importlib.metadata
import importlib.util
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cio_lint.capture._network import NetworkBlockedError, blocked_message, hostname_of
from cio_lint.capture._patch import Patcher

if TYPE_CHECKING:
    from cio_lint.capture._hub import Hub


@dataclass(frozen=True)
class Family:
    module: str  #: import name of the SDK package
    sdk: str  #: the ``sdk`` value of its captured messages
    dist: str  #: PyPI distribution that ships it


FAMILIES: tuple[Family, ...] = (
    Family("customerio.analytics", "customerio-cdp", "customerio-cdp-analytics"),
    Family("segment.analytics", "segment", "segment-analytics-python"),
    Family("analytics", "analytics-python", "analytics-python"),
    Family("rudderstack.analytics", "rudderstack", "rudder-sdk-python"),
    Family("rudder_analytics", "rudderstack", "rudder-sdk-python"),
)

_MESSAGE_KEYS = ("type", "userId", "anonymousId", "event", "properties", "traits", "timestamp")


def _belongs_to(module_name: str, dist_name: str) -> bool:
    """Whether ``module_name`` would be imported from ``dist_name`` (not a project module)."""
    try:
        spec = importlib.util.find_spec(module_name)
        dist = importlib.metadata.distribution(dist_name)
    except (ImportError, ValueError, importlib.metadata.PackageNotFoundError):
        return False
    if spec is None or spec.origin is None:
        return False
    expected = Path(str(dist.locate_file(module_name.replace(".", "/")))).resolve()
    return Path(spec.origin).resolve().parent == expected


def _import(family: Family) -> ModuleType | None:
    module = sys.modules.get(family.module)
    if module is None:
        # A bare `analytics` may be the project's own module: only import the SDK's.
        if "." not in family.module and not _belongs_to(family.module, family.dist):
            return None
        try:
            module = importlib.import_module(family.module)
        except Exception:  # noqa: BLE001 - a broken install is simply not patched
            return None
    return module


def installed() -> Iterator[tuple[Family, ModuleType, type[Any]]]:
    """The SDK families importable here, with their module and ``Client`` class."""
    seen: set[int] = set()
    for family in FAMILIES:
        module = _import(family)
        client = getattr(module, "Client", None) if module is not None else None
        if (
            isinstance(client, type)
            and callable(getattr(client, "_enqueue", None))
            and id(client) not in seen
        ):
            seen.add(id(client))
            yield family, module, client  # type: ignore[misc]


class _Offline:
    """The client as ``_enqueue`` sees it while capturing: identical, except it never sends."""

    send = False
    sync_mode = False

    def __init__(self, client: object) -> None:
        object.__setattr__(self, "_client", client)

    def __getattr__(self, name: str) -> Any:
        return getattr(object.__getattribute__(self, "_client"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_client"), name, value)


def _copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - uncopyable values are kept as they are
        return copy.copy(value)


def normalise(msg: Mapping[str, Any], sdk: str) -> dict[str, Any]:
    """The message in the Segment shape, with ``sdk`` added and every other key kept."""
    msg = _copy(dict(msg))
    traits = msg.get("traits")
    if msg.get("type") == "identify" and traits is None:
        # RudderStack moves identify traits into `context.traits`.
        context = msg.get("context")
        if isinstance(context, dict) and isinstance(context.get("traits"), dict):
            traits = context["traits"]
    out: dict[str, Any] = {key: msg.get(key) for key in _MESSAGE_KEYS}
    out["traits"] = traits
    out["sdk"] = sdk
    for key, value in msg.items():
        out.setdefault(key, value)
    return out


def _built(result: Any, fallback: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], Mapping):
        return result[1]
    return fallback


def _make_enqueue(original: Callable[..., Any], family: Family, hub: Hub) -> Callable[..., Any]:
    @functools.wraps(original)
    def _enqueue(self: Any, msg: dict[str, Any]) -> Any:
        if not hub.intercepting:
            result = original(self, msg)
            hub.emit(normalise(_built(result, msg), family.sdk))
            return result
        result = original(_Offline(self), msg)
        built = _built(result, msg)
        hub.emit(normalise(built, family.sdk))
        return result if result is not None else (True, built)

    _enqueue.__cio_lint_original__ = original  # type: ignore[attr-defined]
    return _enqueue


def _refusal(family: Family) -> type[NetworkBlockedError]:
    """The guard's error, as this SDK's consumer sees an API error it never retries (a 4xx).

    Consumers retry every other exception with backoff (minutes, for ``backoff.expo`` over ten
    tries), so a refused batch would block ``flush()`` and be sent once the guard is gone.
    """
    api_error = getattr(sys.modules.get(f"{family.module}.request"), "APIError", None)
    if not (isinstance(api_error, type) and issubclass(api_error, Exception)):
        return NetworkBlockedError

    class Refused(NetworkBlockedError, api_error):  # type: ignore[misc, valid-type]
        def __init__(self, message: str) -> None:
            NetworkBlockedError.__init__(self, message)
            self.status, self.code, self.message, self.response = 403, "blocked", message, None

        def __str__(self) -> str:
            return str(self.message)

    Refused.__name__ = Refused.__qualname__ = NetworkBlockedError.__name__
    return Refused


def _make_post(original: Callable[..., Any], family: Family, hub: Hub) -> Callable[..., Any]:
    refusal = _refusal(family)

    @functools.wraps(original)
    def post(*args: Any, **kwargs: Any) -> Any:
        if hub.intercepting:
            host = kwargs.get("host") or (args[1] if len(args) > 1 else None)
            batch = kwargs.get("batch")
            if isinstance(batch, list):
                hub.drop([normalise(m, family.sdk) for m in batch if isinstance(m, Mapping)])
            where = hostname_of(host) or f"the {family.sdk} API"
            raise refusal(blocked_message(where, ""))
        return original(*args, **kwargs)

    post.__cio_lint_original__ = original  # type: ignore[attr-defined]
    return post


def drain() -> list[dict[str, Any]]:
    """Empty the queue of every running consumer thread of a patched SDK; return what it held.

    Those messages were queued before a recorder intercepted: left there, the consumer would
    post them while capturing (refused) or after it (sent from a test that asked for nothing
    to be sent).
    """
    consumers: list[tuple[type[Any], Family]] = []
    for family in FAMILIES:
        client = getattr(sys.modules.get(family.module), "Client", None)
        consumer = getattr(sys.modules.get(f"{family.module}.consumer"), "Consumer", None)
        patched = hasattr(getattr(client, "_enqueue", None), "__cio_lint_original__")
        if patched and isinstance(consumer, type):
            consumers.append((consumer, family))
    dropped: list[dict[str, Any]] = []
    for thread in threading.enumerate():
        owner = next((f for cls, f in consumers if isinstance(thread, cls)), None)
        pending = getattr(thread, "queue", None)
        if owner is None or not isinstance(pending, queue.Queue):
            continue
        while True:
            try:
                item = pending.get_nowait()
            except queue.Empty:
                break
            pending.task_done()
            if isinstance(item, Mapping):
                dropped.append(normalise(item, owner.sdk))
    return dropped


def install(patcher: Patcher, hub: Hub) -> None:
    for family, _module, client in installed():
        patcher.set(client, "_enqueue", _make_enqueue(client._enqueue, family, hub))
        # The transport, as a backstop for consumer threads that already hold messages.
        for name in ("request", "client", "consumer"):
            sub = sys.modules.get(f"{family.module}.{name}")
            post = getattr(sub, "post", None)
            if sub is not None and callable(post) and not hasattr(post, "__cio_lint_original__"):
                patcher.set(sub, "post", _make_post(post, family, hub))
