"""CIO902 unresolved-sdk-receiver (issue 10, item 6): never silent about a call it could not check.

Each negative case sits next to a control call that is reported, so that every test fails
without the rule, and shows that precisely the look-alike is left alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Lint

from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan

CDP = "from customerio import analytics\n"
CONTROL = (
    "def control(request, user):\n"
    "    request.tenant.analytics_client.track(user.id, 'Signed Up', {'plan': 'pro'})\n"
)


# a control for look-alikes of ``track`` (a project class defining ``track`` silences tracks only)
IDENTIFY_CONTROL = (
    "def control(request, user):\n"
    "    request.tenant.analytics_client.identify(user.id, {'email': user.email})\n"
)


def _cio902(result) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.message) for f in result.findings if f.code == "CIO902"]


def _lines(result) -> list[tuple[str, int]]:
    return [(p, line) for p, line, _ in _cio902(result)]


def test_attribute_chain_of_unknown_type_is_reported_with_the_hint(lint: Lint) -> None:
    result = lint({"views.py": CDP + CONTROL})
    message = (
        "Call `request.tenant.analytics_client.track()` looks like an SDK call but its receiver "
        "could not be resolved; declare it in [tool.cio-lint.wrappers] or annotate the client"
    )
    assert _cio902(result) == [("views.py", 3, message)]
    finding = next(f for f in result.findings if f.code == "CIO902")
    assert finding.severity == "warning" and finding.name == "unresolved-sdk-receiver"
    assert (finding.column, finding.end_line) == (5, 3)


def test_client_attribute_set_to_none_in_view_is_reported(lint: Lint) -> None:
    source = (
        "from customerio import CustomerIO\n"
        "class Service:\n"
        "    def __init__(self):\n"
        "        self.client = None\n"
        "    def signed_up(self, user):\n"
        "        self.client.track(user.id, 'Signed Up', data={'plan': 'pro'})\n"
        "    def seen(self, user):\n"
        "        self.client.identify(user.id, email=user.email)\n"
    )
    result = lint({"service.py": source})
    assert _lines(result) == [("service.py", 6), ("service.py", 8)]
    assert "`self.client.track()`" in _cio902(result)[0][2]
    assert "`self.client.identify()`" in _cio902(result)[1][2]


def test_member_name_two_classes_hold_a_client_under_is_reported(lint: Lint) -> None:
    """Item 2's ambiguous case: two candidate classes, so the receiver stays unresolved."""
    files = {
        "app/__init__.py": "",
        "app/sites.py": (
            "from customerio.analytics import Client\n"
            "class SiteA:\n    analytics_client = Client('a')\n"
            "class SiteB:\n    analytics_client = Client('b')\n"
        ),
        "app/views.py": (
            "from app.sites import SiteA, SiteB\n"
            "def signup(request, user):\n"
            "    request.site.analytics_client.track(user.id, 'Signed Up', {'plan': 'pro'})\n"
        ),
    }
    assert _lines(lint(files)) == [("app/views.py", 3)]


def test_a_file_importing_only_a_module_that_holds_a_client_qualifies(lint: Lint) -> None:
    files = {
        "app/__init__.py": "",
        "app/clients.py": "from customerio.analytics import Client\nclient = Client('k')\n",
        "app/views.py": (
            "from app.clients import client\n"
            "def send(svc, user):\n"
            "    client.identify(user.id, {'email': user.email})\n"
            "    svc.segment.track(user.id, 'Signed Up', {'plan': 'pro'})\n"
        ),
        # the same call in a file that imports neither: not reported
        "app/other.py": (
            "def send(svc, user):\n    svc.segment.track(user.id, 'Signed Up', {'plan': 'pro'})\n"
        ),
    }
    assert _lines(lint(files)) == [("app/views.py", 4)]


def test_unannotated_client_parameter_is_reported(lint: Lint) -> None:
    """Even one named like the SDK import: the SDK is not a parameter, but a client may be."""
    source = CDP + (
        "def send(client, user, analytics):\n"
        "    analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
        "    client.identify(user.id, {'email': user.email})\n"
        "    client.page(user.id, 'Docs', 'Home')\n"
        "    client.group(user.id, 'acme', {'name': 'Acme'})\n"
        "    client.alias('anon-1', user.id)\n"
        "    client.screen(anonymous_id='a1', name='Settings')\n"
    )
    assert [line for _, line in _lines(lint({"app.py": source}))] == [3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("lookalike", "why"),
    [
        (
            (
                "import logging\n"
                "class Job:\n"
                "    def __init__(self):\n"
                "        self.logger = logging.getLogger(__name__)\n"
                "    def run(self, user):\n"
                "        self.logger.track(user.id, 'Signed Up', {})\n"
            ),
            "an external object's attribute",
        ),
        (
            "def count(metrics, name):\n    metrics.track(name)\n",
            "one argument: not the SDK's shape",
        ),
        ("def nothing(x):\n    x.track()\n", "no arguments"),
        ("def handle(self, event_obj):\n    self.track(event_obj)\n", "one positional"),
        (
            (
                "class Tracker:\n"
                "    def track(self, name):\n"
                "        return name\n"
                "def f(tracker, user):\n"
                "    tracker.track('x')\n"
                "    tracker.track(user.id, 'Signed Up')\n"
                "    Tracker().track(user.id, 'Signed Up')\n"
            ),
            "a project class with its own track",
        ),
        (
            (
                "import requests\n"
                "def fetch(user):\n"
                "    session = requests.Session()\n"
                "    session.get('https://example.com', timeout=3)\n"
                "    session.track(user.id, 'Signed Up', {})\n"
            ),
            "an external library object",
        ),
        (
            (
                "import re\n"
                "def parse(text):\n"
                "    m = re.match('(a)(b)', text)\n"
                "    return m.group(1, 2)\n"
            ),
            "re.Match.group",
        ),
        (
            "def paginate(paginator, number, size):\n    return paginator.page(number, size)\n",
            "no page name",
        ),
        ("def odd(x):\n    x.track(1, 2)\n", "an event that is a number"),
        (
            "def bus(analytics, shipment):\n    analytics.track('shipment.dispatched', shipment.id)\n",
            "an event bus: a literal name, then a payload",
        ),
        (
            (
                "def direct(user):\n"
                "    analytics.track(user.id, 'Signed Up', {'plan': 'pro', 'signup_method': 'email'})\n"
            ),
            "resolved: an SDK call, checked",
        ),
        (
            ("import statsd\ndef stat(user):\n    statsd.track(user.id, 'signups')\n"),
            "an external module's function",
        ),
    ],
)
def test_lookalikes_are_not_reported(lint: Lint, lookalike: str, why: str) -> None:
    result = lint({"app.py": CDP + lookalike + IDENTIFY_CONTROL})
    control = 1 + lookalike.count("\n") + 2
    assert _lines(result) == [("app.py", control)], why


def test_a_lookalike_class_imported_from_another_module_is_in_view(lint: Lint) -> None:
    files = {
        "app/__init__.py": "",
        "app/warehouse.py": (
            "class Warehouse:\n"
            "    def track(self, user_id, event, properties):\n"
            "        return None\n"
        ),
        "app/jobs.py": (
            CDP + "from app.warehouse import Warehouse\n"
            "def mirror(wh, row):\n"
            "    wh.track(row.user_id, row.event, row.properties)\n"
        ),
        "app/views.py": CDP + CONTROL,
    }
    assert _lines(lint(files)) == [("app/views.py", 3)]


def test_a_declared_wrapper_method_is_resolved_not_reported(lint: Lint) -> None:
    files = {
        "app/__init__.py": "",
        "app/telemetry.py": (
            CDP + "def track_event(user, name, **props):\n"
            "    analytics.track(user.id, name, props)\n"
        ),
        "app/views.py": (
            CDP + "from app.telemetry import track_event\n"
            "def v(user, svc):\n"
            "    track_event(user, 'Signed Up', plan='pro', signup_method='email')\n"
            "    svc.track(user.id, 'Signed Up', {'plan': 'pro'})\n"
        ),
    }
    result = lint(files)
    assert _lines(result) == [("app/views.py", 5)]
    assert result.through_wrappers == 1


def test_suppression_and_ignore_apply(lint: Lint) -> None:
    source = (
        CDP
        + CONTROL.replace("'pro'})\n", "'pro'})  # cio-lint: ignore[CIO902]\n")
        + CONTROL.replace("control", "control2")
    )
    assert _lines(lint({"app.py": source})) == [("app.py", 5)]
    assert _lines(lint({"app.py": CDP + CONTROL}, ignore=("CIO902",))) == []


PROJECT = {
    "app/__init__.py": "",
    "app/clients.py": "from customerio.analytics import Client\nclient = Client('k')\n",
    "app/views.py": (
        "from app.clients import client\n"
        "import logging\n"
        "log = logging.getLogger(__name__)\n"
        "def unrelated(x):\n"  # mentions nothing the file imports: trimming's candidate
        "    return x * 2\n"
        "def tenant_signup(request, user):\n"
        "    request.tenant.analytics_client.track(user.id, 'Signed Up', {'plan': 'pro'})\n"
        "def logged(user):\n"
        "    log.track(user.id, 'Signed Up', {})\n"
        "class Service:\n"
        "    def __init__(self):\n"
        "        self.cio = None\n"
        "    def run(self, user):\n"
        "        self.cio.identify(user.id, {'email': user.email})\n"
    ),
    "app/jobs.py": (
        "from customerio import analytics\n"
        "class Warehouse:\n"
        "    def track(self, user_id, event, properties):\n"
        "        return None\n"
        "def mirror(wh, row):\n"
        "    wh.track(row.user_id, row.event, row.properties)\n"
        "def lonely(svc, user):\n"
        "    svc.client.page(user.id, 'Docs', 'Home')\n"
    ),
}


def test_same_findings_with_and_without_the_prefilter(project) -> None:
    root = project(PROJECT)
    results = []
    for prefilter in (True, False):
        cfg = Config(
            root=root, cache=False, prefilter=prefilter, sdk_versions={"customerio": "3.2"}
        )
        results.append(lint_paths([root / "app"], cfg, load_plan(root / "tracking_plan"), jobs=1))
    with_prefilter, without = results
    assert _cio902(with_prefilter) == _cio902(without)
    assert _lines(with_prefilter) == [("app/jobs.py", 8), ("app/views.py", 7), ("app/views.py", 14)]
    assert with_prefilter.files_parsed < without.files_parsed or len(PROJECT) == 4


def test_trimming_keeps_units_with_sdk_method_calls() -> None:
    from cio_lint.analysis.trim import trim_with_words

    text = (
        "from customerio import analytics\n"
        "def a(svc, user):\n    svc.track(user.id, 'E')\n"
        "def b(m):\n    return m.group(1)\n"
        "class C:\n    def identify(self, x, y):\n        return x\n"
        "def d(x):\n    return x\n"
    )
    trimmed = trim_with_words(text, (), ("customerio",))
    assert trimmed.lines is not None
    kept = trimmed.text
    assert "svc.track" in kept and "def identify" in kept
    assert "m.group" not in kept and "return x\n" not in kept.split("def identify")[0]


def test_cached_rerun_reports_cio902_again(project, tmp_path: Path) -> None:
    root = project({"views.py": CDP + CONTROL})
    cfg = Config(root=root, cache_dir=tmp_path / "cache", sdk_versions={"customerio": "3.2"})
    plan = load_plan(root / "tracking_plan")
    cold = lint_paths([root], cfg, plan, jobs=1)
    warm = lint_paths([root], cfg, plan, jobs=1)
    assert warm.from_cache and _cio902(warm) == _cio902(cold) != []
