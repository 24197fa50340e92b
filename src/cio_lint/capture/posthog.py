"""The PostHog seam: where ``Client._enqueue`` hands the finished message on.

Every call (``capture``, ``set``, ``set_once``, ``alias``, ``group_identify``, and on posthog
5.x and older ``identify`` and ``page``; on a client or through the module API's
default client) builds its message and hands it to ``_enqueue``, which runs PostHog's own
normalisation (timestamp, uuid, ``$lib`` properties, ``clean()``, ``before_send``) and then
passes the finished message on. What is patched depends on what the installed class has
(``hasattr``, never a version string):

* ``Client._submit_event(self, msg, lane, sent_uuid)`` (posthog 7): the point where the finished
  message would be sent (``sync_mode``) or queued for a consumer thread. While a recorder
  intercepts it goes no further (``sent_uuid`` is returned, as for a queued event).
* ``Client._enqueue(self, msg, disable_geoip)`` (posthog 3.x to 6.x, which have no
  ``_submit_event``): the hand-off is inline at its end (``self.queue.put(msg)``, or
  ``batch_post`` in ``sync_mode``). The original ``_enqueue`` runs unchanged, but on a stand-in
  for the client that reads every attribute from it except the hand-off: while a recorder
  intercepts, the stand-in says ``send`` and not ``sync_mode`` and its ``queue`` only keeps what
  it is given, so the finished message is captured and never sent or queued, and ``_enqueue``
  returns what it returns for a queued event. A passive recorder (``--cio-coverage``) sees the
  message the client's own ``before_send`` returns (posthog 4+), or, on 3.x, what is put on the
  real queue (a 3.x client in ``sync_mode`` is not watched passively).

Normalised to the Segment shape (docs/testing.md): ``$set``/``$set_once`` events (and ``$identify``
on 5.x and older) are identify (traits from ``$set``/``$set_once``), ``$create_alias`` is alias,
``$groupidentify`` is group, anything else is track with ``userId`` = ``distinct_id`` and the
properties the SDK adds itself (``$lib``, ``$lib_version``, ``$python_*``, ``$os*``,
``$geoip_disable``, ``$is_server``) and the person updates (``$set``/``$set_once``, as
``traits``) left out.
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
    elif event == "$identify":  # ``identify`` (posthog 5.x and older)
        out.update(type="identify", event=None, traits=_dict(msg.get("$set")))
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


class _Hand:
    """The stand-in's ``queue``: keeps what ``_enqueue`` puts on it (the finished message) and
    passes it on to ``forward`` if there is one."""

    def __init__(self, forward: Callable[..., Any] | None = None) -> None:
        self.message: Any = None
        self._forward = forward

    def put(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        self.message = item
        return None if self._forward is None else self._forward(item, *args, **kwargs)


class _BeforeSend:
    """The stand-in's ``before_send``: runs the client's own (if any) and keeps what goes on."""

    def __init__(self, own: Any) -> None:
        self.message: Any = None
        self._own = own

    def __call__(self, msg: Any) -> Any:
        self.message = msg  # kept if ``own`` raises: ``_enqueue`` then goes on with ``msg``
        if self._own is None:
            return msg
        self.message = self._own(msg)
        return self.message


class _StandIn:
    """The client as ``_enqueue`` sees it: every attribute read from (and written to) the
    client, except the ones given here."""

    def __init__(self, client: Any, **own: Any) -> None:
        vars(self).update(own, _cio_lint_client=client)

    def __getattr__(self, name: str) -> Any:
        return getattr(vars(self)["_cio_lint_client"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(vars(self)["_cio_lint_client"], name, value)


def _make_enqueue(original: Callable[..., Any], sdk: str, hub: Hub) -> Callable[..., Any]:
    @functools.wraps(original)
    def _enqueue(self: Any, msg: Any, *args: Any, **kwargs: Any) -> Any:
        seen: _Hand | _BeforeSend
        if hub.intercepting:
            seen = _Hand()
            stand_in = _StandIn(self, send=True, sync_mode=False, queue=seen)
        elif hasattr(self, "before_send"):
            seen = _BeforeSend(self.before_send)
            stand_in = _StandIn(self, before_send=seen)
        else:
            seen = _Hand(self.queue.put)
            stand_in = _StandIn(self, queue=seen)
        result = original(stand_in, msg, *args, **kwargs)
        if isinstance(seen.message, Mapping):
            hub.emit(normalise(seen.message, sdk))
        return result

    _enqueue.__cio_lint_original__ = original  # type: ignore[attr-defined]
    return _enqueue


#: the seam targets' attributes, newest first, and how each is wrapped
_WRAPPERS: dict[str, Callable[[Callable[..., Any], str, Hub], Callable[..., Any]]] = {
    "_submit_event": _make_submit,
    "_enqueue": _make_enqueue,
}


def install(patcher: Patcher, hub: Hub) -> None:
    """Patch, per class, the first seam target it has (``_submit_event`` before ``_enqueue``:
    posthog 7 has both, and only ``_submit_event`` is the hand-off there)."""
    done: set[int] = set()
    for module_name, owner, attr in _seams.targets(_FAMILY):
        cls = getattr(_seams.load(module_name), owner, None)
        if not isinstance(cls, type) or id(cls) in done or not hasattr(cls, attr):
            continue
        done.add(id(cls))
        original = vars(cls).get(attr)
        if callable(original) and not hasattr(original, "__cio_lint_original__"):
            sdk = _seams.label(_FAMILY, module_name)
            patcher.set(cls, attr, _WRAPPERS[attr](original, sdk, hub))
