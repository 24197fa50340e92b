"""The command line's deferred plan (``plan.handle.PlanHandle``): a run the cache answers does
not load the plan, yet says what loading it would (its warnings, its errors when it changed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

import cio_lint
from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import PlanError
from cio_lint.plan.handle import PlanHandle

PLAN = """\
version: 1
events:
  Signed Up:
    properties:
      plan: {type: string, maxLenght: 10}
"""
APP = "from customerio import analytics\n\ndef f(u):\n    analytics.track(u, 'Signed Upp', {})\n"


def _project(root: Path) -> Path:
    (root / "tracking_plan").mkdir()
    (root / "tracking_plan" / "plan.yaml").write_text(PLAN)
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "views.py").write_text(APP)
    return root


def _lint(root: Path, handle: PlanHandle):  # type: ignore[no-untyped-def]
    config = Config(root=root, cache_dir=root / "cache", sdk_versions={"customerio": "3.2"})
    return lint_paths([root / "app"], config, handle, jobs=1)


def test_a_warm_run_does_not_load_the_plan_and_keeps_its_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    cold_plan = PlanHandle(root / "tracking_plan")
    cold = _lint(root, cold_plan)
    assert cold_plan.loaded and not cold.from_cache
    warned = [str(w) for w in cold_plan.warnings]
    assert len(warned) == 1 and "maxLenght" in warned[0]

    warm_plan = PlanHandle(root / "tracking_plan")
    warm = _lint(root, warm_plan)
    assert warm.from_cache and not warm_plan.loaded
    assert [(f.code, f.line) for f in warm.findings] == [(f.code, f.line) for f in cold.findings]
    assert list(warm_plan.warnings) == warned and not warm_plan.loaded

    # a touched file that changes nothing (the early cutoff) does not load it either
    os.utime(root / "app" / "views.py", ns=(1, 1))
    touched_plan = PlanHandle(root / "tracking_plan")
    assert _lint(root, touched_plan).from_cache and not touched_plan.loaded
    assert list(touched_plan.warnings) == warned


def test_any_change_to_a_plan_file_is_a_new_fingerprint(tmp_path: Path) -> None:
    root = _project(tmp_path)
    folder = root / "tracking_plan"
    seen = {PlanHandle(folder).fingerprint}
    (folder / "plan.yaml").write_text(PLAN.replace("10", "11"))
    seen.add(PlanHandle(folder).fingerprint)
    # a file the loader reads without a plan suffix (an Iglu schema), in a subfolder
    (folder / "schemas" / "com.acme" / "signed_up" / "jsonschema").mkdir(parents=True)
    iglu = folder / "schemas" / "com.acme" / "signed_up" / "jsonschema" / "1-0-0"
    iglu.write_text("{}")
    seen.add(PlanHandle(folder).fingerprint)
    iglu.write_text('{"type": "object"}')
    seen.add(PlanHandle(folder).fingerprint)
    # the workspace snapshot and hidden files have fingerprints (or no meaning) of their own
    (folder / "customerio-workspace.json").write_text("{}")
    (folder / ".notes").write_text("x")
    seen.add(PlanHandle(folder).fingerprint)
    assert len(seen) == 4
    single = PlanHandle(folder / "plan.yaml")
    assert single.fingerprint not in seen and single.root == folder.resolve()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_the_plan_folder_is_not_opened(tmp_path: Path) -> None:
    root = _project(tmp_path)
    os.mkfifo(root / "tracking_plan" / "pipe.yaml")
    handle = PlanHandle(root / "tracking_plan")
    assert len(handle.fingerprint) == 64  # returned: the FIFO was never read


def test_a_plan_broken_since_the_cached_run_is_still_exit_2(tmp_path: Path) -> None:
    root = _project(tmp_path)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(cio_lint.__file__).resolve().parents[1])
    env.pop("CI", None)

    def run() -> subprocess.CompletedProcess[str]:
        return run_cli(root, "app", "-j", "1", env=env, timeout=300)

    first, second = run(), run()
    assert first.returncode == second.returncode == 1
    # the warning is printed by the run that loaded the plan and by the one the cache answered
    assert "maxLenght" in first.stderr and "maxLenght" in second.stderr
    (root / "tracking_plan" / "plan.yaml").write_text("version: 1\nevents: [\n")
    broken = run()
    assert broken.returncode == 2, broken.stderr
    assert "plan.yaml" in broken.stderr and "Traceback" not in broken.stderr


def test_anything_but_the_fingerprint_loads_the_plan(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tracking_plan" / "plan.yaml").write_text("version: 1\nevents: [\n")
    handle = PlanHandle(root / "tracking_plan")
    assert handle.fingerprint and not handle.loaded
    with pytest.raises(PlanError):
        _ = handle.events


def test_a_linked_folder_is_left_out_as_the_loader_leaves_it_out(tmp_path: Path) -> None:
    """The loader does not walk into a link to a folder (``rglob``), so neither does the
    fingerprint: a link back up the tree cannot make the walk endless."""
    root = _project(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "common.yaml").write_text("version: 1\nevents:\n  Logged In: {}\n")
    (root / "tracking_plan" / "shared").symlink_to(shared, target_is_directory=True)
    (shared / "loop").symlink_to(root / "tracking_plan", target_is_directory=True)
    before = PlanHandle(root / "tracking_plan")
    assert "Logged In" not in before.events  # what the plan is
    (shared / "common.yaml").write_text("version: 1\nevents:\n  Logged Out: {}\n")
    assert PlanHandle(root / "tracking_plan").fingerprint == before.fingerprint
