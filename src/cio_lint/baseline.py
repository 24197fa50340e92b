"""Baselines: adopt cio-lint on legacy code by recording today's findings and failing only on new ones.

A finding is recognised by what it is about, not by where it is: its code, its file, the text of
the call it flags (``Finding.snippet``, normalised so that reformatting, comments and quote style
do not matter) and its message. Line numbers are deliberately left out, so that an edit above a
recorded call does not turn it into a "new" finding. Identical findings are matched by count: two
identical calls in one file are two entries, and a third one is new.

The file is JSON, sorted and one entry per finding, so that a baseline diff in review shows
exactly which findings were added or fixed.
"""

from __future__ import annotations

import ast
import io
import json
import os
import tokenize
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cio_lint.files import write_atomic
from cio_lint.model import Finding

__all__ = [
    "BASELINE_VERSION",
    "Baseline",
    "BaselineEntry",
    "BaselineError",
    "load_baseline",
    "normalize_snippet",
    "write_baseline",
]

BASELINE_VERSION = 1
_TOOL = "cio-lint"


class BaselineError(Exception):
    """The baseline file cannot be read, or is not a cio-lint baseline this version understands."""


@dataclass(frozen=True, order=True)
class BaselineEntry:
    """One recorded finding. ``path`` is relative to the baseline file's folder, '/'-separated."""

    path: str
    code: str
    message: str
    snippet: str

    def describe(self) -> str:
        return f"{self.path}: {self.code} {self.message}"

    def to_json(self) -> dict[str, str]:
        return {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class Baseline:
    path: Path
    entries: tuple[BaselineEntry, ...]

    def filter(
        self, findings: Iterable[Finding], *, cwd: Path | None = None
    ) -> tuple[list[Finding], list[BaselineEntry]]:
        """Split ``findings`` into those not in the baseline, and the baseline's stale entries.

        ``cwd`` is the folder the findings' paths are relative to (default: the current one).
        A stale entry is one that no current finding matches: the finding was fixed, or the
        call changed (then the changed call is also reported as new).
        """
        base = _base_dir(self.path)
        here = Path.cwd() if cwd is None else cwd
        remaining = Counter(self.entries)
        new: list[Finding] = []
        for finding in findings:
            entry = _entry(finding, here, base)
            if remaining[entry] > 0:
                remaining[entry] -= 1
            else:
                new.append(finding)
        stale = sorted(remaining.elements())
        return new, stale


def normalize_snippet(snippet: str) -> str:
    """The call's source text with layout removed: the same call reformatted gives the same text.

    Tokens are joined with single spaces only where needed; comments, line breaks and trailing
    commas before a closing bracket are dropped, and plain string literals are written in one
    quote style. Text that does not tokenize falls back to whitespace collapsing.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(snippet).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    if not tokens or any(tok.type == tokenize.ERRORTOKEN for tok in tokens):
        return " ".join(snippet.split())
    line_starts = [0]
    for line in io.StringIO(snippet):
        line_starts.append(line_starts[-1] + len(line))
    out: list[str] = []
    depth = 0
    fstring_start = (0, 0)
    for tok in tokens:
        kind = tokenize.tok_name.get(tok.type, "")
        # Python 3.12+ splits f-strings (3.14 t-strings) into parts; keep them as one token,
        # as older versions do, so a baseline reads the same on every Python version.
        if kind in ("FSTRING_START", "TSTRING_START"):
            if depth == 0:
                fstring_start = tok.start
            depth += 1
            continue
        if kind in ("FSTRING_END", "TSTRING_END"):
            depth -= 1
            if depth == 0:
                start = line_starts[fstring_start[0] - 1] + fstring_start[1]
                end = line_starts[tok.end[0] - 1] + tok.end[1]
                _push(out, snippet[start:end])
            continue
        if depth > 0 or tok.type in _LAYOUT:
            continue
        text = tok.string
        if tok.type == tokenize.STRING:
            try:
                text = repr(ast.literal_eval(text))
            except (ValueError, SyntaxError):
                pass
        elif text in (")", "]", "}") and out and out[-1] == ",":
            out.pop()
        _push(out, text)
    return _join(out)


_LAYOUT = {
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.COMMENT,
    tokenize.ENDMARKER,
}


def _push(out: list[str], text: str) -> None:
    if text:
        out.append(text)


def _wordy(ch: str) -> bool:
    return ch.isalnum() or ch in "_'\""


def _join(tokens: Sequence[str]) -> str:
    parts: list[str] = []
    prev = ""
    for tok in tokens:
        if prev and (prev == "," or (_wordy(prev[-1]) and _wordy(tok[0]))):
            parts.append(" ")
        parts.append(tok)
        prev = tok
    return "".join(parts)


def write_baseline(
    path: Path | str, findings: Iterable[Finding], *, cwd: Path | None = None
) -> int:
    """Record ``findings`` in the baseline file ``path`` (replaced atomically); return the count.

    ``cwd`` is the folder the findings' paths are relative to (default: the current one).
    """
    target = Path(path)
    here = Path.cwd() if cwd is None else cwd
    base = _base_dir(target)
    entries = sorted(_entry(f, here, base) for f in findings)
    doc = {
        "tool": _TOOL,
        "version": BASELINE_VERSION,
        "findings": [e.to_json() for e in entries],
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    write_atomic(target, text.encode("utf-8"))
    return len(entries)


def load_baseline(path: Path | str) -> Baseline:
    """Read a baseline written by :func:`write_baseline`; raise :class:`BaselineError` if unusable."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise BaselineError(
            f"baseline {source} does not exist (create it with `--write-baseline {source}`)"
        ) from None
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {source}: {exc.strerror or exc}") from None
    try:
        doc: Any = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(
            f"{source} is not a cio-lint baseline: not valid JSON ({exc})"
        ) from None
    if not isinstance(doc, dict) or doc.get("tool") != _TOOL:
        raise BaselineError(
            f'{source} is not a cio-lint baseline (expected an object with "tool": "{_TOOL}")'
        )
    version = doc.get("version")
    if version != BASELINE_VERSION:
        if isinstance(version, int) and version > BASELINE_VERSION:
            hint = "it was written by a newer cio-lint"
        else:
            hint = "unknown version"
        raise BaselineError(
            f"{source}: baseline version {version!r} is not supported "
            f"(this cio-lint reads version {BASELINE_VERSION}; {hint})"
        )
    items = doc.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f'{source}: "findings" must be a list')
    entries: list[BaselineEntry] = []
    for index, item in enumerate(items):
        fields = ("path", "code", "message", "snippet")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in fields):
            raise BaselineError(
                f"{source}: findings[{index}] must be an object with string "
                f"{', '.join(repr(k) for k in fields)}"
            )
        entries.append(BaselineEntry(*(item[k] for k in fields)))
    return Baseline(path=source, entries=tuple(entries))


def _base_dir(baseline_path: Path) -> str:
    return os.path.dirname(os.path.abspath(baseline_path))


def _entry(finding: Finding, cwd: Path, base_dir: str) -> BaselineEntry:
    return BaselineEntry(
        path=_relative(finding.path, cwd, base_dir),
        code=finding.code,
        message=finding.message,
        snippet=normalize_snippet(finding.snippet),
    )


def _relative(path: str, cwd: Path, base_dir: str) -> str:
    absolute = os.path.normpath(os.path.join(os.path.abspath(cwd), path))
    try:
        rel = os.path.relpath(absolute, base_dir)
    except ValueError:  # another drive on Windows
        rel = absolute
    return rel.replace(os.sep, "/")
