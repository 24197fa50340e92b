"""Plain values shared by every stage: locations, fixes, findings and resolved calls.

Everything here is a frozen dataclass: picklable (for worker processes), hashable, and
JSON-able through ``to_json``, so facts can be cached and findings reported in any format.
Columns are 1-based, as users see them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between (line, column) and (end_line, end_column) of ``path``."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "content": self.content,
        }


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    applicability: Literal["safe", "unsafe"] = "safe"
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "edits": [e.to_json() for e in self.edits],
            "applicability": self.applicability,
        }


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Fix | None = None
    # Not part of the JSON contract: the text of the call the finding is about, used by
    # baselines to fingerprint a finding independently of its line number.
    snippet: str = field(default="", compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "fix": self.fix.to_json() if self.fix else None,
        }


# --------------------------------------------------------------------------- static values
#
# A resolved argument is a ``Val``: a ``Known`` Python value (str, int, float, bool, None,
# list, or a ``DictVal``), several alternatives (``Choice``: each branch of a conditional is
# checked), or ``Unknown`` (never guessed).


@dataclass(frozen=True)
class Origin:
    """Where a string literal that produced a value is written, so a fix can rewrite it.

    ``quote`` keeps the literal's prefix and quotes (``'``, ``"``, ``'''``...) for the rewrite.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    prefix: str = ""
    quote: str = '"'


@dataclass(frozen=True)
class Known:
    value: Any
    loc: Location | None = None
    origin: Origin | None = None


@dataclass(frozen=True)
class Unknown:
    reason: str = ""
    loc: Location | None = None


@dataclass(frozen=True)
class Choice:
    options: tuple[Val, ...]
    loc: Location | None = None


@dataclass(frozen=True)
class DictVal:
    """A dict whose keys are known. ``open`` means more unknown keys may be present."""

    items: tuple[tuple[str, Val, Location | None], ...] = ()
    open: bool = False
    loc: Location | None = None

    def keys(self) -> list[str]:
        return [k for k, _, _ in self.items]

    def get(self, key: str) -> Val | None:
        for k, v, _ in reversed(self.items):
            if k == key:
                return v
        return None

    def to_python(self) -> dict[str, Any] | None:
        """The plain dict, if every value is known."""
        out: dict[str, Any] = {}
        for k, v, _ in self.items:
            py = val_to_python(v)
            if py is MISSING:
                return None
            out[k] = py
        return out


Val = Known | Unknown | Choice | DictVal

#: What ``val_to_python`` returns for a value that is not statically known.
MISSING = object()


def val_to_python(v: Val) -> Any:
    """The plain Python value of a known leaf (a closed dict of known values included), else
    ``MISSING``."""
    if isinstance(v, Known):
        return v.value
    if isinstance(v, DictVal) and not v.open:
        d = v.to_python()
        return MISSING if d is None else d
    return MISSING


def alternatives(v: Val) -> list[Val]:
    """Flatten nested ``Choice`` values into their leaves."""
    if isinstance(v, Choice):
        out: list[Val] = []
        for o in v.options:
            out.extend(alternatives(o))
        return out
    return [v]


def loc_of(v: Val | None, default: Location) -> Location:
    loc = getattr(v, "loc", None) if v is not None else None
    return loc or default


# ``send``: a transactional message (App API), ``event`` its template id or trigger name
CallKind = Literal["identify", "track", "page", "screen", "group", "alias", "send"]


@dataclass(frozen=True)
class CallSite:
    """One resolved call that sends a message: an SDK call, or a call of a wrapper.

    ``user_id``/``anonymous_id`` are ``None`` when the argument is absent (not passed);
    ``properties`` holds traits for identify/group. ``signature_error`` is set when the call
    does not bind to the SDK's signature (CIO013). ``runtime`` marks messages captured by the
    pytest plugin, whose values are all known.
    """

    kind: CallKind
    sdk: str  # the SDK family (``sdks.Family.name``: "segment-family", "customerio-classic")
    loc: Location
    user_id: Val | None = None
    anonymous_id: Val | None = None
    event: Val | None = None
    properties: Val | None = None
    signature_error: str | None = None
    via: str | None = None  # qualified name of the wrapper the call goes through, if any
    snippet: str = ""
    runtime: bool = False
    identity_optional: bool = False  # the SDK makes up an id when none is passed (posthog 6+)
    # the person updates a track carries in its properties (PostHog's ``$set``/``$set_once``):
    # checked as identify traits, as a partial update (no CIO009)
    person_traits: tuple[Val, ...] = ()


def shown_path(path: str, cwd: str | os.PathLike[str] | None = None) -> str:
    """``path`` as messages and listings show it: relative to ``cwd`` (default: the current
    folder) when it is inside it, else as it is; ``/``-separated."""
    try:
        rel = os.path.relpath(path, cwd) if cwd is not None else os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        rel = path
    return (path if rel.startswith("..") else rel).replace(os.sep, "/")


def shown_site(loc: Location, cwd: str | os.PathLike[str] | None = None) -> str:
    """``path:line`` of ``loc``, its path as ``shown_path`` gives it."""
    return f"{shown_path(loc.path, cwd)}:{loc.line}"


def relative(path: str, cwd: Path) -> str:
    """``path`` relative to ``cwd`` when it is below it, ``/``-separated (as
    ``Path.relative_to``), else relative with ``..`` when absolute, else as it is."""
    prefix = str(cwd)
    prefix = prefix if prefix.endswith(os.sep) else prefix + os.sep
    if path.startswith(prefix) and os.sep == "/" and _NORMAL.fullmatch(path, len(prefix)):
        return path[len(prefix) :]  # (what ``relative_to`` gives, without ten pathlib objects)
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, cwd)).as_posix() if os.path.isabs(path) else path


# a POSIX path's tail as pathlib would print it: no empty, ``.`` or trailing part
_NORMAL = re.compile(r"(?:(?!\.?(?:/|$))[^/]+/)*(?!\.?$)[^/]+")
