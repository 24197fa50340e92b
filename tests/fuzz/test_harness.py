"""The fuzz suite's own machinery: a crash or a hang of the analysis fails the example (and
the next one gets a new child), and the oracles refuse what they must."""

from __future__ import annotations

import os
import signal
import time

import pytest

from fuzz.checks import NAME, check_changes, check_verdict
from fuzz.harness import (
    AnalysisCrashed,
    AnalysisHung,
    AnalysisRaised,
    Found,
    Outcome,
    Worker,
    rejected,
)


def _segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _sleep() -> None:
    time.sleep(30)


def _raise() -> None:
    raise KeyError("boom")


def _pid() -> int:
    return os.getpid()


def test_a_segfault_hang_or_exception_fails_the_example_and_the_worker_recovers() -> None:
    worker = Worker(timeout=2)
    try:
        first = worker.call(_pid)
        with pytest.raises(AnalysisCrashed, match=r"signal 11 \(SIGSEGV\)"):
            worker.call(_segfault)
        with pytest.raises(AnalysisHung, match="no answer in 2 s"):
            worker.call(_sleep)
        with pytest.raises(AnalysisRaised, match="KeyError: 'boom'"):
            worker.call(_raise)
        assert worker.call(_pid) not in (first, os.getpid())  # a new child, not this process
    finally:
        worker.close()


def test_the_oracle_compiles_bytes_as_cpython_does() -> None:
    assert rejected(b"x = 1\n") is None
    assert rejected(b"\xef\xbb\xbfx = 1\n") is None
    assert rejected(b"# coding: latin-1\nx = '\xe9'\n") is None
    assert rejected(b"x = '\xe9'\n")  # not UTF-8 without the cookie
    assert rejected(b"x = 1\x00\n")
    assert rejected(b"return 1\n")  # the compiler's error, not the parser's
    assert rejected(b"x = " + b"(" * 300 + b")" * 300 + b"\n")


def _outcome(*codes: str, verdict: str | None, message: str = "") -> Outcome:
    found = tuple(Found(NAME, 1, 1, code, message) for code in codes)
    return Outcome(found, {NAME: verdict}, 0)


def test_the_cio900_check_refuses_a_missing_an_extra_or_a_crowded_cio900() -> None:
    check_verdict(b"x = (\n", _outcome("CIO900", verdict="SyntaxError"), both_ways=True)
    check_verdict(b"x = 1\n", _outcome("CIO001", verdict=None), both_ways=True)
    check_verdict(b"x = (\n", _outcome(verdict="SyntaxError"), both_ways=False)
    with pytest.raises(AssertionError, match="no CIO900"):
        check_verdict(b"x = (\n", _outcome(verdict="SyntaxError"), both_ways=True)
    with pytest.raises(AssertionError, match="CIO900 on a file CPython compiles"):
        check_verdict(b"x = 1\n", _outcome("CIO900", verdict=None), both_ways=False)
    with pytest.raises(AssertionError, match="one finding"):
        check_verdict(b"x = (\n", _outcome("CIO900", "CIO001", verdict="E"), both_ways=True)


def test_a_valid_file_may_be_too_deep_to_analyse_only_as_deep_as_it_is() -> None:
    """docs/rules.md: valid nesting over 1,000 levels (as libcst sees it) is a CIO900; the
    count must be over 1,000 and no more than the file's tokens."""
    deep = b"x = " + b"-" * 1000 + b"1\n"
    said = "Expression too deeply nested to analyse ({} levels, over 1000)"
    check_verdict(deep, _outcome("CIO900", verdict=None, message=said.format(1003)), both_ways=True)
    for data, levels in ((deep, 999), (b"x = 1\n", 1003), (deep, 5000)):
        outcome = _outcome("CIO900", verdict=None, message=said.format(levels))
        with pytest.raises(AssertionError, match="CIO900 on a file CPython compiles"):
            check_verdict(data, outcome, both_ways=True)
    with pytest.raises(AssertionError, match="one finding"):
        outcome = _outcome("CIO900", "CIO001", verdict=None, message=said.format(1003))
        check_verdict(deep, outcome, both_ways=True)


def test_the_change_check_accepts_only_event_names_fixed_to_the_planned_name() -> None:
    check_changes("a.py", b'f("u", "signed up")\n', b'f("u", "Signed Up")\n', ("other", "event"))
    check_changes("a.py", b'X = "signed" "_up"\n', b'X = "Signed Up"\n', ("const", "const"))
    with pytest.raises(AssertionError, match="no event name"):
        check_changes(
            "a.py", b'f("signed up", "x")\n', b'f("Signed Up", "x")\n', ("other", "event")
        )
    with pytest.raises(AssertionError, match="not the planned"):
        check_changes(
            "a.py", b'f("u", "signed up")\n', b'f("u", "Signed up")\n', ("other", "event")
        )
    with pytest.raises(AssertionError, match="no event name"):
        check_changes("a.py", b"f(1)  # signed up\n", b"f(1)  # Signed Up\n", ())
