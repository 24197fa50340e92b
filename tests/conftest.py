from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cio_lint.config import Config
from cio_lint.engine import LintResult, lint_paths
from cio_lint.plan import load_plan
from cio_lint.rules.examples import EXAMPLE_PLAN

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _same_cwd_after_each_test() -> Iterator[None]:
    """Every test ends in the folder it started in: some change it on purpose (the fuzz
    harness leaves a project it deletes; a socket is bound by a relative name), and a later
    test on the same worker must not see paths relative to a folder that is gone."""
    cwd = os.getcwd()
    yield
    os.chdir(cwd)


Lint = Callable[..., LintResult]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write a small project: ``{relative path: source}`` plus a tracking plan."""

    def make(files: dict[str, str], plan: str = EXAMPLE_PLAN) -> Path:
        (tmp_path / "tracking_plan").mkdir(exist_ok=True)
        (tmp_path / "tracking_plan" / "plan.yaml").write_text(plan)
        for rel, source in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


@pytest.fixture
def lint(project: Callable[..., Path]) -> Lint:
    """Lint a small project and return the result; ``codes(result)`` lists (path, line, code)."""

    def run(files: dict[str, str], plan: str = EXAMPLE_PLAN, **config: object) -> LintResult:
        root = project(files, plan)
        cfg = Config(root=root, **{"sdk_versions": {"customerio": "3.2"}, "cache": False, **config})  # type: ignore[arg-type]
        return lint_paths([root], cfg, load_plan(root / "tracking_plan"), jobs=1)

    return run


def codes(result: LintResult) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.code) for f in result.findings]


# the plan the capture tests of PostHog (7 and 6) and Mixpanel validate against
CAPTURE_PLAN = textwrap.dedent(
    """
    version: 1
    defaults:
      additionalProperties: false
    identify:
      properties:
        email: {type: string}
    events:
      Signed Up:
        properties:
          plan: {enum: [free, pro]}
        required: [plan]
      Report Exported:
        properties: {}
    """
)


def run_cli(
    cwd: Path, *args: str, timeout: float = 60, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """``cio-lint ARGS`` in a process of its own, as the console script runs it (``cli.run``);
    ``kwargs`` go to ``subprocess.run`` (``env=...``)."""
    return subprocess.run(
        [sys.executable, "-c", "from cio_lint.cli import run; run()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        **kwargs,
    )
