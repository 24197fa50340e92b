"""Suppression comments (issue 13 item 8): CIO904 unused-suppression and ``--add-noqa``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cio_lint.cli import main
from cio_lint.suppressions import comment_lines, parse_suppressions
from tests.conftest import codes

SETUP = "from segment import analytics\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--no-cache", *args])
    return result.exit_code, result.stdout, result.stderr


def test_codes_of_several_comments_on_one_line_add_up() -> None:
    assert parse_suppressions(["x  # noqa: E501  # cio-lint: ignore[cio004, CIO005]"]) == {
        1: frozenset({"E501", "CIO004", "CIO005"})
    }
    assert parse_suppressions(["x  # noqa: E501  # cio-lint: ignore"]) == {1: None}
    assert parse_suppressions(["x = '#'", "y  # noqa"]) == {2: None}


def test_a_second_comment_on_the_line_suppresses_too(lint) -> None:
    result = lint(
        {
            "app.py": SETUP
            + "analytics.track('u1', 'Nope', {})  # noqa: E501  # cio-lint: ignore[CIO001]\n"
        }
    )
    assert "CIO001" not in [c for _, _, c in codes(result)]


def test_unused_codes_are_reported_and_used_ones_are_not(lint) -> None:
    result = lint(
        {
            "app.py": SETUP
            + "analytics.identify('u1', {'email': 'a@b.c'})\n"
            + "analytics.track('u1', 'Nope', {})  # cio-lint: ignore[CIO001,CIO004]\n"
            + "analytics.track('u1', 'Trial Started', {})  # noqa: CIO001, E501\n"
            + "analytics.track('u1', 'Trial Started', {})  # cio-lint: ignore\n"
            + "x = 1  # cio-lint: ignore[CIO04]\n"
        }
    )
    unused = {f.line: f.message for f in result.findings if f.code == "CIO904"}
    assert unused == {
        3: "Unused suppression code `CIO004`: no such finding on this line",
        4: "Unused suppression code `CIO001`: no such finding on this line",
        5: "Unused blanket suppression: no finding on this line",
        6: "Unused suppression code `CIO04`: no such finding on this line (CIO04: no such rule)",
    }


def test_codes_the_run_did_not_check_are_not_reported(lint) -> None:
    source = SETUP + "analytics.track('u1', 'Trial Started', {})  # cio-lint: ignore[CIO004]\n"
    assert [
        f for f in lint({"app.py": source}, ignore=("CIO004",)).findings if f.code == "CIO904"
    ] == []
    flagged = lint({"app.py": source}).findings
    assert [f.code for f in flagged if f.code == "CIO904"] == ["CIO904"]


def test_project_wide_codes_only_on_a_run_over_the_whole_project(project) -> None:
    project(
        {
            "a.py": SETUP
            + "def f(u):\n    analytics.identify(u, {'email': 'a@b.c'})\n"
            + "    analytics.track(u, 'Trial Started', {})  # cio-lint: ignore[CIO003]\n",
            "b.py": SETUP + "analytics.identify('u2', {'email': 'a@b.c'})\n",
        }
    )
    _, whole, _ = run(".")
    _, part, _ = run("a.py")
    assert "a.py:4:46: CIO904" in whole
    assert "CIO904" not in part


def test_fix_removes_the_unused_codes_or_the_comment(project) -> None:
    root = project(
        {
            "app.py": SETUP
            + "analytics.identify('u1', {'email': 'a@b.c'})  # cio-lint: ignore[CIO008]\n"
            + "analytics.track('u1', 'Nope', {})  # noqa: CIO004, CIO001, CIO005 - legacy\n"
            + "analytics.track('u1', 'Trial Started', {})  # cio-lint: ignore  # type: ignore\n"
            + "analytics.track('u1', 'Trial Started', {})  # cio-lint: ignore[CIO004] - old note\n"
        }
    )
    code, out, _ = run("--fix", ".")
    assert (root / "app.py").read_text() == (
        SETUP
        + "analytics.identify('u1', {'email': 'a@b.c'})\n"
        + "analytics.track('u1', 'Nope', {})  # noqa: CIO001 - legacy\n"
        + "analytics.track('u1', 'Trial Started', {})  # type: ignore\n"
        + "analytics.track('u1', 'Trial Started', {})  # - old note\n"
    )
    assert code == 0 and "CIO904" not in out


def test_add_noqa_suppresses_every_finding_and_a_rerun_is_clean(project) -> None:
    root = project(
        {
            "app.py": SETUP
            + "analytics.track('u1', 'Nope', {'x': 1})\n"
            + "analytics.track('u1', 'signed up', {})  # keep this note\n"
            + "analytics.identify('u1', {'email': 'a@b.c', 'zz': 1})  # cio-lint: ignore[CIO009]\n"
            + "analytics.track('u1', '''Tri\nal''', {})\n"
        }
    )
    code, out, err = run("--add-noqa", ".")
    assert code == 0
    text = (root / "app.py").read_text()
    assert "analytics.track('u1', 'Nope', {'x': 1})  # cio-lint: ignore[CIO001,CIO003]\n" in text
    assert "{})  # keep this note  # cio-lint: ignore[CIO002,CIO003,CIO005]\n" in text
    assert "# cio-lint: ignore[CIO009,CIO008]\n" in text  # merged into the comment there
    assert "'''Tri\nal''', {})\n" in text  # inside a string: left alone, and said
    assert "app.py:5: no suppression comment added" in err
    assert out.startswith("Added 3 suppression comments.")
    code, out, _ = run(".")
    flagged = [line for line in out.splitlines() if ": CIO" in line]
    # the stale CIO009 beside the added CIO008 (CIO904), and the string's line
    assert [line.split()[:2] for line in flagged] == [
        ["app.py:4:56:", "CIO904"],
        ["app.py:5:23:", "CIO001"],
    ]


@pytest.mark.parametrize(
    ("source", "blocked"),
    [
        ("x = '''a\nb\nc'''\n", {1, 2}),
        ("x = 1 + \\\n    2\n", {1}),
        ("x = (1,\n     2)\n", set()),
    ],
)
def test_lines_that_can_take_a_comment(source: str, blocked: set[int]) -> None:
    lines = comment_lines(source)
    assert lines is not None
    assert set(range(1, source.count("\n") + 2)) - lines == blocked
