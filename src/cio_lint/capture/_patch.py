"""Reversible attribute patches: every seam is undone exactly, in reverse order."""

from __future__ import annotations

from typing import Any

_ABSENT = object()


class Patcher:
    """Set attributes and remember what was there, so ``restore`` leaves no trace.

    An attribute that a class or module only inherited (``socket.socket.connect`` comes from
    ``_socket.socket``) is deleted again on restore rather than shadowed by a copy.
    """

    def __init__(self) -> None:
        self._undo: list[tuple[Any, str, Any]] = []

    def set(self, obj: Any, name: str, value: Any) -> None:
        old = vars(obj).get(name, _ABSENT) if hasattr(obj, "__dict__") else getattr(obj, name)
        setattr(obj, name, value)
        self._undo.append((obj, name, old))

    def restore(self) -> None:
        while self._undo:
            obj, name, old = self._undo.pop()
            if old is _ABSENT:
                try:
                    delattr(obj, name)
                except AttributeError:
                    pass
            else:
                setattr(obj, name, old)

    def __len__(self) -> int:
        return len(self._undo)
