"""Blank out the functions of a file that cannot matter, before libcst parses it.

libcst is the expensive part of a run; most functions of a file that imports the SDK or a
wrapper's module never touch either. A top-level function, or a whole top-level class,
is kept when its text mentions a name the file binds by importing an SDK module or a relevant
project module (one that defines or holds a wrapper or a client), an SDK package name (for
imports inside the function), or, to a fixed point, a module-level name assigned from such a
name (``client = Client(...)``) or another kept function, class or method of the same file (it
may wrap it). The functions and methods of every other unit are replaced by one ``pass`` line
each, and the line number in the file of every kept line is returned with the text (columns
do not change); module-level statements and
class attributes always stay (constants and Enums are resolved through them). ``ast`` finds the boundaries: it is ten times faster than libcst.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import NamedTuple

from cio_lint import sdks


def imported_names(
    tree: ast.Module, tails: dict[str, frozenset[str] | None], tops: frozenset[str]
) -> set[str]:
    """Local names bound by the file's top-level imports of the SDK or of relevant names.

    ``tails`` maps the last component of a relevant module to the names that make it relevant
    (``None``: all of them, as for the SDK packages). Imports inside functions need no entry:
    a function that imports a relevant module mentions its name, which is kept anyway.
    """
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in tops or any(p in tails for p in parts):
                    names.add(alias.asname or parts[0])
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".")
            wanted = tails.get(parts[-1], ()) if parts[-1] in tails else ()
            whole = parts[0] in tops and wanted == ()
            for alias in node.names:
                if alias.name in tails or whole or wanted is None or alias.name in (wanted or ()):
                    names.add(alias.asname or alias.name)
    return names


def trim(
    text: str,
    tails: Iterable[tuple[str, Iterable[str] | None]] | Iterable[str],
    tops: Iterable[str],
) -> str:
    """``text`` with the functions that cannot matter blanked out, every other line where it
    was (``text`` itself if nothing can go)."""
    trimmed = trim_with_words(text, tails, tops)
    if trimmed.lines is None:
        return text
    out = ["\n"] * len(text.splitlines())
    for number, line in zip(trimmed.lines, trimmed.text.splitlines(keepends=True)):
        out[number - 1] = line
    return "".join(out)


class Trimmed(NamedTuple):
    text: str  # what libcst parses
    dropped: frozenset[str]  # identifiers of the code left out
    lines: list[int] | None  # the file's line number of each line of ``text`` (None: all kept)
    # the first line (decorators included) of each function or method left out
    firsts: frozenset[int] = frozenset()


_IDENT = re.compile(r"[A-Za-z_]\w*")
_BROADCAST_PATH = sdks.BROADCAST_BYTES.decode()
_HTTP_METHOD_DEF = re.compile(
    rf"^[ \t]*(?:async[ \t]+)?def[ \t]+(?:{sdks.HTTP_POST_METHOD}|{sdks.HTTP_REQUEST_METHOD})\b",
    re.MULTILINE,
)
_WORDS = re.compile(r"\w+")
# A call of an SDK method name on any receiver, unless it has no argument or one literal, and
# a definition of a method of that name: a unit with one is kept, so that CIO902
# (``analysis.receivers``: two arguments at least, and look-alike classes in view) sees the
# same code with and without the prefilter.
_METHODS = sdks.method_call_pattern()
SDK_METHOD_CALL = re.compile(
    rf"\.[ \t]*(?:{_METHODS})[ \t]*\("
    r"(?![ \t]*(?:\d+|'[^'\\\n]*'|\"[^\"\\\n]*\")?[ \t]*\))"
    rf"|^[ \t]*(?:async[ \t]+)?def[ \t]+(?:{_METHODS})\b",
    re.MULTILINE,
)


def trim_with_words(
    text: str,
    tails: Iterable[tuple[str, Iterable[str] | None]] | Iterable[str],
    tops: Iterable[str],
    tree: ast.Module | None = None,
) -> Trimmed:
    """``trim`` without the blanked lines, the identifiers of the code it left out (if none of
    the names that later become relevant is among them, trimming again would keep exactly the
    same code) and the line numbers of what it kept. Each left-out function becomes one
    ``pass`` line (a class body needs a statement); libcst then parses only what can matter.
    ``tree``: CPython's tree of ``text``, if the caller has it (``analysis.syntax.check``)."""
    if any(ch in text for ch in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        return Trimmed(text, frozenset(), None)  # str.splitlines would disagree with Python's lines
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return Trimmed(text, frozenset(), None)  # extract_file reports it (CIO900)
    tops_ = frozenset(tops)
    tails_: dict[str, frozenset[str] | None] = {}
    for item in tails:
        if isinstance(item, str):
            tails_[item] = None
        else:
            tails_[item[0]] = None if item[1] is None else frozenset(item[1])
    for top in tops_:
        tails_.setdefault(top, None)
    keep = imported_names(tree, tails_, tops_) | tops_ | set(tails_)
    broadcast = _BROADCAST_PATH in text  # a POST that may trigger a broadcast (CIO308)
    if broadcast:  # the units that write its URL...
        keep.add(sdks.BROADCAST_WORD)
    lines = text.splitlines(keepends=True)
    # Units: a top-level function, or a whole top-level class (its methods share `self.x`).
    units: list[tuple[set[str], int, int, list[tuple[int, int]]]] = []
    assigned: list[tuple[set[str], str]] = []  # module-level names and the text of their value
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _, first, last = _span(node)
            units.append(({node.name}, first, last, [(first, last)]))
        elif isinstance(node, ast.ClassDef):
            methods = [
                _span(m)[1:]
                for m in node.body
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
            ]
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            names = {node.name} | {
                m.name for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
            units.append((names, first, node.end_lineno or node.lineno, methods))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            assigned.append(
                (names, "".join(lines[node.lineno - 1 : node.end_lineno or node.lineno]))
            )
    if not any(u[3] for u in units):
        return Trimmed(text, frozenset(), None)
    # A unit mentions a name when the name is one of its maximal runs of word characters
    # (what ``\bname\b`` matches): sets of words, not one regex per file (compiling those
    # alternations cost more than parsing).
    texts = [
        frozenset(_WORDS.findall("".join(lines[first - 1 : last]))) for _, first, last, _ in units
    ]
    values = [(names, frozenset(_WORDS.findall(value))) for names, value in assigned]
    kept: set[int] = set()
    calls = [text.count("\n", 0, m.start()) + 1 for m in SDK_METHOD_CALL.finditer(text)]
    if broadcast:  # ...and a project ``post`` method such a URL may be passed to
        calls += [text.count("\n", 0, m.start()) + 1 for m in _HTTP_METHOD_DEF.finditer(text)]
    for i, (names, first, last, _) in enumerate(units):
        if any(first <= line <= last for line in calls):
            kept.add(i)
            keep |= names
    while keep:
        grown = False
        for i, words in enumerate(texts):
            if i not in kept and not words.isdisjoint(keep):
                kept.add(i)
                keep |= units[i][0]
                grown = True
        for names, words in values:
            if not names <= keep and not words.isdisjoint(keep):
                keep |= names
                grown = True
        if not grown:
            break
    if len(kept) == len(units):
        return Trimmed(text, frozenset(), None)
    dropped: set[str] = set()
    firsts: set[int] = set()
    removed = [False] * len(lines)
    for i, (_, _, _, spans) in enumerate(units):
        if i in kept:
            continue
        for first, last in spans:
            firsts.add(first)
            dropped.update(_IDENT.findall("".join(lines[first - 1 : last])))
            head = lines[first - 1]
            indent = head[: len(head) - len(head.lstrip())]
            ending = "\r\n" if head.endswith("\r\n") else "\n"
            lines[first - 1] = f"{indent}pass{ending}"
            for n in range(first, last):
                removed[n] = True
    numbers = [n for n in range(1, len(lines) + 1) if not removed[n - 1]]
    return Trimmed(
        "".join(lines[n - 1] for n in numbers), frozenset(dropped), numbers, frozenset(firsts)
    )


def blank(tree: ast.Module, trimmed: Trimmed) -> ast.Module:
    """``tree`` as ``trimmed`` left it: each function or method it left out replaced by a
    ``pass`` (a new module node; the kept nodes are shared, their lines the file's)."""
    if not trimmed.firsts:
        return tree

    def gone(node: ast.stmt) -> bool:
        return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            _span(node)[1] in trimmed.firsts
        )

    def passed(node: ast.stmt) -> ast.stmt:
        return ast.copy_location(ast.Pass(), node)

    body: list[ast.stmt] = []
    for node in tree.body:
        if gone(node):
            body.append(passed(node))
        elif isinstance(node, ast.ClassDef) and any(gone(m) for m in node.body):
            cls = ast.ClassDef(
                name=node.name,
                bases=node.bases,
                keywords=node.keywords,
                body=[passed(m) if gone(m) else m for m in node.body],
                decorator_list=node.decorator_list,
            )
            body.append(ast.copy_location(cls, node))
        else:
            body.append(node)
    return ast.Module(body=body, type_ignores=tree.type_ignores)


def _span(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, int, int]:
    """A function's name and lines, decorators included."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return node.name, first, node.end_lineno or node.lineno
