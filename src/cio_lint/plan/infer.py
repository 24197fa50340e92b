"""What the code sends -> a native YAML tracking plan (``cio-lint plan init``).

``infer_plan`` reads the resolved calls of a lint run (``LintResult.resolved``) and describes
every statically known track event, the identify traits and the group traits: for each key, a
JSON Schema inferred from the values seen (a few literals -> ``const``/``enum``, else the JSON
type; a value not known statically -> no constraint), ``required`` = the keys sent at every
site, a ``description: TODO`` and ``x-emitted-at``. Nothing is merged or guessed silently: names
equal ignoring case and separators are both kept, a key sent with different types gets a
``type`` union, and each such conflict is written as a comment next to it and returned as a note.
With a workspace snapshot (``--from-workspace``), ``infer_workspace.seed`` adds the journeys'
trigger events, their Liquid properties and the profile attributes they render.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cio_lint.model import (
    CallSite,
    DictVal,
    Known,
    Unknown,
    Val,
    alternatives,
    shown_site,
)
from cio_lint.plan.model import normalize_name

if TYPE_CHECKING:
    from cio_lint.analysis.link import Resolved
    from cio_lint.workspace.snapshot import Snapshot

MAX_ENUM = 5  # more distinct literals than this: the JSON type, not an enum
_LITERAL = (bool, int, float, str, type(None))
_UNKNOWN_REASONS = {
    "str": "built at run time",
    "unresolved": "its definition is not in the scanned code",
    "subscript": "looked up at run time",
    "loop": "a loop variable",
}


@dataclass
class _Key:
    """Every value one property (or trait) key was seen with, each with its site."""

    values: list[tuple[Val, str]] = field(default_factory=list)
    comment: str | None = None  # written above the key (where a key no code sends comes from)


@dataclass
class _Target:
    """One event, or the identify / group traits: what every site sends."""

    sites: set[str] = field(default_factory=set)
    keys: dict[str, _Key] = field(default_factory=dict)
    shapes: list[frozenset[str] | None] = field(default_factory=list)  # None: keys not all known
    hidden: set[str] = field(default_factory=set)  # sites whose keys are not all visible
    journeys: list[str] = field(default_factory=list)  # ``x-journeys``: the journeys it triggers
    conflicts: list[str] = field(default_factory=list)  # written above the event

    def add(self, site: str, dicts: Sequence[DictVal], whole: bool = True) -> None:
        self.sites.add(site)
        if not dicts:
            dicts = [DictVal(open=True)]
        for shape in dicts:
            for key, value, _ in shape.items:
                self.keys.setdefault(key, _Key()).values.append((value, site))
            if shape.open:
                self.hidden.add(site)
            if whole:
                self.shapes.append(frozenset(shape.keys()))

    def required(self) -> list[str]:
        shapes = [s for s in self.shapes if s is not None]
        if not shapes:
            return []
        return sorted(frozenset.intersection(*shapes))


@dataclass
class Inferred:
    """The plan written (``text``, YAML with comments), its data, and what to tell the user."""

    text: str
    data: dict[str, Any]
    notes: list[str]
    events: int
    from_workspace: int = 0  # events that are journey triggers (``--from-workspace``)


def _dicts(value: Val | None) -> list[DictVal]:
    from cio_lint.rules.properties import property_dicts

    return list(property_dicts(value))


def infer_plan(
    resolved: Iterable[Resolved], cwd: Path, workspace: Snapshot | None = None
) -> Inferred:
    """The plan that describes ``resolved`` (the calls of one lint run) and, when given, the
    journey triggers and Liquid variables of ``workspace`` (``infer_workspace.py``)."""
    events: dict[str, _Target] = {}
    identify, group = _Target(), _Target()
    notes: list[str] = []
    for item in resolved:
        call = item.call
        if item.flow_only or call.signature_error or call.runtime:
            continue  # no message sent by this call, or not from the code
        site = shown_site(call.loc, cwd)
        if call.kind == "track":
            for name in _event_names(call, site, notes):
                events.setdefault(name, _Target()).add(site, _dicts(call.properties))
        elif call.kind in ("identify", "group"):
            (identify if call.kind == "identify" else group).add(site, _dicts(call.properties))
        for update in call.person_traits:  # PostHog's `$set`: partial identify updates
            dicts = [d for d in _dicts(update) if d.items or d.open]
            if dicts:
                identify.add(site, dicts, whole=False)
    triggers = 0
    if workspace is not None:
        from cio_lint.plan.infer_workspace import seed

        triggers = seed(workspace, events, identify, notes)
    inferred = _render(events, identify, group, notes, workspace is not None)
    inferred.from_workspace = triggers
    return inferred


def _event_names(call: CallSite, site: str, notes: list[str]) -> list[str]:
    names = []
    for alt in alternatives(call.event) if call.event is not None else []:
        if isinstance(alt, Known) and isinstance(alt.value, str):
            names.append(alt.value)
        elif isinstance(alt, Unknown) and alt.reason == "param":
            continue  # a wrapper's body: its callers' names are the events
        else:
            why = (
                _UNKNOWN_REASONS.get(alt.reason, "computed at run time")
                if isinstance(alt, Unknown)
                else "not a string"
            )
            notes.append(
                f"{site}: event name cannot be determined statically ({why}): not written to "
                "the plan; send a constant, or add the event by hand"
            )
    return names


# --------------------------------------------------------------------------- key schemas

_TYPE_OF = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def _json_type(value: Val) -> str | None:
    """The JSON type of a statically known value, ``None`` when it is not known."""
    if isinstance(value, DictVal):
        return "object"
    if not isinstance(value, Known):
        return None
    python = value.value
    if python is None:
        return "null"
    for kind, name in _TYPE_OF:
        if isinstance(python, kind):
            return name
    if isinstance(python, (list, tuple)):
        return "array"
    if isinstance(python, dict):
        return "object"
    return None


def _key_schema(name: str, key: _Key) -> tuple[dict[str, Any], str | None]:
    """The schema of one key and, when its sites disagree on the type, the conflict."""
    leaves = [(leaf, site) for value, site in key.values for leaf in alternatives(value)]
    types: dict[str, set[str]] = {}
    unknown = False
    literals: list[Any] = []
    for leaf, site in leaves:
        kind = _json_type(leaf)
        if kind is None:
            unknown = True
            continue
        types.setdefault(kind, set()).add(site)
        if isinstance(leaf, Known) and isinstance(leaf.value, _LITERAL):
            marker = (type(leaf.value), leaf.value)
            if marker not in {(type(x), x) for x in literals}:
                literals.append(leaf.value)
        else:
            literals.append(_NOT_LITERAL)
    if "integer" in types and "number" in types:  # every integer is a number
        types["number"] |= types.pop("integer")
    conflict = None
    real = sorted(t for t in types if t != "null")
    if len(real) > 1:
        seen = "; ".join(f"{t} at {', '.join(sorted(types[t]))}" for t in real)
        conflict = f"`{_one_line(name)}` is sent with different types: {seen}"
    if unknown or not types:
        return {}, conflict  # a value cio-lint cannot see may be anything
    if _NOT_LITERAL not in literals and len(literals) <= MAX_ENUM:
        if len(literals) == 1:
            return {"const": literals[0]}, conflict
        return {"enum": literals}, conflict
    names = sorted(types)
    return {"type": names[0] if len(names) == 1 else names}, conflict


_NOT_LITERAL = object()


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


# --------------------------------------------------------------------------- writing


def _flow(value: Any) -> str:
    """``value`` as one line of YAML (flow style), read back as the same value."""
    text = yaml.safe_dump(
        value, default_flow_style=True, width=2**30, allow_unicode=True, sort_keys=False
    )
    text = text.removesuffix("\n").removesuffix("\n...")
    if "\n" in text or yaml.safe_load(text) != value:
        text = json.dumps(value)  # JSON is YAML, and always one line
    return text


@dataclass
class _Writer:
    lines: list[str] = field(default_factory=list)

    def comment(self, indent: int, text: str) -> None:
        self.lines.append(f"{' ' * indent}# {_one_line(text)}")

    def entry(self, indent: int, key: str, value: Any = None, *, block: bool = False) -> None:
        head = f"{' ' * indent}{_flow(key)}:"
        self.lines.append(head if block else f"{head} {_flow(value)}")


def _schema(
    target: _Target, title: str, writer: _Writer, indent: int, notes: list[str]
) -> dict[str, Any]:
    """Write one event (or traits) schema at ``indent``; return its data."""
    data: dict[str, Any] = {"description": "TODO"}
    writer.entry(indent, "description", "TODO")
    if target.journeys:
        data["x-journeys"] = list(target.journeys)
        writer.entry(indent, "x-journeys", data["x-journeys"])
    sites = sorted(target.sites, key=_site_order)
    if sites:  # none: an event only the workspace names (a journey trigger no code sends)
        data["x-emitted-at"] = sites
        writer.entry(indent, "x-emitted-at", block=True)
        writer.lines.extend(f"{' ' * indent}  - {_flow(site)}" for site in sites)
    if target.hidden:
        hidden = ", ".join(sorted(target.hidden, key=_site_order))
        writer.comment(
            indent,
            f"not every key is visible statically at {hidden}: the pytest plugin "
            "(--cio-plan) sees the rest; add them here",
        )
    if target.keys:
        props: dict[str, Any] = {}
        writer.entry(indent, "properties", block=True)
        for key in sorted(target.keys):
            schema, conflict = _key_schema(key, target.keys[key])
            if target.keys[key].comment:
                writer.comment(indent + 2, target.keys[key].comment or "")
            if conflict:
                writer.comment(indent + 2, f"conflict: {conflict}")
                notes.append(f"conflict in {title}: {conflict}")
            props[key] = schema
            writer.entry(indent + 2, key, schema)
        data["properties"] = props
    required = target.required()
    if required:
        data["required"] = required
        writer.entry(indent, "required", required)
    return data


def _site_order(site: str) -> tuple[str, int]:
    path, _, line = site.rpartition(":")
    return path, int(line)


def _render(
    events: dict[str, _Target],
    identify: _Target,
    group: _Target,
    notes: list[str],
    workspace: bool = False,
) -> Inferred:
    writer = _Writer()
    if workspace:
        writer.comment(0, "Written by `cio-lint plan init --from-workspace` from what the code")
        writer.comment(0, "sends and the journeys of the workspace snapshot. Review it:")
    else:
        writer.comment(0, "Written by `cio-lint plan init` from what the code sends. Review it:")
    writer.comment(0, "replace each `description: TODO`, settle each `conflict:` comment, and")
    writer.comment(0, "check that every const/enum lists all the values the event may carry.")
    data: dict[str, Any] = {"version": 1}
    writer.entry(0, "version", 1)
    for kind, target in (("identify", identify), ("group", group)):
        if target.sites or target.keys:
            writer.entry(0, kind, block=True)
            data[kind] = _schema(target, f"`{kind}`", writer, 2, notes)
    by_normal: dict[str, list[str]] = {}
    for name in events:
        by_normal.setdefault(normalize_name(name), []).append(name)
    out: dict[str, Any] = {}
    if events:
        writer.entry(0, "events", block=True)
    else:  # a plan needs one of its sections: an empty one, for the events to come
        writer.entry(0, "events", {})
    for name in sorted(events, key=lambda n: (normalize_name(n), n)):
        others = [n for n in sorted(by_normal[normalize_name(name)]) if n != name]
        if others:
            listed = " and ".join(f"`{_one_line(n)}`" for n in others)
            writer.comment(
                2,
                f"conflict: `{_one_line(name)}` and {listed} are the same name ignoring case and "
                "separators, and different events to Customer.io: keep one, rename the others' "
                "sites, and delete the others here",
            )
            if name == min(by_normal[normalize_name(name)]):
                everyone = " and ".join(f"`{_one_line(n)}`" for n in [name, *others])
                notes.append(
                    f"conflict: events {everyone} are the same name ignoring case and "
                    "separators: both written, keep one"
                )
        for conflict in events[name].conflicts:
            writer.comment(2, f"conflict: {conflict}")
        writer.entry(2, name, block=True)
        out[name] = _schema(events[name], f"`{_one_line(name)}`", writer, 4, notes)
    data["events"] = out
    return Inferred("\n".join(writer.lines) + "\n", data, notes, len(events))
