"""``files.write_atomic``: the one way cio-lint writes files (fixes, baselines, cache entries)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cio_lint.files import write_atomic


def test_a_new_file_gets_the_umask_mode_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        new = tmp_path / "new.txt"
        write_atomic(new, b"one", durable=False)
        assert new.read_bytes() == b"one" and stat.S_IMODE(new.stat().st_mode) == 0o640
        os.chmod(new, 0o600)
        write_atomic(new, b"two")
        assert new.read_bytes() == b"two" and stat.S_IMODE(new.stat().st_mode) == 0o600
    finally:
        os.umask(umask)
    assert [p.name for p in tmp_path.iterdir()] == ["new.txt"]  # no temporary file left


def test_a_failed_write_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kept.txt"
    target.write_bytes(b"original")

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]
