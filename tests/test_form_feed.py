"""Form feeds (issue 12, found by the fuzz suite). CPython reads ``\\f`` as whitespace and,
at the start of a line, as a reset of the indentation; cio-lint's prefilter did not count it
as whitespace (the file's import unseen, its calls unchecked), and libcst drops it from the
leading whitespace of a statement at module level (every column of that line, and the lines
after it, were off: ``--fix`` declined to write a fix that would break the file)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cio_lint.cli import run; run()", "--no-cache", *args],
        check=False,
        cwd=root,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _write(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).write_bytes(data)


def test_an_import_after_a_form_feed_selects_the_file(project) -> None:
    root = project({})
    _write(root, {"app.py": b"\x0cfrom customerio import analytics\nanalytics.track()\n"})
    selected = _cli(root, ".")
    every = _cli(root, "--no-prefilter", ".")
    assert "app.py:2:1: CIO011" in every.stdout, every.stdout + every.stderr
    assert selected.stdout == every.stdout


def test_columns_after_a_form_feed_are_the_files_and_fix_writes_there(project) -> None:
    root = project({})
    app = b"from customerio import analytics\nfrom names import SIGNUP\n"
    app += b"def f(user):\n    analytics.track(user.id, SIGNUP)\n"
    names = b"X = 1\n\x0cSIGNUP = 'signed_up'\nY = 'x'\n \x0cZ = 'signed_up'\n"
    _write(root, {"app.py": app, "names.py": names})
    found = _cli(root, ".")
    assert "names.py:2:11: CIO002" in found.stdout, found.stdout + found.stderr
    fixed = _cli(root, "--fix", ".")
    assert "not applied" not in fixed.stdout + fixed.stderr, fixed.stdout + fixed.stderr
    assert (root / "names.py").read_bytes() == names.replace(
        b"SIGNUP = 'signed_up'", b"SIGNUP = 'Signed Up'"
    )


def test_code_quoted_in_a_message_is_read_from_pythons_lines(project) -> None:
    """``str.splitlines`` also breaks lines at a form feed (and ``\\x1c``, ``\\x85``,
    U+2028 ...): the source lines messages quote from were shifted, and a message named the
    text of another line."""
    root = project({})
    app = b"\x0cfrom customerio import analytics\ndef f(user):\n"
    app += b"    # a comment long enough to be quoted instead of the call's argument\n"
    app += b"    analytics.track(user.id, 'Project Deleted')\n"
    _write(root, {"app.py": app})
    done = _cli(root, ".")
    assert "app.py:4:5: CIO003 Event `Project Deleted` is tracked for `user.id` " in done.stdout, (
        done.stdout + done.stderr
    )


def test_a_form_feed_is_noticed_in_a_file_without_a_final_newline(project) -> None:
    """The span pass counts a final newline the file lacks: with one form feed dropped the
    lengths agreed, and the columns were off again (found by the deep fuzz run)."""
    root = project({})
    app = b"from customerio import analytics\nfrom names import SIGNUP\n"
    app += b"def f(user):\n    analytics.track(user.id, SIGNUP)\n"
    names = b"\x0cX = 1\nSIGNUP = 'signed_up'"
    _write(root, {"app.py": app, "names.py": names})
    fixed = _cli(root, "--fix", ".")
    assert "not applied" not in fixed.stdout + fixed.stderr, fixed.stdout + fixed.stderr
    assert (root / "names.py").read_bytes() == b"\x0cX = 1\nSIGNUP = 'Signed Up'"


def test_a_suppression_after_a_form_feed_is_on_its_own_line(project) -> None:
    root = project({})
    app = b"from customerio import analytics\nx = 1 \x0c+ 2\n"
    app += b"analytics.track('u1', 'Project Deleted')  # cio-lint: ignore[CIO001]\n"
    _write(root, {"app.py": app})
    done = _cli(root, ".")
    assert "CIO001" not in done.stdout, done.stdout + done.stderr
