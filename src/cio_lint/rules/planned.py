"""CIO201-CIO203 over the planned names, for ``cio-lint plan check``.

The same conventions and near-duplicate tests as over the code (``consistency.py``), reported
at the plan file and line of the event. Names that collide ignoring case and separators are
``plan check``'s own error, so they are not repeated here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cio_lint.naming import name_conventions
from cio_lint.rules.similar import candidate_pairs, near_duplicate, tokens

if TYPE_CHECKING:
    from cio_lint.plan import EventSpec, Plan


@dataclass(frozen=True)
class PlanFinding:
    """A warning about the plan itself: ``path:line: CODE message``."""

    code: str
    path: str
    line: int | None
    message: str

    def render(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.code} {self.message}"


def _at(spec: EventSpec, code: str, message: str) -> PlanFinding:
    return PlanFinding(code, spec.source, spec.line, message)


def plan_findings(plan: Plan, naming: Mapping[str, str] | None = None) -> list[PlanFinding]:
    """The consistency warnings of ``plan``'s event and property names. ``naming``: the
    configured conventions, which win over the plan's ``naming`` and over detection."""
    conventions = {**plan.naming, **(naming or {})}
    out = list(_names(plan, conventions.get("events")))
    out.extend(_pairs(plan))
    out.extend(_properties(plan, conventions.get("properties")))
    return sorted(out, key=lambda f: (f.path, f.line or 0, f.code, f.message))


def _names(plan: Plan, configured: str | None) -> Iterator[PlanFinding]:
    for convention, outliers in name_conventions(sorted(plan.events), configured):
        for name in outliers:
            yield _at(
                plan.events[name],
                "CIO201",
                f"Event `{name}` breaks the plan's {convention.label()}"
                f"{convention.evidence('planned event names')}",
            )


def _pairs(plan: Plan) -> Iterator[PlanFinding]:
    from cio_lint.plan import normalize_name

    names = sorted(plan.events)
    by_keys: dict[frozenset[str], list[str]] = {}
    for name in names:
        keys = frozenset(plan.events[name].property_names)
        if len(keys) >= 3:
            by_keys.setdefault(keys, []).append(name)
    pairs = set(candidate_pairs(names))
    for group in by_keys.values():
        if len(group) <= 50:
            pairs.update((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
    for a, b in sorted(pairs):
        if normalize_name(a) == normalize_name(b):
            continue  # a collision: `plan check` reports it as an error
        why = near_duplicate(a, b)
        planned_keys = set(plan.events[a].property_names)
        same_keys = len(planned_keys) >= 3 and planned_keys == set(plan.events[b].property_names)
        if why is None and same_keys and set(tokens(a)) & set(tokens(b)):
            why = "the same property keys"
        if why is None:
            continue
        first, second = sorted((plan.events[a], plan.events[b]), key=_position)
        where = f"{first.source}:{first.line}" if first.line is not None else first.source
        yield _at(
            second,
            "CIO202",
            f"Event `{second.name}` looks like a duplicate of `{first.name}` ({why}), "
            f"planned at {where}",
        )


def _position(spec: EventSpec) -> tuple[str, int, str]:
    return (spec.source, spec.line or 0, spec.name)


def _properties(plan: Plan, configured: str | None) -> Iterator[PlanFinding]:
    where: dict[str, list[EventSpec]] = {}
    for spec in plan.events.values():
        for key in spec.property_names:
            if not key.startswith("$"):
                where.setdefault(key, []).append(spec)
    for convention, outliers in name_conventions(sorted(where), configured):
        if convention.kind != "case":
            continue
        for key in outliers:
            for spec in where[key]:
                yield _at(
                    spec,
                    "CIO203",
                    f"Property `{key}` of `{spec.name}` breaks the plan's {convention.label()}"
                    f"{convention.evidence('planned property names')}",
                )
