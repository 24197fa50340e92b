"""Where each node of a libcst tree is, without libcst's metadata providers.

``Positions`` runs one code-generation pass that only counts characters (the spans
``ByteSpanPositionProvider`` computes, in characters, without building the source text) and
lists every call, in post-order, with the regions where it may not run (a branch of
``a if c else b``, the right of ``and``/``or``, a comprehension), the comprehensions that may
run it more than once, and the lambdas around it.
Identical to ``PositionProvider`` for every node asked about (tests/test_positions.py).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import MetadataWrapper, PositionProvider

from cio_lint.analysis.syms import Loc

_CONDITIONAL, _SKIP, _REPEAT = 1, 2, 3
_CONDITIONAL_TYPES = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def _leaf_simple(self: cst.SimpleWhitespace | cst.Comment, state: _SpanState, **_: object) -> None:
    state.position += len(self.value)


def _leaf_newline(self: cst.Newline, state: _SpanState, **_: object) -> None:
    state.position += len(state.default_newline if self.value is None else self.value)


_LEAVES = (
    (cst.SimpleWhitespace, _leaf_simple),
    (cst.Comment, _leaf_simple),
    (cst.Newline, _leaf_newline),
)


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


class Positions:
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
        self._shifts: list[int] | None = None  # see ``_regenerated``
        try:
            state = _SpanState(tree.default_indent, tree.default_newline)
            with _counting_leaves():
                tree._codegen(state)
            state.finish()
            self.sink: _SpanState = state
            self.spans: dict[int, tuple[int, int]] | None = state.spans
            self.fallback = None
            if state.position != len(text) or "\f" in text:
                # (the pass counts a final newline the file may lack: lengths can agree anyway)
                code = tree.code
                if code != text:
                    self._regenerated(code)
        except RecursionError:
            raise  # too deep: the slower provider would recurse as deep
        except Exception:  # noqa: BLE001  (a libcst whose code generation changed: the slower provider)
            self.spans = None
            self.fallback = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)

    def _regenerated(self, code: str) -> None:
        """libcst's tree does not give back ``text``: it drops the leading whitespace of a
        module-level statement when that holds a form feed (``\\f`` resets Python's
        indentation). Spans are offsets in ``code``, so lines are counted there, and each
        line's columns are moved by the characters dropped from its start."""
        ends = re.compile(r"\r\n|\r|\n")
        ours, theirs = ends.split(self.text), ends.split(code)
        self._starts = [0] + [m.end() for m in ends.finditer(code)]
        if len(ours) == len(theirs):
            self._shifts = [
                len(a) - len(b) if a.endswith(b) else 0 for a, b in zip(ours, theirs, strict=True)
            ]

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self.text)]
        line = bisect.bisect_right(self._starts, offset)
        column = offset - self._starts[line - 1] + 1
        if self._shifts is not None:
            column += self._shifts[line - 1]
        if self.line_map is not None:
            line = (
                self.line_map[line - 1]
                if line <= len(self.line_map)
                else self.line_map[-1] + line - len(self.line_map)
            )
        return line, column

    def __getitem__(self, node: cst.CSTNode) -> Loc:
        if self.spans is None:
            r = self.fallback[node]  # type: ignore[index]
            lines = self.line_map
            if lines is None:
                return (r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)
            return (
                lines[r.start.line - 1],
                r.start.column + 1,
                lines[min(r.end.line, len(lines)) - 1],
                r.end.column + 1,
            )
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

    def calls_within(self, expr: cst.CSTNode) -> Iterator[tuple[cst.Call, bool, bool]]:
        """The calls inside ``expr``, in post-order (arguments before the call that takes them),
        with whether each may not run (a branch of ``a if c else b``, the right of ``and``/``or``,
        a comprehension) and whether it may run more than once (in a comprehension). Calls
        inside a ``lambda`` are not run here and are left out."""
        if self.spans is None:
            yield from _iter_calls_slow(expr, False, False)
            return
        start, end = self.spans[id(expr)]
        ends = self.sink.call_ends
        sink = self.sink
        for index in range(bisect.bisect_right(ends, start - 1), bisect.bisect_right(ends, end)):
            _, call_start, node = sink.calls[index]
            if call_start >= start and sink.lambda_starts[index] < start:
                yield node, sink.cond_starts[index] >= start, sink.repeat_starts[index] >= start


def spliced_positions(
    old: Positions,
    old_tree: cst.Module,
    part: Positions,
    part_tree: cst.Module,
    tree: cst.Module,
    text: str,
    line_map: list[int] | None,
    span: tuple[int, int],
    aliases: Sequence[tuple[cst.CSTNode, cst.CSTNode]],
) -> Positions | None:
    """The positions of ``tree``, the module of ``old_tree`` (positions ``old``) whose statements
    in ``span`` (offsets of ``old.text``) were replaced by those of ``part_tree`` (positions
    ``part``, parsed from what ``text`` has there), without a pass over the rest: the spans
    before ``span`` stay, those after it move by the change in length, the part's move to
    where it starts. ``aliases``: (copy, node) pairs, a statement copied with other leading
    lines (its span is the node's: every statement's span starts after its leading lines).
    None if either pass was not a plain count (``_regenerated``, the slower provider)."""
    lo, hi = span
    delta = len(text) - len(old.text)
    if (
        old.spans is None
        or part.spans is None
        or old._shifts is not None
        or part._shifts is not None
        or old.sink.position != len(old.text)
        or part.sink.position != len(part.text)
        or len(part.text) != hi - lo + delta
    ):
        return None
    spans: dict[int, tuple[int, int]] = {}
    for key, (start, end) in old.spans.items():
        if end <= lo:
            spans[key] = (start, end)
        elif start >= hi:
            spans[key] = (start + delta, end + delta)
    for key, (start, end) in part.spans.items():
        spans[key] = (start + lo, end + lo)
    spans.pop(id(part_tree), None)
    spans.pop(id(old_tree), None)
    for copy, node in aliases:
        spans[id(copy)] = spans[id(node)]
    spans[id(tree)] = (0, len(text))
    before, inside = old.sink, part.sink
    sink = _SpanState(tree.default_indent, tree.default_newline)
    sink.position = len(text)
    sink.spans = spans
    i, j = bisect.bisect_right(before.call_ends, lo), bisect.bisect_right(before.call_ends, hi)
    sink.calls = [
        *before.calls[:i],
        *((end + lo, start + lo, node) for end, start, node in inside.calls),
        *((end + delta, start + delta, node) for end, start, node in before.calls[j:]),
    ]
    sink.call_ends = [end for end, _, _ in sink.calls]
    for name in ("cond_starts", "repeat_starts", "lambda_starts"):
        setattr(
            sink,
            name,
            [
                *getattr(before, name)[:i],
                *_moved(getattr(inside, name), lo),
                *_moved(getattr(before, name)[j:], delta),
            ],
        )
    i, j = bisect.bisect_right(before.lambda_ends, lo), bisect.bisect_right(before.lambda_ends, hi)
    sink.lambdas = [
        *before.lambdas[:i],
        *((start + lo, end + lo, node) for start, end, node in inside.lambdas),
        *((start + delta, end + delta, node) for start, end, node in before.lambdas[j:]),
    ]
    sink.lambda_ends = [end for _, end, _ in sink.lambdas]
    positions = Positions.__new__(Positions)
    positions.text, positions.line_map = text, line_map
    positions._starts = positions._shifts = None
    positions.sink, positions.spans, positions.fallback = sink, spans, None
    return positions


def _moved(starts: Sequence[int], delta: int) -> list[int]:
    """Region starts moved by ``delta`` (-1: no region)."""
    return [start + delta if start >= 0 else start for start in starts]


class _Syntactic:
    """``record_syntactic_position`` without a generator: the span of a node without the
    whitespace and parentheses it owns (it wins over the span ``after_codegen`` records)."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _SpanState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
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
        self.repeat_starts: list[int] = []
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
            for part in _repeated_parts(node):  # type: ignore[arg-type]
                self._region(part, _REPEAT)
        elif kind is cst.Lambda:
            self._region(node, _SKIP)
            self.lambdas.append((span[0], span[1], node))  # type: ignore[arg-type]

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
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
        self.repeat_starts = [-1] * len(self.calls)
        self.lambda_starts = [-1] * len(self.calls)
        by_kind = {
            _CONDITIONAL: self.cond_starts,
            _REPEAT: self.repeat_starts,
            _SKIP: self.lambda_starts,
        }
        for start, end, kind in self.regions:
            starts = by_kind[kind]
            for index in range(
                bisect.bisect_right(self.call_ends, start), bisect.bisect_right(self.call_ends, end)
            ):
                if self.calls[index][1] >= start > starts[index]:
                    starts[index] = start


def _repeated_parts(node: cst.BaseComp) -> list[cst.CSTNode]:
    """What a comprehension may run more than once: all of it but its first iterable, which
    runs once where the comprehension is."""
    first: cst.CompFor = node.for_in
    parts: list[cst.CSTNode] = [*first.ifs]
    if isinstance(node, cst.DictComp):
        parts += [node.key, node.value]
    else:
        parts.append(node.elt)  # type: ignore[attr-defined]
    if first.inner_for_in is not None:
        parts.append(first.inner_for_in)
    return parts


def _iter_calls_slow(
    node: cst.CSTNode, conditional: bool, repeated: bool, again: frozenset[int] = frozenset()
) -> Iterator[tuple[cst.Call, bool, bool]]:
    """``again``: the ids of the parts of the comprehensions around ``node`` that may run more
    than once (``_repeated_parts``)."""
    if isinstance(node, cst.Lambda):
        return
    repeated = repeated or id(node) in again
    if isinstance(node, cst.IfExp):
        yield from _iter_calls_slow(node.test, conditional, repeated, again)
        yield from _iter_calls_slow(node.body, True, repeated, again)
        yield from _iter_calls_slow(node.orelse, True, repeated, again)
        return
    if isinstance(node, cst.BooleanOperation):
        yield from _iter_calls_slow(node.left, conditional, repeated, again)
        yield from _iter_calls_slow(node.right, True, repeated, again)
        return
    if isinstance(node, _CONDITIONAL_TYPES):
        conditional = True
        again = again | {id(part) for part in _repeated_parts(node)}
    for child in node.children:
        yield from _iter_calls_slow(child, conditional, repeated, again)
    if isinstance(node, cst.Call):
        yield node, conditional, repeated


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
