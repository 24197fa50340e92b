"""The embedded demo: every planted violation is found, and nothing else."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from cio_lint.config import PLAN_FREE, Config
from cio_lint.engine import lint_paths
from cio_lint.plan import Plan, load_plan
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


def _no_plan_expected() -> list[dict[str, object]]:
    """The CIO2xx findings of `cio-lint examples/ --no-plan`, each with why it is right."""
    found: list[dict[str, object]] = json.loads(
        (REPO / "examples" / "expected_findings_no_plan.json").read_text()
    )
    return found


def test_demo_breaks_every_rule(demo) -> None:
    expected, _ = demo
    # CIO901 (file over the size limit) and CIO903 (unreadable file: git cannot keep one) are
    # about files, not instrumentation: not planted. The CIO2xx rules leave what the plan decides
    # to its rules: they are planted for the run without a plan.
    codes = {e["code"] for e in expected} | {e["code"] for e in _no_plan_expected()}
    assert codes == set(RULES) - {"CIO901", "CIO903"}


def test_demo_without_a_plan(demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--no-plan`: the CIO2xx findings are the planted ones, and every other finding is one
    of the plan run's plan-free findings (the same code at the same line)."""
    expected, _ = demo
    monkeypatch.chdir(REPO / "examples")
    config = Config(root=REPO, sdk_versions={"customerio": "3.2"}, cache=False, no_plan=True)
    result = lint_paths([REPO / "examples"], config, Plan.empty(REPO), jobs=1)
    found = sorted((f.path, f.line, f.code) for f in result.findings)
    assert all(code.startswith(PLAN_FREE) for _, _, code in found)
    consistency = [k for k in found if k[2].startswith("CIO2")]
    assert consistency == sorted((e["path"], e["line"], e["code"]) for e in _no_plan_expected())
    # the demo's CIO904 is a suppression of CIO006, a plan rule: not judged without a plan
    plan_free = sorted(
        (e["path"], e["line"], e["code"])
        for e in expected
        if e["code"].startswith(PLAN_FREE) and e["code"] != "CIO904"
    )
    assert [k for k in found if not k[2].startswith("CIO2")] == plan_free


def test_plan_folder_is_valid(demo) -> None:
    _, plan = demo
    assert len(plan.events) >= 10 and plan.identify is not None and plan.group is not None
