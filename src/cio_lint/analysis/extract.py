"""Parse one file with libcst and summarise it as ``FileFacts``.

The walk is flow-aware: it keeps, per scope, the symbolic value of local names (so ``props``
built up with ``props["k"] = v`` or ``props.update(...)`` is known at the call), and the set of
calls that run on *every* path before each call (``must``), which is what CIO003 needs:
``if``/``try``/loops/``match`` merge their branches by intersection, and ``return``/``raise``/
``break``/``continue`` end a path. Only positions are computed as metadata: no scope or
qualified-name providers, whose cost dominates libcst's (imports are resolved by ``link``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import libcst as cst

from cio_lint import sdks
from cio_lint.analysis.exprs import Expressions
from cio_lint.analysis.exprs import State as _State
from cio_lint.analysis.exprs import union as _union
from cio_lint.analysis.facts import CallFact, ClassFacts, FileFacts, FuncFacts, Param
from cio_lint.analysis.generated import generated_hash
from cio_lint.analysis.loops import exits
from cio_lint.analysis.must import ROOT, MustTree
from cio_lint.analysis.positions import Positions
from cio_lint.analysis.reparse import checked_source, parse_module, positions_of, replays_of
from cio_lint.analysis.replay import Replays
from cio_lint.analysis.syms import UNKNOWN, Loc, Sym, key
from cio_lint.analysis.syntax import TOO_DEEP, deep, raised_recursion_limit, retire
from cio_lint.analysis.trim import Trimmed, trim_with_words
from cio_lint.suppressions import parse_suppressions

_PYTHON_LINES = re.compile(r"\r\n|\r|\n")
_SNIPPET_MAX = 300


def extract_file(
    path: str,
    module: str,
    is_package: bool,
    source: bytes,
    trim: tuple[Any, tuple[str, ...]] | None = None,
    validate: bool = False,
    max_file_bytes: int = 512 * 1024,
) -> FileFacts:
    """Summarise ``source``; a file that cannot be decoded or parsed gets ``error`` set.

    ``trim``: the (tails, tops) with which ``analysis.trim`` blanks out the functions that
    cannot matter before libcst parses the rest. The file is checked first (``syntax``): only
    what CPython accepts, within libcst's bounds, reaches libcst, which then need not validate
    the nodes it builds (``validate``: it does, for tests). All of it runs on a thread with a
    large stack (``syntax.deep``). ``max_file_bytes`` (``max-file-size``) sets the memory
    budget of the analysis (``syntax.BUDGET_PER_BYTE``): a file over it is a CIO901.
    """
    return deep(
        lambda: _extract_file(path, module, is_package, source, trim, validate, max_file_bytes)
    )


def _extract_file(
    path: str,
    module: str,
    is_package: bool,
    source: bytes,
    trim: tuple[Any, tuple[str, ...]] | None,
    validate: bool,
    max_file_bytes: int,
) -> FileFacts:
    facts = FileFacts(path=path, module=module, is_package=is_package)
    narrow = None
    if trim is not None:
        tails, tops = trim

        def narrow(text: str, tree: ast.Module) -> Trimmed:
            return trim_with_words(text, tails, tops, tree)

    checked = checked_source(path, source, max_file_bytes, narrow)
    if checked.text is None:
        facts.error = checked.error
        return facts
    # Python's lines: ``str.splitlines`` also breaks at \f, \x1c, \x85, U+2028 ..., which
    # shifted every line after one (the text messages quote, the lines of suppressions)
    lines = _PYTHON_LINES.split(checked.text)
    facts.suppressions = parse_suppressions(lines)
    if checked.error is not None:
        facts.error, facts.too_large = checked.error, checked.too_large
        return facts
    facts.generated = generated_hash(lines)  # a broken file has one finding: its CIO900
    parsed, line_map = checked.text, None
    trimmed = checked.trimmed
    if trimmed is not None:
        facts.dropped = trimmed.dropped
        if trimmed.lines is not None:
            parsed, line_map = trimmed.text, trimmed.lines
    del checked  # CPython's tree: not kept while libcst's is built
    with raised_recursion_limit():
        try:
            with nullcontext() if validate else _without_validation():
                tree = parse_module(path, parsed, line_map)  # the server: only what changed
        except cst.ParserSyntaxError as exc:
            line, column, message = _syntax_error(exc)
            facts.error = (
                line_map[line - 1] if line_map and 0 < line <= len(line_map) else line,
                column,
                message,
            )
            return facts
        except (RecursionError, MemoryError):
            retire()  # the parse thread's stack went deep: not reused
            facts.error = (1, 1, TOO_DEEP)
            return facts
        except Exception as exc:  # noqa: BLE001  (libcst raises a few other errors on odd inputs)
            facts.error = (1, 1, f"{_LIBCST_FAILED}: {exc}")
            return facts
        replays = replays_of(path, module, is_package) if line_map is None else None
        if replays is not None:
            replays.start()
        completed = False
        try:
            positions = positions_of(path, tree, parsed, line_map)
            _Extractor(facts, positions, lines, replays).run(tree)
            completed = True
        except (RecursionError, MemoryError):
            retire()
            # the facts gathered so far are incomplete: the file is reported, not half-checked
            facts = FileFacts(
                path=path, module=module, is_package=is_package, suppressions=facts.suppressions
            )
            facts.error = (1, 1, TOO_DEEP)
        finally:
            if replays is not None:
                replays.finish(completed)
    return facts


_LIBCST_FAILED = "Valid Python that cio-lint's parser (libcst) cannot read"


def _skip_validation(self: cst.CSTNode) -> None:
    pass


@contextmanager
def _without_validation() -> Iterator[None]:
    """Build nodes without ``CSTNode._validate``. libcst validates every node it constructs,
    which is a third of ``parse_module``; nodes its parser builds from valid source are valid by
    construction (its own note in ``CSTNode.__post_init__``: validation could move out of
    parsing). Used only on sources CPython's parser has accepted; restored on exit."""
    node = cst.CSTNode
    saved = node.__dict__["__post_init__"]
    node.__post_init__ = _skip_validation  # type: ignore[method-assign]
    try:
        yield
    finally:
        node.__post_init__ = saved  # type: ignore[method-assign]


_USER_KEYWORDS = ("user_id", "id", "customer_id", "user", "anonymous_id")


def call_key(
    func: Sym, args: tuple[Sym, ...], kwargs: tuple[tuple[str | None, Sym], ...]
) -> tuple[object, ...]:
    """What a call is, for path facts: the callee and the person it is about.

    Two calls with the same key on different branches of an ``if`` both count as having run,
    so "identify in both branches" is an identify on every path.
    """
    who: Sym | None = args[0] if args and args[0][0] != "*" else None
    if who is None:
        who = next((v for k, v in kwargs if k in _USER_KEYWORDS), None)
    while (
        who is not None and who[0] == "call" and who[1][:2] == ("name", "str") and len(who[2]) == 1
    ):
        who = who[2][0]
    return (key(func), key(who))


def _syntax_error(exc: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """libcst's error on a file CPython accepted. Its first line is only "Syntax Error @ L:C.";
    the detail is on the next line."""
    line, column = exc.raw_line or 1, (exc.raw_column or 0) + 1
    detail = "invalid syntax"
    for text in str(exc).splitlines()[1:]:
        m = re.match(r"parser error: error at (\d+):(\d+): (.*)", text.strip())
        if m:
            line, column, detail = int(m.group(1)), int(m.group(2)) + 1, m.group(3)  # 0-based there
            break
        if text.strip():
            detail = text.strip()
            break
    if len(detail) > 100:
        detail = detail[:97] + "..."
    return line, column, f"{_LIBCST_FAILED}: {detail}"


_GLOBALS = "<globals>"  # the env entry listing a function's ``global`` names


def _object_builders(value: Sym | None) -> frozenset[str] | None:
    """The builder methods of an event object class (``sdks.OBJECT_BUILDERS``) when ``value``
    is its construction (or a builder call chained on one), else None."""
    while value is not None and value[0] == "call":
        func = value[1]
        if func[0] in ("name", "imp"):
            name = func[1].rsplit(".", 1)[-1]
        else:
            name = func[2] if func[0] == "attr" else None
        if name in sdks.OBJECT_BUILDERS:
            return sdks.OBJECT_BUILDERS[name]
        value = func[1] if func[0] == "attr" else None
    return None


def _partial(sym: Sym, imports: dict[str, str]) -> bool:
    """Whether ``sym`` names ``functools.partial``."""
    if sym[0] == "imp":
        return bool(sym[1] == "functools.partial")
    if sym[0] == "name":
        return imports.get(sym[1]) == "functools.partial"
    if sym[0] == "attr" and sym[2] == "partial":
        base = sym[1]
        return (base[0] == "imp" and base[1] == "functools") or (
            base[0] == "name" and imports.get(base[1]) == "functools"
        )
    return False


def _merge_sym(a: Sym, b: Sym) -> Sym:
    if a is b or a == b:
        return a
    if a[0] == "dict" and b[0] == "dict":
        items = list(a[1]) + [i for i in b[1] if i not in a[1]]
        return ("dict", tuple(items), a[2] or b[2], a[3])
    return ("cond", (a, b), a[-1] if isinstance(a[-1], tuple) else None)


class _Extractor(Expressions):
    def __init__(
        self,
        facts: FileFacts,
        positions: Positions,
        lines: list[str],
        replays: Replays | None = None,
    ) -> None:
        self.facts = facts
        self.replays = replays  # the language server: unchanged top-level functions' facts
        self.pos = positions
        self.lines = lines
        self._depths = {}
        self.next_id = 0
        self.module_imports: dict[str, str] = {}  # module-level import bindings (for ``partial``)
        self.global_assigns: dict[str, list[Sym]] = {}  # ``global x; x = ...`` in functions
        self.assigned: cst.CSTNode | None = None  # the value of the assignment being walked
        self.params_of: tuple[Param, ...] = ()  # the parameters of the function being walked
        self.loops = 0  # the ``for``/``while`` bodies of the function being walked around here
        self.must = MustTree(facts.must_nodes)

    def merge(self, states: Sequence[_State]) -> _State:
        """Where branches meet: a call ran on every path if it ran on each live branch."""
        live = [s for s in states if s.must is not None]
        if not live:
            return _State(dict(states[0].env) if states else {}, None)
        must = live[0].must
        env = dict(live[0].env)
        for s in live[1:]:
            assert must is not None and s.must is not None
            must = self.must.meet(must, s.must)
            for name, sym in s.env.items():
                env[name] = _merge_sym(env[name], sym) if name in env else sym
        return _State(env, must)

    # ------------------------------------------------------------------ helpers

    def snippet(self, loc: Loc) -> str:
        line, col, end_line, end_col = loc
        if line == end_line:
            text = self.lines[line - 1][col - 1 : end_col - 1]
        else:
            parts = [self.lines[line - 1][col - 1 :]]
            parts.extend(self.lines[line : end_line - 1])
            parts.append(self.lines[end_line - 1][: end_col - 1])
            text = "\n".join(parts)
        return text[:_SNIPPET_MAX]

    def resolve_relative(self, node: cst.ImportFrom) -> str:
        base = ""
        if node.module is not None:
            base = cst.helpers.get_full_name_for_node(node.module) or ""
        dots = len(node.relative)
        if not dots:
            return base
        parts = self.facts.module.split(".") if self.facts.module else []
        if not self.facts.is_package:
            parts = parts[:-1]
        if dots > 1:
            parts = parts[: len(parts) - (dots - 1)] if dots - 1 <= len(parts) else []
        if base:
            parts.append(base)
        return ".".join(parts)

    # ------------------------------------------------------------------ entry
    def run(self, module: cst.Module) -> None:
        state = _State({}, ROOT)
        state = self.block(module.body, state, "<module>", None, None)
        for name, values in self.global_assigns.items():
            current = state.env.get(name)
            for value in values:
                current = value if current is None else _union(current, value)
            if current is not None:
                state.env[name] = current
        self.facts.bindings = state.env

    # ------------------------------------------------------------------ statements
    def block(
        self,
        body: Sequence[cst.CSTNode],
        state: _State,
        scope: str,
        func: FuncFacts | None,
        cls: ClassFacts | None,
    ) -> _State:
        for stmt in body:
            if isinstance(stmt, cst.BaseSmallStatement):  # a one-line suite: `if x: f()`
                state = self.small(stmt, state, scope, func, cls)
            else:
                state = self.stmt(stmt, state, scope, func, cls)
        return state

    def stmt(
        self,
        node: cst.CSTNode,
        state: _State,
        scope: str,
        func: FuncFacts | None,
        cls: ClassFacts | None,
    ) -> _State:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                state = self.small(small, state, scope, func, cls)
            return state
        if isinstance(node, cst.If):
            self.calls_in(node.test, state, scope, func)
            then = self.block(node.body.body, state.copy(), scope, func, cls)
            if node.orelse is None:
                other = state
            elif isinstance(node.orelse, cst.If):
                other = self.stmt(node.orelse, state.copy(), scope, func, cls)
            else:
                other = self.block(node.orelse.body.body, state.copy(), scope, func, cls)
            return self.merge([then, other])
        if isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                self.calls_in(node.iter, state, scope, func)
            else:
                self.calls_in(node.test, state, scope, func)
            inner = state.copy()
            if isinstance(node, cst.For):
                self.unbind(node.target, inner)
            repeats = not exits(node.body.body)  # a retry or search loop runs its calls once
            self.loops += repeats
            try:
                end = self.block(node.body.body, inner, scope, func, cls)
            finally:
                self.loops -= repeats
            after = self.merge([state, end]) if end.must is not None else state.copy()
            if node.orelse is not None:
                after = self.block(node.orelse.body.body, after, scope, func, cls)
            return after
        if isinstance(node, cst.Try) or type(node).__name__ == "TryStar":
            tn: Any = node  # cst.Try or cst.TryStar (3.11+), which share these fields
            pre = state.copy()
            body_end = self.block(tn.body.body, state.copy(), scope, func, cls)
            ends = []
            for handler in tn.handlers:
                h = _State(
                    self.merge([pre, body_end]).env if body_end.must is not None else dict(pre.env),
                    pre.must,
                )
                if handler.name is not None:
                    self.unbind(handler.name.name, h)
                ends.append(self.block(handler.body.body, h, scope, func, cls))
            if tn.orelse is not None:
                body_end = self.block(tn.orelse.body.body, body_end, scope, func, cls)
            after = self.merge([body_end, *ends])
            if tn.finalbody is not None:
                fin = self.block(
                    tn.finalbody.body.body, _State(dict(after.env), pre.must), scope, func, cls
                )
                if after.must is None or fin.must is None:
                    return _State(fin.env, None)
                return _State(fin.env, self.must.join(after.must, fin.must))
            return after
        if isinstance(node, cst.With):
            for item in node.items:
                self.calls_in(item.item, state, scope, func)
                if item.asname is not None:
                    self.unbind(item.asname.name, state)
            return self.block(node.body.body, state, scope, func, cls)
        if isinstance(node, cst.Match):
            self.calls_in(node.subject, state, scope, func)
            ends = []
            exhaustive = False
            for case in node.cases:
                if (
                    isinstance(case.pattern, cst.MatchAs)
                    and case.pattern.pattern is None
                    and case.guard is None
                ):
                    exhaustive = True
                ends.append(self.block(case.body.body, state.copy(), scope, func, cls))
            if not exhaustive:
                ends.append(state)
            return self.merge(ends)
        if isinstance(node, cst.FunctionDef):
            self.header_calls(node, state, scope, func)
            if scope == "<module>" and self.replays is not None:
                self.replays.function(self, node, state)
            else:
                self.function(node, scope, cls, state)
            if cls is None and scope != "<module>":
                state.env[node.name.value] = ("unknown", "function", None)
            return state
        if isinstance(node, cst.ClassDef):
            self.header_calls(node, state, scope, func)
            self.klass(node, scope, state)
            return state
        return state

    def small(
        self,
        node: cst.CSTNode,
        state: _State,
        scope: str,
        func: FuncFacts | None,
        cls: ClassFacts | None,
    ) -> _State:
        if isinstance(node, (cst.Return, cst.Raise)):
            value = node.value if isinstance(node, cst.Return) else node.exc
            if value is not None:
                self.calls_in(value, state, scope, func)
                if func is not None and isinstance(node, cst.Return):
                    func.returns.append(self.sym(value, state))
            state.must = None
            return state
        if isinstance(node, (cst.Break, cst.Continue)):
            state.must = None
            return state
        if isinstance(node, cst.Global) and scope != "<module>":
            state.env.setdefault(
                _GLOBALS, ("globals", tuple(n.name.value for n in node.names), None)
            )
            names = state.env[_GLOBALS][1] + tuple(n.name.value for n in node.names)
            state.env[_GLOBALS] = ("globals", names, None)
            return state
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = cst.helpers.get_full_name_for_node(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    state.env[alias.asname.name.value] = ("imp", full, None)
                else:
                    top = full.split(".")[0]
                    state.env[top] = ("imp", top, None)
                    if scope == "<module>":
                        self.module_imports[top] = top
            return state
        if isinstance(node, cst.ImportFrom):
            base = self.resolve_relative(node)
            if isinstance(node.names, cst.ImportStar):
                if scope == "<module>":
                    self.facts.star_imports.append(base)
                return state
            for alias in node.names:
                name = cst.helpers.get_full_name_for_node(alias.name) or ""
                bound = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound = alias.asname.name.value
                state.env[bound] = ("imp", f"{base}.{name}" if base else name, None)
                if scope == "<module>":
                    self.module_imports[bound] = f"{base}.{name}" if base else name
            return state
        if isinstance(node, cst.Assign):
            self.assigned = node.value
            self.calls_in(node.value, state, scope, func)
            self.assigned = None
            rhs = self.sym(node.value, state)
            for assign_target in node.targets:
                self.assign(assign_target.target, rhs, state, cls)
            return state
        if isinstance(node, cst.AnnAssign):
            typed = self.annotation(node.annotation.annotation, state)
            if node.value is not None:
                self.assigned = node.value
                self.calls_in(node.value, state, scope, func)
                self.assigned = None
                rhs = self.sym(node.value, state)
                self.assign(node.target, rhs if typed is None else _union(rhs, typed), state, cls)
            elif typed is not None and (cls is not None or scope == "<module>"):
                self.assign(node.target, typed, state, cls)  # ``client: Client`` in a class body
            return state
        if isinstance(node, cst.AugAssign):
            self.calls_in(node.value, state, scope, func)
            target = node.target
            if isinstance(target, cst.Name):
                current = state.env.get(target.value)
                new = self.sym(node.value, state)
                if (
                    isinstance(node.operator, cst.BitOrAssign)
                    and current
                    and current[0] == "dict"
                    and new[0] == "dict"
                ):
                    state.env[target.value] = (
                        "dict",
                        current[1] + new[1],
                        current[2] or new[2],
                        current[3],
                    )
                else:
                    state.env[target.value] = ("var", target.value, None)
            return state
        if isinstance(node, cst.Expr):
            self.calls_in(node.value, state, scope, func)
            self.mutation(node.value, state)
            return state
        if isinstance(node, cst.Del):
            return state
        return state

    def assign(
        self, target: cst.BaseExpression, value: Sym, state: _State, cls: ClassFacts | None
    ) -> None:
        if isinstance(target, cst.Name):
            state.env[target.value] = value
            declared = state.env.get(_GLOBALS)
            if declared is not None and target.value in declared[1]:
                self.global_assigns.setdefault(target.value, []).append(value)
            return
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            name = target.value.value
            current = state.env.get(name)
            if current is not None and current[0] == "dict" and len(target.slice) == 1:
                index = target.slice[0].slice
                if isinstance(index, cst.Index):
                    item = (self.sym(index.value, state), value)
                    state.env[name] = ("dict", current[1] + (item,), current[2], current[3])
            return
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            base = state.env.get(target.value.value)
            if base is not None and _object_builders(base) is not None:
                # ``event.user_id = x`` on a local event object: as if passed to its constructor
                attr: str = target.attr.value
                kwargs = (*(kv for kv in base[3] if kv[0] != attr), (attr, value))
                state.env[target.value.value] = (*base[:3], kwargs, base[4])
                return
            if base is not None and base[0] == "self":
                owner = self.facts.classes.get(base[1])
                if owner is not None:
                    # every assignment counts: ``self.client = None`` then ``= Client()``
                    name = target.attr.value
                    if value[0] == "param":
                        # ``self.client = client`` of ``client: Client``: what its type says;
                        # of ``client=default_client``: what the default holds, when it names one
                        param = next((p for p in self.params_of if p.name == value[1]), None)
                        if param is not None and param.annotation is not None:
                            value = param.annotation
                        elif (
                            param is not None
                            and param.default is not None
                            and param.default[0] in ("name", "imp", "attr", "call")
                        ):
                            value = param.default
                    current = owner.inst_attrs.get(name)
                    owner.inst_attrs[name] = value if current is None else _union(current, value)
            elif value[0] in ("call", "name", "attr", "imp", "cond", "or"):
                # ``tracking.client = Client(...)`` (an app factory configuring another module)
                self.facts.attr_assigns.append(
                    (self.sym(target.value, state), target.attr.value, value)
                )
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value
                if isinstance(inner, cst.Name):
                    state.env[inner.value] = ("var", inner.value, None)
                else:
                    self.assign(inner, ("unknown", "unpacked", None), state, cls)

    def unbind(self, target: cst.BaseExpression, state: _State) -> None:
        if isinstance(target, cst.Name):
            state.env[target.value] = ("var", target.value, None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.unbind(element.value, state)

    def mutation(self, expr: cst.BaseExpression, state: _State) -> None:
        """``d.update({...})`` / ``d.update(k=v)`` on a local dict extends it; a builder method
        on a local event object (``ident.set("plan", p)``) chains onto its value."""
        if (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and isinstance(expr.func.value, cst.Name)
        ):
            name = expr.func.value.value
            builders = _object_builders(state.env.get(name))
            if builders is not None and expr.func.attr.value in builders:
                args, kwargs = self.arguments(expr.args, state)
                loc = self.loc(expr)
                func = ("attr", state.env[name], expr.func.attr.value, loc)
                state.env[name] = ("call", func, args, kwargs, loc)
                return
        if not (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and isinstance(expr.func.value, cst.Name)
            and expr.func.attr.value in ("update", "setdefault")
        ):
            return
        name = expr.func.value.value
        current = state.env.get(name)
        if current is None or current[0] != "dict":
            return
        items = list(current[1])
        is_open = current[2]
        if expr.func.attr.value == "setdefault":
            if len(expr.args) == 2 and expr.args[0].keyword is None:
                items.append(
                    (self.sym(expr.args[0].value, state), self.sym(expr.args[1].value, state))
                )
            state.env[name] = ("dict", tuple(items), is_open, current[3])
            return
        for arg in expr.args:
            if arg.keyword is not None:
                items.append(
                    (
                        ("lit", arg.keyword.value, None, self.loc(arg.keyword)),
                        self.sym(arg.value, state),
                    )
                )
            elif arg.star == "**" or arg.star == "":
                items.append(("**", self.sym(arg.value, state)))
            else:
                is_open = True
        state.env[name] = ("dict", tuple(items), is_open, current[3])

    # ------------------------------------------------------------------ definitions

    def params(self, node: cst.FunctionDef) -> tuple[Param, ...]:
        p = node.params
        empty = _State({}, ROOT)

        def default(x: cst.Param) -> Sym | None:
            return None if x.default is None else self.sym(x.default, empty)

        def typed(x: cst.Param) -> Sym | None:
            return None if x.annotation is None else self.annotation(x.annotation.annotation, empty)

        out: list[Param] = []
        out += [Param(x.name.value, "posonly", default(x), typed(x)) for x in p.posonly_params]
        out += [Param(x.name.value, "pos", default(x), typed(x)) for x in p.params]
        if isinstance(p.star_arg, cst.Param):
            out.append(Param(p.star_arg.name.value, "var"))
        out += [Param(x.name.value, "kwonly", default(x), typed(x)) for x in p.kwonly_params]
        if p.star_kwarg is not None:
            out.append(Param(p.star_kwarg.name.value, "varkw"))
        return tuple(out)

    def function(
        self, node: cst.FunctionDef, scope: str, cls: ClassFacts | None, outer: _State
    ) -> None:
        name = node.name.value
        if cls is not None:
            qualname = f"{cls.qualname}.{name}"
        elif scope == "<module>":
            qualname = name
        else:
            qualname = f"{scope}.<locals>.{name}"
        decorators = tuple(
            cst.helpers.get_full_name_for_node(d.decorator) or "" for d in node.decorators
        )
        params = self.params(node)
        facts = FuncFacts(
            qualname, cls.qualname if cls else None, params, decorators, self.loc(node)
        )
        if node.returns is not None:
            facts.return_type = self.annotation(node.returns.annotation, _State({}, ROOT))
        self.facts.functions[qualname] = facts
        if cls is not None:
            cls.methods[name] = qualname
        env: dict[str, Sym] = {}
        if scope != "<module>" and cls is None:
            env.update(outer.env)  # closures see the enclosing function's locals
        for i, param in enumerate(params):
            if (
                i == 0
                and cls is not None
                and "staticmethod" not in decorators
                and param.kind in ("pos", "posonly")
            ):
                env[param.name] = ("self", cls.qualname, None)
            else:
                env[param.name] = ("param", param.name, None)
        saved, self.params_of = self.params_of, params
        loops, self.loops = self.loops, 0  # a def runs when it is called, not where it is
        try:
            self.block(node.body.body, _State(env, ROOT), qualname, facts, None)
        finally:
            self.params_of, self.loops = saved, loops

    def klass(self, node: cst.ClassDef, scope: str, outer: _State) -> None:
        qualname = node.name.value if scope == "<module>" else f"{scope}.<locals>.{node.name.value}"
        if scope != "<module>" and "." not in scope and scope in self.facts.classes:
            qualname = f"{scope}.{node.name.value}"
        bases = tuple(self.sym(arg.value, outer) for arg in node.bases if arg.keyword is None)
        cls = ClassFacts(qualname, bases)
        self.facts.classes[qualname] = cls
        state = _State({}, ROOT)
        body = node.body.body
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                self.header_calls(stmt, state, f"{qualname}.<body>", None)
                self.function(stmt, qualname, cls, state)
            elif isinstance(stmt, cst.ClassDef):
                self.klass(stmt, qualname, state)
            else:
                state = self.stmt(stmt, state, f"{qualname}.<body>", None, cls)
        cls.attrs = {k: v for k, v in state.env.items()}
        if scope == "<module>":
            outer.env.pop(node.name.value, None)

    # ------------------------------------------------------------------ calls
    def calls_in(
        self, expr: cst.CSTNode, state: _State, scope: str, func: FuncFacts | None
    ) -> None:
        """Record the calls in ``expr`` in evaluation order (arguments before the call)."""
        for call, conditional, repeated in self.pos.calls_within(expr):
            fact = self.record(call, state, scope, conditional, repeated or self.loops > 0)
            if func is not None:
                func.calls.append(fact.id)
            if not conditional and state.must is not None:
                state.must = self.must.add(state.must, fact.key)
        for node in self.pos.lambdas_within(expr):
            self.lambda_(node, state, scope)

    def header_calls(
        self,
        node: cst.FunctionDef | cst.ClassDef,
        state: _State,
        scope: str,
        func: FuncFacts | None,
    ) -> None:
        """Decorators, default values and class arguments run where the definition is."""
        for decorator in node.decorators:
            self.calls_in(decorator.decorator, state, scope, func)
        if isinstance(node, cst.FunctionDef):
            p = node.params
            for param in (*p.posonly_params, *p.params, *p.kwonly_params):
                if param.default is not None:
                    self.calls_in(param.default, state, scope, func)
        else:
            for arg in (*node.bases, *node.keywords):
                self.calls_in(arg.value, state, scope, func)

    def lambda_(self, node: cst.Lambda, outer: _State, scope: str) -> None:
        """A lambda is a scope of its own, like a nested def: its calls run when it is called
        (``on_commit(lambda: analytics.track(...))``), and it returns its body. Made in a loop,
        its calls count as in the loop (``for u in users: on_commit(lambda: ...)``)."""
        line, column = self.loc(node)[:2]
        name = f"<lambda:{line}:{column}>"
        qualname = (
            name if scope == "<module>" else f"{scope.removesuffix('.<body>')}.<locals>.{name}"
        )
        p = node.params
        params: list[Param] = [Param(x.name.value, "pos") for x in (*p.posonly_params, *p.params)]
        if isinstance(p.star_arg, cst.Param):
            params.append(Param(p.star_arg.name.value, "var"))
        params += [Param(x.name.value, "kwonly") for x in p.kwonly_params]
        if p.star_kwarg is not None:
            params.append(Param(p.star_kwarg.name.value, "varkw"))
        facts = FuncFacts(qualname, None, tuple(params), (), self.loc(node))
        self.facts.functions[qualname] = facts
        env = {} if scope == "<module>" else {k: v for k, v in outer.env.items() if k != _GLOBALS}
        env.update({param.name: ("param", param.name, None) for param in params})
        state = _State(env, ROOT)
        self.calls_in(node.body, state, qualname, facts)
        facts.returns.append(self.sym(node.body, state))

    def record(
        self, node: cst.Call, state: _State, scope: str, conditional: bool, loop: bool = False
    ) -> CallFact:
        func = self.sym(node.func, state)
        args, kwargs = self.arguments(node.args, state)
        imports = self.module_imports
        if func[0] == "call" and _partial(func[1], imports) and func[2] and func[2][0][0] != "*":
            # ``send = partial(analytics.track, uid)`` then ``send("X", {...})``: one call of the target
            func, args, kwargs = func[2][0], func[2][1:] + args, func[3] + kwargs
        elif _partial(func, imports) and args and args[0][0] != "*" and node is not self.assigned:
            # ``on_commit(partial(track_event, user, "X"))``: called later with what it fixes (and
            # maybe more: the binding is not complete)
            func, args = args[0], (*args[1:], ("*", ("unknown", "partial", None)))
        loc = self.loc(node)
        fact = CallFact(
            id=self.next_id,
            scope=scope,
            func=func,
            args=args,
            kwargs=kwargs,
            loc=loc,
            key=call_key(func, args, kwargs),
            must=state.must if state.must is not None else ROOT,
            conditional=conditional,
            snippet=self.snippet(loc),
            loop=loop,
        )
        self.next_id += 1
        self.facts.calls.append(fact)
        return fact

    # ------------------------------------------------------------------ expressions


__all__ = ["UNKNOWN", "extract_file", "parse_suppressions"]
