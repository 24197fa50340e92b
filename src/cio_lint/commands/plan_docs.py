"""``cio-lint plan docs``: the tracking plan as a catalogue (HTML page or Markdown)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cio_lint.commands import plan_group
from cio_lint.commands._common import fail, project_of

if TYPE_CHECKING:
    from cio_lint.plan import PlanError

DEFAULT_HTML = Path("tracking-plan.html")


def _shown(path: Path) -> str:
    """A path as the user would write it: relative to the current folder when below it."""
    try:
        resolved = path.resolve()
        if resolved.is_relative_to(Path.cwd()):
            return Path(os.path.relpath(resolved)).as_posix()
    except (OSError, ValueError):
        pass
    return path.as_posix()


def _target(out: Path | None, fmt: str) -> Path | None:
    """The file to write, or ``None`` for stdout (``-o -``, or Markdown without ``-o``)."""
    if out is not None and str(out) == "-":
        return None
    if out is None:
        return DEFAULT_HTML if fmt == "html" else None
    return out


def _write(target: Path, text: str, plan_files: tuple[Path, ...]) -> None:
    resolved = target.resolve()
    if any(resolved == f.resolve() for f in plan_files):
        fail(f"{target}: is a file of the tracking plan: not overwritten; choose another -o")
    if target.is_dir():
        fail(f"{target}: is a folder; -o names the file to write")
    try:
        if target.parent != Path(""):
            target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        fail(f"{target}: cannot write the catalogue: {exc.strerror or exc}")


@click.command("docs")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path),
    help="Tracking plan folder or file (default: `plan` in [tool.cio-lint], else "
    "tracking_plan/ found by walking up).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default="html",
    show_default=True,
    help="One self-contained HTML page, or Markdown for a wiki.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path),
    help=f"File to write; `-` for stdout (default: {DEFAULT_HTML} for html, stdout for md).",
)
@click.option(
    "--no-code", is_flag=True, help="Document the plan alone: do not analyze PATHS for call sites."
)
def plan_docs(
    paths: tuple[Path, ...], plan_path: Path | None, fmt: str, out: Path | None, no_code: bool
) -> None:
    """Write the tracking plan as a catalogue: every event and its properties, the traits,
    and where the code in PATHS (default: .) sends each one."""
    from cio_lint.plan import PlanError, find_plan, load_plan
    from cio_lint.plan.catalogue import collect

    targets, config = project_of(paths)
    path = plan_path or config.plan or find_plan(targets[0])
    if path is None:
        fail(
            "no tracking plan found: no `plan` in [tool.cio-lint], and no `tracking_plan/` "
            f"in {_shown(targets[0])} or its parents; pass `--plan PATH`"
        )
    try:
        plan = load_plan(path)
    except PlanError as exc:
        fail(_one_line(exc))
    resolved = None
    if not no_code:
        from cio_lint.engine import lint_paths

        resolved = lint_paths(targets, config, plan, use_run_cache=False).resolved
    catalogue = collect(
        plan, resolved, plan_shown=_shown(Path(path)), paths=[_shown(t) for t in targets]
    )
    if fmt == "html":
        from cio_lint.plan.render_html import render_html

        text = render_html(catalogue)
    else:
        from cio_lint.plan.render_md import render_md

        text = render_md(catalogue)
    target = _target(out, fmt)
    if target is None:
        click.echo(text, nl=False)
        return
    _write(target, text, plan.files)
    parts = [f"{len(catalogue.events)} event{'s' if len(catalogue.events) != 1 else ''}"]
    if catalogue.analyzed:
        parts.append(f"{len(catalogue.unplanned)} sent but not planned")
        parts.append(f"{len(catalogue.unemitted)} planned but never sent")
    click.echo(f"Wrote {_shown(target)} ({', '.join(parts)})")


def _one_line(exc: PlanError) -> str:
    """A plan error on one line: its first issue (file, line, what), and how many more."""
    if not exc.issues:
        return exc.headline
    more = len(exc.issues) - 1
    rest = f" (and {more} more: run `cio-lint plan check`)" if more else ""
    return f"{exc.issues[0]}{rest}"


def register(main: click.Group) -> None:
    plan_group(main).add_command(plan_docs)
