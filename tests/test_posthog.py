"""PostHog (issue 11, items 2/3 and 5): the module API and ``Posthog``/``Client`` instances,
checked against the plan, with the 5.x and 6.x shapes of ``capture`` decided by configuration,
the project's pins or the installed package (7.91 in the test venv)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from conftest import Lint, codes

from cio_lint.engine import LintResult

PREFILTER = pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])
V5 = {"sdk_versions": {"posthog": "5.4"}}
V6_EARLY = {"sdk_versions": {"posthog": "6.5"}}  # before `@no_throw` on the client (6.7.6)


def _found(result: LintResult) -> list[tuple[int, str]]:
    return [(line, code) for _, line, code in codes(result)]


def _messages(result: LintResult, code: str = "CIO013") -> list[str]:
    return [f.message for f in result.findings if f.code == code]


def test_the_installed_posthog_is_6_or_newer() -> None:
    """The ``test`` extra installs the real package: the "installed" cases below rely on it."""
    assert int(importlib.metadata.version("posthog").split(".")[0]) >= 6


# ---------------------------------------------------------------------- the module API
@PREFILTER
def test_module_capture_is_checked_against_the_plan(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app.py": """\
            import posthog

            def signup(user):
                posthog.capture("Signed Up", distinct_id=user.id, properties={"plan": "pro"})
                posthog.capture("Project Deleted", distinct_id=user.id)
                posthog.capture("signed_up", distinct_id=user.id, properties={"plan": "pro"})
                posthog.capture("Signed Up", distinct_id=user.id, properties={"plan": "gold"})
                posthog.capture("Order Completed", distinct_id=user.id, properties={"total": 1})
            """
        },
        prefilter=prefilter,
    )
    found = _found(result)
    assert (5, "CIO001") in found
    assert (6, "CIO002") in found
    assert [c for line, c in found if line == 7] == ["CIO006"]
    assert (8, "CIO005") in found
    assert not [c for line, c in found if line == 4]
    assert result.sdk_calls == 5


def test_set_and_set_once_properties_are_identify_traits(lint: Lint) -> None:
    result = lint(
        {
            "app.py": """\
            import posthog

            def profile(user):
                posthog.set(distinct_id=user.id, properties={"email": "a@b.co"})
                posthog.set(distinct_id=user.id, properties={"emial": "a@b.co"})
                posthog.set_once(distinct_id=user.id, properties={"plan": "gold"})
            """
        }
    )
    found = _found(result)
    assert (5, "CIO008") in found
    assert (6, "CIO009") in found or (6, "CIO010") in found
    assert not [c for line, c in found if line == 4]


def test_capture_without_distinct_id_on_6_is_not_cio011(lint: Lint) -> None:
    """6+ takes the context's id (``identify_context``) or makes one up: no missing identity.
    5.x raised ``AssertionError``: CIO011 there."""
    files = {
        "app.py": """\
        import posthog

        def started():
            with posthog.new_context():
                posthog.identify_context("u1")
                posthog.capture("Trial Started")
        """
    }
    assert _found(lint(files)) == []
    files["app.py"] = files["app.py"].replace(
        'capture("Trial Started")', 'capture(event="Trial Started")'
    )
    assert _found(lint(files, **V5)) == [(6, "CIO011")]


# ---------------------------------------------------------------------- CIO013
def test_cio013_says_what_happens_module_raises_client_logs(lint: Lint) -> None:
    result = lint(
        {
            "app.py": """\
            import posthog
            from posthog import Posthog

            client = Posthog("phc_key")

            def signup(user):
                posthog.capture(user.id, "Signed Up", {"plan": "pro"})
                client.capture(user.id, "Signed Up")
            """
        }
    )
    assert _found(result) == [(7, "CIO013"), (8, "CIO013")]
    module, on_client = _messages(result)
    assert module == (
        "`posthog.capture()` takes 1 positional argument but 3 were given; it raises"
        " `TypeError` (posthog 6 takes `capture(event, distinct_id=..., properties=...)`)"
    )
    assert "the SDK logs the error and drops the event" in on_client
    # before 6.7.6 the client raised too
    early = lint({"app.py": Path("app.py").read_text()}, **V6_EARLY)
    assert ["raises `TypeError`" in m for m in _messages(early)] == [True, True]


def test_cio013_flags_an_event_named_after_the_user_id(lint: Lint) -> None:
    result = lint(
        {
            "app.py": """\
            import posthog

            def visit(user, user_id):
                posthog.capture(user.id)
                posthog.capture(user_id)
                posthog.capture("Trial Started")
                posthog.capture(user.id, distinct_id=user.id)
            """
        }
    )
    # the last one binds the id as the event on purpose: an unknown name, not a habit
    assert _found(result) == [(4, "CIO013"), (5, "CIO013"), (7, "CIO007")]
    assert "the event is named after the user" in _messages(result)[0]


def test_identify_exists_up_to_5_only(lint: Lint) -> None:
    files = {
        "app.py": """\
        import posthog

        def profile(user):
            posthog.identify(user.id, {"email": "a@b.co"})
        """
    }
    result = lint(files)
    assert _found(result) == [(4, "CIO013")]
    assert "does not exist in posthog 6 and later" in _messages(result)[0]
    assert "use `set(distinct_id=..., properties=...)`" in _messages(result)[0]
    assert _found(lint(files, **V5)) == []


# ---------------------------------------------------------------------- both shapes
_LEGACY = """\
import posthog

def signup(user):
    posthog.capture(user.id, "Signed Up", {"plan": "pro"})
    posthog.capture(user.id, "Project Deleted")
"""
_MODERN = """\
import posthog

def signup(user):
    posthog.capture("Signed Up", distinct_id=user.id, properties={"plan": "pro"})
    posthog.capture("Project Deleted", distinct_id=user.id)
"""


def test_5x_shape_by_configuration(lint: Lint) -> None:
    assert _found(lint({"app.py": _LEGACY}, **V5)) == [(5, "CIO001")]
    result = lint({"app.py": _MODERN}, **V5)
    assert [c for _, c in _found(result)] == ["CIO013", "CIO013"]
    assert (
        "posthog before 6 takes `capture(distinct_id, event, properties)`" in (_messages(result)[0])
    )


def test_5x_shape_by_the_projects_pin(lint: Lint) -> None:
    files = {"app.py": _LEGACY, "requirements.txt": "posthog==5.4.0\n"}
    assert _found(lint(files, sdk_versions={})) == [(5, "CIO001")]


def test_6x_shape_by_the_installed_package(lint: Lint) -> None:
    assert _found(lint({"app.py": _MODERN}, sdk_versions={})) == [(5, "CIO001")]
    assert [c for _, c in _found(lint({"app.py": _LEGACY}, sdk_versions={}))] == [
        "CIO013",
        "CIO013",
    ]


# ---------------------------------------------------------------------- clients
@PREFILTER
def test_clients_in_attributes_factories_and_annotations(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/clients.py": """\
            import posthog
            from posthog import Posthog

            def make_client() -> Posthog:
                return Posthog("phc_key", host="https://eu.posthog.com")

            class Events:
                def __init__(self):
                    self.client = posthog.Client("phc_key")

                def deleted(self, user):
                    self.client.capture("Project Deleted", distinct_id=user.id)

            def from_factory(user):
                make_client().capture("Project Deleted", distinct_id=user.id)

            def annotated(client: Posthog, user):
                client.capture("Project Deleted", distinct_id=user.id)
            """,
        },
        prefilter=prefilter,
    )
    assert [(line, c) for line, c in _found(result) if c == "CIO001"] == [
        (12, "CIO001"),
        (15, "CIO001"),
        (18, "CIO001"),
    ]


def test_set_counts_as_identify_for_cio003(lint: Lint) -> None:
    result = lint(
        {
            "app.py": """\
            import posthog

            def signup(user):
                posthog.capture("Trial Started", distinct_id=user.id)
                posthog.set(distinct_id=user.id, properties={"email": "a@b.co"})
            """
        }
    )
    assert _found(result) == [(4, "CIO003")]


def test_a_project_that_never_calls_set_is_not_cio003(lint: Lint) -> None:
    """PostHog makes the person from the event: "never identifies" is Customer.io's problem."""
    files = {
        "app.py": """\
        import posthog

        def started(user):
            posthog.capture("Trial Started", distinct_id=user.id)
        """
    }
    assert _found(lint(files)) == []


def test_person_keys_in_capture_properties_are_not_event_properties(lint: Lint) -> None:
    """``$set``/``$set_once`` in ``capture`` properties update the person: not a CIO004.
    (Their traits are not checked against ``identify`` yet: docs/rules.md, PostHog.)"""
    result = lint(
        {
            "app.py": """\
            import posthog

            def signup(user):
                posthog.capture(
                    "Signed Up",
                    distinct_id=user.id,
                    properties={"plan": "pro", "$set": {"email": "a@b.co"}, "x": 1},
                )
            """
        }
    )
    assert [(f.code, f.message) for f in result.findings] == [
        ("CIO004", "Property `x` is not in the schema of `Signed Up`")
    ]
