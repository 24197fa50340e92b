"""CIO003 track-before-identify (SPEC §4): the path-case table."""

from __future__ import annotations

import textwrap

import pytest
from conftest import Lint

HEADER = "from customerio import analytics\n"
IDENT = "analytics.identify(user.id, {'email': 'a@b.co'})"
TRACK = "analytics.track(user.id, 'Trial Started')  # T"

# (case id, function body, whether the marked track (# T) is flagged)
CASES = [
    ("identify-then-track", f"{IDENT}\n{TRACK}", False),
    ("track-then-identify", f"{TRACK}\n{IDENT}", True),
    ("both-branches", f"if ok:\n    {IDENT}\nelse:\n    {IDENT}\n{TRACK}", False),
    ("one-branch", f"if ok:\n    {IDENT}\n{TRACK}", True),
    ("elif-without-else", f"if ok:\n    {IDENT}\nelif other:\n    {IDENT}\n{TRACK}", True),
    (
        "if-elif-else",
        f"if ok:\n    {IDENT}\nelif other:\n    {IDENT}\nelse:\n    {IDENT}\n{TRACK}",
        False,
    ),
    ("else-returns", f"if ok:\n    {IDENT}\nelse:\n    return\n{TRACK}", False),
    ("try-except-continues", f"try:\n    {IDENT}\nexcept Exception:\n    pass\n{TRACK}", True),
    ("try-except-raises", f"try:\n    {IDENT}\nexcept Exception:\n    raise\n{TRACK}", False),
    ("try-except-returns", f"try:\n    {IDENT}\nexcept Exception:\n    return\n{TRACK}", False),
    (
        "try-else",
        f"try:\n    x = 1\nexcept Exception:\n    pass\nelse:\n    {IDENT}\n{TRACK}",
        True,
    ),
    ("finally", f"try:\n    x = 1\nfinally:\n    {IDENT}\n{TRACK}", False),
    (
        "track-inside-try-after-identify",
        f"try:\n    {IDENT}\n    {TRACK}\nexcept Exception:\n    pass",
        False,
    ),
    ("for-loop", f"for _ in range(n):\n    {IDENT}\n{TRACK}", True),
    ("while-loop", f"while ok:\n    {IDENT}\n{TRACK}", True),
    ("loop-body-order", f"for _ in range(n):\n    {IDENT}\n    {TRACK}", False),
    (
        "continue-skips",
        f"for _ in range(n):\n    if ok:\n        continue\n    {IDENT}\n{TRACK}",
        True,
    ),
    ("with", f"with lock:\n    {IDENT}\n{TRACK}", False),
    (
        "match-exhaustive",
        f"match ok:\n    case 1:\n        {IDENT}\n    case _:\n        {IDENT}\n{TRACK}",
        False,
    ),
    (
        "match-not-exhaustive",
        f"match ok:\n    case 1:\n        {IDENT}\n    case 2:\n        {IDENT}\n{TRACK}",
        True,
    ),
    ("early-return-before-identify", f"if ok:\n    {TRACK}\n    return\n{IDENT}", True),
    ("early-return-guard", f"if not user:\n    return\n{IDENT}\n{TRACK}", False),
    ("raise-guard", f"if not user:\n    raise ValueError()\n{IDENT}\n{TRACK}", False),
    ("short-circuit", f"ok and {IDENT}\n{TRACK}", True),
    ("conditional-expression", f"{IDENT} if ok else None\n{TRACK}", True),
    ("str-of-id", f"analytics.identify(str(user.id), {{'email': 'a@b.co'}})\n{TRACK}", False),
    (
        "local-alias",
        f"uid = user.id\nanalytics.identify(uid, {{'email': 'a@b.co'}})\n{TRACK}",
        False,
    ),
    (
        "keyword-vs-positional",
        f"analytics.identify(user_id=user.id, traits={{'email': 'a@b.co'}})\n{TRACK}",
        False,
    ),
    (
        "other-user-identified",
        f"analytics.identify(admin.id, {{'email': 'a@b.co'}})\n{TRACK}",
        False,
    ),
    (
        "anonymous-only-track",
        f"analytics.track(anonymous_id=user.id, event='Trial Started')  # T\n{IDENT}",
        False,
    ),
    ("nested-function-is-its-own-scope", f"def later():\n    {TRACK}\n{IDENT}", False),
]


@pytest.mark.parametrize(("body", "flagged"), [pytest.param(b, f, id=i) for i, b, f in CASES])
def test_path_cases(lint: Lint, body: str, flagged: bool) -> None:
    source = (
        HEADER
        + "def handler(user, admin, ok, other, n, lock):\n"
        + textwrap.indent(body, "    ")
        + "\n"
    )
    result = lint({"app.py": source})
    marked = next(i for i, line in enumerate(source.splitlines(), 1) if line.endswith("# T"))
    cio003 = [f.line for f in result.findings if f.code == "CIO003"]
    assert cio003 == ([marked] if flagged else []), source
    assert [f.code for f in result.findings if f.code != "CIO003"] == []


def test_message_names_event_and_user(lint: Lint) -> None:
    result = lint({"app.py": HEADER + f"def f(user):\n    {TRACK}\n    {IDENT}\n"})
    assert [f.message for f in result.findings] == [
        "Event `Trial Started` is tracked for `user.id` before `user.id` is identified (the identify comes after it)"
    ]


def test_module_body_is_a_scope(lint: Lint) -> None:
    result = lint(
        {
            "app.py": HEADER
            + "analytics.track('u1', 'Trial Started')\nanalytics.identify('u1', {'email': 'a@b.co'})\n"
        }
    )
    assert [(f.line, f.code) for f in result.findings] == [(2, "CIO003")]


def test_project_that_never_identifies_gets_one_finding_at_its_first_track(lint: Lint) -> None:
    result = lint(
        {
            "a.py": HEADER + "def f(u):\n    analytics.track(u, 'Trial Started')\n",
            "b.py": HEADER
            + "def g(u):\n    analytics.track(u, 'Trial Started')\n    analytics.track(u, 'Trial Started')\n",
        }
    )
    assert [(f.path, f.line, f.code) for f in result.findings] == [("a.py", 3, "CIO003")]
    assert "never calls identify" in result.findings[0].message


def test_anonymous_tracks_alone_are_not_a_project_finding(lint: Lint) -> None:
    result = lint({"a.py": HEADER + "analytics.track(anonymous_id='a', event='Trial Started')\n"})
    assert result.findings == []


def test_never_identifies_is_not_reported_when_only_some_files_are_checked(project) -> None:
    from cio_lint.config import Config
    from cio_lint.engine import lint_paths
    from cio_lint.plan import load_plan

    root = project(
        {
            "a.py": HEADER + "def f(u):\n    analytics.track(u, 'Trial Started')\n",
            "b.py": HEADER + "def g(u):\n    analytics.identify(u, {'email': 'a@b.co'})\n",
        }
    )
    (root / "pyproject.toml").write_text("[tool.cio-lint]\n")
    plan = load_plan(root / "tracking_plan")
    partial = lint_paths([root / "a.py"], Config(root=root, cache=False), plan, jobs=1)
    assert partial.findings == []  # b.py identifies: a pre-commit run on a.py must not guess
    (root / "b.py").write_text("x = 1\n")
    whole = lint_paths([root], Config(root=root, cache=False), plan, jobs=1)
    assert [f.code for f in whole.findings] == ["CIO003"]
