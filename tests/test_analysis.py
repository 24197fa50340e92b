"""Call discovery and value resolution (SPEC §3): what is an SDK call, and what it sends."""

from __future__ import annotations

import pytest
from conftest import Lint, codes

GOOD = '"u1", "Order Completed", {"order_id": "1", "total": 2}'
BAD = '"u1", "order completed", {"order_id": "1", "total": 2}'


@pytest.mark.parametrize(
    "source",
    [
        f"import segment.analytics as sa\nsa.track({BAD})\n",
        f"from customerio.analytics import track as t\nt({BAD})\n",
        f"from customerio import analytics\nanalytics.track({BAD})\n",
        f"import customerio.analytics\ncustomerio.analytics.track({BAD})\n",
        f"import analytics\nanalytics.track({BAD})\n",
        f"from rudderstack import analytics as rudder\nrudder.track({BAD})\n",
        f"import rudder_analytics\nrudder_analytics.track({BAD})\n",
        f"def f():\n    from segment import analytics\n    analytics.track({BAD})\n",
        # keyword forms
        'from segment import analytics\nanalytics.track(user_id="u1", event="order completed", properties={"order_id": "1", "total": 2})\n',
        # client instances: module, class, self, local
        f"from segment.analytics import Client\nc = Client('k')\nc.track({BAD})\n",
        f"import customerio.analytics as a\nclass S:\n    client = a.Client('k')\n    def go(self):\n        self.client.track({BAD})\n",
        f"from segment.analytics.client import Client\nclass S:\n    def __init__(self):\n        self.c = Client('k')\n    def go(self):\n        self.c.track({BAD})\n",
        f"from rudderstack.analytics import Client\ndef go():\n    c = Client('k')\n    c.track({BAD})\n",
        # classic Track API
        'from customerio import CustomerIO\ncio = CustomerIO("s", "k")\ncio.track("u1", "order completed", data={"order_id": "1", "total": 2})\n',
        'import customerio\ncio = customerio.CustomerIO("s", "k")\ncio.track(customer_id="u1", name="order completed", data={"order_id": "1", "total": 2})\n',
    ],
)
def test_sdk_calls_are_found_through_every_alias(lint: Lint, source: str) -> None:
    result = lint(
        {
            "app.py": "def _i():\n    import segment.analytics as s\n    s.identify('x', {'email': 'a@b.co'})\n"
            + source
        }
    )
    assert "CIO002" in [c for _, _, c in codes(result)], codes(result)


@pytest.mark.parametrize(
    "source",
    [
        "def f(analytics):\n    analytics.track('u1', 'nope')\n",  # a parameter is not the SDK
        "class Shipment:\n    def track(self, n): ...\nShipment().track('nope')\n",
        "def f(recognizer):\n    recognizer.identify('img')\n",
        "import segment.analytics as a\ndef f(analytics):\n    analytics.track('u1', 'nope')\n",
        "from customerio import analytics\ndef f():\n    analytics = object()\n    analytics.track('u1', 'nope')\n",
    ],
)
def test_non_sdk_calls_are_not_checked(lint: Lint, source: str) -> None:
    # Not checked as SDK calls; a parameter called like the SDK import, in a file that imports
    # it, is said to be unchecked (CIO902, tests/test_unresolved.py) rather than passed silently.
    assert [c for c in codes(lint({"app.py": source})) if c[2] != "CIO902"] == []


def test_project_module_named_analytics_at_a_source_root_shadows_the_sdk(lint: Lint) -> None:
    result = lint(
        {
            "analytics.py": "def track(*a, **k):\n    pass\n",
            "app.py": "import analytics\nanalytics.track('u1', 'nope', {})\n",
        }
    )
    assert codes(result) == []


def test_nested_module_named_analytics_does_not_shadow_the_sdk(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/util/__init__.py": "",
            "app/util/analytics.py": "def track(*a, **k):\n    pass\n",
            "app/views.py": (
                "import analytics\nfrom app.util import analytics as mine\n"
                "analytics.identify('u1', {'email': 'a@b.co'})\n"
                "analytics.track('u1', 'nope')\nmine.track('u1', 'also nope')\n"
            ),
        }
    )
    assert codes(result) == [("app/views.py", 4, "CIO001")]


def test_constants_enums_and_class_attributes_across_modules(lint: Lint) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/names.py": (
                "from enum import Enum\n"
                "ORDER = 'order_completed'\n"
                "class Event(str, Enum):\n    SIGNED = 'Signed Up'\n    TRIAL = 'Trial Extended'\n"
                "class Names:\n    UNKNOWN = 'Nope'\n"
            ),
            "app/views.py": (
                "from segment import analytics\n"
                "from app import names\n"
                "from app.names import Event, Names\n"
                "def go(u):\n"
                "    analytics.identify(u, {'email': 'a@b.co'})\n"
                "    analytics.track(u, names.ORDER, {'order_id': '1', 'total': 1})\n"  # 6 CIO002
                "    analytics.track(u, Event.SIGNED, {'plan': 'pro'})\n"  # fine
                "    analytics.track(u, Event.TRIAL.value)\n"  # 8 CIO012
                "    analytics.track(u, Names.UNKNOWN)\n"  # 9 CIO001
            ),
        }
    )
    # reported once, where each offending value is written (SPEC §2): the definitions
    assert codes(result) == [
        ("app/names.py", 2, "CIO002"),
        ("app/names.py", 7, "CIO001"),
        ("app/views.py", 8, "CIO012"),  # a deprecated event: the use is the defect
    ]


def test_a_constant_outside_the_checked_files_is_reported_at_the_call(project) -> None:  # type: ignore[no-untyped-def]
    """On a pre-commit run of one file, a constant's definition is not being checked: the
    finding stays at the call (where it can be seen, suppressed and baselined)."""
    from cio_lint.config import Config
    from cio_lint.engine import lint_paths
    from cio_lint.plan import load_plan

    root = project(
        {
            "app/__init__.py": "",
            "app/names.py": "ORDER = 'order_completed'\n",
            "app/views.py": (
                "from segment import analytics\n"
                "from app import names\n"
                "def go(u):\n"
                "    analytics.track(u, names.ORDER, {'order_id': '1', 'total': 1})\n"
                "def again(u):\n"
                "    analytics.track(u, names.ORDER, {'order_id': '2', 'total': 1})\n"
            ),
        }
    )
    config = Config(root=root, cache=False)
    plan = load_plan(root / "tracking_plan")
    one = lint_paths([root / "app" / "views.py"], config, plan, jobs=1)
    assert [(f.path, f.line, f.code) for f in one.findings if f.code == "CIO002"] == [
        ("app/views.py", 4, "CIO002"),
        ("app/views.py", 6, "CIO002"),
    ]
    whole = lint_paths([root], config, plan, jobs=1)
    assert [(f.path, f.line, f.code) for f in whole.findings if f.code == "CIO002"] == [
        ("app/names.py", 1, "CIO002"),
    ]


def test_conditional_names_check_every_branch(lint: Lint) -> None:
    result = lint(
        {
            "app.py": (
                "from segment import analytics\n"
                "def go(u, ok):\n"
                "    analytics.identify(u, {'email': 'a@b.co'})\n"
                "    analytics.track(u, 'Trial Started' if ok else 'Trial Ended')\n"
            )
        }
    )
    assert [(f.code, f.message) for f in result.findings] == [
        (
            "CIO001",
            "Event `Trial Ended` is not in the tracking plan (did you mean `Trial Started`?)",
        )
    ]


def test_dicts_built_in_the_function_are_followed(lint: Lint) -> None:
    result = lint(
        {
            "app.py": (
                "from segment import analytics\n"
                "BASE = {'order_id': '1'}\n"
                "def go(u, total):\n"
                "    analytics.identify(u, {'email': 'a@b.co'})\n"
                "    props = dict(**BASE)\n"
                "    props['total'] = -1\n"
                "    props.update(coupon='X', total=total)\n"
                "    analytics.track(u, 'Order Completed', props)\n"
                "    p2 = {**BASE, 'total': 3}\n"
                "    p2['color'] = 'red'\n"
                "    analytics.track(u, 'Order Completed', p2)\n"
            )
        }
    )
    found = sorted((f.line, f.code) for f in result.findings)
    # total=-1 is overwritten by an unknown value; coupon and color are not planned
    assert found == [(7, "CIO004"), (10, "CIO004")]


def test_unknown_values_are_never_guessed(lint: Lint) -> None:
    result = lint(
        {
            "app.py": (
                "from segment import analytics\n"
                "def go(u, extra, name, total):\n"
                "    analytics.identify(u, {'email': 'a@b.co'})\n"
                "    analytics.track(u, 'Order Completed', {'order_id': '1', **extra})\n"  # open: no CIO005
                "    analytics.track(u, 'Order Completed', {'order_id': '1', 'total': total})\n"  # unknown value
                "    analytics.track(u, f'{name} Completed')\n"  # CIO007
                "    analytics.track(u, 'Order Completed', extra)\n"  # unknown properties
            )
        }
    )
    assert codes(result) == [("app.py", 6, "CIO007")]


@pytest.mark.parametrize(
    ("version", "call", "expected"),
    [
        ("3.2", 'cio.track("u1", "Trial Started", data={})', []),
        ("3.2", 'cio.track("u1", "Trial Started", data={"a": 1})', ["CIO004"]),
        ("3.2", 'cio.track("u1", "Trial Started", plan="pro")', ["CIO013"]),
        ("2.4", 'cio.track("u1", "Trial Started", plan="pro")', ["CIO004"]),
        ("2.4", 'cio.track("u1", "Trial Started")', []),
        ("3.2", 'cio.track("u1")', ["CIO013"]),
        ("3.2", 'cio.track_anonymous("a1", "Trial Started", {})', []),
    ],
)
def test_classic_signature_depends_on_the_installed_version(
    lint: Lint, version: str, call: str, expected: list[str]
) -> None:
    plan = "version: 1\nidentify: {properties: {email: {type: string}}}\nevents:\n  Trial Started:\n    properties: {}\n"
    result = lint(
        {
            "app.py": f"from customerio import CustomerIO\ncio = CustomerIO('s', 'k')\ncio.identify('u1', email='x')\n{call}\n"
        },
        plan,
        sdk_versions={"customerio": version},
    )
    assert [f.code for f in result.findings] == expected


def test_suppression_comments(lint: Lint) -> None:
    result = lint(
        {
            "app.py": (
                "from segment import analytics\n"
                "analytics.identify('u', {'email': 'a@b.co'})\n"
                "analytics.track('u', 'nope1')  # cio-lint: ignore[CIO001]\n"
                "analytics.track('u', 'nope2')  # cio-lint: ignore\n"
                "analytics.track('u', 'nope3')  # noqa: CIO001\n"
                "analytics.track('u', 'nope4')  # cio-lint: ignore[CIO002]\n"
                "analytics.track('u', 'nope5')\n"
            )
        }
    )
    # line 6: its comment names the wrong code, which hides nothing (CIO904)
    assert codes(result) == [
        ("app.py", 6, "CIO001"),
        ("app.py", 6, "CIO904"),
        ("app.py", 7, "CIO001"),
    ]


def test_unparsable_and_undecodable_files_are_findings_and_others_still_checked(
    lint: Lint, tmp_path
) -> None:
    result = lint(
        {
            "ok.py": "from segment import analytics\nanalytics.identify('u', {'email': 'a@b.co'})\nanalytics.track('u', 'nope')\n",
            "broken.py": "import analytics\ndef f(:\n    pass\n",
        }
    )
    (tmp_path / "latin.py").write_bytes(b"import customerio\nname = '\xe9'\n")
    from cio_lint.config import Config
    from cio_lint.engine import lint_paths
    from cio_lint.plan import load_plan

    result = lint_paths(
        [tmp_path], Config(root=tmp_path), load_plan(tmp_path / "tracking_plan"), jobs=1
    )
    assert codes(result) == [
        ("broken.py", 2, "CIO900"),
        ("latin.py", 2, "CIO900"),
        ("ok.py", 3, "CIO001"),
    ]
    assert "UTF-8" in result.findings[1].message


def test_prefilter_skips_files_that_cannot_matter(lint: Lint) -> None:
    result = lint(
        {
            "app.py": "from segment import analytics\nanalytics.identify('u', {'email': 'a@b.co'})\n",
            "other.py": "def track(x):\n    return x\ntrack('nope')\n",
            "more.py": "x = 1\n",
        }
    )
    assert result.files_checked == 3
    assert result.files_parsed == 1


def test_parallel_and_serial_runs_agree(project, tmp_path) -> None:
    from cio_lint.config import Config
    from cio_lint.engine import lint_paths
    from cio_lint.plan import load_plan

    files = {
        f"m{i}.py": f"from segment import analytics\nanalytics.identify('u', {{'email': 'a@b.co'}})\nanalytics.track('u', 'n{i}')\n"
        for i in range(30)
    }
    root = project(files)
    plan = load_plan(root / "tracking_plan")
    serial = lint_paths([root], Config(root=root), plan, jobs=1).findings
    parallel = lint_paths([root], Config(root=root), plan, jobs=2).findings
    assert len(serial) == 30
    assert serial == parallel


def test_files_that_cannot_matter_are_not_parsed_even_when_broken(lint: Lint) -> None:
    """Documented behaviour: CIO900 is reported for the files cio-lint needs to read."""
    result = lint(
        {
            "app.py": "from segment import analytics\nanalytics.identify('u', {'email': 'a@b.co'})\n",
            "py2.py": "print 'no sdk here'\n",
            "py2_sdk.py": "import analytics\nprint 'sdk here'\n",
        }
    )
    assert codes(result) == [("py2_sdk.py", 2, "CIO900")]


def test_one_line_suites_are_seen(lint: Lint) -> None:
    result = lint(
        {
            "app.py": (
                "from segment import analytics\n"
                "analytics.identify('u', {'email': 'a@b.co'})\n"
                "def f(u): analytics.track('u', 'Nope1')\n"
                "if True: analytics.track('u', 'Nope2')\n"
                "for _ in range(2): analytics.track('u', 'Nope3')\n"
            )
        }
    )
    assert codes(result) == [
        ("app.py", 3, "CIO001"),
        ("app.py", 4, "CIO001"),
        ("app.py", 5, "CIO001"),
    ]
