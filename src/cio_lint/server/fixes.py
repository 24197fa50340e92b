"""Findings in LSP terms: diagnostics, and the code actions made of their fixes.

A fix's edits may be in another file than the finding (a constant defined elsewhere), so an
action is a ``WorkspaceEdit`` with one entry per file. ``source.fixAll.cio-lint`` takes every
safe fix of a document, each whole or not at all: a fix overlapping an edit already taken is
left out (the next check offers it again), as ``--fix`` does.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from cio_lint.model import Edit, Finding
from cio_lint.server.features import line_of, to_units
from cio_lint.server.workspace import Workspace

SOURCE = "cio-lint"
FIX_ALL = "source.fixAll.cio-lint"


def docs_url(code: str, name: str) -> str:
    """The rule's heading in docs/rules.md: the URL SARIF's ``helpUri`` gives."""
    from cio_lint.reporters import DOCS_URL, _anchor

    return DOCS_URL + _anchor(f"{code} {name}")


def uri_of(path: str | Path) -> str:
    return from_fs_path(str(path)) or Path(path).as_uri()


def _position(text: str, line: int, column: int) -> types.Position:
    return types.Position(line=max(line - 1, 0), character=to_units(line_of(text, line), column))


def span(text: str, line: int, column: int, end_line: int, end_column: int) -> types.Range:
    return types.Range(
        start=_position(text, line, column), end=_position(text, end_line, end_column)
    )


def diagnostic(finding: Finding, text: str) -> types.Diagnostic:
    severity = (
        types.DiagnosticSeverity.Warning
        if finding.severity == "warning"
        else types.DiagnosticSeverity.Error
    )
    return types.Diagnostic(
        range=span(text, finding.line, finding.column, finding.end_line, finding.end_column),
        message=finding.message,
        severity=severity,
        code=finding.code,
        code_description=types.CodeDescription(href=docs_url(finding.code, finding.name)),
        source=SOURCE,
        data={"fixable": finding.fix is not None},
    )


def _edits(ws: Workspace, edits: tuple[Edit, ...]) -> dict[str, list[types.TextEdit]]:
    out: dict[str, list[types.TextEdit]] = {}
    for edit in edits:
        path = str(ws.absolute(edit.path))
        text = ws.text_of(path)
        out.setdefault(uri_of(path), []).append(
            types.TextEdit(
                range=span(text, edit.line, edit.column, edit.end_line, edit.end_column),
                new_text=edit.content,
            )
        )
    return out


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def code_actions(
    ws: Workspace, path: str, wanted: types.Range, only: list[str] | None
) -> list[types.CodeAction]:
    """Quick fixes of the findings of ``path`` that touch ``wanted``, and the fix-all action."""
    state = ws.files.get(path)
    if state is None:
        return []
    text = ws.text_of(path)
    actions: list[types.CodeAction] = []
    kinds = only or []

    def allowed(kind: str) -> bool:
        return not kinds or any(kind == k or kind.startswith(k + ".") for k in kinds)

    if allowed(types.CodeActionKind.QuickFix):
        for finding in state.findings:
            if finding.fix is None or not finding.fix.edits:
                continue
            diag = diagnostic(finding, text)
            if not _overlaps(diag.range, wanted):
                continue
            title = finding.fix.description or f"Fix {finding.code}: {finding.message}"
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=types.WorkspaceEdit(changes=_edits(ws, finding.fix.edits)),
                    is_preferred=finding.fix.applicability == "safe",
                )
            )
    if allowed(FIX_ALL):
        edits = fix_all_edits(state.findings)
        if edits:
            actions.append(
                types.CodeAction(
                    title="Fix all cio-lint findings",
                    kind=FIX_ALL,
                    edit=types.WorkspaceEdit(changes=_edits(ws, tuple(edits))),
                )
            )
    return actions


def fix_all_edits(findings: list[Finding]) -> list[Edit]:
    """The edits of every safe fix, once each; a fix that overlaps one already taken is left
    out whole."""
    chosen: list[Edit] = []
    seen: set[Edit] = set()
    for finding in sorted(findings, key=lambda f: f.sort_key):
        fix = finding.fix
        if fix is None or fix.applicability != "safe":
            continue
        new = [e for e in fix.edits if e not in seen]
        if any(_clash(e, c) for e in new for c in chosen):
            continue
        chosen.extend(new)
        seen.update(new)
    return chosen


def _clash(a: Edit, b: Edit) -> bool:
    if a.path != b.path:
        return False
    return (a.line, a.column) < (b.end_line, b.end_column) and (b.line, b.column) < (
        a.end_line,
        a.end_column,
    )
