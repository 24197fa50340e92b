"""The snapshot as text (deterministic) and its atomic write (a temporary file beside it, then
``os.replace``): a reader sees the old snapshot or the new one, never half of one."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

DEFAULT_PATH = Path("tracking_plan") / "customerio-workspace.json"


class WriteError(Exception):
    """The snapshot could not be written (one line, naming the file)."""


def render(snapshot: dict[str, object]) -> str:
    """The file's text: sorted keys, two-space indent, UTF-8 as is, one final newline."""
    return json.dumps(snapshot, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` (its folder created if missing) and nothing else."""
    if target.is_dir():
        raise WriteError(f"{target} is a folder: give the snapshot's file name with -o")
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o777 if target.is_file() else 0o644
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(f"{target}: cannot write the snapshot: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise WriteError(f"{target}: cannot write the snapshot: {exc.strerror or exc}") from None
