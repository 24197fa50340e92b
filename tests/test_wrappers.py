"""Wrapper inference and declared wrappers (SPEC §3): call sites of project helpers are checked."""

from __future__ import annotations

import textwrap

from click.testing import CliRunner
from conftest import Lint, codes

from cio_lint.cli import main

HELPERS = '''\
from customerio import analytics

def track_event(user, name, **props):
    """One helper for every event (the most common shape in real apps)."""
    analytics.track(str(user.id), name, props)

def identify_user(user, **traits):
    analytics.identify(user.id, {"email": user.email, **traits})

class Tracker:
    def __init__(self, client):
        self.client = client

    def track(self, user, event, properties=None):
        track_event(user, event, **(properties or {}))

    def order_completed(self, user, order):
        analytics.track(user.id, "Order Completed", {"order_id": order.id, "total": order.total})

tracker = Tracker(None)
'''


def test_module_function_wrapper_call_sites_are_checked(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/helpers.py": HELPERS,
            "app/views.py": textwrap.dedent("""\
            from app.helpers import identify_user, track_event
            def signup(user):
                identify_user(user)
                track_event(user, "Signed Up", plan="pro")
                track_event(user, "signed_up", plan="pro")
                track_event(user, "Signed Up", plan="platinum")
                track_event(user, "Signed Up")
                track_event(user, "Signed Up", plan="pro", colour="red")
                track_event(user, "Project Deleted")
            """),
        }
    )
    assert codes(result) == [
        ("app/views.py", 5, "CIO002"),
        ("app/views.py", 6, "CIO006"),
        ("app/views.py", 7, "CIO005"),
        ("app/views.py", 8, "CIO004"),
        ("app/views.py", 9, "CIO001"),
    ]
    fix = result.findings[0].fix
    assert (
        fix is not None
        and fix.edits[0].content == '"Signed Up"'
        and fix.edits[0].path.endswith("views.py")
    )


def test_methods_through_self_class_and_module_instance(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/helpers.py": HELPERS,
            "app/legacy.py": (
                "from customerio import analytics\n"
                "class Legacy:\n"
                "    def trial_extended(self, user):\n"
                "        analytics.track(user.id, 'Trial Extended', {'days': 7})\n"
            ),
            "app/service.py": textwrap.dedent("""\
            from app.helpers import Tracker, tracker, identify_user
            from app.legacy import Legacy
            class Billing:
                def __init__(self):
                    self.analytics = Tracker(None)
                def upgrade(self, user):
                    identify_user(user)
                    self.analytics.track(user, "signed up", {"plan": "pro"})
                    tracker.track(user, "Trial Started", {"days": 3})
                    tracker.order_completed(user, object())
                    Legacy().trial_extended(user)
                    Legacy().trial_extended(user)
            """),
        }
    )
    # what the helper fixes itself is reported once, in the helper, not at each call site
    assert codes(result) == [
        ("app/legacy.py", 4, "CIO012"),
        ("app/legacy.py", 4, "CIO004"),
        ("app/service.py", 8, "CIO002"),
        ("app/service.py", 9, "CIO004"),
    ]


def test_wrapper_bodies_do_not_report_names_from_their_parameters(lint: Lint) -> None:
    result = lint({"app/__init__.py": "", "app/helpers.py": HELPERS})
    assert [c for c in codes(result) if c[2] == "CIO007"] == []


def test_wrapper_of_a_wrapper_across_modules(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/helpers.py": HELPERS,
            "app/signup.py": "from app.helpers import track_event\ndef track_signup(user, plan):\n    track_event(user, 'Signed Up', plan=plan)\n",
            "app/views.py": "from app import signup\nfrom app.helpers import identify_user\ndef view(u):\n    identify_user(u)\n    signup.track_signup(u, 'gold')\n",
        }
    )
    assert [(p, line, c) for p, line, c in codes(result)] == [("app/views.py", 5, "CIO006")]
    assert "'gold' is not one of" in result.findings[0].message


def test_track_through_a_wrapper_before_identify_through_a_wrapper(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/helpers.py": HELPERS,
            "app/views.py": textwrap.dedent("""\
            from app.helpers import identify_user, track_event, tracker
            def bad(user):
                track_event(user, "Trial Started")
                identify_user(user)
            def good(user):
                identify_user(user)
                tracker.track(user, "Trial Started")
            """),
        }
    )
    assert codes(result) == [("app/views.py", 3, "CIO003")]


def test_binding_errors_at_wrapper_call_sites(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/helpers.py": HELPERS,
            "app/views.py": "from app.helpers import track_event, identify_user\ndef v(u, p):\n    identify_user(u)\n    track_event(u, 'Signed Up', name=p)\n",
        }
    )
    assert [(f.line, f.code, f.message) for f in result.findings] == [
        (4, "CIO013", "`track_event()` got multiple values for argument `name`")
    ]


DYNAMIC = """\
from customerio import analytics

def send(kind, who, what=None, data=None):
    getattr(analytics, kind)(who, what, data)
"""


def test_declared_wrappers(lint: Lint) -> None:
    files = {
        "app/__init__.py": "",
        "app/telemetry.py": DYNAMIC,
        "app/views.py": (
            "from customerio import analytics\nfrom app.telemetry import send\n"
            "analytics.identify('u1', {'email': 'a@b.co'})\n"
            "send('track', 'u1', 'Signed Up', {'plan': 'gold'})\n"
            "send('track', 'u1', 'Nope')\n"
        ),
    }
    assert codes(lint(files)) == []  # inference cannot see through getattr
    declared = {
        "app.telemetry.send": {"kind": "track", "user_id": 1, "event": 2, "properties": "data"},
    }
    assert codes(lint(files, wrappers=declared)) == [
        ("app/views.py", 4, "CIO006"),
        ("app/views.py", 5, "CIO001"),
    ]


def test_declared_page_and_screen_wrappers_send_their_event_as_the_name(lint: Lint) -> None:
    """A declared wrapper's ``event`` is the name of a page or screen (``page(user_id,
    category, name, properties)``): its call sites are checked like those of a track wrapper,
    not dropped as if only the user came from them."""
    files = {
        "app/__init__.py": "",
        "app/telemetry.py": "def show(kind, user, name, props):\n    pass\n",
        "app/views.py": (
            "from customerio import analytics\nfrom app.telemetry import show\n"
            "show('page', 'u1', 'Home', {'" + "k" * 151 + "': 1})\n"
        ),
    }
    for kind in ("page", "screen"):
        spec = {"kind": kind, "user_id": 1, "event": 2, "properties": 3}
        result = lint(files, wrappers={"app.telemetry.show": spec})
        assert codes(result) == [("app/views.py", 3, "CIO102")], kind
        assert result.sdk_calls == 1


def test_declared_wrapper_errors_exit_2(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/telemetry.py": DYNAMIC,
            "app/views.py": "import app.telemetry\n",
        }
    )
    runner = CliRunner()
    (root / "pyproject.toml").write_text(
        '[tool.cio-lint.wrappers]\n"app.telemetry.send" = {kind = "track", event = 7}\n'
    )
    result = runner.invoke(main, ["."])
    assert result.exit_code == 2 and "`7` is not a parameter of `send`" in result.stderr
    (root / "pyproject.toml").write_text(
        '[tool.cio-lint.wrappers]\n"app.telemetry.nope" = {kind = "track", event = 1}\n'
    )
    result = runner.invoke(main, ["."])
    assert result.exit_code == 2 and "no such function" in result.stderr


def test_explain_wrappers(project) -> None:
    project(
        {
            "app/__init__.py": "",
            "app/helpers.py": HELPERS,
            "app/signup.py": "from app.helpers import track_event\ndef track_signup(user, plan):\n    track_event(user, 'Signed Up', plan=plan)\n",
        }
    )
    result = CliRunner().invoke(main, ["--explain-wrappers", "."])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "app.helpers.track_event(user, name, props)" in lines
    assert "app.signup.track_signup(user, plan)" in lines
    assert (
        "    -> track (segment-family): user_id <- user, event <- name, properties <- props"
        in lines
    )
    signup = lines.index("app.signup.track_signup(user, plan)")
    assert lines[signup + 1 : signup + 3] == [
        "    -> track (segment-family): user_id <- user, properties <- plan",
        "       through app.helpers.track_event",
    ]
    assert "app.helpers.Tracker.order_completed(self, user, order)" in lines
