"""The engine reads an editor's unsaved buffer from ``discovery.OVERLAY`` (``cio-lint server``),
and its caches keep buffers and files apart: a buffer's stamp is a digest of its text, so a run
cached for a buffer is never the answer for the file on disk, nor the other way round."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cio_lint import discovery
from cio_lint.config import load_config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan
from cio_lint.rules.examples import EXAMPLE_PLAN

ON_DISK = (
    "from segment import analytics\n"
    "analytics.identify('u1', {'email': 'a@b.co'})\n"
    "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
)
BUFFER = ON_DISK.replace("'Signed Up'", "'signed up'")  # CIO002


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tracking_plan").mkdir()
    (tmp_path / "tracking_plan" / "plan.yaml").write_text(EXAMPLE_PLAN, encoding="utf-8")
    (tmp_path / "app.py").write_text(ON_DISK, encoding="utf-8")
    return tmp_path


@pytest.fixture
def overlay() -> Iterator[dict[str, bytes]]:
    discovery.OVERLAY.clear()
    try:
        yield discovery.OVERLAY
    finally:
        discovery.OVERLAY.clear()


def codes(project: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(project)
    config = load_config(project)
    plan = load_plan(project / "tracking_plan")
    return [f.code for f in lint_paths([project / "app.py"], config, plan, jobs=1).findings]


def test_the_buffer_is_checked_and_the_caches_keep_it_apart_from_the_file(
    project: Path, overlay: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = str((project / "app.py").resolve())
    assert "CIO002" not in codes(project, monkeypatch)  # the file, and a warm cache of it
    overlay[app] = BUFFER.encode()
    assert "CIO002" in codes(project, monkeypatch)  # the buffer, not the cached file's run
    assert "CIO002" in codes(project, monkeypatch)  # the buffer's run, now cached
    assert (project / "app.py").read_text(encoding="utf-8") == ON_DISK
    overlay.clear()
    assert "CIO002" not in codes(project, monkeypatch)  # the file again, from the cache
    # and the command line, on the same cache folder, sees the file
    out = subprocess.run(
        [sys.executable, "-m", "cio_lint", "app.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "CIO002" not in out.stdout
