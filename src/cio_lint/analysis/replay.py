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
records that delta for every top-level function the extractor walks or replays; at the next
text, a function whose node, imports above and names are unchanged gets its delta appended
again instead of a walk, with call ids and tree nodes shifted to where they fall now and, when
lines were added or removed above it, every location moved by as many lines (a location is the
only tuple of four ints in facts). A function that makes a lambda is walked when it moved: a
lambda's name says where it is (``<lambda:12:8>``).

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
        """``ex.function`` of a top-level ``def``: replayed, or walked; recorded either way."""
        facts = ex.facts
        name = node.name.value
        if name in facts.functions or name in facts.classes:
            self.walked += 1
            ex.function(node, "<module>", None, state)  # not recorded: see the module's doc
            return
        loc = ex.loc(node)
        old = self._kept.get(id(node))
        lines = _moved_by(old, node, loc, ex.module_imports) if old is not None else None
        calls, nodes, attrs = len(facts.calls), len(facts.must_nodes), len(facts.attr_assigns)
        functions, classes = len(facts.functions), len(facts.classes)
        globals_before = {k: len(v) for k, v in ex.global_assigns.items()}
        first_call = ex.next_id
        if old is not None and lines is not None:
            self._replay(ex, old, lines)
            self.replayed += 1
        else:
            ex.function(node, "<module>", None, state)
            self.walked += 1
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
    def _replay(ex: _Extractor, delta: _Delta, lines: int) -> None:
        """Append ``delta`` to ``ex``'s facts: its calls and tree nodes where they fall now,
        its locations ``lines`` further down."""
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
        if lines:
            facts.calls.extend(
                replace(
                    c,
                    id=c.id + shift,
                    must=c.must + moved if c.must >= first else c.must,
                    func=_down(c.func, lines),
                    args=_down(c.args, lines),
                    kwargs=_down(c.kwargs, lines),
                    loc=_down(c.loc, lines),
                )
                for c in delta.calls
            )
        elif shift or moved:
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
            if lines:
                func.params = tuple(
                    replace(
                        p, default=_down(p.default, lines), annotation=_down(p.annotation, lines)
                    )
                    for p in func.params
                )
                func.loc = _down(func.loc, lines)
                func.returns = [_down(r, lines) for r in func.returns]
                func.return_type = _down(func.return_type, lines)
            facts.functions[qualname] = func
        for qualname, cls in delta.classes:
            cls = copy.copy(cls)
            cls.attrs = {k: _down(v, lines) for k, v in cls.attrs.items()}
            cls.inst_attrs = {k: _down(v, lines) for k, v in cls.inst_attrs.items()}
            cls.methods = dict(cls.methods)
            cls.bases = _down(cls.bases, lines)
            facts.classes[qualname] = cls
        facts.attr_assigns.extend(_down(a, lines) for a in delta.attr_assigns)
        for name, values in delta.global_assigns:
            ex.global_assigns.setdefault(name, []).extend(_down(v, lines) for v in values)


def _moved_by(old: _Delta, node: cst.FunctionDef, loc: Loc, imports: dict[str, str]) -> int | None:
    """How many lines further down the function of ``old`` is now, if its facts can be
    replayed there (None: walk it). A function that defines a lambda is not moved: a lambda's
    name says where it is (``<lambda:12:8>``)."""
    if old.node is not node or old.imports != imports:
        return None
    if old.loc == loc:
        return 0
    lines = loc[0] - old.loc[0]
    if (loc[1], loc[2] - lines, loc[3]) != old.loc[1:]:
        return None
    if any("<lambda:" in qualname for qualname, _ in old.functions):
        return None
    return lines


def _down(value: Any, lines: int) -> Any:
    """``value`` (facts of plain tuples) with every location in it ``lines`` further down: a
    location is the only tuple of four ints that facts hold (``syms``; literals are scalars)."""
    if not lines or type(value) is not tuple:
        return value
    if len(value) == 4 and all(type(x) is int for x in value):
        return (value[0] + lines, value[1], value[2] + lines, value[3])
    return tuple(_down(v, lines) for v in value)
