"""Acceptance: lint two unseen apps and compare with their `# expect: CODE` comments.

Each fixture app under tests/fixtures/unseen_*/ carries its own tracking_plan/ and marks every
finding it expects with a trailing comment on the line where the finding starts:

    analytics.track(user.id, "order_completed", {...})  # expect: CIO002
    cio.track(user.id, "X", seats=3)  # expect: CIO013, CIO005

The set of (path, line, code) reported must equal the set of expectations exactly.
The expectations were written from docs/SPEC alone, independently of the implementation.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from expectations import Key, assert_as_marked, marked

from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan

FIXTURES = Path(__file__).parent / "fixtures"
APPS = sorted(p.name for p in FIXTURES.glob("unseen_*") if p.is_dir())


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


def _expectations(app_dir: Path) -> set[Key]:
    return marked(app_dir)[0]


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

    assert_as_marked(app, expected, actual, messages)
