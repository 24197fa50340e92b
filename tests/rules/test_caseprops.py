"""A property problem is not hidden behind a case problem: when CIO002 identifies the planned
event, the properties are checked against that event (docs/rules.md, CIO002)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cio_lint.baseline import load_baseline, write_baseline
from cio_lint.capture.validate import validate
from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.fix import apply_fixes
from cio_lint.model import Finding
from cio_lint.plan import Plan, load_plan

PLAN = textwrap.dedent(
    """
    version: 1
    events:
      Item Created:
        properties:
          color: {type: string}
        additionalProperties: false
        required: [color]
    """
)
SETUP = "from customerio import analytics\n"


def _plan(tmp_path: Path, text: str = PLAN) -> Plan:
    (tmp_path / "tracking_plan").mkdir(exist_ok=True)
    (tmp_path / "tracking_plan" / "plan.yaml").write_text(text)
    return load_plan(tmp_path / "tracking_plan")


def _lint(tmp_path: Path, plan: Plan) -> list[Finding]:
    config = Config(root=tmp_path, sdk_versions={"customerio": "3.2"}, cache=False)
    findings = lint_paths([tmp_path / "app.py"], config, plan, jobs=1).findings
    return [f for f in findings if f.code != "CIO003"]  # no identify: beside the point


def _messages(findings: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.code, f.message) for f in findings)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_properties_checked_against_the_case_variant(project: Path) -> None:
    (project / "app.py").write_text(
        SETUP + 'analytics.track("u1", "item created", {"colour": 1})\n'
    )
    assert _messages(_lint(project, _plan(project))) == [
        (
            "CIO002",
            "Event `item created` differs from planned `Item Created` only in case or separators",
        ),
        (
            "CIO004",
            "Property `colour` is not in the schema of `Item Created` (did you mean `color`?)",
        ),
        ("CIO005", "Required property `color` of `Item Created` is missing"),
    ]


def test_value_checked_against_the_case_variant(project: Path) -> None:
    (project / "app.py").write_text(SETUP + 'analytics.track("u1", "item_created", {"color": 1})\n')
    found = _messages(_lint(project, _plan(project)))
    assert [code for code, _ in found] == ["CIO002", "CIO006"]
    assert found[1][1].startswith("Property `color` of `Item Created`: 1 is not of type")


def test_colliding_variants_identify_no_event(project: Path) -> None:
    """Two planned names equal ignoring case: CIO002 names both, the properties are not checked."""
    plan = _plan(project, PLAN + "  item_created:\n    properties: {}\n")
    (project / "app.py").write_text(
        SETUP + 'analytics.track("u1", "item created", {"colour": 1})\n'
    )
    found = _lint(project, plan)
    assert [f.code for f in found] == ["CIO002"]
    assert "(they collide in the plan)" in found[0].message


def test_fix_keeps_the_property_findings(project: Path) -> None:
    (project / "app.py").write_text(
        SETUP + 'analytics.track("u1", "item created", {"colour": 1})\n'
    )
    plan = _plan(project)
    before = _lint(project, plan)
    apply_fixes(before, root=project)
    assert (
        'analytics.track("u1", "Item Created", {"colour": 1})' in (project / "app.py").read_text()
    )
    after = _messages(_lint(project, plan))
    assert after == [m for m in _messages(before) if m[0] != "CIO002"]


def test_baseline_records_and_matches_the_property_findings(project: Path) -> None:
    (project / "app.py").write_text(
        SETUP + 'analytics.track("u1", "item created", {"colour": 1})\n'
    )
    plan = _plan(project)
    findings = _lint(project, plan)
    assert write_baseline(project / "baseline.json", findings, cwd=project) == 3
    new, stale = load_baseline(project / "baseline.json").filter(_lint(project, plan), cwd=project)
    assert (new, stale) == ([], [])


def test_runtime_validation_checks_the_case_variant(tmp_path: Path) -> None:
    message = {
        "type": "track",
        "userId": "u1",
        "event": "item created",
        "properties": {"colour": 1},
    }
    found = sorted(
        (v.finding.code, v.finding.message)
        for v in validate([message], _plan(tmp_path), ignore=["CIO003"])
    )
    assert [code for code, _ in found] == ["CIO002", "CIO004", "CIO005"]
    assert all("`Item Created`" in text for _, text in found)
