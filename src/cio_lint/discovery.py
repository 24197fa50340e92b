"""Path arguments -> the Python files to check, and what could not be read.

Every path argument must exist and be a file or a folder (else a usage error, exit 2). Walking a
folder, only regular files are taken: a FIFO, socket or device named ``*.py`` is skipped
without being opened (opening a FIFO blocks until a writer comes). Links to files are checked
under the link's path; links to folders are not followed (ruff's default: no loops, no file
seen twice). What the walk meets but cannot read — a folder it may not list, a file it may not
read, a broken link or a link loop named ``*.py`` — is recorded with the reason, so that the
engine reports it (CIO903) instead of passing over it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cio_lint.config import Config, ConfigError

# Opening never blocks (a FIFO put where a file was after the walk), and is not inherited.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(OSError):
    """Raised by ``read_source`` for a path that is not a regular file."""


def kind(mode: int) -> str:
    """``a FIFO``, ``a socket``...: what a path that is neither a file nor a folder is."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def reason(exc: OSError) -> str:
    """The one-line reason of an ``OSError`` (its ``strerror``: ``Permission denied``)."""
    return exc.strerror or str(exc)


# Absolute path -> the bytes to read instead of the file's: the unsaved buffers of the documents
# an editor has open (``cio-lint server``). Empty on the command line, where files are read.
OVERLAY: dict[str, bytes] = {}


def read_source(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the regular file ``path`` (or its ``OVERLAY`` entry); ``OSError`` if it
    cannot be read (including ``NotRegularFile``). It never blocks on a FIFO."""
    if OVERLAY:
        held = OVERLAY.get(os.fspath(path))
        if held is not None:
            return held
    fd = os.open(path, _OPEN_FLAGS)
    with open(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"not a regular file ({kind(mode)})")
        return handle.read()


def check_paths(paths: Sequence[Path]) -> None:
    """Every path argument exists and is a file or a folder: else a ``ConfigError`` naming it
    as it was given (exit 2: nothing is checked, nothing printed as a result)."""
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                raise ConfigError(f"{path}: no such file or directory") from None
            raise ConfigError(f"{path}: {reason(exc).lower()}") from None
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise ConfigError(f"{path}: not a file or folder ({kind(mode)}): nothing to check")


@dataclass
class Found:
    """The Python files under the paths walked (absolute, sorted, unique), and the files and
    folders met that could not be read, with why (absolute path -> ``(is_folder, reason)``)."""

    files: list[Path] = field(default_factory=list)
    unreadable: dict[Path, tuple[bool, str]] = field(default_factory=dict)


def unreadable_file(path: str | Path) -> str | None:
    """Why the existing file ``path`` cannot be read by this process, or None (``os.access``:
    a permission check without opening it)."""
    if os.access(path, os.R_OK):
        return None
    try:
        with open(os.open(path, _OPEN_FLAGS), "rb"):
            return None  # readable after all (an ACL ``access`` misjudged)
    except OSError as exc:
        return reason(exc)


def discover(paths: Sequence[Path], config: Config) -> Found:
    """The Python files under ``paths`` (explicit files are included unless ``force_exclude`` and excluded) and what could not
    be read. Paths must exist (``check_paths``); one that does not is a ``ConfigError``."""
    check_paths(paths)
    found = Found()
    files: set[Path] = set()
    root = str(config.root.resolve())
    for path in paths:
        path = path.resolve()
        if path.is_file():
            if config.force_exclude and config.is_excluded(path):
                continue  # named, but excluded: ``force-exclude`` (ruff's ``--force-exclude``)
            why = unreadable_file(path)
            if why is None:
                files.add(path)
            else:
                found.unreadable[path] = (False, why)
            continue
        _walk(str(path), root, config, files, found.unreadable)
    found.files = sorted(files, key=str)
    return found


def _walk(
    top: str,
    root: str,
    config: Config,
    files: set[Path],
    unreadable: dict[Path, tuple[bool, str]],
) -> None:
    """``os.walk`` without following links to folders, with every entry classified by the
    ``scandir`` entry (no ``stat`` for plain files and folders)."""
    pending = [top]
    while pending:
        dirpath = pending.pop()
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else rel_dir + "/"
        if prefix.startswith("../"):
            prefix = dirpath.replace(os.sep, "/") + "/"
        try:
            with os.scandir(dirpath) as listing:
                entries = list(listing)
        except OSError as exc:
            unreadable[Path(dirpath)] = (True, reason(exc))
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if not config.excludes_relative(prefix + name):
                    subdirs.append(entry.path)
                continue
            if not name.endswith(".py") or config.excludes_relative(prefix + name):
                continue
            try:
                regular = entry.is_file()  # follows a link
            except OSError:
                regular = False
            if regular:
                why = unreadable_file(entry.path)
                if why is None:
                    files.add(Path(entry.path))
                else:
                    unreadable[Path(entry.path)] = (False, why)
            elif entry.is_symlink():
                try:
                    os.stat(entry.path)
                except OSError as exc:
                    unreadable[Path(entry.path)] = (False, f"broken symbolic link: {reason(exc)}")
                # else a link to a folder (not followed) or to a FIFO...: skipped
            # else a FIFO, socket or device: skipped, never opened
        pending.extend(sorted(subdirs, reverse=True))
