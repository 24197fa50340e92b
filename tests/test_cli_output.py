"""How the text report looks (issue 13 item 8): ``--color`` and ``NO_COLOR``, the concise and
full text formats, and ``--show-fixes``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cio_lint.cli import main

APP = (
    "from segment import analytics\n"
    "analytics.identify('u1', {'email': 'a@b.c'})\n"
    "analytics.track('u1', 'signed up', {'plan': 'pro'})\n"
    "analytics.track('u1', 'Nope', {})\n"
)
ESC = "\033["


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--no-cache", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_color_always_paints_path_code_and_fix_mark(project) -> None:
    project({"app.py": APP})
    code, out, _ = run("--color", "always", ".")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{ESC}1mapp.py{ESC}0m:3:")
    assert f"{ESC}1m{ESC}31mCIO002{ESC}0m {ESC}36m[*]{ESC}0m" in first


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--color", "never"), {"FORCE_COLOR": "1"}),
        ((), {}),  # auto, and CliRunner's stdout is no terminal
        ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}),  # NO_COLOR wins over FORCE_COLOR
        (("--format", "json", "--color", "always"), {}),  # colours are for text only
    ],
)
def test_no_colour_unless_asked_for(project, args, env) -> None:
    project({"app.py": APP})
    _, out, _ = run(*args, ".", env=env)
    assert "CIO002" in out and ESC not in out


def test_force_color_colours_a_pipe_under_auto(project) -> None:
    project({"app.py": APP})
    _, out, _ = run(".", env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert f"{ESC}1mapp.py" in out


def test_full_shows_the_source_and_concise_never_does(project) -> None:
    project({"app.py": APP})
    _, full, _ = run("--output-format", "full", ".")
    _, concise, _ = run("--output-format", "concise", ".")
    assert "3 | analytics.track('u1', 'signed up', {'plan': 'pro'})" in full
    assert "^^^^^^^^^^^ CIO002" in full
    assert " | " not in concise
    assert [line for line in concise.splitlines() if ": CIO" in line] == [
        line for line in full.splitlines() if ": CIO" in line
    ]
    assert concise.splitlines()[-1].startswith("Checked 3 SDK calls in 1 file.")


def test_show_fixes_without_fix_lists_what_fix_would_do(project) -> None:
    root = project({"app.py": APP})
    code, out, _ = run("--show-fixes", ".")
    assert code == 1
    assert out.endswith(
        "Would fix 1 error with `--fix`:\n- app.py:\n    1 x CIO002 (event-name-case)\n"
    )
    assert "signed up" in (root / "app.py").read_text()  # nothing written


def test_show_fixes_with_fix_lists_what_was_fixed(project) -> None:
    root = project({"app.py": APP})
    code, out, _ = run("--fix", "--show-fixes", ".")
    assert code == 1  # CIO001 remains
    assert out.endswith("Fixed 1 error:\n- app.py:\n    1 x CIO002 (event-name-case)\n")
    assert "'Signed Up'" in (root / "app.py").read_text()


def test_show_fixes_goes_to_stderr_beside_a_machine_format(project) -> None:
    project({"app.py": APP})
    _, out, err = run("--show-fixes", "--format", "json", ".")
    assert out.startswith("[") and "Would fix" not in out
    assert "Would fix 1 error" in err


SHOWN = {
    "app.py": APP,
    "helpers.py": (
        "from segment import analytics\n\ndef send(u, name):\n    analytics.track(u, name, {})\n"
    ),
    "views.py": "from helpers import send\nsend('u1', 'Signed Up')\n",
    "plain.py": "def add(a, b):\n    return a + b\n",
}


def _statuses(out: str) -> dict[str, str]:
    rows = [line.split(None, 2) for line in out.splitlines()[:-1]]
    return {row[1]: row[0] for row in rows}


@pytest.mark.parametrize("cache", [(), ("--cache-dir", ".c")])
def test_show_files_says_what_was_read_and_what_the_prefilter_skipped(project, cache) -> None:
    project(SHOWN)
    result = CliRunner().invoke(main, [*cache, "--show-files", "."])
    if cache:  # a second run, from the cache: the same answer
        result = CliRunner().invoke(main, [*cache, "--show-files", "."])
    assert result.exit_code == 0
    assert _statuses(result.stdout) == {
        "app.py": "checked",
        "helpers.py": "checked",
        "views.py": "checked",  # no SDK import, but it imports a wrapper's module
        "plain.py": "skipped",
    }
    assert "plain.py  (mentions no SDK, wrapper or client-holding module)" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "4 target files: 3 checked, 1 skipped by the prefilter; 0 other files read"
    )


def test_show_files_lists_files_read_only_to_resolve_names(project) -> None:
    project(SHOWN)
    _, out, _ = run("--show-files", "views.py")
    # every file that imports an SDK is read, to find the wrappers the targets may call
    assert _statuses(out) == {"views.py": "checked", "helpers.py": "read", "app.py": "read"}


def test_show_files_without_the_prefilter_reads_everything(project) -> None:
    project(SHOWN)
    _, out, _ = run("--show-files", "--no-prefilter", ".")
    assert set(_statuses(out).values()) == {"checked"}
