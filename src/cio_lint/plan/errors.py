"""Plan problems, one line each: ``file:line:column: $.json.path: message``.

The location reads like a compiler's (``file:line:column:``, or ``file:line:`` when only the
line is known, or ``file:`` when not even that), so editors and terminals link it.

A broken plan makes every finding untrustworthy, so the loader collects *all* issues of all
files and raises them together as one ``PlanError`` (the CLI prints it and exits 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def json_path(parts: Iterable[str | int]) -> str:
    """Render a path inside a document as ``$.events['Order Completed'].properties``.

    Identifier-like keys use the dot form; anything else (spaces, dashes, quotes) is bracketed,
    so the path can be pasted into a JSONPath tool and still reads naturally.
    """
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            out += f".{part}"
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out += f"['{escaped}']"
    return out


@dataclass(frozen=True)
class PlanIssue:
    """One problem of the plan, located in its file (and line, when the format lets us know)."""

    path: str
    line: int | None
    pointer: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.pointer}: {self.message}"


class PlanError(Exception):
    """The plan cannot be used; ``issues`` lists every problem found, in file and line order."""

    def __init__(self, headline: str, issues: Sequence[PlanIssue] = ()) -> None:
        self.headline = headline
        self.issues: list[PlanIssue] = list(issues)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "".join([self.headline, *(f"\n  {issue}" for issue in self.issues)])

    def __reduce__(self) -> tuple[type[PlanError], tuple[str, list[PlanIssue]]]:
        # Exceptions pickle their ``args``; keep headline and issues apart across processes.
        return (PlanError, (self.headline, self.issues))
