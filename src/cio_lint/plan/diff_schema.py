"""Compare two JSON Schemas of one event (or of the traits) keyword by keyword (``plan diff``).

``compare`` walks both schemas together, with their ``$ref``s and ``allOf``s merged in
(``flatten``), and returns ``Delta``s: what changed at which property path, and whether a
message that matched the old schema may now fail the new one (*breaking*) or not
(*compatible*). A change cio-lint cannot judge (``anyOf`` edited, a ``not`` added...) is
reported as breaking, so that a reviewer looks at it rather than trusting silence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from referencing.exceptions import Unresolvable

if TYPE_CHECKING:
    from referencing._core import Resolver

MAX_DEPTH = 32
# Subschemas compared at most per pair of schemas: a recursive schema (a tree of nodes) is
# compared this far, not exponentially far.
MAX_NODES = 5_000
_PLAIN_DEPTH = 4
# In a flattened schema: the definitions its ``$ref``s brought in (``id`` of their contents).
# A pair of definitions met again below itself is a recursive schema, compared once.
REFS = "\0refs"
# Keywords that constrain values and that this module does not compare one by one: a change
# of one of them is "schema-changed". Anything else (annotations, ``x-`` keys, a foreign tool's
# metadata) constrains nothing and is not a change.
_UNCLASSIFIED = frozenset(
    {"anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependentRequired"}
    | {"prefixItems", "contains", "minContains", "maxContains", "patternProperties"}
    | {"propertyNames", "unevaluatedItems", "$dynamicRef", "additionalItems", "dependencies"}
)
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_JSON_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")


@dataclass(frozen=True)
class Delta:
    """One difference: ``path`` is the property path inside the schema (``()`` = the schema
    itself, ``"[]"`` = the items of an array), ``what`` a phrase for the message."""

    kind: str
    breaking: bool
    path: tuple[str, ...]
    before: Any
    after: Any
    what: str


def canonical(value: Any) -> str:
    """A stable text of a JSON value, to compare and sort values of any type."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def show(value: Any) -> str:
    text = canonical(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------- flattening


def flatten(schema: Any, resolver: Resolver[Any] | None, depth: int = 0) -> dict[str, Any]:
    """``schema`` with its ``$ref`` and ``allOf`` parts merged into one mapping: properties
    and ``required`` are united, any other keyword keeps its first value. Each property's
    schema is left as written (``property_schemas`` flattens them with their own resolver)."""
    if isinstance(schema, bool):
        return {} if schema else {"not": {}}
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return {}
    out: dict[str, Any] = {}
    props: dict[str, tuple[Any, Resolver[Any] | None]] = {}
    required: list[str] = []

    def absorb(part: dict[str, Any], part_resolver: Resolver[Any] | None) -> None:
        for key, value in part.items():
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    props.setdefault(str(name), (sub, part_resolver))
            elif key == "items" and isinstance(value, (dict, bool)):
                out.setdefault("items", (value, part_resolver))
            elif key == "required" and isinstance(value, list):
                required.extend(v for v in value if isinstance(v, str) and v not in required)
            elif key not in ("$ref", "allOf"):
                out.setdefault(key, value)

    absorb(schema, resolver)
    ref = schema.get("$ref")
    if isinstance(ref, str) and resolver is not None:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable:
            out.setdefault("$ref", ref)
        else:
            inner = flatten(resolved.contents, resolved.resolver, depth + 1)
            refs = inner.pop(REFS, frozenset())
            out[REFS] = refs | {id(resolved.contents)} | out.get(REFS, frozenset())
            _merge(absorb, inner, resolved.resolver)
    subs = schema.get("allOf")
    if isinstance(subs, list):
        for sub in subs:
            inner = flatten(sub, resolver, depth + 1)
            if REFS in inner:
                out[REFS] = inner.pop(REFS) | out.get(REFS, frozenset())
            _merge(absorb, inner, resolver)
    if props:
        out["properties"] = props
    if required:
        out["required"] = required
    return out


def _merge(absorb: Any, inner: dict[str, Any], resolver: Resolver[Any] | None) -> None:
    props = inner.pop("properties", {})
    absorb(inner, resolver)
    for name, (sub, sub_resolver) in props.items():
        absorb({"properties": {name: sub}}, sub_resolver)


def property_schemas(flat: dict[str, Any], depth: int) -> dict[str, dict[str, Any]]:
    props = flat.get("properties") or {}
    return {name: flatten(sub, res, depth + 1) for name, (sub, res) in props.items()}


def _items(flat: dict[str, Any], depth: int) -> dict[str, Any]:
    sub, resolver = flat.get("items", ({}, None))
    return flatten(sub, resolver, depth + 1)


def plain(flat: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A flattened schema as plain JSON again, for output; below ``_PLAIN_DEPTH`` levels (a
    recursive schema never ends) the subschemas are given as written."""
    out = {k: v for k, v in flat.items() if k not in ("properties", "items", REFS)}
    if depth >= _PLAIN_DEPTH:
        if "items" in flat:
            out["items"] = flat["items"][0]
        if "properties" in flat:
            out["properties"] = {n: sub for n, (sub, _) in flat["properties"].items()}
        return out
    if "items" in flat:
        out["items"] = plain(_items(flat, depth), depth + 1)
    if "properties" in flat:
        props = property_schemas(flat, depth).items()
        out["properties"] = {n: plain(s, depth + 1) for n, s in props}
    return out


# --------------------------------------------------------------------------- comparing


def compare(
    old: Any, new: Any, old_resolver: Resolver[Any] | None, new_resolver: Resolver[Any] | None
) -> list[Delta]:
    """Every difference between two (traits or event) schemas, in a stable order."""
    budget = [MAX_NODES]
    flat_old, flat_new = flatten(old, old_resolver), flatten(new, new_resolver)
    return list(_value(flat_old, flat_new, (), 0, budget, frozenset()))


def _value(
    old: dict[str, Any],
    new: dict[str, Any],
    path: tuple[str, ...],
    depth: int,
    budget: list[int],
    seen: frozenset[tuple[frozenset[int], frozenset[int]]],
) -> Iterator[Delta]:
    budget[0] -= 1
    if depth > MAX_DEPTH or budget[0] < 0:
        return
    pair = (old.get(REFS, frozenset()), new.get(REFS, frozenset()))
    if pair[0] or pair[1]:
        if pair in seen:
            return  # the same definitions again, inside themselves: compared above
        seen = seen | {pair}
    yield from _annotations(old, new, path)
    yield from _types(old, new, path)
    yield from _enums(old, new, path)
    for key, kind in (("const", "const"), ("pattern", "pattern"), ("format", "format")):
        yield from _added_is_narrower(old, new, path, key, kind)
    yield from _bounds(old, new, path)
    if "properties" in old or "properties" in new or _is_object(old) or _is_object(new):
        yield from _object(old, new, path, depth, budget, seen)
    if "items" in old or "items" in new:
        items = _items(old, depth), _items(new, depth)
        yield from _value(*items, (*path, "[]"), depth + 1, budget, seen)
    for key in sorted((old.keys() | new.keys()) & _UNCLASSIFIED):
        if canonical(old.get(key)) == canonical(new.get(key)):
            continue
        yield Delta(
            "schema-changed",
            True,
            path,
            old.get(key),
            new.get(key),
            f"`{key}` changed from {show(old.get(key))} to {show(new.get(key))} "
            "(not classified: review it)",
        )


def _is_object(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def _annotations(
    old: dict[str, Any], new: dict[str, Any], path: tuple[str, ...]
) -> Iterator[Delta]:
    if old.get("description") != new.get("description"):
        yield Delta(
            "description-changed",
            False,
            path,
            old.get("description"),
            new.get("description"),
            "description changed",
        )
    before = (old.get("deprecated") is True, old.get("x-replaced-by"))
    after = (new.get("deprecated") is True, new.get("x-replaced-by"))
    if before != after:
        if after[0] and not before[0]:
            what = "deprecated" + (f", replaced by `{after[1]}`" if after[1] else "")
        elif before[0] and not after[0]:
            what = "no longer deprecated"
        else:
            what = f"replacement changed from `{before[1]}` to `{after[1]}`"
        yield Delta("deprecated", False, path, old.get("deprecated"), new.get("deprecated"), what)


def _type_set(schema: dict[str, Any]) -> set[str] | None:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return None  # any type


def _covered(kind: str, types: set[str] | None) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def _types(old: dict[str, Any], new: dict[str, Any], path: tuple[str, ...]) -> Iterator[Delta]:
    before, after = _type_set(old), _type_set(new)
    if before == after:
        return
    lost = [t for t in (before or _JSON_TYPES) if not _covered(t, after)]
    gained = [t for t in (after or _JSON_TYPES) if not _covered(t, before)]
    shown_before = "any type" if before is None else " or ".join(sorted(before))
    shown_after = "any type" if after is None else " or ".join(sorted(after))
    change = f"type changed from {shown_before} to {shown_after}"
    old_t, new_t = old.get("type"), new.get("type")
    if lost:
        yield Delta("type-narrowed", True, path, old_t, new_t, change)
    elif gained:
        yield Delta("type-widened", False, path, old_t, new_t, change)


def _enums(old: dict[str, Any], new: dict[str, Any], path: tuple[str, ...]) -> Iterator[Delta]:
    before, after = old.get("enum"), new.get("enum")
    if not isinstance(before, list):
        before = None
    if not isinstance(after, list):
        after = None
    if before is None and after is None:
        return
    if before is None:
        yield Delta("enum-narrowed", True, path, None, after, f"enum added: {show(after)}")
        return
    if after is None:
        yield Delta("enum-widened", False, path, before, None, "enum removed (any value allowed)")
        return
    old_keys = {canonical(v) for v in before}
    new_keys = {canonical(v) for v in after}
    lost = [v for v in before if canonical(v) not in new_keys]
    gained = [v for v in after if canonical(v) not in old_keys]
    if lost:
        what = f"enum lost {show(lost)}" + (f", gained {show(gained)}" if gained else "")
        yield Delta("enum-narrowed", True, path, before, after, what)
    elif gained:
        yield Delta("enum-widened", False, path, before, after, f"enum gained {show(gained)}")


def _added_is_narrower(
    old: dict[str, Any], new: dict[str, Any], path: tuple[str, ...], key: str, kind: str
) -> Iterator[Delta]:
    """``const``, ``pattern``, ``format``: added or changed is breaking, removed is not."""
    if key not in old and key not in new:
        return
    before, after = old.get(key), new.get(key)
    if key in old and key in new and canonical(before) == canonical(after):
        return
    if key not in new:
        yield Delta(f"{kind}-removed", False, path, before, None, f"`{key}` {show(before)} removed")
    elif key not in old:
        yield Delta(f"{kind}-added", True, path, None, after, f"`{key}` {show(after)} added")
    else:
        what = f"`{key}` changed from {show(before)} to {show(after)}"
        yield Delta(f"{kind}-changed", True, path, before, after, what)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _bounds(old: dict[str, Any], new: dict[str, Any], path: tuple[str, ...]) -> Iterator[Delta]:
    for keys, tighter in ((_LOWER, 1), (_UPPER, -1)):
        for key in keys:
            before, after = _number(old.get(key)), _number(new.get(key))
            if before == after:
                continue
            shown = f"`{key}` changed from {_fmt(old.get(key))} to {_fmt(new.get(key))}"
            narrowed = before is None or (after is not None and (after - before) * tighter > 0)
            if after is None:
                narrowed = False
            kind = "range-narrowed" if narrowed else "range-widened"
            yield Delta(kind, narrowed, path, old.get(key), new.get(key), shown)
    for key in ("multipleOf", "uniqueItems"):
        before, after = old.get(key), new.get(key)
        if canonical(before) == canonical(after):
            continue
        gone = key not in new or after is False
        kind = "range-widened" if gone else "range-narrowed"
        yield Delta(
            kind,
            not gone,
            path,
            before,
            after,
            f"`{key}` changed from {_fmt(before)} to {_fmt(after)}",
        )


def _fmt(value: Any) -> str:
    return "none" if value is None else show(value)


def closed(schema: dict[str, Any]) -> bool:
    return (
        schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False
    )


def _implicit(schema: dict[str, Any], depth: int) -> dict[str, Any]:
    """What an open schema allows for a property it does not declare."""
    for key in ("additionalProperties", "unevaluatedProperties"):
        if isinstance(schema.get(key), dict):
            return flatten(schema[key], None, depth + 1)
    return {}


def _object(
    old: dict[str, Any],
    new: dict[str, Any],
    path: tuple[str, ...],
    depth: int,
    budget: list[int],
    seen: frozenset[tuple[frozenset[int], frozenset[int]]],
) -> Iterator[Delta]:
    old_props, new_props = property_schemas(old, depth), property_schemas(new, depth)
    old_req, new_req = set(old.get("required") or ()), set(new.get("required") or ())
    if not closed(old) and closed(new):
        yield Delta(
            "properties-closed",
            True,
            path,
            old.get("additionalProperties", True),
            False,
            "`additionalProperties` turned to false (unknown properties are now rejected)",
        )
    elif closed(old) and not closed(new):
        yield Delta(
            "properties-opened",
            False,
            path,
            False,
            new.get("additionalProperties", True),
            "unknown properties are now allowed",
        )
    for key in ("additionalProperties", "unevaluatedProperties"):
        before, after = old.get(key), new.get(key)
        if closed(old) or closed(new) or canonical(before) == canonical(after):
            continue
        if isinstance(before, dict) or isinstance(after, dict):
            what = (
                f"`{key}` changed from {_fmt(before)} to {_fmt(after)} (not classified: review it)"
            )
            yield Delta("schema-changed", True, path, before, after, what)
    for name in sorted(old_props.keys() | new_props.keys() | old_req | new_req):
        at = (*path, name)
        if name in old_props and name not in new_props:
            yield Delta("property-removed", True, at, plain(old_props[name]), None, "removed")
            continue
        if name in new_props and name not in old_props:
            if name in new_req:
                yield Delta(
                    "property-required", True, at, None, plain(new_props[name]),
                    "added as a required property",
                )  # fmt: skip
            else:
                yield Delta("property-added", False, at, None, plain(new_props[name]), "added")
            if name in old_req and name not in new_req:
                yield Delta("required-dropped", False, at, True, False, "no longer required")
            if not closed(old):
                # it could be sent before, with any value (or what the old schema's
                # `additionalProperties` allowed): constraints on it now narrow that
                implicit = _implicit(old, depth)
                for delta in _value(implicit, new_props[name], at, depth + 1, budget, seen):
                    if delta.kind not in ("description-changed", "deprecated"):
                        yield delta
            continue
        if name in old_props:
            yield from _value(old_props[name], new_props[name], at, depth + 1, budget, seen)
        if name in new_req and name not in old_req:
            yield Delta("property-required", True, at, False, True, "now required")
        elif name in old_req and name not in new_req:
            yield Delta("required-dropped", False, at, True, False, "no longer required")
