"""A plan the command line has found but not loaded yet: a warm run never needs more.

Loading a plan parses its files and checks every schema in them (``loader._check_file``), a
third of a warm run on the bench corpus. A run answered from the run cache needs only the
plan's *fingerprint* (part of the cache key) and the warnings its last load printed, which the
cache entry keeps. ``PlanHandle.fingerprint`` hashes the bytes of every file the plan can be
made of (every regular file below a plan folder but hidden ones and the workspace snapshot, or
the one plan file) without parsing them; anything else asked of the handle loads the plan, with
``PlanError`` as ``load_plan`` raises it. A cached run exists only for a plan that loaded (the
entry is written after the run), with the same bytes and the same cio-lint, so answering it
without loading changes no outcome. The folder is walked without following links to folders,
and never opens a FIFO; past ``_MAX_FILES`` files or ``_MAX_BYTES`` bytes the plan is loaded
instead (its own limits then apply).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cio_lint.plan.model import Plan

_SALT = b"cio-lint-plan-handle-v1\0"
_MAX_FILES = 2000
_MAX_BYTES = 64 * 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_SNAPSHOT = "customerio-workspace.json"  # has a fingerprint of its own (``workspace.snapshot``)


class PlanHandle:
    """``load_plan(path)``, deferred; attributes other than these load it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        resolved = self.path.resolve()
        self.root = resolved if resolved.is_dir() else resolved.parent
        self._plan: Plan | None = None
        self._fingerprint: str | None = None
        self._cached_warnings: tuple[str, ...] | None = None
        self._sources: tuple[Path, ...] | None = None

    @property
    def plan(self) -> Plan:
        if self._plan is None:
            from cio_lint.plan.loader import load_plan  # (jsonschema: only when it is needed)

            self._plan = load_plan(self.path)
        return self._plan

    @property
    def loaded(self) -> bool:
        return self._plan is not None

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            kind = b"folder" if self.path.is_dir() else b"file"  # loaded differently
            self._fingerprint = _digest(self.root, kind, self.sources()) or self.plan.fingerprint
        return self._fingerprint

    @property
    def files(self) -> tuple[Path, ...]:
        """The plan's files once loaded; before, the files it can be made of (what the
        snapshot lookup asks: whether the plan is a folder of files)."""
        return self._plan.files if self._plan is not None else self.sources()

    @property
    def warnings(self) -> tuple[object, ...]:
        """What loading the plan warned about: from the cache entry that answered the run, or
        from loading it."""
        if self._plan is None and self._cached_warnings is not None:
            return self._cached_warnings
        return tuple(self.plan.warnings)

    def note_warnings(self, warnings: tuple[str, ...]) -> None:
        """The warnings the run cache kept for this fingerprint (the run was answered there)."""
        self._cached_warnings = warnings

    def sources(self) -> tuple[Path, ...]:
        if self._sources is None:
            self._sources = tuple(_sources(self.path.resolve()) or ())
        return self._sources

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.plan, name)


def loaded(plan: object) -> object:
    """``plan`` itself, or the plan a handle stands for (loading it now)."""
    return plan.plan if isinstance(plan, PlanHandle) else plan


def _sources(path: Path) -> list[Path] | None:
    """Every regular file of the plan (sorted), or None past the limits."""
    if not path.is_dir():
        return [path] if path.is_file() else []
    found: list[Path] = []
    pending = [str(path)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            return None  # the loader says what is wrong with it
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file() and entry.name != _SNAPSHOT:  # follows a link to a file
                    found.append(Path(entry.path))
            except OSError:
                return None
            if len(found) > _MAX_FILES:
                return None
    return sorted(found, key=str)


def _digest(root: Path, kind: bytes, files: tuple[Path, ...]) -> str | None:
    if not files:
        return None  # not a plan this can stand for: load it (and fail as it fails)
    digest = hashlib.sha256(_SALT + kind + b"\0")
    total = 0
    for path in files:
        try:
            fd = os.open(path, _OPEN_FLAGS)  # never waits on a FIFO put there since the walk
            with open(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                data = handle.read(_MAX_BYTES - total + 1)
        except OSError:
            return None
        total += len(data)
        if total > _MAX_BYTES:
            return None
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            rel = path.as_posix()
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()
