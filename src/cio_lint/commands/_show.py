"""What the check command prints besides findings: the progress bar, ``--show-settings`` and
``--explain-wrappers`` (each exits after printing)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from cio_lint.config import Config


def show_progress(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")


class ProgressBar:
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


def explain_wrappers_(targets: Sequence[Path], config: Config, plan: Any, jobs: int | None) -> None:
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


def show_settings_(config: Config, plan_path: Path | None, start: Path) -> None:
    """``--show-settings``: every resolved setting, one per line (ruff's option of that name)."""
    from cio_lint.plan import find_plan
    from cio_lint.sdk_versions import decide

    plan = plan_path or config.plan or find_plan(start if start.exists() else Path.cwd())
    cache_dir = config.cache_dir or config.root / ".cio-lint-cache"
    rows: list[tuple[str, object]] = [
        ("root", str(config.root)),
        ("settings file", str(config.source) if config.source else "(none: defaults)"),
        ("plan", "(none: --no-plan or plan = false)" if config.no_plan else plan or "(none found)"),
        ("naming", config.naming or "(detected from the code)"),
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


def show_files_(result: Any, cwd: Path) -> None:
    """``--show-files``: every file of the run and what happened to it, then a count.

    ``checked``: a target whose calls were checked; ``skipped``: a target the prefilter did not
    read (it mentions no SDK module, no wrapper and no module that holds a client, so it cannot
    make an SDK call); ``read``: not a target, read only to resolve what the targets use.
    """
    targets = set(result.targets)
    rows: list[tuple[str, str, str]] = []
    for path in sorted(targets | set(result.read)):
        shown = _relative_path(path, cwd) if os.path.isabs(path) else path
        if path not in targets:
            rows.append(("read", shown, "not a target: resolves names the targets use"))
        elif path in result.read:
            rows.append(("checked", shown, ""))
        else:
            rows.append(("skipped", shown, "mentions no SDK, wrapper or client-holding module"))
    for status, shown, why in rows:
        click.echo(f"{status:<8} {shown}" + (f"  ({why})" if why else ""))
    counts = {s: sum(1 for r in rows if r[0] == s) for s in ("checked", "skipped", "read")}
    click.echo(
        f"{len(targets)} target files: {counts['checked']} checked, {counts['skipped']} skipped "
        f"by the prefilter; {counts['read']} other files read"
    )
