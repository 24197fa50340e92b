"""The one place that knows which recorders are listening and which seams are installed.

SDK seams are process-wide (they patch classes), so recorders attach to a single hub: the
seams go in with the first recorder and come out with the last. A recorder that *intercepts*
(the ``cio_events`` fixture) also turns on the network guard and stops messages from reaching
the SDK transport; a passive one (``--cio-coverage``) only watches.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cio_lint import sdks
from cio_lint.capture import _network, _sites
from cio_lint.capture._patch import Patcher

if TYPE_CHECKING:
    from cio_lint.capture.recorder import EventRecorder


class Hub:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._recorders: list[EventRecorder] = []
        self._seams: Patcher | None = None
        self._guard: Patcher | None = None

    # ------------------------------------------------------------------ lifecycle
    def attach(self, recorder: EventRecorder) -> None:
        with self._lock:
            if recorder in self._recorders:
                return
            if self._seams is None:
                self._seams = self._install_seams()
            self._recorders.append(recorder)
            if recorder.intercept:
                if self._guard is None:
                    guard = Patcher()
                    _network.install(guard)
                    self._guard = guard
                for seam in self._seam_modules():
                    drain = getattr(seam, "drain", None)
                    if callable(drain):
                        self.drop(drain())

    def detach(self, recorder: EventRecorder) -> None:
        with self._lock:
            if recorder not in self._recorders:
                return
            self._recorders.remove(recorder)
            if self._guard is not None and not self.intercepting:
                self._guard.restore()
                self._guard = None
            if self._seams is not None and not self._recorders:
                self._seams.restore()
                self._seams = None

    @staticmethod
    def _installers() -> list[tuple[ModuleType, str]]:
        """(seam module, installer name) of every family's capture seam, from the registry."""
        found: list[tuple[ModuleType, str]] = []
        for family in sdks.FAMILIES:
            if family.capture is not None:
                module_name, _, function = family.capture.installer.partition(":")
                found.append((importlib.import_module(module_name), function))
        return found

    def _seam_modules(self) -> list[ModuleType]:
        return list({id(m): m for m, _ in self._installers()}.values())

    def _install_seams(self) -> Patcher:
        patcher = Patcher()
        try:
            for module, function in self._installers():
                getattr(module, function)(patcher, self)
        except BaseException:
            patcher.restore()
            raise
        return patcher

    # ------------------------------------------------------------------ state
    @property
    def active(self) -> bool:
        with self._lock:
            return bool(self._recorders)

    @property
    def intercepting(self) -> bool:
        with self._lock:
            return any(r.intercept for r in self._recorders)

    @property
    def patched(self) -> bool:
        """Whether any seam or guard is currently installed (for leak checks)."""
        with self._lock:
            return self._seams is not None or self._guard is not None

    def emit(self, message: Mapping[str, Any]) -> None:
        with self._lock:
            recorders = list(self._recorders)
        if not recorders:
            return
        where = _sites.sites(skip=2)  # the frames of the code that called the SDK
        for recorder in recorders:
            recorder.record(dict(message), where)

    def drop(self, messages: list[dict[str, Any]]) -> None:
        """Tell the intercepting recorders about messages discarded instead of sent."""
        with self._lock:
            recorders = [r for r in self._recorders if r.intercept]
        for recorder in recorders:
            for message in messages:
                recorder.record_dropped(dict(message))


HUB = Hub()
