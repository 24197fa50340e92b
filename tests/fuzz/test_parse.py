"""No input crashes cio-lint, and CIO900 is reported exactly when CPython rejects the file.

Sources come from Python's grammar (hypothesmith), from SDK modules with mutated argument shapes
and byte envelopes (BOM, coding cookies, NUL, line endings), and from byte mutations of real
files. The oracle is ``compile(bytes, path, "exec", dont_inherit=True)``. Each property runs
the engine twice: without the prefilter (every file is parsed, so CIO900 must match CPython's
verdict in both directions) and with it (what users run: a file it skips is not parsed, so a
CIO900 must still be right, and on a file CPython accepts both runs find the same).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fuzz import found
from fuzz.budget import examples
from fuzz.checks import NAME, check_file, too_deep_to_analyse
from fuzz.harness import Worker, describe_cli, rejected, run_cli, write_project
from fuzz.strategies import PLAN, mutated_files, sdk_files

# hypothesmith compiles what it generates, in this process: its SyntaxWarnings are noise
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


@examples(50)
@given(hypothesmith.from_grammar(auto_target=False))
def test_sources_from_the_grammar(worker: Worker, source: str) -> None:
    check_file(worker, source.encode("utf-8", "surrogatepass"))


@examples(4)
@given(hypothesmith.from_node(auto_target=False))
def test_sources_from_libcst_nodes(worker: Worker, source: str) -> None:
    check_file(worker, source.encode("utf-8", "surrogatepass"))


@examples(150)
@given(st.one_of(sdk_files(), sdk_files(wild=True)))
@example(found.BOM_DEEP_CRASH)
@example(found.BOM_SEGFAULT)
@example(found.DEEP_DICT_IN_FUNCTION)
@example(found.LATIN1_COOKIE)
@example(found.LATIN1_MOJIBAKE)
@example(found.DEEP_UNARY)
@example(found.LATE_FUTURE)
@example(found.BAD_ESCAPE)
@example(found.UNKNOWN_ENCODING)
@example(found.UNKNOWN_FUTURE)
@example(found.FSTRING_TOO_DEEP)
@example(found.BOM_TOO_DEEP)
@example(found.BOM_IMPORT)
@example(found.FORM_FEED_IMPORT)
@example(found.CR_AFTER_COMMENT)
def test_sdk_modules_with_mutated_call_shapes(worker: Worker, data: bytes) -> None:
    check_file(worker, data)


@examples(120)
@given(mutated_files())
@example(found.DUPLICATE_ARGUMENT)
def test_byte_mutations_of_real_files(worker: Worker, data: bytes) -> None:
    check_file(worker, data)


@examples(4)
@given(st.one_of(sdk_files(wild=True), mutated_files()))
@example(found.BOM_DEEP_CRASH)
@example(found.BOM_SEGFAULT)
@example(found.DEEP_DICT_IN_FUNCTION)
def test_the_command_exits_0_or_1_and_reports_cio900_as_cpython_decides(data: bytes) -> None:
    """The real ``cio-lint`` process: no crash (no signal, no traceback), exit 0 or 1 as the
    findings say, a JSON report that parses, CIO900 only where CPython rejects."""
    with tempfile.TemporaryDirectory(prefix="cio-fuzz-cli-") as tmp:
        root = write_project(Path(tmp), {NAME: data}, str(PLAN))
        run = run_cli(root, "--no-cache", "--format", "json", ".")
    assert run.returncode in (0, 1), describe_cli(run)
    assert "Traceback (most recent call last)" not in run.stderr, describe_cli(run)
    try:
        findings = json.loads(run.stdout)
    except ValueError:
        raise AssertionError(f"the report is no JSON\n{describe_cli(run)}") from None
    assert {f["path"] for f in findings} <= {NAME}, describe_cli(run)
    errors = any(f["severity"] == "error" for f in findings)
    assert run.returncode == (1 if errors else 0), describe_cli(run)
    cio900 = [f["message"] for f in findings if f["code"] == "CIO900"]
    if rejected(data, NAME) is None and not (cio900 and too_deep_to_analyse(data, cio900[0])):
        assert not cio900, describe_cli(run)
    elif cio900:
        assert len(findings) == 1, describe_cli(run)
