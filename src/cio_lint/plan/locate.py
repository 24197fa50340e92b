"""Where a project's plan is: ``tracking_plan/`` found by walking up (no plan is read here)."""

from __future__ import annotations

from pathlib import Path

PLAN_DIR = "tracking_plan"


def find_plan(start: Path) -> Path | None:
    """The ``tracking_plan/`` folder of the project ``start`` (a file or folder) belongs to."""
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    if here.name == PLAN_DIR:
        return here
    for folder in (here, *here.parents):
        candidate = folder / PLAN_DIR
        if candidate.is_dir():
            return candidate
    return None
