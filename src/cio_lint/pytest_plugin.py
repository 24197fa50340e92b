"""pytest plugin: the ``cio_events`` fixture, runtime plan validation and ``--cio-coverage``.

Thin glue over ``cio_lint.capture``: options and marker, the fixture that starts an
``EventRecorder``, the checks that turn plan violations into test failures, and the session
summary (merged across pytest-xdist workers). Inert for tests that do not request
``cio_events`` unless ``--cio-coverage`` is on, which only *watches* every test's SDK calls.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cio_lint.capture import EventRecorder
from cio_lint.capture._sites import Site
from cio_lint.capture.validate import Violation, validate
from cio_lint.capture.workspace_check import Snapshots, is_send

if TYPE_CHECKING:
    from cio_lint.plan import Plan
    from cio_lint.workspace.snapshot import Snapshot

__all__ = ["CioLintWarning", "cio_events"]

MARKER = "cio_lint"
_WORKER_KEY = "cio_lint_emitted"
_OPT_OUT = f"@pytest.mark.{MARKER}(validate=False)"


class CioLintWarning(pytest.PytestWarning):
    """A captured call triggered a warning-severity finding (e.g. CIO012 deprecated-event)."""


# --------------------------------------------------------------------------- options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cio-lint", "cio-lint: analytics calls against the tracking plan")
    group.addoption(
        "--cio-plan",
        dest="cio_plan",
        metavar="PATH",
        default=None,
        help="tracking plan folder for cio_events validation "
        "(default: tracking_plan/ found by walking up from each test file, like the CLI).",
    )
    group.addoption(
        "--cio-coverage",
        dest="cio_coverage",
        action="store_true",
        default=False,
        help="at the end of the session, list the planned events no test emitted.",
    )
    group.addoption(
        "--cio-workspace",
        dest="cio_workspace",
        metavar="FILE",
        default=None,
        help="Customer.io workspace snapshot for transactional sends (default: as the CLI: "
        "`workspace` in [tool.cio-lint], else customerio-workspace.json beside the plan).",
    )
    parser.addini("cio_plan", "tracking plan folder (relative to the ini file).", default="")
    parser.addini(
        "cio_coverage", "report planned events no test emitted.", type="bool", default=False
    )


class _State:
    """Per-session: where the plan is, the loaded plans, and the event names emitted."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.coverage = bool(config.getoption("cio_coverage") or config.getini("cio_coverage"))
        self.explicit_plan = self._explicit_plan()
        self.emitted: set[str] = set()
        self._found: dict[Path, Path | None] = {}
        self._loaded: dict[Path, Plan | BaseException] = {}
        option = config.getoption("cio_workspace")
        from cio_lint.workspace.snapshot import SnapshotError

        try:
            self.snapshots = Snapshots(config.invocation_params.dir / option if option else None)
        except SnapshotError as exc:
            raise pytest.UsageError(f"cio-lint: --cio-workspace {exc}") from None

    def _explicit_plan(self) -> Path | None:
        option = self.config.getoption("cio_plan")
        if option:
            path = Path(option)
            base = self.config.invocation_params.dir
            origin = "--cio-plan"
        else:
            ini = str(self.config.getini("cio_plan") or "").strip()
            if not ini:
                return None
            path = Path(ini)
            inipath = self.config.inipath
            base = inipath.parent if inipath else self.config.rootpath
            origin = "cio_plan (ini)"
        path = path if path.is_absolute() else base / path
        if not path.exists():
            raise pytest.UsageError(f"cio-lint: {origin} {path} does not exist")
        return path

    def plan_path(self, start: Path) -> Path | None:
        if self.explicit_plan is not None:
            return self.explicit_plan
        start = start if start.is_dir() else start.parent
        if start not in self._found:
            from cio_lint.config import ConfigError, load_config
            from cio_lint.plan import find_plan

            try:  # `plan` in [tool.cio-lint], as the command reads it, then tracking_plan/
                settings = load_config(start)
            except ConfigError as exc:
                raise pytest.UsageError(f"cio-lint: {exc}") from None
            configured = settings.plan
            if configured is not None and not configured.exists():
                raise pytest.UsageError(f"cio-lint: `plan` {configured} does not exist")
            # `plan = false`: the project has none, whatever folder is above it
            self._found[start] = None if settings.no_plan else configured or find_plan(start)
        return self._found[start]

    def load(self, path: Path) -> Plan:
        """The plan at ``path``, loaded once per session (errors are cached too)."""
        if path not in self._loaded:
            from cio_lint.plan import PlanError, load_plan

            try:
                self._loaded[path] = load_plan(path)
            except PlanError as exc:
                self._loaded[path] = exc
        result = self._loaded[path]
        if isinstance(result, BaseException):
            raise result
        return result


_STATE = pytest.StashKey[_State]()
_RECORDER = pytest.StashKey[EventRecorder]()
_CALL_PASSED = pytest.StashKey[bool]()
_REPORTED = pytest.StashKey[set[tuple[str, str, str]]]()
_UNVALIDATED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(validate=True): cio-lint options for this test's cio_events; "
        "validate=False skips the tracking-plan check at teardown "
        "(ignore=[codes] skips only those codes).",
    )
    config.stash[_STATE] = _State(config)


# --------------------------------------------------------------------------- fixture


@pytest.fixture
def cio_events(request: pytest.FixtureRequest) -> Iterator[EventRecorder]:
    """Capture every analytics SDK message of this test (nothing is sent); assert on them.

    When a tracking plan is found, the captured messages are validated against it after the
    test, with the same codes as ``cio-lint`` (plus runtime CIO003).
    """
    recorder = EventRecorder().start()
    item = request.node
    item.stash[_RECORDER] = recorder
    try:
        yield recorder
    finally:
        recorder.stop()
    if item.stash.get(_CALL_PASSED, False):
        _check(item, recorder)


def _marker_options(item: pytest.Item) -> tuple[bool, tuple[str, ...]]:
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return True, ()
    unknown = set(marker.kwargs) - {"validate", "ignore"}
    if unknown or len(marker.args) > 1:
        pytest.fail(
            f"{MARKER} marker: unexpected arguments {sorted(unknown) or list(marker.args)}; "
            f"use {MARKER}(validate=True, ignore=[codes])",
            pytrace=False,
        )
    validate_ = bool(marker.kwargs.get("validate", marker.args[0] if marker.args else True))
    ignore: Any = marker.kwargs.get("ignore", ())
    codes = (ignore,) if isinstance(ignore, str) else tuple(str(c) for c in ignore)
    return validate_, codes


def _check(item: pytest.Item, recorder: EventRecorder) -> None:
    """Fail the test with one line per plan violation not reported yet."""
    __tracebackhide__ = True
    validate_, ignore = _marker_options(item)
    messages = recorder.messages
    if not validate_ or not messages:
        return
    state = item.config.stash[_STATE]
    from cio_lint.plan import PlanError

    path = state.plan_path(Path(str(item.path)))
    if path is None:  # said, never silent: the messages were captured but not validated
        if item.stash.get(_UNVALIDATED, False):
            return  # said once per test (the check runs after the call and at teardown)
        item.stash[_UNVALIDATED] = True
        count = len(messages)
        warnings.warn_explicit(
            CioLintWarning(
                f"cio-lint: {count} captured analytics message{'s' if count != 1 else ''} not "
                "validated: no tracking plan found (`plan` in [tool.cio-lint], or tracking_plan/ "
                "from the test's folder upwards); pass --cio-plan PATH"
            ),
            CioLintWarning,
            str(item.path),
            (item.location[1] or 0) + 1,
        )
        return
    try:
        plan = state.load(path)
    except PlanError as exc:
        error: PlanError | None = exc
    else:
        error = None
    if error is not None:
        pytest.fail(
            f"cio-lint: cannot validate the captured analytics calls: the tracking plan "
            f"could not be loaded ({_OPT_OUT} to skip)\n{error}",
            pytrace=False,
        )
    snapshot = _snapshot(item, state, plan) if any(map(is_send, messages)) else None
    violations = validate(
        messages,
        plan,
        path=item.nodeid,
        ignore=ignore,
        sites_of=recorder.sites_of,
        snapshot=snapshot,
    )
    place = _placer(item)
    reported = item.stash.setdefault(_REPORTED, set())
    fresh: list[Violation] = []
    for violation in violations:
        if violation.key not in reported:
            reported.add(violation.key)
            fresh.append(violation)
    for violation in fresh:
        if violation.severity != "error":
            lineno = (item.location[1] or 0) + 1
            warnings.warn_explicit(
                CioLintWarning(violation.render(place)), CioLintWarning, str(item.path), lineno
            )
    errors = [v for v in fresh if v.severity == "error"]
    if errors:
        noun = "violation" if len(errors) == 1 else "violations"
        lines = [
            (
                f"cio-lint: {len(errors)} tracking plan {noun} in the analytics calls of this "
                f"test (plan: {_shown(path, item.config)}"
                + (f", workspace: {_shown(snapshot.path, item.config)}" if snapshot else "")
                + "):"
            ),
            *(f"  {v.render(place)}" for v in errors),
            f"Fix the calls or the plan, or opt out with {_OPT_OUT}.",
        ]
        pytest.fail("\n".join(lines), pytrace=False)


def _snapshot(item: pytest.Item, state: _State, plan: Plan) -> Snapshot | None:
    """The workspace snapshot of the test's project, or ``None``; one that cannot be loaded
    fails the test, like a plan that cannot."""
    __tracebackhide__ = True
    from cio_lint.config import ConfigError

    try:
        found = state.snapshots.path_for(Path(str(item.path)).parent, plan)
        return state.snapshots.load(found) if found is not None else None
    except ConfigError as exc:  # SnapshotError is one
        error = str(exc)
    pytest.fail(
        "cio-lint: cannot check the captured transactional sends: the workspace snapshot "
        f"could not be loaded ({_OPT_OUT} to skip)\n{error}",
        pytrace=False,
    )


def _placer(item: pytest.Item) -> Callable[[tuple[Site, ...]], str | None]:
    """Where a message was sent from, for a failure message: the project's innermost frame
    (``app/shop.py:12``), and the test's own line when the call came through other code
    (``app/shop.py:12, called from tests/test_shop.py:30``)."""
    test_file = os.path.normcase(str(item.path))

    def place(sites: tuple[Site, ...]) -> str | None:
        if not sites:
            return None
        first = f"{_shown(Path(sites[0][0]), item.config)}:{sites[0][1]}"
        if os.path.normcase(sites[0][0]) == test_file:
            return first
        for filename, line in sites[1:]:
            if os.path.normcase(filename) == test_file:
                return f"{first}, called from {_shown(Path(filename), item.config)}:{line}"
        return first

    return place


def _shown(path: Path, config: pytest.Config) -> str:
    try:
        return str(path.relative_to(config.rootpath))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- hooks


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    result = yield
    recorder = item.stash.get(_RECORDER, None)
    if recorder is not None:
        _check(item, recorder)
    # Teardown checks only what is captured after this point, and only for a passing test.
    item.stash[_CALL_PASSED] = True
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    state = item.config.stash.get(_STATE, None)
    if state is None or not state.coverage:
        return (yield)
    watcher = EventRecorder(intercept=False).start()
    try:
        return (yield)
    finally:
        watcher.stop()
        state.emitted.update(watcher.events)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    workeroutput = getattr(config, "workeroutput", None)
    if state is not None and state.coverage and workeroutput is not None:
        workeroutput[_WORKER_KEY] = sorted(state.emitted)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist: merge what a worker's tests emitted into the controller's set."""
    state = node.config.stash.get(_STATE, None)
    output = getattr(node, "workeroutput", None) or {}
    if state is not None:
        state.emitted.update(output.get(_WORKER_KEY, ()))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    state = config.stash.get(_STATE, None)
    if state is None or not state.coverage or hasattr(config, "workerinput"):
        return
    from cio_lint.plan import PlanError

    write = terminalreporter.write_line
    terminalreporter.write_sep("-", "cio-lint coverage")
    path = state.plan_path(config.rootpath)
    if path is None:
        write(
            f"no tracking plan found (looked for tracking_plan/ from {config.rootpath} upwards); "
            "pass --cio-plan PATH"
        )
        return
    try:
        plan = state.load(path)
    except PlanError as exc:
        write(f"the tracking plan could not be loaded:\n{exc}")
        return
    planned = [name for name, spec in plan.events.items() if not getattr(spec, "deprecated", False)]
    missing = [name for name in planned if name not in state.emitted]
    where = _shown(path, config)
    if not missing:
        write(f"all {len(planned)} planned events of {where} were emitted by tests")
        return
    write(
        f"{len(missing)} of {len(planned)} planned events of {where} were not emitted by any test:"
    )
    for name in missing:
        write(f"  {name}")
