"""Where a captured message was sent from: the frames of the code under test that made the call.

The hub asks for them when a seam emits a message, on the thread that called the SDK. Frames of
the standard library, of installed packages (the SDKs, pytest, pluggy) and of cio-lint itself
are skipped; what is left, innermost first, is the project's code: the wrapper that called the
SDK, then whatever called it, up to the test. A message emitted from an SDK's own thread has no
such frame and no site.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from functools import lru_cache
from types import FrameType

Site = tuple[str, int]

_MAX_FRAMES = 64  # how far up the stack to look
_MAX_SITES = 8  # how many of the project's frames to keep


@lru_cache(maxsize=1)
def _library_prefixes() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    found = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    try:
        found.update(site.getsitepackages())
    except AttributeError:  # a virtualenv's old site module
        pass
    user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    found.add(user)
    found.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # cio_lint itself
    return tuple(os.path.normcase(os.path.abspath(p)) + os.sep for p in found if p)


def _is_library(filename: str) -> bool:
    if not filename or filename.startswith("<"):
        return True  # <frozen ...>, <string>: nothing a user can open
    return os.path.normcase(os.path.abspath(filename)).startswith(_library_prefixes())


def sites(skip: int = 1) -> tuple[Site, ...]:
    """The project's frames on the current stack, innermost first."""
    frame: FrameType | None = sys._getframe(skip)
    out: list[Site] = []
    seen = 0
    while frame is not None and seen < _MAX_FRAMES and len(out) < _MAX_SITES:
        filename = frame.f_code.co_filename
        if not _is_library(filename):
            out.append((filename, frame.f_lineno))
        frame = frame.f_back
        seen += 1
    return tuple(out)
