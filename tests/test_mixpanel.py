"""Mixpanel (``mixpanel``) in the analysis: ``Mixpanel(token)`` clients followed like other
clients, ``track`` / ``import_data`` checked against the plan, ``people_set`` /
``people_set_once`` as identify, ``alias``, and CIO013 for calls that do not bind (every one
raises ``TypeError``: the SDK validates nothing and logs nothing). Each runs with and without
the prefilter (both must find it)."""

from __future__ import annotations

import importlib.metadata
import inspect
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import mixpanel
import pytest
from conftest import Lint, codes

from cio_lint import sdks

PREFILTER = pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])


def _found(result: object) -> list[tuple[int, str]]:
    return [(line, code) for _, line, code in codes(result)]  # type: ignore[arg-type]


def test_the_registry_matches_the_installed_sdk() -> None:
    """Every modelled method's signature is the installed package's (mixpanel 4.10+/5.x)."""
    assert importlib.metadata.version("mixpanel")
    family = sdks.family("mixpanel-client")
    for m in family.methods:
        real = inspect.signature(getattr(mixpanel.Mixpanel, m.name))
        params = [p for p in real.parameters.values() if p.name != "self"]
        sig = m.variants[-1].signature
        assert sig.params == tuple(p.name for p in params), m.name
        assert sig.required == tuple(p.name for p in params if p.default is p.empty), m.name
    assert sdks.CLIENTS["mixpanel.Mixpanel"] == "mixpanel-client"
    assert not [f for f in sdks.FUNCTIONS if f.startswith("mixpanel.")]  # no module-level API


@PREFILTER
def test_track_on_a_module_client(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app.py": """\
            from mixpanel import Mixpanel

            mp = Mixpanel("token")

            def order(user, order_id):
                mp.track(user.id, "Order Completed", {"order_id": order_id, "total": 3})
                mp.track(user.id, "Order Complete", {"order_id": order_id, "total": 3})
                mp.track(user.id, "Signed Up", {"plan": "gold"})
                mp.track(user.id, "Order Completed", {"order_id": order_id, "totl": 3})
            """
        },
        prefilter=prefilter,
    )
    found = _found(result)
    assert (6, "CIO001") not in found and (6, "CIO004") not in found
    assert (7, "CIO001") in found
    assert (8, "CIO006") in found
    assert (9, "CIO004") in found or (9, "CIO005") in found


@PREFILTER
def test_import_data_is_a_track(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app.py": """\
            import mixpanel

            mp = mixpanel.Mixpanel("token")

            def backfill(row):
                mp.import_data("key", row.uid, "Trial Startd", row.ts)
                mp.import_data("key", row.uid, "Signed Up", row.ts, {"plan": "gold"})
            """
        },
        prefilter=prefilter,
    )
    found = _found(result)
    assert (6, "CIO001") in found and (7, "CIO006") in found


@PREFILTER
def test_people_set_and_set_once_are_identify(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app.py": """\
            from mixpanel import Mixpanel

            mp = Mixpanel("token")

            def profile(user):
                mp.people_set(user.id, {"email": user.email, "plan": "pro"})
                mp.people_set(user.id, {"email": user.email, "favourite": "blue"})
                mp.people_set_once(user.id, {"email": user.email, "plan": "gold"})
            """
        },
        prefilter=prefilter,
    )
    found = _found(result)
    assert [c for line, c in found if line == 6] == []
    assert (7, "CIO008") in found
    assert (8, "CIO010") in found  # a trait value not in the plan's enum


@PREFILTER
def test_client_in_an_attribute_and_from_a_factory(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/clients.py": """\
            from mixpanel import Mixpanel

            def make_client() -> Mixpanel:
                return Mixpanel("token")
            """,
            "app/service.py": """\
            from app.clients import make_client

            class Tracker:
                def __init__(self):
                    self.mp = make_client()

                def deleted(self, user):
                    self.mp.track(user.id, "Project Deleted")
            """,
        },
        prefilter=prefilter,
    )
    assert ("app/service.py", 8, "CIO001") in codes(result)


@PREFILTER
def test_an_annotated_client_parameter(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app.py": """\
            from mixpanel import Mixpanel

            def deleted(client: Mixpanel, user):
                client.track(user.id, "Project Deleted")
            """
        },
        prefilter=prefilter,
    )
    assert (4, "CIO001") in _found(result)


@PREFILTER
def test_calls_that_do_not_bind_are_cio013(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app.py": """\
            from mixpanel import Mixpanel

            mp = Mixpanel("token")

            def habits(user):
                mp.track("Signed Up")
                mp.track(user_id=user.id, event="Signed Up", properties={"plan": "pro"})
                mp.people_set(user.id)
                mp.alias(user.id)
            """
        },
        prefilter=prefilter,
    )
    by_line = {line: f.message for f in result.findings if f.code == "CIO013" for line in [f.line]}
    assert set(by_line) == {6, 7, 8, 9}
    assert by_line[6].startswith("`Mixpanel.track()` is missing a required argument: `event_name`")
    assert "the user id first: `track(distinct_id, event_name, properties)`" in by_line[6]
    assert "unexpected keyword argument `user_id`" in by_line[7]
    assert "`Mixpanel.people_set()` is missing a required argument: `properties`" in by_line[8]
    assert "`Mixpanel.alias()` is missing a required argument: `original`" in by_line[9]
    # nothing is sent: CIO013 only
    assert {f.code for f in result.findings if f.line in by_line} == {"CIO013"}


@PREFILTER
def test_track_before_people_set_is_cio003(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app.py": """\
            from mixpanel import Mixpanel

            mp = Mixpanel("token")

            def signup(user):
                mp.track(user.id, "Signed Up", {"plan": "pro"})
                mp.people_set(user.id, {"email": user.email})
            """
        },
        prefilter=prefilter,
    )
    assert (6, "CIO003") in _found(result)


def test_a_method_of_another_object_is_not_mixpanel(lint: Lint) -> None:
    """``people_set`` on something that is not a Mixpanel client is not checked."""
    result = lint(
        {
            "app.py": """\
            class Crm:
                def people_set(self, uid, props):
                    pass

            Crm().people_set("u1", {"favourite": "blue"})
            """
        }
    )
    assert not [c for c in _found(result) if c[1] == "CIO008"]


# --------------------------------------------------------- whose limits apply (destinations)
_LONG = "Order " + "x" * 120  # over Customer.io's 100-byte event name limit (CIO101)
_LIMITS = f"""\
from mixpanel import Mixpanel

mp = Mixpanel("token")

def f(user):
    mp.track(user.id, "{_LONG}")
    mp.people_set(user.id, {{"email": user.email, "created_at": "2024-01-01"}})
"""


def test_customerio_limits_are_not_mixpanels(lint: Lint) -> None:
    found = _found(lint({"app.py": _LIMITS}))
    assert not [c for _, c in found if c.startswith("CIO10")]
    assert (6, "CIO001") in found  # the plan still applies


def test_destinations_customerio_brings_its_limits(lint: Lint) -> None:
    found = _found(lint({"app.py": _LIMITS}, destinations=("customerio",)))
    assert (6, "CIO101") in found and (7, "CIO105") in found


def _cli(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cio_lint.cli import run; run()", "--no-cache", "."],
        cwd=root,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_destinations_in_pyproject(project: Callable[..., Path]) -> None:
    root = project({"app.py": _LIMITS})
    (root / "pyproject.toml").write_text('[tool.cio-lint]\ndestinations = ["customerio"]\n')
    done = _cli(root)
    assert "CIO101" in done.stdout and done.returncode == 1, done.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('["customer-io"]', "unknown destination `customer-io` (known: customerio)"),
        ('"customerio"', "`destinations` must be a list of strings"),
    ],
)
def test_a_bad_destinations_entry_is_exit_2(
    project: Callable[..., Path], value: str, message: str
) -> None:
    root = project({"app.py": _LIMITS})
    (root / "pyproject.toml").write_text(f"[tool.cio-lint]\ndestinations = {value}\n")
    done = _cli(root)
    assert done.returncode == 2 and done.stdout == "", (done.stdout, done.stderr)
    assert done.stderr.splitlines() == [
        f"Error: {root / 'pyproject.toml'}: [tool.cio-lint]: {message}"
    ]


@PREFILTER
@pytest.mark.parametrize(
    ("setup", "annotation", "call"),
    [
        ("from mixpanel import Mixpanel", "Mixpanel", 'track(user.id, "Project Deleted")'),
        ("from customerio.analytics import Client", "Client", 'track(user.id, "Project Deleted")'),
    ],
    ids=["mixpanel", "segment"],
)
def test_an_annotated_init_parameter_kept_in_an_attribute(
    lint: Lint, prefilter: bool, setup: str, annotation: str, call: str
) -> None:
    """``def __init__(self, client: Mixpanel): self.client = client``: the attribute holds
    what the annotation says, for every SDK (the class is built where no caller is visible)."""
    result = lint(
        {
            "app.py": f"""\
            {setup}

            class Service:
                def __init__(self, client: {annotation}) -> None:
                    self.client = client

                def deleted(self, user):
                    self.client.{call}
            """
        },
        prefilter=prefilter,
    )
    assert (8, "CIO001") in _found(result)
    assert (8, "CIO902") not in _found(result)


def test_show_settings_lists_the_destinations(project: Callable[..., Path]) -> None:
    root = project({"app.py": _LIMITS})
    (root / "pyproject.toml").write_text('[tool.cio-lint]\ndestinations = ["customerio"]\n')
    done = subprocess.run(
        [sys.executable, "-c", "from cio_lint.cli import run; run()", "--show-settings"],
        cwd=root,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "destinations = ['customerio']" in done.stdout.splitlines()
