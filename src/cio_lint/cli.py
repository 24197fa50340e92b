"""The ``cio-lint`` command: turns options into a run, and outcomes into exit codes. Nothing else."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from cio_lint import __version__
from cio_lint.commands._common import EXIT_FINDINGS, EXIT_OK, fail
from cio_lint.commands._show import (
    ProgressBar,
    explain_wrappers_,
    show_files_,
    show_progress,
    show_settings_,
)
from cio_lint.config import Config, ConfigError, load_config, split_codes
from cio_lint.discovery import check_paths, reason

FORMATS = ("text", "concise", "full", "json", "sarif", "github")
TEXT_FORMATS = ("text", "concise", "full")  # the human ones: summary line, colours, --statistics


class _DefaultGroup(click.Group):
    """``cio-lint PATHS`` runs ``check``; ``cio-lint plan ...`` runs the plan tools."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--version", "-h", "--help")
        ):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("cio-lint", "[OPTIONS] [PATHS]...   |   cio-lint COMMAND [ARGS]...")

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

    `cio-lint PATHS` checks PATHS (default: .) with the options below; the commands listed
    last work on the plan (`cio-lint plan --help`) and explain rules.
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
    "--no-plan",
    is_flag=True,
    help="Run without a tracking plan: only the plan-free rules (CIO2xx, CIO1xx, CIO003, ...).",
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
    help="Report format: text (the source under each finding on a terminal), concise (one line "
    "each), full (always the source), json, sarif, github. --output-format is the same option.",
)
@click.option(
    "--color",
    type=click.Choice(("auto", "always", "never")),
    default="auto",
    show_default=True,
    help="Colours in text output; auto: when stdout is a terminal and NO_COLOR is not set.",
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
@click.option(
    "--show-fixes",
    is_flag=True,
    help="After the report, list per file and code what --fix fixed (or, without --fix, would fix).",
)
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Add a `# cio-lint: ignore[CODE]` comment to every line with a finding, then exit.",
)
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
    "--show-files",
    is_flag=True,
    help="List every file of the run: checked, skipped by the prefilter (and why), or read "
    "only to resolve names; then exit.",
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
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path),
    help="Check the source read from stdin (path `-`) as if it were this file of the project.",
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
    no_plan: bool,
    workspace_path: Path | None,
    output_format: str,
    color: str,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool | None,
    fix: bool,
    diff: bool,
    show_fixes: bool,
    add_noqa: bool,
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
    show_files: bool,
    progress: bool | None,
    no_prefilter: bool,
    stdin_filename: Path | None,
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
        if Path("-") in targets or stdin_filename is not None:
            targets = [_read_stdin(list(paths), stdin_filename, fix or diff or add_noqa)]
            no_cache = True  # the cache keys whole runs by the files' stamps, not by stdin
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
        if no_plan and plan_path is not None:
            raise ConfigError("--no-plan and --plan PATH exclude each other: pick one")
        if no_plan or plan_path is not None:  # the command line wins over `plan = false`
            config = config.with_overrides(no_plan=no_plan)
        if config.no_plan:
            _check_plan_free_selection(config)
        if show_settings:
            show_settings_(config, plan_path, targets[0])
            return
        # a handle: a run the cache answers never loads the plan (``plan.handle``)
        plan = _load_plan(plan_path, config, targets[0], deferred=True)
        bar = ProgressBar() if show_progress(progress) else None
        if explain_wrappers or show_files:
            _plan_warnings(plan)
        if explain_wrappers:
            explain_wrappers_(targets, config, plan, jobs)
            return
        if show_files:
            show_files_(lint_paths(targets, config, plan, jobs, use_run_cache=False), Path.cwd())
            return
        # What is written into the project comes from its files and plan alone, never from the
        # cache, which is not trusted (docs/security.md).
        writes = fix or diff or write_baseline or add_noqa
        fresh = config.with_overrides(cache=False) if writes else config
        try:
            result = lint_paths(targets, fresh, plan, jobs, progress=bar)
        finally:
            if bar is not None:
                bar.close()
        _plan_warnings(plan)
        findings = result.findings
        if result.files_checked == 0:  # never an unexplained "All checks passed!"
            why = " (every file named is excluded: `force-exclude`)" if config.force_exclude else ""
            click.echo(f"warning: no Python file to check under the paths given{why}", err=True)
        if add_noqa:
            _add_noqa(findings, result.files, quiet)
        fixes_applied = 0
        fixed_findings: list[Any] = []
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
            fixed_findings = list(outcome.fixed)
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
        color=output_format in TEXT_FORMATS and _use_color(color, output_file is None),
        tool_version=__version__,
        fixes_applied=fixes_applied,
        counts=RunCounts(result.sdk_calls, result.files_checked, result.through_wrappers),
    )
    if statistics and output_format in TEXT_FORMATS:
        from cio_lint.explain import statistics as per_code

        text = per_code(findings)
    else:
        text = REPORTERS[output_format](findings, ctx)
    if quiet and output_format in TEXT_FORMATS:
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
        click.echo(text, nl=False, color=ctx.color or None)  # click strips ANSI from pipes
    if show_fixes:
        from cio_lint.explain import fix_enumeration

        shown = fix_enumeration(fixed_findings if fix else findings, applied=fix)
        click.echo(
            shown, nl=False, err=output_format not in TEXT_FORMATS or output_file is not None
        )
    if baseline_stale and stale:
        click.echo(
            f"{len(stale)} stale baseline entr{'y' if len(stale) == 1 else 'ies'} (no longer found):",
            err=True,
        )
        for entry in stale:
            click.echo(f"  {entry.describe()}", err=True)
    failed = any(f.severity == "error" for f in findings) or (baseline_stale and bool(stale))
    sys.exit(EXIT_FINDINGS if failed and not exit_zero else EXIT_OK)


def _read_stdin(targets: Sequence[Path], name: Path | None, writes: bool) -> Path:
    """``cio-lint - --stdin-filename app/views.py``: the source on stdin stands for that file
    (``discovery.OVERLAY``), which must exist, so that its module, package and configuration
    are the project's. Usage errors: ``-`` beside other paths, no ``--stdin-filename``, and
    the options that write files."""
    from cio_lint.discovery import OVERLAY

    if name is None:
        raise ConfigError(
            "reading stdin (`-`) needs `--stdin-filename PATH`: the file's path in the project"
        )
    if [t for t in targets if t != Path("-")] or len(targets) > 1:
        raise ConfigError("`-` (stdin) cannot be combined with other paths")
    if writes:
        raise ConfigError(
            "--fix, --diff and --add-noqa write files: not with stdin; run them on the file"
        )
    check_paths([name])
    if not name.is_file():
        raise ConfigError(f"--stdin-filename {name}: not a file")
    OVERLAY[os.path.abspath(name)] = sys.stdin.buffer.read()
    return name


def _add_noqa(findings: Sequence[Any], files: Sequence[str], quiet: bool) -> None:
    """``--add-noqa``: suppress every finding where it is (not the file-level ones, and not
    CIO904 itself), report the lines that cannot take a comment, exit 0."""
    from cio_lint.suppressions import add_noqa

    wanted = [f for f in findings if f.code not in ("CIO900", "CIO901", "CIO903", "CIO904")]
    added, warnings = add_noqa(wanted, files)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        click.echo(f"Added {added} suppression comment{'' if added == 1 else 's'}.")
    sys.exit(EXIT_OK)


def _use_color(choice: str, to_stdout: bool) -> bool:
    """``--color``: ``always``/``never`` as said; ``auto`` colours a terminal's output unless
    ``NO_COLOR`` is set to anything non-empty (no-color.org); ``FORCE_COLOR`` (non-empty)
    colours it even when piped. Under ``auto``, a report written to ``--output-file`` is not
    coloured."""
    if choice != "auto":
        return choice == "always"
    if not to_stdout or os.environ.get("NO_COLOR", ""):
        return False
    return bool(os.environ.get("FORCE_COLOR", "")) or sys.stdout.isatty()


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


def _check_plan_free_selection(config: Config) -> None:
    """Without a plan, a selection of plan rules only would check nothing: a usage error."""
    from cio_lint.config import PLAN_FREE
    from cio_lint.rules import RULES

    if not any(config.is_selected(code) for code in RULES):
        raise ConfigError(
            "without a plan only the plan-free rules run "
            f"({', '.join(p + ('xx' if len(p) == 4 else '') for p in PLAN_FREE)}), "
            "and `select` names none of them"
        )


def _plan_warnings(plan: Any) -> None:
    for warning in getattr(plan, "warnings", ()):
        # usable, but not what its author meant: `cio-lint plan check` fails on them
        click.echo(f"warning: {warning}", err=True)


def _load_plan(plan_path: Path | None, config: Config, start: Path, deferred: bool = False) -> Any:
    """The run's plan; ``deferred``: a ``PlanHandle`` that loads it when first used."""
    from cio_lint.plan import find_plan
    from cio_lint.plan.handle import PlanHandle

    if config.no_plan:
        from cio_lint.plan import Plan

        return Plan.empty(config.root)
    path = plan_path or config.plan
    if path is None:
        path = find_plan(start if start.exists() else Path.cwd())
        if path is None:
            where = start.resolve()
            raise ConfigError(
                f"no tracking plan found: looked for `tracking_plan/` in {where} and its parents. "
                "Create one (see the README's plan format) or pass `--plan PATH`; "
                "use --no-plan to run the plan-free checks, or create one with 'cio-lint plan init'"
            )
    if not path.exists():
        raise ConfigError(f"{path}: tracking plan not found")
    if deferred:
        return PlanHandle(path)
    from cio_lint.plan import load_plan

    return load_plan(path)


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
