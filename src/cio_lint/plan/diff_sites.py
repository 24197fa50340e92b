"""The code sites a breaking plan change affects (``plan diff``), from a lint run's resolved calls.

A site is a call (an SDK call or a wrapper's) that sends the event concerned, by its old or its
new name: for a removed or renamed event, every such call; for a property removed or changed,
the calls that set that property (its top-level key); for a property newly required, the calls
that do not set it; for ``additionalProperties`` turned off, the calls that set a property the
new plan does not declare. Identify and group traits likewise, with PostHog's ``$set`` updates
counted as identify traits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cio_lint.model import (
    MISSING,
    CallSite,
    DictVal,
    Known,
    alternatives,
    shown_site,
    val_to_python,
)
from cio_lint.plan.diff import Change, declared_names
from cio_lint.plan.model import EventSpec, Plan

# Changes of what a value may be: a call whose values are all known and still valid is not hit.
_VALUE_KINDS = frozenset(
    {"type-narrowed", "enum-narrowed", "const-added", "const-changed", "pattern-added"}
    | {"pattern-changed", "format-added", "format-changed", "range-narrowed"}
)

if TYPE_CHECKING:
    from cio_lint.analysis.link import Resolved


def _dicts(call: CallSite, scope: str) -> list[DictVal]:
    from cio_lint.rules.properties import property_dicts

    if scope == "event" or call.kind == scope:
        return list(property_dicts(call.properties))
    found: list[DictVal] = []
    if scope == "identify":
        for update in call.person_traits:
            found.extend(d for d in property_dicts(update) if d.items or d.open)
    return found


def _keys(d: DictVal) -> set[str]:
    return {key for key, _, _ in d.items}


def _names(call: CallSite) -> set[str]:
    if call.event is None:
        return set()
    return {
        alt.value
        for alt in alternatives(call.event)
        if isinstance(alt, Known) and isinstance(alt.value, str)
    }


def _concerns(call: CallSite, change: Change) -> bool:
    if change.scope == "event":
        names = {change.event, change.old_event} - {None}
        return call.kind == "track" and bool(_names(call) & names)
    if change.scope == "identify":
        return call.kind == "identify" or bool(call.person_traits)
    return call.kind == "group"


def _still_valid(d: DictVal, top: str, spec: EventSpec | None) -> bool:
    """Whether every value ``d`` may give ``top`` is known and valid in the new plan."""
    value = d.get(top)
    if spec is None or value is None:
        return False
    for alt in alternatives(value):
        known = val_to_python(alt)
        if known is MISSING or spec.value_errors(top, known):
            return False
    return True


def _affected(
    call: CallSite, change: Change, declared: frozenset[str] | None, spec: EventSpec | None
) -> bool:
    """Whether ``call`` (which sends the event or traits of ``change``) is hit by it."""
    if change.property is None and change.kind != "properties-closed":
        return True  # the event (or the traits schema) itself
    dicts = _dicts(call, change.scope)
    if change.kind == "properties-closed":
        if change.property is None:
            return any(k not in (declared or frozenset()) for d in dicts for k in _keys(d))
        top = change.property.split(".")[0]
        return any(top in _keys(d) for d in dicts)
    top = (change.property or "").split(".")[0]
    if change.kind == "property-required" and top == change.property:
        return any(not d.open and top not in _keys(d) for d in dicts)
    if change.kind in _VALUE_KINDS:
        return any(top in _keys(d) and not _still_valid(d, top, spec) for d in dicts)
    return any(top in _keys(d) for d in dicts)


def with_sites(
    changes: Iterable[Change],
    resolved: Iterable[Resolved],
    cwd: Path,
    new: Plan,
) -> list[Change]:
    """``changes`` (from a plan to ``new``) with the ``sites`` of each breaking one filled
    in, sorted and unique. A call whose value of the property is known and valid in ``new``
    is not a site of a narrowed type, enum, pattern..."""
    declared = declared_names(new)
    calls = [
        item.call
        for item in resolved
        if not (item.flow_only or item.call.signature_error or item.call.runtime)
    ]
    out = []
    for change in changes:
        if not change.breaking:
            out.append(change)
            continue
        known = declared.get((change.scope, change.event))
        spec = (
            new.events.get(change.event) if change.scope == "event" else getattr(new, change.scope)
        )
        found = {shown_site(c.loc, cwd) for c in _hits(calls, change, known, spec)}
        out.append(replace(change, sites=tuple(sorted(found, key=_site_key))))
    return out


def _hits(
    calls: list[CallSite],
    change: Change,
    declared: frozenset[str] | None,
    spec: EventSpec | None,
) -> Iterator[CallSite]:
    for call in calls:
        if _concerns(call, change) and _affected(call, change, declared, spec):
            yield call


def _site_key(text: str) -> tuple[str, int]:
    path, _, line = text.rpartition(":")
    return path, int(line) if line.isdigit() else 0
