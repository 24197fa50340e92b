"""The tracking plan: load a folder of YAML/JSON files, validate it, compile one validator per event.

Public API (used by the rules, the CLI and the pytest plugin alike):

- ``find_plan(start: Path) -> Path | None``: the ``tracking_plan/`` folder found by walking up
  from ``start`` (a file or folder).
- ``load_plan(path: Path) -> Plan``: raises ``PlanError`` (every issue found, each with file and,
  for YAML, line) when the plan is not usable.
- ``Plan`` / ``EventSpec``: see ``model.py`` in this package.
- ``normalize_name(name)``: the form used to compare names ignoring case and separators.
"""

from typing import TYPE_CHECKING, Any

from cio_lint.plan.errors import PlanError, PlanIssue

if TYPE_CHECKING:
    from cio_lint.plan.loader import load_plan
    from cio_lint.plan.locate import find_plan
    from cio_lint.plan.model import EventSpec, Plan, SchemaViolation, normalize_name

# Imported on first use (PEP 562): the loader and the model bring jsonschema, which a run the
# cache answers never needs (``plan.handle``).
_LAZY = {
    "find_plan": "locate",
    "load_plan": "loader",
    "EventSpec": "model",
    "Plan": "model",
    "SchemaViolation": "model",
    "normalize_name": "model",
}


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


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
