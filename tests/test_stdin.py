"""``cio-lint - --stdin-filename PATH`` (issue 13 item 8): editors and pre-commit pipe code."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from cio_lint.cli import main
from cio_lint.discovery import OVERLAY

CLEAN = "from segment import analytics\nanalytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
BROKEN = "from segment import analytics\nanalytics.track('u1', 'signed up', {'plan': 'pro'})\n"


@pytest.fixture(autouse=True)
def _no_overlay_left():
    yield
    OVERLAY.clear()  # CliRunner runs in this process


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_stdin_is_checked_instead_of_the_file_on_disk(project) -> None:
    project({"app/__init__.py": "", "app/views.py": CLEAN})
    code, out, _ = run("-", "--stdin-filename", "app/views.py", stdin=BROKEN)
    assert code == 1
    assert out.splitlines()[0].startswith("app/views.py:2:23: CIO002")
    assert out.splitlines()[-1].startswith("Checked 1 SDK call in 1 file.")
    code, out, _ = run("--stdin-filename", "app/views.py", stdin=CLEAN)  # `-` is implied
    assert code == 0 and "All checks passed!" in out


def test_a_real_pipe_in_a_subprocess(project) -> None:
    root = project({"app/__init__.py": "", "app/views.py": CLEAN})
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cio_lint",
            "-",
            "--stdin-filename",
            "app/views.py",
            "--format",
            "json",
        ],
        cwd=root,
        input=BROKEN,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert '"path": "app/views.py"' in done.stdout and '"code": "CIO002"' in done.stdout
    assert (root / "app" / "views.py").read_text() == CLEAN  # nothing written


def test_the_project_configuration_applies_to_the_named_file(project) -> None:
    project(
        {
            "app/__init__.py": "",
            "app/views.py": CLEAN,
            "pyproject.toml": '[tool.cio-lint]\nper-file-ignores = { "app/views.py" = ["CIO002"] }\n',
        }
    )
    code, out, _ = run("-", "--stdin-filename", "app/views.py", stdin=BROKEN)
    assert code == 0 and "CIO002" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-",), "reading stdin (`-`) needs `--stdin-filename PATH`"),
        (("-", "app", "--stdin-filename", "app/views.py"), "cannot be combined with other paths"),
        (("-", "--stdin-filename", "app/views.py", "--fix"), "not with stdin"),
        (("-", "--stdin-filename", "app/nope.py"), "app/nope.py: no such file or directory"),
        (("-", "--stdin-filename", "app"), "--stdin-filename app: not a file"),
    ],
)
def test_usage_errors(project, args, message) -> None:
    project({"app/__init__.py": "", "app/views.py": CLEAN})
    code, out, err = run(*args, stdin=BROKEN)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
