"""What the fuzz properties assert, as functions (tests/fuzz/test_harness.py checks that they
refuse what they must)."""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
from collections.abc import Mapping

from fuzz.harness import FixRun, Outcome, Worker, analyse, rejected
from fuzz.strategies import PLAN, PLANNED

NAME = "app.py"
_LINES = re.compile(rb"\r\n|\r|\n")


def _report(outcome: Outcome) -> str:
    return "\n".join(
        f"  {f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in outcome.findings
    )


# The one CIO900 a file CPython compiles may have (docs/rules.md, "Too deeply nested to
# analyse"): nesting over 1,000 levels as libcst sees it, which is never handed to libcst.
_TOO_DEEP = re.compile(r"Expression too deeply nested to analyse \((\d+) levels, over 1000\)")


def too_deep_to_analyse(data: bytes, message: str) -> bool:
    """Whether ``message`` is the documented "too deeply nested to analyse" of a valid file,
    with a plausible count: over 1,000 levels, and no more than the file has tokens (each
    level of nesting is at least one token)."""
    found = _TOO_DEEP.fullmatch(message)
    if found is None:
        return False
    levels = int(found.group(1))
    try:
        tokens = sum(1 for _ in _tokens(data))
    except (tokenize.TokenError, SyntaxError, RecursionError):
        return False
    return 1000 < levels <= tokens


def check_verdict(data: bytes, outcome: Outcome, *, both_ways: bool) -> None:
    """CIO900 iff CPython rejects ``data`` (only "if" when ``both_ways`` is False), but for
    valid nesting too deep to analyse; a broken file has that one finding; every position is
    inside the file."""
    verdict = outcome.rejected[NAME]
    errors = [f for f in outcome.findings if f.code == "CIO900"]
    if verdict is None and errors and too_deep_to_analyse(data, errors[0].message):
        verdict = "too deeply nested to analyse"
    if verdict is None:
        assert not errors, f"CIO900 on a file CPython compiles:\n{_report(outcome)}"
    elif both_ways:
        assert errors, f"no CIO900, but CPython says {verdict}:\n{_report(outcome)}"
    if errors:
        assert len(outcome.findings) == 1, f"a broken file has one finding:\n{_report(outcome)}"
    lines = len(_LINES.split(data))
    for f in outcome.findings:
        assert 1 <= f.line <= lines and f.column >= 1, f"position outside the file: {f}"


def check_file(worker: Worker, data: bytes) -> None:
    plan = str(PLAN)
    every = worker.call(analyse, {NAME: data}, plan, False)
    check_verdict(data, every, both_ways=True)
    selected = worker.call(analyse, {NAME: data}, plan, True)
    check_verdict(data, selected, both_ways=False)
    if every.rejected[NAME] is None:
        assert selected.findings == every.findings, (
            f"the prefilter changed the findings:\nwith:\n{_report(selected)}\n"
            f"without:\n{_report(every)}"
        )


BOM = b"\xef\xbb\xbf"
FIXABLE_ROLES = ("event", "const")


def _normal(name: str) -> str:
    return re.sub(r"[ _\-.]", "", name).casefold()


PLANNED_BY_FORM = {_normal(name): name for name in PLANNED}


def _tokens(data: bytes) -> list[tokenize.TokenInfo]:
    """The tokens of ``data`` with line endings made ``\\n`` (Python's tokenize reads lines)."""
    text = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return list(tokenize.tokenize(io.BytesIO(text).readline))


def _value(tokens: list[tokenize.TokenInfo]) -> str:
    """The string the literal tokens spell (implicit concatenation included)."""
    value = ast.literal_eval(" ".join(t.string for t in tokens))
    assert isinstance(value, str)
    return value


def check_changes(path: str, before: bytes, after: bytes, roles: tuple[str, ...]) -> None:
    """Every changed run of tokens was fixable string literals, now spelling the planned name."""
    old, new = _tokens(before), _tokens(after)
    role_of = {}
    strings = [i for i, t in enumerate(old) if t.type == tokenize.STRING]
    assert len(strings) == len(roles), f"{path}: the generator's roles do not match its tokens"
    role_of = dict(zip(strings, roles))
    matcher = difflib.SequenceMatcher(
        a=[(t.type, t.string) for t in old], b=[(t.type, t.string) for t in new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        was, now = old[i1:i2], new[j1:j2]
        where = f"{path}:{(was or now)[0].start[0]}"
        assert was and now, f"{where}: tokens added or removed: {was} -> {now}"
        assert all(role_of.get(i) in FIXABLE_ROLES for i in range(i1, i2)), (
            f"{where}: --fix changed tokens that are no event name: "
            f"{[t.string for t in was]} -> {[t.string for t in now]}"
        )
        assert all(t.type == tokenize.STRING for t in now), f"{where}: {now}"
        planned = PLANNED_BY_FORM.get(_normal(_value(was)))
        assert _value(now) == planned, (
            f"{where}: {_value(was)!r} became {_value(now)!r}, not the planned {planned!r}"
        )


def check_run(run: FixRun, roles: Mapping[str, tuple[str, ...]]) -> None:
    assert not run.skipped, f"--fix declined fixes: {run.skipped}"
    left = [
        f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in run.found_after if f.safe_fix
    ]
    assert not left, f"safe fixes left after --fix: {left}"
    for path, before in run.before.items():
        assert rejected(before, path) is None, f"the generator wrote a broken {path}"
        first = run.first[path]
        verdict = rejected(first, path)
        assert verdict is None, f"--fix broke {path}: {verdict}\n{first!r}"
        assert run.second[path] == first, (
            f"a second --fix changed {path}:\n{first!r}\n->\n{run.second[path]!r}"
        )
        for ending in (b"\r\n", b"\r", b"\n"):
            assert first.count(ending) == before.count(ending), f"{path}: line endings changed"
        assert first.startswith(BOM) == before.startswith(BOM), f"{path}: BOM changed"
        check_changes(path, before, first, roles[path])
        check_fixed(path, first, roles[path])


def check_fixed(path: str, after: bytes, roles: tuple[str, ...]) -> None:
    """Every event name (each one literal here) now spells a planned name exactly."""
    strings = [t for t in _tokens(after) if t.type == tokenize.STRING]
    assert len(strings) == len(roles), f"{path}: --fix changed the number of string literals"
    for token, role in zip(strings, roles):
        if role in FIXABLE_ROLES:
            value = _value([token])
            assert value in PLANNED, f"{path}:{token.start[0]}: event {value!r} was not fixed"
