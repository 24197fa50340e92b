"""Source files are read exactly as CPython reads them (issue 12): a UTF-8 BOM, PEP 263 coding
cookies, and CIO900 for exactly what ``compile()`` rejects. Through the real CLI on real files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

from cio_lint.reporters import ReportContext, report_text
from cio_lint.rules import RULES
from cio_lint.rules.examples import EXAMPLE_PLAN
from cio_lint.source import BOM, SourceError, decode, encode, utf8_view

SRC = str(Path(__file__).resolve().parents[1] / "src")
SDK = b"from customerio import analytics\n"
CASE = b"analytics.track('u1', 'signed_up', {'plan': 'pro'})\n"  # CIO002 at column 23


def _project(root: Path, files: dict[str, bytes]) -> Path:
    (root / "tracking_plan").mkdir(exist_ok=True)
    (root / "tracking_plan" / "plan.yaml").write_text(EXAMPLE_PLAN)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH")) if p)
    return run_cli(root, *args, env=env, timeout=120)


def _findings(root: Path, *args: str) -> list[tuple[str, int, int, str, str]]:
    done = _cli(root, ".", "--format", "json", "--no-cache", *args)
    assert done.returncode in (0, 1), done.stderr
    return sorted(
        (f["path"], f["line"], f["column"], f["code"], f["message"])
        for f in json.loads(done.stdout)
        if f["code"] != "CIO003"
    )


def test_a_file_with_a_bom_is_checked_with_the_columns_of_its_text(tmp_path: Path) -> None:
    root = _project(tmp_path, {"bom.py": BOM + SDK + CASE})
    [(path, line, column, code, _)] = _findings(root)
    assert (path, line, column, code) == ("bom.py", 2, 23, "CIO002")


def test_fix_writes_a_bom_file_back_with_its_bom(tmp_path: Path) -> None:
    root = _project(tmp_path, {"bom.py": BOM + SDK + CASE})
    done = _cli(root, ".", "--fix", "--no-cache", "--select", "CIO002")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "bom.py").read_bytes() == BOM + SDK + CASE.replace(b"signed_up", b"Signed Up")


LATIN = (
    b"# -*- coding: latin-1 -*-\n"
    + SDK
    + b"caf\xe9 = 'cr\xe8me'; analytics.track('u1', 'signed_up', {'plan': 'pro'})\n"
)


def test_a_coding_cookie_is_the_files_encoding(tmp_path: Path) -> None:
    """Not valid UTF-8, valid Latin-1 as declared: checked, columns in characters."""
    root = _project(tmp_path, {"latin.py": LATIN})
    [(path, line, column, code, _)] = _findings(root)
    assert (path, line, column, code) == ("latin.py", 3, 39, "CIO002")


def test_fix_writes_a_file_back_in_its_declared_encoding(tmp_path: Path) -> None:
    root = _project(tmp_path, {"latin.py": LATIN})
    done = _cli(root, ".", "--fix", "--no-cache", "--select", "CIO002")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "latin.py").read_bytes() == LATIN.replace(b"signed_up", b"Signed Up")


def test_the_source_excerpt_of_a_finding_is_decoded_like_the_file(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(LATIN)
    from cio_lint.model import Finding

    finding = Finding("CIO002", "event-name-case", "error", "m", "latin.py", 3, 39, 3, 50, None, "")
    ctx = ReportContext(root=tmp_path, cwd=tmp_path, show_source=True, rules=RULES)
    lines = report_text([finding], ctx).splitlines()
    assert lines[2] == "3 | café = 'crème'; analytics.track('u1', 'signed_up', {'plan': 'pro'})"
    assert lines[3] == "  | " + " " * 38 + "^" * 11 + " CIO002"


def test_an_unknown_encoding_is_a_cio900(tmp_path: Path) -> None:
    root = _project(tmp_path, {"klingon.py": b"# coding: klingon\n" + SDK + CASE})
    assert _findings(root) == [("klingon.py", 1, 1, "CIO900", "unknown encoding: klingon")]


def test_the_prefilter_reads_the_words_of_the_decoded_text(tmp_path: Path) -> None:
    """The SDK import is only visible once decoded (UTF-7 and ``unicode_escape`` spell it
    with other bytes): the prefilter, which is exact, must select the file all the same."""
    files = {
        "utf7.py": b"# coding: utf-7\nfrom customeri+AG8- import analytics\n" + CASE,
        "escape.py": b"# coding: unicode_escape\nfrom customer\\x69o import analytics\n" + CASE,
    }
    root = _project(tmp_path, files)
    expected = [
        ("escape.py", 3, 23, "CIO002"),
        ("utf7.py", 3, 23, "CIO002"),
    ]
    assert [f[:4] for f in _findings(root)] == expected
    assert [f[:4] for f in _findings(root, "--no-prefilter")] == expected


# Each input with whether CPython reads it as text: (head, then the SDK call, then tail).
PARITY = {
    "plain": (b"", b""),
    "crlf": (b"x = 1\r\n", b"y = 2\r\n"),
    "cr_only": (b"x = 1\r", b""),
    "form_feed": (b"\x0cx = 1\n", b""),
    "bom": (BOM, b""),
    "bom_utf8_cookie": (BOM + b"# coding: UTF_8\n", b""),
    "bom_utf8_spelled_utf8": (BOM + b"# coding: utf8\n", b""),
    "bom_latin1_cookie": (BOM + b"# coding: latin-1\n", b""),
    "bom_in_the_middle": (b"", b"x = 1\n" + BOM + b"y = 2\n"),
    "latin1_cookie": (b"# vim: set fileencoding=latin-1 :\n", b"s = '\xe9'\n"),
    "cookie_on_line_2": (b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n", b"s = '\xe9'\n"),
    "cookie_on_line_3": (b"#!/usr/bin/env python\n\n# -*- coding: latin-1 -*-\n", b"s = '\xe9'\n"),
    "cookie_after_code": (b"x = 1  # coding: latin-1\n", b"s = '\xe9'\n"),
    "non_utf8_line_1_then_cookie": (b"# caf\xe9\n# coding: latin-1\n", b""),
    "cookie_after_continuation": (b"x = \\\n1\n# coding: latin-1\n", b"s = '\xe9'\n"),
    "unknown_encoding": (b"# coding: klingon\n", b""),
    "not_a_text_encoding": (b"# coding: rot13\n", b""),
    "utf16_text": (b"", "x = 1\n".encode("utf-16-le")),
    "utf7": (b"# coding: utf-7\n", b"s = '+AOk-'\n"),
    "invalid_utf8": (b"", b"s = '\xe9'\n"),
    "nul_in_comment": (b"", b"x = 1  # a\x00b\n"),
    "nul_in_string": (b"", b"x = '\x00'\n"),
    "control_character": (b"", b"x = 1\x1a\n"),
    "return_outside_function": (b"", b"return 1\n"),
    "break_outside_loop": (b"", b"break\n"),
    "await_outside_function": (b"", b"await x\n"),
    "yield_outside_function": (b"", b"yield 1\n"),
    "nonlocal_at_module_level": (b"", b"nonlocal x\n"),
    "duplicate_argument": (b"", b"def f(a, a):\n    pass\n"),
    "global_after_assignment": (b"", b"def f():\n    x = 1\n    global x\n"),
    "starred_assignment": (b"", b"*a = [1]\n"),
    "assign_to_debug": (b"", b"__debug__ = 1\n"),
    "future_braces": (b"from __future__ import braces\n", b""),
    "future_unknown": (b"from __future__ import nonexistent\n", b""),
    "future_not_first": (b"", b"from __future__ import annotations\n"),
    "print_statement": (b"", b"print 'x'\n"),
    "deep_brackets": (b"", b"x = " + b"[" * 3000 + b"]" * 3000 + b"\n"),
    "chain_too_long_for_python": (b"", b"x = " + b" + ".join([b"1"] * 3000) + b"\n"),
    "newer_syntax": (b"", b"type Alias = int\n"),
    "tabs_and_spaces": (b"", b"if x:\n\tpass\n        pass\n"),
}


def _compiles(data: bytes) -> bool:
    try:
        compile(data, "f.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def test_cio900_is_exactly_what_cpython_rejects(tmp_path: Path) -> None:
    files = {f"{name}.py": head + SDK + CASE + tail for name, (head, tail) in PARITY.items()}
    root = _project(tmp_path, files)
    found = _findings(root, "-j", "1")
    rejected = {path for path, _, _, code, _ in found if code == "CIO900"}
    assert rejected == {name for name, data in files.items() if not _compiles(data)}
    assert "plain.py" not in rejected and "nul_in_comment.py" in rejected  # both kinds exist
    checked = {path for path, _, _, code, _ in found if code == "CIO002"}
    assert checked == set(files) - rejected  # every file CPython reads is checked


def test_a_nul_byte_is_reported_on_its_line(tmp_path: Path) -> None:
    root = _project(tmp_path, {"nul.py": SDK + CASE + b"x = 1  # a\x00b\n"})
    assert _findings(root) == [
        ("nul.py", 3, 1, "CIO900", "Syntax error: source code string cannot contain null bytes")
    ]


@pytest.mark.parametrize(
    ("data", "text", "encoding", "bom"),
    [
        (b"x = 1\n", "x = 1\n", "utf-8", False),
        (BOM + b"x = 1\n", "x = 1\n", "utf-8", True),
        (b"# coding: latin-1\nx = '\xe9'\n", "# coding: latin-1\nx = 'é'\n", "iso8859-1", False),
        (
            b"#!python\n# coding=cp1252\nx = '\x80'\n",
            "#!python\n# coding=cp1252\nx = '€'\n",
            "cp1252",
            False,
        ),
    ],
)
def test_decode_and_encode_round_trip(data: bytes, text: str, encoding: str, bom: bool) -> None:
    decoded = decode(data)
    assert (decoded.text, decoded.encoding, decoded.bom) == (text, encoding, bom)
    assert encode(decoded.text, decoded) == data


def test_decode_errors_name_their_line() -> None:
    with pytest.raises(SourceError) as error:
        decode(b"x = 1\ny = '\xe9'\n")
    assert error.value.line == 2 and "not valid UTF-8" in error.value.message
    with pytest.raises(SourceError) as error:
        decode(b"#!python\n# coding: klingon\n")
    assert (error.value.line, error.value.message) == (2, "unknown encoding: klingon")


def test_the_utf8_view_is_the_bytes_themselves_for_plain_files() -> None:
    data = b"from customerio import analytics\n"
    assert utf8_view(data) is data
    assert utf8_view(BOM + data) == data
    assert utf8_view(b"# coding: utf-7\nimport +AGE-nalytics\n") == (
        b"# coding: utf-7\nimport analytics\n"
    )
    assert utf8_view(b"x = 1\rimport analytics\r\n") == b"x = 1\nimport analytics\r\n"
