"""Apply the findings' fixes to the files, or show them as a unified diff (``--fix`` / ``--diff``).

Fixes are plain text edits (``Fix.edits``); several findings may carry the same edit (a constant
used by many calls), which is applied once. A fix whose edits overlap an edit already chosen is
left for the next run, whole: a fix is applied entirely or not at all. Nothing is written unless
the result still parses and the file on disk is still the one that was read; writes are atomic.
With ``allowed`` (the CLI passes the files of its run), a fix that edits any other file is
refused whole, whatever its findings say: where fixes come from is not trusted to decide where
they write.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from cio_lint.files import write_atomic
from cio_lint.model import Edit, Finding
from cio_lint.source import Decoded, SourceError, decode, encode

__all__ = ["FixResult", "Skipped", "apply_fixes", "diff_fixes"]

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Skipped(NamedTuple):
    path: str
    reason: str


@dataclass(frozen=True)
class FixResult:
    """What ``--fix`` did. ``fixed`` are the findings whose whole fix was applied."""

    files_fixed: int = 0
    edits_applied: int = 0
    skipped: tuple[Skipped, ...] = ()
    fixed: tuple[Finding, ...] = ()
    paths: tuple[str, ...] = ()
    diff: str = ""


def apply_fixes(
    findings: Iterable[Finding],
    *,
    root: Path | str,
    unsafe: bool = False,
    dry_run: bool = False,
    allowed: Iterable[Path | str] | None = None,
) -> FixResult:
    """Apply the fixes of ``findings``; ``root`` is the folder their paths are relative to.

    Only ``safe`` fixes are applied unless ``unsafe``. With ``dry_run`` nothing is written and
    the result describes what would be (``diff`` is filled in either way). ``allowed``: the
    only files that may be edited (``None``: any).
    """
    keys = None if allowed is None else frozenset(os.path.realpath(p) for p in allowed)
    plan = _plan(list(findings), Path(root), unsafe, keys)
    skipped = list(plan.skipped)
    written: set[str] = set()
    diffs: list[str] = []
    edits_applied = 0
    for key in sorted(plan.changes, key=lambda k: plan.files[k].display):
        state = plan.files[key]
        change = plan.changes[key]
        if not dry_run:
            reason = _write_if_unchanged(state, change.data)
            if reason:
                skipped.append(Skipped(state.display, reason))
                continue
        written.add(key)
        edits_applied += change.edits
        diffs.append(_diff(state.display, state.text, change.text))

    failed = plan.failed | (set(plan.changes) - written)
    fixed = tuple(finding for finding, keys in plan.active if not keys & failed and keys & written)
    return FixResult(
        files_fixed=len(written),
        edits_applied=edits_applied,
        skipped=tuple(skipped),
        fixed=fixed,
        paths=tuple(sorted(plan.files[k].display for k in written)),
        diff="".join(diffs),
    )


def diff_fixes(
    findings: Iterable[Finding],
    *,
    root: Path | str | None = None,
    unsafe: bool = False,
    allowed: Iterable[Path | str] | None = None,
) -> str:
    """The fixes as a unified diff (like ``ruff --diff``); nothing is written."""
    where = Path.cwd() if root is None else root
    return apply_fixes(findings, root=where, unsafe=unsafe, dry_run=True, allowed=allowed).diff


# ------------------------------------------------------------------------------------ planning


Pos = tuple[int, int]


@dataclass(frozen=True)
class _Span:
    start: Pos
    end: Pos
    content: str

    def overlaps(self, other: _Span) -> bool:
        if self.start == self.end == other.start == other.end:
            return self.content != other.content  # two insertions at one point: order unknown
        return self.start < other.end and other.start < self.end


@dataclass
class _File:
    display: str
    path: Path
    data: bytes | None = None
    text: str = ""
    decoded: Decoded | None = None  # how the text was read (encoding, BOM): how it is written
    digest: str = ""
    error: str | None = None


@dataclass(frozen=True)
class _Change:
    text: str
    data: bytes
    edits: int


@dataclass
class _Plan:
    files: dict[str, _File] = field(default_factory=dict)
    active: list[tuple[Finding, frozenset[str]]] = field(default_factory=list)
    changes: dict[str, _Change] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    skipped: list[Skipped] = field(default_factory=list)


def _key(root: Path, path: str) -> str:
    return os.path.realpath(os.path.join(root, path))


def _plan(
    findings: Sequence[Finding], root: Path, unsafe: bool, allowed: frozenset[str] | None
) -> _Plan:
    plan = _Plan()
    chosen: dict[str, set[_Span]] = {}
    fixes: list[tuple[Finding, dict[str, set[_Span]]]] = []
    candidates = [
        f
        for f in findings
        if f.fix is not None and f.fix.edits and (unsafe or f.fix.applicability == "safe")
    ]
    for finding in sorted(candidates, key=lambda f: f.sort_key):
        assert finding.fix is not None
        outside = next(
            (e for e in finding.fix.edits if allowed and _key(root, e.path) not in allowed), None
        )
        if outside is not None:
            plan.skipped.append(
                Skipped(
                    outside.path.replace(os.sep, "/"),
                    f"{finding.code} at {finding.path}:{finding.line}:{finding.column}: its fix "
                    "edits a file that is not one of the files of this run; left unchanged",
                )
            )
            continue
        spans: dict[str, set[_Span]] = {}
        for edit in finding.fix.edits:
            key = _key(root, edit.path)
            if key not in plan.files:
                plan.files[key] = _File(display=edit.path.replace(os.sep, "/"), path=Path(key))
            spans.setdefault(key, set()).add(_span(edit))
        conflict = _conflict(spans, chosen)
        if conflict is not None:
            plan.skipped.append(
                Skipped(
                    plan.files[conflict].display,
                    f"{finding.code} at {finding.path}:{finding.line}:{finding.column}: its fix "
                    "overlaps another fix; run with `--fix` again to apply it",
                )
            )
            continue
        for key, group in spans.items():
            chosen.setdefault(key, set()).update(group)
        fixes.append((finding, spans))

    # A file whose result is refused takes every fix that touches it out, in every file.
    while True:
        wanted: dict[str, set[_Span]] = {}
        for _, spans in fixes:
            for key, group in spans.items():
                wanted.setdefault(key, set()).update(group)
        plan.changes = {}
        refused: set[str] = set()
        for key, group in wanted.items():
            state = plan.files[key]
            outcome = _compute(state, group)
            if isinstance(outcome, str):
                refused.add(key)
                plan.skipped.append(Skipped(state.display, outcome))
            elif outcome is not None:
                plan.changes[key] = outcome
        if not refused:
            break
        plan.failed |= refused
        fixes = [(f, spans) for f, spans in fixes if not refused & spans.keys()]
    plan.active = [(f, frozenset(spans)) for f, spans in fixes]
    return plan


def _span(edit: Edit) -> _Span:
    return _Span((edit.line, edit.column), (edit.end_line, edit.end_column), edit.content)


def _conflict(spans: dict[str, set[_Span]], chosen: dict[str, set[_Span]]) -> str | None:
    for key, group in spans.items():
        taken = chosen.get(key, set())
        items = sorted(group, key=lambda s: (s.start, s.end, s.content))
        for i, span in enumerate(items):
            if any(span.overlaps(other) for other in items[i + 1 :]):
                return key
            if any(span != other and span.overlaps(other) for other in taken):
                return key
    return None


# ------------------------------------------------------------------------------------ one file


def _read(state: _File) -> str | None:
    """Read and decode the file once; return why it cannot be fixed, if so."""
    if state.data is not None or state.error is not None:
        return state.error
    try:
        data = state.path.read_bytes()
    except OSError as exc:
        state.error = f"cannot read the file: {exc.strerror or exc}"
        return state.error
    try:
        decoded = decode(data)  # as CPython reads it, and as the findings' columns count
    except SourceError as exc:
        state.error = f"cannot decode the file: {exc.message} (line {exc.line})"
        return state.error
    state.data, state.text, state.decoded = data, decoded.text, decoded
    state.digest = hashlib.sha256(data).hexdigest()
    return None


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def offset(self, pos: Pos) -> int | None:
        line, column = pos
        if not 1 <= line <= len(self.starts) or column < 1:
            return None
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        off = start + column - 1
        return off if off <= end else None


def _with_newlines(content: str, newline: str) -> str:
    return _NEWLINE.sub(newline, content)


def _compute(state: _File, group: set[_Span]) -> _Change | str | None:
    """The file's new text, None if nothing changes, or why it is refused."""
    error = _read(state)
    if error:
        return error
    text = state.text
    first = _NEWLINE.search(text)
    newline = first.group() if first else "\n"
    lines = _Lines(text)
    spans = sorted(
        (_Span(s.start, s.end, _with_newlines(s.content, newline)) for s in group),
        key=lambda s: (s.start, s.end),
    )
    if _already_applied(lines, spans):
        return None
    offsets: list[tuple[int, int, str]] = []
    for span in spans:
        if span.end < span.start:
            return f"an edit at {span.start[0]}:{span.start[1]} ends before it starts"
        start, end = lines.offset(span.start), lines.offset(span.end)
        if start is None or end is None:
            return (
                f"an edit at {span.start[0]}:{span.start[1]} lies outside the file "
                "(it changed since it was checked); left unchanged"
            )
        if text[start:end] != span.content:
            offsets.append((start, end, span.content))
    if not offsets:
        return None
    pieces: list[str] = []
    pos = 0
    for start, end, content in offsets:
        pieces += [text[pos:start], content]
        pos = end
    pieces.append(text[pos:])
    new_text = "".join(pieces)
    assert state.decoded is not None
    try:
        data = encode(new_text, state.decoded)
    except UnicodeEncodeError as exc:
        encoding = state.decoded.encoding
        return f"the fix cannot be written in the file's encoding {encoding}: {exc.reason}"
    problem = _parse_error(data, state)
    if problem:
        return problem
    return _Change(text=new_text, data=data, edits=len(offsets))


def _already_applied(lines: _Lines, spans: Sequence[_Span]) -> bool:
    """Whether the text already is the result of these edits (applying stale fixes twice).

    Each edit's position is mapped through the edits before it, as if they had been applied,
    and its content must be found there. Deletions alone cannot be recognised, so they are
    never taken as applied.
    """
    if not any(s.content for s in spans):
        return False
    line_shift = 0
    prev_end_line = 0
    prev_end_col = 0  # column of the previous edit's end, before and after applying it
    new_end_col = 0
    for span in spans:
        line, col = span.start
        if line == prev_end_line:
            col = new_end_col + (col - prev_end_col)
        line += line_shift
        start = lines.offset((line, col))
        if start is None or lines.text[start : start + len(span.content)] != span.content:
            return False
        parts = _NEWLINE.split(span.content)
        end_line = line + len(parts) - 1
        new_end_col = (col if len(parts) == 1 else 1) + len(parts[-1])
        line_shift = end_line - span.end[0]
        prev_end_line, prev_end_col = span.end
    return True


def _parse_error(data: bytes, state: _File) -> str | None:
    try:
        compile(data, state.display, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        return None
    except (SyntaxError, ValueError) as exc:
        error = exc
    assert state.data is not None
    try:
        compile(state.data, state.display, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        return (
            f"cannot check the fix: the file does not parse with Python {version}; left unchanged"
        )
    where = f" (line {error.lineno})" if isinstance(error, SyntaxError) and error.lineno else ""
    detail = error.msg if isinstance(error, SyntaxError) else str(error)
    return f"the fixed file would not parse: {detail}{where}; left unchanged"


def _write_if_unchanged(state: _File, data: bytes) -> str | None:
    """Write ``data`` atomically unless the file changed since it was read; return why not."""
    try:
        current = state.path.read_bytes()
    except OSError as exc:
        return f"cannot re-read the file before writing: {exc.strerror or exc}"
    if hashlib.sha256(current).hexdigest() != state.digest:
        return "the file changed on disk while fixing; left unchanged"
    try:
        write_atomic(state.path, data)
    except OSError as exc:
        return f"cannot write the file: {exc.strerror or exc}"
    return None


# ---------------------------------------------------------------------------------------- diff


def _split_lines(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    for match in _NEWLINE.finditer(text):
        out.append(text[pos : match.end()])
        pos = match.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def _diff(display: str, old: str, new: str) -> str:
    """One file's unified diff with ``a/`` and ``b/`` headers, as ``git diff`` writes them, so
    that ``git apply`` (and ``patch -p1``) take it from the folder the paths are relative to."""
    out: list[str] = []
    for line in difflib.unified_diff(
        _split_lines(old), _split_lines(new), fromfile=f"a/{display}", tofile=f"b/{display}"
    ):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)
