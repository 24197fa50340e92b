"""Whether a file is Python, as CPython decides it, and whether libcst can parse it within bounds.

A file is valid when ``cio_lint.source`` decodes it as CPython does and ``compile()`` accepts
the text (parsing *and* compiling: ``return`` outside a function is rejected by the compiler).
Whatever CPython rejects is a CIO900 with CPython's message; libcst is never given such a file
(on some, deep nesting for instance, its native parser overflows the C stack and kills the
process). The check runs on a thread of its own (``deep``): a fresh stack, so that the verdict
does not depend on how deep the caller is, and the interpreter's recursion limit, so that
``python file.py`` and cio-lint agree.

Valid Python can still be out of libcst's reach: its parser's time and memory grow with the
square of the nesting (a 64 KiB file of lists nested fifty deep needs 1.4 GB; one subscript
chain ``a[0][0]...`` 2,900 long, 90 s), and it nests what CPython keeps flat (``a and b and
c``, the ``for`` clauses of a comprehension: 7,000 ``and`` overflow its stack). ``measure``
walks CPython's tree once, without recursion, for the depth libcst will see and an estimate
of the memory the analysis will take. A file nested deeper than ``MAX_DEPTH`` is a CIO900
("too deeply nested to analyse"); one whose estimate is over the budget ``max-file-size``
sets is a CIO901 (too large to analyse): not a crash, a hang or a swap storm.
"""

from __future__ import annotations

import ast
import os
import queue
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from cio_lint.analysis.trim import Trimmed, blank
from cio_lint.source import SourceError, decode

Error = tuple[int, int, str]  # line, column, message (``FileFacts.error``)
T = TypeVar("T")

# Nesting libcst and the extractor are given at most (CPython's own limit is about 3,000 at
# the default recursion limit; libcst's parse of a call nested 1,000 deep takes a second).
MAX_DEPTH = 1000
# What one file's analysis may take (libcst's tree, positions, facts, as ``measure``
# estimates it), per byte of ``max-file-size``: 750 MB at the default 512 KiB. The estimate
# is within 25% of the real peak on every shape measured, so one file stays under 1 GiB
# (docs/performance.md); a realistic file of 500 KiB needs 400 to 850 MB.
BUDGET_PER_BYTE = 1500
# Bytes per unit of the estimate: per source byte, per node of CPython's tree, per node per
# bracket around it in its statement (a list, a call's arguments, a subscript: what libcst
# re-parses when it backtracks), per node per ``_HEAVY`` expression around it, and per call
# (libcst's are the heaviest nodes: ``f()()()`` chains were the worst case). Fitted as upper
# bounds on files made of one construct each (46 shapes, nested 1 to 100 deep, and three
# realistic large files; docs/performance.md).
_PER_BYTE, _PER_NODE, _PER_BRACKET, _PER_LEVEL, _PER_CALL = 300, 2250, 1600, 300, 2000

# The thread the parse path runs on: a large stack (reserved, not used, until deep input
# needs it) and, once CPython has accepted the file, a recursion limit raised to what
# MAX_DEPTH needs (libcst's code generation and the extractor recurse per level).
_STACK_BYTES = 512 * 2**20
_RECURSION_LIMIT = 40 * MAX_DEPTH
_LOCK = threading.Lock()
_THREAD = "cio-lint-parse"

TOO_DEEP = "Expression too deeply nested to analyse"


@dataclass
class Checked:
    text: str | None  # the decoded source, without a BOM (None: it cannot be decoded)
    tree: ast.Module | None  # CPython's tree of it (None: ``error``)
    error: Error | None = None  # why it is a CIO900
    too_large: bool = False  # the error is a CIO901: over the memory budget
    trimmed: Trimmed | None = None  # what ``narrow`` left of the text, for libcst
    size: Size | None = None  # what ``measure`` found (the language server: a bound, see
    # ``analysis.reparse``, which leaves ``tree`` None: its verdict needs no tree of the file)


def check(
    data: bytes,
    path: str,
    max_file_bytes: int,
    narrow: Callable[[str, ast.Module], Trimmed] | None = None,
) -> Checked:
    """The text and tree of a file CPython accepts and libcst can parse within bounds, or
    the error that makes it a CIO900 (a CIO901 if ``too_large``: over the memory budget of
    ``max_file_bytes``). Call it on the ``deep`` thread.

    ``narrow``: what trims the text for libcst (``analysis.trim``), given CPython's tree. Only
    what it keeps is measured against libcst's bounds (only that reaches libcst); CPython
    parses and compiles the whole file."""
    try:
        text = decode(data).text
    except SourceError as exc:
        return Checked(None, None, (exc.line, 1, exc.message))
    compiled = _compiled(text, path, len(data), narrow)
    if compiled[0] is None:
        return Checked(text, None, compiled[1])
    tree, size, trimmed = compiled
    if size.depth > RETIRE_DEPTH:
        retire()
    if size.depth > MAX_DEPTH:
        return Checked(
            text, None, (size.line, 1, f"{TOO_DEEP} ({size.depth} levels, over {MAX_DEPTH})")
        )
    budget = max_file_bytes * BUDGET_PER_BYTE
    if size.memory > budget:
        message = (
            f"File would take about {size.memory >> 20} MB to analyse (nesting from line "
            f"{size.line} on), over the {budget >> 20} MB that `max-file-size` = "
            f"{max_file_bytes // 1024} KiB allows: not checked"
        )
        return Checked(text, None, (1, 1, message), too_large=True)
    return Checked(text, tree, trimmed=trimmed, size=size)


def accepts(piece: str, path: str, flags: int = 0) -> Size | None:
    """The ``measure`` of ``piece`` if CPython parses and compiles it as a module of its own
    (the statements an edit touched: ``analysis.reparse``) with the ``__future__`` ``flags``,
    None if not or if that went deep."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(piece, filename=path)
            size = measure(tree, len(piece.encode("utf-8", "surrogatepass")))
            by_text = size.depth > _TREE_COMPILE_DEPTH
            compile(piece if by_text else tree, path, "exec", flags=flags, dont_inherit=True)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            return None
    return size


# Up to this depth the tree is compiled (faster than the text); deeper, the text: compiling a
# tree object allows about a third of the nesting the text may have.
_TREE_COMPILE_DEPTH = 500


def _compiled(
    text: str, path: str, size: int, narrow: Callable[[str, ast.Module], Trimmed] | None
) -> tuple[ast.Module, Size, Trimmed | None] | tuple[None, Error, None]:
    """CPython's tree of ``text``, the ``measure`` of what ``narrow`` keeps of it, and that,
    or why CPython rejects it (what ``python path`` says: parsing and compiling, warnings
    aside)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning, DeprecationWarning: not ours
        try:
            try:
                tree = ast.parse(text, filename=path)
            except (RecursionError, MemoryError):
                retire()
                compile(text, path, "exec", dont_inherit=True)  # CPython's own verdict
                return None, (1, 1, f"{TOO_DEEP} (over {MAX_DEPTH} levels)"), None
            trimmed = narrow(text, tree) if narrow is not None else None
            kept = blank(tree, trimmed) if trimmed is not None else tree
            measured = measure(kept, size)
            # the depth of the code left out is not known: then the text, whatever its depth
            by_text = kept is not tree or measured.depth > _TREE_COMPILE_DEPTH
            compile(text if by_text else tree, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            if exc.lineno is None and "\0" in text:  # CPython does not say where the NUL is
                line = text.count("\n", 0, text.index("\0")) + 1
                return None, (line, 1, f"Syntax error: {exc.msg}"), None
            return None, (exc.lineno or 1, exc.offset or 1, f"Syntax error: {exc.msg}"), None
        except RecursionError as exc:
            retire()
            return None, (1, 1, f"Too deeply nested for Python: {exc}"), None
        except MemoryError:
            retire()
            return None, (1, 1, "Too deeply nested for Python: its parser ran out of memory"), None
        except ValueError as exc:  # Python before 3.11.4: null bytes
            return None, (1, 1, f"Syntax error: {exc}"), None
    return tree, measured, trimmed


@dataclass
class Size:
    depth: int  # the deepest nesting libcst will see
    memory: int  # estimated bytes of one analysis
    line: int  # where the deepest node is (for the depth) or the costliest statement
    brackets: int = 0  # the sum over nodes of the brackets around them in their statement
    levels: int = 0  # the sum over nodes of the calls, lambdas... around them (``_HEAVY``)
    nodes: int = 0


_BRACKETS: dict[type[ast.AST], tuple[str, ...]] = {
    ast.List: ("elts",),
    ast.Tuple: ("elts",),
    ast.Set: ("elts",),
    ast.Dict: ("keys", "values"),
    ast.Call: ("args", "keywords"),
    ast.Subscript: ("slice",),
    ast.ListComp: ("elt", "generators"),
    ast.SetComp: ("elt", "generators"),
    ast.GeneratorExp: ("elt", "generators"),
    ast.DictComp: ("key", "value", "generators"),
}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
# Around which libcst's cost grows with depth: calls, lambdas, ``if`` expressions, unary
# operators (and powers), and the postfix chains ``a.b[c](d)`` (its time: a call nested 990
# deep in calls takes seconds to parse and to walk).
_HEAVY = (ast.Call, ast.Lambda, ast.IfExp, ast.UnaryOp, ast.Attribute, ast.Subscript)


def measure(tree: ast.Module, size: int) -> Size:
    """One walk over ``tree`` (a stack, no recursion: it may be thousands deep): the nesting
    libcst sees and the memory estimate. Nesting in an expression counts from its statement
    (libcst's cost grows with it; a statement nested in blocks costs like any other)."""
    deepest, deepest_line = 0, 1
    nodes = brackets = levels = calls = 0
    statement, line, worst, worst_line = 0, 1, 0, 1  # the costliest statement, for the message
    # (node, depth in the file, brackets and heavy levels around it in its statement)
    stack: list[tuple[ast.AST, int, int, int]] = [(tree, 0, 0, 0)]
    pop, push = stack.pop, stack.append
    kinds = _KINDS
    while stack:
        node, depth, around, heavy = pop()
        kind = kinds.get(type(node)) or _kind(type(node))
        if kind.statement:
            if statement > worst:
                worst, worst_line = statement, line
            statement, line, around, heavy = 0, node.lineno, 0, 0  # type: ignore[attr-defined]
        nodes += 1
        calls += kind.call
        brackets += around
        levels += heavy
        statement += _PER_NODE + around * _PER_BRACKET + heavy * _PER_LEVEL
        if depth > deepest:
            deepest, deepest_line = depth, getattr(node, "lineno", line)
        step = 1
        if kind.step == 1:  # libcst: ``(a and b) and c``
            step = len(node.values) - 1  # type: ignore[attr-defined]
        elif kind.step == 2:  # libcst: each ``for`` holds the next
            step = len(node.generators)  # type: ignore[attr-defined]
        if kind.heavy or (kind.binary and type(node.op) is ast.Pow):  # type: ignore[attr-defined]
            heavy += 1
        depth += step
        for name, bracket in kind.fields:
            value = getattr(node, name, None)
            inner = around + bracket
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        push((item, depth, inner, heavy))
            elif value is not None and isinstance(value, ast.AST):
                if type(value) in _LEAVES:  # ``Load()``, ``Add()``...: counted, not walked
                    nodes += 1
                    brackets += inner
                    levels += heavy
                    statement += _PER_NODE + inner * _PER_BRACKET + heavy * _PER_LEVEL
                    if depth > deepest:
                        deepest, deepest_line = depth, line
                else:
                    push((value, depth, inner, heavy))
    if statement > worst:
        worst_line = line
    memory = (
        size * _PER_BYTE
        + nodes * _PER_NODE
        + brackets * _PER_BRACKET
        + levels * _PER_LEVEL
        + calls * _PER_CALL
    )
    line = deepest_line if deepest > MAX_DEPTH else worst_line
    return Size(deepest, memory, line, brackets, levels, nodes)


class _Kind(NamedTuple):
    statement: bool
    call: int
    heavy: bool
    binary: bool
    step: int  # 0: one level; 1: a BoolOp's values; 2: a comprehension's generators
    fields: tuple[tuple[str, int], ...]  # (field, 1 if inside the node's brackets)


_KINDS: dict[type, _Kind] = {}
_LEAVES = frozenset(
    t
    for base in (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    for t in base.__subclasses__()
)


def _kind(node_type: type) -> _Kind:
    inside = _BRACKETS.get(node_type, ())
    kind = _Kind(
        issubclass(node_type, ast.stmt),
        int(node_type is ast.Call),
        issubclass(node_type, _HEAVY),
        node_type is ast.BinOp,
        1 if node_type is ast.BoolOp else 2 if issubclass(node_type, _COMPREHENSIONS) else 0,
        tuple((name, int(name in inside)) for name in getattr(node_type, "_fields", ())),
    )
    _KINDS[node_type] = kind
    return kind


def deep(function: Callable[[], T]) -> T:
    """``function()`` on the parse thread, whose stack is large (see ``_STACK_BYTES``); its
    exception, if any, is raised here. Calls are serialised: the recursion limit is global.

    The thread lives as long as the process and takes one call at a time: a fresh thread
    per file cost 2 to 3 ms, mostly the page faults of a new stack (libcst's parser uses
    megabytes of it), a fifth of the parse of a typical file. After input deep enough to
    leave a large stack behind (``retire``), the thread ends, so its stack is given back."""
    if threading.current_thread().name == _THREAD:
        return function()
    with _LOCK:
        worker = _worker()
        if worker is None:  # no such stack here: the caller's
            return function()  # (``raised_recursion_limit`` then keeps the limit: see there)
        return worker.call(function)


def retire() -> None:
    """Called on the parse thread: end it after the current call (it went deep)."""
    if _CURRENT is not None and threading.current_thread() is _CURRENT.thread:
        _CURRENT.retiring = True


# Nesting from which the parse thread is not reused (its stack then holds tens of MB).
RETIRE_DEPTH = 200


class _ParseThread:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.retiring = False
        previous = threading.stack_size()
        try:
            threading.stack_size(_STACK_BYTES)
            self.thread = threading.Thread(target=self._loop, name=_THREAD, daemon=True)
            self.thread.start()
        finally:
            threading.stack_size(previous)

    def alive(self) -> bool:
        return self.pid == os.getpid() and self.thread.is_alive() and not self.retiring

    def _loop(self) -> None:
        while not self.retiring:
            self.jobs.get()()

    def call(self, function: Callable[[], T]) -> T:
        done = threading.Event()
        result: list[T] = []
        failure: list[BaseException] = []

        def job() -> None:
            try:
                result.append(function())
            except BaseException as exc:  # noqa: BLE001  (re-raised in the caller)
                failure.append(exc)
            finally:
                done.set()

        self.jobs.put(job)
        done.wait()
        if self.retiring:
            self.thread.join()
        if failure:
            raise failure[0]
        return result[0]


_CURRENT: _ParseThread | None = None


def _worker() -> _ParseThread | None:
    """The process's parse thread, started if there is none (or it retired, or this is a
    forked child); None if no thread with such a stack can be made here."""
    global _CURRENT
    if _CURRENT is None or not _CURRENT.alive():
        try:
            _CURRENT = _ParseThread()
        except (RuntimeError, MemoryError, ValueError):
            _CURRENT = None
    return _CURRENT


class raised_recursion_limit:
    """The recursion limit MAX_DEPTH needs, for libcst and the extractor (about four frames per
    level), restored on exit. Only on the ``deep`` thread, whose stack holds that many frames
    (30,000 frames that recurse through C took less than 32 MB); elsewhere the limit stays, and
    deep input is a RecursionError (TOO_DEEP), not a stack overflow."""

    def __enter__(self) -> None:
        self.previous = sys.getrecursionlimit()
        if threading.current_thread().name == _THREAD:
            sys.setrecursionlimit(max(self.previous, _RECURSION_LIMIT))

    def __exit__(self, *exc: object) -> None:
        sys.setrecursionlimit(self.previous)
