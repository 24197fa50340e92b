"""``model.relative``'s string fast path gives exactly what ``Path.relative_to`` gives (it
runs for every file of a warm run: ``engine._fits``)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from cio_lint.model import relative


def _pathlib(path: str, cwd: Path) -> str:
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, cwd)).as_posix() if os.path.isabs(path) else path


@pytest.mark.skipif(os.sep != "/", reason="the fast path is POSIX-only; elsewhere pathlib runs")
@pytest.mark.parametrize("cwd", [Path("/work/main"), Path("/")])
def test_relative_is_pathlibs_answer(cwd: Path) -> None:
    parts = ["a", ".", "..", "", "b.py", ".hidden", "x y", "é", "...", ". "]
    base = str(cwd).rstrip("/")
    checked = 0
    for k in range(1, 4):
        for combo in itertools.product(parts, repeat=k):
            tail = "/".join(combo)
            for path in (
                f"{base}/{tail}",
                f"{base}/{tail}/",
                f"{base}x/{tail}",
                tail,
                f"{base}//{tail}",
            ):
                assert relative(path, cwd) == _pathlib(path, cwd), path
                checked += 1
    assert checked == 5 * sum(len(parts) ** k for k in range(1, 4))
