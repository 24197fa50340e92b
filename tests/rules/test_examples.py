"""Every rule's VALID and INVALID examples are its tests (Fixit style)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.fix import apply_fixes
from cio_lint.plan import load_plan
from cio_lint.rules import RULES
from cio_lint.rules.examples import EXAMPLE_PLAN


def _cases(kind: str) -> list[tuple[str, int, object]]:
    out = []
    for code, rule in RULES.items():
        for i, example in enumerate(getattr(rule, kind)):
            out.append(pytest.param(code, i, example, id=f"{code}-{kind.lower()}-{i}"))
    return out


def _lint(
    tmp_path: Path, source: str, monkeypatch: pytest.MonkeyPatch, code: str = ""
) -> tuple[list, Path]:
    (tmp_path / "tracking_plan").mkdir()
    (tmp_path / "tracking_plan" / "plan.yaml").write_text(EXAMPLE_PLAN)
    # a rule of the workspace (CIO3xx) declares the snapshot its examples run with
    workspace = getattr(RULES.get(code), "EXAMPLE_WORKSPACE", None)
    if workspace:
        snapshot = tmp_path / "tracking_plan" / "customerio-workspace.json"
        snapshot.write_text(json.dumps(workspace, indent=2, sort_keys=True) + "\n")
    app = tmp_path / "app.py"
    app.write_text(source + "\n")
    monkeypatch.chdir(tmp_path)
    plan = load_plan(tmp_path / "tracking_plan")
    config = Config(
        root=tmp_path, sdk_versions={"customerio": "3.2", "posthog": "7.91"}, cache=False
    )
    result = lint_paths([tmp_path], config, plan, jobs=1)
    return result.findings, app


def test_every_rule_has_examples() -> None:
    for code, rule in RULES.items():
        # about files, not calls: tested in test_analysis.py and test_bad_input.py (CIO903)
        if code in ("CIO900", "CIO901", "CIO903"):
            continue
        assert rule.VALID, f"{code} has no VALID example"
        assert rule.INVALID, f"{code} has no INVALID example"


@pytest.mark.parametrize(("code", "index", "source"), _cases("VALID"))
def test_valid(
    code: str, index: int, source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings, _ = _lint(tmp_path, source, monkeypatch, code)
    assert [f for f in findings if f.code == code] == []


@pytest.mark.parametrize(("code", "index", "example"), _cases("INVALID"))
def test_invalid(
    code: str, index: int, example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings, app = _lint(tmp_path, example.source, monkeypatch, code)
    flagged = [f for f in findings if f.code == code]
    assert flagged, f"{code} not reported; got {[(f.code, f.message) for f in findings]}"
    if example.fixed is not None:
        assert all(f.fix is not None for f in flagged)
        apply_fixes(flagged, root=tmp_path)
        assert app.read_text() == example.fixed + "\n"
