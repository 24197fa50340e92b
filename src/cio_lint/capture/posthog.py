"""The PostHog seam: ``Client._submit_event(self, msg, lane, sent_uuid)`` (posthog 7).

Every call (``capture``, ``set``, ``set_once``, ``alias``, ``group_identify``, on a client or
through the module API's default client) builds its message and hands it to ``_enqueue``, which
runs PostHog's own normalisation (timestamp, uuid, ``$lib`` properties, ``clean()``,
``before_send``) and then ``_submit_event`` - the point where the finished message would be sent
(``sync_mode``) or queued for a consumer thread. Patched there, the captured message is exactly
the wire event; while a recorder intercepts it goes no further (``sent_uuid`` is returned, as
for a queued event).

Normalised to the Segment shape (docs/testing.md): ``$set``/``$set_once`` events are identify
(traits from ``$set``/``$set_once``), ``$create_alias`` is alias, ``$groupidentify`` is group,
anything else is track with ``userId`` = ``distinct_id`` and the properties the SDK adds
itself (``$lib``, ``$lib_version``, ``$python_*``, ``$os*``, ``$geoip_disable``, ``$is_server``)
and the person updates (``$set``/``$set_once``, as ``traits``) left out.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cio_lint.capture import _seams
from cio_lint.capture._patch import Patcher

if TYPE_CHECKING:
    from cio_lint.capture._hub import Hub

_FAMILY = _seams.family_of(__name__)

#: Properties the SDK adds to every event, not the caller's.
SDK_PROPERTIES = frozenset(
    {
        "$lib",
        "$lib_version",
        "$geoip_disable",
        "$is_server",
        "$python_runtime",
        "$python_version",
        "$os",
        "$os_version",
        "$os_distro",
    }
)
_PERSON = ("$set", "$set_once")


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def normalise(raw: Mapping[str, Any], sdk: str) -> dict[str, Any]:
    """A PostHog wire event in the Segment shape, with ``sdk`` and the raw event kept."""
    try:
        msg = copy.deepcopy(dict(raw))
    except Exception:  # noqa: BLE001 - uncopyable values are kept as they are
        msg = dict(raw)
    props = _dict(msg.get("properties"))
    event = msg.get("event")
    out: dict[str, Any] = {
        "type": "track",
        "userId": _str(msg.get("distinct_id")),
        "anonymousId": None,
        "event": event,
        "properties": None,
        "traits": None,
        "timestamp": msg.get("timestamp"),
        "messageId": msg.get("uuid"),
        "sdk": sdk,
    }
    if event in _PERSON:
        out.update(type="identify", event=None, traits=_dict(msg.get(event)))
    elif event == "$create_alias":
        out.update(
            type="alias",
            event=None,
            userId=_str(props.get("alias")),
            previousId=_str(props.get("distinct_id")),
        )
    elif event == "$groupidentify":
        out.update(
            type="group",
            event=None,
            groupId=_str(props.get("$group_key")),
            groupType=props.get("$group_type"),
            traits=_dict(props.get("$group_set")),
        )
    else:
        person: dict[str, Any] = {}
        for key in _PERSON:
            person.update(_dict(props.get(key)))
        out["properties"] = {
            k: v for k, v in props.items() if k not in SDK_PROPERTIES and k not in _PERSON
        }
        if person:
            out["traits"] = person
    out["raw"] = msg
    return out


def _make_submit(original: Callable[..., Any], sdk: str, hub: Hub) -> Callable[..., Any]:
    @functools.wraps(original)
    def _submit_event(self: Any, msg: Any, lane: Any, sent_uuid: Any, *args: Any) -> Any:
        if isinstance(msg, Mapping):
            hub.emit(normalise(msg, sdk))
        if hub.intercepting:
            return sent_uuid
        return original(self, msg, lane, sent_uuid, *args)

    _submit_event.__cio_lint_original__ = original  # type: ignore[attr-defined]
    return _submit_event


def install(patcher: Patcher, hub: Hub) -> None:
    for module_name, owner, attr in _seams.targets(_FAMILY):
        cls = getattr(_seams.load(module_name), owner, None)
        original = vars(cls).get(attr) if isinstance(cls, type) else None
        if callable(original) and not hasattr(original, "__cio_lint_original__"):
            sdk = _seams.label(_FAMILY, module_name)
            patcher.set(cls, attr, _make_submit(original, sdk, hub))
