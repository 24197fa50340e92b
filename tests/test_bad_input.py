"""Bad input to the command (issue 12): the real CLI in a subprocess on a project in ``tmp_path``.

Missing paths and paths that are not files or folders are usage errors (exit 2); a file or
folder that cannot be read is a finding (CIO903); a FIFO, socket or device met in a walked tree
is skipped without being opened; ``-o`` into a place that cannot be written, a rule selector
that matches no rule and a bad ``sdk-versions`` entry are exit 2 with one line naming them.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from cio_lint.rules.examples import EXAMPLE_PLAN

GOOD = (
    "from customerio import analytics\n"
    "analytics.identify('u1', {'email': 'a@b.co'})\n"
    "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
)
BAD = GOOD.replace("'Signed Up'", "'signed up'")  # CIO002


def cli(
    cwd: Path, *args: str, timeout: float = 30, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """``cio-lint ARGS`` as the console script runs it (``cli.run``), without the cache."""
    return run_cli(cwd, "--no-cache", *args, timeout=timeout, **kwargs)


@pytest.fixture
def make(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    def write(files: dict[str, str]) -> Path:
        (tmp_path / "tracking_plan").mkdir(exist_ok=True)
        (tmp_path / "tracking_plan" / "plan.yaml").write_text(EXAMPLE_PLAN)
        for rel, source in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        return tmp_path

    return write


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == "", "nothing may be printed as a result"
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


# ----------------------------------------------------------------------------- 1. missing paths


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["srcc"], "srcc"),
        (["app.py", "typo.py"], "typo.py"),
        (["typo.py", "app.py"], "typo.py"),
        (["pkg/gone.py"], "pkg/gone.py"),
        (["."], None),
        (["srcc", "--show-settings"], "srcc"),
        (["srcc", "--explain-wrappers"], "srcc"),
        (["--format", "json", "srcc"], "srcc"),
    ],
)
def test_a_missing_path_is_a_usage_error(
    make: Callable[[dict[str, str]], Path], args: list[str], named: str | None
) -> None:
    root = make({"app.py": GOOD, "pkg/__init__.py": ""})
    done = cli(root, *args)
    if named is None:  # the control: the same project with paths that exist passes
        assert done.returncode == 0, done.stderr
        return
    line = _one_error_line(done)
    assert line == f"Error: {named}: no such file or directory"


def test_a_missing_path_outside_the_project_is_a_usage_error(
    make: Callable[[dict[str, str]], Path], tmp_path: Path
) -> None:
    root = make({"app.py": GOOD})
    missing = tmp_path.parent / "no-such-folder-here" / "x.py"
    line = _one_error_line(cli(root, str(missing)))
    assert line == f"Error: {missing}: no such file or directory"


# ------------------------------------------------------------------------- 2. FIFOs, symlinks


def test_a_fifo_in_a_walked_tree_is_skipped_without_hanging(
    make: Callable[[dict[str, str]], Path],
) -> None:
    root = make({"app.py": BAD, "pkg/__init__.py": ""})
    os.mkfifo(root / "pkg" / "x.py")
    done = cli(root, ".", timeout=20)  # before the fix: blocked forever opening the FIFO
    assert done.returncode == 1, done.stderr
    assert "app.py:3:23: CIO002" in done.stdout
    assert "x.py" not in done.stdout + done.stderr
    assert "in 2 files" in done.stdout  # app.py and pkg/__init__.py


def test_a_socket_in_a_walked_tree_is_skipped(make: Callable[[dict[str, str]], Path]) -> None:
    root = make({"app.py": GOOD})
    os.chdir(root)  # a socket's path is limited to ~100 bytes: bind it by a relative name
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind("sock.py")
        done = cli(root, ".", timeout=20)
    finally:
        sock.close()
    assert done.returncode == 0, done.stderr
    assert "in 1 file" in done.stdout


@pytest.mark.parametrize(
    ("make_it", "what"),
    [
        (lambda p: os.mkfifo(p), "a FIFO"),
        (lambda p: os.symlink("/dev/null", p), "a character device"),
    ],
)
def test_a_fifo_or_device_named_explicitly_is_a_usage_error(
    make: Callable[[dict[str, str]], Path], make_it: Callable[[Path], None], what: str
) -> None:
    root = make({"app.py": GOOD})
    make_it(root / "x.py")
    line = _one_error_line(cli(root, "app.py", "x.py", timeout=20))
    assert line == f"Error: x.py: not a file or folder ({what}): nothing to check"


def test_symlinks_in_a_walked_tree(make: Callable[[dict[str, str]], Path]) -> None:
    """A link to a file is checked under the link's path; a link to a folder is not walked (so
    a loop cannot recur); a broken link or a link loop is a file that cannot be read (CIO903)."""
    root = make({"real/app.py": BAD, "real/__init__.py": ""})
    (root / "real" / "alias.py").symlink_to("app.py")
    (root / "real" / "back").symlink_to("..")  # a folder loop
    (root / "real" / "gone.py").symlink_to("nowhere.py")
    (root / "real" / "loop.py").symlink_to("loop.py")
    done = cli(root, "--format", "json", ".", timeout=20)
    assert done.returncode == 1, done.stderr
    found = sorted((d["path"], d["line"], d["code"]) for d in json.loads(done.stdout))
    assert found == [
        ("real/alias.py", 3, "CIO002"),
        ("real/app.py", 3, "CIO002"),
        ("real/gone.py", 1, "CIO903"),
        ("real/loop.py", 1, "CIO903"),
    ]
    messages = {d["path"]: d["message"] for d in json.loads(done.stdout) if d["code"] == "CIO903"}
    assert messages["real/gone.py"] == (
        "Cannot read this file (broken symbolic link: No such file or directory): not checked"
    )
    assert "Too many levels of symbolic links" in messages["real/loop.py"]


@pytest.mark.parametrize(
    ("target", "reason"),
    [("nowhere.py", "no such file or directory"), ("x.py", "too many levels of symbolic links")],
)
def test_a_broken_link_named_explicitly_is_a_usage_error(
    make: Callable[[dict[str, str]], Path], target: str, reason: str
) -> None:
    root = make({"app.py": GOOD})
    (root / "x.py").symlink_to(target)
    assert _one_error_line(cli(root, "x.py")) == f"Error: x.py: {reason}"


def test_a_link_to_a_folder_named_explicitly_is_walked(
    make: Callable[[dict[str, str]], Path],
) -> None:
    root = make({"real/app.py": BAD})
    (root / "linked").symlink_to("real")
    done = cli(root, "linked", timeout=20)
    assert done.returncode == 1, done.stderr
    assert "CIO002" in done.stdout


# ------------------------------------------------------------------------ 3. unreadable (CIO903)


def _drop_file_privileges() -> None:
    """In the child, before exec: without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH in the
    bounding set, root is held to permission bits like anyone (the interpreter, under
    /root, stays readable: root owns it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def unprivileged() -> dict[str, Any]:
    """``subprocess.run`` arguments under which permission bits are enforced."""
    return {"preexec_fn": _drop_file_privileges} if os.geteuid() == 0 else {}


def _really_unreadable(path: Path) -> None:
    """The test means something only if the CLI's process cannot read ``path``."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import os; os.listdir({str(path)!r}) if os.path.isdir({str(path)!r}) else open({str(path)!r}).read()",
        ],
        capture_output=True,
        check=False,
        **unprivileged(),
    )
    assert probe.returncode != 0, f"{path} is readable: the test would prove nothing"


@pytest.fixture
def locked(make: Callable[[dict[str, str]], Path]) -> Any:
    root = make(
        {
            "app.py": GOOD,
            "locked.py": BAD,
            "secret/inner.py": BAD,
            "pkg/__init__.py": "",
            "pkg/deep/locked_too.py": BAD,
        }
    )
    modes = [
        (root / "locked.py", 0),
        (root / "secret", 0),
        (root / "pkg" / "deep" / "locked_too.py", 0),
    ]
    for path, mode in modes:
        path.chmod(mode)
        _really_unreadable(path)
    yield root
    for path, _ in modes:
        path.chmod(0o755)


def test_unreadable_files_and_folders_are_cio903(locked: Path) -> None:
    done = cli(locked, "--format", "json", ".", **unprivileged())
    assert done.returncode == 1, done.stderr  # an error: the gate did not see everything
    found = [
        (d["path"], d["line"], d["code"], d["severity"], d["message"])
        for d in json.loads(done.stdout)
    ]
    assert found == [
        (
            "locked.py",
            1,
            "CIO903",
            "error",
            "Cannot read this file (Permission denied): not checked",
        ),
        (
            "pkg/deep/locked_too.py",
            1,
            "CIO903",
            "error",
            "Cannot read this file (Permission denied): not checked",
        ),
        (
            "secret",
            1,
            "CIO903",
            "error",
            "Cannot read this folder (Permission denied): no file in it was checked",
        ),
    ]


def test_unreadable_text_output_and_ignore(locked: Path) -> None:
    done = cli(locked, ".", **unprivileged())
    assert done.returncode == 1
    assert (
        "locked.py:1:1: CIO903 Cannot read this file (Permission denied): not checked"
        in done.stdout
    )
    assert "All checks passed" not in done.stdout
    ignored = cli(locked, ".", "--ignore", "CIO903", **unprivileged())
    assert ignored.returncode == 0, ignored.stdout + ignored.stderr


def test_an_unreadable_file_named_explicitly_is_cio903(locked: Path) -> None:
    done = cli(locked, "locked.py", "app.py", **unprivileged())
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0] == (
        "locked.py:1:1: CIO903 Cannot read this file (Permission denied): not checked"
    )


def test_unreadable_outside_the_paths_given_is_not_reported(locked: Path) -> None:
    done = cli(locked, "app.py", **unprivileged())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CIO903" not in done.stdout


def test_unreadable_survives_the_cache(make: Callable[[dict[str, str]], Path]) -> None:
    """A file made unreadable after a cached run, then rerun unchanged (a whole-run cache hit),
    then readable again: CIO903 comes and goes with it."""
    root = make({"app.py": GOOD, "other.py": GOOD})

    def run() -> subprocess.CompletedProcess[str]:
        return run_cli(root, "--cache-dir", "c", ".", timeout=30, **unprivileged())

    assert run().returncode == 0
    (root / "other.py").chmod(0)
    _really_unreadable(root / "other.py")
    try:
        for _ in range(2):
            done = run()
            assert done.returncode == 1, done.stdout + done.stderr
            assert "other.py:1:1: CIO903" in done.stdout
    finally:
        (root / "other.py").chmod(0o644)
    done = run()
    assert done.returncode == 0 and "CIO903" not in done.stdout


def test_a_file_whose_read_fails_is_cio903(make: Callable[[dict[str, str]], Path]) -> None:
    """A regular file that opens but fails on read (EIO: ``/proc/self/mem`` at offset 0)."""
    root = make({"app.py": GOOD})
    (root / "eio.py").symlink_to("/proc/self/mem")
    done = cli(root, "--format", "json", ".")
    assert done.returncode == 1, done.stderr
    found = [(d["path"], d["code"], d["message"]) for d in json.loads(done.stdout)]
    assert found == [
        ("eio.py", "CIO903", "Cannot read this file (Input/output error): not checked")
    ]


# ------------------------------------------------------------------------------ 4. output files


@pytest.mark.parametrize(
    ("option", "target", "message"),
    [
        (
            "-o",
            "missing_dir/out.json",
            "missing_dir/out.json: cannot write the report: No such file or directory",
        ),
        ("-o", "some_dir", "some_dir: cannot write the report: Is a directory"),
        ("--output-file", "some_dir", "some_dir: cannot write the report: Is a directory"),
        (
            "--write-baseline",
            "missing_dir/b.json",
            "missing_dir/b.json: cannot write the baseline: No such file or directory",
        ),
        ("--write-baseline", "some_dir", "some_dir: cannot write the baseline: Is a directory"),
    ],
)
def test_an_output_file_that_cannot_be_written_is_exit_2(
    make: Callable[[dict[str, str]], Path], option: str, target: str, message: str
) -> None:
    root = make({"app.py": BAD})
    (root / "some_dir").mkdir()
    line = _one_error_line(cli(root, "--format", "json", ".", option, target))
    assert line == f"Error: {message}"


def test_an_output_file_is_written(make: Callable[[dict[str, str]], Path]) -> None:
    root = make({"app.py": BAD})
    done = cli(root, "--format", "json", ".", "-o", "out.json")
    assert done.returncode == 1 and done.stdout == ""
    assert [d["code"] for d in json.loads((root / "out.json").read_text())] == ["CIO002"]


# ------------------------------------------------------------------- 5. selectors that match nothing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "CIO999"], "--select: `CIO999` matches no rule"),
        (["--select", "CIO0O1"], "--select: `CIO0O1` matches no rule (did you mean `CIO001`?)"),
        (["--select", "CIO001,CIO4"], "--select: `CIO4` matches no rule"),
        (["--ignore", "CIO0O2"], "--ignore: `CIO0O2` matches no rule (did you mean `CIO002`?)"),
    ],
)
def test_a_selector_matching_no_rule_is_a_usage_error(
    make: Callable[[dict[str, str]], Path], args: list[str], message: str
) -> None:
    root = make({"app.py": BAD})
    line = _one_error_line(cli(root, ".", *args))
    assert line.startswith(f"Error: {message}"), line


@pytest.mark.parametrize(
    ("toml", "where", "message"),
    [
        (
            '[tool.cio-lint]\nselect = ["CIO0O1"]\n',
            "pyproject.toml:2",
            "select: `CIO0O1` matches no rule",
        ),
        (
            '[tool.cio-lint]\njobs = 1\nignore = [\n  "CIO007",\n  "CIO9O3",\n]\n',
            "pyproject.toml:5",
            "ignore: `CIO9O3` matches no rule (did you mean `CIO903`?)",
        ),
        (
            '[tool.cio-lint.per-file-ignores]\n"tests/*" = ["CIO0", "CIO42"]\n',
            "pyproject.toml:2",
            "per-file-ignores: `CIO42` matches no rule",
        ),
    ],
)
def test_a_selector_matching_no_rule_in_the_configuration_is_exit_2(
    make: Callable[[dict[str, str]], Path], toml: str, where: str, message: str
) -> None:
    root = make({"app.py": BAD})
    (root / "pyproject.toml").write_text(toml)
    line = _one_error_line(cli(root, "."))
    assert line.startswith(f"Error: {root / where}: [tool.cio-lint]"), line
    assert message in line


@pytest.mark.parametrize(
    "args", [["--select", "CIO0"], ["--select", "CIO"], ["--select", "ALL"], ["--select", "cio002"]]
)
def test_prefixes_that_match_rules_stay_valid(
    make: Callable[[dict[str, str]], Path], args: list[str]
) -> None:
    root = make({"app.py": BAD})
    done = cli(root, ".", *args)
    assert done.returncode == 1, done.stderr
    assert "CIO002" in done.stdout


# ------------------------------------------------------------------------------ 6. sdk-versions


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('customerio = "abc"', "`customerio = 'abc'` is not a version (e.g. \"2.4\")"),
        ("customerio = 2.4", '`customerio = 2.4` is not a version string: quote it (e.g. "2.4")'),
        (
            'segmentt = "2.1"',
            (
                "unknown SDK `segmentt` (known: customerio, customerio-cdp-analytics, "
                "segment-analytics-python, analytics-python, rudder-sdk-python, mixpanel, "
                "posthog, amplitude-analytics)"
            ),
        ),
    ],
)
def test_a_bad_sdk_versions_entry_is_exit_2(
    make: Callable[[dict[str, str]], Path], table: str, message: str
) -> None:
    root = make({"app.py": GOOD})
    (root / "pyproject.toml").write_text(f"[tool.cio-lint]\nsdk-versions = {{{table}}}\n")
    line = _one_error_line(cli(root, "."))
    assert line == f"Error: {root / 'pyproject.toml'}: [tool.cio-lint].sdk-versions: {message}"
