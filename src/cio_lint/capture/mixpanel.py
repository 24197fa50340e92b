"""The Mixpanel seam: ``Consumer.send`` and ``BufferedConsumer.send(self, endpoint, message)``.

``Mixpanel(token)`` builds each message (``track``, ``import_data``, ``people_*``, ``group_*``)
as JSON and hands it to ``self._consumer.send(endpoint, json_message)``; ``alias`` always
sends through a fresh ``Consumer()``. Both consumer classes are patched, so every instance and
every thread is covered; a ``BufferedConsumer``'s own inner ``Consumer`` is not captured again
when the buffer is flushed. While a recorder intercepts, nothing reaches the transport.

Normalised to the Segment shape (docs/testing.md): ``events``/``imports`` are track
(``userId`` = ``distinct_id``; ``token``, ``distinct_id``, ``time``, ``$insert_id``, ``mp_lib``
and ``$lib_version`` left out of the properties), ``$create_alias`` is alias, ``people`` with
``$set``/``$set_once`` is identify (traits), other ``people`` updates are ``people:$op``,
``groups`` is group.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cio_lint.capture import _seams
from cio_lint.capture._patch import Patcher

if TYPE_CHECKING:
    from cio_lint.capture._hub import Hub

_FAMILY = _seams.family_of(__name__)

#: Properties the SDK adds to every event, not the caller's.
SDK_PROPERTIES = frozenset({"token", "distinct_id", "time", "$insert_id", "mp_lib", "$lib_version"})
_PEOPLE_META = frozenset({"$token", "$time", "$distinct_id", "$ignore_time", "$ip"})

# the inner consumers of ``BufferedConsumer``s: what they send was captured when buffered
_INNER: weakref.WeakSet[Any] = weakref.WeakSet()


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _base(kind: str, sdk: str, endpoint: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": kind,
        "userId": None,
        "anonymousId": None,
        "event": None,
        "properties": None,
        "traits": None,
        "timestamp": None,
        "sdk": sdk,
        "endpoint": endpoint,
        "raw": dict(raw),
    }


def _one(endpoint: str, raw: Mapping[str, Any], sdk: str) -> dict[str, Any]:
    if endpoint in ("events", "imports"):
        props = _dict(raw.get("properties"))
        if raw.get("event") == "$create_alias":
            out = _base("alias", sdk, endpoint, raw)
            out.update(userId=_str(props.get("alias")), previousId=_str(props.get("distinct_id")))
            return out
        out = _base("track", sdk, endpoint, raw)
        out.update(
            userId=_str(props.get("distinct_id")),
            event=raw.get("event"),
            timestamp=props.get("time"),
            messageId=props.get("$insert_id"),
            properties={k: v for k, v in props.items() if k not in SDK_PROPERTIES},
        )
        return out
    if endpoint == "people":
        ops = {k: v for k, v in raw.items() if k not in _PEOPLE_META}
        user = _str(raw.get("$distinct_id"))
        if ops and set(ops) <= {"$set", "$set_once"}:
            traits: dict[str, Any] = {}
            for op in ("$set_once", "$set"):
                traits.update(_dict(ops.get(op)))
            out = _base("identify", sdk, endpoint, raw)
            out.update(userId=user, traits=traits, timestamp=raw.get("$time"))
            return out
        op = next(iter(ops), "")
        out = _base(f"people:{op}", sdk, endpoint, raw)
        out.update(userId=user, properties=ops, timestamp=raw.get("$time"))
        return out
    if endpoint == "groups":
        out = _base("group", sdk, endpoint, raw)
        out.update(
            groupId=_str(raw.get("$group_key")),
            groupType=raw.get("$group_type"),
            traits=_dict(raw.get("$set")),
        )
        return out
    out = _base(f"request:{endpoint}", sdk, endpoint, raw)
    out["properties"] = dict(raw)
    return out


def to_messages(endpoint: Any, json_message: Any, sdk: str) -> list[dict[str, Any]]:
    """The Segment-shaped messages one consumer ``send`` stands for (a batch is a JSON list)."""
    try:
        decoded = json.loads(json_message)
    except (TypeError, ValueError):
        return [_base(f"request:{endpoint}", sdk, str(endpoint), {"data": json_message})]
    items = decoded if isinstance(decoded, list) else [decoded]
    return [_one(str(endpoint), item, sdk) for item in items if isinstance(item, Mapping)]


def _make_send(original: Callable[..., Any], sdk: str, hub: Hub, buffered: bool) -> Any:
    @functools.wraps(original)
    def send(self: Any, endpoint: Any, json_message: Any, *args: Any, **kwargs: Any) -> Any:
        if buffered:
            inner = getattr(self, "_consumer", None)
            if inner is not None:
                try:
                    _INNER.add(inner)
                except TypeError:  # not weakly referenceable: captured twice at worst
                    pass
        elif self in _INNER:
            # a flush of what a BufferedConsumer already captured when it was buffered
            if hub.intercepting:
                hub.drop(to_messages(endpoint, json_message, sdk))
                return None
            return original(self, endpoint, json_message, *args, **kwargs)
        for message in to_messages(endpoint, json_message, sdk):
            hub.emit(message)
        if hub.intercepting:
            return None
        return original(self, endpoint, json_message, *args, **kwargs)

    send.__cio_lint_original__ = original  # type: ignore[attr-defined]
    return send


def install(patcher: Patcher, hub: Hub) -> None:
    for module_name, owner, attr in _seams.targets(_FAMILY):
        cls = getattr(_seams.load(module_name), owner, None)
        original = vars(cls).get(attr) if isinstance(cls, type) else None
        if callable(original) and not hasattr(original, "__cio_lint_original__"):
            sdk = _seams.label(_FAMILY, module_name)
            buffered = owner.startswith("Buffered")
            patcher.set(cls, attr, _make_send(original, sdk, hub, buffered))
