"""The terminal's view of the rules: ``cio-lint rule CODE``, ``--list-rules`` and
``--statistics`` (what ``ruff rule``, ``ruff linter`` and ``ruff check --statistics`` print)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from cio_lint.model import Finding
from cio_lint.rules import RULES


def rule_text(code: str) -> str | None:
    """The explanation of one rule (its code or name), or None if there is no such rule."""
    wanted = code.strip()
    rule = RULES.get(wanted.upper()) or next(
        (r for r in RULES.values() if r.NAME == wanted.lower()), None
    )
    if rule is None:
        return None
    doc = (rule.__doc__ or "").strip().splitlines()
    body = "\n".join(line.strip() for line in doc[1:]).strip()
    out = [f"# {rule.CODE} {rule.NAME} ({rule.SEVERITY})", "", doc[0] if doc else ""]
    if body:
        out += ["", body]
    out += ["", f"Fixable with `--fix`: {'yes' if rule.FIXABLE else 'no'}."]
    if rule.INVALID:
        out += ["", "Reported:", "", "```python", rule.INVALID[0].source.rstrip(), "```"]
    if rule.VALID:
        out += ["", "Not reported:", "", "```python", rule.VALID[0].rstrip(), "```"]
    out += ["", f"More: docs/rules.md, section {rule.CODE}."]
    return "\n".join(out) + "\n"


def rules_table() -> str:
    """One line per rule: code, name, severity, whether ``--fix`` fixes it, summary."""
    width = max(len(r.NAME) for r in RULES.values())
    lines = [
        f"{r.CODE}  {r.NAME:<{width}}  {r.SEVERITY:<7}  {'[*]' if r.FIXABLE else '   '}  "
        f"{r.summary()}"
        for r in RULES.values()
    ]
    return "\n".join(lines) + "\n"


def statistics(findings: Sequence[Finding]) -> str:
    """Per code, how many findings, most first (ties by code), ``[*]`` where fixable."""
    counts = Counter(f.code for f in findings)
    fixable = {f.code for f in findings if f.fix is not None}
    width = len(str(max(counts.values(), default=0)))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    lines = []
    for code, count in rows:
        rule = RULES.get(code)
        name = rule.NAME if rule is not None else ""
        mark = "[*]" if code in fixable else "   "
        lines.append(f"{count:>{width}}\t{code}\t{mark} {name}".rstrip())
    return "\n".join(lines) + ("\n" if lines else "")


def fix_enumeration(findings: Sequence[Finding], applied: bool) -> str:
    """``--show-fixes``: per file, how many findings of each code ``--fix`` fixed (``applied``)
    or would fix (ruff's enumeration)::

        Fixed 2 errors:
        - examples/acme/views.py:
            2 x CIO002 (event-name-case)
    """
    per_file: dict[str, Counter[str]] = {}
    for f in findings:
        if f.fix is not None and f.fix.edits and f.fix.applicability == "safe":
            per_file.setdefault(f.path, Counter())[f.code] += 1
    total = sum(sum(c.values()) for c in per_file.values())
    if not total:
        return "No errors fixed.\n" if applied else "No errors would be fixed by `--fix`.\n"
    noun = "error" if total == 1 else "errors"
    lines = [f"Fixed {total} {noun}:" if applied else f"Would fix {total} {noun} with `--fix`:"]
    for path in sorted(per_file):
        lines.append(f"- {path}:")
        for code, count in sorted(per_file[path].items()):
            rule = RULES.get(code)
            lines.append(f"    {count} x {code} ({rule.NAME if rule else code})")
    return "\n".join(lines) + "\n"
