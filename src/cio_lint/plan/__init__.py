"""The tracking plan: load a folder of YAML/JSON files, validate it, compile one validator per event.

Public API (used by the rules, the CLI and the pytest plugin alike):

- ``find_plan(start: Path) -> Path | None``: the ``tracking_plan/`` folder found by walking up
  from ``start`` (a file or folder).
- ``load_plan(path: Path) -> Plan``: raises ``PlanError`` (every issue found, each with file and,
  for YAML, line) when the plan is not usable.
- ``Plan`` / ``EventSpec``: see ``model.py`` in this package.
- ``normalize_name(name)``: the form used to compare names ignoring case and separators.
"""

from cio_lint.plan.errors import PlanError, PlanIssue
from cio_lint.plan.loader import find_plan, load_plan
from cio_lint.plan.model import EventSpec, Plan, SchemaViolation, normalize_name

__all__ = [
    "EventSpec",
    "Plan",
    "PlanError",
    "PlanIssue",
    "SchemaViolation",
    "find_plan",
    "load_plan",
    "normalize_name",
]
