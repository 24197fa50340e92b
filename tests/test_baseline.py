from __future__ import annotations

import json
from pathlib import Path

import pytest

from cio_lint.baseline import (
    Baseline,
    BaselineEntry,
    BaselineError,
    load_baseline,
    normalize_snippet,
    write_baseline,
)
from cio_lint.model import Finding


def finding(
    line: int,
    snippet: str = 'analytics.track(user.id, "signed_up", {"plan": "pro"})',
    *,
    code: str = "CIO001",
    path: str = "app/signup.py",
    message: str = "Event `signed_up` is not in the tracking plan",
) -> Finding:
    return Finding(
        code=code,
        name="unknown-event",
        severity="error",
        message=message,
        path=path,
        line=line,
        column=30,
        end_line=line,
        end_column=41,
        snippet=snippet,
    )


def roundtrip(tmp_path: Path, findings: list[Finding]) -> Baseline:
    target = tmp_path / ".cio-lint-baseline.json"
    write_baseline(target, findings, cwd=tmp_path)
    return load_baseline(target)


def test_file_format_is_sorted_versioned_and_stable(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    findings = [
        finding(9, path="b.py"),
        finding(3, code="CIO007", message="Event name cannot be determined"),
        finding(1),
    ]
    assert write_baseline(target, findings, cwd=tmp_path) == 3
    first = target.read_bytes()
    write_baseline(target, list(reversed(findings)), cwd=tmp_path)
    assert target.read_bytes() == first
    assert first.endswith(b"}\n")
    doc = json.loads(first)
    assert doc["version"] == 1 and doc["tool"] == "cio-lint"
    assert [(e["path"], e["code"]) for e in doc["findings"]] == [
        ("app/signup.py", "CIO001"),
        ("app/signup.py", "CIO007"),
        ("b.py", "CIO001"),
    ]
    assert "line" not in doc["findings"][0]
    assert doc["findings"][0]["snippet"] == (
        "analytics.track(user.id, 'signed_up', {'plan':'pro'})"
    )


def test_line_shift_still_matches(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10), finding(20, 'track(u, "other")')])
    new, stale = baseline.filter([finding(14), finding(31, 'track(u, "other")')], cwd=tmp_path)
    assert new == [] and stale == []


def test_reformatted_call_still_matches(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10)])
    black = (
        "analytics.track(\n    user.id,\n    'signed_up',  # legacy name\n    {'plan': 'pro'},\n)"
    )
    assert baseline.filter([finding(12, black)], cwd=tmp_path) == ([], [])


def test_changed_call_is_new_and_old_entry_stale(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10), finding(30, 'track(u, "kept")')])
    changed = finding(10, 'analytics.track(user.id, "signed_up", {"plan": "free"})')
    new, stale = baseline.filter([changed, finding(30, 'track(u, "kept")')], cwd=tmp_path)
    assert new == [changed]
    assert stale == [
        BaselineEntry(
            path="app/signup.py",
            code="CIO001",
            message="Event `signed_up` is not in the tracking plan",
            snippet="analytics.track(user.id, 'signed_up', {'plan':'pro'})",
        )
    ]
    assert stale[0].describe() == (
        "app/signup.py: CIO001 Event `signed_up` is not in the tracking plan"
    )


def test_fixed_finding_leaves_a_stale_entry(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10)])
    new, stale = baseline.filter([], cwd=tmp_path)
    assert new == [] and len(stale) == 1


def test_identical_calls_are_matched_by_count(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10), finding(20)])
    assert len(baseline.entries) == 2
    assert baseline.entries[0] == baseline.entries[1]

    new, stale = baseline.filter([finding(11), finding(21), finding(40)], cwd=tmp_path)
    assert new == [finding(40)] and stale == []

    new, stale = baseline.filter([finding(11)], cwd=tmp_path)
    assert new == [] and len(stale) == 1


def test_message_and_code_and_path_are_part_of_the_fingerprint(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10)])
    others = [
        finding(10, code="CIO002"),
        finding(10, path="app/other.py"),
        finding(10, message="Event `signed_up` is not in the tracking plan (did you mean x)"),
    ]
    new, stale = baseline.filter(others, cwd=tmp_path)
    assert new == others and len(stale) == 1


def test_paths_are_relative_to_the_baseline_file(tmp_path: Path) -> None:
    sub = tmp_path / "app"
    sub.mkdir()
    target = tmp_path / "baseline.json"
    write_baseline(target, [finding(10, path="app/signup.py")], cwd=tmp_path)
    assert json.loads(target.read_text())["findings"][0]["path"] == "app/signup.py"
    # run from the sub-folder: the same file is "signup.py" there
    new, stale = load_baseline(target).filter([finding(10, path="signup.py")], cwd=sub)
    assert new == [] and stale == []


def test_findings_without_snippet(tmp_path: Path) -> None:
    f = finding(1, "", code="CIO900", message="invalid syntax")
    assert roundtrip(tmp_path, [f]).filter([f], cwd=tmp_path) == ([], [])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('track(u, "x", {"a": 1})', "track(u,'x',{'a':1})"),
        ('track(u, "x", {"a": 1},)', 'track(u, "x", {"a": 1})'),
        ('track(u,\n  "x")  # why', 'track(u, "x")'),
        ('track(u, f"{a}-x")', 'track(u, f"{a}-x")'),
        ('track(u, "unterminated', 'track(u,   "unterminated'),
    ],
)
def test_normalize_snippet_equal(a: str, b: str) -> None:
    assert normalize_snippet(a) == normalize_snippet(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('track(u, "a b")', 'track(u, "a  b")'),
        ("track(not_x)", "track(not x)"),
        ('track(u, f"{a} x")', 'track(u, f"{a}  x")'),
    ],
)
def test_normalize_snippet_different(a: str, b: str) -> None:
    assert normalize_snippet(a) != normalize_snippet(b)


def test_normalize_fstring_is_kept_verbatim() -> None:
    assert normalize_snippet('track(u, f"{a!r} {b}-x")') == 'track(u, f"{a!r} {b}-x")'


# --------------------------------------------------------------------------------- errors


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="does not exist.*--write-baseline"):
        load_baseline(tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json", "not valid JSON"),
        ("[]", "is not a cio-lint baseline"),
        ('{"version": "2.1.0", "runs": []}', "is not a cio-lint baseline"),
        ('{"tool": "cio-lint", "version": 2, "findings": []}', "newer cio-lint"),
        ('{"tool": "cio-lint", "findings": []}', "version None is not supported"),
        ('{"tool": "cio-lint", "version": 1, "findings": {}}', "must be a list"),
        ('{"tool": "cio-lint", "version": 1, "findings": [{"path": "a.py"}]}', r"findings\[0\]"),
    ],
)
def test_foreign_or_broken_files(tmp_path: Path, content: str, match: str) -> None:
    target = tmp_path / "baseline.json"
    target.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=match):
        load_baseline(target)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read baseline"):
        load_baseline(tmp_path)  # a folder


def test_empty_baseline(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [])
    assert baseline.entries == ()
    assert baseline.filter([finding(1)], cwd=tmp_path) == ([finding(1)], [])
