"""``cio-lint plan import``: another tool's tracking plan -> cio-lint's native YAML."""

from __future__ import annotations

from pathlib import Path

import click

from cio_lint.commands import plan_group
from cio_lint.commands._common import fail


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--to",
    "out",
    type=click.Path(path_type=Path),
    default=Path("tracking_plan"),
    show_default=True,
    help="Plan folder to create (its plan.yaml), or a .yaml file.",
)
@click.option("--force", is_flag=True, help="Replace an existing plan.")
def plan_import(source: Path, out: Path, force: bool) -> None:
    """Convert SOURCE (Segment Typewriter v7/v8 or RudderTyper plan.json, a Rudder CLI project,
    an Iglu schema folder, posthog.events.yaml, an OpenTrackPlan folder) to a native plan."""
    import yaml

    from cio_lint.commands.plan_init import refuse_existing, write_plan
    from cio_lint.plan import PlanError
    from cio_lint.plan.importers import import_plan
    from cio_lint.plan.importers_more import as_extensions, notes

    if not source.exists():
        fail(f"{source}: no such file or directory")
    target = refuse_existing(out, force)
    try:
        plan = import_plan(source)
        dropped = notes(source)
    except PlanError as exc:
        fail(str(exc))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        fail(f"{source} cannot be imported: {exc}")
    plan = as_extensions(plan, dropped)
    for note in dropped:
        click.echo(f"{source}: {note}" if not note.startswith(str(source)) else note, err=True)
    header = (
        f"# Imported by `cio-lint plan import` from {source.as_posix()}.\n"
        "# What could not be expressed was listed when it ran; `x-` keys keep the source's "
        "metadata.\n"
    )
    write_plan(target, header + dump_plan(plan))
    count = len(plan.get("events", {}))
    parts = [f"{count} event{'s' if count != 1 else ''}"]
    parts += [kind for kind in ("identify", "group") if kind in plan]
    lost = f"; {len(dropped)} note(s) on what was not imported" if dropped else ""
    click.echo(f"Wrote {target} ({', '.join(parts)}){lost}: check it with `cio-lint plan check`")


def dump_plan(plan: dict[str, object]) -> str:
    import yaml  # (here: every command line registers this command, few run it)

    class _Dumper(yaml.SafeDumper):
        """YAML without anchors: a schema shared twice is written twice, as a reader expects."""

        def ignore_aliases(self, data: object) -> bool:
            return True

    text: str = yaml.dump(plan, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


def register(main: click.Group) -> None:
    plan_group(main).add_command(plan_import)
