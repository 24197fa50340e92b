"""The schemas of a plan as a graph: where ``$ref`` may point, and what validation would walk.

Two kinds of check, both in time linear in the plan:

- **scoping** (``check_refs``): a reference resolves only inside the plan. Each plan file is a
  resource of the plan's ``referencing`` registry under its ``file:`` URI; URLs, absolute paths,
  paths that leave the plan folder, files that are not part of it, ``$id`` and targets that do
  not resolve are plan errors, and nothing is ever fetched or read for them;
- **shape** (``depth_problem``, ``check_graph``): validation recurses once per subschema it
  applies, through ``$ref``s. A reference that applies a schema to the same value it is
  applying (``a: {$ref: b}``, ``b: {allOf: [{$ref: a}]}``) never ends: such a cycle is an
  error. A reference back through ``properties``, ``items`` or another keyword that applies to
  a part of the value is a recursive schema (a tree of nodes) and is fine: the value ends.
  Nesting is limited to ``MAX_SCHEMA_DEPTH`` levels, counting each ``$ref`` as one, and an
  applied schema, with its references expanded, to ``MAX_SCHEMA_SIZE`` subschemas (a chain of
  ``allOf``s of references to the next grows as fast as YAML aliases do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from referencing.exceptions import Unresolvable

from cio_lint.plan.limits import MAX_SCHEMA_DEPTH, MAX_SCHEMA_SIZE

if TYPE_CHECKING:
    from cio_lint.plan.model import SchemaStore

Path = tuple[str | int, ...]

# Keywords whose values are schemas, by how they hold them and what they apply them to: the same
# value (in place), a part of it (down), or nothing until a reference names them (``$defs``).
_IN_PLACE_ONE = frozenset({"not", "if", "then", "else"})
_IN_PLACE_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
_IN_PLACE_MAPS = frozenset({"dependentSchemas"})
_DOWN_ONE = frozenset(
    {
        "additionalProperties",
        "unevaluatedProperties",
        "items",
        "additionalItems",
        "unevaluatedItems",
        "contains",
        "propertyNames",
    }
)
_DOWN_LISTS = frozenset({"prefixItems"})
_DOWN_MAPS = frozenset({"properties", "patternProperties"})
_UNAPPLIED_ONE = frozenset({"contentSchema"})
_UNAPPLIED_MAPS = frozenset({"$defs", "definitions"})
_REFS = ("$ref", "$dynamicRef")

_ONE = _IN_PLACE_ONE | _DOWN_ONE | _UNAPPLIED_ONE
_LISTS = _IN_PLACE_LISTS | _DOWN_LISTS
_MAPS = _IN_PLACE_MAPS | _DOWN_MAPS | _UNAPPLIED_MAPS


def subschemas(schema: object, path: Path) -> Iterator[tuple[Path, Any, str]]:
    """The schemas directly inside ``schema``: ``(path, subschema, keyword)``.

    Only schema positions: ``enum``/``const``/``examples`` are data, and a property that happens
    to be called ``$ref`` is a name, not a reference."""
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key in _MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield (*path, key, name), sub, key
        elif key in _LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                yield (*path, key, i), sub, key
        elif key in _ONE:
            if isinstance(value, list):  # draft 4-7 tuple ``items``
                for i, sub in enumerate(value):
                    yield (*path, key, i), sub, key
            else:
                yield (*path, key), value, key


def walk(schema: object, path: Path) -> Iterator[tuple[Path, Any]]:
    """``schema`` and every schema inside it, with their paths."""
    stack = [(path, schema)]
    while stack:
        here, node = stack.pop()
        yield here, node
        stack.extend((p, s) for p, s, _ in reversed(list(subschemas(node, here))))


_SHOWN = 4  # a problem deep inside is reported this far down, where it can be found


def too_deep() -> str:
    return (
        f"a schema at or below here is nested more than {MAX_SCHEMA_DEPTH} levels deep (each "
        "subschema and each `$ref` is a level), the limit of a plan schema; flatten it"
    )


def depth_problem(schema: object, path: Path) -> Path | None:
    """Where ``schema`` nests deeper than ``MAX_SCHEMA_DEPTH`` (its own nesting; checked before
    the schema meets the meta-schema, whose validation recurses several frames a level)."""
    stack = [(path, schema, 1)]
    while stack:
        here, node, depth = stack.pop()
        if depth > MAX_SCHEMA_DEPTH:
            return here[:_SHOWN]
        stack.extend((p, s, depth + 1) for p, s, _ in subschemas(node, here))
    return None


# --------------------------------------------------------------------------- scoping


def check_refs(
    schemas: Iterable[tuple[Path, Any]], uri: str, store: SchemaStore, root_uri: str
) -> Iterator[tuple[Path, str]]:
    """``(path, message)`` for every reference of the schemas of the file at ``uri`` that does
    not resolve inside the plan (``root_uri``: the plan folder)."""
    resolver = store.resolver(uri)
    known = store.uris
    for prefix, schema in schemas:
        for path, node in walk(schema, prefix):
            if not isinstance(node, dict):
                continue
            for keyword in ("$ref", "$dynamicRef", "$id"):
                ref = node.get(keyword)
                if isinstance(ref, str):
                    message = _scope_problem(keyword, ref, uri, known, root_uri, resolver)
                    if message is not None:
                        yield (*path, keyword), message


def _scope_problem(
    keyword: str, ref: str, uri: str, known: frozenset[str], root_uri: str, resolver: Any
) -> str | None:
    if keyword == "$id":
        return (
            "`$id` is not supported in a plan: references resolve against the plan "
            "file; share schemas through `$defs` and `#/$defs/NAME`"
        )
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        return (
            f"`{keyword}` to `{ref}` is refused: references resolve only inside the "
            "plan and are never fetched; copy the schema into `$defs`"
        )
    if parts.path.startswith(("/", "\\")):
        return (
            f"`{keyword}` to `{ref}` is an absolute path; use a path relative to the "
            "plan file, inside the plan folder"
        )
    document, _ = urldefrag(urljoin(uri, ref))
    if document not in known:
        if document.startswith(root_uri):
            return f"`{keyword}` to `{ref}` names a file that is not part of the plan"
        return f"`{keyword}` to `{ref}` leaves the plan folder"
    try:
        resolver.lookup(ref)
    except (Unresolvable, LookupError, ValueError, TypeError):
        return f"`{keyword}` to `{ref}` does not resolve to anything in the plan"
    return None


# --------------------------------------------------------------------------- shape


@dataclass(frozen=True)
class Root:
    """A schema of a plan file: ``owner`` (the file, opaque here), where it is, and whether
    validation applies it (an event, ``identify``, ``group``) or only references do."""

    owner: object
    path: Path
    schema: Any
    uri: str
    applied: bool


Where = tuple[object, Path]  # (owner, path)
Locate = Callable[[str, str], Where | None]  # (document URI, fragment) -> where it is written
Report = Callable[[object, Path, str], None]


@dataclass(frozen=True)
class _Node:
    schema: Any
    uri: str
    where: Where

    @property
    def key(self) -> tuple[str, int]:
        # No ``$id`` in a plan: what a schema's references mean depends only on its document.
        return (self.uri, id(self.schema))


@dataclass(frozen=True)
class _Edge:
    target: _Node
    in_place: bool
    ref: str | None  # the reference followed, if it is one
    where: Where  # where the edge is written


def pointer(fragment: str) -> Path | None:
    if fragment == "":
        return ()
    if not fragment.startswith("/"):
        return None  # an anchor: not located
    parts = (unquote(p).replace("~1", "/").replace("~0", "~") for p in fragment[1:].split("/"))
    return tuple(int(p) if p.isdigit() else p for p in parts)


class _Graph:
    def __init__(self, roots: list[Root], store: SchemaStore, locate: Locate) -> None:
        self.store = store
        self.locate = locate
        self.known = store.uris
        self._edges: dict[tuple[str, int], list[_Edge]] = {}
        # where each schema is written, to name the target of a reference (an anchor too)
        self.written: dict[int, Where] = {}
        for root in roots:
            for path, schema in walk(root.schema, root.path):
                self.written.setdefault(id(schema), (root.owner, path))

    def edges(self, node: _Node) -> list[_Edge]:
        """What validating against ``node`` applies: its applied subschemas and references."""
        found = self._edges.get(node.key)
        if found is None:
            found = self._edges[node.key] = list(self._find(node))
        return found

    def _find(self, node: _Node) -> Iterator[_Edge]:
        owner, path = node.where
        for sub_path, sub, keyword in subschemas(node.schema, path):
            if keyword in _UNAPPLIED_MAPS or keyword in _UNAPPLIED_ONE:
                continue
            in_place = keyword in _IN_PLACE_ONE | _IN_PLACE_LISTS | _IN_PLACE_MAPS
            target = _Node(sub, node.uri, (owner, sub_path))
            yield _Edge(target, in_place, None, (owner, sub_path))
        if not isinstance(node.schema, dict):
            return
        for keyword in _REFS:
            ref = node.schema.get(keyword)
            if not isinstance(ref, str):
                continue
            document, fragment = urldefrag(urljoin(node.uri, ref))
            if document not in self.known:
                continue  # reported by ``check_refs``
            try:
                resolved = self.store.resolver(node.uri).lookup(ref)
            except (Unresolvable, LookupError, ValueError, TypeError):
                continue
            at = (owner, (*path, keyword))
            path_ = pointer(fragment)
            located = self.written.get(id(resolved.contents))
            if located is None and path_ is not None:
                located = self.locate(document, fragment)
            target = _Node(resolved.contents, document, located or at)
            yield _Edge(target, True, ref, at)


def check_graph(roots: Iterable[Root], store: SchemaStore, locate: Locate, report: Report) -> None:
    """Report every cycle of references that applies a schema to the value it is applying,
    then, if there is none, every applied schema nested too deeply or expanding too far."""
    roots = list(roots)
    graph = _Graph(roots, store, locate)
    if not _cycles(roots, graph, report):
        _depth_and_size(roots, graph, report)


def _cycles(roots: list[Root], graph: _Graph, report: Report) -> bool:
    """Depth-first search of the in-place edges from every schema of the plan (used or not)."""
    state: dict[tuple[str, int], int] = {}  # 1: on the current path, 2: done
    found = False
    for root in roots:
        for path, schema in walk(root.schema, root.path):
            start = _Node(schema, root.uri, (root.owner, path))
            if start.key in state:
                continue
            state[start.key] = 1
            stack: list[tuple[_Node, _Edge | None, Iterator[_Edge]]] = [
                (start, None, iter(graph.edges(start)))
            ]
            while stack:
                node, _, pending = stack[-1]
                edge = next((e for e in pending if e.in_place), None)
                if edge is None:
                    state[node.key] = 2
                    stack.pop()
                    continue
                seen = state.get(edge.target.key)
                if seen == 1:
                    found = True
                    at = next(i for i, (n, _, _) in enumerate(stack) if n.key == edge.target.key)
                    chain = [_show(stack[at][0])]
                    chain += [e.ref for _, e, _ in stack[at + 1 :] if e is not None and e.ref]
                    chain.append(edge.ref or _show(edge.target))
                    report(*edge.where, _cycle_message(edge.ref or "", chain))
                elif seen is None:
                    state[edge.target.key] = 1
                    stack.append((edge.target, edge, iter(graph.edges(edge.target))))
    return found


def _show(node: _Node) -> str:
    _, path = node.where
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _cycle_message(ref: str, chain: list[str]) -> str:
    return (
        f"`$ref` to `{ref}` is a cycle ({' -> '.join(chain)}): each schema applies the next to "
        "the same value, so checking a value would never end; a reference back must go "
        "through `properties`, `items` or another keyword that applies to a part of the value"
    )


class _Over(Exception):
    """One applied schema is over a limit: reported, the rest of it is not walked."""


def _depth_and_size(roots: list[Root], graph: _Graph, report: Report) -> None:
    size: dict[tuple[str, int], int] = {}
    height: dict[tuple[str, int], int] = {}
    active: set[tuple[str, int]] = set()

    def visit(node: _Node, depth: int) -> int:
        key = node.key
        if key in active:
            return 0  # recursion through a part of the value: it ends with the value
        if depth + height.get(key, 1) - 1 > MAX_SCHEMA_DEPTH:
            owner, path = node.where
            report(owner, path[:_SHOWN], too_deep())
            raise _Over
        if key in size:
            return size[key]
        active.add(key)
        total, tallest = 1, 1
        for edge in graph.edges(node):
            total += visit(edge.target, depth + 1)
            tallest = max(tallest, 1 + height.get(edge.target.key, 0))
        active.discard(key)
        size[key], height[key] = total, tallest
        if total > MAX_SCHEMA_SIZE:
            report(
                *node.where,
                f"with its references expanded, this schema has {total:,} subschemas, more than "
                f"{MAX_SCHEMA_SIZE:,} subschemas, the limit of a plan schema (each value is "
                "checked against all of them)",
            )
            raise _Over
        return total

    for root in roots:
        if root.applied:
            try:
                visit(_Node(root.schema, root.uri, (root.owner, root.path)), 1)
            except _Over:
                active.clear()
