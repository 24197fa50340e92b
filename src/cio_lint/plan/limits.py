"""The resource limits of a plan file: its size, its nesting, what its YAML aliases expand to.

A plan is data that cio-lint trusts to be small; these limits make that true before anything
walks the data (all of it is walked: line numbers, meta-schema, schema checks, validation).
Each is far above what real plans use (the largest of the real-world plans we test on is 63 KB,
nested 15 levels, with no aliases) and each is checked in time linear in what is written:

- a file over ``MAX_FILE_BYTES`` is not read;
- a YAML document is checked as composed nodes, before it is constructed: a node that is its
  own ancestor is a recursive alias, and the document, with every alias expanded, may be at most
  ``MAX_ALIAS_EXPANSION`` nodes larger than as written ("billion laughs": ten lines of aliases
  expand to gigabytes). Aliases are kept, not refused: YAML users share blocks with ``&name``,
  ``*name`` and ``<<: *name``, and the loader supported them before it bounded them;
- mappings and lists may nest at most ``MAX_DATA_DEPTH`` levels (the walkers recurse).

``MAX_SCHEMA_DEPTH`` and ``MAX_SCHEMA_SIZE`` bound schemas, through ``$ref``s (``refs.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

MAX_FILE_BYTES = 16 << 20
MAX_DATA_DEPTH = 128
MAX_ALIAS_EXPANSION = 100_000
MAX_SCHEMA_DEPTH = 32
MAX_SCHEMA_SIZE = 10_000

Path = tuple[str | int, ...]
SHOWN_DEPTH = 3  # a problem deep inside is reported this far down, where it can be found
Problem = tuple[Path, int | None, str]  # (path in the data, 1-based line, message)


def too_large(size: int) -> str:
    return (
        f"is {size / (1 << 20):.1f} MiB, over the {MAX_FILE_BYTES >> 20} MiB limit of a plan file; "
        "split it into several files"
    )


def too_deep() -> str:
    return (
        f"mappings and lists at or below here are nested more than {MAX_DATA_DEPTH} levels deep, "
        "the limit of a plan file"
    )


def _children(node: yaml.Node, path: Path) -> list[tuple[yaml.Node, Path, int]]:
    """A node's children, each with its path and the line where it is written."""
    if isinstance(node, yaml.MappingNode):
        return [
            (
                value,
                (*path, key.value if isinstance(key, yaml.ScalarNode) else "?"),
                key.start_mark.line + 1,
            )
            for key, value in node.value
        ]
    if isinstance(node, yaml.SequenceNode):
        return [(item, (*path, i), item.start_mark.line + 1) for i, item in enumerate(node.value)]
    return []


def check_nodes(root: yaml.Node) -> Problem | None:
    """The first problem of a composed YAML document: a recursive alias, mappings and lists
    nested deeper than ``MAX_DATA_DEPTH``, or aliases that expand it by more than
    ``MAX_ALIAS_EXPANSION`` nodes.

    One depth-first walk of the node graph that enters each node once: a node reached again
    through an alias is not walked again, its expanded size and height are remembered.
    """
    size: dict[int, int] = {}  # id of a node -> its node count, aliases expanded
    height: dict[int, int] = {}  # id of a node -> levels of mappings and lists, itself included
    order: list[tuple[yaml.Node, Path, int]] = []  # post-order, for the report
    active: set[int] = set()
    stack: list[tuple[yaml.Node, Path, int, Iterator[tuple[yaml.Node, Path, int]]]] = []

    def enter(node: yaml.Node, path: Path, line: int) -> Problem | None:
        key = id(node)
        if key in active:
            return path, line, "recursive alias"
        if not isinstance(node, yaml.CollectionNode):
            size[key], height[key] = 1, 0
            return None
        if len(stack) + height.get(key, 1) > MAX_DATA_DEPTH:
            shown = min(len(path), SHOWN_DEPTH)
            return path[:shown], stack[shown][2] if shown < len(stack) else line, too_deep()
        if key not in size:
            active.add(key)
            stack.append((node, path, line, iter(_children(node, path))))
        return None

    problem = enter(root, (), root.start_mark.line + 1)
    while stack and problem is None:
        node, path, line, children = stack[-1]
        child = next(children, None)
        if child is not None:
            problem = enter(*child)
            continue
        stack.pop()
        active.discard(id(node))
        below = [id(c) for c, _, _ in _children(node, path)]
        size[id(node)] = 1 + sum(size[c] for c in below)
        height[id(node)] = 1 + max((height[c] for c in below), default=0)
        order.append((node, path, line))
    if problem is not None:
        return problem
    written = len(size)
    limit = written + MAX_ALIAS_EXPANSION
    if size[id(root)] <= limit:
        return None
    # the first (innermost) part that is over the limit by itself
    node, path, line = next(item for item in order if size[id(item[0])] > limit)
    message = (
        f"YAML aliases expand this to {size[id(node)]:,} nodes, more than "
        f"{MAX_ALIAS_EXPANSION:,} nodes beyond the {written:,} the file is written with; "
        "share schemas through `$defs` and `$ref` instead"
    )
    return path, line, message


def data_depth_problem(data: Any) -> Problem | None:
    """Nesting deeper than ``MAX_DATA_DEPTH`` in parsed data (JSON, where there are no nodes)."""
    stack: list[tuple[Any, Path, int]] = [(data, (), 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DATA_DEPTH:
                return path[:SHOWN_DEPTH], None, too_deep()
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((v, (*path, k), depth + 1) for k, v in items)
    return None
