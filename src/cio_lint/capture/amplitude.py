"""The Amplitude seam: ``AmplitudeDestinationPlugin.execute(self, event)`` (amplitude-analytics 1).

``Amplitude(api_key)`` runs every call (``track``, ``identify``, ``group_identify``,
``set_group``, ``revenue``) through its timeline: the BEFORE plugins (``ContextPlugin`` sets
``time``, ``insert_id`` and ``library``), the ENRICHMENT plugins, then a deep copy of the event
to each DESTINATION plugin. The default destination's ``execute`` runs the destination's own
plugins (``self.timeline.process``), checks the event (``verify_event``: an ``event_type`` and
a ``user_id`` or ``device_id``) and pushes it to the storage, whose first push starts the
consumer thread that posts batches with ``urllib.request``. Patched at class level, so every
client and every thread is covered, the seam does the same up to the push: the destination's
plugins run once, the finished event's ``get_event_body()`` (the wire event) is captured, and
while a recorder intercepts it goes no further (no storage, no thread, nothing at ``flush()``
or ``shutdown()``). Passively (``--cio-coverage``) the event is then pushed as the SDK does.

An event ``verify_event`` refuses is dropped by the SDK, which logs "Invalid event body": the
seam raises the SDK's own ``InvalidEventError`` so that line is still logged, and hands the
event to the hub as dropped (``cio_events.dropped``), not captured.

Normalised to the Segment shape (docs/testing.md): ``$identify`` is identify (traits from
``user_properties``' ``$setOnce`` then ``$set``), ``$groupidentify`` is group (``groupType`` and
``groupId`` from ``groups``, traits from ``group_properties``), anything else is track
(``event`` = ``event_type``, ``properties`` = ``event_properties``); ``userId`` = ``user_id``,
``anonymousId`` = ``device_id``, ``timestamp`` = ``time``, ``messageId`` = ``insert_id``.
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

_IDENTIFY = "$identify"
_GROUP = "$groupidentify"
_TRAIT_OPS = ("$setOnce", "$set")  # later wins, as the SDK's own order of precedence


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _traits(operations: Any) -> dict[str, Any]:
    """The values a ``user_properties``/``group_properties`` update sets."""
    ops = _dict(operations)
    traits: dict[str, Any] = {}
    for op in _TRAIT_OPS:
        traits.update(_dict(ops.get(op)))
    return traits


def normalise(raw: Mapping[str, Any], sdk: str) -> dict[str, Any]:
    """An Amplitude event body in the Segment shape, with ``sdk`` and the body kept."""
    try:
        body = copy.deepcopy(dict(raw))
    except Exception:  # noqa: BLE001 - uncopyable values are kept as they are
        body = dict(raw)
    event_type = body.get("event_type")
    out: dict[str, Any] = {
        "type": "track",
        "userId": _str(body.get("user_id")),
        "anonymousId": _str(body.get("device_id")),
        "event": event_type,
        "properties": _dict(body.get("event_properties")),
        "traits": None,
        "timestamp": body.get("time"),
        "messageId": body.get("insert_id"),
        "sdk": sdk,
    }
    if event_type in (_IDENTIFY, _GROUP):
        # an identify's own event properties are kept, if it has any
        out["properties"] = out["properties"] or None
    if event_type == _IDENTIFY:
        out.update(type="identify", event=None, traits=_traits(body.get("user_properties")))
    elif event_type == _GROUP:
        groups = _dict(body.get("groups"))
        group_type, group_id = next(iter(groups.items()), (None, None))
        out.update(
            type="group",
            event=None,
            groupType=group_type,
            groupId=_str(group_id),
            traits=_traits(body.get("group_properties")),
        )
    else:
        person = _traits(body.get("user_properties"))
        if person:
            out["traits"] = person
    out["raw"] = body
    return out


def _body(event: Any) -> dict[str, Any] | None:
    get_body = getattr(event, "get_event_body", None)
    if not callable(get_body):
        return None
    try:
        body = get_body()
    except Exception:  # noqa: BLE001 - an event the SDK could not serialise is not captured
        return None
    return dict(body) if isinstance(body, Mapping) else None


def _make_execute(
    original: Callable[..., Any],
    verify: Callable[[Any], bool],
    invalid: type[BaseException],
    sdk: str,
    hub: Hub,
) -> Callable[..., Any]:
    @functools.wraps(original)
    def execute(self: Any, event: Any, *args: Any, **kwargs: Any) -> Any:
        event = self.timeline.process(event)
        if not verify(event):
            body = _body(event)
            if body is not None:
                hub.drop([normalise(body, sdk)])
            raise invalid("Invalid event.")
        body = _body(event)
        if body is not None:
            hub.emit(normalise(body, sdk))
        if hub.intercepting:
            return None
        self.storage.push(event)
        return None

    execute.__cio_lint_original__ = original  # type: ignore[attr-defined]
    return execute


def install(patcher: Patcher, hub: Hub) -> None:
    for module_name, owner, attr in _seams.targets(_FAMILY):
        module = _seams.load(module_name)
        cls = getattr(module, owner, None)
        original = vars(cls).get(attr) if isinstance(cls, type) else None
        verify = getattr(module, "verify_event", None)
        invalid = getattr(module, "InvalidEventError", None)
        if not (callable(original) and callable(verify) and isinstance(invalid, type)):
            continue  # not the SDK this seam was written for: not patched
        if issubclass(invalid, BaseException) and not hasattr(original, "__cio_lint_original__"):
            sdk = _seams.label(_FAMILY, module_name)
            patcher.set(cls, attr, _make_execute(original, verify, invalid, sdk, hub))
