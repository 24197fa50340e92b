"""Re-parse and re-check only the top-level statements an edit touched (the language server's
open documents).

libcst's parse of the edited file was most of a check in ``cio-lint server``. A ``Reparser``
keeps, for each open document, the libcst ``Module`` of the text last parsed (open documents
are not trimmed: a trimmed text would change with every edit to what trimming keeps), its
positions, and where each of its top-level statements starts in that text. On a new text it
finds the changed characters (common prefix and suffix), widens them to the statements they
touch (the neighbours too: an edit at a boundary may belong to either), parses that slice as a
module of its own and splices its statements into the old module's body. The positions of the
old statements are moved by the edit's length, not counted again (``spliced_positions``), and
CPython's verdict on the new text comes from compiling the slice (``Reparser._accepted``, with
``futures`` for what the compiler checks across statements). Only the language server
activates it (``active``): the command line keeps no trees.

The spliced module must be the one a full parse gives, so any doubt is a full parse:

- a standalone parse puts the slice's leading blank lines and comments in ``Module.header``
  (they become its first statement's ``leading_lines``) and its trailing ones in
  ``Module.footer`` (they go before the next statement's, or stay the footer at the end);
- a comment line that is indented (or a blank line with spaces) next to the slice may belong to
  the footer of an indented block on the other side: the slice takes in that statement too;
- the slice's detected ``default_indent`` and ``default_newline`` must be the module's (its
  nodes leave those out), else the splice would not give back the text;
- a form feed or another character Python and libcst split lines at differently, a text
  without a final newline, a slice that does not parse or has no statement: a full parse
  (which reports a real syntax error as before);
- the slice's statements, generated in the old module (with its defaults), must give back the
  slice's text; the old module gives back the rest (a full parse, or a splice checked so);
- the positions of the spliced module (moved, or a pass over all of it when a count was not
  plain) must end at the text's length and find every statement at the start of a line
  (``_starts``).
"""

from __future__ import annotations

import ast
import bisect
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import libcst as cst

from cio_lint.analysis import futures, syntax
from cio_lint.analysis.positions import Positions, spliced_positions
from cio_lint.analysis.replay import Replays
from cio_lint.analysis.syntax import Checked, Size
from cio_lint.analysis.trim import Trimmed
from cio_lint.source import SourceError, decode

# Characters at which libcst, CPython or str.splitlines disagree on lines (see ``trim``) or
# that make libcst drop characters (the form feed, ``Positions._regenerated``)
_ODD = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_WIDEN = 4  # statements added, on one side, for ownership of comments, before a full parse


@dataclass
class _Doc:
    text: str  # the text last parsed
    module: cst.Module  # its tree
    starts: list[int]  # where each top-level statement's code starts; then the footer's start
    positions: Positions  # the positions of ``module``


@dataclass
class _Splice:
    module: cst.Module  # the old module with the slice's statements in place of the old ones
    part: cst.Module  # the slice's own parse
    span: tuple[int, int]  # what of the old text the slice replaced
    aliases: list[tuple[cst.CSTNode, cst.CSTNode]]  # (copy, node): leading lines changed


class Reparser:
    """The last parse of each open document, and counts of how texts were parsed."""

    def __init__(self) -> None:
        self.docs: dict[str, _Doc] = {}
        self.open: frozenset[str] = frozenset()
        self.spliced = 0  # texts parsed by splicing a slice
        self.full = 0  # texts of open documents parsed whole
        self.moved = 0  # spliced texts whose positions were moved, not counted again
        self.why = ""  # why the last open document's text was parsed whole ("": spliced)
        self._check: tuple[cst.Module, Positions] | None = None
        # the text of each open document CPython last accepted, and a bound on its ``measure``
        self.verdicts: dict[str, tuple[str, Size]] = {}
        self.checked = 0  # texts of open documents checked by compiling the slice an edit touched
        self.compiled = 0  # texts of open documents compiled whole
        self.replays: dict[str, Replays] = {}  # each open document's top-level functions' facts

    def retain(self, paths: Iterable[str]) -> None:
        """Keep trees only for ``paths`` (the open documents)."""
        self.open = frozenset(os.path.abspath(p) for p in paths)
        for path in [p for p in self.docs if p not in self.open]:
            del self.docs[path]
        for path in [p for p in self.verdicts if p not in self.open]:
            del self.verdicts[path]
        for path in [p for p in self.replays if p not in self.open]:
            del self.replays[path]

    def check(self, path: str, data: bytes, max_file_bytes: int) -> Checked:
        """``syntax.check`` of an open document, not trimmed (the next text is checked by
        compiling what an edit changed: ``_accepted``)."""
        key = os.path.abspath(path)
        known = self.verdicts.pop(key, None)
        checked = None
        if known is not None:
            try:
                text = decode(data).text
            except SourceError:
                text = None
            if text is not None:
                size = self._accepted(key, known, text, path, max_file_bytes)
                if size is not None:
                    checked = Checked(text, None, size=size)
                    self.checked += 1
        if checked is None:
            checked = syntax.check(data, path, max_file_bytes)
            self.compiled += 1
        if checked.error is None and checked.text is not None and checked.size is not None:
            self.verdicts[key] = (checked.text, checked.size)
        return checked

    def _accepted(
        self, key: str, known: tuple[str, Size], text: str, path: str, max_file_bytes: int
    ) -> Size | None:
        """A bound on the ``measure`` of ``text`` if CPython accepts it, found by compiling
        only the top-level statements the edit of ``known`` touched; None: check it whole.

        A text made of whole statements of an accepted text around a slice that CPython
        accepts as a module of its own is accepted: the slice starts and ends at a line start
        outside any bracket or string, where the tokenizer is as at the start of a file, and a
        statement cannot continue into the next one (``else`` or a decorator alone is not a
        module). The exceptions are what the compiler checks across statements: ``global``
        and ``nonlocal`` (a name used before), ``from __future__`` (only at the top): a text
        naming one of the first two is compiled whole, and so is a slice naming the third; the
        slice is compiled with the features the file imports from it (``annotations`` makes
        some annotations errors; other features than the no-ops: whole). The bound: the deeper of the two, the sum of
        the memory estimates; within the limits, or the text is checked whole (and its
        message is CPython's, from the whole text)."""
        old, bound = known
        doc = self.docs.get(key)
        if doc is None or doc.text != old or _refused(text) or futures.SCOPED.search(text):
            return None
        if text == old:
            size: Size | None = Size(0, 0, 1)
        else:
            lo, hi = _touched(doc, text)
            piece = text[lo : len(text) - (len(old) - hi)]
            flags = futures.future_flags(doc.module.body, doc.starts, lo)
            if flags is None or "__future__" in piece:
                return None
            size = syntax.accepts(piece, path, flags)
        if size is None:
            return None
        depth = max(bound.depth, size.depth)
        memory = bound.memory + size.memory
        if depth > syntax.MAX_DEPTH or memory > max_file_bytes * syntax.BUDGET_PER_BYTE:
            return None
        if depth > syntax.RETIRE_DEPTH:
            syntax.retire()
        return Size(depth, memory, 1)

    def parse(self, path: str, text: str, line_map: list[int] | None) -> cst.Module:
        key = os.path.abspath(path)
        self._check = None
        if key not in self.open:
            return cst.parse_module(text)
        doc = self.docs.pop(key, None)
        if doc is not None and doc.text == text:
            self.docs[key] = doc
            return doc.module
        why = "no earlier tree" if doc is None else _refused(text)
        if not why and doc is not None:
            try:
                spliced = _splice(doc, text)
            except Exception as exc:  # noqa: BLE001  (any failure of the slice: a full parse)
                spliced, why = None, f"slice failed: {type(exc).__name__}"
            if isinstance(spliced, str):
                why = spliced
            elif spliced is not None:
                tree = spliced.module
                try:
                    positions = self._positions(doc, spliced, text, line_map)
                    starts = _starts(tree, positions, text)
                except Exception as exc:  # noqa: BLE001  (the full parse raises it as before)
                    starts, why = None, f"positions failed: {type(exc).__name__}"
                if starts is not None:
                    self._check = (tree, positions)
                    self.docs[key] = _Doc(text, tree, starts, positions)
                    self.spliced += 1
                    self.why = ""
                    return tree
                why = why or "the spliced module is not the text"
        self.full += 1
        self.why = why
        return cst.parse_module(text)

    def _positions(
        self, doc: _Doc, spliced: _Splice, text: str, line_map: list[int] | None
    ) -> Positions:
        """The positions of the spliced module: the old ones moved and the slice's (a pass over
        the slice only), or a pass over all of it."""
        lo, hi = spliced.span
        piece = text[lo : len(text) - (len(doc.text) - hi)]
        part = Positions(spliced.part, piece)
        moved = spliced_positions(
            doc.positions,
            doc.module,
            part,
            spliced.part,
            spliced.module,
            text,
            line_map,
            spliced.span,
            spliced.aliases,
        )
        if moved is not None:
            self.moved += 1
            return moved
        return Positions(spliced.module, text, line_map)

    def positions(
        self, path: str, tree: cst.Module, text: str, line_map: list[int] | None
    ) -> Positions:
        """The positions of ``tree`` (those ``parse`` checked a spliced module with); the tree
        of an open document is kept for its next text."""
        checked, self._check = self._check, None
        if checked is not None and checked[0] is tree:
            return checked[1]
        positions = Positions(tree, text, line_map)
        key = os.path.abspath(path)
        if key in self.open:
            starts = _starts(tree, positions, text) if not _refused(text) else None
            if starts is None:
                self.docs.pop(key, None)
            else:
                self.docs[key] = _Doc(text, tree, starts, positions)
        return positions


def _refused(text: str) -> str:
    if not text.endswith(("\n", "\r")):
        return "no final newline"
    if not _ODD.isdisjoint(text):
        return "a form feed or another line separator"
    return ""


def _lines_length(lines: Sequence[cst.EmptyLine], newline: str) -> int:
    """The characters of module-level empty lines (their indentation is empty there)."""
    total = 0
    for line in lines:
        total += len(line.whitespace.value) + len(line.newline.value or newline)
        if line.comment is not None:
            total += len(line.comment.value)
    return total


def _starts(module: cst.Module, positions: Positions, text: str) -> list[int] | None:
    """Where each top-level statement's code (its leading lines included) starts in ``text``,
    then where the footer starts; None if the positions pass does not agree with ``text``."""
    spans = positions.spans
    if spans is None or positions.sink.position != len(text) or not module.has_trailing_newline:
        return None
    newline = module.default_newline
    out: list[int] = []
    for stmt in module.body:
        first: cst.CSTNode = stmt
        lead = _lines_length(stmt.leading_lines, newline)
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.decorators:
            first = stmt.decorators[0]
            lead += _lines_length(stmt.decorators[0].leading_lines, newline)
        span = spans.get(id(first))
        if span is None:
            return None
        out.append(span[0] - lead)
    out.append(len(text) - _lines_length(module.footer, newline))
    if out[0] != _lines_length(module.header, newline):
        return None
    for before, after in itertools.pairwise(out):
        if after <= before or text[after - 1] not in "\r\n":
            return None
    return out


def _prefix(a: str, b: str) -> int:
    """The length of the common prefix of ``a`` and ``b``."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # a[:lo] == b[:lo]; they differ within [:hi + 1] or hi is the shorter end
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _suffix(a: str, b: str, limit: int) -> int:
    """The length of the common suffix of ``a`` and ``b``, at most ``limit``."""
    lo, hi = 0, limit
    la, lb = len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _indented(lines: Sequence[cst.EmptyLine]) -> bool:
    """Whether a block's footer could claim one of these lines: a comment or blank line that
    does not start at the first column."""
    return any(line.whitespace.value for line in lines)


def _leading(stmt: cst.SimpleStatementLine | cst.BaseCompoundStatement) -> list[cst.EmptyLine]:
    lines = list(stmt.leading_lines)
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.decorators:
        lines.extend(stmt.decorators[0].leading_lines)
    return lines


def _statements(doc: _Doc, text: str) -> tuple[int, int]:
    """The statements ``a`` to ``b`` (exclusive) of ``doc`` that the change to ``text``
    touches: the one holding the character before the change, and the one holding the
    character after it (an insertion at a boundary may belong to either)."""
    old, starts, count = doc.text, doc.starts, len(doc.module.body)
    p = _prefix(old, text)
    s = _suffix(old, text, min(len(old), len(text)) - p)
    old_end = len(old) - s  # the change: old[p:old_end] became text[p:len(text) - s]
    a = 0 if p - 1 < starts[0] else min(count - 1, bisect.bisect_right(starts, p - 1) - 1)
    b = max(a + 1, min(count, bisect.bisect_right(starts, old_end)))
    return a, b


def _touched(doc: _Doc, text: str) -> tuple[int, int]:
    """Where, in ``doc.text``, the statements the change to ``text`` touches are."""
    if not doc.module.body:
        return 0, len(doc.text)
    a, b = _statements(doc, text)
    return (0 if a == 0 else doc.starts[a]), (
        len(doc.text) if b == len(doc.module.body) else doc.starts[b]
    )


def _splice(doc: _Doc, text: str) -> _Splice | str:
    """The old module with the touched statements parsed again from ``text``, or why not."""
    old, module, starts = doc.text, doc.module, doc.starts
    count = len(module.body)
    if count == 0:
        return "no statement"
    a, b = _statements(doc, text)
    for _ in range(_WIDEN):
        while b < count and _indented(_leading(module.body[b])):
            b += 1  # the block the slice ends with may own those lines
        lo = 0 if a == 0 else starts[a]
        hi = len(old) if b == count else starts[b]
        piece = text[lo : len(text) - (len(old) - hi)]
        if piece.endswith(("\\\n", "\\\r", "\\\r\n")):
            return "the slice ends with a line continuation"
        try:
            part = cst.parse_module(piece)
        except cst.ParserSyntaxError:
            if a == 0 and b == count:
                raise
            # lines added to the block before, a string or brackets closed after the slice
            a, b = max(0, a - 1), min(count, b + 1)
            continue
        if not part.body:  # comments only (a statement commented out): with a neighbour
            if a == 0 and b == count:
                return "the slice has no statement"
            a, b = (a, b + 1) if b < count else (a - 1, b)
            continue
        if part.default_newline != module.default_newline:
            return "the slice's newline differs"
        if part.default_indent != module.default_indent and _has_block(part):
            return "the slice's indentation differs"
        if a > 0 and (_indented(part.header) or _indented(_leading(part.body[0]))):
            a -= 1  # the block before may own those lines
            continue
        break
    else:
        return "the slice did not settle"
    if a == 0 and b == count:
        return "the change reaches every statement"
    body = list(part.body)
    aliases: list[tuple[cst.CSTNode, cst.CSTNode]] = []
    if a > 0 and part.header:
        body[0] = _with_leading(body[0], [*part.header, *body[0].leading_lines])
        aliases.append((body[0], part.body[0]))
    new = body[:]
    changes: dict[str, object] = {}
    if a == 0:
        changes["header"] = part.header
    if b == count:
        changes["footer"] = part.footer
        changes["has_trailing_newline"] = part.has_trailing_newline
    else:
        after = module.body[b]
        if part.footer:
            after = _with_leading(after, [*part.footer, *after.leading_lines])
            aliases.append((after, module.body[b]))
        body.append(after)
        body.extend(module.body[b + 1 :])
    spliced = module.with_changes(body=[*module.body[:a], *body], **changes)
    # what the slice's nodes give back inside the old module (its defaults) must be the slice
    nodes: list[cst.CSTNode] = [*(part.header if a == 0 else ()), *new, *part.footer]
    if "".join(spliced.code_for_node(node) for node in nodes) != piece:
        return "the slice's code is not its text"
    return _Splice(spliced, part, (lo, hi), aliases)


Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def _with_leading(stmt: Statement, lines: list[cst.EmptyLine]) -> Statement:
    return stmt.with_changes(leading_lines=lines)


def _has_block(module: cst.Module) -> bool:
    return any(isinstance(s, cst.BaseCompoundStatement) for s in module.body)


# The reparser of this process's language server, while it checks (``active``); a forked
# worker does not use its parent's.
_ACTIVE: tuple[int, Reparser] | None = None


@contextmanager
def active(reparser: Reparser, paths: Iterable[str]) -> Iterator[None]:
    """Parse the documents ``paths`` with ``reparser`` until exit (the language server)."""
    global _ACTIVE
    reparser.retain(paths)
    _ACTIVE = (os.getpid(), reparser)
    try:
        yield
    finally:
        _ACTIVE = None


def _current() -> Reparser | None:
    current = _ACTIVE
    return current[1] if current is not None and current[0] == os.getpid() else None


def checked_source(
    path: str, data: bytes, max_file_bytes: int, narrow: Callable[[str, ast.Module], Trimmed] | None
) -> Checked:
    """``syntax.check``; the language server's open documents are not trimmed (``narrow``),
    and an edit of one is checked by compiling what it changed (``Reparser.check``)."""
    reparser = _current()
    if reparser is None or os.path.abspath(path) not in reparser.open:
        return syntax.check(data, path, max_file_bytes, narrow)
    return reparser.check(path, data, max_file_bytes)


def parse_module(path: str, text: str, line_map: list[int] | None) -> cst.Module:
    """libcst's tree of ``text`` (the trimmed text of ``path``), from its last one when the
    language server keeps it."""
    reparser = _current()
    return cst.parse_module(text) if reparser is None else reparser.parse(path, text, line_map)


def positions_of(path: str, tree: cst.Module, text: str, line_map: list[int] | None) -> Positions:
    """``Positions(tree, text, line_map)``; the language server keeps the tree."""
    reparser = _current()
    if reparser is None:
        return Positions(tree, text, line_map)
    return reparser.positions(path, tree, text, line_map)


def replays_of(path: str, module: str, is_package: bool) -> Replays | None:
    """What the extractor replays of the open document ``path`` (``analysis.replay``); None on
    the command line and for other files."""
    reparser = _current()
    key = os.path.abspath(path)
    if reparser is None or key not in reparser.open:
        return None
    found = reparser.replays.get(key)
    if found is None or found.key != (module, is_package):
        found = reparser.replays[key] = Replays(module, is_package)
    return found
