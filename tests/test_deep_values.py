"""A value nested deeper than the analysis walks (issue 12, found by the fuzz suite): a valid
file whose call argument is a dict literal 120 levels deep crashed the run with a
RecursionError in the passes after extraction (wrapper inference, ``syms.mentions``), which run
at Python's default recursion limit. Such a value is now an unknown expression."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
SDK = "from customerio import analytics\n"


def _cli(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cio_lint.cli import run; run()", "--no-cache", "."],
        check=False,
        cwd=root,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_deeply_nested_value_in_a_function_is_checked_without_a_crash(project) -> None:
    deep = "{'k': " * 120 + "1" + "}" * 120
    source = SDK + f"def h(user):\n    analytics.track(user.id, 'Project Deleted', {deep})\n"
    done = _cli(project({"app.py": source}))
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert "app.py:3:" in done.stdout and "CIO001" in done.stdout, done.stdout


def test_a_shallow_nested_value_is_still_read(project) -> None:
    """The bound is on the value's depth: a dict a few levels deep keeps its keys."""
    source = SDK + "analytics.track('u1', 'Signed Up', {'plan': {'a': {'b': 1}}})\n"
    done = _cli(project({"app.py": source}))
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "CIO900" not in done.stdout, done.stdout
