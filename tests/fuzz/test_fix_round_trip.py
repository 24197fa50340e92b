"""``--fix`` round trip: the result compiles, a second ``--fix`` changes nothing, and the only
tokens that change are string literals that were event names (or the definitions of constants
and Enum members used as event names), each rewritten to the planned name it differs from in
case or separators. Line endings, BOM and coding cookie are kept.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import example, given

from fuzz import found
from fuzz.budget import examples
from fuzz.checks import check_run
from fuzz.harness import FixRun, Worker, describe_cli, fix_twice, run_cli, write_project
from fuzz.strategies import PLAN, fix_inputs


@examples(100)
@given(fix_inputs())
@example(found.FIX_BOM_LITERAL)
@example(found.FIX_BOM_CONSTANT)
@example(found.FIX_FORM_FEED)
@example(found.FIX_FORM_FEED_NO_FINAL_NEWLINE)
def test_fix_corrects_only_event_names_and_is_idempotent(
    worker: Worker, case: tuple[dict[str, bytes], dict[str, tuple[str, ...]]]
) -> None:
    files, roles = case
    check_run(worker.call(fix_twice, files, str(PLAN)), roles)


@examples(2)
@given(fix_inputs())
def test_the_command_fixes_as_the_api_does(
    worker: Worker, case: tuple[dict[str, bytes], dict[str, tuple[str, ...]]]
) -> None:
    """``cio-lint --fix`` twice, as real processes: exit 0 or 1, the same files as the API."""
    files, roles = case
    expected = worker.call(fix_twice, files, str(PLAN))
    with tempfile.TemporaryDirectory(prefix="cio-fuzz-fix-") as tmp:
        root = write_project(Path(tmp), files, str(PLAN))
        first = run_cli(root, "--no-cache", "--fix", ".")
        after_first = {path: (root / path).read_bytes() for path in files}
        second = run_cli(root, "--no-cache", "--fix", ".")
        after_second = {path: (root / path).read_bytes() for path in files}
    for run in (first, second):
        assert run.returncode in (0, 1), describe_cli(run)
    assert after_first == expected.first, describe_cli(first)
    check_run(FixRun(files, after_first, after_second, (), ()), roles)
