"""The rule base class: a code, a kebab-case name, a message, and examples that are its tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from cio_lint.model import CallSite, Finding, Fix, Known, Location, Severity, Val, loc_of

if TYPE_CHECKING:
    from cio_lint.plan import Plan


@dataclass(frozen=True)
class Invalid:
    """An example the rule must flag; ``fixed`` is the source after ``--fix``, if fixable."""

    source: str
    fixed: str | None = None


class Rule:
    """Base class: subclasses set the class attributes and implement ``check``."""

    CODE: ClassVar[str]
    NAME: ClassVar[str]
    SEVERITY: ClassVar[Severity] = "error"
    MESSAGE: ClassVar[str]
    FIXABLE: ClassVar[bool] = False
    # A destination's own limit: checked only on calls that reach it (``sdks.DESTINATIONS``)
    DESTINATION: ClassVar[str | None] = None
    # Codes this rule says better at the same place: their findings there are dropped
    SUPERSEDES: ClassVar[tuple[str, ...]] = ()
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[Invalid]] = []

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        return iter(())

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0]

    @classmethod
    def description(cls) -> str:
        return " ".join(line.strip() for line in (cls.__doc__ or "").strip().splitlines())

    def finding(
        self, call: CallSite, at: Val | Location | None, fix: Fix | None = None, **fields: Any
    ) -> Finding:
        loc = at if isinstance(at, Location) else loc_of(at, call.loc)
        if isinstance(at, Known) and at.origin is not None:
            # where the offending value is written: a constant's or Enum member's literal, once
            # (the engine moves it back to the call when that file is not being checked)
            o = at.origin
            loc = Location(o.path, o.line, o.column, o.end_line, o.end_column)
        elif loc.path != call.loc.path:
            loc = call.loc
        return Finding(
            code=self.CODE,
            name=self.NAME,
            severity=self.SEVERITY,
            message=self.MESSAGE.format(**fields),
            path=loc.path,
            line=loc.line,
            column=loc.column,
            end_line=loc.end_line,
            end_column=loc.end_column,
            fix=fix,
            snippet=call.snippet,
        )


def code_text(value: Any, limit: int = 60) -> str:
    """A value shown in a message: short, one line, inside backticks by the caller."""
    text = str(value).replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."
