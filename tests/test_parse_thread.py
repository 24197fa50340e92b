"""The parse thread (``analysis.syntax.deep``): reused from file to file, retired after deep
input so that its stack is given back, and safe in a forked child."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from cio_lint.analysis import syntax
from cio_lint.analysis.extract import extract_file

ORDINARY = b'import analytics\nanalytics.track("u1", "Signed Up", {"plan": "pro"})\n'


def _thread() -> threading.Thread:
    return syntax.deep(threading.current_thread)  # compared with ``is``: idents are reused


def test_the_thread_is_reused_for_ordinary_files() -> None:
    first = _thread()
    extract_file("a.py", "a", False, ORDINARY)
    extract_file("b.py", "b", False, ORDINARY)
    assert _thread() is first
    assert first is not threading.current_thread()


def test_deep_input_retires_the_thread() -> None:
    before = _thread()
    depth = syntax.RETIRE_DEPTH + 50
    nested = b"x = " + b"-" * depth + b"1\n"  # unary minus: deep for libcst, flat for bytes
    facts = extract_file("deep.py", "deep", False, nested)
    assert facts.error is None
    after = _thread()
    assert after is not before
    assert _thread() is after  # and the new one is reused again


def test_a_syntax_error_too_deep_for_python_retires_it() -> None:
    before = _thread()
    facts = extract_file("deeper.py", "deeper", False, b"x = " + b"-" * 8000 + b"1\n")
    assert facts.error is not None and "nested" in facts.error[2]
    assert _thread() is not before


def test_an_exception_reaches_the_caller_and_the_thread_goes_on() -> None:
    before = _thread()

    def boom() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        syntax.deep(boom)
    assert _thread() is before


def _child_thread(_: object) -> tuple[bool, bool]:
    facts = extract_file("c.py", "c", False, ORDINARY)
    return _thread().is_alive(), facts.error is None


def test_a_forked_child_starts_its_own_thread() -> None:
    _thread()  # the parent has one
    with multiprocessing.get_context("fork").Pool(1) as pool:
        alive, ok = pool.map(_child_thread, [None])[0]
    assert ok and alive
