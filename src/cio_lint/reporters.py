"""Output formats, chosen by name from one table: ``REPORTERS[name](findings, ctx) -> str``.

A reporter is a pure function of the findings and a :class:`ReportContext`; the CLI decides
where the text goes (stdout or ``--output-file``). Every non-empty output ends with a newline.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cio_lint import __version__
from cio_lint.baseline import normalize_snippet
from cio_lint.model import Edit, Finding
from cio_lint.source import SourceError, decode

__all__ = [
    "DOCS_URL",
    "INFORMATION_URI",
    "REPORTERS",
    "ReportContext",
    "Reporter",
    "RunCounts",
    "report_concise",
    "report_full",
    "report_github",
    "report_json",
    "report_sarif",
    "report_text",
]

INFORMATION_URI = "https://github.com/cio-lint/cio-lint"
DOCS_URL = "https://github.com/cio-lint/cio-lint/blob/main/docs/rules.md#"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "cioLint/v1"
SRCROOT = "%SRCROOT%"


def _default_rules() -> Mapping[str, Any]:
    try:
        module = importlib.import_module("cio_lint.rules")
    except ModuleNotFoundError as exc:
        if exc.name != "cio_lint.rules":
            raise
        module = None
    # Without a registry, rules are described from the findings themselves.
    rules: Mapping[str, Any] = getattr(module, "RULES", {})
    return rules


class _Registry(Mapping[str, Any]):
    """The rule registry, imported when a reporter first reads it (SARIF describes every rule;
    the other formats never do, and a run the cache answers imports no rule)."""

    def __init__(self) -> None:
        self._rules: Mapping[str, Any] | None = None

    def _loaded(self) -> Mapping[str, Any]:
        if self._rules is None:
            self._rules = _default_rules()
        return self._rules

    def __getitem__(self, code: str) -> Any:
        return self._loaded()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


@dataclass(frozen=True)
class ReportContext:
    """What a reporter needs besides the findings.

    ``root`` is the project root (SARIF URIs and GitHub annotation paths are relative to it);
    ``cwd`` is the folder the findings' paths are relative to; ``show_source`` prints the source
    line and a caret in text output (the CLI sets it when stdout is a terminal); ``rules`` is the
    rule registry (``code -> Rule class`` with CODE, NAME, SEVERITY, MESSAGE, FIXABLE and a
    docstring); ``fixes_applied`` is the number of findings ``--fix`` fixed; ``counts`` is what
    the run checked (None: not known, the summary then counts only what was found).
    """

    root: Path
    cwd: Path
    show_source: bool = False
    rules: Mapping[str, Any] = field(default_factory=_Registry)
    tool_version: str = __version__
    fixes_applied: int = 0
    counts: RunCounts | None = None
    color: bool = False  # ANSI colours in text output (``--color``; the CLI decides)


@dataclass(frozen=True)
class RunCounts:
    """What a run checked: SDK call sites (each once), target files, call sites through wrappers."""

    sdk_calls: int
    files: int
    through_wrappers: int = 0

    def summary(self) -> str:
        """``Checked 23 SDK calls in 12 files (17 through wrappers).``"""
        text = f"Checked {_plural(self.sdk_calls, 'SDK call')} in {_plural(self.files, 'file')}"
        if self.through_wrappers:
            text += f" ({self.through_wrappers} through wrappers)"
        return text + "."

    def to_json(self) -> dict[str, int]:
        return {
            "sdkCalls": self.sdk_calls,
            "files": self.files,
            "throughWrappers": self.through_wrappers,
        }


Reporter = Callable[[Sequence[Finding], ReportContext], str]


def _sorted(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)


def _safe_fix(finding: Finding) -> bool:
    """``[*]``: fixable by a plain ``--fix`` (unsafe fixes need an explicit opt-in)."""
    return (
        finding.fix is not None and bool(finding.fix.edits) and finding.fix.applicability == "safe"
    )


# --------------------------------------------------------------------------------------- text


_BOLD, _RED, _YELLOW, _CYAN, _RESET = "\033[1m", "\033[31m", "\033[33m", "\033[36m", "\033[0m"


def _paint(text: str, style: str, on: bool) -> str:
    return f"{style}{text}{_RESET}" if on and text else text


def report_text(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """``path:line:col: CODE [*] message``, with the source line under it when
    ``show_source``, and ANSI colours when ``color`` (path bold, code red for an error and
    yellow for a warning, ``[*]`` cyan)."""
    lines: list[str] = []
    sources = _SourceCache(ctx.cwd)
    on = ctx.color
    for f in _sorted(findings):
        mark = " " + _paint("[*]", _CYAN, on) if _safe_fix(f) else ""
        code = _paint(f.code, _BOLD + (_RED if f.severity == "error" else _YELLOW), on)
        lines.append(f"{_paint(f.path, _BOLD, on)}:{f.line}:{f.column}: {code}{mark} {f.message}")
        if ctx.show_source:
            lines.extend(_source_excerpt(f, sources))
    summary = _summary(findings, ctx.fixes_applied)
    if ctx.counts is not None:
        summary = f"{ctx.counts.summary()} {summary}"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(findings: Sequence[Finding], fixed: int) -> str:
    if not findings:
        if fixed:
            return f"Found {_plural(fixed, 'error')} ({fixed} fixed, 0 remaining)."
        return "All checks passed!"
    counts = Counter(f.severity for f in findings)
    errors, warnings = counts["error"], counts["warning"]
    if errors and warnings:
        what = f"{_plural(errors, 'error')} and {_plural(warnings, 'warning')}"
    elif warnings:
        what = _plural(warnings, "warning")
    else:
        what = _plural(errors, "error")
    notes = []
    if fixed:
        what = f"{what} remaining"
        notes.append(f"{fixed} fixed")
    fixable = sum(1 for f in findings if _safe_fix(f))
    if fixable:
        notes.append(f"{fixable} fixable with `--fix`")
    return f"Found {what}" + (f" ({', '.join(notes)})." if notes else ".")


class _SourceCache:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.files: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self.files:
            try:
                data = (self.cwd / path).read_bytes()
            except OSError:
                self.files[path] = None
            else:
                text = _decoded(data)
                self.files[path] = re.split(r"\r\n|\r|\n", text)
        lines = self.files[path]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


def _decoded(data: bytes) -> str:
    """A source's text as the linter read it (its columns), or as near as can be."""
    try:
        return decode(data).text
    except SourceError:
        return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _pad(prefix: str) -> str:
    """Blank space as wide as ``prefix`` on a terminal (tabs kept, wide characters doubled)."""
    return "".join("\t" if ch == "\t" else " " * _width(ch) for ch in prefix)


def _source_excerpt(f: Finding, sources: _SourceCache) -> list[str]:
    text = sources.line(f.path, f.line)
    if text is None:
        return []
    start = max(f.column - 1, 0)
    end = f.end_column - 1 if f.end_line == f.line else len(text)
    end = min(max(end, start + 1), max(len(text), start + 1))
    marked = text[start:end]
    carets = "^" * max(sum(_width(ch) for ch in marked), 1)
    gutter = " " * len(str(f.line))
    return [
        f"{gutter} |",
        f"{f.line} | {text}",
        f"{gutter} | {_pad(text[:start])}{carets} {f.code}",
        f"{gutter} |",
        "",
    ]


# --------------------------------------------------------------------------------------- json


def report_json(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """SPEC §2: one JSON array of findings, sorted by path, line, column."""
    return json.dumps([f.to_json() for f in _sorted(findings)], indent=2, ensure_ascii=False) + "\n"


# -------------------------------------------------------------------------------------- sarif


def _relative_to_root(path: str, ctx: ReportContext) -> str | None:
    """``path`` (relative to ``ctx.cwd``) relative to ``ctx.root``, '/'-separated; None if outside."""
    absolute = os.path.normpath(os.path.join(os.path.abspath(ctx.cwd), path))
    root = os.path.normpath(os.path.abspath(ctx.root))
    for a, r in ((absolute, root), (os.path.realpath(absolute), os.path.realpath(root))):
        try:
            rel = os.path.relpath(a, r)
        except ValueError:
            continue
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep) and not os.path.isabs(rel):
            return rel.replace(os.sep, "/")
    return None


def _artifact_location(path: str, ctx: ReportContext) -> dict[str, str]:
    rel = _relative_to_root(path, ctx)
    if rel is None:
        absolute = Path(os.path.abspath(os.path.join(ctx.cwd, path)))
        return {"uri": absolute.as_uri()}
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    start_line, start_col = max(line, 1), max(column, 1)
    stop_line = max(end_line, start_line)
    stop_col = max(end_column, 1)
    if stop_line == start_line:
        stop_col = max(stop_col, start_col)
    return {
        "startLine": start_line,
        "startColumn": start_col,
        "endLine": stop_line,
        "endColumn": stop_col,
    }


def _description(rule: Any) -> tuple[str, str]:
    doc = inspect.cleandoc(getattr(rule, "__doc__", None) or "")
    first, _, rest = doc.partition("\n")
    short = first.strip()
    full = rest.strip() or short
    return short, full


def _rule_descriptor(code: str, rule: Any, example: Finding | None) -> dict[str, Any]:
    name = getattr(rule, "NAME", None) or (example.name if example else code.lower())
    severity = getattr(rule, "SEVERITY", None) or (example.severity if example else "error")
    short, full = _description(rule) if rule is not None else ("", "")
    if not short:
        short = name.replace("-", " ").capitalize()
        full = full or short
    help_uri = DOCS_URL + _anchor(f"{code} {name}")
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {
            "text": f"{full}\n\n{help_uri}",
            "markdown": f"{full}\n\n[{code} {name}]({help_uri})",
        },
        "helpUri": help_uri,
        "defaultConfiguration": {"level": _level(severity)},
        "properties": {"fixable": bool(getattr(rule, "FIXABLE", example and example.fix))},
    }


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lowercased, punctuation other than ``-`` and
    ``_`` dropped, spaces made ``-`` (``CIO002 event-name-case`` -> ``cio002-event-name-case``),
    the form of the headings of docs/rules.md that ``helpUri`` points at."""
    kept = "".join(ch for ch in heading.strip().lower() if ch.isalnum() or ch in "-_ ")
    return kept.replace(" ", "-")


def _level(severity: str) -> str:
    return "warning" if severity == "warning" else "error"


def _fingerprints(findings: Sequence[Finding], ctx: ReportContext) -> list[str]:
    """Stable ids that survive line shifts: code, file, the call's text, message, occurrence."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    out = []
    for f in findings:
        where = _relative_to_root(f.path, ctx) or f.path
        key = (f.code, where, normalize_snippet(f.snippet), f.message)
        index = seen[key]
        seen[key] += 1
        payload = "\0".join((*key, str(index)))
        out.append(hashlib.sha256(payload.encode("utf-8")).hexdigest())
    return out


def _sarif_fix(f: Finding, ctx: ReportContext) -> dict[str, Any] | None:
    if f.fix is None or not f.fix.edits:
        return None
    by_path: dict[str, list[Edit]] = {}
    for edit in f.fix.edits:
        by_path.setdefault(edit.path, []).append(edit)
    changes = []
    for path, edits in by_path.items():
        replacements = [
            {
                "deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
                "insertedContent": {"text": e.content},
            }
            for e in sorted(edits, key=lambda e: (e.line, e.column, e.end_line, e.end_column))
        ]
        changes.append(
            {"artifactLocation": _artifact_location(path, ctx), "replacements": replacements}
        )
    return {
        "description": {"text": f.fix.description or f.message},
        "artifactChanges": changes,
        "properties": {"applicability": f.fix.applicability},
    }


def report_sarif(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers)."""
    ordered = _sorted(findings)
    examples: dict[str, Finding] = {}
    for f in ordered:
        examples.setdefault(f.code, f)
    codes = sorted(set(ctx.rules) | set(examples))
    rules = [_rule_descriptor(c, ctx.rules.get(c), examples.get(c)) for c in codes]
    index = {c: i for i, c in enumerate(codes)}

    results = []
    for f, fingerprint in zip(ordered, _fingerprints(ordered, ctx)):
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _level(f.severity),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact_location(f.path, ctx),
                        "region": _region(f.line, f.column, f.end_line, f.end_column),
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
        fix = _sarif_fix(f, ctx)
        if fix is not None:
            result["fixes"] = [fix]
        results.append(result)

    root_uri = Path(os.path.abspath(ctx.root)).as_uri().rstrip("/") + "/"
    doc: dict[str, Any] = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cio-lint",
                        "version": ctx.tool_version,
                        "semanticVersion": ctx.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    if ctx.counts is not None:
        doc["runs"][0]["properties"] = ctx.counts.to_json()
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------- github


def escape_data(value: str) -> str:
    """Escape the message of a GitHub workflow command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value (``file=``, ``title=``...) of a GitHub workflow command."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def report_github(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on the changed lines."""
    lines = []
    for f in _sorted(findings):
        path = _relative_to_root(f.path, ctx) or f.path
        props = [("file", path), ("line", str(max(f.line, 1)))]
        # Columns are only honoured by GitHub when the annotation is on one line.
        if f.end_line == f.line:
            props.append(("col", str(max(f.column, 1))))
        props.append(("endLine", str(max(f.end_line, f.line, 1))))
        if f.end_line == f.line:
            props.append(("endColumn", str(max(f.end_column, f.column, 1))))
        props.append(("title", f"{f.code} {f.name}"))
        rendered = ",".join(f"{k}={escape_property(v)}" for k, v in props)
        lines.append(f"::{_level(f.severity)} {rendered}::{escape_data(f.message)}")
    return "".join(line + "\n" for line in lines)


def report_concise(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """``text`` with one line per finding, never the source (ruff's ``concise``)."""
    return report_text(findings, replace(ctx, show_source=False))


def report_full(findings: Sequence[Finding], ctx: ReportContext) -> str:
    """``text`` with the source line and carets under every finding, on a terminal or not."""
    return report_text(findings, replace(ctx, show_source=True))


REPORTERS: dict[str, Reporter] = {
    "text": report_text,
    "concise": report_concise,
    "full": report_full,
    "json": report_json,
    "sarif": report_sarif,
    "github": report_github,
}
