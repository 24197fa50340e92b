"""What a ruff user expects of the command line (issue 13): the options of a check in
``cio-lint --help``, ``--output-format``, ``python -m cio_lint``, ``cio-lint 0.1.0`` as the
version line, and no hidden option among the "Did you mean" suggestions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cio_lint import __version__
from cio_lint.cli import main

APP = "from segment import analytics\nanalytics.track('u1', 'signed up', {'plan': 'pro'})\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_top_level_help_lists_the_options_of_a_check() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for option in ("--plan PATH", "--format, --output-format", "--select", "--fix", "--version"):
        assert option in out
    assert out.count("Options:") == 1 and out.count("-h, --help") == 1
    assert "--no-prefilter" not in out


def test_output_format_is_format(project) -> None:
    project({"app.py": APP})
    code, out, _ = run("--output-format", "json", ".")
    assert code == 1 and [d["code"] for d in json.loads(out)][-1] == "CIO002"
    assert run("--output-format", "json", ".")[1] == run("--format", "json", ".")[1]


def test_version_line_is_name_and_version() -> None:
    assert run("--version")[1] == f"cio-lint {__version__}\n"


def test_python_dash_m(project) -> None:
    root: Path = project({"app.py": APP})
    done = subprocess.run(
        [sys.executable, "-m", "cio_lint", "app.py", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "app.py:2:23: CIO002" in done.stdout
    version = subprocess.run(
        [sys.executable, "-m", "cio_lint", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout == f"cio-lint {__version__}\n"


def test_suggestions_leave_out_hidden_options(project) -> None:
    project({"app.py": APP})
    code, _, err = run("--no-pref", ".")
    assert code == 2
    assert "No such option '--no-pref'" in err and "--no-progress" in err
    assert "--no-prefilter" not in err


def test_statistics_counts_findings_per_code(project) -> None:
    project(
        {
            "app.py": APP
            + "analytics.track('u1', 'signed up', {'plan': 'pro'})\n"
            + "analytics.track('u1', 'Nope Event')\n"
        }
    )
    code, out, _ = run("--statistics", ".")
    assert code == 1
    assert out.splitlines() == [
        "2\tCIO002\t[*] event-name-case",
        "1\tCIO001\t    unknown-event",
        "1\tCIO003\t    track-before-identify",  # no identify in the file
    ]


def test_rule_explains_a_rule_by_code_or_name() -> None:
    from cio_lint.rules import RULES

    code, out, _ = run("rule", "cio002")
    assert code == 0
    assert out.startswith("# CIO002 event-name-case (error)\n")
    assert "Fixable with `--fix`: yes." in out
    assert RULES["CIO002"].INVALID[0].source.rstrip() in out
    assert run("rule", "unknown-event")[1].startswith("# CIO001 unknown-event (error)")
    code, _, err = run("rule", "CIO999")
    assert code == 2 and "no rule `CIO999`" in err


def test_list_rules_and_rule_all_list_every_rule() -> None:
    from cio_lint.rules import RULES

    code, out, _ = run("--list-rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(RULES)
    assert run("rule", "--all")[1] == out


def test_progress_bar_redraws_at_most_ten_times_a_second(capsys, monkeypatch) -> None:
    from cio_lint.commands import _show

    clock = iter(range(10**6))
    monkeypatch.setattr(_show.time, "monotonic", lambda: next(clock) * 0.0001)  # 0.1 ms a file
    bar = _show.ProgressBar()
    for done in range(1, 20001):
        bar(done, 20000)
    bar.close()
    err = capsys.readouterr().err
    draws = err.count("\rcio-lint: parsing")
    # 2 s of 20,000 files: shown after 1 s, then every 0.1 s, and the last one
    assert 10 <= draws <= 12 and err.rstrip("\r\x1b[K").endswith("20000/20000 files")
    assert len(err) < 1000


EXCLUDED = {
    "app.py": APP,
    "gen/x.py": APP,
    "pyproject.toml": '[tool.cio-lint]\nextend-exclude = ["gen"]\n',
}


def _paths(out: str) -> set[str]:
    return {line.split(":", 1)[0] for line in out.splitlines() if ": CIO" in line}


def test_named_files_are_checked_unless_force_exclude(project) -> None:
    project(EXCLUDED)
    assert _paths(run("gen/x.py", "app.py", "-q")[1]) == {"app.py", "gen/x.py"}  # as ruff does
    assert _paths(run("gen/x.py", "app.py", "-q", "--force-exclude")[1]) == {"app.py"}
    code, out, err = run("gen/x.py", "--force-exclude")
    assert code == 0 and "CIO" not in out
    assert "warning: no Python file to check" in err and "force-exclude" in err


def test_force_exclude_in_the_configuration(project) -> None:
    files = dict(EXCLUDED)
    files["pyproject.toml"] += "force-exclude = true\n"
    project(files)
    assert _paths(run("gen/x.py", "app.py", "-q")[1]) == {"app.py"}
    assert _paths(run("gen/x.py", "app.py", "-q", "--no-force-exclude")[1]) == {
        "app.py",
        "gen/x.py",
    }
    files["pyproject.toml"] = "[tool.cio-lint]\nforce-exclude = 1\n"
    project(files)
    code, _, err = run("app.py")
    assert code == 2 and "`force-exclude` must be true or false" in err


def test_exclude_options_on_the_command_line(project) -> None:
    project({"app.py": APP, "gen/x.py": APP, "lib/y.py": APP})
    assert _paths(run(".", "-q")[1]) == {"app.py", "gen/x.py", "lib/y.py"}
    assert _paths(run(".", "-q", "--extend-exclude", "gen,lib")[1]) == {"app.py"}
    assert _paths(run(".", "-q", "--extend-exclude", "gen", "--extend-exclude", "lib")[1]) == {
        "app.py"
    }
    assert _paths(run(".", "-q", "--exclude", "app.py")[1]) == {"gen/x.py", "lib/y.py"}


def test_select_repeated_and_extend_select(project) -> None:
    project({"app.py": APP + "analytics.track('u1', 'Nope')\n"})

    def codes(*args: str) -> set[str]:
        return {
            line.split()[1] for line in run(".", "-q", *args)[1].splitlines() if ": CIO" in line
        }

    assert codes("--select", "CIO001") == {"CIO001"}
    assert codes("--select", "CIO001", "--select", "CIO002") == {"CIO001", "CIO002"}
    assert codes("--select", "CIO001", "--extend-select", "CIO002") == {"CIO001", "CIO002"}
    assert "CIO003" in codes("--extend-select", "CIO002")  # no select: every rule stays on
    code, _, err = run(".", "--extend-select", "CIO0O1")
    assert code == 2 and "CIO0O1" in err


def test_pre_commit_hooks_force_exclude_and_recheck_on_plan_changes() -> None:
    import yaml
    from conftest import REPO

    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["cio-lint"]["entry"] == "cio-lint --force-exclude"
    again = hooks["cio-lint-on-plan-change"]
    assert again["entry"] == "cio-lint --force-exclude ." and again["pass_filenames"] is False
    assert again["files"] == "^tracking_plan/"


def test_plan_check_reads_the_configured_plan(project) -> None:
    root: Path = project({"app.py": APP})
    (root / "tracking_plan").rename(root / "schemas")
    (root / "pyproject.toml").write_text('[tool.cio-lint]\nplan = "schemas"\n')
    code, out, _ = run("plan", "check")
    assert code == 0 and out.startswith("schemas: valid tracking plan")
    (root / "pyproject.toml").write_text("[tool.cio-lint]\n")
    code, _, err = run("plan", "check")
    assert code == 2 and "no tracking plan found" in err
