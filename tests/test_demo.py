"""The embedded demo: every planted violation is found, and nothing else."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan
from cio_lint.rules import RULES


@pytest.fixture(scope="module")
def demo():
    expected = json.loads((REPO / "examples" / "expected_findings.json").read_text())
    plan = load_plan(REPO / "tracking_plan")
    return expected, plan


def test_demo_findings_are_exactly_the_planted_ones(demo, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, plan = demo
    monkeypatch.chdir(REPO / "examples")
    result = lint_paths(
        [REPO / "examples"],
        # excluded as by the repository's [tool.cio-lint]: the demo is the whole project, so
        # the CIO3xx rules that need every call (CIO304) run, as in `cio-lint examples/`
        Config(
            root=REPO,
            sdk_versions={"customerio": "3.2"},
            cache=False,
            extend_exclude=("tests", "bench", "src"),
        ),
        plan,
        jobs=1,
    )
    found = sorted((f.path, f.line, f.code) for f in result.findings)
    assert found == sorted((e["path"], e["line"], e["code"]) for e in expected)


def test_demo_breaks_every_rule(demo) -> None:
    expected, _ = demo
    # CIO901 (file over the size limit) and CIO903 (unreadable file: git cannot keep one) are
    # about files, not instrumentation: not planted
    assert {e["code"] for e in expected} == set(RULES) - {"CIO901", "CIO903"}


def test_plan_folder_is_valid(demo) -> None:
    _, plan = demo
    assert len(plan.events) >= 10 and plan.identify is not None and plan.group is not None
