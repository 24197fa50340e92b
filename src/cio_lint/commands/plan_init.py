"""``cio-lint plan init``: write a tracking plan from what the code sends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cio_lint.commands import plan_group
from cio_lint.commands._common import fail, project_of

if TYPE_CHECKING:
    from cio_lint.workspace.snapshot import Snapshot

PLAN_FILE = "plan.yaml"
SNAPSHOT_FILE = "customerio-workspace.json"  # `workspace pull` writes it beside the plan


def output_file(out: Path) -> Path:
    """The file written for ``-o``/``--to``: ``out`` itself when it names a YAML file, else
    ``out/plan.yaml``."""
    return out if out.suffix in (".yaml", ".yml") else out / PLAN_FILE


def refuse_existing(out: Path, force: bool) -> Path:
    """The file to write, or exit 2 when ``out`` already exists and ``--force`` is not given."""
    target = output_file(out)
    if out.exists() and not force and not _no_plan(out):
        what = "folder" if out.is_dir() else "file"
        fail(f"{out} already exists (a plan {what}): not overwritten; pass --force to replace it")
    if out.exists() and out.is_dir() and target.parent == out:
        others = [
            p
            for p in sorted(out.rglob("*"))
            if p.suffix in (".yaml", ".yml", ".json") and p != target and p.name != SNAPSHOT_FILE
        ]
        for other in others:
            click.echo(
                f"warning: {other} is left as it is, and merged with {target} when the plan is read",
                err=True,
            )
    return target


def _no_plan(out: Path) -> bool:
    """A folder that holds no file, or nothing but a workspace snapshot (``workspace pull``
    came first): not a plan, written into without ``--force``."""
    if not out.is_dir():
        return False
    return all(p.name == SNAPSHOT_FILE for p in out.rglob("*") if not p.is_dir())


def write_plan(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{target}: cannot write the plan: {exc.strerror or exc}")


@click.command("init")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path),
    default=Path("tracking_plan"),
    show_default=True,
    help="Plan folder to create (or a .yaml file).",
)
@click.option("--force", is_flag=True, help="Replace an existing plan.")
@click.option(
    "--from-workspace",
    is_flag=True,
    help="Also seed events from the journey triggers and Liquid of the workspace snapshot.",
)
@click.option(
    "--workspace",
    "workspace_path",
    type=click.Path(path_type=Path),
    help="The snapshot for --from-workspace (default: customerio-workspace.json beside the plan).",
)
@click.option("--no-code", is_flag=True, help="With --from-workspace: the snapshot only.")
def plan_init(
    paths: tuple[Path, ...],
    out: Path,
    force: bool,
    from_workspace: bool,
    workspace_path: Path | None,
    no_code: bool,
) -> None:
    """Write a tracking plan from the events, properties and traits PATHS send (default: .)."""
    from cio_lint.config import ConfigError
    from cio_lint.engine import lint_paths
    from cio_lint.plan.infer import infer_plan
    from cio_lint.plan.model import Plan

    if (workspace_path is not None or no_code) and not from_workspace:
        fail("--workspace and --no-code go with --from-workspace")
    target = refuse_existing(out, force)
    targets, config = project_of(paths)
    try:
        snapshot = _snapshot(workspace_path or config.workspace, target) if from_workspace else None
    except ConfigError as exc:  # a SnapshotError
        fail(str(exc))
    resolved = []
    if not no_code:
        resolved = lint_paths(targets, config, Plan.empty(), use_run_cache=False).resolved
    inferred = infer_plan(resolved, Path.cwd(), snapshot)
    for note in inferred.notes:
        click.echo(note, err=True)
    write_plan(target, inferred.text)
    count = inferred.events
    parts = [f"{count} event{'s' if count != 1 else ''}"]
    if snapshot is not None:
        seeded = inferred.from_workspace
        parts.append(f"{seeded} of them journey trigger{'s' if seeded != 1 else ''}")
    parts += [kind for kind in ("identify", "group") if kind in inferred.data]
    conflicts = sum(1 for n in inferred.notes if n.startswith("conflict"))
    review = f"; {conflicts} conflict(s) to settle" if conflicts else ""
    click.echo(
        f"Wrote {target} ({', '.join(parts)}){review}: review it (descriptions, conflicts, "
        "enums), then run `cio-lint plan check`"
    )


def _snapshot(explicit: Path | None, target: Path) -> Snapshot:
    """The snapshot of ``--from-workspace``: ``explicit``, else the one beside the plan."""
    from cio_lint.workspace.snapshot import SnapshotError, load_snapshot

    found = explicit if explicit is not None else target.parent / SNAPSHOT_FILE
    if found.is_dir():
        raise SnapshotError(f"{found}: is a folder, not a workspace snapshot file")
    if not found.is_file():
        how = (
            "" if explicit is not None else " (run `cio-lint workspace pull`, or pass --workspace)"
        )
        raise SnapshotError(f"{found}: workspace snapshot not found{how}")
    return load_snapshot(found)


def register(main: click.Group) -> None:
    plan_group(main).add_command(plan_init)
