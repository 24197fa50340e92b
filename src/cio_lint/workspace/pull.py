"""Pull the workspace: App API responses -> the snapshot dict (``/work/briefs/_snapshot.md``).

Only what the checks need is kept: ids, names, states, trigger events, channels,
``sending_state`` and the Liquid variable paths of every text field. Bodies are read, analysed
and dropped. Every response is untrusted: a value of the wrong type is a ``PullError`` naming
the request and the field. A failure of one campaign's (broadcast's, message's) own request does
not stop the others, but the pull then fails as a whole, listing every failure: a snapshot is
complete or not written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from cio_lint.workspace.client import AppApiClient, KeyRefused, PullError
from cio_lint.workspace.liquid import extract_all

FORMAT = "cio-lint-workspace/1"

#: pages of one list (10 actions a page) and requests of one pull, before giving up
MAX_PAGES = 1000
MAX_REQUESTS = 20000
MAX_CURSOR = 4096  # characters of a `next` cursor
#: how deep inside an action the text fields are looked for (``headers: [{"name": ...}]``)
MAX_FIELD_DEPTH = 8
#: keys of an action that hold metadata, never a template
NOT_TEMPLATES = frozenset(
    {
        "id",
        "name",
        "type",
        "sending_state",
        "state",
        "language",
        "editor",
        "preprocessor",
        "method",
        "request_method",
        "layout_id",
        "from_id",
        "reply_to_id",
        "created",
        "updated",
        "created_at",
        "updated_at",
        "deduplicate_id",
    }
)
SENDING_STATES = frozenset({"automatic", "draft", "off"})
LIVE_STATES = frozenset({"running", "active"})

Progress = Callable[[str], None]


class TooManyRequests(PullError):
    """``MAX_REQUESTS`` reached: the pull stops at once."""


def _quiet(_: str) -> None:
    return None


@dataclass
class _Failures:
    items: list[str] = field(default_factory=list)

    def add(self, what: str, error: PullError) -> None:
        self.items.append(f"{what} ({error})")


class _Shape:
    """Type checks of one response, naming the request and the field when they fail."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, at: str, expected: str) -> PullError:
        return PullError(f"{self.where}: `{at}` is not {expected}")

    def items(self, body: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
        if key not in body:
            raise PullError(f"{self.where}: the response has no `{key}`")
        value = body.get(key)
        if not isinstance(value, list):
            raise self.fail(key, "a list")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{key}[{index}]", "an object")
        return value

    def ident(self, item: Mapping[str, object], at: str) -> int:
        value = item.get("id")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{at}.id", "an integer")
        return value

    def text(self, item: Mapping[str, object], key: str, at: str) -> str | None:
        value = item.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(f"{at}.{key}", "a string")

    def flag(self, item: Mapping[str, object], key: str, at: str) -> bool | None:
        value = item.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(f"{at}.{key}", "true or false")


def _texts(value: object, depth: int = 0) -> Iterator[str]:
    """Every string inside an action or content, except under metadata keys."""
    if isinstance(value, str):
        yield value
    elif depth >= MAX_FIELD_DEPTH:
        return
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_TEMPLATES:
                yield from _texts(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, depth + 1)


def _liquid(raw: Mapping[str, object], out: dict[str, object]) -> None:
    found = extract_all(_texts(raw))
    out["variables"] = sorted(found.paths)
    if found.error is not None:
        out["liquid_error"] = found.error


def _state(shape: _Shape, raw: Mapping[str, object], at: str) -> tuple[str, bool]:
    state = (shape.text(raw, "state", at) or "unknown").lower()
    active = shape.flag(raw, "active", at)
    return state, active if active is not None else state in LIVE_STATES


def _trigger(shape: _Shape, raw: Mapping[str, object], at: str) -> dict[str, str]:
    """An ``event_name`` makes an event trigger; otherwise the API's ``type``, lower-cased
    (segment, date, ...), a ``date_attribute`` a date trigger, and nothing ``unknown``."""
    event = shape.text(raw, "event_name", at)
    kind = (shape.text(raw, "type", at) or "").lower()
    if event:
        return {"type": "event", "event": event}
    if kind and kind != "event":
        return {"type": kind}
    if shape.text(raw, "date_attribute", at):
        return {"type": "date"}
    return {"type": "unknown"}


def _action(shape: _Shape, raw: Mapping[str, object], at: str) -> dict[str, object]:
    sending = (shape.text(raw, "sending_state", at) or "unknown").lower()
    out: dict[str, object] = {
        "id": shape.ident(raw, at),
        "name": shape.text(raw, "name", at) or "",
        "type": shape.text(raw, "type", at) or "unknown",
        "sending_state": sending if sending in SENDING_STATES else "unknown",
    }
    _liquid(raw, out)
    return out


def _content(shape: _Shape, raw: Mapping[str, object], at: str) -> dict[str, object]:
    out: dict[str, object] = {
        "id": shape.ident(raw, at),
        "type": shape.text(raw, "type", at) or "unknown",
    }
    _liquid(raw, out)
    return out


def _by_id(items: list[dict[str, object]]) -> list[dict[str, object]]:
    """Sorted by id; an exact repeat (a page served twice) is dropped, ties kept in a stable
    order (their JSON text), so that the snapshot never depends on the order served."""
    seen: dict[str, dict[str, object]] = {}
    for item in items:
        seen.setdefault(json.dumps(item, sort_keys=True), item)
    return [seen[k] for k in sorted(seen, key=lambda k: (seen[k]["id"], k))]


class Puller:
    """One pull: the requests, in order, and the snapshot they make."""

    def __init__(self, client: AppApiClient, region: str, progress: Progress = _quiet) -> None:
        self.client = client
        self.region = region
        self.progress = progress

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, object]:
        if self.client.requests >= MAX_REQUESTS:
            raise TooManyRequests(f"more than {MAX_REQUESTS} requests: the pull was stopped")
        return self.client.get(path, params)

    def _paged(
        self, path: str, key: str, make: Callable[..., dict[str, object]]
    ) -> list[dict[str, object]]:
        """Every item of a list served ``next``-cursor page by page (``next`` -> ``start``)."""
        out: list[dict[str, object]] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = self._get(path, {"start": cursor} if cursor else None)
            shape = _Shape(f"GET {path}")
            for index, raw in enumerate(shape.items(body, key)):
                out.append(make(shape, raw, f"{key}[{index}]"))
            following = body.get("next")
            if following is None or following == "":
                return out
            if not isinstance(following, str) or len(following) > MAX_CURSOR:
                raise shape.fail(
                    "next", "a string" if not isinstance(following, str) else "a cursor"
                )
            if following in seen:
                raise PullError(f"GET {path}: the `next` cursor repeats an earlier page")
            seen.add(following)
            cursor = following
        raise PullError(f"GET {path}: more than {MAX_PAGES} pages")

    def _each(
        self,
        failures: _Failures,
        what: str,
        parents: list[Mapping[str, object]],
        shape: _Shape,
        key: str,
        child: Callable[[int], list[dict[str, object]]],
        build: Callable[[_Shape, Mapping[str, object], str], dict[str, object]],
        children_key: str,
    ) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for index, raw in enumerate(parents):
            item = build(shape, raw, f"{key}[{index}]")
            ident = item["id"]
            assert isinstance(ident, int)
            self.progress(f"{what} {index + 1}/{len(parents)}")
            try:
                item[children_key] = _by_id(child(ident))
            except (KeyRefused, TooManyRequests):
                raise
            except PullError as exc:
                failures.add(f"{what} {ident}", exc)
                item[children_key] = []
            out.append(item)
        return _by_id(out)

    def _journey(self, shape: _Shape, raw: Mapping[str, object], at: str) -> dict[str, object]:
        state, active = _state(shape, raw, at)
        return {
            "id": shape.ident(raw, at),
            "name": shape.text(raw, "name", at) or "",
            "state": state,
            "active": active,
            "trigger": _trigger(shape, raw, at),
        }

    def _broadcast(self, shape: _Shape, raw: Mapping[str, object], at: str) -> dict[str, object]:
        state, active = _state(shape, raw, at)
        api = shape.flag(raw, "api_triggered", at)
        return {
            "id": shape.ident(raw, at),
            "name": shape.text(raw, "name", at) or "",
            "state": state,
            "active": active,
            # /v1/broadcasts lists the API-triggered broadcasts
            "api_triggered": True if api is None else api,
        }

    def _message(self, shape: _Shape, raw: Mapping[str, object], at: str) -> dict[str, object]:
        return {
            "id": shape.ident(raw, at),
            "name": shape.text(raw, "name", at) or "",
            "trigger_name": shape.text(raw, "trigger_name", at) or None,
        }

    def _list(self, path: str, key: str) -> tuple[_Shape, list[Mapping[str, object]]]:
        self.progress(path)
        shape = _Shape(f"GET {path}")
        return shape, shape.items(self._get(path), key)

    def pull(self) -> dict[str, object]:
        failures = _Failures()
        shape, campaigns = self._list("/v1/campaigns", "campaigns")
        journeys = self._each(
            failures,
            "campaign",
            campaigns,
            shape,
            "campaigns",
            lambda i: self._paged(f"/v1/campaigns/{i}/actions", "actions", _action),
            self._journey,
            "actions",
        )
        shape, listed = self._list("/v1/broadcasts", "broadcasts")
        broadcasts = self._each(
            failures,
            "broadcast",
            listed,
            shape,
            "broadcasts",
            lambda i: self._paged(f"/v1/broadcasts/{i}/actions", "actions", _action),
            self._broadcast,
            "actions",
        )
        shape, messages = self._list("/v1/transactional", "messages")
        transactional = self._each(
            failures,
            "transactional message",
            messages,
            shape,
            "messages",
            lambda i: self._paged(f"/v1/transactional/{i}/contents", "contents", _content),
            self._message,
            "contents",
        )
        if failures.items:
            shown = failures.items[:5]
            more = len(failures.items) - len(shown)
            tail = f"; and {more} more" if more else ""
            raise PullError(f"{len(failures.items)} request(s) failed: " + "; ".join(shown) + tail)
        return {
            "format": FORMAT,
            "region": self.region,
            "complete": True,
            "journeys": journeys,
            "broadcasts": broadcasts,
            "transactional": transactional,
        }
