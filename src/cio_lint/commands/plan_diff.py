"""``cio-lint plan diff``: what changed between two plans, breaking or not, and the code it hits."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cio_lint.commands import plan_group
from cio_lint.commands._common import EXIT_FINDINGS, EXIT_OK, fail, project_of

if TYPE_CHECKING:
    from cio_lint.plan import Plan
    from cio_lint.plan.diff import Change


def _load(path: Path, shown: dict[str, str] | None = None) -> Plan:
    """The plan at ``path``, or exit 2 with the loader's message (``shown`` rewrites the
    temporary folder of a committed plan as ``REF:``)."""
    from cio_lint.plan import PlanError, load_plan

    try:
        return load_plan(path)
    except PlanError as exc:
        fail(_relabel(str(exc), shown))


def _relabel(text: str, shown: dict[str, str] | None) -> str:
    for prefix, label in (shown or {}).items():
        text = text.replace(prefix, label)
    return text


def _default_plan() -> Path:
    from cio_lint.config import ConfigError, load_config
    from cio_lint.plan import find_plan

    try:
        configured = load_config(Path.cwd()).plan
    except ConfigError as exc:
        fail(str(exc))
    path = configured or find_plan(Path.cwd())
    if path is None:
        fail(
            "no tracking plan found: give NEW, or a `plan` in [tool.cio-lint], or a "
            "`tracking_plan/` here or in a parent folder"
        )
    return Path(path)


def _prefixes(dest: Path, label: str) -> dict[str, str]:
    """The spellings of ``dest/`` the loader may print (absolute, or relative to the current
    folder), each mapped to ``label``."""
    out = {dest.as_posix().rstrip("/") + "/": label}
    try:
        rel = os.path.relpath(dest, Path.cwd())
    except ValueError:
        return out
    if not rel.startswith(".."):
        out[Path(rel).as_posix().rstrip("/") + "/"] = label
    return out


def _with_sites(changes: list[Change], new: Plan, paths: tuple[Path, ...]) -> list[Change]:
    from cio_lint.engine import lint_paths
    from cio_lint.plan.diff_sites import with_sites
    from cio_lint.plan.model import Plan

    targets, config = project_of(paths)
    result = lint_paths(targets, config, Plan.empty(), use_run_cache=False)
    return with_sites(changes, result.resolved, Path.cwd(), new)


@click.command("diff")
@click.argument("plans", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--base",
    "base",
    metavar="GIT_REF",
    help="Compare the plan as committed at GIT_REF with the working one (PLANS: [NEW]).",
)
@click.option(
    "--paths",
    "paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Code to look for affected call sites in (repeatable; default: .).",
)
@click.option("--no-code", is_flag=True, help="Do not analyse the code for affected sites.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format (markdown: for a pull-request comment).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when a change is breaking.")
def plan_diff(
    plans: tuple[Path, ...],
    base: str | None,
    paths: tuple[Path, ...],
    no_code: bool,
    fmt: str,
    exit_zero: bool,
) -> None:
    """Compare two tracking plans (OLD NEW, or --base GIT_REF [NEW]): each change breaking or
    compatible, with the code sites a breaking change affects.

    Exit 1 when a change is breaking (0 with --exit-zero), 0 otherwise, 2 for a plan that
    cannot be loaded or a bad git ref.
    """
    from dataclasses import replace

    from cio_lint.plan.committed import CommittedError, copy_committed
    from cio_lint.plan.diff import diff_plans
    from cio_lint.plan.diff_report import REPORTERS

    if base is None and len(plans) != 2:
        fail("plan diff needs OLD and NEW plans, or --base GIT_REF [NEW]")
    if base is not None and len(plans) > 1:
        fail("with --base, give at most one plan (NEW; default: the project's plan)")
    with tempfile.TemporaryDirectory(prefix="cio-lint-base-") as tmp:
        shown: dict[str, str] = {}
        if base is not None:
            new_path = plans[0] if plans else _default_plan()
            dest = Path(tmp).resolve()
            try:
                old_path = copy_committed(base, new_path, dest)
            except CommittedError as exc:
                fail(str(exc))
            shown = _prefixes(dest, f"{base}:")
            old_label = _relabel(_shown_path(old_path), shown)
        else:
            old_path, new_path = plans
            old_label = _shown_path(old_path)
        old = _load(old_path, shown)
        new = _load(new_path)
        changes = [
            replace(c, old_loc=_relabel(c.old_loc, shown) if c.old_loc else None)
            for c in diff_plans(old, new)
        ]
    code = not no_code
    if code and any(c.breaking for c in changes):
        changes = _with_sites(changes, new, paths)
    out = REPORTERS[fmt](changes, old_label, _shown_path(new_path), code)
    click.echo(out, nl=False)
    breaking = any(c.breaking for c in changes)
    sys.exit(EXIT_FINDINGS if breaking and not exit_zero else EXIT_OK)


def _shown_path(path: Path) -> str:
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix() or "."
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def register(main: click.Group) -> None:
    plan_group(main).add_command(plan_diff)
