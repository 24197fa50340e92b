"""`cio-lint plan init`: the plan written from the code (issue 14 item 2)."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from cio_lint.cli import main
from cio_lint.plan import load_plan

CDP = "from customerio import analytics\n"

APP = CDP + textwrap.dedent(
    """\
    def signup(user, source):
        analytics.identify(user.id, {"email": user.email, "plan": "free"})
        analytics.track(user.id, "Signed Up", {"plan": "free", "trial_days": 14, "source": source})

    def upgrade(user):
        analytics.identify(user.id, {"email": user.email, "plan": "pro", "seats": 3})
        analytics.track(user.id, "Signed Up", {"plan": "pro", "trial_days": "30"})
        analytics.track(user.id, "signed_up", {"plan": "pro"})
        analytics.group(user.id, "org-1", {"name": "Acme"})

    def dynamic(user, kind):
        analytics.track(user.id, f"{kind} Created")
    """
)

# Codes that are not about the plan: the flow, unresolved names, identity, the SDK's signature;
# and CIO014, a module generated from another plan (the demo's typed_events.py), which any new
# plan makes stale
NOT_PLAN = {"CIO003", "CIO007", "CIO011", "CIO013", "CIO014"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_writes_the_events_traits_and_sites(app: Path) -> None:
    code, out, err = run("plan", "init", "app.py")
    assert code == 0, err
    assert "Wrote tracking_plan/plan.yaml (2 events, identify, group)" in out
    data = yaml.safe_load((app / "tracking_plan" / "plan.yaml").read_text())
    signed_up = data["events"]["Signed Up"]
    assert signed_up["description"] == "TODO"
    assert signed_up["x-emitted-at"] == ["app.py:4", "app.py:8"]
    props = signed_up["properties"]
    assert props["plan"] == {"enum": ["free", "pro"]}  # few literals: an enum
    assert props["source"] == {}  # a parameter: no type
    assert props["trial_days"] == {"enum": [14, "30"]}
    assert signed_up["required"] == ["plan", "trial_days"]  # `source` is sent at one site only
    assert data["events"]["signed_up"]["properties"] == {"plan": {"const": "pro"}}
    identify = data["identify"]
    assert identify["properties"] == {
        "email": {},
        "plan": {"enum": ["free", "pro"]},
        "seats": {"const": 3},
    }
    assert identify["required"] == ["email", "plan"]
    assert data["group"]["properties"] == {"name": {"const": "Acme"}}


def test_conflicts_are_comments_and_stderr_lines(app: Path) -> None:
    code, _, err = run("plan", "init", "app.py")
    assert code == 0
    text = (app / "tracking_plan" / "plan.yaml").read_text()
    lines = text.splitlines()
    # each of the colliding names has its comment, right above it
    for name in ("Signed Up", "signed_up"):
        at = lines.index(f"  {name}:")
        assert lines[at - 1].startswith("  # conflict: `" + name + "` and `"), lines[at - 1]
    assert (
        "      # conflict: `trial_days` is sent with different types: integer at app.py:4; string at app.py:8"
        in lines
    )
    assert (
        "conflict: events `Signed Up` and `signed_up` are the same name ignoring case and "
        "separators: both written, keep one"
    ) in err.splitlines()
    assert (
        "conflict in `Signed Up`: `trial_days` is sent with different types: integer at "
        "app.py:4; string at app.py:8"
    ) in err.splitlines()
    # a name known only at run time is reported, never invented
    assert (
        "app.py:13: event name cannot be determined statically (built at run time): not "
        "written to the plan; send a constant, or add the event by hand"
    ) in err.splitlines()
    assert "Created" not in text


def test_type_union_when_too_many_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sites = "".join(
        f"analytics.track('u{i}', 'Order Completed', {{'total': {value}}})\n"
        for i, value in enumerate(["1", "2.5", "3", "4", "5", "6", "'7'", "None"])
    )
    (tmp_path / "app.py").write_text(CDP + sites)
    monkeypatch.chdir(tmp_path)
    assert run("plan", "init")[0] == 0
    text = (tmp_path / "tracking_plan" / "plan.yaml").read_text()
    total = yaml.safe_load(text)["events"]["Order Completed"]["properties"]["total"]
    assert total == {"type": ["null", "number", "string"]}  # integer folded into number
    assert "# conflict: `total` is sent with different types: number at" in text


def test_refuses_to_overwrite(app: Path) -> None:
    assert run("plan", "init", "app.py")[0] == 0
    code, _, err = run("plan", "init", "app.py")
    assert code == 2
    assert err == (
        "Error: tracking_plan already exists (a plan folder): not overwritten; "
        "pass --force to replace it\n"
    )
    (app / "plan.yaml").write_text("version: 1\n")
    code, _, err = run("plan", "init", "app.py", "-o", "plan.yaml")
    assert code == 2 and "pass --force" in err
    assert (app / "plan.yaml").read_text() == "version: 1\n"
    code, _, _ = run("plan", "init", "app.py", "-o", "plan.yaml", "--force")
    assert code == 0
    assert "Signed Up" in yaml.safe_load((app / "plan.yaml").read_text())["events"]


def test_force_replaces_and_warns_about_other_files(app: Path) -> None:
    (app / "tracking_plan").mkdir()
    (app / "tracking_plan" / "plan.yaml").write_text("version: 1\nevents: {Old: {}}\n")
    (app / "tracking_plan" / "more.yaml").write_text("version: 1\nevents: {Other: {}}\n")
    code, _, err = run("plan", "init", "app.py", "--force")
    assert code == 0
    assert "Old" not in (app / "tracking_plan" / "plan.yaml").read_text()
    assert f"warning: {Path('tracking_plan/more.yaml')} is left as it is" in err


def test_no_calls_writes_a_valid_empty_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text("print('hello')\n")
    monkeypatch.chdir(tmp_path)
    assert run("plan", "init")[0] == 0
    assert load_plan(tmp_path / "tracking_plan").events == {}


def test_written_text_is_the_data(app: Path) -> None:
    from cio_lint.config import load_config
    from cio_lint.engine import lint_paths
    from cio_lint.plan.infer import infer_plan
    from cio_lint.plan.model import Plan

    result = lint_paths([app], load_config(app), Plan.empty(), jobs=1, use_run_cache=False)
    inferred = infer_plan(result.resolved, app)
    assert yaml.safe_load(inferred.text) == inferred.data


def test_odd_names_and_values_survive_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["yes", "null", "a: b", "# hash", "multi\nline", "'quoted'", "émoji 🎉", "1.5"]
    sites = "".join(
        f"analytics.track('u1', {name!r}, {{{name!r}: {name!r}, 'n': 1e400}})\n" for name in names
    )
    (tmp_path / "app.py").write_text(CDP + sites)
    monkeypatch.chdir(tmp_path)
    assert run("plan", "init")[0] == 0
    plan = load_plan(tmp_path / "tracking_plan")
    assert sorted(plan.events) == sorted(names)
    for name in names:
        assert plan.events[name].value_errors(name, name) == []


# ---------------------------------------------------------------- acceptance: demo and fixtures

PROJECTS = ["examples"] + sorted(
    f"tests/fixtures/{p.name}" for p in (REPO / "tests" / "fixtures").iterdir() if p.is_dir()
)


@pytest.mark.parametrize("project_dir", PROJECTS)
def test_init_then_lint_reports_no_plan_finding(
    project_dir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(
        REPO / project_dir, root, ignore=shutil.ignore_patterns("tracking_plan", "__pycache__")
    )
    monkeypatch.chdir(root)
    code, out, err = run("plan", "init", "-o", str(tmp_path / "new_plan"))
    assert code == 0, err
    assert " 0 events" not in out, "a fixture project with SDK calls"
    # plan check: valid, but for the colliding names init reported as conflicts
    collided = {
        line.split("events ", 1)[1].split(" are the same")[0]
        for line in err.splitlines()
        if line.startswith("conflict: events ")
    }
    code, out, check_err = run("plan", "check", str(tmp_path / "new_plan"))
    reported = {
        line.split("event names ", 1)[1].split(" collide")[0] for line in check_err.splitlines()
    }
    assert reported == collided
    assert code == (2 if collided else 0), check_err
    code, out, err = run(
        ".", "--plan", str(tmp_path / "new_plan"), "--format", "json", "--no-cache"
    )
    assert code in (0, 1), err
    plan_findings = [
        f"{f['path']}:{f['line']}: {f['code']} {f['message']}"
        for f in json.loads(out)
        if f["code"].startswith("CIO0") and f["code"] not in NOT_PLAN
    ]
    assert plan_findings == []


def test_x_emitted_at_is_checked_by_the_meta_schema(tmp_path: Path) -> None:
    from cio_lint.plan import PlanError

    (tmp_path / "plan.yaml").write_text(
        "version: 1\nevents:\n  A:\n    x-emitted-at: [app.py:3]\n    x-owner: growth\n"
    )
    assert list(load_plan(tmp_path / "plan.yaml").events) == ["A"]  # `x-` keys are extensions
    (tmp_path / "plan.yaml").write_text("version: 1\nevents:\n  A:\n    x-emitted-at: app.py:3\n")
    with pytest.raises(PlanError, match="x-emitted-at"):
        load_plan(tmp_path / "plan.yaml")
