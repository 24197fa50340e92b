"""The facts of each top-level function of an open document, kept from one check to the next
and replayed when the function did not change (the language server).

An edit in the editor changes one function, but the extractor walked all of the module again:
most of a check of a 1,000-line module. A top-level ``def``'s walk depends on little: its
node (the same object while the re-parse keeps its statement, ``analysis.reparse``), where it
is (its positions, the lines its snippets quote), the module's imports above it (``partial``)
and whether a function or class of its name was defined before it (a redefinition overwrites
facts, a class of its name changes the qualnames of the classes inside it). It adds to the
file's facts, in order: its functions (nested ones and lambdas too), classes, calls, the nodes
of the ``must`` tree its calls point to (a function's start from the empty set, so they refer
only to each other), ``module.attr = ...`` assignments and ``global`` assignments. ``Replays``
records that delta for every top-level function the extractor walks; at the next text, a
function whose node, span, imports above and names are unchanged gets its delta appended
again, with call ids and tree nodes shifted to where they fall now, instead of a walk.

The facts are those of a walk: tests/test_reparse.py compares the facts of every edited text
with those of a full parse and extraction. Functions, classes and their lists are copied when
replayed (the facts of a check are not shared with the next); calls and symbols are immutable.
The command line keeps nothing (``reparse.replays_of`` is None there).
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import libcst as cst

from cio_lint.analysis.facts import CallFact, ClassFacts, FuncFacts
from cio_lint.analysis.must import Node
from cio_lint.analysis.syms import Loc, Sym

if TYPE_CHECKING:
    from cio_lint.analysis.extract import _Extractor


@dataclass
class _Delta:
    node: cst.FunctionDef  # kept: its id is the key, and must not be reused
    loc: Loc
    imports: dict[str, str]  # the module's imports above it
    first_call: int  # the id its first call had
    first_node: int  # the index its first ``must`` node had
    calls: list[CallFact]
    nodes: list[Node]
    functions: list[tuple[str, FuncFacts]]
    classes: list[tuple[str, ClassFacts]]
    attr_assigns: list[tuple[Sym, str, Sym]]
    global_assigns: list[tuple[str, list[Sym]]]


class Replays:
    """What each top-level function of one document added to its facts at the last check."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.key = (module, is_package)
        self._kept: dict[int, _Delta] = {}
        self._next: dict[int, _Delta] = {}
        self.replayed = 0  # functions replayed, in all checks
        self.walked = 0  # functions walked

    def start(self) -> None:
        self._next = {}

    def finish(self, completed: bool) -> None:
        """The deltas of this walk are those of the next one (none if it did not complete)."""
        self._kept = self._next if completed else {}
        self._next = {}

    def function(self, ex: _Extractor, node: cst.FunctionDef, state: Any) -> None:
        """``ex.function`` of a top-level ``def``: replayed, or walked and recorded."""
        facts = ex.facts
        name = node.name.value
        plain = name not in facts.functions and name not in facts.classes
        loc = ex.loc(node)
        old = self._kept.get(id(node))
        if (
            plain
            and old is not None
            and old.node is node
            and old.loc == loc
            and old.imports == ex.module_imports
        ):
            self._replay(ex, old)
            self._next[id(node)] = old
            self.replayed += 1
            return
        self.walked += 1
        if not plain:
            ex.function(node, "<module>", None, state)
            return
        calls, nodes, attrs = len(facts.calls), len(facts.must_nodes), len(facts.attr_assigns)
        functions, classes = len(facts.functions), len(facts.classes)
        globals_before = {k: len(v) for k, v in ex.global_assigns.items()}
        first_call = ex.next_id
        ex.function(node, "<module>", None, state)
        self._next[id(node)] = _Delta(
            node,
            loc,
            dict(ex.module_imports),
            first_call,
            nodes,
            facts.calls[calls:],
            facts.must_nodes[nodes:],
            list(itertools.islice(facts.functions.items(), functions, None)),
            list(itertools.islice(facts.classes.items(), classes, None)),
            facts.attr_assigns[attrs:],
            [
                (k, v[globals_before.get(k, 0) :])
                for k, v in ex.global_assigns.items()
                if len(v) > globals_before.get(k, 0)
            ],
        )

    @staticmethod
    def _replay(ex: _Extractor, delta: _Delta) -> None:
        facts = ex.facts
        shift = ex.next_id - delta.first_call
        first = delta.first_node
        moved = len(facts.must_nodes) - first
        depth = ex.must.depth
        for parent, keys in delta.nodes:
            if parent >= first:
                parent += moved
            facts.must_nodes.append((parent, keys))
            depth.append(depth[parent] + 1)
        if shift or moved:
            facts.calls.extend(
                replace(c, id=c.id + shift, must=c.must + moved if c.must >= first else c.must)
                for c in delta.calls
            )
        else:
            facts.calls.extend(delta.calls)
        ex.next_id += len(delta.calls)
        for qualname, func in delta.functions:
            func = copy.copy(func)
            func.calls = [i + shift for i in func.calls]
            func.returns = list(func.returns)
            facts.functions[qualname] = func
        for qualname, cls in delta.classes:
            cls = copy.copy(cls)
            cls.attrs, cls.inst_attrs = dict(cls.attrs), dict(cls.inst_attrs)
            cls.methods = dict(cls.methods)
            facts.classes[qualname] = cls
        facts.attr_assigns.extend(delta.attr_assigns)
        for name, values in delta.global_assigns:
            ex.global_assigns.setdefault(name, []).extend(values)
