"""What the fuzz properties run: CPython's verdict on a file, and cio-lint on a small project,
in a child process of its own.

The analysis runs through the engine's API (``lint_paths``, ``apply_fixes``), but never in the
test process: a native crash of the parser (a segfault) or a hang would take pytest down with
it. One child is started once and reused for every example (no import cost per example); when
it dies or does not answer in time, the example fails with what happened, and the next example
gets a new child. The CLI is run as a real subprocess by ``run_cli``.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# What ``compile`` raises for a file CPython refuses (NUL bytes are a ValueError before 3.12, a
# bad encoding a UnicodeDecodeError or a SyntaxError, nesting a RecursionError or MemoryError).
REJECTIONS = (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError)
CHILD_MEMORY = 4 << 30  # address space of the child: a runaway example fails, the machine lives


def rejected(data: bytes, name: str = "app.py") -> str | None:
    """Why CPython refuses to compile ``data`` as a module, or None when it compiles.

    Bytes, not text: the BOM and the coding cookie follow CPython's own rules."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning ("is" with a literal...) is no rejection
        try:
            compile(data, name, "exec", dont_inherit=True)
        except REJECTIONS as exc:
            return f"{type(exc).__name__}: {exc}"
    return None


@dataclass(frozen=True)
class Found:
    path: str
    line: int
    column: int
    code: str
    message: str
    safe_fix: bool = False  # it carries a fix ``--fix`` applies


@dataclass(frozen=True)
class Outcome:
    """cio-lint's findings on a project, and CPython's verdict on each of its files."""

    findings: tuple[Found, ...]
    rejected: Mapping[str, str | None]
    sdk_calls: int


@dataclass(frozen=True)
class FixRun:
    """The files before ``--fix``, after one and after a second, and what each run found."""

    before: Mapping[str, bytes]
    first: Mapping[str, bytes]
    second: Mapping[str, bytes]
    found_before: tuple[Found, ...]
    found_after: tuple[Found, ...]
    skipped: tuple[str, ...] = ()  # the fixes the first ``--fix`` declined, and why


# ------------------------------------------------------------------ the work, in the child

_PLANS: dict[str, object] = {}
_NO_WORKSPACE = shutil.ignore_patterns("customerio-workspace.json")


def write_project(root: Path, files: Mapping[str, bytes], plan: str | None = None) -> Path:
    """Write ``files`` (relative path -> bytes) under ``root``, and a copy of ``plan``."""
    if plan is not None:
        shutil.copytree(plan, root / "tracking_plan", ignore=_NO_WORKSPACE)
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def _project(files: Mapping[str, bytes]) -> Path:
    root = write_project(Path(tempfile.mkdtemp(prefix="cio-fuzz-")), files)
    os.chdir(root)  # findings' paths are relative to the current directory
    return root


def _lint(root: Path, plan: str, prefilter: bool = True) -> Any:
    from cio_lint.config import Config
    from cio_lint.engine import lint_paths
    from cio_lint.plan import load_plan

    if plan not in _PLANS:
        # a copy without the demo's workspace snapshot: its CIO3xx findings (some in the
        # snapshot file) are not about the one file a fuzz example checks
        copy = Path(tempfile.mkdtemp(prefix="cio-fuzz-plan-")) / "tracking_plan"
        shutil.copytree(plan, copy, ignore=_NO_WORKSPACE)
        _PLANS[plan] = load_plan(copy)
    config = Config(root=root, cache=False, prefilter=prefilter, sdk_versions={"customerio": "3.2"})
    return lint_paths([root], config, _PLANS[plan], jobs=1)


def _found(result: Any) -> tuple[Found, ...]:
    return tuple(
        Found(
            f.path,
            f.line,
            f.column,
            f.code,
            f.message,
            f.fix is not None and f.fix.applicability == "safe",
        )
        for f in result.findings
    )


def _read(root: Path, names: Mapping[str, bytes]) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in names}


def analyse(files: Mapping[str, bytes], plan: str, prefilter: bool = True) -> Outcome:
    """Lint ``files`` (relative path -> bytes) as one project checked against ``plan``."""
    root = _project(files)
    try:
        result = _lint(root, plan, prefilter)
        verdicts = {rel: rejected(data, rel) for rel, data in files.items()}
        return Outcome(_found(result), verdicts, result.sdk_calls)
    finally:
        os.chdir("/")
        shutil.rmtree(root, ignore_errors=True)


def fix_twice(files: Mapping[str, bytes], plan: str) -> FixRun:
    """``--fix`` as the CLI does it (lint, apply the safe fixes), twice."""
    from cio_lint.fix import apply_fixes

    root = _project(files)
    try:
        result = _lint(root, plan)
        done = apply_fixes(result.findings, root=root)
        first = _read(root, files)
        again = _lint(root, plan)
        apply_fixes(again.findings, root=root)
        second = _read(root, files)
        skipped = tuple(f"{s.path}: {s.reason}" for s in done.skipped)
        return FixRun(dict(files), first, second, _found(result), _found(again), skipped)
    finally:
        os.chdir("/")
        shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------ the child process


class AnalysisCrashed(AssertionError):
    """The child died: a native crash (segfault: signal 11) or an abort."""


class AnalysisHung(AssertionError):
    """The child did not answer in time."""


class AnalysisRaised(AssertionError):
    """The analysis raised an exception: cio-lint crashed on the input."""


def _serve(conn: Connection) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", fn(*args)))
        except BaseException as exc:  # noqa: BLE001  (every failure is reported to the test)
            # the innermost frames say where; a deep recursion would print thousands
            conn.send(("error", "".join(traceback.format_exception(exc, limit=-6))))


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        return f"killed by signal {-code} ({signal.Signals(-code).name})"
    return f"exit code {code}"


class Worker:
    """One child process running the harness functions; replaced after a crash or a hang."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._proc: Any = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        # spawned, not forked: a forked child would carry the frames of pytest and hypothesis
        # and hit Python's recursion limit sooner than the command does
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self._proc = context.Process(target=_serve, args=(theirs,), daemon=True)
        self._proc.start()
        theirs.close()
        self._conn = ours
        return ours

    def _drop(self) -> int | None:
        proc, self._proc, self._conn = self._proc, None, None
        if proc is None:
            return None
        if proc.is_alive():
            proc.kill()
        proc.join(10)
        code: int | None = proc.exitcode
        return code

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        conn = self._conn or self._start()
        conn.send((fn, args))
        if not conn.poll(self.timeout):
            self._drop()
            raise AnalysisHung(f"no answer in {self.timeout:.0f} s")
        try:
            status, value = conn.recv()
        except EOFError:
            raise AnalysisCrashed(f"the analysis process died: {_describe_exit(self._drop())}")
        if status == "error":
            raise AnalysisRaised(f"the analysis raised:\n{value}")
        return value

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._drop()


# ------------------------------------------------------------------ the CLI, as users run it


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str


def run_cli(root: Path, *args: str, timeout: float = 60) -> CliRun:
    """``cio-lint ARGS`` in ``root`` (a real process: what the console script runs)."""
    done = subprocess.run(
        [sys.executable, "-c", "from cio_lint.cli import run; run()", *args],
        cwd=root,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


def describe_cli(run: CliRun, lines: int = 30) -> str:
    """The run for a failure message: its status, and the ends of its output."""

    def tail(text: str) -> str:
        kept = text.splitlines()[-lines:]
        return "\n".join(kept) if len(kept) < lines else "...\n" + "\n".join(kept)

    return f"{_describe_exit(run.returncode)}\nstdout:\n{tail(run.stdout)}\nstderr:\n{tail(run.stderr)}"
