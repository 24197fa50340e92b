"""Validate captured messages with the static rules, so a property means the same in both.

Each message becomes a ``CallSite`` whose values are all ``Known`` (``runtime=True``) and goes
through ``cio_lint.rules.check_call`` with the same plan the CLI uses. Runtime CIO003 is
checked here: a track for a user id that no earlier identify in the test named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from cio_lint import sdks
from cio_lint.capture import _format as fmt
from cio_lint.capture._sites import Site
from cio_lint.model import CallKind, CallSite, DictVal, Finding, Known, Location

if TYPE_CHECKING:
    from cio_lint.workspace.snapshot import Snapshot

Message = Mapping[str, Any]
CheckCall = Callable[[CallSite, Any], Iterable[Finding]]

_KINDS = frozenset(get_args(CallKind))
_RUNTIME_LOCATION = "<runtime>"


Place = Callable[[tuple[Site, ...]], "str | None"]  # a message's sites -> where to say it was sent
_PLACES_SHOWN = 3


@dataclass(frozen=True)
class Violation:
    finding: Finding
    message: Message
    count: int = 1
    # for each merged message, the project's frames that sent it (innermost first)
    sites: tuple[tuple[Site, ...], ...] = ()

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def key(self) -> tuple[str, str, str]:
        """Identical violations (same finding on the same kind of message) share a key."""
        return (self.finding.code, self.finding.message, describe(self.message))

    def render(self, place: Place | None = None) -> str:
        """``CIO006 Property `currency` of ...  (track `Order Completed`, user `u1`)``, then
        `` x2`` for merged messages and, with ``place``, `` at app/shop.py:12`` for where each
        was sent from."""
        text = f"{self.finding.code} {self.finding.message}  ({describe(self.message)})"
        if self.count != 1:
            text = f"{text} x{self.count}"
        if place is not None:
            shown = list(dict.fromkeys(p for s in self.sites if s and (p := place(s))))
            if shown:
                more = len(shown) - _PLACES_SHOWN
                text += " at " + ", ".join(shown[:_PLACES_SHOWN])
                text += f" and {more} more" if more > 0 else ""
        return text


def describe(msg: Message) -> str:
    kind = str(msg.get("type"))
    parts = [kind]
    if kind == "track":
        parts[0] = f"track {fmt.show(msg.get('event'))}"
    elif kind in ("page", "screen") and msg.get("name"):
        parts[0] = f"{kind} {fmt.show(msg.get('name'))}"
    elif kind == "transactional" and msg.get("transactionalMessageId") is not None:
        channel = f"{msg.get('channel')} " if msg.get("channel") else ""
        parts[0] = f"transactional {channel}{fmt.show(msg.get('transactionalMessageId'))}"
    if msg.get("userId") is not None:
        parts.append(f"user {fmt.show(msg.get('userId'))}")
    elif msg.get("anonymousId") is not None:
        parts.append(f"anonymous id {fmt.show(msg.get('anonymousId'))}")
    return ", ".join(parts)


def _dict_val(value: Any, loc: Location) -> DictVal:
    items = value.items() if isinstance(value, Mapping) else ()
    return DictVal(
        items=tuple((str(k), Known(v, loc=loc), None) for k, v in items), open=False, loc=loc
    )


# ``sdk`` of a captured message (``Module.runtime_label``) -> its family, from the registry
_BY_LABEL: dict[str, sdks.Family] = {
    m.runtime_label: f for f in sdks.FAMILIES for m in f.modules if m.runtime_label
}
_DEFAULT = sdks.family("segment-family")


def family_of(msg: Message) -> sdks.Family:
    """The family a captured message came through (the Segment shape's own, if unknown)."""
    return _BY_LABEL.get(str(msg.get("sdk")), _DEFAULT)


def to_callsite(msg: Message, path: str = _RUNTIME_LOCATION) -> CallSite | None:
    """The ``CallSite`` a captured message stands for (``None`` for kinds the rules skip)."""
    kind = msg.get("type")
    if not isinstance(kind, str) or kind not in _KINDS:
        return None
    loc = Location(path or _RUNTIME_LOCATION, 0, 0, 0, 0)
    payload = msg.get("traits") if kind in ("identify", "group") else msg.get("properties")
    user_id = msg.get("userId")
    anonymous_id = msg.get("anonymousId")
    event = msg.get("event") if kind == "track" else None
    return CallSite(
        kind=kind,  # type: ignore[arg-type]  # checked against CallKind above
        sdk=family_of(msg).name,
        loc=loc,
        user_id=Known(user_id, loc=loc) if user_id is not None else None,
        anonymous_id=Known(anonymous_id, loc=loc) if anonymous_id is not None else None,
        event=Known(event, loc=loc) if kind == "track" else None,
        properties=_dict_val(payload, loc) if payload is not None or kind != "alias" else None,
        snippet=describe(msg),
        runtime=True,
    )


def track_before_identify(messages: Sequence[Message], path: str) -> list[Violation]:
    """Runtime CIO003: the first track of each user id that no earlier identify named."""
    identified: set[str] = set()
    reported: set[str] = set()
    out: list[Violation] = []
    for msg in messages:
        user = msg.get("userId")
        if user is None:
            continue
        user = str(user)
        if not family_of(msg).needs_identify:
            continue  # the vendor makes the person from the event (PostHog)
        if msg.get("type") == "identify":
            identified.add(user)
        elif msg.get("type") == "track" and user not in identified and user not in reported:
            reported.add(user)
            event = msg.get("event")
            finding = Finding(
                code="CIO003",
                name="track-before-identify",
                severity="error",
                message=(
                    f"Track of {fmt.show(event)} for user {fmt.show(user)} before any identify "
                    f"of {fmt.show(user)} in this test"
                ),
                path=path,
                line=0,
                column=0,
                end_line=0,
                end_column=0,
            )
            out.append(Violation(finding, msg))
    return out


def validate(
    messages: Sequence[Message],
    plan: Any,
    *,
    path: str = _RUNTIME_LOCATION,
    check_call: CheckCall | None = None,
    ignore: Iterable[str] = (),
    sites_of: Callable[[Message], tuple[Site, ...]] | None = None,
    snapshot: Snapshot | None = None,
) -> list[Violation]:
    """Every violation in ``messages``, in capture order, identical ones merged (with the
    sites ``sites_of`` gives for each message); with a workspace ``snapshot``, transactional
    sends are checked against it too (CIO305/CIO306)."""
    if check_call is None:
        from cio_lint.rules import check_call as rules_check_call

        check_call = rules_check_call
    ignored = tuple(code.upper() for code in ignore)
    found: list[Violation] = []
    runtime_cio003 = {id(v.message): v for v in track_before_identify(messages, path)}
    for msg in messages:
        call = to_callsite(msg, path)
        if call is not None:
            for finding in check_call(call, plan):
                if finding.code != "CIO003":  # the static flow check does not apply here
                    found.append(Violation(finding, msg))
        if id(msg) in runtime_cio003:
            found.append(runtime_cio003[id(msg)])
        if snapshot is not None:
            from cio_lint.capture.workspace_check import send_findings

            found.extend(Violation(f, msg) for f in send_findings(msg, snapshot, path))
    merged: dict[tuple[str, str, str], Violation] = {}
    for v in found:
        if ignored and v.finding.code.upper().startswith(ignored):
            continue
        where = (sites_of(v.message),) if sites_of is not None else ()
        if v.key in merged:
            prev = merged[v.key]
            merged[v.key] = Violation(
                prev.finding, prev.message, prev.count + 1, prev.sites + where
            )
        else:
            merged[v.key] = Violation(v.finding, v.message, v.count, where)
    return list(merged.values())
