"""``cio-lint plan init``: write a tracking plan from what the code sends."""

from __future__ import annotations

from pathlib import Path

import click

from cio_lint.commands import plan_group
from cio_lint.commands._common import fail

PLAN_FILE = "plan.yaml"


def output_file(out: Path) -> Path:
    """The file written for ``-o``/``--to``: ``out`` itself when it names a YAML file, else
    ``out/plan.yaml``."""
    return out if out.suffix in (".yaml", ".yml") else out / PLAN_FILE


def refuse_existing(out: Path, force: bool) -> Path:
    """The file to write, or exit 2 when ``out`` already exists and ``--force`` is not given."""
    target = output_file(out)
    if out.exists() and not force:
        what = "folder" if out.is_dir() else "file"
        fail(f"{out} already exists (a plan {what}): not overwritten; pass --force to replace it")
    if out.exists() and out.is_dir() and target.parent == out:
        others = [
            p
            for p in sorted(out.rglob("*"))
            if p.suffix in (".yaml", ".yml", ".json") and p != target
        ]
        for other in others:
            click.echo(
                f"warning: {other} is left as it is, and merged with {target} when the plan is read",
                err=True,
            )
    return target


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
def plan_init(paths: tuple[Path, ...], out: Path, force: bool) -> None:
    """Write a tracking plan from the events, properties and traits PATHS send (default: .)."""
    from cio_lint.config import ConfigError, load_config
    from cio_lint.discovery import check_paths
    from cio_lint.engine import lint_paths
    from cio_lint.plan.infer import infer_plan
    from cio_lint.plan.model import Plan

    targets = list(paths) or [Path(".")]
    target = refuse_existing(out, force)
    try:
        check_paths(targets)
        config = load_config(targets[0])
    except ConfigError as exc:
        fail(str(exc))
    result = lint_paths(targets, config, Plan.empty(), use_run_cache=False)
    inferred = infer_plan(result.resolved, Path.cwd())
    for note in inferred.notes:
        click.echo(note, err=True)
    write_plan(target, inferred.text)
    count = inferred.events
    parts = [f"{count} event{'s' if count != 1 else ''}"]
    parts += [kind for kind in ("identify", "group") if kind in inferred.data]
    conflicts = sum(1 for n in inferred.notes if n.startswith("conflict"))
    review = f"; {conflicts} conflict(s) to settle" if conflicts else ""
    click.echo(
        f"Wrote {target} ({', '.join(parts)}){review}: review it (descriptions, conflicts, "
        "enums), then run `cio-lint plan check`"
    )


def register(main: click.Group) -> None:
    plan_group(main).add_command(plan_init)
