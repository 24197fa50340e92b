"""The catalogue of ``plan docs``: the plan and the code's resolved calls as plain data.

``collect`` reads the plan's schemas (following ``$ref`` and ``allOf`` within the plan) into
rows a reader understands — type, allowed values, required, description, format/pattern — and
attaches to each event the places the code sends it: file:line, the wrapper it goes through and
the SDK family. Events sent but not planned, planned but never sent, and calls whose event
name cannot be known statically are listed apart. The renderers (``render_html``,
``render_md``) only format this model; everything in it is plain strings, sorted, so the same
plan and code give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from referencing.exceptions import Unresolvable

from cio_lint.model import CallSite, Known, Unknown, alternatives, shown_path

if TYPE_CHECKING:
    from referencing._core import Resolver

    from cio_lint.analysis.link import Resolved
    from cio_lint.plan.model import EventSpec, Plan

_MAX_PARTS = 256  # subschemas merged into one property (the loader bounds the plan anyway)
_MAX_NESTING = 3  # levels of nested object properties shown as rows (`address.city`)
_CONSTRAINTS = (
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
)


@dataclass(frozen=True)
class Site:
    """One place of the code that sends a message."""

    path: str  # relative to the current folder when below it, POSIX separators
    line: int
    sdk: str  # the SDK family (``sdks.Family.name``)
    via: str | None = None  # the wrapper the call goes through
    note: str = ""  # why this call may send nothing (it does not bind to the SDK's signature)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Property:
    """One row of a properties table (nested object properties have dotted names)."""

    name: str
    type: str
    required: bool
    depth: int = 0
    description: str = ""
    values: tuple[str, ...] = ()  # allowed values (``enum``), each as JSON
    const: str | None = None  # the only allowed value, as JSON
    format: str = ""
    pattern: str = ""
    constraints: tuple[str, ...] = ()  # "minimum 0", "maxLength 80"
    ref: str = ""  # the ``$ref`` the schema comes from (`#/$defs/plan`)
    deprecated: bool = False
    matching: bool = False  # ``name`` is a ``patternProperties`` regular expression


@dataclass(frozen=True)
class Entry:
    """A planned event, the identify or group traits, or an event sent but not planned."""

    name: str
    anchor: str
    kind: str  # "event", "identify", "group"
    planned: bool = True
    description: str = ""
    deprecated: bool = False
    replaced_by: str | None = None
    source: str = ""  # file:line of the definition in the plan
    properties: tuple[Property, ...] = ()
    open: bool = False  # properties not listed are allowed
    sites: tuple[Site, ...] = ()
    closest: str | None = None  # for an unplanned event: the planned name most like it


@dataclass(frozen=True)
class Catalogue:
    plan: str  # the plan as given (folder or file)
    events: tuple[Entry, ...]
    identify: Entry | None
    group: Entry | None
    unplanned: tuple[Entry, ...] = ()
    dynamic: tuple[Site, ...] = ()  # track calls whose event name is not known statically
    analyzed: bool = False  # the code was analyzed (else no sites, and nothing is "unsent")
    paths: tuple[str, ...] = ()  # what was analyzed

    @property
    def unemitted(self) -> tuple[Entry, ...]:
        """Planned events no call of the analyzed code sends."""
        if not self.analyzed:
            return ()
        return tuple(e for e in self.events if not any(not s.note for s in e.sites))


# --------------------------------------------------------------------------- anchors


def anchors(names: Iterable[str], prefix: str) -> dict[str, str]:
    """A stable HTML id per name (`Signed Up` -> `event-signed-up`), unique among ``names``:
    names that reduce to the same id get `-2`, `-3`... in sorted order; a name with no ASCII
    letter or digit gets a short hash."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(names):
        slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
        if not slug:
            slug = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        base = f"{prefix}-{slug}"
        anchor, n = base, 1
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        out[name] = anchor
    return out


# --------------------------------------------------------------------------- schemas


def _json(value: object) -> str:
    for sort in (True, False):  # keys of several types cannot be sorted
        try:
            return json.dumps(value, ensure_ascii=False, sort_keys=sort, default=str)
        except (TypeError, ValueError, RecursionError):
            continue
    return repr(value)  # a value that contains itself (YAML anchors)


@dataclass
class _Merged:
    """A schema with the subschemas that always apply with it (``$ref``, ``allOf``) folded in:
    the first value of a keyword wins (the schema's own before what it references)."""

    keywords: dict[str, Any] = field(default_factory=dict)
    children: dict[str, tuple[Any, Resolver[Any]]] = field(default_factory=dict)
    patterns: dict[str, tuple[Any, Resolver[Any]]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: tuple[Any, Resolver[Any]] | None = None
    variants: list[tuple[Any, Resolver[Any]]] = field(default_factory=list)
    ref: str = ""
    resolver: Resolver[Any] | None = None


def _parts(schema: Any, resolver: Resolver[Any]) -> Iterator[tuple[dict[str, Any], Resolver[Any]]]:
    """The schema, then every subschema it applies unconditionally, each with its resolver."""
    stack = [(schema, resolver, 0)]
    seen = 0
    while stack and seen < _MAX_PARTS:
        current, res, depth = stack.pop()
        if not isinstance(current, dict) or depth > 32:
            continue
        seen += 1
        yield current, res
        subs: list[tuple[Any, Resolver[Any], int]] = []
        ref = current.get("$ref")
        if isinstance(ref, str):
            try:
                found = res.lookup(ref)
            except Unresolvable:
                pass
            else:
                subs.append((found.contents, found.resolver, depth + 1))
        all_of = current.get("allOf")
        if isinstance(all_of, list):
            subs.extend((sub, res, depth + 1) for sub in all_of)
        stack.extend(reversed(subs))


def _merge(schema: Any, resolver: Resolver[Any]) -> _Merged:
    merged = _Merged(resolver=resolver)
    for part, res in _parts(schema, resolver):
        ref = part.get("$ref")
        if isinstance(ref, str) and not merged.ref:
            merged.ref = ref
        for key, value in part.items():
            if key not in merged.keywords:
                merged.keywords[key] = value
        props = part.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                if isinstance(name, str):
                    merged.children.setdefault(name, (sub, res))
        pattern_props = part.get("patternProperties")
        if isinstance(pattern_props, dict):
            for name, sub in pattern_props.items():
                if isinstance(name, str):
                    merged.patterns.setdefault(name, (sub, res))
        req = part.get("required")
        if isinstance(req, list):
            merged.required.update(r for r in req if isinstance(r, str))
        items = part.get("items")
        if merged.items is None and isinstance(items, dict):
            merged.items = (items, res)
        for key in ("anyOf", "oneOf"):
            subs = part.get(key)
            if isinstance(subs, list) and not merged.variants:
                merged.variants = [(sub, res) for sub in subs]
    return merged


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def _type_of_value(value: object) -> str:
    if value is None:
        return "null"
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return "array" if isinstance(value, list) else "object"


def _type_text(merged: _Merged, depth: int = 0) -> str:
    kw = merged.keywords
    declared = kw.get("type")
    if isinstance(declared, str):
        names = [declared]
    elif isinstance(declared, list):
        names = [t for t in declared if isinstance(t, str)]
    elif "const" in kw:
        names = [_type_of_value(kw["const"])]
    elif isinstance(kw.get("enum"), list):
        names = list(dict.fromkeys(_type_of_value(v) for v in kw["enum"]))
    elif merged.variants and depth < 2:
        texts = [_type_text(_merge(s, r), depth + 1) for s, r in merged.variants]
        names = list(dict.fromkeys(t for text in texts for t in text.split(" | ")))
    elif merged.children or merged.patterns:
        names = ["object"]
    else:
        return "any"
    if "array" in names and merged.items is not None and depth < 2:
        inner = _type_text(_merge(*merged.items), depth + 1)
        names = [f"array of {inner}" if n == "array" and inner != "any" else n for n in names]
    return " | ".join(names) or "any"


def _constraints(kw: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f"{key} {_json(kw[key])}" for key in _CONSTRAINTS if key in kw)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _rows(
    name: str, schema: Any, resolver: Resolver[Any], required: bool, depth: int, matching: bool
) -> list[Property]:
    merged = _merge(schema, resolver)
    kw = merged.keywords
    enum = kw.get("enum")
    row = Property(
        name=name,
        type=_type_text(merged),
        required=required,
        depth=depth,
        description=_text(kw.get("description")) or _text(kw.get("title")),
        values=tuple(_json(v) for v in enum) if isinstance(enum, list) else (),
        const=_json(kw["const"]) if "const" in kw else None,
        format=_text(kw.get("format")),
        pattern=_text(kw.get("pattern")),
        constraints=_constraints(kw),
        ref=merged.ref,
        deprecated=kw.get("deprecated") is True,
        matching=matching,
    )
    rows = [row]
    if depth + 1 < _MAX_NESTING:
        rows.extend(_children(merged, f"{name}.", depth + 1))
        if merged.items is not None:
            rows.extend(_children(_merge(*merged.items), f"{name}[].", depth + 1))
    return rows


def _children(merged: _Merged, prefix: str, depth: int) -> list[Property]:
    rows: list[Property] = []
    for child, (sub, res) in merged.children.items():
        rows.extend(_rows(prefix + child, sub, res, child in merged.required, depth, False))
    for pattern, (sub, res) in sorted(merged.patterns.items()):
        rows.extend(_rows(prefix + pattern, sub, res, False, depth, True))
    return rows


def _entry(spec: EventSpec, name: str, anchor: str, sites: tuple[Site, ...]) -> Entry:
    merged = _merge(spec.schema, spec.resolver())
    kw = merged.keywords
    closed = kw.get("additionalProperties") is False or kw.get("unevaluatedProperties") is False
    return Entry(
        name=name,
        anchor=anchor,
        kind=spec.kind,
        description=spec.description or "",
        deprecated=spec.deprecated,
        replaced_by=spec.replaced_by,
        source=f"{spec.source}:{spec.line}" if spec.line else spec.source,
        properties=tuple(_children(merged, "", 0)),
        open=not closed,
        sites=sites,
    )


# --------------------------------------------------------------------------- code


def _site(call: CallSite, cwd: Path) -> Site:
    note = "does not bind to the SDK's signature (CIO013)" if call.signature_error else ""
    return Site(shown_path(call.loc.path, cwd), call.loc.line, call.sdk, call.via, note)


@dataclass
class _Sent:
    events: dict[str, set[Site]] = field(default_factory=dict)
    identify: set[Site] = field(default_factory=set)
    group: set[Site] = field(default_factory=set)
    dynamic: set[Site] = field(default_factory=set)


def _sent(resolved: Iterable[Resolved], cwd: Path) -> _Sent:
    sent = _Sent()
    for item in resolved:
        call = item.call
        if call.runtime:
            continue
        site = _site(call, cwd)
        if call.kind == "track" and call.event is not None:
            for alt in alternatives(call.event):
                if isinstance(alt, Known) and isinstance(alt.value, str):
                    sent.events.setdefault(alt.value, set()).add(site)
                elif not (isinstance(alt, Unknown) and alt.reason == "param"):
                    sent.dynamic.add(site)  # a wrapper's body (`param`): its callers name it
        elif call.kind == "identify":
            sent.identify.add(site)
        elif call.kind == "group":
            sent.group.add(site)
        if call.person_traits:  # PostHog's `$set`: identify traits sent with an event
            sent.identify.add(site)
    return sent


def _sorted(sites: Iterable[Site]) -> tuple[Site, ...]:
    return tuple(sorted(sites, key=lambda s: (s.path, s.line, s.via or "", s.sdk, s.note)))


def collect(
    plan: Plan,
    resolved: Iterable[Resolved] | None,
    *,
    plan_shown: str,
    paths: Iterable[str] = (),
    cwd: Path | None = None,
) -> Catalogue:
    """The catalogue of ``plan``; with ``resolved`` (the calls of a lint run), where each event
    is sent, what is sent but not planned, and what is planned but never sent."""
    here = cwd or Path.cwd()
    sent = _sent(resolved, here) if resolved is not None else _Sent()
    unplanned_names = sorted(n for n in sent.events if n not in plan.events)
    event_anchors = anchors([*plan.events, *unplanned_names], "event")
    events = tuple(
        _entry(spec, name, event_anchors[name], _sorted(sent.events.get(name, ())))
        for name, spec in sorted(plan.events.items())
    )
    unplanned = tuple(
        Entry(
            name=name,
            anchor=event_anchors[name],
            kind="event",
            planned=False,
            sites=_sorted(sent.events[name]),
            closest=plan.closest(name),
        )
        for name in unplanned_names
    )

    def traits(kind: str, spec: EventSpec | None, sites: set[Site]) -> Entry | None:
        if spec is not None:
            return _entry(spec, kind, kind, _sorted(sites))
        if sites:
            return Entry(name=kind, anchor=kind, kind=kind, planned=False, sites=_sorted(sites))
        return None

    return Catalogue(
        plan=plan_shown,
        events=events,
        identify=traits("identify", plan.identify, sent.identify),
        group=traits("group", plan.group, sent.group),
        unplanned=unplanned,
        dynamic=_sorted(sent.dynamic),
        analyzed=resolved is not None,
        paths=tuple(paths),
    )
