"""A cache folder is not trusted (docs/security.md): a forged entry with a valid digest can
never make cio-lint write a file, and cached findings that do not fit this run are not used.

Each test forges the entries a real run wrote, the way anyone who can write the folder could:
decode the data-only payload, change it, write it back with its SHA-256 in the header.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from cio_lint.cache import dumps, loads
from cio_lint.rules.examples import EXAMPLE_PLAN

APP = (
    "from segment import analytics\n"
    "analytics.identify('u1', {'email': 'a@b.co'})\n"
    "analytics.track('u1', 'signed up', {'plan': 'pro'})\n"  # CIO002, fixable
)
FIXED = APP.replace("'signed up'", "'Signed Up'")
VICTIM = 'SECRET = "untouched"\n'


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, *args)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project whose cache a first run filled, and a file beside it that is not part of it."""
    root = tmp_path / "proj"
    (root / "tracking_plan").mkdir(parents=True)
    (root / "tracking_plan" / "plan.yaml").write_text(EXAMPLE_PLAN)
    (root / "app.py").write_text(APP)
    (tmp_path / "victim.py").write_text(VICTIM)
    assert cli(root, "app.py").returncode == 1
    return root


def rewrite(root: Path, kinds: tuple[str, ...], change: Callable[[Any], None]) -> None:
    """Apply ``change`` to the value of every entry of ``kinds`` and write it back with a
    digest that matches."""
    forged = 0
    for kind in kinds:
        for entry in (root / ".cio-lint-cache" / kind).rglob("*"):
            if not entry.is_file():
                continue
            header, payload = entry.read_bytes().split(b"\n", 1)
            value = loads(payload)
            change(value)
            payload = dumps(value)
            parts = header.split()
            parts[4] = hashlib.sha256(payload).hexdigest().encode()
            entry.write_bytes(b" ".join(parts) + b"\n" + payload)
            forged += 1
    assert forged == len(kinds)


def forge(root: Path, change: Callable[[list[Any]], None]) -> None:
    """Apply ``change`` to each finding row of the entries that carry findings."""

    def each_row(value: dict[str, Any]) -> None:
        for row in value["findings"]:
            change(row)

    rewrite(root, ("runs", "state"), each_row)


def add_edit(edit: list[Any]) -> Callable[[list[Any]], None]:
    def change(row: list[Any]) -> None:
        if row[9] is not None:
            row[9][2].append(edit)

    return change


def test_a_forged_fix_cannot_write_outside_the_run(root: Path) -> None:
    forge(root, add_edit(["../victim.py", 1, 1, 1, 21, 'SECRET = "pwned"']))
    done = cli(root, "--fix", "app.py")
    assert (root.parent / "victim.py").read_text() == VICTIM
    assert (root / "app.py").read_text() == FIXED  # the real fix, from this run's own analysis
    assert done.returncode == 0, done.stderr
    assert "1 fixed, 0 remaining" in done.stdout


def test_a_forged_fix_cannot_inject_code_into_a_checked_file(root: Path) -> None:
    def inject(row: list[Any]) -> None:
        if row[9] is not None:
            row[9][2] = [["app.py", 1, 1, 1, 30, "import os; os.system('echo pwned')"]]

    forge(root, inject)
    done = cli(root, "--fix", "app.py")
    assert (root / "app.py").read_text() == FIXED
    assert done.returncode == 0, done.stderr


def test_a_forged_diff_or_baseline_comes_from_this_run(root: Path) -> None:
    forge(root, add_edit(["app.py", 1, 1, 1, 30, "import os"]))
    done = cli(root, "--diff", "app.py")
    assert "import os" not in done.stdout and "+analytics.track('u1', 'Signed Up'" in done.stdout
    forge(root, lambda row: row.__setitem__(10, "forged snippet"))
    assert cli(root, "--write-baseline", "base.json", "app.py").returncode == 0
    assert "forged snippet" not in (root / "base.json").read_text()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda row: row.__setitem__(4, "/etc/passwd"), id="absolute finding path"),
        pytest.param(lambda row: row.__setitem__(4, "../victim.py"), id="finding path with .."),
        pytest.param(add_edit(["../victim.py", 1, 1, 1, 21, "x"]), id="edit outside the run"),
        pytest.param(add_edit(["app.py", 40, 1, 40, 5, "x"]), id="edit past the end"),
        pytest.param(add_edit(["app.py", 3, 20, 3, 30, "x"]), id="overlapping edits"),
        pytest.param(add_edit(["app.py", 3, 9, 2, 1, "x"]), id="edit ending before it starts"),
    ],
)
def test_cached_findings_that_do_not_fit_this_run_are_not_reported(
    root: Path, change: Callable[[list[Any]], None]
) -> None:
    fresh = cli(root, "--no-cache", "--format", "json", "app.py")
    forge(root, change)
    done = cli(root, "--format", "json", "app.py")
    assert done.returncode == 1
    assert json.loads(done.stdout) == json.loads(fresh.stdout)


def test_a_cached_run_that_fits_is_still_used(root: Path) -> None:
    """The checks cost no hit: a real entry, and a forged one that fits, are both used."""
    forge(root, lambda row: row.__setitem__(3, "message from the cache"))
    done = cli(root, "--format", "json", "app.py")
    assert [f["message"] for f in json.loads(done.stdout)] == ["message from the cache"]


def test_a_forged_trim_context_is_a_miss_not_a_crash(root: Path) -> None:
    """The early cutoff parses a changed file again with the context its state entry records."""

    def context(value: dict[str, Any]) -> None:
        for path, (key, _) in value["files"].items():
            value["files"][path] = (key, (1, 2))

    rewrite(root, ("state",), context)
    with (root / "app.py").open("a") as handle:
        handle.write("# a comment: the early cutoff applies\n")
    done = cli(root, "app.py")
    assert done.returncode == 1, done.stderr
    assert "CIO002" in done.stdout
