"""Facts and resolved calls -> the findings of a run: every rule, then suppressions, selection
and paths relative to the current folder. The engine gathers the facts; this decides what is
reported."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cio_lint.analysis.dedupe import reported_below
from cio_lint.analysis.facts import FileFacts
from cio_lint.analysis.link import Project, Resolved
from cio_lint.analysis.receivers import Unresolved
from cio_lint.config import Config
from cio_lint.model import Finding, relative
from cio_lint.prefilter import SourceFile
from cio_lint.rules import RULES, check_call
from cio_lint.rules.broadcasts import check_broadcasts
from cio_lint.rules.consistency import check_consistency
from cio_lint.rules.flow import check_flow
from cio_lint.rules.generated import GeneratedCodeStale
from cio_lint.rules.regions import check_regions
from cio_lint.rules.workspace import check_workspace
from cio_lint.suppressions import unused_suppressions
from cio_lint.workspace.snapshot import Snapshot

_STALE = GeneratedCodeStale()


@dataclass(frozen=True)
class Scope:
    """What the findings of a run depend on besides its facts: the settings, the plan, the
    files of the run (target or not), what could not be read, the workspace snapshot."""

    config: Config
    plan: Any
    by_path: dict[Path, SourceFile]
    unreadable: dict[Path, tuple[bool, str]]
    workspace: Snapshot | None


def collect_findings(
    self: Scope,
    resolved: list[Resolved],
    facts: list[FileFacts],
    project: Project,
    unresolved: Sequence[Unresolved] = (),
) -> list[Finding]:
    """Every finding of a run: the per-call rules, the passes over the project, the files
    that could not be checked; then suppressions, selection and paths relative to the current
    folder (``self`` is the run's ``Scope``)."""
    plan = self.plan
    by_path = {f.path: f for f in facts}
    targets = {str(p) for p, f in self.by_path.items() if f.target}
    for loaded in project.modules.values():  # target files extracted only to resolve values
        if loaded.path in targets:
            by_path.setdefault(loaded.path, loaded)
    raw: list[Finding] = [_unresolved_finding(u) for u in unresolved]
    raw.extend(_unreadable_findings(self))
    below_found: dict[int, list[Finding]] = {}  # id of a shared below view -> its findings
    for f in facts:
        if f.error is not None:
            line, column, message = f.error
            rule = RULES["CIO901" if f.too_large else "CIO900"]
            raw.append(
                Finding(
                    rule.CODE,
                    rule.NAME,
                    rule.SEVERITY,
                    message,
                    f.path,
                    line,
                    column,
                    line,
                    column,
                )
            )
    forwarded = frozenset(self.config.destinations)
    for item in resolved:
        if item.flow_only:
            continue  # only the user comes from this call: CIO003's business
        found = check_call(item.call, plan, forwarded)
        if item.inner is not None:
            # The wrapper's own body reports what does not depend on the call's arguments.
            inner = {(x.code, x.message) for x in check_call(item.inner, plan, forwarded)}
            found = [x for x in found if (x.code, x.message) not in inner]
        if item.below is not None:
            # ...and the call one hop below reports what the wrappers between write.
            below = below_found.get(id(item.below))
            if below is None:
                below = check_call(item.below, plan, forwarded)
                below_found[id(item.below)] = below
            found = reported_below(found, below)
        raw.extend(x if x.path in targets else _at_call(x, item) for x in found)
    whole = all(f.target for f in self.by_path.values())
    raw.extend(check_flow(resolved, project, whole))
    raw.extend(check_consistency(resolved, plan, self.config.naming, targets))
    raw.extend(_STALE.check_files((f for p, f in by_path.items() if p in targets), plan))
    raw.extend(check_regions(project, facts, self.workspace))
    raw.extend(check_broadcasts(project, facts))
    if self.workspace is not None:
        for x, at in check_workspace(resolved, plan, self.workspace, whole):
            raw.append(x if at is None or x.path in targets else _at_call(x, at))
    seen: set[tuple[object, ...]] = set()
    cwd = Path.cwd()
    out = []
    used: set[tuple[str, int, str]] = set()  # (path, line, code) a comment hid
    for finding in raw:
        facts_ = by_path.get(finding.path)
        if facts_ is not None and _suppressed(facts_, finding):
            used.add((finding.path, finding.line, finding.code))
            continue
        rel = relative(finding.path, cwd)
        if not self.config.is_selected(finding.code, rel):
            continue
        marker = (finding.code, finding.path, finding.line, finding.column, finding.message)
        if marker in seen:
            continue
        seen.add(marker)
        fix = finding.fix
        if fix is not None:
            edits = tuple(replace(e, path=relative(e.path, cwd)) for e in fix.edits)
            fix = replace(fix, edits=edits)
        out.append(replace(finding, path=rel, fix=fix))
    out.extend(_unused_suppressions(self, by_path, targets, used, whole, cwd))
    out.sort(key=lambda x: x.sort_key)
    return out


def _unused_suppressions(
    self: Scope,
    by_path: dict[str, FileFacts],
    targets: set[str],
    used: set[tuple[str, int, str]],
    whole: bool,
    cwd: Path,
) -> Iterator[Finding]:
    """CIO904 in the target files that were read (``suppressions``)."""
    files = {
        path: f.suppressions
        for path, f in by_path.items()
        if path in targets and f.suppressions and f.error is None
    }
    if not files or not any(
        self.config.is_selected("CIO904", relative(path, cwd)) for path in files
    ):
        return
    found = unused_suppressions(
        files,
        used,
        whole,
        checked=lambda code, path: (
            code in RULES and self.config.is_selected(code, relative(path, cwd))
        ),
        known=lambda code: code in RULES,
    )
    for finding in found:
        rel = relative(finding.path, cwd)
        if not self.config.is_selected(finding.code, rel):
            continue
        fix = finding.fix
        if fix is not None:
            edits = tuple(replace(e, path=relative(e.path, cwd)) for e in fix.edits)
            fix = replace(fix, edits=edits)
        yield replace(finding, path=rel, fix=fix)


def _unreadable_findings(self: Scope) -> Iterator[Finding]:
    """CIO903 for each target file or folder that could not be read: met so by discovery,
    or when its bytes were read (``SourceFile.read_error``)."""
    rule = RULES["CIO903"]
    met = dict(self.unreadable)
    for path, file in self.by_path.items():
        if file.target and file.read_error is not None:
            met.setdefault(path, (False, file.read_error))
    for path, (folder, why) in met.items():
        message = rule.MESSAGE.format(
            what="folder" if folder else "file",
            reason=why,
            consequence="no file in it was checked" if folder else "not checked",
        )
        yield Finding(rule.CODE, rule.NAME, rule.SEVERITY, message, str(path), 1, 1, 1, 1)


def _unresolved_finding(item: Unresolved) -> Finding:
    """CIO902 at the call: it looks like an SDK call, its receiver could not be resolved."""
    rule = RULES["CIO902"]
    line, column, end_line, end_column = item.fact.loc
    message = rule.MESSAGE.format(receiver=item.receiver, method=item.method)
    return Finding(
        rule.CODE,
        rule.NAME,
        rule.SEVERITY,
        message,
        item.module.path,
        line,
        column,
        end_line,
        end_column,
        snippet=item.fact.snippet,
    )


def _at_call(finding: Finding, item: Resolved) -> Finding:
    """A finding whose value is written in a file that is not being checked (a constant of
    another package, on a pre-commit run of one file): reported at the call instead."""
    loc = item.call.loc
    return replace(
        finding,
        path=loc.path,
        line=loc.line,
        column=loc.column,
        end_line=loc.end_line,
        end_column=loc.end_column,
    )


def _suppressed(facts: FileFacts, finding: Finding) -> bool:
    codes = facts.suppressions.get(finding.line, ())
    if codes == ():
        return False
    return codes is None or finding.code in codes
