"""The plan as committed at a git ref, copied into a temporary folder (``plan diff --base``).

Read with ``git ls-tree`` and ``git cat-file`` only: no checkout, nothing written in the
repository. git runs with argument lists (never a shell) and a timeout; a ref that starts with
``-`` is refused, so it cannot be taken for an option. Every problem is a ``CommittedError``
with a one-line message.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from cio_lint.plan import limits

GIT_TIMEOUT = 30.0  # seconds, per git command
MAX_FILES = 10_000


class CommittedError(Exception):
    """The ref or the path cannot be read from git (one line)."""


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise CommittedError("git is not installed (needed for --base)") from exc
    except subprocess.TimeoutExpired as exc:
        raise CommittedError(f"git {args[0]} took over {GIT_TIMEOUT:.0f} s; gave up") from exc
    except OSError as exc:
        raise CommittedError(f"cannot run git: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CommittedError(f"git {args[0]} failed: {detail[0] if detail else done.returncode}")
    return done.stdout


def _folder(path: Path) -> Path:
    return path if path.is_dir() else path.parent


def repo_path(path: Path) -> tuple[Path, str]:
    """The repository's top folder and ``path`` relative to it (POSIX, ``.`` for the top)."""
    start = _folder(path.resolve())
    if not start.is_dir():
        raise CommittedError(f"{path} does not exist")
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], start).decode().strip()).resolve()
    except CommittedError as exc:
        raise CommittedError(f"{path} is not inside a git repository") from exc
    try:
        rel = path.resolve().relative_to(top).as_posix()
    except ValueError as exc:
        raise CommittedError(f"{path} is not inside the git repository at {top}") from exc
    return top, rel or "."


def commit_of(ref: str, top: Path) -> str:
    """The commit ``ref`` names, or ``CommittedError``."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise CommittedError(f"refusing git ref {ref!r}: a ref cannot start with `-` or be empty")
    try:
        out = _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top
        )
    except CommittedError as exc:
        raise CommittedError(f"{ref!r} is not a commit in this repository") from exc
    return out.decode().strip()


def _inside(name: PurePosixPath, base: PurePosixPath, rel: str) -> PurePosixPath | None:
    """``name`` relative to the plan's path, or ``None`` when it is not a safe path below it."""
    if name == base:
        return PurePosixPath(name.name)
    try:
        inner = name if rel == "." else name.relative_to(base)
    except ValueError:
        return None
    if inner.is_absolute() or any(p in ("..", ".", "") for p in inner.parts):
        return None
    return inner


def copy_committed(ref: str, path: Path, dest: Path) -> Path:
    """Write the plan at ``path`` (a folder or a file) as committed at ``ref`` below ``dest``.

    The copy keeps the path the plan has in the repository (``dest/tracking_plan/...``), so
    a message about it reads the same once ``dest/`` is replaced with ``REF:``. Returns the
    copy's path (what ``load_plan`` is given).
    """
    top, rel = repo_path(path)
    commit = commit_of(ref, top)
    spec = [] if rel == "." else ["--", rel]
    listing = _git(["ls-tree", "-r", "-z", "--long", "--full-tree", commit, *spec], top)
    entries = [e for e in listing.split(b"\0") if e]
    if not entries:
        raise CommittedError(f"{rel} is not in git at {ref}")
    if len(entries) > MAX_FILES:
        raise CommittedError(f"{rel} at {ref} has over {MAX_FILES} files; not read")
    base = PurePosixPath(rel)
    copy = dest / rel
    for entry in entries:
        meta, _, name_bytes = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[1] != b"blob" or parts[0] not in (b"100644", b"100755"):
            continue  # symbolic links and submodules are not plan files
        name = PurePosixPath(name_bytes.decode("utf-8", "surrogateescape"))
        inner = _inside(name, base, rel)
        if inner is None:
            continue
        if int(parts[3]) > limits.MAX_FILE_BYTES:
            raise CommittedError(
                f"{name} at {ref} is over the {limits.MAX_FILE_BYTES >> 20} MiB limit of a plan file"
            )
        target = copy.parent / inner if name == base else copy / inner
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git(["cat-file", "blob", parts[2].decode()], top))
    if not copy.exists():
        raise CommittedError(f"{rel} is not in git at {ref}")
    return copy
