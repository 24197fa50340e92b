"""The summary counts what was checked (issue 10, item 6): text, SARIF, cached reruns."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cio_lint.cli import main
from cio_lint.config import Config
from cio_lint.engine import LintResult, lint_paths
from cio_lint.plan import load_plan
from cio_lint.reporters import ReportContext, RunCounts, report_text

APP = {
    "app/__init__.py": "",
    "app/helpers.py": (
        "from customerio import analytics\n"
        "def track_event(user, name, **props):\n"
        "    analytics.track(user.id, name, props)\n"
        "def both(user, name):\n"  # one call site that emits two SDK calls
        "    analytics.identify(user.id, {'email': 'a@b.co'})\n"
        "    analytics.track(user.id, name, {})\n"
    ),
    "app/views.py": (
        "from customerio import analytics\n"
        "from app.helpers import track_event, both\n"
        "def v(user):\n"
        "    analytics.identify(user.id, {'email': 'a@b.co'})\n"
        "    track_event(user, 'Trial Started')\n"
        "    track_event(user, 'Nope')\n"
        "    both(user, 'Trial Started')\n"
        "def unrelated(x):\n"
        "    return x * 2\n"
    ),
    "app/plain.py": "def track(x):\n    return x\n",
}
# helpers.py: 3 direct SDK calls; views.py: 1 direct, 3 through wrappers; 4 target files
CHECKED = "Checked 7 SDK calls in 4 files (3 through wrappers)."


def _run(root: Path, **config: object) -> LintResult:
    cfg = Config(root=root, cache_dir=root / "cache", **config)  # type: ignore[arg-type]
    return lint_paths([root / "app"], cfg, load_plan(root / "tracking_plan"), jobs=1)


def _counts(result: LintResult) -> tuple[int, int, int]:
    return result.sdk_calls, result.files_checked, result.through_wrappers


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


def test_result_counts_call_sites_once_and_those_through_wrappers(project) -> None:
    root = project(APP)
    result = _run(root, cache=False)
    assert _counts(result) == (7, 4, 3)
    # ``both(...)`` emits two SDK calls: the call site is counted once
    sites = {(r.module.path, r.fact.id) for r in result.resolved}
    assert len(result.resolved) > len(sites) == 7


def test_text_summary_is_one_line_with_the_counts(project) -> None:
    project(APP)
    code, out = _cli("--no-cache", "app")
    assert code == 1
    assert out.splitlines()[-1] == f"{CHECKED} Found 1 error."


def test_summary_singular_and_without_wrappers(project) -> None:
    project(
        {"app.py": "from segment import analytics\nanalytics.identify('u1', {'email': 'a@b.co'})\n"}
    )
    code, out = _cli("--no-cache", "app.py")
    assert (code, out) == (0, "Checked 1 SDK call in 1 file. All checks passed!\n")


@pytest.mark.parametrize(
    ("counts", "line"),
    [
        (RunCounts(0, 0), "Checked 0 SDK calls in 0 files. All checks passed!"),
        (RunCounts(3, 4), "Checked 3 SDK calls in 4 files. All checks passed!"),
        (
            RunCounts(23, 12, 17),
            "Checked 23 SDK calls in 12 files (17 through wrappers). All checks passed!",
        ),
        (
            RunCounts(1, 1, 1),
            "Checked 1 SDK call in 1 file (1 through wrappers). All checks passed!",
        ),
    ],
)
def test_summary_wording(counts: RunCounts, line: str, tmp_path: Path) -> None:
    ctx = ReportContext(root=tmp_path, cwd=tmp_path, counts=counts)
    assert report_text([], ctx) == line + "\n"


def test_quiet_drops_the_summary_line(project) -> None:
    project(APP)
    code, out = _cli("--no-cache", "--quiet", "app")
    assert code == 1
    assert out.splitlines() == [
        "app/views.py:6:23: CIO001 Event `Nope` is not in the tracking plan"
    ]


def test_sarif_run_properties_hold_the_counts_json_stays_an_array(project) -> None:
    project(APP)
    _, out = _cli("--no-cache", "--format", "sarif", "app")
    run = json.loads(out)["runs"][0]
    assert run["properties"] == {"sdkCalls": 7, "files": 4, "throughWrappers": 3}
    _, out = _cli("--no-cache", "--format", "json", "app")
    assert isinstance(json.loads(out), list)


def test_cached_rerun_prints_the_same_counts(project) -> None:
    root = project(APP)
    cold = _run(root)
    warm = _run(root)
    assert warm.from_cache and not cold.from_cache
    assert _counts(warm) == _counts(cold) == (7, 4, 3)
    # through the CLI: the run cache of the CLI's own cache folder
    first = _cli("app")
    second = _cli("app")
    assert first == second and first[1].splitlines()[-1] == f"{CHECKED} Found 1 error."


def test_early_cutoff_keeps_the_counts(project) -> None:
    root = project(APP)
    cold = _run(root)
    views = root / "app/views.py"
    views.write_text(views.read_text().replace("x * 2", "x * 3"))  # trimmed-out code only
    st = views.stat()
    os.utime(views, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    cut = _run(root)
    assert cut.from_cache and cut.files_parsed == 1  # the early cutoff took it
    assert _counts(cut) == _counts(cold)
    again = _run(root)  # and the run entry it wrote
    assert again.from_cache and _counts(again) == _counts(cold)
