"""FileFacts: everything later stages need from one file, as plain picklable data.

Produced by ``extract.extract_file`` (the only place that parses), consumed by ``link``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cio_lint.analysis.must import Node, new_nodes
from cio_lint.analysis.syms import Loc, Sym


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "posonly" | "pos" | "kwonly" | "var" | "varkw"
    default: Sym | None = None
    annotation: Sym | None = (
        None  # an instance of the annotated type, as ``("call", type, (), (), None)``
    )


@dataclass
class FuncFacts:
    qualname: str  # "f", "Class.method", "f.<locals>.g"
    cls: str | None  # the enclosing class's qualname for a method
    params: tuple[Param, ...]
    decorators: tuple[str, ...]
    loc: Loc
    calls: list[int] = field(default_factory=list)
    returns: list[Sym] = field(
        default_factory=list
    )  # the value of each ``return`` (a lambda's body)
    return_type: Sym | None = None  # the return annotation, as an instance of it (see ``Param``)


@dataclass
class ClassFacts:
    qualname: str
    bases: tuple[Sym, ...]
    attrs: dict[str, Sym] = field(default_factory=dict)  # class-body bindings
    inst_attrs: dict[str, Sym] = field(default_factory=dict)  # ``self.x = ...`` in methods
    methods: dict[str, str] = field(default_factory=dict)  # name -> function qualname


@dataclass(frozen=True)
class CallFact:
    id: int
    scope: str  # function qualname, or "<module>"
    func: Sym
    args: tuple[Sym, ...]
    kwargs: tuple[tuple[str | None, Sym], ...]
    loc: Loc
    key: tuple[Any, ...]  # callee and person, see ``extract.call_key``
    must: int  # keys of the calls of this scope run on every path before: a node of ``must_nodes``
    conditional: bool  # inside a branch of an expression (``a if c else b``, ``x and f()``...)
    snippet: str
    # may run more than once where it is: in a ``for``/``while`` body of its function, in a
    # comprehension (not its first iterable), in a lambda made there (CIO308)
    loop: bool = False


def argument(fact: CallFact, name: str, index: int) -> tuple[bool, Sym | None]:
    """(passed, the argument) of parameter ``name`` at position ``index`` of a call (``None``
    when passed but not known: through ``**options`` or ``*args``)."""
    for key, value in fact.kwargs:
        if key == name:
            return True, value
        if key is None:
            return True, None
    if len(fact.args) > index:
        arg = fact.args[index]
        return True, (None if arg[0] == "*" else arg)
    return False, None


@dataclass
class FileFacts:
    path: str
    module: str
    is_package: bool
    bindings: dict[str, Sym] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    functions: dict[str, FuncFacts] = field(default_factory=dict)
    calls: list[CallFact] = field(default_factory=list)
    star_imports: list[str] = field(default_factory=list)
    suppressions: dict[int, frozenset[str] | None] = field(default_factory=dict)
    error: tuple[int, int, str] | None = None  # line, column, message (CIO900)
    too_large: bool = False  # not parsed: over the size limit (CIO901)
    # a module ``plan generate`` wrote: (line of ``PLAN_HASH``, its value), for CIO014
    generated: tuple[int, str] | None = None
    dropped: frozenset[str] = frozenset()
    # ``module.attr = value`` / ``Class.attr = value`` on another module's or class's name
    attr_assigns: list[tuple[Sym, str, Sym]] = field(
        default_factory=list
    )  # identifiers of the code trimming blanked out
    must_nodes: list[Node] = field(
        default_factory=new_nodes
    )  # ``CallFact.must`` (``analysis.must``)
