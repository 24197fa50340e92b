"""``cio-lint plan generate``: typed Python tracking functions from the plan (docs/plan.md)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from cio_lint.commands import plan_group
from cio_lint.commands._common import fail
from cio_lint.sdks import GENERATE_TARGETS


def _refuse_foreign(target: Path, header: str, force: bool) -> None:
    """Exit 2 when ``target`` exists and is not a generated module (unless ``--force``)."""
    if target.is_dir():
        fail(f"{target} is a folder: -o names the Python file to write")
    if not target.exists() or force:
        return
    try:
        with target.open("rb") as handle:
            first = handle.readline(len(header) + 2)
    except OSError as exc:
        fail(f"{target}: cannot read it: {exc.strerror or exc}")
    if not first.decode("utf-8", "replace").startswith(header):
        fail(
            f"{target} exists and was not written by `cio-lint plan generate` (its first line is "
            "not the generated header): not overwritten; pass --force to replace it"
        )


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``target``, then rename it over ``target``."""
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        fail(f"{target}: cannot write it: {exc.strerror or exc}")
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


@click.command("generate")
@click.option(
    "--sdk",
    "sdk",
    required=True,
    type=click.Choice(sorted(GENERATE_TARGETS)),
    help="The SDK the generated functions call.",
)
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path),
    help="The tracking plan (default: `plan` in [tool.cio-lint], else tracking_plan/).",
)
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="The Python file to write (e.g. app/events.py).",
)
@click.option(
    "--validate/--no-validate",
    default=False,
    show_default=True,
    help="Check each message against the plan's JSON Schema at run time (needs jsonschema).",
)
@click.option("--force", is_flag=True, help="Replace a file that was not generated.")
def plan_generate(sdk: str, plan_path: Path | None, out: Path, validate: bool, force: bool) -> None:
    """Write a typed Python module with one tracking function per planned event."""
    from cio_lint.analysis.generated import HEADER
    from cio_lint.config import ConfigError, load_config
    from cio_lint.plan import PlanError, find_plan, load_plan
    from cio_lint.plan.generate import GenerateError, generate

    configured = None
    if plan_path is None:
        try:
            configured = load_config(Path.cwd()).plan
        except ConfigError as exc:
            fail(str(exc))
    path = plan_path or configured or find_plan(Path.cwd())
    if path is None:
        fail(
            "no tracking plan found: no `plan` in [tool.cio-lint], and no `tracking_plan/` "
            "here or in the parent folders; pass --plan"
        )
    _refuse_foreign(out, HEADER, force)
    try:
        plan = load_plan(path)
        text = generate(plan, GENERATE_TARGETS[sdk], validate=validate)
    except (PlanError, GenerateError) as exc:
        fail(str(exc))
    for warning in plan.warnings:  # unknown keywords: as a lint run, a warning each
        click.echo(f"warning: {warning}", err=True)
    count = len(plan.events)
    what = f"{count} event function{'s' if count != 1 else ''}"
    what += " and identify" if plan.identify is not None else ""
    try:
        unchanged = out.is_file() and out.read_bytes() == text.encode("utf-8")
    except OSError:
        unchanged = False
    if unchanged:
        click.echo(f"{out} is up to date ({what}, --sdk {sdk})")
        return
    _write_atomically(out, text)
    click.echo(f"Wrote {out} ({what}, --sdk {sdk})")


def register(main: click.Group) -> None:
    plan_group(main).add_command(plan_generate)
