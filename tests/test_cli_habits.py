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
