"""The calls that run on every path before a point of a scope (CIO003), as a tree of shared sets.

Each call's ``must`` was a set of its own: in straight-line code the set of the n-th call holds
the n-1 calls before it, so a file of n calls held n²/2 keys (9,000 calls: 1.4 GB, and a
200 MB cache entry). Here a set is a node of a tree, the keys it adds to its parent's set:
a call adds one node, an ``if`` joins its branches at their common ancestor with the keys both
added (``meet``), a ``finally`` adds what it ran (``join``). Memory is linear in the calls.

The nodes are a flat list of ``(parent, keys)`` (plain data: pickled with the facts, without
the recursion a linked structure would need); node 0 is the empty set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Key = tuple[Any, ...]
Node = tuple[int, frozenset[Key]]
ROOT = 0


def new_nodes() -> list[Node]:
    return [(-1, frozenset())]


def holds(nodes: list[Node], node: int, keys: Iterable[Key]) -> bool:
    """Whether the set at ``node`` holds one of ``keys``."""
    wanted = frozenset(keys)
    while node > ROOT:
        parent, added = nodes[node]
        if not wanted.isdisjoint(added):
            return True
        node = parent
    return False


def keys_of(nodes: list[Node], node: int) -> frozenset[Key]:
    """The whole set at ``node`` (for tests and debugging; ``holds`` never builds it)."""
    out: set[Key] = set()
    while node > ROOT:
        parent, added = nodes[node]
        out |= added
        node = parent
    return frozenset(out)


class MustTree:
    """Builds the nodes while a file is walked."""

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes
        self.depth = [0] * len(nodes)

    def _new(self, parent: int, added: frozenset[Key]) -> int:
        if not added:
            return parent
        self.nodes.append((parent, added))
        self.depth.append(self.depth[parent] + 1)
        return len(self.nodes) - 1

    def add(self, node: int, key: Key) -> int:
        if key in self.nodes[node][1]:
            return node
        return self._new(node, frozenset((key,)))

    def _split(self, a: int, b: int) -> tuple[int, set[Key], set[Key]]:
        """The common ancestor of ``a`` and ``b``, and the keys each adds below it."""
        depth, nodes = self.depth, self.nodes
        above_a: set[Key] = set()
        above_b: set[Key] = set()
        while depth[a] > depth[b]:
            above_a |= nodes[a][1]
            a = nodes[a][0]
        while depth[b] > depth[a]:
            above_b |= nodes[b][1]
            b = nodes[b][0]
        while a != b:
            above_a |= nodes[a][1]
            above_b |= nodes[b][1]
            a, b = nodes[a][0], nodes[b][0]
        return a, above_a, above_b

    def meet(self, a: int, b: int) -> int:
        """The intersection of the sets at ``a`` and ``b``."""
        if a == b:
            return a
        common, above_a, above_b = self._split(a, b)
        return self._new(common, frozenset(above_a & above_b))

    def join(self, a: int, b: int) -> int:
        """The union of the sets at ``a`` and ``b``."""
        if a == b:
            return a
        _, _, above_b = self._split(a, b)
        return self._new(a, frozenset(above_b))
