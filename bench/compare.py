#!/usr/bin/env python3
"""Cold runs of several revisions of cio-lint (and ruff), interleaved, many times.

    python bench/compare.py --corpus /tmp/cio-bench-corpus-1M --repeat 20 8699767 eff7177 HEAD

``bench/run.py`` times every mode of one revision (and one ``--baseline``) five times; on a
noisy machine its medians move by ±10% from one run to the next. This script times only the
cold run (``cio-lint --no-cache --format json .`` in the corpus), of each revision in turn,
``--repeat`` times, and prints per revision the median and minimum wall time, the median CPU
time and two ratios to the first revision: of the medians, and the median of the ratios of
runs next to each other. ``--ruff`` adds ruff's ``check --no-cache --exit-zero`` to each turn.
Each revision runs from a snapshot of its committed ``src/`` (``run.snapshot_cio_lint``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import script_python, snapshot_cio_lint


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(  # cio-lint exits 1 when it finds something
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="+", help="git revisions; the first is the reference")
    parser.add_argument("--corpus", type=Path, required=True, help="from bench/generate.py")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cio-lint", default=str(Path(sys.executable).parent / "cio-lint"))
    parser.add_argument("--ruff", help="a ruff executable to time in each turn too")
    args = parser.parse_args(argv)
    python = script_python(args.cio_lint)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="cio-compare-") as work:
        commands: dict[str, list[str]] = {}
        for rev in args.revisions:
            script, head = snapshot_cio_lint(args.cio_lint, python, Path(work), rev)
            commands[f"{rev} ({head})"] = [script, "--no-cache", "--format", "json", "."]
        if args.ruff:
            commands["ruff"] = [args.ruff, "check", "--no-cache", "--quiet", "--exit-zero", "."]
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for turn in range(args.repeat):
            for name, cmd in commands.items():
                wall, cpu = _timed(cmd, args.corpus, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
            print(f"turn {turn + 1}/{args.repeat}", file=sys.stderr)
    reference = next(iter(commands))
    ref_median = statistics.median(walls[reference])
    for name in commands:
        median = statistics.median(walls[name])
        pairs = statistics.median(a / b for a, b in zip(walls[name], walls[reference]))
        print(
            f"{name:28s} median {median:6.3f} s  min {min(walls[name]):6.3f} s  "
            f"CPU {statistics.median(cpus[name]):5.2f} s  "
            f"/ first: {median / ref_median:.3f}x (medians), {pairs:.3f}x (paired runs)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
