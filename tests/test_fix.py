from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cio_lint import fix as fix_module
from cio_lint.fix import apply_fixes, diff_fixes
from cio_lint.model import Edit, Finding, Fix
from cio_lint.rules.examples import EXAMPLE_PLAN

SOURCE = (
    "from segment import analytics\n"
    "\n"
    'SIGNUP = "signed_up"\n'
    "\n"
    "def on_signup(user):\n"
    '    analytics.track(user.id, SIGNUP, {"plan": "pro"})\n'
    '    analytics.track(user.id, "order completed", {"total": 3})\n'
    '    analytics.track(user.id, "order-completed"); analytics.track(user.id, "trial_extended")\n'
)


def edit(line: int, col: int, end_col: int, content: str, path: str = "app.py") -> Edit:
    return Edit(path, line, col, line, end_col, content)


def finding(*edits: Edit, line: int | None = None, applicability: str = "safe") -> Finding:
    first = edits[0]
    return Finding(
        code="CIO002",
        name="event-name-case",
        severity="error",
        message="Event differs from planned only in case",
        path=first.path,
        line=first.line if line is None else line,
        column=first.column,
        end_line=first.end_line,
        end_column=first.end_column,
        fix=Fix(tuple(edits), applicability),  # type: ignore[arg-type]
    )


@pytest.fixture
def app(tmp_path: Path) -> Path:
    target = tmp_path / "app.py"
    target.write_bytes(SOURCE.encode())
    return target


def signup_fix(line: int = 6) -> Finding:
    """A finding in a call whose fix rewrites the constant on line 3."""
    return finding(edit(3, 10, 21, '"Signed Up"'), line=line)


def multi_edit_findings() -> list[Finding]:
    return [
        signup_fix(),
        finding(edit(7, 30, 47, '"Order Completed"')),
        finding(edit(8, 30, 47, '"Order Completed"')),
        finding(edit(8, 75, 91, '"Trial Extended"')),
    ]


FIXED = (
    SOURCE.replace('"signed_up"', '"Signed Up"')
    .replace('"order completed"', '"Order Completed"')
    .replace('"order-completed"', '"Order Completed"')
    .replace('"trial_extended"', '"Trial Extended"')
)


def test_multi_edit_file(app: Path, tmp_path: Path) -> None:
    findings = multi_edit_findings()
    result = apply_fixes(findings, root=tmp_path)
    assert app.read_text() == FIXED
    assert (result.files_fixed, result.edits_applied, result.skipped) == (1, 4, ())
    assert result.paths == ("app.py",)
    assert set(result.fixed) == set(findings)


def test_edits_of_different_lengths_on_one_line(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_text('t(u, "a"); t(u, "b"); t(u, "c")\n')
    findings = [
        finding(edit(1, 6, 9, '"Alpha"')),
        finding(edit(1, 17, 20, '"B"')),
        finding(edit(1, 28, 31, "'Gamma Ray'")),
    ]
    apply_fixes(findings, root=tmp_path)
    assert target.read_text() == 't(u, "Alpha"); t(u, "B"); t(u, \'Gamma Ray\')\n'


def test_shared_edit_is_applied_once(app: Path, tmp_path: Path) -> None:
    findings = [signup_fix(6), signup_fix(12), signup_fix(20)]
    result = apply_fixes(findings, root=tmp_path)
    assert app.read_text() == SOURCE.replace('"signed_up"', '"Signed Up"')
    assert result.edits_applied == 1
    assert len(result.fixed) == 3


def test_idempotent(app: Path, tmp_path: Path) -> None:
    findings = multi_edit_findings()
    apply_fixes(findings, root=tmp_path)
    mtime = app.stat().st_mtime_ns
    again = apply_fixes(findings, root=tmp_path)
    assert app.read_text() == FIXED
    assert app.stat().st_mtime_ns == mtime
    assert (again.files_fixed, again.edits_applied, again.fixed, again.skipped) == (0, 0, (), ())
    assert diff_fixes(findings, root=tmp_path) == ""


def test_idempotent_with_line_changing_edits(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_text('t(u, "a")\nt(u, "b", {})\n')
    findings = [
        finding(edit(1, 6, 9, '"A",\n    {"k": 1}')),
        finding(edit(2, 6, 9, '"Bee"')),
        finding(edit(2, 11, 13, '{"x": 1}')),
    ]
    apply_fixes(findings, root=tmp_path)
    fixed = 't(u, "A",\n    {"k": 1})\nt(u, "Bee", {"x": 1})\n'
    assert target.read_text() == fixed
    assert apply_fixes(findings, root=tmp_path).files_fixed == 0
    assert target.read_text() == fixed


def test_fix_that_would_not_parse_is_refused(app: Path, tmp_path: Path) -> None:
    before = app.read_bytes()
    broken = finding(edit(7, 30, 47, '"Order Completed'))
    result = apply_fixes([broken, finding(edit(8, 30, 47, '"Order Completed"'))], root=tmp_path)
    assert app.read_bytes() == before
    assert result.files_fixed == 0 and result.fixed == ()
    [(path, reason)] = result.skipped
    assert path == "app.py"
    assert "would not parse" in reason


def test_file_changed_between_read_and_write_is_untouched(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fix_module._parse_error

    def edit_meanwhile(data: bytes, state: object) -> str | None:
        app.write_text(SOURCE + "# edited in the editor\n")
        return real(data, state)  # type: ignore[arg-type]

    monkeypatch.setattr(fix_module, "_parse_error", edit_meanwhile)
    result = apply_fixes(multi_edit_findings(), root=tmp_path)
    assert app.read_text() == SOURCE + "# edited in the editor\n"
    assert result.files_fixed == 0 and result.fixed == ()
    assert result.skipped == (("app.py", "the file changed on disk while fixing; left unchanged"),)


def test_crlf_preserved(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(b'import analytics\r\nanalytics.track(u, "a")\r\nx = 1\r\n')
    apply_fixes([finding(edit(2, 20, 23, '"A",\n    {"k": 1}'))], root=tmp_path)
    assert target.read_bytes() == (
        b'import analytics\r\nanalytics.track(u, "A",\r\n    {"k": 1})\r\nx = 1\r\n'
    )


def test_no_final_newline_and_bom_and_mode(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(b'\xef\xbb\xbft(u, "\xc3\xa9a")')
    os.chmod(target, 0o750)
    apply_fixes([finding(edit(1, 6, 10, '"\u00c9A"'))], root=tmp_path)
    assert target.read_bytes() == b'\xef\xbb\xbft(u, "\xc3\x89A")'
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]  # no temp file left


def test_unsafe_fixes_need_opt_in(app: Path, tmp_path: Path) -> None:
    unsafe = finding(edit(7, 30, 47, '"Order Completed"'), applicability="unsafe")
    assert apply_fixes([unsafe], root=tmp_path).files_fixed == 0
    assert app.read_text() == SOURCE
    assert apply_fixes([unsafe], root=tmp_path, unsafe=True).fixed == (unsafe,)
    assert '"Order Completed"' in app.read_text()


def test_overlapping_fix_is_skipped(app: Path, tmp_path: Path) -> None:
    first = finding(edit(7, 30, 47, '"Order Completed"'))
    overlapping = finding(edit(7, 31, 36, "ORDER"), line=7)
    result = apply_fixes([overlapping, first], root=tmp_path)
    assert '"Order Completed"' in app.read_text()
    assert result.fixed == (first,)
    assert len(result.skipped) == 1
    assert "overlaps another fix" in result.skipped[0].reason


def test_multifile_fix_is_all_or_nothing(app: Path, tmp_path: Path) -> None:
    other = tmp_path / "events.py"
    other.write_text('NAME = "x"\n')
    both = finding(edit(1, 8, 11, '"X"', path="events.py"), edit(7, 30, 47, '"Order Completed'))
    result = apply_fixes([both], root=tmp_path)
    assert other.read_text() == 'NAME = "x"\n'
    assert app.read_text() == SOURCE
    assert result.fixed == ()


def test_stale_edit_outside_file_is_refused(app: Path, tmp_path: Path) -> None:
    result = apply_fixes([finding(edit(40, 1, 2, "x"))], root=tmp_path)
    assert app.read_text() == SOURCE
    assert "outside the file" in result.skipped[0].reason


def test_missing_file_is_reported(tmp_path: Path) -> None:
    result = apply_fixes([finding(edit(1, 1, 2, "x", path="gone.py"))], root=tmp_path)
    assert result.skipped[0].path == "gone.py"
    assert "cannot read" in result.skipped[0].reason


def test_diff(app: Path, tmp_path: Path) -> None:
    out = diff_fixes([finding(edit(7, 30, 47, '"Order Completed"'))], root=tmp_path)
    assert app.read_text() == SOURCE
    assert out.splitlines()[:3] == ["--- a/app.py", "+++ b/app.py", "@@ -4,5 +4,5 @@"]
    assert '-    analytics.track(user.id, "order completed", {"total": 3})' in out.splitlines()
    assert '+    analytics.track(user.id, "Order Completed", {"total": 3})' in out.splitlines()


def test_diff_marks_missing_final_newline(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('t(u, "a")')
    out = diff_fixes([finding(edit(1, 6, 9, '"A"'))], root=tmp_path)
    assert out.endswith('+t(u, "A")\n\\ No newline at end of file\n')
    assert (
        apply_fixes([finding(edit(1, 6, 9, '"A"'))], root=tmp_path, dry_run=True).files_fixed == 1
    )
    assert (tmp_path / "app.py").read_text() == 't(u, "a")'


def test_findings_without_fix_are_ignored(tmp_path: Path) -> None:
    plain = Finding("CIO001", "unknown-event", "error", "m", "app.py", 1, 1, 1, 2)
    assert apply_fixes([plain], root=tmp_path).files_fixed == 0


# ------------------------------------------------------------- the CLI round trip (issue 12, 7)

_IDENTIFY = "from enum import Enum\nfrom customerio import analytics\nanalytics.identify('u1', {'email': 'a@b.co'})\n"


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cio_lint.cli import run; run()", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _round_trip(tmp_path: Path, files: dict[str, str], *args: str) -> dict[str, str]:
    """``--fix`` twice: the first rewrites, the second finds nothing to do. Returns the files."""
    (tmp_path / "tracking_plan").mkdir()
    (tmp_path / "tracking_plan" / "plan.yaml").write_text(EXAMPLE_PLAN)
    for rel, text in files.items():
        (tmp_path / rel).write_text(text)
    first = _cli(tmp_path, "--fix", *args)
    assert "warning" not in first.stderr, first.stderr
    after = {rel: (tmp_path / rel).read_text() for rel in files}
    for rel, text in after.items():
        ast.parse(text, rel)
    again = _cli(tmp_path, "--fix", "--format", "json", *args)
    assert [d["code"] for d in json.loads(again.stdout) if d["code"] == "CIO002"] == []
    assert {rel: (tmp_path / rel).read_text() for rel in files} == after
    return after


def test_fix_of_a_module_constant_edits_its_definition_once(tmp_path: Path) -> None:
    """A constant used by module-level calls (also on its own line) and in a function: the
    literal at the definition is the one edit; no call site is touched."""
    source = (
        _IDENTIFY
        + "EV = 'signed up'; analytics.track('u1', EV, {'plan': 'pro'})\n"
        + "analytics.track('u1', EV, {'plan': 'free'})\n"
        + "def later(user):\n"
        + "    analytics.track(user, EV, {'plan': 'pro'})\n"
    )
    after = _round_trip(tmp_path, {"app.py": source}, ".")
    assert after["app.py"] == source.replace("'signed up'", "'Signed Up'")


def test_module_constant_is_reported_once_at_its_definition(tmp_path: Path) -> None:
    (tmp_path / "tracking_plan").mkdir()
    (tmp_path / "tracking_plan" / "plan.yaml").write_text(EXAMPLE_PLAN)
    (tmp_path / "app.py").write_text(
        _IDENTIFY
        + "EV = 'signed up'\n"
        + "analytics.track('u1', EV, {'plan': 'pro'})\n"
        + "analytics.track('u1', EV, {'plan': 'free'})\n"
    )
    done = _cli(tmp_path, "--format", "json", ".")
    found = [(d["line"], d["column"], d["fix"]["edits"]) for d in json.loads(done.stdout)]
    edit = {
        "path": "app.py",
        "line": 4,
        "column": 6,
        "end_line": 4,
        "end_column": 17,
        "content": "'Signed Up'",
    }
    assert found == [(4, 6, [edit])]


def test_fix_of_an_enum_member_edits_the_member(tmp_path: Path) -> None:
    source = (
        _IDENTIFY
        + "class Event(str, Enum):\n    SIGNED_UP = 'signed-up'\n"
        + "analytics.track('u1', Event.SIGNED_UP.value, {'plan': 'pro'})\n"
        + "analytics.track('u1', Event.SIGNED_UP, {'plan': 'pro'})\n"
        + "def later(user):\n"
        + "    analytics.track(user, Event.SIGNED_UP.value, {'plan': 'pro'})\n"
    )
    after = _round_trip(tmp_path, {"app.py": source}, ".")
    assert after["app.py"] == source.replace("'signed-up'", "'Signed Up'")


def test_fix_of_a_local_edits_its_assignment_not_the_calls(tmp_path: Path) -> None:
    source = (
        _IDENTIFY
        + "def signup(user):\n"
        + "    name = 'signed_up'\n"
        + "    analytics.track(user, name, {'plan': 'pro'})\n"
        + "    analytics.track(user, name, {'plan': 'free'})\n"
        + "    print(name)\n"
    )
    after = _round_trip(tmp_path, {"app.py": source}, ".")
    assert after["app.py"] == source.replace("'signed_up'", "'Signed Up'")


def test_fix_of_a_constant_of_another_module_edits_that_module(tmp_path: Path) -> None:
    """Only the view is checked (a pre-commit run): the finding is at the call, the fix still
    edits the constant where it is written."""
    consts = "SIGNED_UP = 'signed up'\n"
    view = (
        _IDENTIFY
        + "from consts import SIGNED_UP\nanalytics.track('u1', SIGNED_UP, {'plan': 'pro'})\n"
    )
    after = _round_trip(tmp_path, {"consts.py": consts, "view.py": view}, "view.py")
    assert after == {"consts.py": "SIGNED_UP = 'Signed Up'\n", "view.py": view}


def test_a_fix_that_edits_a_file_not_allowed_is_refused_whole(app: Path, tmp_path: Path) -> None:
    """``allowed`` (the CLI: the files of its run) decides where fixes may write, not the fixes:
    one edit outside takes the whole fix out, and the other fixes still apply."""
    outside = tmp_path.parent / f"{tmp_path.name}-victim.py"
    outside.write_text("SECRET = 1\n")
    escape = os.path.relpath(outside, tmp_path)
    bad = finding(edit(7, 30, 47, '"Order Completed"'), edit(1, 1, 11, "SECRET = 2", escape))
    good = finding(edit(8, 75, 91, '"Trial Extended"'))
    result = apply_fixes([bad, good], root=tmp_path, allowed=[app])
    assert outside.read_text() == "SECRET = 1\n"
    assert app.read_text() == SOURCE.replace('"trial_extended"', '"Trial Extended"')
    assert result.fixed == (good,)
    assert [s.path for s in result.skipped] == [escape]
    assert "not one of the files of this run" in result.skipped[0].reason
    assert escape not in diff_fixes([bad], root=tmp_path, allowed=[app])


def _constant_project(tmp_path: Path) -> Path:
    """``EVENT`` written in constants.py, used by a call in views.py (CIO002 on its value)."""
    (tmp_path / "tracking_plan").mkdir(parents=True)
    (tmp_path / "tracking_plan" / "plan.yaml").write_text(EXAMPLE_PLAN)
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "constants.py").write_text('EVENT = "signed up"\n')
    (tmp_path / "shop" / "views.py").write_text(
        _IDENTIFY + "from shop.constants import EVENT\n"
        "def view(u):\n    analytics.track(u, EVENT, {'plan': 'pro'})\n"
    )
    return tmp_path


def test_json_edit_names_the_file_of_the_constant(tmp_path: Path) -> None:
    """Checking the view alone: the finding is at the call, its edit in constants.py."""
    root = _constant_project(tmp_path)
    done = _cli(root, "--format", "json", "shop/views.py")
    (found,) = [d for d in json.loads(done.stdout) if d["code"] == "CIO002"]
    assert (found["path"], found["line"]) == ("shop/views.py", 6)
    assert found["fix"]["edits"] == [
        {
            "path": "shop/constants.py",
            "line": 1,
            "column": 9,
            "end_line": 1,
            "end_column": 20,
            "content": '"Signed Up"',
        }
    ]


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )


@pytest.mark.parametrize(
    "args",
    [("shop/views.py",), (".",)],
    ids=["edit-in-another-file", "whole-project"],
)
def test_diff_applies_with_plain_git_apply(tmp_path: Path, args: tuple[str, ...]) -> None:
    """``--diff`` from the project root, applied by the real ``git apply`` (no ``-p0``), gives
    the files ``--fix`` writes."""
    by_diff = _constant_project(tmp_path / "diff")
    (by_diff / "shop" / "orders.py").write_text(
        _IDENTIFY + "analytics.track('u1', 'order-completed', {'total': 3})\n"
    )
    by_fix = tmp_path / "fix"
    shutil.copytree(by_diff, by_fix)
    files = sorted(p.relative_to(by_diff) for p in by_diff.rglob("*.py"))
    before = {p: (by_diff / p).read_text() for p in files}

    diff = _cli(by_diff, "--diff", *args)
    assert diff.stdout.startswith("--- a/"), diff.stdout + diff.stderr
    assert _git(by_diff, "init", "-q").returncode == 0
    patch = tmp_path / "fixes.patch"
    patch.write_text(diff.stdout)
    check = _git(by_diff, "apply", "--check", str(patch))
    assert check.returncode == 0, check.stderr
    applied = _git(by_diff, "apply", str(patch))
    assert applied.returncode == 0, applied.stderr

    _cli(by_fix, "--fix", *args)
    after = {p: (by_fix / p).read_text() for p in files}
    assert after != before
    assert after[Path("shop/constants.py")] == 'EVENT = "Signed Up"\n'
    assert {p: (by_diff / p).read_text() for p in files} == after
