"""The command (SPEC §1): options, configuration, output formats, exit codes, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from cio_lint.cli import main

APP = (
    "from segment import analytics\n"
    "analytics.identify('u1', {'email': 'a@b.co'})\n"
    "analytics.track('u1', 'signed up', {'plan': 'pro'})\n"  # CIO002
    "analytics.track('u1', f'{x} x')\n"  # CIO007 (warning): `x` is not known
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def app(project) -> Path:
    return project({"app.py": APP})


def test_text_output_and_exit_code(app: Path) -> None:
    code, out, _ = run("app.py")
    assert code == 1
    assert out.splitlines() == [
        "app.py:3:23: CIO002 [*] Event `signed up` differs from planned `Signed Up` only in case or separators",
        "app.py:4:23: CIO007 Event name cannot be determined statically (built at run time)",
        "Checked 3 SDK calls in 1 file. Found 1 error and 1 warning (1 fixable with `--fix`).",
    ]


def test_json_output_is_exactly_the_spec(app: Path) -> None:
    code, out, _ = run("--format", "json", ".")
    data = json.loads(out)
    assert code == 1
    assert [d["code"] for d in data] == ["CIO002", "CIO007"]
    assert set(data[0]) == {
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "fix",
    }
    assert data[0]["fix"] == {
        "edits": [
            {
                "path": "app.py",
                "line": 3,
                "column": 23,
                "end_line": 3,
                "end_column": 34,
                "content": "'Signed Up'",
            }
        ],
        "applicability": "safe",
    }
    assert data[1]["fix"] is None and data[1]["severity"] == "warning"


def test_warnings_alone_exit_zero(project) -> None:
    project(
        {
            "app.py": "from segment import analytics\nanalytics.identify('u', {'email': 'a@b.co'})\nanalytics.track('u', f'{x}')\n"
        }
    )
    code, out, _ = run(".")
    assert code == 0 and "CIO007" in out


@pytest.mark.parametrize(
    ("args", "codes", "exit_code"),
    [
        (["--select", "CIO002"], ["CIO002"], 1),
        (["--select", "CIO0"], ["CIO002", "CIO007"], 1),
        (["--ignore", "CIO002"], ["CIO007"], 0),
        (["--select", "CIO1"], [], 0),
        (["--exit-zero"], ["CIO002", "CIO007"], 0),
    ],
)
def test_select_ignore_exit_zero(
    app: Path, args: list[str], codes: list[str], exit_code: int
) -> None:
    code, out, _ = run("--format", "json", *args, ".")
    assert [d["code"] for d in json.loads(out)] == codes
    assert code == exit_code


def test_config_in_pyproject_and_flags_win(app: Path) -> None:
    (app / "pyproject.toml").write_text('[tool.cio-lint]\nignore = ["CIO002"]\n')
    assert [d["code"] for d in json.loads(run("--format", "json", ".")[1])] == ["CIO007"]
    assert [
        d["code"] for d in json.loads(run("--format", "json", "--select", "CIO002", ".")[1])
    ] == []
    (app / "pyproject.toml").write_text(
        '[tool.cio-lint]\nper-file-ignores = {"app.py" = ["CIO007"]}\n'
    )
    assert [d["code"] for d in json.loads(run("--format", "json", ".")[1])] == ["CIO002"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tool.cio-lint]\nselekt = ['CIO001']\n", "unknown key `selekt`"),
        ("[tool.cio-lint]\nselect = ['E501']\n", "`E501` is not a rule code"),
        ("[tool.cio-lint.wrappers]\n'a.b' = {kind = 'track', evnt = 1}\n", "unknown key `evnt`"),
        ("[tool.cio-lint.wrappers]\n'a.b' = {kind = 'trak'}\n", "`kind` must be one of"),
        ("[tool.cio-lint\n", "invalid TOML"),
    ],
)
def test_configuration_errors_exit_2(app: Path, toml: str, message: str) -> None:
    (app / "pyproject.toml").write_text(toml)
    code, out, err = run(".")
    assert code == 2
    assert message in err and "pyproject.toml" in err
    assert out == ""


def test_no_plan_found_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(".")
    assert code == 2
    assert "no tracking plan found" in err and str(tmp_path) in err and "--plan" in err


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        ("version: 1\nevents:\n  A: {properties: {x: {type: numbr}}}\n", "plan.yaml:3"),
        ("version: 1\nevents:\n  A: [\n", "plan.yaml"),
        (
            "version: 1\nevents:\n  A: {properties: {x: {$ref: 'https://example.com/s.json'}}}\n",
            "plan.yaml:3",
        ),
        (
            "version: 1\nevents:\n  A: {properties: {x: {$ref: '../../outside.json#/x'}}}\n",
            "plan.yaml:3",
        ),
    ],
)
def test_plan_errors_exit_2_naming_the_file(project, plan: str, expected: str) -> None:
    project({"app.py": APP}, plan)
    code, out, err = run(".")
    assert code == 2
    assert "tracking_plan/plan.yaml" in err and expected in err
    assert out == ""


def test_explicit_plan_option(project, tmp_path: Path) -> None:
    project({"app.py": APP})
    other = tmp_path / "other_plan"
    other.mkdir()
    (other / "p.yaml").write_text(
        "version: 1\nidentify: {properties: {email: {type: string}}}\nevents:\n  signed up: {properties: {plan: {type: string}}}\n"
    )
    _code, out, _ = run("--plan", str(other), "--format", "json", ".")
    assert [d["code"] for d in json.loads(out)] == ["CIO007"]


def test_quiet_and_version(app: Path) -> None:
    code, out, _ = run("-q", ".")
    assert "Found" not in out and "CIO002" in out
    code, out, _ = run("--version")
    assert code == 0 and "cio-lint" in out


def test_output_file(app: Path) -> None:
    code, out, _ = run("--format", "sarif", "-o", "report.sarif", ".")
    assert code == 1 and out == ""
    assert json.loads((app / "report.sarif").read_text())["version"] == "2.1.0"


def test_a_folder_named_plan_can_be_checked(project) -> None:
    project({"plan/app.py": APP})
    code, out, _ = run("./plan")
    assert code == 1 and "plan/app.py:3:23: CIO002" in out


def test_plan_check_command(project) -> None:
    project({"app.py": APP})
    code, out, _ = run("plan", "check")
    assert code == 0 and "valid tracking plan (4 events)" in out


def test_plan_check_reports_collisions_in_a_real_typewriter_plan() -> None:
    plan = (
        REPO / "tests" / "data" / "realworld-plans" / "segment-typewriter"
    ) / "typewriter-e2e-plan.v8-publicapi.json"
    code, _, err = run("plan", "check", str(plan))
    assert code == 2
    assert "`Event Collided` and `event_collided` collide" in err


def test_fix_round_trip_on_the_demo_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    shutil.copytree(REPO / "tracking_plan", tmp_path / "tracking_plan")
    monkeypatch.chdir(tmp_path)
    before = {
        p: p.read_text() for p in (tmp_path / "examples").rglob("*.py") if "broken" not in p.name
    }
    code, out, _ = run("--format", "json", "examples")
    fixable = [d for d in json.loads(out) if d["fix"]]
    safe = [d for d in fixable if d["fix"]["applicability"] == "safe"]
    assert safe and {d["code"] for d in safe} == {"CIO002", "CIO904"}
    # the demo's journey trigger `invite_sent` against the planned `Invite Sent`: unsafe, not applied
    assert {d["code"] for d in fixable if d not in safe} == {"CIO301"}
    run("--fix", "examples")
    after = {p: p.read_text() for p in before}
    changed = [p for p in before if before[p] != after[p]]
    assert changed
    for path in changed:
        compile(after[path], str(path), "exec")  # still parses
        old, new = before[path].splitlines(), after[path].splitlines()
        assert len(old) == len(new)
        for a, b in zip(old, new):
            if a != b and "cio-lint: ignore" in a:  # the stale suppression goes (CIO904)
                assert b == a[: a.index("  # cio-lint: ignore")]
            elif a != b:  # only the event-name literal differs
                assert a.lower().replace("_", " ").replace("-", " ") == b.lower().replace(
                    "_", " "
                ).replace("-", " "), (a, b)
    code, out, _ = run("--format", "json", "examples")
    assert [d for d in json.loads(out) if d["code"] in ("CIO002", "CIO904")] == []
    assert run("--fix", "examples")[0] == code  # a second --fix changes nothing
    assert {p: p.read_text() for p in before} == after


def test_baseline_survives_a_line_shifting_edit_and_reports_stale_entries(app: Path) -> None:
    code, _, err = run("--write-baseline", "baseline.json", ".")
    assert code == 0 and "Wrote 2" in err
    passed = "Checked 3 SDK calls in 1 file. All checks passed!\n"
    assert run("--baseline", "baseline.json", ".")[:2] == (0, passed)
    # unrelated edit above the findings: every line moves down by three
    (app / "app.py").write_text("import os\n\n\n" + APP)
    code, out, _ = run("--baseline", "baseline.json", ".")
    assert (code, out) == (0, passed)
    # a new problem is reported; the fixed one becomes a stale entry
    (app / "app.py").write_text(
        APP.replace("'signed up'", "'Signed Up'") + "analytics.track('u1', 'Nope')\n"
    )
    code, out, err = run("--baseline", "baseline.json", "--baseline-stale", "--format", "json", ".")
    assert [d["code"] for d in json.loads(out)] == ["CIO001"]
    assert code == 1 and "1 stale baseline entry" in err and "CIO002" in err


def test_github_format(app: Path) -> None:
    _code, out, _ = run("--format", "github", ".")
    assert out.splitlines()[0].startswith(
        "::error file=app.py,line=3,col=23,endLine=3,endColumn=34,title=CIO002 event-name-case::Event `signed up`"
    )
    assert out.splitlines()[1].startswith("::warning file=app.py,line=4")


@pytest.mark.parametrize(
    ("args", "status", "stdout", "stderr"),
    [
        (["app.py"], 1, "CIO002", ""),
        (["app.py", "--format", "json", "--select", "CIO007"], 0, '"CIO007"', ""),
        (["app.py", "--select", "XYZ"], 2, "", "is not a rule code"),
        (["--version"], 0, "cio-lint 0.1", ""),
    ],
)
def test_the_console_script_exits_fast_with_the_same_codes_and_output(
    app: Path, args: list[str], status: int, stdout: str, stderr: str
) -> None:
    """``cio-lint`` (``cli.run``) ends with ``os._exit`` after flushing: every byte of the
    report is there, and the exit status is ``main``'s."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from cio_lint.cli import run; run()", *args],
        cwd=app,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == status
    assert stdout in done.stdout and stderr in done.stderr
    if args[-1] == "CIO007":
        assert json.loads(done.stdout)  # complete, parseable: nothing lost to the fast exit


def test_the_console_script_exits_normally_under_a_profiler(app: Path, tmp_path: Path) -> None:
    """Coverage and cProfile write their data at exit: ``run`` does not skip it for them."""
    import subprocess
    import sys

    prof = tmp_path / "cold.prof"
    script = tmp_path / "cio_lint_script.py"
    script.write_text("from cio_lint.cli import run\nrun()\n")
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(prof), str(script), "app.py"],
        cwd=app,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "CIO002" in done.stdout and "Found 1 error" in done.stdout
    assert prof.stat().st_size > 0  # cProfile wrote its data (it decides the exit status itself)
