"""The classic ``customerio`` seam: ``ClientBase.send_request(self, method, url, data)``.

Both Track API calls (``CustomerIO.identify``/``track``/``track_anonymous``...) and App API
transactional sends (``APIClient.send_email``...) build a URL and a payload and pass them to
``send_request``. The payload is sanitised the way the SDK would (datetimes become Unix
seconds), the URL is mapped back to the call that produced it, and a ``200`` response is
returned instead of a request.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from cio_lint.capture import _seams
from cio_lint.capture._patch import Patcher

if TYPE_CHECKING:
    from cio_lint.capture._hub import Hub

SDK = _seams.label(_seams.family_of(__name__), _seams.family_of(__name__).modules[0].name)

_CUSTOMER = re.compile(r"/customers/(?P<id>[^/]+)$")
_CUSTOMER_EVENTS = re.compile(r"/customers/(?P<id>[^/]+)/events$")
_ANON_EVENTS = re.compile(r"/events$")
_DEVICES = re.compile(r"/customers/(?P<id>[^/]+)/devices(?:/(?P<device>[^/]+))?$")
_SUPPRESS = re.compile(r"/customers/(?P<id>[^/]+)/(?P<action>suppress|unsuppress)$")
_MERGE = re.compile(r"/merge_customers$")
_BATCH = re.compile(r"/v2/batch$")
_SEND = re.compile(r"/v1/send/(?P<channel>[a-z_]+)$")


def message(kind: str, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": kind,
        "userId": None,
        "anonymousId": None,
        "event": None,
        "properties": None,
        "traits": None,
        "timestamp": None,
        "sdk": SDK,
    }
    out.update(fields)
    return out


def _str_id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _event(data: Mapping[str, Any], **fields: Any) -> dict[str, Any]:
    kind = "page" if data.get("type") == "page" else "track"
    props = data.get("data")
    extra: dict[str, Any] = {"name": data.get("name")} if kind == "page" else {}
    if data.get("id") is not None:
        extra["messageId"] = data.get("id")
    return message(
        kind,
        event=data.get("name") if kind == "track" else None,
        properties=dict(props) if isinstance(props, Mapping) else {},
        timestamp=data.get("timestamp"),
        **extra,
        **fields,
    )


def _batch_operation(op: Mapping[str, Any]) -> dict[str, Any]:
    identifiers = op.get("identifiers")
    ids = identifiers if isinstance(identifiers, Mapping) else {}
    user_id = _str_id(ids.get("id") or ids.get("email") or ids.get("cio_id"))
    attributes = op.get("attributes")
    attrs = dict(attributes) if isinstance(attributes, Mapping) else {}
    action = op.get("action")
    if op.get("type") == "person" and action == "identify":
        return message("identify", userId=user_id, traits=attrs, batch=dict(op))
    if op.get("type") == "person" and action == "event":
        return message(
            "track",
            userId=user_id,
            event=op.get("name"),
            properties=attrs,
            timestamp=op.get("timestamp"),
            batch=dict(op),
        )
    return message(f"batch:{op.get('type')}:{action}", userId=user_id, batch=dict(op))


def to_messages(method: str, url: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Segment-shaped messages a classic request stands for."""
    path = urlsplit(url).path.rstrip("/")
    method = method.upper()
    if m := _SEND.search(path):
        ids = data.get("identifiers")
        user = _str_id(ids.get("id") or ids.get("email")) if isinstance(ids, Mapping) else None
        return [
            message(
                "transactional",
                userId=user,
                properties=dict(data),
                channel=m["channel"],
                transactionalMessageId=data.get("transactional_message_id"),
            )
        ]
    if method == "PUT" and (m := _CUSTOMER.search(path)):
        return [message("identify", userId=unquote(m["id"]), traits=dict(data))]
    if method == "POST" and (m := _CUSTOMER_EVENTS.search(path)):
        return [_event(data, userId=unquote(m["id"]))]
    if method == "POST" and _ANON_EVENTS.search(path):
        return [_event(data, anonymousId=_str_id(data.get("anonymous_id")))]
    if method == "DELETE" and (m := _CUSTOMER.search(path)):
        return [message("delete", userId=unquote(m["id"]))]
    if m := _DEVICES.search(path):
        kind = "delete_device" if method == "DELETE" else "add_device"
        device = data.get("device")
        props = dict(device) if isinstance(device, Mapping) else {}
        if m["device"]:
            props.setdefault("id", unquote(m["device"]))
        return [message(kind, userId=unquote(m["id"]), properties=props)]
    if m := _SUPPRESS.search(path):
        return [message(m["action"], userId=unquote(m["id"]))]
    if _MERGE.search(path):
        return [message("merge", properties=dict(data))]
    if _BATCH.search(path):
        ops = data.get("batch")
        if isinstance(ops, list):
            return [_batch_operation(op) for op in ops if isinstance(op, Mapping)]
    return [message("request", properties=dict(data), method=method, url=url)]


def _sanitised(client: Any, data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        return {}
    sanitize = getattr(client, "_sanitize", None)
    if callable(sanitize):
        try:
            result = sanitize(data)
            if isinstance(result, Mapping):
                return result
        except Exception:  # noqa: BLE001, S110 - an odd value: fall back to the raw payload
            pass
    return dict(data)


def _response(url: str, messages: list[dict[str, Any]]) -> Any:
    """A successful ``requests.Response``, shaped like the API's (transactional sends get ids)."""
    import json

    import requests

    body: dict[str, Any] = {}
    if messages and messages[0]["type"] == "transactional":
        body = {"delivery_id": "cio-lint-captured", "queued_at": int(time.time())}
    response = requests.Response()
    response.status_code = 200
    response.url = url
    response.headers["Content-Type"] = "application/json"
    response._content = json.dumps(body).encode()
    response.encoding = "utf-8"
    return response


def _make_send_request(original: Callable[..., Any], hub: Hub) -> Callable[..., Any]:
    @functools.wraps(original)
    def send_request(self: Any, method: str, url: str, data: Any, *args: Any, **kw: Any) -> Any:
        messages = to_messages(str(method), str(url), _sanitised(self, data))
        for msg in messages:
            hub.emit(msg)
        if not hub.intercepting:
            return original(self, method, url, data, *args, **kw)
        return _response(str(url), messages)

    send_request.__cio_lint_original__ = original  # type: ignore[attr-defined]
    return send_request


def _load() -> list[type]:
    """Classes defining ``send_request`` among the registry's targets: ``ClientBase`` (3.x), or
    the clients (older)."""
    classes: list[type] = []
    for module_name, owner, attr in _seams.targets(_seams.family_of(__name__)):
        cls = getattr(_seams.load(module_name), owner, None)
        if isinstance(cls, type) and attr in vars(cls) and cls not in classes:
            classes.append(cls)
    return classes


def install(patcher: Patcher, hub: Hub) -> None:
    for cls in _load():
        patcher.set(cls, "send_request", _make_send_request(vars(cls)["send_request"], hub))
