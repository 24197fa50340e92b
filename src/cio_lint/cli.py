"""The ``cio-lint`` command: turns options into a run, and outcomes into exit codes. Nothing else."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from cio_lint import __version__
from cio_lint.commands._common import EXIT_FINDINGS, EXIT_OK, fail
from cio_lint.config import Config, ConfigError, load_config, split_codes
from cio_lint.discovery import check_paths, reason

FORMATS = ("text", "json", "sarif", "github")


class _DefaultGroup(click.Group):
    """``cio-lint PATHS`` runs ``check``; ``cio-lint plan ...`` runs the plan tools."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--version", "-h", "--help")
        ):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("cio-lint", "[OPTIONS] [PATHS]...   |   cio-lint plan check [PLAN]")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """``cio-lint --help`` lists the options of a check (what ``cio-lint PATHS`` runs), then
        ``--version`` and the commands."""
        check_command = self.commands["check"]
        with click.Context(check_command, info_name="cio-lint", parent=None) as sub:
            rows = [
                row
                for param in check_command.get_params(sub)
                if "--help" not in param.opts and (row := param.get_help_record(sub)) is not None
            ]
        rows += [row for param in self.get_params(ctx) if (row := param.get_help_record(ctx))]
        with formatter.section("Options"):
            formatter.write_dl(rows)
        self.format_commands(ctx, formatter)


class _Command(click.Command):
    """A command whose "Did you mean" suggestions leave out its hidden options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            hidden = {name for p in self.params if getattr(p, "hidden", False) for name in p.opts}
            shown = [p for p in exc.possibilities or () if p not in hidden]
            raise click.NoSuchOption(exc.option_name, possibilities=shown, ctx=exc.ctx) from None


_fail = fail


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="cio-lint", message="%(prog)s %(version)s"
)
def main() -> None:
    """Check analytics calls (Customer.io, Segment, RudderStack, PostHog, Mixpanel, Amplitude)
    against a tracking plan.

    `cio-lint PATHS` checks PATHS (default: .) with the options below; `cio-lint plan check`
    validates the plan alone.
    """


@main.command("check", cls=_Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path),
    help="Tracking plan folder or file (default: tracking_plan/ found by walking up).",
)
@click.option(
    "--workspace",
    "workspace_path",
    type=click.Path(path_type=Path),
    help="Customer.io workspace snapshot (default: customerio-workspace.json beside the plan).",
)
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format (--output-format, as ruff spells it, is the same option).",
)
@click.option(
    "--select",
    multiple=True,
    help="Comma-separated codes or prefixes to check (CIO1 = all CIO1xx); repeated, they add up.",
)
@click.option(
    "--extend-select",
    multiple=True,
    help="Codes or prefixes to check besides those `select` (configuration or --select) names.",
)
@click.option("--ignore", multiple=True, help="Comma-separated codes or prefixes to skip.")
@click.option(
    "--exclude",
    multiple=True,
    help="Comma-separated names or globs to skip, instead of the configured `exclude`.",
)
@click.option(
    "--extend-exclude",
    multiple=True,
    help="Comma-separated names or globs to skip besides `exclude`.",
)
@click.option(
    "--force-exclude/--no-force-exclude",
    default=None,
    help="Exclude files named on the command line too (for pre-commit; config `force-exclude`).",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes (CIO002), then report what remains.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change nothing.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="Do not report findings recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path),
    help="Record the current findings as the baseline and exit 0.",
)
@click.option(
    "--baseline-stale",
    is_flag=True,
    help="With --baseline: list baseline entries no finding matches any more (exit 1 if any).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Read [tool.cio-lint] from this file.",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: CPU count)."
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    help="Cache folder (default .cio-lint-cache/ at the project root).",
)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--explain-wrappers",
    is_flag=True,
    help="List the inferred and declared wrappers with their argument mapping, then exit.",
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the resolved settings (SDK versions included, with where each was decided), then exit.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal and CI is not set).",
)
@click.option(
    "--no-prefilter",
    is_flag=True,
    hidden=True,
    help="Parse every file (for testing the prefilter).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option(
    "--statistics",
    is_flag=True,
    help="Print how many findings of each code instead of the findings (text output).",
)
@click.option(
    "--list-rules",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, _param, value: _list_rules(ctx) if value else None,
    help="List every rule (code, name, severity, fixable, summary) and exit.",
)
def check(
    paths: tuple[Path, ...],
    plan_path: Path | None,
    workspace_path: Path | None,
    output_format: str,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool | None,
    fix: bool,
    diff: bool,
    exit_zero: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    baseline_stale: bool,
    config_path: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    output_file: Path | None,
    explain_wrappers: bool,
    show_settings: bool,
    progress: bool | None,
    no_prefilter: bool,
    quiet: bool,
    statistics: bool,
) -> None:
    """Check PATHS (files or folders, default: .) against the tracking plan."""
    from cio_lint.baseline import BaselineError, load_baseline
    from cio_lint.baseline import write_baseline as save_baseline
    from cio_lint.engine import lint_paths
    from cio_lint.plan import PlanError
    from cio_lint.reporters import REPORTERS, ReportContext, RunCounts

    targets = list(paths) or [Path(".")]
    try:
        check_paths(targets)  # before anything else: a typo in a path is no clean run
        config = load_config(targets[0], config_path)
        selected = _codes(select, "--select") or config.select
        extended = _codes(extend_select, "--extend-select")
        config = config.with_overrides(
            select=(*selected, *extended) if selected and extended else selected,
            ignore=(*config.ignore, *_codes(ignore, "--ignore")) if ignore else None,
            exclude=_patterns(exclude) or None,
            extend_exclude=(*config.extend_exclude, *_patterns(extend_exclude)) or None,
            force_exclude=force_exclude,
            jobs=jobs,
            cache=False if no_cache else None,
            cache_dir=cache_dir,
            prefilter=False if no_prefilter else None,
            workspace=workspace_path,
        )
        if show_settings:
            _show_settings(config, plan_path, targets[0])
            return
        plan = _load_plan(plan_path, config, targets[0])
        for warning in getattr(plan, "warnings", ()):
            # usable, but not what its author meant: `cio-lint plan check` fails on them
            click.echo(f"warning: {warning}", err=True)
        bar = _ProgressBar() if _show_progress(progress) else None
        if explain_wrappers:
            _explain_wrappers(targets, config, plan, jobs)
            return
        # What is written into the project comes from its files and plan alone, never from the
        # cache, which is not trusted (docs/security.md).
        fresh = config.with_overrides(cache=False) if fix or diff or write_baseline else config
        try:
            result = lint_paths(targets, fresh, plan, jobs, progress=bar)
        finally:
            if bar is not None:
                bar.close()
        findings = result.findings
        if result.files_checked == 0:  # never an unexplained "All checks passed!"
            why = " (every file named is excluded: `force-exclude`)" if config.force_exclude else ""
            click.echo(f"warning: no Python file to check under the paths given{why}", err=True)
        fixes_applied = 0
        if diff:
            from cio_lint.fix import diff_fixes

            text = diff_fixes(findings, root=Path.cwd(), allowed=result.files)
            click.echo(text, nl=False)
            sys.exit(EXIT_FINDINGS if text and not exit_zero else EXIT_OK)
        if fix:
            from cio_lint.fix import apply_fixes

            outcome = apply_fixes(findings, root=Path.cwd(), allowed=result.files)
            for skipped in outcome.skipped:
                click.echo(
                    f"warning: fix not applied to {skipped.path}: {skipped.reason}", err=True
                )
            fixes_applied = len(outcome.fixed)
            if outcome.files_fixed:
                result = lint_paths(targets, config, plan, jobs)
                findings = result.findings
        if write_baseline is not None:
            try:
                count = save_baseline(write_baseline, findings, cwd=Path.cwd())
            except OSError as exc:
                raise ConfigError(
                    f"{write_baseline}: cannot write the baseline: {reason(exc)}"
                ) from None
            if not quiet:
                click.echo(f"Wrote {count} finding(s) to the baseline {write_baseline}", err=True)
            sys.exit(EXIT_OK)
        stale: list[Any] = []
        if baseline is not None:
            findings, stale = load_baseline(baseline).filter(findings, cwd=Path.cwd())
    except (ConfigError, PlanError, BaselineError) as exc:
        _fail(str(exc))
        return

    ctx = ReportContext(
        root=_repository_root(config.root),
        cwd=Path.cwd(),
        show_source=output_format == "text" and output_file is None and sys.stdout.isatty(),
        tool_version=__version__,
        fixes_applied=fixes_applied,
        counts=RunCounts(result.sdk_calls, result.files_checked, result.through_wrappers),
    )
    if statistics and output_format == "text":
        from cio_lint.explain import statistics as per_code

        text = per_code(findings)
    else:
        text = REPORTERS[output_format](findings, ctx)
    if quiet and output_format == "text":
        text = "".join(
            line + "\n"
            for line in text.splitlines()
            if line and not line.startswith(("Checked ", "Found ", "All checks"))
        )
    if output_file is not None:
        try:
            output_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"{output_file}: cannot write the report: {reason(exc)}")
    else:
        click.echo(text, nl=False)
    if baseline_stale and stale:
        click.echo(
            f"{len(stale)} stale baseline entr{'y' if len(stale) == 1 else 'ies'} (no longer found):",
            err=True,
        )
        for entry in stale:
            click.echo(f"  {entry.describe()}", err=True)
    failed = any(f.severity == "error" for f in findings) or (baseline_stale and bool(stale))
    sys.exit(EXIT_FINDINGS if failed and not exit_zero else EXIT_OK)


def _repository_root(project_root: Path) -> Path:
    """What SARIF URIs and GitHub annotation paths are relative to: the repository, not the
    project (in a monorepo, ``services/api/pyproject.toml`` is not where GitHub resolves
    ``file=``). ``GITHUB_WORKSPACE`` when the current folder is inside it, else the nearest
    folder above the current one that holds ``.git``, else the project root."""
    cwd = Path.cwd().resolve()
    workspace = os.environ.get("GITHUB_WORKSPACE", "")
    if workspace and cwd.is_relative_to(Path(workspace).resolve()):
        return Path(workspace).resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder
    return project_root


def _codes(values: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Each occurrence of a repeatable codes option, comma-separated, added up."""
    return tuple(code for value in values for code in split_codes(value, option))


def _patterns(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.strip() for value in values for p in value.split(",") if p.strip())


def _show_progress(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")


class _ProgressBar:
    """``[#####.....] 120/400 files`` on stderr, only once a run has taken over a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.drawn = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.shown and now - self.start < 1.0:
            return
        # at most ten redraws a second, and the last one (2,000 files: a few KB, not 115)
        if self.shown and done < total and now - self.drawn < 0.1:
            return
        self.shown, self.drawn = True, now
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(
            f"\rcio-lint: parsing [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _load_plan(plan_path: Path | None, config: Config, start: Path) -> Any:
    from cio_lint.plan import find_plan, load_plan

    path = plan_path or config.plan
    if path is None:
        path = find_plan(start if start.exists() else Path.cwd())
        if path is None:
            where = start.resolve()
            raise ConfigError(
                f"no tracking plan found: looked for `tracking_plan/` in {where} and its parents. "
                "Create one (see the README's plan format) or pass `--plan PATH`"
            )
    if not path.exists():
        raise ConfigError(f"{path}: tracking plan not found")
    return load_plan(path)


def _explain_wrappers(targets: Sequence[Path], config: Config, plan: Any, jobs: int | None) -> None:
    from cio_lint import sdks
    from cio_lint.engine import lint_paths
    from cio_lint.sdk_versions import decide

    versions = decide(config.root, config.sdk_versions)
    for decision in versions.decisions.values():
        line = decision.describe()
        if line is not None:
            click.echo(line)
    for skipped in versions.skipped:
        click.echo(f"  (skipped {skipped})")
    result = lint_paths(targets, config, plan, jobs, use_run_cache=False)
    variants = sdks.variants({name: versions.version(name) for name in versions.decisions})
    if result.by_member_name:
        click.echo(
            "Receivers resolved by member name (one class of the scanned code holds a client under it):"
        )
        cwd = Path.cwd()
        for (path, lineno, column), member in sorted(result.by_member_name.items()):
            click.echo(f"  {_relative_path(path, cwd)}:{lineno}:{column} -> {member}")
    if not result.wrappers:
        click.echo("No wrappers found.")
        return
    for info in result.wrappers:
        declared = info.qualname.startswith("declared:")
        name = info.qualname.replace("declared:", "")
        click.echo(
            f"{info.module}.{name}({', '.join(info.params)}){'  [declared]' if declared else ''}"
        )
        for emission in info.emissions:
            mapping = _describe_mapping(emission, variants)
            click.echo(f"    -> {emission.method} ({emission.family}): {mapping}")
            if len(emission.via) > 0:
                click.echo(f"       through {' -> '.join(emission.via)}")


def _relative_path(path: str, cwd: Path) -> str:
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _show_settings(config: Config, plan_path: Path | None, start: Path) -> None:
    """``--show-settings``: every resolved setting, one per line (ruff's option of that name)."""
    from cio_lint.plan import find_plan
    from cio_lint.sdk_versions import decide

    plan = plan_path or config.plan or find_plan(start if start.exists() else Path.cwd())
    cache_dir = config.cache_dir or config.root / ".cio-lint-cache"
    rows: list[tuple[str, object]] = [
        ("root", str(config.root)),
        ("settings file", str(config.source) if config.source else "(none: defaults)"),
        ("plan", str(plan) if plan else "(none found)"),
        ("select", list(config.select) or ["CIO"]),
        ("ignore", list(config.ignore)),
        ("exclude", list(config.exclude)),
        ("extend-exclude", list(config.extend_exclude)),
        ("per-file-ignores", {k: list(v) for k, v in config.per_file_ignores.items()}),
        ("destinations", list(config.destinations)),
        ("jobs", config.jobs or "(CPU count)"),
        ("cache", str(cache_dir) if config.cache else "off"),
        ("max-file-size", f"{config.max_file_bytes // 1024} KiB"),
    ]
    for key, value in rows:
        click.echo(f"{key} = {value}")
    click.echo("wrappers:" if config.wrappers else "wrappers = {}")
    for name, spec in config.wrappers.items():
        click.echo(f"  {name} = {spec}")
    versions = decide(config.root, config.sdk_versions)
    click.echo("sdk-versions:")
    for decision in versions.decisions.values():
        shown = {"newest": "newest", "installed": f"{decision.text} (installed)"}.get(
            decision.source, f"{decision.text} (from {decision.source})"
        )
        click.echo(f"  {decision.name} = {shown}")
        line = decision.describe()
        if line is not None:
            click.echo(f"      {line.split(': ', 1)[1]}")
    for skipped in versions.skipped:
        click.echo(f"  skipped {skipped}")


def _describe_mapping(emission: Any, variants: Mapping[tuple[str, str], Any]) -> str:
    """``user_id <- user, event <- name, properties <- props``: which parameter feeds what;
    ``variants``: ``sdks.variants`` at the decided versions."""
    from cio_lint.analysis.syms import mentions

    variant = variants.get((emission.family, emission.method))
    names = variant.signature.params if variant is not None else ()
    parts = []
    for i, arg in enumerate(emission.args):
        if mentions(arg, "param"):
            label = names[i] if i < len(names) else f"arg {i}"
            parts.append(f"{label} <- {_params_in(arg)}")
    for kw, value in emission.kwargs:
        if mentions(value, "param"):
            parts.append(f"{kw or '**'} <- {_params_in(value)}")
    return ", ".join(parts) or "(no parameter forwarded)"


def _params_in(sym: Any) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, tuple) and node:
            if node[0] == "param":
                found.append(str(node[1]))
                return
            for part in node:
                walk(part)

    walk(sym)
    return ", ".join(dict.fromkeys(found)) or "?"


def _list_rules(ctx: click.Context) -> None:
    from cio_lint.explain import rules_table

    click.echo(rules_table(), nl=False)
    ctx.exit(EXIT_OK)


from cio_lint.commands import register_all

register_all(main)


def run() -> None:
    """The ``cio-lint`` console script: ``main``, for a short-lived process.

    The cyclic garbage collector runs less often (the thresholds mypy uses: otherwise it takes a
    large share of the CPU on the many small objects of a run; the worker processes forked
    later inherit the setting), and the process ends with ``os._exit`` once its output is
    flushed, instead of tearing down every object it built (mypy's ``hard_exit``), unless a
    tracer or profiler is active (coverage, cProfile write their data at exit). Used as a
    library, or in-process by tests, ``main`` changes neither.
    """
    import gc

    if sys.implementation.name == "cpython":
        gc.set_threshold(200_000, 30, 30)
    status = 0
    try:
        main()
    except SystemExit as exc:
        if isinstance(exc.code, int):
            status = exc.code
        elif exc.code is not None:
            print(exc.code, file=sys.stderr)  # what sys.exit("message") prints
            status = 1
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(status)  # under coverage or a profiler: let them write their data at exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
