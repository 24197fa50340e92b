"""The ``# expect: CIO001`` and ``# sdk`` marks of fixture projects, and the comparison of a
run's findings with them (used by the acceptance and the unseen-project tests)."""

from __future__ import annotations

import re
from pathlib import Path

EXPECT_RE = re.compile(r"#\s*expect:\s*(CIO\d{3}(?:\s*,\s*CIO\d{3})*)")
SDK_RE = re.compile(r"#\s*sdk\b")

Key = tuple[str, int, str]
Line = tuple[str, int]


def marked(app_dir: Path) -> tuple[set[Key], set[Line]]:
    """The `# expect:` findings and the `# sdk` lines of every Python file of a project."""
    expected: set[Key] = set()
    sdk_lines: set[Line] = set()
    for path in sorted(app_dir.rglob("*.py")):
        rel = path.relative_to(app_dir).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        for lineno, line in enumerate(text.split("\n"), start=1):
            match = EXPECT_RE.search(line)
            if match:
                for code in re.split(r"\s*,\s*", match.group(1)):
                    expected.add((rel, lineno, code))
            if SDK_RE.search(line):
                sdk_lines.add((rel, lineno))
    return expected, sdk_lines


def fmt(keys: set[Key] | set[Line], messages: dict[Key, str] | None = None) -> str:
    if not keys:
        return "    (none)"
    lines = []
    for key in sorted(keys):
        msg = f"  -- {messages[key]}" if messages and key in messages else ""  # type: ignore[index]
        lines.append("    " + ":".join(str(part) for part in key) + msg)
    return "\n".join(lines)


def assert_as_marked(
    label: str, expected: set[Key], actual: set[Key], messages: dict[Key, str]
) -> None:
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, (
        f"{label}: findings differ from the `# expect:` comments\n"
        f"  expected but not reported ({len(missing)}):\n{fmt(missing)}\n"
        f"  reported but not expected ({len(unexpected)}):\n{fmt(unexpected, messages)}"
    )
