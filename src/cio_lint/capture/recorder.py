"""``EventRecorder``: collects captured messages and answers questions about them.

This is the object the ``cio_events`` fixture yields, but it has no pytest dependency: use it
as a context manager anywhere (``with EventRecorder() as events: ...``). Assertion helpers
raise ``AssertionError`` with a message that shows what was expected, everything that was
captured, and how the closest captured message differs.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any
from unittest.mock import ANY

from cio_lint.capture import _format as fmt
from cio_lint.capture._hub import HUB, Hub
from cio_lint.capture._sites import Site

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["ANY", "EventRecorder"]

Message = dict[str, Any]


def _id_matches(expected: Any, actual: Any) -> bool:
    if expected is ANY:
        return True
    if expected is None or actual is None:
        return expected is None and actual is None
    return str(expected) == str(actual)


def _props_match(expected: Mapping[str, Any] | None, actual: Any, exact: bool) -> bool:
    if expected is None:
        return True
    if not isinstance(actual, Mapping):
        return False
    if exact and set(actual) != set(expected):
        return False
    return all(key in actual and want == actual[key] for key, want in expected.items())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class EventRecorder:
    """Messages captured from the analytics SDKs while started, in the order they were sent.

    ``intercept=True`` (the fixture's mode) keeps messages from reaching the SDK transport,
    drops what an SDK had queued before (``dropped``) and refuses every connection and lookup
    beyond loopback; ``intercept=False`` only watches.
    """

    def __init__(self, *, intercept: bool = True, hub: Hub | None = None) -> None:
        self.intercept = intercept
        self._hub = hub or HUB
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._sites: dict[int, tuple[Site, ...]] = {}  # id of a message in _messages -> its sites
        self._dropped: list[Message] = []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Self:
        self._hub.attach(self)
        return self

    def stop(self) -> None:
        self._hub.detach(self)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def record(self, message: Message, sites: tuple[Site, ...] = ()) -> None:
        """Called by the hub for each message a seam captured (from any thread); ``sites``:
        the frames of the project's code that sent it, innermost first."""
        with self._lock:
            self._messages.append(message)
            if sites:
                self._sites[id(message)] = sites

    def record_dropped(self, message: Message) -> None:
        """Called by the hub for a message discarded instead of sent (once per message id)."""
        with self._lock:
            known = message.get("messageId")
            if known is None or all(m.get("messageId") != known for m in self._dropped):
                self._dropped.append(message)

    def clear(self) -> None:
        """Forget what was captured so far (e.g. after a test's setup phase)."""
        with self._lock:
            self._messages.clear()
            self._sites.clear()

    # ------------------------------------------------------------------ queries
    @property
    def messages(self) -> list[Message]:
        """Every captured message, normalised to the Segment shape (a snapshot)."""
        with self._lock:
            return list(self._messages)

    def sites_of(self, message: Mapping[str, Any]) -> tuple[Site, ...]:
        """Where ``message`` (one of ``messages``) was sent from: (file, line) of the project's
        frames, innermost first; empty when it was sent from an SDK's own thread."""
        with self._lock:
            return self._sites.get(id(message), ())

    @property
    def dropped(self) -> list[Message]:
        """Messages an SDK had queued before this recorder started, discarded unsent (a snapshot).

        They are not in ``messages`` and are not validated: they belong to code that ran before.
        """
        with self._lock:
            return list(self._dropped)

    def tracks(self, event: str | None = None) -> list[Message]:
        return [
            m
            for m in self.messages
            if m.get("type") == "track" and (event is None or m.get("event") == event)
        ]

    def identifies(self, user_id: Any = None) -> list[Message]:
        return [
            m
            for m in self.messages
            if m.get("type") == "identify"
            and (user_id is None or _id_matches(user_id, m.get("userId")))
        ]

    @property
    def events(self) -> list[str]:
        """The names of the tracked events, in order."""
        return [str(m.get("event")) for m in self.tracks()]

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages)

    def __repr__(self) -> str:
        return f"<EventRecorder {_plural(len(self), 'message')}>"

    # ------------------------------------------------------------------ assertions
    def assert_tracked(
        self,
        event: str,
        *,
        user_id: Any = ANY,
        properties: Mapping[str, Any] | None = None,
        exact: bool = False,
        times: int | None = None,
        anonymous_id: Any = ANY,
    ) -> list[Message]:
        """Assert ``event`` was tracked; return the matching messages.

        ``properties`` must be a subset of the captured ones (every key equal; ``ANY`` matches
        any value) unless ``exact=True``. ``times`` asks for exactly that many matches.
        """
        __tracebackhide__ = True
        messages = self.messages
        named = [m for m in messages if m.get("type") == "track" and m.get("event") == event]
        matching = [
            m
            for m in named
            if _id_matches(user_id, m.get("userId"))
            and _id_matches(anonymous_id, m.get("anonymousId"))
            and _props_match(properties, m.get("properties"), exact)
        ]
        if (times is None and matching) or (times is not None and len(matching) == times):
            return matching

        want = f"a track of {fmt.show(event)}"
        if user_id is not ANY:
            want += f" for user {fmt.show(user_id)}" if user_id is not None else " with no user id"
        if anonymous_id is not ANY:
            want += f" for anonymous id {fmt.show(anonymous_id)}"
        if properties is not None:
            qualifier = "exactly the properties" if exact else "properties"
            want += f" with {qualifier} {fmt.render_json(dict(properties))}"
        if times is not None:
            head = (
                f"Expected {want} {_plural(times, 'time')}, "
                f"but {_plural(len(matching), 'matching track')} {'was' if len(matching) == 1 else 'were'} captured."
            )
        elif not named:
            head = f"Expected {want}, but none was captured."
        elif len(named) == 1:
            head = f"Expected {want}, but the captured {fmt.show(event)} track does not match."
        else:
            head = f"Expected {want}, but none of the {len(named)} captured {fmt.show(event)} tracks match."
        out = [head, *fmt.captured_block(messages)]

        candidates = [m for m in named if m not in matching]
        if candidates and (times is None or not matching):
            best = min(
                candidates,
                key=lambda m: len(self._track_diff(m, user_id, anonymous_id, properties, exact)),
            )
            diff = self._track_diff(best, user_id, anonymous_id, properties, exact)
            if diff:
                out += ["Closest captured:", *fmt.lines([best]), "Differences:", *diff]
        if not named:
            out += self._did_you_mean(event, [str(m.get("event")) for m in self.tracks()])
        raise AssertionError("\n".join(out))

    @staticmethod
    def _track_diff(
        msg: Message,
        user_id: Any,
        anonymous_id: Any,
        properties: Mapping[str, Any] | None,
        exact: bool,
    ) -> list[str]:
        diff = []
        if not _id_matches(user_id, msg.get("userId")):
            diff.append(f"  user_id: expected {user_id!r}, got {msg.get('userId')!r}")
        if not _id_matches(anonymous_id, msg.get("anonymousId")):
            diff.append(
                f"  anonymous_id: expected {anonymous_id!r}, got {msg.get('anonymousId')!r}"
            )
        if properties is not None:
            diff += fmt.diff_mapping(
                properties, msg.get("properties"), exact=exact, label="properties"
            )
        return diff

    @staticmethod
    def _did_you_mean(name: str, captured: Sequence[str]) -> list[str]:
        close = difflib.get_close_matches(name, sorted(set(captured)), n=1, cutoff=0.6)
        if not close:
            lowered = {c.lower(): c for c in captured}
            close = [lowered[name.lower()]] if name.lower() in lowered else []
        return [f"Did you mean {fmt.show(close[0])}? It was captured."] if close else []

    def assert_not_tracked(self, event: str, *, user_id: Any = ANY) -> None:
        """Assert no track of ``event`` (for ``user_id``, if given) was captured."""
        __tracebackhide__ = True
        messages = self.messages
        found = [
            m
            for m in messages
            if m.get("type") == "track"
            and m.get("event") == event
            and _id_matches(user_id, m.get("userId"))
        ]
        if not found:
            return
        want = f"no track of {fmt.show(event)}"
        if user_id is not ANY:
            want += f" for user {fmt.show(user_id)}"
        verb = "was" if len(found) == 1 else "were"
        out = [f"Expected {want}, but {len(found)} {verb} captured:", *fmt.lines(found)]
        out += fmt.captured_block(messages)
        raise AssertionError("\n".join(out))

    def assert_identified(
        self, user_id: Any, traits: Mapping[str, Any] | None = None, *, exact: bool = False
    ) -> list[Message]:
        """Assert ``user_id`` was identified (with ``traits`` as a subset); return the matches."""
        __tracebackhide__ = True
        messages = self.messages
        same_user = [
            m
            for m in messages
            if m.get("type") == "identify" and _id_matches(user_id, m.get("userId"))
        ]
        matching = [m for m in same_user if _props_match(traits, m.get("traits"), exact)]
        if matching:
            return matching
        want = f"an identify of {fmt.show(user_id)}"
        if traits is not None:
            qualifier = "exactly the traits" if exact else "traits"
            want += f" with {qualifier} {fmt.render_json(dict(traits))}"
        if not same_user:
            head = f"Expected {want}, but none was captured."
        elif len(same_user) == 1:
            head = (
                f"Expected {want}, but the captured identify of {fmt.show(user_id)} does not match."
            )
        else:
            head = (
                f"Expected {want}, but none of the {len(same_user)} captured identifies of "
                f"{fmt.show(user_id)} match."
            )
        out = [head, *fmt.captured_block(messages)]
        if same_user and traits is not None:
            best = min(
                same_user,
                key=lambda m: len(fmt.diff_mapping(traits, m.get("traits"), exact=exact, label="")),
            )
            diff = fmt.diff_mapping(traits, best.get("traits"), exact=exact, label="traits")
            out += ["Closest captured:", *fmt.lines([best]), "Differences:", *diff]
        raise AssertionError("\n".join(out))

    def assert_sequence(self, events: Sequence[str], *, exact: bool = False) -> None:
        """Assert these events were tracked in this order.

        Other tracks may come in between unless ``exact=True``, which asks for exactly this
        list of tracks.
        """
        __tracebackhide__ = True
        wanted = list(events)
        captured = self.events
        arrow = " -> "
        order = arrow.join(fmt.show(e) for e in wanted)
        if exact:
            if captured == wanted:
                return
            got = arrow.join(fmt.show(e) for e in captured) or "no tracks"
            raise AssertionError(
                "\n".join(
                    [
                        f"Expected exactly these tracks, in order: {order}, but captured: {got}.",
                        *fmt.captured_block(self.messages),
                    ]
                )
            )
        position = 0
        for index, name in enumerate(wanted):
            try:
                position = captured.index(name, position) + 1
            except ValueError:
                done = arrow.join(fmt.show(e) for e in wanted[:index])
                if name not in captured:
                    why = f"{fmt.show(name)} was not captured"
                else:
                    why = f"{fmt.show(name)} was only captured before {fmt.show(wanted[index - 1])}"
                if done:
                    why = f"{done} matched, then {why}"
                raise AssertionError(
                    "\n".join(
                        [
                            f"Expected tracks in this order: {order}, but {why}.",
                            *fmt.captured_block(self.messages),
                        ]
                    )
                ) from None
