"""Imports resolved per import root (SPEC §3, docs/architecture.md): a project module named like
an SDK shadows it only for the files of its own root, and two services' ``app`` packages are two
module namespaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio_lint.config import Config
from cio_lint.engine import LintResult, lint_paths
from cio_lint.plan import load_plan

WEB_AND_CLI = {
    # run as a script from tools/cli/: its ``import analytics`` is the module beside it
    "tools/cli/analytics.py": "def track(user, name):\n    print(user, name)\n"
    "def track_cli(*args):\n    print(args)\n",
    "tools/cli/main.py": (
        "import analytics\n"
        "analytics.track_cli('u1', 'Nope CLI')\n"
        "analytics.track('u1', 'Nope CLI')\n"
    ),
    "web/app/__init__.py": "",
    "web/app/views.py": (
        "import analytics\n"
        "def signup(user):\n"
        "    analytics.identify(user.id, {'email': 'a@b.co'})\n"
        "    analytics.track(user.id, 'Nope Web')\n"
    ),
}


def _tracking(signature: str, send: str) -> str:
    return f"from customerio import analytics\ndef track_event({signature}):\n    {send}\n"


def _service(name: str, order: str) -> dict[str, str]:
    """A service with its own ``app`` package. ``order`` "ab": ``track_event(user, event)``,
    "ba": ``track_event(event, user)``; resolved against the other service's wrapper, the event
    would be the user."""
    base = f"services/{name}/src/app"
    if order == "ab":
        tracking = _tracking("user, event, **props", "analytics.track(user.id, event, props)")
        call = f"(user, 'Nope {name.upper()}')"
    else:
        tracking = _tracking("event, user, **props", "analytics.track(user.id, event, props)")
        call = f"('Nope {name.upper()}', user)"
    return {
        f"{base}/__init__.py": "",
        f"{base}/tracking.py": tracking,
        f"{base}/events.py": (
            f"from app.tracking import track_event\ndef v(user):\n    track_event{call}\n"
        ),
        f"{base}/more.py": (
            f"from . import tracking\ndef w(user):\n    tracking.track_event{call}\n"
        ),
        f"{base}/plain.py": "def nothing():\n    return 1\n",
    }


TWO_SERVICES = {**_service("a", "ab"), **_service("b", "ba")}

SHARED = {
    **TWO_SERVICES,
    "libs/shared/shared_pkg/__init__.py": "",
    "libs/shared/shared_pkg/send.py": (
        "from customerio import analytics\n"
        "def send(user, event):\n    analytics.track(user.id, event)\n"
    ),
    **{
        f"services/{s}/src/app/jobs.py": (
            f"from shared_pkg.send import send\ndef j(user):\n    send(user, 'Job {s.upper()}')\n"
        )
        for s in "ab"
    },
    # a script of service a, outside its source root: the nearest root with ``app`` is a's
    "services/a/manage.py": "from app.tracking import track_event\ntrack_event(None, 'Manage A')\n",
}

# Two script folders, each with its own ``helpers`` module holding a wrapper.
SCRIPTS = {
    f"scripts/{name}/{file}": source
    for name, order in (("a", "ab"), ("b", "ba"))
    for file, source in {
        "helpers.py": _service(name, order)[f"services/{name}/src/app/tracking.py"],
        "main.py": "import helpers\n"
        + (
            "helpers.track_event(None, 'Script A')\n"
            if order == "ab"
            else "helpers.track_event('Script B', None)\n"
        ),
        "plain.py": "def nothing():\n    return 1\n",
    }.items()
}


def _lint(root: Path, prefilter: bool = True) -> LintResult:
    cfg = Config(root=root, cache=False, prefilter=prefilter, sdk_versions={"customerio": "3.2"})
    return lint_paths([root], cfg, load_plan(root / "tracking_plan"), jobs=1)


def _unknown_events(result: LintResult) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in result.findings if f.code == "CIO001"]


def test_an_sdk_named_module_shadows_the_sdk_only_in_its_own_root(project) -> None:
    result = _lint(project(WEB_AND_CLI))
    assert _unknown_events(result) == [("web/app/views.py", 4)]
    resolved = sorted((Path(r.module.path).name, r.call.kind) for r in result.resolved)
    assert resolved == [("views.py", "identify"), ("views.py", "track")]  # nothing in tools/cli


def test_two_services_with_an_app_package_are_two_namespaces(project) -> None:
    result = _lint(project(TWO_SERVICES))
    assert _unknown_events(result) == [
        ("services/a/src/app/events.py", 3),
        ("services/a/src/app/more.py", 3),
        ("services/b/src/app/events.py", 3),
        ("services/b/src/app/more.py", 3),
    ]
    events = {
        (r.module.path.split("/services/")[1], r.call.event.value)  # type: ignore[union-attr]
        for r in result.resolved
        if r.emission.via
    }
    assert events == {
        ("a/src/app/events.py", "Nope A"),
        ("a/src/app/more.py", "Nope A"),
        ("b/src/app/events.py", "Nope B"),
        ("b/src/app/more.py", "Nope B"),
    }
    # each call site goes through the wrapper of its own service
    vias = {
        (r.module.path.split("/services/")[1][0], r.emission.via[0])
        for r in result.resolved
        if r.emission.via
    }
    assert vias == {
        ("a", "services/a/src:app.tracking.track_event"),
        ("b", "services/b/src:app.tracking.track_event"),
    }
    tracking = sorted(w.module for w in result.wrappers if w.qualname == "track_event")
    assert tracking == ["services/a/src:app.tracking", "services/b/src:app.tracking"]


def test_a_shared_library_root_is_found_by_both_services(project) -> None:
    result = _lint(project(SHARED))
    assert _unknown_events(result) == [
        ("services/a/manage.py", 2),
        ("services/a/src/app/events.py", 3),
        ("services/a/src/app/jobs.py", 3),
        ("services/a/src/app/more.py", 3),
        ("services/b/src/app/events.py", 3),
        ("services/b/src/app/jobs.py", 3),
        ("services/b/src/app/more.py", 3),
    ]
    messages = {f.path: f.message for f in result.findings if f.code == "CIO001"}
    assert "Job A" in messages["services/a/src/app/jobs.py"]
    assert "Job B" in messages["services/b/src/app/jobs.py"]
    assert "Manage A" in messages["services/a/manage.py"]


def test_a_name_two_other_roots_have_resolves_to_neither(project) -> None:
    """Seen from a third place, two services' ``app`` are ambiguous: no guess."""
    result = _lint(
        project(
            {
                **TWO_SERVICES,
                "ops/deploy.py": (
                    "from app.tracking import track_event\ntrack_event(None, 'Deploy')\n"
                ),
            }
        )
    )
    assert not [f for f in result.findings if f.path == "ops/deploy.py"]
    assert "services/a/src/app/events.py" in {f.path for f in result.findings}


def test_one_root_keeps_plain_module_names(project) -> None:
    files = {k.replace("services/a/src/", ""): v for k, v in _service("a", "ab").items()}
    result = _lint(project(files))
    assert [w.module for w in result.wrappers if w.qualname == "track_event"] == ["app.tracking"]
    assert _unknown_events(result) == [("app/events.py", 3), ("app/more.py", 3)]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (WEB_AND_CLI, [("web/app/views.py", 4)]),
        (
            TWO_SERVICES,
            [
                ("services/a/src/app/events.py", 3),
                ("services/a/src/app/more.py", 3),
                ("services/b/src/app/events.py", 3),
                ("services/b/src/app/more.py", 3),
            ],
        ),
        (SHARED, None),
        (SCRIPTS, [("scripts/a/main.py", 2), ("scripts/b/main.py", 2)]),
    ],
    ids=["web-and-cli", "two-services", "shared-library", "two-script-folders"],
)
def test_same_findings_with_and_without_the_prefilter(project, files, expected) -> None:
    root = project(files)
    with_prefilter, without = _lint(root), _lint(root, prefilter=False)
    summary = [(f.path, f.line, f.code, f.message) for f in with_prefilter.findings]
    assert summary == [(f.path, f.line, f.code, f.message) for f in without.findings]
    assert with_prefilter.files_parsed < without.files_parsed
    if expected is not None:
        assert _unknown_events(with_prefilter) == expected
    else:
        assert len(_unknown_events(with_prefilter)) == 7


def test_a_declared_wrapper_under_a_shared_package_name_binds_in_each_service(project) -> None:
    files = {
        **TWO_SERVICES,
        **{
            f"services/{s}/src/app/audit.py": (
                "from customerio import analytics\n"
                # (it mentions the SDK, so trimming keeps it)
                "def log_event(user, name):\n    analytics.flush()\n"
                f"def a(user):\n    log_event(user, 'Audit {s.upper()}')\n"
            )
            for s in "ab"
        },
    }
    root = project(files)
    wrappers = {"app.audit.log_event": {"kind": "track", "user_id": 0, "event": 1}}
    cfg = Config(root=root, cache=False, wrappers=wrappers, sdk_versions={"customerio": "3.2"})
    result = lint_paths([root], cfg, load_plan(root / "tracking_plan"), jobs=1)
    assert [p for p, _ in _unknown_events(result) if p.endswith("audit.py")] == [
        "services/a/src/app/audit.py",
        "services/b/src/app/audit.py",
    ]
    declared = sorted(w.module for w in result.wrappers if w.qualname == "declared:log_event")
    assert declared == ["services/a/src:app.audit", "services/b/src:app.audit"]
