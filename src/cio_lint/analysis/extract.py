"""Parse one file with libcst and summarise it as ``FileFacts``.

The walk is flow-aware: it keeps, per scope, the symbolic value of local names (so ``props``
built up with ``props["k"] = v`` or ``props.update(...)`` is known at the call), and the set of
calls that run on *every* path before each call (``must``), which is what CIO003 needs:
``if``/``try``/loops/``match`` merge their branches by intersection, and ``return``/``raise``/
``break``/``continue`` end a path. Only positions are computed as metadata: no scope or
qualified-name providers, whose cost dominates libcst's (imports are resolved by ``link``).
"""

from __future__ import annotations

import bisect
import re
from contextlib import contextmanager
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from libcst._nodes.internal import CodegenState

from cio_lint.analysis.facts import CallFact, ClassFacts, FileFacts, FuncFacts, Param
from cio_lint.analysis.syms import UNKNOWN, Loc, Sym, key

_SUPPRESS = re.compile(
    r"#\s*(?:cio-lint:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?|noqa(?::\s*(?P<noqa>[A-Za-z0-9_,\s]+))?)"
)
_SNIPPET_MAX = 300


def parse_suppressions(lines: Sequence[str]) -> dict[int, frozenset[str] | None]:
    out: dict[int, frozenset[str] | None] = {}
    for number, text in enumerate(lines, 1):
        if "#" not in text:
            continue
        m = _SUPPRESS.search(text)
        if not m:
            continue
        codes = m.group("codes") if m.group("codes") is not None else m.group("noqa")
        if codes is None or not codes.strip():
            out[number] = None
        else:
            out[number] = frozenset(c.strip().upper() for c in codes.split(",") if c.strip())
    return out


def extract_file(
    path: str,
    module: str,
    is_package: bool,
    source: bytes,
    trimmed: tuple[str, list[int]] | None = None,
    valid: bool = False,
) -> FileFacts:
    """Summarise ``source``; a file that cannot be decoded or parsed gets ``error`` set.

    ``trimmed`` is what to parse instead (``analysis.trim``): the source without the functions
    that cannot matter, and the source line number of each of its lines. ``valid``: CPython's
    parser accepted the source, so libcst need not validate the nodes it builds.
    """
    facts = FileFacts(path=path, module=module, is_package=is_package)
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source[: exc.start].count(b"\n") + 1
        facts.error = (line, 1, f"File is not valid UTF-8: {exc.reason} at byte {exc.start}")
        return facts
    lines = text.splitlines()
    facts.suppressions = parse_suppressions(lines)
    parsed, line_map = trimmed if trimmed is not None else (text, None)
    if not valid:
        # libcst's native parser overflows the C stack on input CPython refuses as too deep
        facts.error = too_deep(parsed, path)
        if facts.error is not None:
            return facts
    try:
        if valid:
            with _without_validation():
                tree = cst.parse_module(parsed)
        else:
            tree = cst.parse_module(parsed)
    except cst.ParserSyntaxError as exc:
        line, column, message = _precise_syntax_error(parsed, path) or _syntax_error(exc)
        facts.error = (line_map[line - 1] if line_map and 0 < line <= len(line_map) else line, column, message)
        return facts
    except (RecursionError, MemoryError):
        facts.error = (1, 1, TOO_DEEP)
        return facts
    except Exception as exc:  # libcst raises a few other errors on odd inputs
        facts.error = (1, 1, f"Syntax error: {exc}")
        return facts
    try:
        _Extractor(facts, _Positions(tree, parsed, line_map), lines).run(tree)
    except (RecursionError, MemoryError):
        # the facts gathered so far are incomplete: the file is reported, not half-checked
        facts = FileFacts(path=path, module=module, is_package=is_package, suppressions=facts.suppressions)
        facts.error = (1, 1, TOO_DEEP)
    return facts


TOO_DEEP = "Expression too deeply nested to analyse"
# CPython's limits on nesting, which its tokenizer and parser report as syntax errors
_NESTING_ERRORS = ("too many nested parentheses", "too many levels of indentation", "too many statically nested")


def too_deep(text: str, path: str) -> tuple[int, int, str] | None:
    """The error of a source CPython's parser refuses for its depth (None: not too deep).

    libcst's native parser crashes the process (a C stack overflow, not an exception) on some
    such sources (``-(-(-(...)))`` or ``[[[...]]]`` thousands deep), and takes quadratic time on
    others, so they are not given to it. Other syntax errors go to libcst as before: it parses
    syntax newer than the running Python."""
    import ast

    try:
        ast.parse(text, filename=path)
    except (RecursionError, MemoryError):
        return (1, 1, TOO_DEEP)
    except SyntaxError as exc:
        if any(marker in (exc.msg or "") for marker in _NESTING_ERRORS):
            return (exc.lineno or 1, exc.offset or 1, f"Syntax error: {exc.msg}")
    except Exception:  # noqa: BLE001  (ValueError: null bytes; libcst reports those)
        return None
    return None


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


def _leaf_simple(self: cst.SimpleWhitespace | cst.Comment, state: _SpanState, **_: object) -> None:
    state.position += len(self.value)


def _leaf_newline(self: cst.Newline, state: _SpanState, **_: object) -> None:
    state.position += len(state.default_newline if self.value is None else self.value)


_LEAVES = ((cst.SimpleWhitespace, _leaf_simple), (cst.Comment, _leaf_simple), (cst.Newline, _leaf_newline))


@contextmanager
def _counting_leaves() -> Iterator[None]:
    """Whitespace, comments and newlines (six nodes in ten) only advance the position: no span
    is recorded for them (none is ever asked for), which saves a quarter of the pass."""
    for cls, fast in _LEAVES:
        assert "_codegen" not in cls.__dict__
        cls._codegen = fast  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        for cls, _ in _LEAVES:
            del cls._codegen


class _Positions:
    """Node -> (line, column, end_line, end_column), 1-based columns in characters.

    One code-generation pass that only counts characters (``_SpanState``): the spans libcst's
    ``ByteSpanPositionProvider`` computes, in characters, without building the source text;
    several times cheaper than ``PositionProvider``, with identical results (tested). Lines
    and columns are derived only for the nodes asked about.
    """

    def __init__(self, tree: cst.Module, text: str, line_map: list[int] | None = None) -> None:
        self.text = text
        self.line_map = line_map  # line of ``text`` -> line of the file (``text`` is trimmed)
        self._starts: list[int] | None = None
        try:
            state = _SpanState(tree.default_indent, tree.default_newline)
            with _counting_leaves():
                tree._codegen(state)
            state.finish()
            self.sink: _SpanState = state
            self.spans: dict[int, tuple[int, int]] | None = state.spans
            self.fallback = None
        except RecursionError:
            raise  # too deep: the slower provider would recurse as deep
        except Exception:  # a libcst whose code generation changed: the slower provider
            self.spans = None
            self.fallback = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self.text)]
        line = bisect.bisect_right(self._starts, offset)
        column = offset - self._starts[line - 1] + 1
        if self.line_map is not None:
            line = self.line_map[line - 1] if line <= len(self.line_map) else self.line_map[-1] + line - len(self.line_map)
        return line, column

    def __getitem__(self, node: cst.CSTNode) -> Loc:
        if self.spans is None:
            r = self.fallback[node]  # type: ignore[index]
            lines = self.line_map
            if lines is None:
                return (r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)
            return (lines[r.start.line - 1], r.start.column + 1, lines[min(r.end.line, len(lines)) - 1], r.end.column + 1)
        start, end = self.spans[id(node)]
        line, column = self._line_col(start)
        end_line, end_column = self._line_col(end)
        return (line, column, end_line, end_column)

    def lambdas_within(self, expr: cst.CSTNode) -> list[cst.Lambda]:
        """The outermost lambdas inside ``expr`` (``expr`` itself if it is one). Each is a scope
        of its own, like a nested def; the lambdas inside it are found when its body is walked."""
        if self.spans is None:
            return _lambdas_slow(expr)
        start, end = self.spans[id(expr)]
        lambdas = self.sink.lambdas
        if not lambdas:
            return []
        ends = self.sink.lambda_ends
        inside = sorted(
            (lambdas[i][0], -lambdas[i][1], i)
            for i in range(bisect.bisect_left(ends, start), bisect.bisect_right(ends, end))
            if lambdas[i][0] >= start
        )
        outermost: list[cst.Lambda] = []
        reach = -1
        for s, neg_end, i in inside:
            if s >= reach:  # not inside the last outermost one
                outermost.append(self.sink.lambdas[i][2])
                reach = -neg_end
        return outermost

    def calls_within(self, expr: cst.CSTNode) -> Iterator[tuple[cst.Call, bool]]:
        """The calls inside ``expr``, in post-order (arguments before the call that takes them),
        with whether each may not run (a branch of ``a if c else b``, the right of ``and``/``or``,
        a comprehension). Calls inside a ``lambda`` are not run here and are left out."""
        if self.spans is None:
            yield from _iter_calls_slow(expr, False)
            return
        start, end = self.spans[id(expr)]
        ends = self.sink.call_ends
        sink = self.sink
        for index in range(bisect.bisect_right(ends, start - 1), bisect.bisect_right(ends, end)):
            _, call_start, node = sink.calls[index]
            if call_start >= start and sink.lambda_starts[index] < start:
                yield node, sink.cond_starts[index] >= start


def _string_value(node: cst.SimpleString) -> str | bytes | None:
    """The value of a string literal; plain ones without ``ast.literal_eval`` (it is costly)."""
    raw = node.value
    quote = node.quote
    prefix = node.prefix
    body = raw[len(prefix) + len(quote) : len(raw) - len(quote)]
    if not prefix or prefix.lower() == "u":
        if "\\" not in body:
            return body
    elif prefix.lower() == "r":
        return body
    try:
        return node.evaluated_value
    except Exception:
        return None


_CONDITIONAL, _SKIP = 1, 2
_MAX_BINOP_CHAIN = 32  # operands of one ``+``/``%`` chain kept symbolically
_CONDITIONAL_TYPES = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


class _Syntactic:
    """``record_syntactic_position`` without a generator: the span of a node without the
    whitespace and parentheses it owns (it wins over the span ``after_codegen`` records)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _SpanState, node: cst.CSTNode, start_node: cst.CSTNode | None, end_node: cst.CSTNode | None) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.position

    def __exit__(self, *exc: object) -> None:
        spans = self.state.spans
        start = spans[id(self.start_node)][0] if self.start_node is not None else self.start
        end = spans[id(self.end_node)][1] if self.end_node is not None else self.state.position
        spans[id(self.node)] = (start, end)


class _SpanState(CodegenState):
    """A code-generation state that counts characters instead of collecting tokens, records
    each node's (start, end) by ``id`` (the tree is alive while the facts are built), and lists
    the calls in post-order with the regions where they may not run."""

    def __init__(self, default_indent: str, default_newline: str) -> None:
        self.default_indent = default_indent
        self.default_newline = default_newline
        self.indent_tokens: list[str] = []
        self.tokens: list[str] = []  # only its emptiness is read (``Module._codegen_impl``)
        self.position = 0
        self._indent = 0
        self._stack: list[int] = []
        self.spans: dict[int, tuple[int, int]] = {}
        self.calls: list[tuple[int, int, cst.Call]] = []  # (end, start, node), post-order
        self.call_ends: list[int] = []
        self.regions: list[tuple[int, int, int]] = []
        self.cond_starts: list[int] = []
        self.lambda_starts: list[int] = []
        self.lambdas: list[tuple[int, int, cst.Lambda]] = []  # (start, end, node), post-order
        self.lambda_ends: list[int] = []

    def increase_indent(self, value: str) -> None:
        self.indent_tokens.append(value)
        self._indent += len(value)

    def decrease_indent(self) -> None:
        self._indent -= len(self.indent_tokens.pop())

    def add_indent_tokens(self) -> None:
        self.position += self._indent

    def add_token(self, value: str) -> None:
        if not self.tokens:
            self.tokens.append(value)
        self.position += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # the end of the file: no span after it

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append(self.position)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        spans = self.spans
        span = spans.get(id(node))
        if span is None:
            span = spans[id(node)] = (start, self.position)
        kind = type(node)
        if kind is cst.Call:
            self.calls.append((span[1], span[0], node))  # type: ignore[arg-type]
        elif kind is cst.IfExp:
            self._region(node.body, _CONDITIONAL)  # type: ignore[attr-defined]
            self._region(node.orelse, _CONDITIONAL)  # type: ignore[attr-defined]
        elif kind is cst.BooleanOperation:
            self._region(node.right, _CONDITIONAL)  # type: ignore[attr-defined]
        elif kind in _CONDITIONAL_TYPES:
            self._region(node, _CONDITIONAL)
        elif kind is cst.Lambda:
            self._region(node, _SKIP)
            self.lambdas.append((span[0], span[1], node))  # type: ignore[arg-type]

    def record_syntactic_position(  # type: ignore[override]
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)

    def _region(self, node: cst.CSTNode, kind: int) -> None:
        span = self.spans.get(id(node))
        if span is not None:
            self.regions.append((span[0], span[1], kind))

    def finish(self) -> None:
        self.lambda_ends = [end for _, end, _ in self.lambdas]
        self.call_ends = [end for end, _, _ in self.calls]
        # per call, the start of the innermost region of each kind around it: whether the call
        # is conditional (or inside a lambda) *relative to* an expression depends on whether
        # that region starts inside the expression (a lambda's body is walked on its own)
        self.cond_starts = [-1] * len(self.calls)
        self.lambda_starts = [-1] * len(self.calls)
        for start, end, kind in self.regions:
            starts = self.cond_starts if kind == _CONDITIONAL else self.lambda_starts
            for index in range(bisect.bisect_right(self.call_ends, start), bisect.bisect_right(self.call_ends, end)):
                if self.calls[index][1] >= start and start > starts[index]:
                    starts[index] = start


def _iter_calls_slow(node: cst.CSTNode, conditional: bool) -> Iterator[tuple[cst.Call, bool]]:
    if isinstance(node, cst.Lambda):
        return
    if isinstance(node, cst.IfExp):
        yield from _iter_calls_slow(node.test, conditional)
        yield from _iter_calls_slow(node.body, True)
        yield from _iter_calls_slow(node.orelse, True)
        return
    if isinstance(node, cst.BooleanOperation):
        yield from _iter_calls_slow(node.left, conditional)
        yield from _iter_calls_slow(node.right, True)
        return
    inner = conditional or isinstance(node, _CONDITIONAL_TYPES)
    for child in node.children:
        yield from _iter_calls_slow(child, inner)
    if isinstance(node, cst.Call):
        yield node, conditional


def _lambdas_slow(node: cst.CSTNode) -> list[cst.Lambda]:
    if isinstance(node, cst.Lambda):
        return [node]
    found: list[cst.Lambda] = []
    for child in node.children:
        if isinstance(child, cst.Lambda):
            found.append(child)
        else:
            found.extend(_lambdas_slow(child))
    return found


_USER_KEYWORDS = ("user_id", "id", "customer_id", "user", "anonymous_id")


def call_key(func: Sym, args: tuple[Sym, ...], kwargs: tuple[tuple[str | None, Sym], ...]) -> tuple[object, ...]:
    """What a call is, for path facts: the callee and the person it is about.

    Two calls with the same key on different branches of an ``if`` both count as having run,
    so "identify in both branches" is an identify on every path.
    """
    who: Sym | None = args[0] if args and args[0][0] != "*" else None
    if who is None:
        who = next((v for k, v in kwargs if k in _USER_KEYWORDS), None)
    while who is not None and who[0] == "call" and who[1][:2] == ("name", "str") and len(who[2]) == 1:
        who = who[2][0]
    return (key(func), key(who))


def _precise_syntax_error(text: str, path: str) -> tuple[int, int, str] | None:
    """CPython's parser places errors better than libcst's; used only for files that fail."""
    import ast

    try:
        ast.parse(text, filename=path)
    except SyntaxError as exc:
        return (exc.lineno or 1, exc.offset or 1, f"Syntax error: {exc.msg}")
    except Exception:
        return None
    return None


def _syntax_error(exc: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """libcst's first line is only "Syntax Error @ L:C."; the detail is on the next line."""
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
    return line, column, f"Syntax error: {detail}"


_GLOBALS = "<globals>"  # the env entry listing a function's ``global`` names
_UNION_MAX = 8
# Annotations that cannot name a client: no instance sym is recorded for them.
_PLAIN_TYPES = frozenset(
    {"str", "int", "float", "bool", "bytes", "dict", "list", "tuple", "set", "frozenset", "Any",
     "object", "None", "Dict", "List", "Tuple", "Set", "Callable", "Iterable", "Iterator", "Sequence",
     "Mapping", "type", "Type", "datetime", "date", "Decimal", "UUID"}
)
_WRAPPING_TYPES = frozenset({"Optional", "Union", "Annotated", "ClassVar", "Final"})


def _union(a: Sym, b: Sym) -> Sym:
    """Either value: every assignment of an attribute or global counts (``None`` then a client)."""
    options = list(a[1] if a[0] == "cond" else (a,))
    known = {key(o) for o in options}
    for option in b[1] if b[0] == "cond" else (b,):
        if key(option) not in known and len(options) < _UNION_MAX:
            options.append(option)
            known.add(key(option))
    return options[0] if len(options) == 1 else ("cond", tuple(options), a[-1] if isinstance(a[-1], tuple) else None)


def _type_sym(node: cst.BaseExpression, state: _State) -> Sym:
    """A dotted name as a sym without locations (an annotation may be parsed from a string)."""
    if isinstance(node, cst.Attribute):
        return ("attr", _type_sym(node.value, state), node.attr.value, None)
    if isinstance(node, cst.Name):
        bound = state.env.get(node.value)
        if bound is not None and bound[0] == "imp":
            return bound
        return ("name", node.value, None)
    return UNKNOWN


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


@dataclass
class _State:
    env: dict[str, Sym]
    must: frozenset[tuple[object, ...]] | None  # None: this point cannot be reached

    def copy(self) -> _State:
        return _State(dict(self.env), self.must)


def _merge_sym(a: Sym, b: Sym) -> Sym:
    if a is b or a == b:
        return a
    if a[0] == "dict" and b[0] == "dict":
        items = list(a[1]) + [i for i in b[1] if i not in a[1]]
        return ("dict", tuple(items), a[2] or b[2], a[3])
    return ("cond", (a, b), a[-1] if isinstance(a[-1], tuple) else None)


def _merge(states: Sequence[_State]) -> _State:
    live = [s for s in states if s.must is not None]
    if not live:
        return _State(dict(states[0].env) if states else {}, None)
    must = live[0].must
    env = dict(live[0].env)
    for s in live[1:]:
        assert must is not None and s.must is not None
        must = must & s.must
        for name, sym in s.env.items():
            env[name] = _merge_sym(env[name], sym) if name in env else sym
    return _State(env, must)


class _Extractor:
    def __init__(self, facts: FileFacts, positions: _Positions, lines: list[str]) -> None:
        self.facts = facts
        self.pos = positions
        self.lines = lines
        self.next_id = 0
        self.module_imports: dict[str, str] = {}  # module-level import bindings (for ``partial``)
        self.global_assigns: dict[str, list[Sym]] = {}  # ``global x; x = ...`` in functions
        self.assigned: cst.CSTNode | None = None  # the value of the assignment being walked

    # ------------------------------------------------------------------ helpers
    def loc(self, node: cst.CSTNode) -> Loc:
        return self.pos[node]

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
        state = _State({}, frozenset())
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
            return _merge([then, other])
        if isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                self.calls_in(node.iter, state, scope, func)
            else:
                self.calls_in(node.test, state, scope, func)
            inner = state.copy()
            if isinstance(node, cst.For):
                self.unbind(node.target, inner)
            end = self.block(node.body.body, inner, scope, func, cls)
            after = _merge([state, end]) if end.must is not None else state.copy()
            if node.orelse is not None:
                after = self.block(node.orelse.body.body, after, scope, func, cls)
            return after
        if isinstance(node, cst.Try) or type(node).__name__ == "TryStar":
            pre = state.copy()
            body_end = self.block(node.body.body, state.copy(), scope, func, cls)  # type: ignore[attr-defined]
            ends = []
            for handler in node.handlers:  # type: ignore[attr-defined]
                h = _State(_merge([pre, body_end]).env if body_end.must is not None else dict(pre.env), pre.must)
                if handler.name is not None:
                    self.unbind(handler.name.name, h)
                ends.append(self.block(handler.body.body, h, scope, func, cls))
            if node.orelse is not None:  # type: ignore[attr-defined]
                body_end = self.block(node.orelse.body.body, body_end, scope, func, cls)  # type: ignore[attr-defined]
            after = _merge([body_end, *ends])
            if node.finalbody is not None:  # type: ignore[attr-defined]
                fin = self.block(node.finalbody.body.body, _State(dict(after.env), pre.must), scope, func, cls)  # type: ignore[attr-defined]
                if after.must is None or fin.must is None:
                    return _State(fin.env, None)
                return _State(fin.env, after.must | fin.must)
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
                if isinstance(case.pattern, cst.MatchAs) and case.pattern.pattern is None and case.guard is None:
                    exhaustive = True
                ends.append(self.block(case.body.body, state.copy(), scope, func, cls))
            if not exhaustive:
                ends.append(state)
            return _merge(ends)
        if isinstance(node, cst.FunctionDef):
            self.header_calls(node, state, scope, func)
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
            state.env.setdefault(_GLOBALS, ("globals", tuple(n.name.value for n in node.names), None))
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
                if isinstance(node.operator, cst.BitOrAssign) and current and current[0] == "dict" and new[0] == "dict":
                    state.env[target.value] = ("dict", current[1] + new[1], current[2] or new[2], current[3])
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

    def assign(self, target: cst.BaseExpression, value: Sym, state: _State, cls: ClassFacts | None) -> None:
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
            if base is not None and base[0] == "self":
                owner = self.facts.classes.get(base[1])
                if owner is not None:
                    # every assignment counts: ``self.client = None`` then ``= Client()``
                    name = target.attr.value
                    current = owner.inst_attrs.get(name)
                    owner.inst_attrs[name] = value if current is None else _union(current, value)
            elif value[0] in ("call", "name", "attr", "imp", "cond", "or"):
                # ``tracking.client = Client(...)`` (an app factory configuring another module)
                self.facts.attr_assigns.append((self.sym(target.value, state), target.attr.value, value))
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
        """``d.update({...})`` / ``d.update(k=v)`` on a local dict extends it."""
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
                items.append((self.sym(expr.args[0].value, state), self.sym(expr.args[1].value, state)))
            state.env[name] = ("dict", tuple(items), is_open, current[3])
            return
        for arg in expr.args:
            if arg.keyword is not None:
                items.append((("lit", arg.keyword.value, None, self.loc(arg.keyword)), self.sym(arg.value, state)))
            elif arg.star == "**" or arg.star == "":
                items.append(("**", self.sym(arg.value, state)))
            else:
                is_open = True
        state.env[name] = ("dict", tuple(items), is_open, current[3])

    # ------------------------------------------------------------------ definitions
    def annotation(self, node: cst.BaseExpression, state: _State, depth: int = 0) -> Sym | None:
        """An annotation as an instance of the type it names (``("call", type, (), (), None)``;
        several for a union): ``X``, ``Optional[X]``, ``X | None``, ``"X"``. None for builtin
        and plain types, which cannot be clients."""
        if depth > 8:
            return None
        if isinstance(node, cst.SimpleString):
            text = _string_value(node)
            if not isinstance(text, str) or len(text) > 200:
                return None
            try:
                inner = cst.parse_expression(text)
            except Exception:
                return None
            return self.annotation(inner, _State({}, frozenset()), depth + 1)
        if isinstance(node, cst.Subscript):
            head = cst.helpers.get_full_name_for_node(node.value) or ""
            if head.rsplit(".", 1)[-1] not in _WRAPPING_TYPES:
                return None
            elements = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
            if head.endswith("Annotated") or head.endswith("ClassVar") or head.endswith("Final"):
                elements = elements[:1]
            return self._annotations(elements, state, depth)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._annotations([node.left, node.right], state, depth)
        if isinstance(node, (cst.Name, cst.Attribute)):
            name = cst.helpers.get_full_name_for_node(node) or ""
            if name.rsplit(".", 1)[-1] in _PLAIN_TYPES or name.startswith("typing."):
                return None
            return ("call", _type_sym(node, state), (), (), None)
        return None

    def _annotations(self, nodes: list[cst.BaseExpression], state: _State, depth: int) -> Sym | None:
        found = [t for t in (self.annotation(n, state, depth + 1) for n in nodes) if t is not None]
        if not found:
            return None
        result = found[0]
        for other in found[1:]:
            result = _union(result, other)
        return result

    def params(self, node: cst.FunctionDef) -> tuple[Param, ...]:
        p = node.params
        empty = _State({}, frozenset())

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

    def function(self, node: cst.FunctionDef, scope: str, cls: ClassFacts | None, outer: _State) -> None:
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
        facts = FuncFacts(qualname, cls.qualname if cls else None, params, decorators, self.loc(node))
        if node.returns is not None:
            facts.return_type = self.annotation(node.returns.annotation, _State({}, frozenset()))
        self.facts.functions[qualname] = facts
        if cls is not None:
            cls.methods[name] = qualname
        env: dict[str, Sym] = {}
        if scope != "<module>" and cls is None:
            env.update(outer.env)  # closures see the enclosing function's locals
        for i, param in enumerate(params):
            if i == 0 and cls is not None and "staticmethod" not in decorators and param.kind in ("pos", "posonly"):
                env[param.name] = ("self", cls.qualname, None)
            else:
                env[param.name] = ("param", param.name, None)
        self.block(node.body.body, _State(env, frozenset()), qualname, facts, None)

    def klass(self, node: cst.ClassDef, scope: str, outer: _State) -> None:
        qualname = node.name.value if scope == "<module>" else f"{scope}.<locals>.{node.name.value}"
        if scope != "<module>" and "." not in scope and scope in self.facts.classes:
            qualname = f"{scope}.{node.name.value}"
        bases = tuple(self.sym(arg.value, outer) for arg in node.bases if arg.keyword is None)
        cls = ClassFacts(qualname, bases)
        self.facts.classes[qualname] = cls
        state = _State({}, frozenset())
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
    def calls_in(self, expr: cst.CSTNode, state: _State, scope: str, func: FuncFacts | None) -> None:
        """Record the calls in ``expr`` in evaluation order (arguments before the call)."""
        for call, conditional in self.pos.calls_within(expr):
            fact = self.record(call, state, scope, conditional)
            if func is not None:
                func.calls.append(fact.id)
            if not conditional and state.must is not None:
                state.must = state.must | {fact.key}
        for node in self.pos.lambdas_within(expr):
            self.lambda_(node, state, scope)

    def header_calls(
        self, node: cst.FunctionDef | cst.ClassDef, state: _State, scope: str, func: FuncFacts | None
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
        (``on_commit(lambda: analytics.track(...))``), and it returns its body."""
        line, column = self.loc(node)[:2]
        name = f"<lambda:{line}:{column}>"
        qualname = name if scope == "<module>" else f"{scope.removesuffix('.<body>')}.<locals>.{name}"
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
        state = _State(env, frozenset())
        self.calls_in(node.body, state, qualname, facts)
        facts.returns.append(self.sym(node.body, state))

    def record(self, node: cst.Call, state: _State, scope: str, conditional: bool) -> CallFact:
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
            must=state.must if state.must is not None else frozenset(),
            conditional=conditional,
            snippet=self.snippet(loc),
        )
        self.next_id += 1
        self.facts.calls.append(fact)
        return fact

    def arguments(
        self, args: Sequence[cst.Arg], state: _State
    ) -> tuple[tuple[Sym, ...], tuple[tuple[str | None, Sym], ...]]:
        positional: list[Sym] = []
        keywords: list[tuple[str | None, Sym]] = []
        for arg in args:
            value = self.sym(arg.value, state)
            if arg.keyword is not None:
                keywords.append((arg.keyword.value, value))
            elif arg.star == "**":
                keywords.append((None, value))
            elif arg.star == "*":
                positional.append(("*", value))
            else:
                positional.append(value)
        return tuple(positional), tuple(keywords)

    def dict_call(self, node: cst.Call, state: _State, loc: Loc) -> Sym:
        """``dict(a, k=v, **b)`` as a dict literal, so later ``d["k"] = v`` extends it."""
        items: list[tuple[Sym, Sym] | tuple[str, Sym]] = []
        is_open = False
        for arg in node.args:
            if arg.keyword is not None:
                items.append((("lit", arg.keyword.value, None, self.loc(arg.keyword)), self.sym(arg.value, state)))
            elif arg.star == "*":
                is_open = True
            else:
                items.append(("**", self.sym(arg.value, state)))
        return ("dict", tuple(items), is_open, loc)

    # ------------------------------------------------------------------ expressions
    def sym(self, node: cst.BaseExpression, state: _State) -> Sym:
        loc = self.loc(node)
        if isinstance(node, cst.SimpleString):
            value = _string_value(node)
            if value is None:
                return ("unknown", "string", loc)
            if isinstance(value, bytes):
                return ("unknown", "bytes", loc)
            return ("lit", value, (node.prefix, node.quote), loc)
        if isinstance(node, cst.ConcatenatedString):
            try:
                value = node.evaluated_value
            except Exception:
                value = None
            if isinstance(value, str):
                return ("lit", value, None, loc)
            return ("unknown", "str", loc)
        if isinstance(node, cst.FormattedString):
            parts = node.parts
            if all(isinstance(p, cst.FormattedStringText) for p in parts):
                return ("lit", "".join(p.value for p in parts if isinstance(p, cst.FormattedStringText)), None, loc)
            return self.fstring(parts, "r" in node.prefix.lower(), state, loc)
        if isinstance(node, cst.Integer):
            return ("lit", node.evaluated_value, None, loc)
        if isinstance(node, cst.Float):
            return ("lit", node.evaluated_value, None, loc)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            inner = self.sym(node.expression, state)
            if inner[0] == "lit" and isinstance(inner[1], (int, float)) and not isinstance(inner[1], bool):
                return ("lit", -inner[1], None, loc)
            return ("unknown", "expression", loc)
        if isinstance(node, cst.Name):
            name = node.value
            if name in ("True", "False", "None"):
                return ("lit", {"True": True, "False": False, "None": None}[name], None, loc)
            bound = state.env.get(name)
            if bound is not None:
                # the local's value, located where it is used (findings point at the call)
                return (*bound[:-1], loc)
            return ("name", name, loc)
        if isinstance(node, cst.Attribute):
            return ("attr", self.sym(node.value, state), node.attr.value, loc)
        if isinstance(node, cst.Subscript):
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                return ("sub", self.sym(node.value, state), self.sym(node.slice[0].slice.value, state), loc)
            return ("unknown", "subscript", loc)
        if isinstance(node, cst.Dict):
            items: list[tuple[Sym, Sym] | tuple[str, Sym]] = []
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    items.append((self.sym(element.key, state), self.sym(element.value, state)))
                else:
                    items.append(("**", self.sym(element.value, state)))
            return ("dict", tuple(items), False, loc)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return ("list", tuple(self.sym(e.value, state) for e in node.elements), loc)
        if isinstance(node, cst.IfExp):
            return ("cond", (self.sym(node.body, state), self.sym(node.orelse, state)), loc)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            return ("or", self.sym(node.left, state), self.sym(node.right, state), loc)
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Name) and node.func.value == "dict" and "dict" not in state.env:
                return self.dict_call(node, state, loc)
            func = self.sym(node.func, state)
            args, kwargs = self.arguments(node.args, state)
            return ("call", func, args, kwargs, loc)
        if isinstance(node, cst.BinaryOperation):
            left = self.sym(node.left, state)
            right = self.sym(node.right, state)
            if isinstance(node.operator, cst.Add) and left[0] == "lit" and right[0] == "lit":
                if isinstance(left[1], str) and isinstance(right[1], str):
                    return ("lit", left[1] + right[1], None, loc)
            if isinstance(node.operator, cst.BitOr) and left[0] == "dict" and right[0] == "dict":
                return ("dict", left[1] + right[1], left[2] or right[2], loc)
            built = self.binop(node, left, right, loc)
            if built is not None:
                return built
            if isinstance(node.operator, cst.Modulo) and left[0] == "lit" and isinstance(left[1], str):
                return ("unknown", "str", loc)
            return ("unknown", "expression", loc)
        if isinstance(node, cst.Await):
            return ("unknown", "await", loc)
        return ("unknown", type(node).__name__, loc)

    def fstring(
        self, parts: Sequence[cst.BaseFormattedStringContent], raw: bool, state: _State, loc: Loc | None
    ) -> Sym:
        """An f-string as ``("fstr", parts, loc)``: text parts as literals, each replacement
        field as ``("fmt", value, conversion, spec, loc)`` (``spec``: an ``fstr`` or None)."""
        out: list[Sym] = []
        for part in parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value
                if "\\" in text and not raw:
                    return ("unknown", "str", loc)  # escapes: not worth decoding here
                out.append(("lit", text.replace("{{", "{").replace("}}", "}"), None, None))
            elif isinstance(part, cst.FormattedStringExpression):
                if part.equal is not None:
                    return ("unknown", "str", loc)  # ``f"{x=}"`` prints the expression's text
                spec = None
                if part.format_spec is not None:
                    spec = self.fstring(part.format_spec, raw, state, None)
                    if spec[0] == "unknown":
                        return ("unknown", "str", loc)
                value = self.sym(part.expression, state)
                out.append(("fmt", value, part.conversion, spec, self.loc(part.expression)))
            else:
                return ("unknown", "str", loc)
        return ("fstr", tuple(out), loc)

    def binop(self, node: cst.BinaryOperation, left: Sym, right: Sym, loc: Loc) -> Sym | None:
        """``+`` and ``%`` as ``("binop", op, left, right, loc)``, evaluated by the linker; op
        ``%()`` when the right operand is a tuple display (its elements are the arguments).
        Chains are kept to a few dozen operands (``1 + 1 + ...`` generated code)."""
        if isinstance(node.operator, cst.Add):
            op = "+"
        elif isinstance(node.operator, cst.Modulo):
            op = "%()" if isinstance(node.right, cst.Tuple) else "%"
        else:
            return None
        depth, inner = 0, left
        while inner[0] == "binop":
            depth += 1
            if depth >= _MAX_BINOP_CHAIN:
                return None
            inner = inner[2]
        return ("binop", op, left, right, loc)


__all__ = ["UNKNOWN", "extract_file", "parse_suppressions"]
