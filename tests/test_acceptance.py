"""Acceptance: lint two unseen apps and compare with their `# expect: CODE` comments.

Each fixture app under tests/fixtures/unseen_*/ carries its own tracking_plan/ and marks every
finding it expects with a trailing comment on the line where the finding starts:

    analytics.track(user.id, "order_completed", {...})  # expect: CIO002
    cio.track(user.id, "X", seats=3)  # expect: CIO013, CIO005

The set of (path, line, code) reported must equal the set of expectations exactly.
The expectations were written from docs/SPEC alone, independently of the implementation.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan

FIXTURES = Path(__file__).parent / "fixtures"
APPS = sorted(p.name for p in FIXTURES.glob("unseen_*") if p.is_dir())

EXPECT_RE = re.compile(r"#\s*expect:\s*(CIO\d{3}(?:\s*,\s*CIO\d{3})*)")

# Codes a fixture is allowed not to plant; ignored only when no fixture plants them.
OPTIONAL_CODES = {"CIO009", "CIO101", "CIO102", "CIO103", "CIO104", "CIO105", "CIO900"}
# Codes every acceptance run must exercise at least twice (across all apps).
REQUIRED_CODES = {
    "CIO001",
    "CIO002",
    "CIO003",
    "CIO004",
    "CIO005",
    "CIO006",
    "CIO007",
    "CIO008",
    "CIO010",
    "CIO011",
    "CIO012",
    "CIO013",
}

Key = tuple[str, int, str]


def _expectations(app_dir: Path) -> set[Key]:
    expected: set[Key] = set()
    for path in sorted(app_dir.rglob("*.py")):
        rel = path.relative_to(app_dir).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        for lineno, line in enumerate(text.split("\n"), start=1):
            match = EXPECT_RE.search(line)
            if match:
                for code in re.split(r"\s*,\s*", match.group(1)):
                    expected.add((rel, lineno, code))
    return expected


def _all_expectations() -> dict[str, set[Key]]:
    return {app: _expectations(FIXTURES / app) for app in APPS}


def _ignored_codes() -> set[str]:
    planted = {code for exp in _all_expectations().values() for (_, _, code) in exp}
    return OPTIONAL_CODES - planted


def _norm_path(path: object) -> str:
    text = str(path).replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


def _fmt(keys: set[Key], messages: dict[Key, str] | None = None) -> str:
    if not keys:
        return "    (none)"
    lines = []
    for key in sorted(keys):
        path, line, code = key
        msg = f"  -- {messages[key]}" if messages and key in messages else ""
        lines.append(f"    {path}:{line}: {code}{msg}")
    return "\n".join(lines)


def test_fixture_apps_exist() -> None:
    assert APPS == ["unseen_direct", "unseen_wrappers"]
    for app in APPS:
        assert (FIXTURES / app / "tracking_plan").is_dir(), app


def test_fixtures_cover_every_rule() -> None:
    counts = Counter(code for exp in _all_expectations().values() for (_, _, code) in exp)
    thin = {code: counts.get(code, 0) for code in REQUIRED_CODES if counts.get(code, 0) < 2}
    assert not thin, f"codes planted fewer than twice: {thin}"


@pytest.mark.parametrize("app", APPS)
def test_findings_match_expectations(
    app: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Work on a copy so a cache directory or --fix can never touch the fixtures themselves.
    app_dir = tmp_path / app
    shutil.copytree(FIXTURES / app, app_dir)
    monkeypatch.chdir(app_dir)

    plan = load_plan(app_dir / "tracking_plan")
    result = lint_paths(
        [app_dir], Config(root=app_dir, sdk_versions={"customerio": "3.2"}), plan, jobs=1
    )

    ignored = _ignored_codes()
    expected = {k for k in _expectations(app_dir) if k[2] not in ignored}
    messages: dict[Key, str] = {}
    actual: set[Key] = set()
    for finding in result.findings:
        if finding.code in ignored:
            continue
        key = (_norm_path(finding.path), int(finding.line), finding.code)
        actual.add(key)
        messages.setdefault(key, finding.message)

    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, (
        f"{app}: findings differ from the `# expect:` comments\n"
        f"  expected but not reported ({len(missing)}):\n{_fmt(missing)}\n"
        f"  reported but not expected ({len(unexpected)}):\n{_fmt(unexpected, messages)}"
    )
