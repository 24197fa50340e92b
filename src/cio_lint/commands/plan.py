"""``cio-lint plan``: the plan tools' group, and ``plan check``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cio_lint.commands._common import EXIT_ERROR, fail
from cio_lint.config import ConfigError, load_config


@click.group("plan")
def plan_group() -> None:
    """Tracking-plan tools."""


@plan_group.command("check")
@click.argument("plan_path", required=False, type=click.Path(path_type=Path))
def plan_check(plan_path: Path | None) -> None:
    """Validate the tracking plan alone: meta-schema, schemas, $refs, duplicate and colliding names."""
    from cio_lint.plan import PlanError, find_plan, load_plan

    # `plan` in [tool.cio-lint], as a check reads it, then tracking_plan/; `naming`, `select`
    # and `ignore` apply to the consistency warnings
    try:
        config = load_config(Path.cwd())
    except ConfigError as exc:
        fail(str(exc))
    configured = config.plan if plan_path is None else None
    path = plan_path or configured or find_plan(Path.cwd())
    if path is None:
        fail(
            "no tracking plan found: no `plan` in [tool.cio-lint], and no `tracking_plan/` "
            "here or in the parent folders"
        )
    try:
        plan = load_plan(path)
    except PlanError as exc:
        fail(str(exc))
    shown = os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    if plan.warnings:
        # a keyword JSON Schema does not know constrains nothing: the plan does not say what
        # its author meant (a lint run only warns about them)
        click.echo(f"Error: {shown} is not a valid tracking plan", err=True)
        for issue in plan.warnings:
            click.echo(f"  {issue}", err=True)
    collisions = plan.collisions()
    for group in collisions:
        names = " and ".join(f"`{n}`" for n in group)
        click.echo(f"{shown}: event names {names} collide ignoring case and separators", err=True)
    from cio_lint.rules.planned import plan_findings

    for finding in plan_findings(plan, config.naming):  # CIO2xx: warnings, the exit code stays
        if config.is_selected(finding.code):
            click.echo(finding.render())
    if collisions or plan.warnings:
        sys.exit(EXIT_ERROR)
    count = len(plan.events)
    click.echo(f"{shown}: valid tracking plan ({count} event{'s' if count != 1 else ''})")


def register(main: click.Group) -> None:
    main.add_command(plan_group)
