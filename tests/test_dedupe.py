"""One defect, one finding (issue 10, item 7): a value passed through a chain of helpers is
reported where it is written, once; a call site reports only what it supplies itself."""

from __future__ import annotations

import ast
import textwrap

from click.testing import CliRunner
from conftest import Lint

from cio_lint.cli import main
from cio_lint.engine import LintResult

LOG = """\
from segment import analytics

def log_user_event(user, name, props):
    analytics.identify(user.id, {"email": user.email})
    analytics.track(user.id, name, props)
"""


def found(result: LintResult) -> list[tuple[str, int, int, str, str]]:
    """(path, line, column, code, message) of every finding."""
    return [(f.path, f.line, f.column, f.code, f.message) for f in result.findings]


def where(result: LintResult) -> list[tuple[str, int, int, str]]:
    return [(f.path, f.line, f.column, f.code) for f in result.findings]


TWO_VIEWS = """\
from app.tips import sent_tip

def view_a(user):
    sent_tip(user, {"amount": 1})

def view_b(user):
    sent_tip(user, {"amount": 2})
"""


def test_a_literal_in_a_helper_is_reported_once_where_it_is_written(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/log.py": LOG,
            "app/tips.py": (
                "from app.log import log_user_event\n"
                "def sent_tip(user, props):\n"
                "    log_user_event(user, 'Tip Sent', props)\n"
            ),
            "app/views.py": TWO_VIEWS,
        }
    )
    assert found(result) == [
        ("app/tips.py", 3, 26, "CIO001", "Event `Tip Sent` is not in the tracking plan"),
    ]


def test_a_chain_of_three_helpers(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/log.py": LOG,
            "app/signup.py": textwrap.dedent("""\
            from app.log import log_user_event

            def signed_up(user, plan, referrer):
                log_user_event(user, "Signed Up", {"plan": plan, "referrer": referrer, "via": 1})

            def google_signup(user, referrer):
                signed_up(user, "gold", referrer)
            """),
            "app/views.py": textwrap.dedent("""\
            from app.signup import google_signup

            def from_ad(user):
                google_signup(user, "ad")

            def from_search(user):
                google_signup(user, 42)
            """),
        }
    )
    assert where(result) == [
        ("app/signup.py", 4, 76, "CIO004"),  # the key "via", written in signed_up
        ("app/signup.py", 7, 21, "CIO006"),  # "gold", written in google_signup
        ("app/views.py", 7, 25, "CIO006"),  # 42 is what from_search supplies
    ]
    assert ["`via`" in f.message for f in result.findings] == [True, False, False]
    assert ["'gold'" in f.message for f in result.findings] == [False, True, False]
    assert [": 42 " in f.message for f in result.findings] == [False, False, True]


def test_a_constant_is_reported_once_where_it_is_named(lint: Lint) -> None:
    """A constant is reported once, at its definition (where the offending value is written,
    SPEC §2), however many helpers and views pass it on; that is also where ``--fix`` edits."""
    result = lint(
        {
            "app/__init__.py": "",
            "app/events.py": "TIP_SENT = 'Tip Sent'\nSIGNED_UP = 'signed up'\n",
            "app/log.py": LOG,
            "app/tips.py": textwrap.dedent("""\
            from app.events import TIP_SENT, SIGNED_UP
            from app.log import log_user_event

            def sent_tip(user, props):
                log_user_event(user, TIP_SENT, props)

            def signed_up(user, props):
                log_user_event(user, SIGNED_UP, {"plan": "pro", **props})

            def track_event(user, name, props):
                return log_user_event(user, name, props)
            """),
            "app/views.py": textwrap.dedent("""\
            from app.events import SIGNED_UP
            from app.tips import sent_tip, signed_up, track_event

            def view_a(user):
                sent_tip(user, {"amount": 1})
                signed_up(user, {})
                track_event(user, SIGNED_UP, {"plan": "pro"})

            def view_b(user):
                sent_tip(user, {"amount": 2})
                signed_up(user, {"referrer": "x"})
                track_event(user, SIGNED_UP, {"plan": "free"})
            """),
        }
    )
    assert where(result) == [
        ("app/events.py", 1, 12, "CIO001"),
        ("app/events.py", 2, 13, "CIO002"),
    ]
    edits = {e for f in result.findings if f.fix is not None for e in f.fix.edits}
    assert [(e.path, e.line, e.content) for e in edits] == [("app/events.py", 2, "'Signed Up'")]


def test_a_dict_key_written_in_each_view_is_reported_at_each_view(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/log.py": LOG,
            "app/signup.py": textwrap.dedent("""\
            from app.log import log_user_event

            def signed_up(user, props):
                log_user_event(user, "Signed Up", {"plan": "pro", "source": "web", **props})

            def signed_up_web(user, props):
                signed_up(user, props)
            """),
            "app/views.py": textwrap.dedent("""\
            from app.signup import signed_up_web

            def view_a(user):
                signed_up_web(user, {"colour": "red"})

            def view_b(user):
                signed_up_web(user, {"referrer": "x", "colour": "blue"})
            """),
        }
    )
    assert [(p, line, col, code) for p, line, col, code, _ in found(result)] == [
        ("app/signup.py", 4, 55, "CIO004"),  # "source", written once in signed_up
        ("app/views.py", 4, 26, "CIO004"),
        ("app/views.py", 7, 43, "CIO004"),
    ]
    assert ["`source`" in f.message for f in result.findings] == [True, False, False]
    assert ["`colour`" in f.message for f in result.findings] == [False, True, True]


DISPATCH = """\
from app.log import log_user_event

def track_event(user, name, props):
    return log_user_event(user, name, props)

def track_typed(user, event, props):
    return log_user_event(user, event.value, props)

def track_named(user, name, props):
    return log_user_event(user, str(name), props)

def by_kind(user, kind, props):
    track_typed(user, kind, props)
"""


def test_a_dispatcher_gets_no_cio007_and_its_callers_are_checked(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/log.py": LOG,
            "app/dispatch.py": DISPATCH,
            "app/views.py": textwrap.dedent("""\
            import enum
            from app.dispatch import by_kind, track_event, track_named, track_typed

            class Event(enum.Enum):
                TIP = "Tip Sent"
                TRIAL = "Trial Started"

            def view(user, request):
                track_event(user, "Tip Sent", {})
                track_typed(user, Event.TIP, {})
                track_named(user, "Tip Sent", {})
                by_kind(user, Event.TRIAL, {})
                track_named(user, request.GET["event"], {})
            """),
        }
    )
    assert where(result) == [
        ("app/views.py", 5, 11, "CIO001"),  # the Enum member's value, passed by the view
        ("app/views.py", 9, 23, "CIO001"),
        ("app/views.py", 11, 5, "CIO001"),
        ("app/views.py", 13, 5, "CIO007"),  # the view supplies a name known only at run time
    ]


def test_fix_renames_a_literal_reached_by_several_callers_once(project) -> None:  # type: ignore[no-untyped-def]
    root = project(
        {
            "app/__init__.py": "",
            "app/log.py": LOG,
            "app/signup.py": (
                "from app.log import log_user_event\n"
                "def signed_up(user, props):\n"
                "    log_user_event(user, 'signed_up', {'plan': 'pro', **props})\n"
            ),
            "app/views.py": (
                "from app.signup import signed_up\n"
                "def a(user):\n    signed_up(user, {'referrer': 'x'})\n"
                "def b(user):\n    signed_up(user, {'referrer': None})\n"
            ),
        }
    )
    (root / "pyproject.toml").write_text("[tool.cio-lint]\nno-cache = true\n")
    runner = CliRunner()
    diff = runner.invoke(main, ["--diff", "."])
    assert diff.stdout.count("-    log_user_event(user, 'signed_up'") == 1
    result = runner.invoke(main, ["--fix", "."])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith(" Found 1 error (1 fixed, 0 remaining).")
    text = (root / "app/signup.py").read_text()
    ast.parse(text)
    assert text.count("'Signed Up'") == 1 and "signed_up'" not in text
    assert text == (
        "from app.log import log_user_event\n"
        "def signed_up(user, props):\n"
        "    log_user_event(user, 'Signed Up', {'plan': 'pro', **props})\n"
    )
    again = runner.invoke(main, ["--fix", "."])
    assert again.exit_code == 0 and (root / "app/signup.py").read_text() == text


def test_findings_that_depend_on_no_value_of_the_chain_stay_at_the_call_site(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/people.py": textwrap.dedent("""\
            from segment import analytics

            def identify_user(uid, traits):
                analytics.identify(uid, traits)

            def identify_member(uid, traits):
                identify_user(uid, {"colour": "red", **traits})
            """),
            "app/views.py": textwrap.dedent("""\
            from app.people import identify_member

            def a(user):
                identify_member(None, {"email": "a@b.co"})

            def b(user):
                identify_member(user.id, {"email": "a@b.co"}, 3)
            """),
        }
    )
    assert found(result) == [
        ("app/people.py", 7, 25, "CIO008", "Trait `colour` is not in the plan's `identify` schema"),
        (
            "app/views.py",
            4,
            5,
            "CIO011",
            "`identify` call has neither a user id nor an anonymous id",
        ),
        (
            "app/views.py",
            7,
            5,
            "CIO013",
            "`identify_member()` takes 2 positional arguments but 3 were given",
        ),
    ]
