"""``[tool.cio-lint]`` in ``pyproject.toml`` plus command-line flags -> one frozen ``Config``.

Unknown keys and values of the wrong type are configuration errors (exit 2): a typo in a CI
gate's configuration must not silently switch a check off.
"""

from __future__ import annotations

import fnmatch
import functools
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cio_lint import sdks
from cio_lint.sdk_versions import check_overrides
from cio_lint.sdks import VERSION_EXAMPLE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration problem: reported on one line, exit code 2."""


DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    "node_modules",
    "site-packages",
    "build",
    "dist",
    ".cio-lint-cache",
)

# The rules that need no plan: all that `--no-plan` / `plan = false` runs
PLAN_FREE = ("CIO003", "CIO011", "CIO013", "CIO1", "CIO2", "CIO307", "CIO308", "CIO309", "CIO9")
NAMING_KEYS = ("events", "properties")

_WRAPPER_KINDS = ("identify", "track", "page", "screen", "group")
_WRAPPER_KEYS = {"kind", "user_id", "anonymous_id", "event", "properties", "traits"}


@dataclass(frozen=True)
class Config:
    root: Path = field(default_factory=Path.cwd)  # the project root (where pyproject.toml is)
    source: Path | None = None  # the file the settings came from
    plan: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    # files named on the command line are excluded too (what a pre-commit hook needs)
    force_exclude: bool = False
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    wrappers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sdk_versions: dict[str, str] = field(default_factory=dict)
    # where the project forwards every SDK's calls besides its defaults: whose limits apply
    destinations: tuple[str, ...] = ()
    jobs: int | None = None
    cache: bool = True
    cache_dir: Path | None = None
    prefilter: bool = True
    max_file_bytes: int = 512 * 1024
    # `naming = {events = "Title Case", properties = "snake_case"}`: CIO201/CIO203 conventions
    naming: dict[str, str] = field(default_factory=dict)
    no_plan: bool = False  # `plan = false` or `--no-plan`: only the plan-free rules run
    workspace: Path | None = None  # the workspace snapshot (default: beside the plan)

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def is_selected(self, code: str, path: str | None = None) -> bool:
        if self.no_plan and not code.startswith(PLAN_FREE):
            return False
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        if any(code.startswith(p) for p in self.ignore):
            return False
        if path is not None:
            for pattern, codes in self.per_file_ignores.items():
                if _matches(path, pattern) and any(code.startswith(c) for c in codes):
                    return False
        return True

    def is_excluded(self, path: Path) -> bool:
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        return self.excludes_relative(rel)

    def excludes_relative(self, rel: str) -> bool:
        """``rel``: a '/'-separated path relative to the project root."""
        names, globs = _exclude_patterns((*self.exclude, *self.extend_exclude))
        if names and not names.isdisjoint(rel.split("/")):
            return True
        return any(_matches(rel, pattern) or _matches(rel, pattern + "/*") for pattern in globs)


@functools.lru_cache(maxsize=16)
def _exclude_patterns(patterns: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Plain names (match any component of a path) and glob patterns, sorted out once: this
    runs for every file and folder of the project."""
    names: set[str] = set()
    globs: list[str] = []
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" in pattern or "*" in pattern:
            globs.append(pattern)
        else:
            names.add(pattern)
    return frozenset(names), tuple(globs)


def _flag(section: dict[str, Any], key: str, where: str) -> bool:
    value = section.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: `{key}` must be true or false")
    return value


def _matches(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, f"*/{pattern}")


class UnknownCode(ConfigError):
    """A selector that matches no rule; ``written`` is how the user wrote it (to find its line)."""

    def __init__(self, message: str, written: str) -> None:
        super().__init__(message)
        self.written = written


def split_codes(value: str | list[str] | tuple[str, ...] | None, where: str) -> tuple[str, ...]:
    """Rule codes or prefixes (``CIO001``, ``CIO1``, ``ALL``), upper-cased. Each must match at
    least one rule: a typo (``CIO0O1``, a letter O) would otherwise select nothing and let
    every check pass (``UnknownCode``)."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"{where}: expected rule codes, got {item!r}")
        code = item.strip().upper()
        if not code:
            continue
        if not code.startswith("CIO") and code != "ALL":
            raise ConfigError(
                f"{where}: `{item.strip()}` is not a rule code or prefix (e.g. CIO001, CIO1)"
            )
        code = "CIO" if code == "ALL" else code
        if not _matches_a_rule(code):
            raise UnknownCode(
                f"{where}: `{item.strip()}` matches no rule{_hint(code)}", item.strip()
            )
        out.append(code)
    return tuple(out)


def _codes() -> list[str]:
    from cio_lint.rules import RULES  # the registry, only when codes are given

    return list(RULES)


def _matches_a_rule(prefix: str) -> bool:
    return any(code.startswith(prefix) for code in _codes())


def _hint(code: str) -> str:
    """``did you mean `CIO001`?`` for a letter typed for a digit (O for 0, I or L for 1), else
    the ranges of the codes there are."""
    digits = code[3:].translate(str.maketrans("OIL", "011"))
    if digits != code[3:] and _matches_a_rule("CIO" + digits):
        return f" (did you mean `CIO{digits}`?)"
    ranges: dict[str, list[str]] = {}
    for known in sorted(_codes()):
        ranges.setdefault(known[:4], []).append(known)
    shown = ", ".join(f"{c[0]}..{c[-1]}" if len(c) > 1 else c[0] for c in ranges.values())
    return f" (the rules are {shown})"


def _line_of(source: Path, written: str) -> int | None:
    """The line of ``source`` where ``written`` appears quoted, in the cio-lint section (for a
    pointer to a bad code); None if it cannot be told cheaply."""
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    start = 0
    if source.name == "pyproject.toml":
        start = next((i for i, t in enumerate(lines) if t.lstrip().startswith("[tool.cio-lint")), 0)
    quoted = (f'"{written}"', f"'{written}'")
    for number, text in enumerate(lines[start:], start + 1):
        if any(q in text for q in quoted):
            return number
    return None


CONFIG_FILES = (".cio-lint.toml", "cio-lint.toml")


def find_pyproject(start: Path) -> Path | None:
    """The configuration of ``start``, as ruff finds its own: in each folder from ``start`` up,
    ``.cio-lint.toml``, then ``cio-lint.toml``, then a ``pyproject.toml`` with a
    ``[tool.cio-lint]`` table. A ``pyproject.toml`` without one (a monorepo service's) does not
    stop the search; if no folder has a configuration, the nearest ``pyproject.toml`` is the
    project (its folder is the root)."""
    current = start.resolve()
    if current.is_file():
        current = current.parent
    nearest: Path | None = None
    for directory in (current, *current.parents):
        for name in CONFIG_FILES:
            if (directory / name).is_file():
                return directory / name
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            if _has_section(candidate):
                return candidate
            nearest = nearest or candidate
    return nearest


def _has_section(pyproject: Path) -> bool:
    try:
        with open(pyproject, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return True  # read it as the configuration: its error is then reported
    tool = data.get("tool")
    return isinstance(tool, dict) and "cio-lint" in tool


def load_config(start: Path, explicit: Path | None = None) -> Config:
    """Read ``[tool.cio-lint]`` from ``explicit`` or the configuration found above ``start``
    (``find_pyproject``)."""
    source = explicit or find_pyproject(start)
    if source is None:
        root = start.resolve()
        return Config(root=root if root.is_dir() else root.parent)
    try:
        with open(source, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{source}: configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    if source.name == "pyproject.toml":
        section = data.get("tool", {}).get("cio-lint", {})
    else:  # a dedicated cio-lint.toml may hold the keys at top level or under [tool.cio-lint]
        section = data.get("tool", {}).get("cio-lint", data)
    return parse_section(section, source)


def parse_section(section: dict[str, Any], source: Path) -> Config:
    where = f"{source}: [tool.cio-lint]"
    known = {
        "plan",
        "select",
        "ignore",
        "exclude",
        "extend-exclude",
        "force-exclude",
        "per-file-ignores",
        "wrappers",
        "sdk-versions",
        "destinations",
        "jobs",
        "cache-dir",
        "no-cache",
        "max-file-size",
        "naming",
        "workspace",
    }
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key `{unknown[0]}` (known: {', '.join(sorted(known))})"
        )
    root = source.resolve().parent
    plan = section.get("plan")
    if plan is not None and plan is not False and not isinstance(plan, str):
        raise ConfigError(f"{where}: `plan` must be a path string, or false (no plan)")
    workspace = section.get("workspace")
    if workspace is not None and not isinstance(workspace, str):
        raise ConfigError(f"{where}: `workspace` must be a path string")

    def str_list(key: str) -> tuple[str, ...] | None:
        value = section.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: `{key}` must be a list of strings")
        return tuple(value)

    per_file: dict[str, tuple[str, ...]] = {}
    raw_pfi = section.get("per-file-ignores", {})
    if not isinstance(raw_pfi, dict):
        raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")

    def codes(value: Any, key: str) -> tuple[str, ...]:
        try:
            return split_codes(value, f"{where}.{key}")
        except UnknownCode as exc:
            line = _line_of(source, exc.written)
            if line is None:
                raise
            message = str(exc).replace(f"{source}: ", f"{source}:{line}: ", 1)
            raise ConfigError(message) from None

    for pattern, pattern_codes in raw_pfi.items():
        per_file[pattern] = codes(pattern_codes, "per-file-ignores")
    sdk_versions = section.get("sdk-versions", {})
    if not isinstance(sdk_versions, dict):
        raise ConfigError(f"{where}: `sdk-versions` must be a table like {{{VERSION_EXAMPLE}}}")
    try:
        sdk_versions = check_overrides(sdk_versions)
    except ValueError as exc:
        raise ConfigError(f"{where}.sdk-versions: {exc}") from None
    destinations = str_list("destinations") or ()
    for name in destinations:
        if name not in sdks.DESTINATIONS:
            raise ConfigError(
                f"{where}: unknown destination `{name}` (known: {', '.join(sdks.DESTINATIONS)})"
            )
    jobs = section.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or jobs < 1):
        raise ConfigError(f"{where}: `jobs` must be a positive integer")
    cache_dir = section.get("cache-dir")
    max_size = section.get("max-file-size", 512)
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
        raise ConfigError(f"{where}: `max-file-size` must be a positive number of KiB")
    config = Config(
        root=root,
        source=source,
        plan=(root / plan) if isinstance(plan, str) and plan else None,
        no_plan=plan is False,
        naming=validate_naming(section.get("naming", {}), where),
        workspace=(root / workspace) if workspace else None,
        select=codes(section.get("select"), "select"),
        ignore=codes(section.get("ignore"), "ignore"),
        exclude=str_list("exclude") or DEFAULT_EXCLUDE,
        extend_exclude=str_list("extend-exclude") or (),
        force_exclude=_flag(section, "force-exclude", where),
        per_file_ignores=per_file,
        wrappers=validate_wrappers(section.get("wrappers", {}), where),
        sdk_versions=dict(sdk_versions),
        destinations=destinations,
        jobs=jobs,
        cache=not section.get("no-cache", False),
        cache_dir=(root / cache_dir) if isinstance(cache_dir, str) else None,
        max_file_bytes=max_size * 1024,
    )
    return config


def validate_naming(raw: Any, where: str) -> dict[str, str]:
    """``naming = {events = "Title Case", properties = "snake_case"}`` (``naming.py``)."""
    from cio_lint.naming import CASE_NAMES

    example = '{events = "Title Case", properties = "snake_case"}'
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: `naming` must be a table like {example}")
    for key, value in raw.items():
        if key not in NAMING_KEYS:
            raise ConfigError(
                f"{where}.naming: unknown key `{key}` (known: {', '.join(NAMING_KEYS)})"
            )
        if value not in CASE_NAMES:
            raise ConfigError(
                f"{where}.naming: `{key}` must be one of {', '.join(repr(c) for c in CASE_NAMES)}"
            )
    return dict(raw)


def validate_wrappers(raw: Any, where: str) -> dict[str, dict[str, Any]]:
    """``"pkg.mod.func" = {kind = "track", user_id = 0, event = 1, properties = "kwargs"}``."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: `wrappers` must be a table")
    out: dict[str, dict[str, Any]] = {}
    for name, spec in raw.items():
        label = f'{where}.wrappers."{name}"'
        if not isinstance(spec, dict):
            raise ConfigError(
                f'{label}: must be a table like {{kind = "track", user_id = 0, event = 1}}'
            )
        unknown = sorted(set(spec) - _WRAPPER_KEYS)
        if unknown:
            raise ConfigError(
                f"{label}: unknown key `{unknown[0]}` (known: {', '.join(sorted(_WRAPPER_KEYS))})"
            )
        kind = spec.get("kind")
        if kind not in _WRAPPER_KINDS:
            raise ConfigError(f"{label}: `kind` must be one of {', '.join(_WRAPPER_KINDS)}")
        for key_, value in spec.items():
            if key_ == "kind":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ConfigError(f"{label}: `{key_}` must be a positional index or a keyword name")
            if isinstance(value, int) and value < 0:
                raise ConfigError(f"{label}: `{key_}` index must be >= 0")
        if "." not in name:
            raise ConfigError(
                f"{label}: name must be a qualified name like `myapp.telemetry.track_event`"
            )
        out[name] = dict(spec)
    return out
