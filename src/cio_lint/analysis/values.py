"""Values built from parts: f-strings, ``%``, ``str.format``, ``+``, and a helper's returns.

Each part is evaluated with ``Project.value``; when every part is known, Python's own
operation is applied to the known values (never ``eval``): ``format``, ``%``, ``str.format``,
``+``, the f-string conversions ``!r``/``!s``/``!a``. A part that has several possible values
(a ``Choice``, like a conditional) gives one value per combination, up to
``MAX_COMBINATIONS``; more, or any failure of the operation, is ``Unknown``. A built string
has no single literal it comes from, so it carries no ``Origin``: it is never fixable.

A call of a project function whose ``return`` values are known once its parameters are bound to
the call's arguments evaluates to those values (``helper_call``): ``def name(area, verb):
return f"backend:{area}:{verb}"`` called as ``name("billing", "paid")``. Results are memoised
per (function, argument values) within a run, and a function that is already being evaluated
(recursion) is not evaluated again.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cio_lint.analysis.facts import CallFact, FileFacts
from cio_lint.analysis.syms import Sym
from cio_lint.model import (
    MISSING,
    Choice,
    DictVal,
    Known,
    Location,
    Unknown,
    Val,
    alternatives,
    val_to_python,
)

if TYPE_CHECKING:
    from cio_lint.analysis.core import ProjectCore as Project
    from cio_lint.analysis.refs import Ref

MAX_COMBINATIONS = 64
_MAX_LENGTH = 10_000  # a built value longer than this is not worth knowing
_WIDE = re.compile(r"\d{4,}")  # a width or precision of 1000 or more: a huge string
# Decorators that leave a function's return value as written.
_PLAIN_DECORATORS = frozenset(
    {"staticmethod", "classmethod", "functools.cache", "cache", "functools.lru_cache", "lru_cache"}
)


@dataclass
class Helpers:
    """Per-run state of ``helper_call``: memoised results, functions being evaluated, and the
    whole (untrimmed) facts of modules whose functions trimming left out."""

    memo: dict[tuple[Any, ...], Val | None] = field(default_factory=dict)
    active: set[tuple[str, str]] = field(default_factory=set)
    whole: dict[str, FileFacts | None] = field(default_factory=dict)


def combine(
    parts: Sequence[Val], build: Callable[[list[Any]], Any], loc: Location | None, reason: str
) -> Val:
    """``build`` applied to every combination of the parts' possible values."""
    leaves = [alternatives(p) for p in parts]
    if math.prod(len(options) for options in leaves) > MAX_COMBINATIONS:
        return Unknown(reason, loc)
    results: list[Val] = []
    for combination in itertools.product(*leaves):
        values = [val_to_python(v) for v in combination]
        result: Val = Unknown(reason, loc)
        if all(v is not MISSING for v in values):
            try:
                built = build(values)
            except Exception:  # noqa: BLE001  (what Python would raise: not a known value)
                built = MISSING
            if built is not MISSING and not (
                isinstance(built, (str, list)) and len(built) > _MAX_LENGTH
            ):
                result = Known(built, loc)
        if result not in results:
            results.append(result)
    return results[0] if len(results) == 1 else Choice(tuple(results), loc)


def _checked_format(text: Any) -> Any:
    if not isinstance(text, str) or _WIDE.search(text):
        raise ValueError("not a format string cio-lint evaluates")
    return text


def _add(values: list[Any]) -> Any:
    left, right = values
    if (
        isinstance(left, (str, list))
        and isinstance(right, (str, list))
        and len(left) + len(right) > _MAX_LENGTH
    ):
        raise ValueError("too long")
    return left + right


def _modulo(values: list[Any]) -> Any:
    left, right = values
    if isinstance(left, str):
        return _checked_format(left) % (tuple(right) if isinstance(right, list) else right)
    return left % right


def _convert(value: Any, conversion: str | None) -> Any:
    if conversion == "r":
        return repr(value)
    if conversion == "a":
        return ascii(value)
    if conversion == "s":
        return str(value)
    return value


def _enum_member(project: Project, sym: Sym, mod: FileFacts) -> bool:
    """An Enum member itself (not its ``.value``): how it formats depends on the Enum's type
    and the Python version, so it is not evaluated."""
    if sym[0] not in ("attr", "name", "imp", "in"):
        return False
    ref = project.resolve(sym, mod)
    return ref is not None and ref.kind == "enum_member"


def evaluate(
    project: Project, sym: Sym, mod: FileFacts, local: bool, depth: int, loc: Location | None
) -> Val:
    """The value of an ``fstr``, ``fmt`` or ``binop`` sym."""
    tag = sym[0]

    def part(s: Sym) -> Val:
        if _enum_member(project, s, mod):
            return Unknown("str", loc)
        return project.value(s, mod, local, depth + 1)

    if tag == "fstr":
        parts = [project.value(p, mod, local, depth + 1) for p in sym[1]]
        return combine(parts, lambda vs: "".join(str(v) for v in vs), loc, "str")
    if tag == "fmt":
        conversion = sym[2]
        value = part(sym[1])
        spec: Val = Known("") if sym[3] is None else project.value(sym[3], mod, local, depth + 1)
        return combine(
            [value, spec],
            lambda vs: format(_convert(vs[0], conversion), _checked_format(vs[1])),
            loc,
            "str",
        )
    op = sym[1]
    if op == "+":
        left, right = (project.value(s, mod, local, depth + 1) for s in (sym[2], sym[3]))
        return combine([left, right], _add, loc, "expression")
    left = project.value(sym[2], mod, local, depth + 1)
    if op == "%()":
        elements = [part(e) for e in sym[3][1]]
        return combine([left, *elements], lambda vs: _modulo([vs[0], list(vs[1:])]), loc, "str")
    return combine([left, part(sym[3])], _modulo, loc, "str")


def format_call(
    project: Project, sym: Sym, mod: FileFacts, local: bool, depth: int, loc: Location | None
) -> Val:
    """``template.format(*args, **kwargs)`` with known parts."""
    if any(name is None for name, _ in sym[3]):
        return Unknown("str", loc)  # ``**mapping``: not evaluated
    template = project.value(sym[1][1], mod, local, depth + 1)
    parts: list[Val] = [template]
    names: list[str | None] = []
    for arg in sym[2]:
        if arg[0] == "*":
            return Unknown("str", loc)
        parts.append(
            Unknown("str", loc)
            if _enum_member(project, arg, mod)
            else project.value(arg, mod, local, depth + 1)
        )
        names.append(None)
    for name, value in sym[3]:
        if _enum_member(project, value, mod):
            return Unknown("str", loc)
        parts.append(project.value(value, mod, local, depth + 1))
        names.append(name)

    def build(values: list[Any]) -> Any:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for name, value in zip(names, values[1:]):
            if name is None:
                args.append(value)
            else:
                kwargs[name] = value
        return _checked_format(values[0]).format(*args, **kwargs)

    return combine(parts, build, loc, "str")


def _val_key(value: Val) -> Any:
    """A hashable, location-free form of an argument's value (the memo key)."""
    if isinstance(value, Known):
        return ("k", type(value.value).__name__, repr(value.value))
    if isinstance(value, Choice):
        return ("c", tuple(_val_key(o) for o in value.options))
    if isinstance(value, DictVal):
        return ("d", tuple((k, _val_key(v)) for k, v, _ in value.items), value.open)
    return ("u", value.reason)


def _strip(value: Val) -> Val:
    """``value`` without locations (a helper's result must not depend on the first call site)."""
    if isinstance(value, Known):
        return Known(value.value, None, value.origin)
    if isinstance(value, Choice):
        return Choice(tuple(_strip(o) for o in value.options))
    if isinstance(value, DictVal):
        return DictVal(tuple((k, _strip(v), None) for k, v, _ in value.items), value.open)
    return Unknown(value.reason)


def _substitute(sym: Any, bindings: dict[str, Sym]) -> Any:
    if not isinstance(sym, tuple) or not sym:
        return sym
    if sym[0] == "param":
        return bindings.get(sym[1], ("unknown", "param", None))
    return tuple(_substitute(p, bindings) if isinstance(p, tuple) else p for p in sym)


def _located(value: Val, loc: Location | None) -> Val:
    """Each possible value placed at the call expression (findings point at it)."""
    if loc is None:
        return value
    if isinstance(value, Choice):
        return Choice(tuple(_located(o, loc) for o in value.options), loc)
    if isinstance(value, Known):
        return Known(value.value, loc, value.origin)
    if isinstance(value, Unknown):
        return Unknown(value.reason, loc)
    return DictVal(value.items, value.open, loc)


def _whole(project: Project, module: FileFacts) -> FileFacts | None:
    helpers: Helpers = project.helpers
    if module.module not in helpers.whole:
        loaded = project.load_whole(module.module) if project.load_whole is not None else None
        helpers.whole[module.module] = (
            loaded if loaded is not None and loaded.error is None else None
        )
    return helpers.whole[module.module]


def dropped_function(project: Project, func: Sym, mod: FileFacts) -> Ref | None:
    """The function a call names when trimming left it out of its module's facts (a helper
    that mentions nothing relevant): found in the module's whole facts."""
    from cio_lint.analysis.link import Ref

    if project.load_whole is None:
        return None
    target: FileFacts | None = None
    name = ""
    qualname = None
    if func[0] == "name":
        bound = mod.bindings.get(func[1])
        if bound is None:
            target, name = mod, func[1]
        elif bound[0] == "imp":
            qualname = bound[1]
    elif func[0] == "imp":
        qualname = func[1]
    elif func[0] == "attr":
        base = project.resolve(func[1], mod)
        if base is not None and base.kind == "module":
            target, name = base.mod, func[2]
    if qualname is not None:
        parent, _, name = qualname.rpartition(".")
        base = project.resolve_qualname(parent) if parent else None
        if base is not None and base.kind == "module":
            target = base.mod
    if target is None or name not in target.dropped or name in target.functions:
        return None
    whole = _whole(project, target)
    if whole is None or name not in whole.functions:
        return None
    return Ref("func", name, whole)


def helper_call(
    project: Project,
    ref: Ref,
    sym: Sym,
    mod: FileFacts,
    local: bool,
    depth: int,
    loc: Location | None,
) -> Val | None:
    """The value of a call of a project function from its ``return`` values (None: not known
    this way; the caller treats the call as before)."""
    home = ref.mod
    func = home.functions.get(ref.name) if home is not None else None
    if func is None or home is None:
        return None
    if not func.returns or any(d not in _PLAIN_DECORATORS for d in func.decorators):
        return None
    fact = CallFact(-1, "", sym[1], tuple(sym[2]), tuple(sym[3]), (0, 0, 0, 0), (), 0, False, "")
    bindings = project._bind_params(func, ref.bound, fact, mod)
    if isinstance(bindings, str):
        return None  # the call does not bind: Python would raise
    values: dict[str, Val] = {}
    for name, bound in bindings.items():
        # call-site arguments are ``in`` the caller's module; defaults are the helper's own
        where = mod if bound[0] == "in" else home
        values[name] = _strip(project.value(bound, where, False, depth + 1))
    helpers: Helpers = project.helpers
    memo_key = (
        home.module,
        func.qualname,
        tuple(sorted((n, _val_key(v)) for n, v in values.items())),
    )
    if memo_key in helpers.memo:
        cached = helpers.memo[memo_key]
        return None if cached is None else _located(cached, loc)
    active = (home.module, func.qualname)
    if active in helpers.active:
        return None  # recursion: nothing to add
    helpers.active.add(active)
    try:
        substituted = {name: ("val", value) for name, value in values.items()}
        returns = [
            project.value(_substitute(r, substituted), home, False, depth + 1) for r in func.returns
        ]
    finally:
        helpers.active.discard(active)
    leaves: list[Val] = []
    for value in returns:
        for leaf in alternatives(value):
            if leaf not in leaves:
                leaves.append(leaf)
    result: Val | None = None
    if any(isinstance(leaf, Known) for leaf in leaves):
        if len(leaves) > MAX_COMBINATIONS:
            result = Unknown("str")
        else:
            result = leaves[0] if len(leaves) == 1 else Choice(tuple(leaves))
    helpers.memo[memo_key] = result
    return None if result is None else _located(result, loc)
