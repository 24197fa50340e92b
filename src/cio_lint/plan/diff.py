"""Two loaded plans -> the list of changes between them, each breaking or compatible.

*Breaking* means a message that matched the old plan may fail the new one (or the code now
sends an event the plan no longer has): an event removed or renamed, a property removed, a
type, enum, ``const``, ``pattern``, bound or ``format`` narrowed, a property newly required,
``additionalProperties`` turned to false; for events and the identify/group traits alike.
*Compatible* changes (an event or optional property added, a type widened, enum values added,
``required`` dropped, descriptions and deprecations) are listed too. Pure: nothing here reads
files or code; the command adds the code sites (``diff_sites.py``) and renders
(``diff_report.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urldefrag

from cio_lint.plan.diff_schema import Delta, compare, flatten, plain, property_schemas
from cio_lint.plan.model import EventSpec, Plan, normalize_name

if TYPE_CHECKING:
    from referencing._core import Resolver

Scope = Literal["event", "identify", "group"]

#: Every kind of change, in the order a report lists them, and whether it is breaking.
KINDS: dict[str, bool] = {
    "event-removed": True,
    "event-renamed": True,
    "traits-added": True,
    "property-removed": True,
    "property-required": True,
    "properties-closed": True,
    "type-narrowed": True,
    "enum-narrowed": True,
    "const-added": True,
    "const-changed": True,
    "pattern-added": True,
    "pattern-changed": True,
    "format-added": True,
    "format-changed": True,
    "range-narrowed": True,
    "schema-changed": True,
    "event-added": False,
    "traits-removed": False,
    "property-added": False,
    "required-dropped": False,
    "properties-opened": False,
    "type-widened": False,
    "enum-widened": False,
    "const-removed": False,
    "pattern-removed": False,
    "format-removed": False,
    "range-widened": False,
    "deprecated": False,
    "description-changed": False,
}


@dataclass(frozen=True)
class Change:
    """One change between the old and the new plan.

    ``event`` is the event's name in the new plan (in the old one when removed), or
    ``identify``/``group`` for the traits (``scope`` tells which); ``old_event`` is its old
    name when it was renamed. ``property`` is a dotted path (``items.[]`` for array items),
    ``None`` for a change of the event itself. ``before``/``after`` are JSON values (a
    schema, a list of enum values...). Locations are ``file:line`` of the event in each plan.
    ``sites`` are the code's ``file:line`` that a breaking change affects (filled in later).
    """

    kind: str
    breaking: bool
    event: str
    property: str | None
    before: Any
    after: Any
    message: str
    old_loc: str | None
    new_loc: str | None
    scope: Scope = "event"
    old_event: str | None = None
    sites: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "breaking": self.breaking,
            "scope": self.scope,
            "event": self.event,
            "old_event": self.old_event,
            "property": self.property,
            "before": self.before,
            "after": self.after,
            "message": self.message,
            "old_location": self.old_loc,
            "new_location": self.new_loc,
            "sites": list(self.sites),
        }


def location(spec: EventSpec | None) -> str | None:
    if spec is None:
        return None
    return f"{spec.source}:{spec.line}" if spec.line is not None else spec.source


def resolver(spec: EventSpec) -> Resolver[Any]:
    """The resolver of ``$ref``s written in ``spec``'s schema (its plan's own registry)."""
    return spec._store.resolver(urldefrag(spec._uri).url)


def diff_plans(old: Plan, new: Plan) -> list[Change]:
    """Every change from ``old`` to ``new``: events (renames detected), then the traits."""
    changes: list[Change] = []
    removed = sorted(set(old.events) - set(new.events))
    added = sorted(set(new.events) - set(old.events))
    renames = _renames(old, new, removed, added)
    for name in removed:
        spec = old.events[name]
        if name in renames:
            target = renames[name]
            changes.append(
                Change(
                    "event-renamed",
                    True,
                    target,
                    None,
                    name,
                    target,
                    f"Event `{name}` renamed to `{target}`: code that sends `{name}` is now "
                    "unplanned",
                    location(spec),
                    location(new.events[target]),
                    old_event=name,
                )
            )
            changes.extend(_compare(spec, new.events[target], "event", old_event=name))
        else:
            changes.append(
                Change(
                    "event-removed",
                    True,
                    name,
                    None,
                    plain(flatten(spec.schema, resolver(spec))),
                    None,
                    f"Event `{name}` removed",
                    location(spec),
                    None,
                )
            )
    for name in sorted(set(old.events) & set(new.events)):
        changes.extend(_compare(old.events[name], new.events[name], "event"))
    for name in added:
        if name not in renames.values():
            spec = new.events[name]
            what = f"Event `{name}` added"
            after = plain(flatten(spec.schema, resolver(spec)))
            changes.append(
                Change("event-added", False, name, None, None, after, what, None, location(spec))
            )
    for scope in ("identify", "group"):
        changes.extend(_traits(scope, getattr(old, scope), getattr(new, scope)))
    return changes


def _property_names(spec: EventSpec) -> frozenset[str]:
    return frozenset(property_schemas(flatten(spec.schema, resolver(spec)), 0))


def _renames(old: Plan, new: Plan, removed: list[str], added: list[str]) -> dict[str, str]:
    """Removed event -> added event judged to be the same one renamed: equal ignoring case and
    separators, else the only added event with exactly the same (non-empty) property names."""
    renames: dict[str, str] = {}
    free = list(added)
    for name in removed:
        match = next((a for a in free if normalize_name(a) == normalize_name(name)), None)
        if match is not None:
            renames[name] = match
            free.remove(match)
    props_new = {a: _property_names(new.events[a]) for a in free}
    for name in removed:
        if name in renames:
            continue
        props = _property_names(old.events[name])
        same = [a for a in free if props and props_new[a] == props]
        rivals = [
            r for r in removed if r not in renames and _property_names(old.events[r]) == props
        ]
        if len(same) == 1 and len(rivals) == 1:
            renames[name] = same[0]
            free.remove(same[0])
    return renames


def _label(scope: Scope, event: str, prop: tuple[str, ...]) -> str:
    path = ".".join(prop)
    if scope == "event":
        return f"Property `{path}` of `{event}`" if prop else f"Event `{event}`"
    return f"Trait `{path}` of {scope}" if prop else f"The {scope} traits"


def _compare(
    old: EventSpec, new: EventSpec, scope: Scope, old_event: str | None = None
) -> Iterator[Change]:
    deltas: list[Delta] = compare(old.schema, new.schema, resolver(old), resolver(new))
    for delta in deltas:
        breaking = KINDS.get(delta.kind, delta.breaking)
        yield Change(
            delta.kind,
            breaking,
            new.name,
            ".".join(delta.path) or None,
            delta.before,
            delta.after,
            f"{_label(scope, new.name, delta.path)}: {delta.what}",
            location(old),
            location(new),
            scope,
            old_event,
        )


def _traits(scope: Scope, old: EventSpec | None, new: EventSpec | None) -> Iterator[Change]:
    if old is not None and new is not None:
        yield from _compare(old, new, scope)
    elif old is not None:
        before = plain(flatten(old.schema, resolver(old)))
        what = f"The {scope} traits schema removed (traits are no longer checked)"
        yield Change(
            "traits-removed", False, scope, None, before, None, what, location(old), None, scope
        )
    elif new is not None:
        after = plain(flatten(new.schema, resolver(new)))
        what = f"The {scope} traits schema added (the traits the code sends are now checked)"
        yield Change(
            "traits-added", True, scope, None, None, after, what, None, location(new), scope
        )


def summary(changes: list[Change]) -> tuple[int, int]:
    """``(breaking, compatible)`` counts."""
    breaking = sum(1 for c in changes if c.breaking)
    return breaking, len(changes) - breaking


def declared_names(plan: Plan) -> dict[tuple[str, str], frozenset[str]]:
    """``(scope, name)`` -> the property (or trait) names ``plan`` declares there."""
    out = {("event", name): _property_names(spec) for name, spec in plan.events.items()}
    for scope in ("identify", "group"):
        spec = getattr(plan, scope)
        if spec is not None:
            out[(scope, scope)] = _property_names(spec)
    return out
