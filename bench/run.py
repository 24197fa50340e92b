#!/usr/bin/env python3
"""Time cio-lint against ruff and semgrep on a synthetic instrumented app.

    python bench/run.py [--lines N] [--repeat 5] [--corpus DIR] [--cio-lint PATH] [--ruff PATH] [--semgrep PATH]

Generates the corpus if it is missing (``bench/generate.py``; default ``bench/corpus/``), then
runs, each ``--repeat`` times, and reports the median wall time and the peak RSS:

- ``cio-lint cold``:    ``cio-lint --no-cache --format json .`` (in the corpus)
- ``cio-lint warm``:    the same with ``--cache-dir X`` after one untimed run filled X; nothing changed
- ``cio-lint touched``: the same cache, after appending a comment line to one module that sends
                        events (a different module each repetition)
- ``ruff``:             ``ruff check --no-cache --quiet --exit-zero .`` (ruff's default rules)
- ``semgrep``:          ``semgrep scan`` with ``bench/semgrep-rule.yaml`` (``analytics.track(...)``
                        / ``analytics.identify(...)``), offline, ``--jobs 2``

then checks that every planted violation (``CORPUS/planted.json``) is in cio-lint's cold JSON.

Each command is started with ``subprocess.Popen`` and reaped with ``os.wait4``, whose rusage gives
its CPU time and ``ru_maxrss``: the peak RSS of the largest single process of the command's tree
(the kernel keeps the max over the process and its waited-for descendants, not their sum). The
sum over the tree (cio-lint's worker processes, semgrep-core) is sampled from ``/proc`` every
0.1 s and reported as "tree RSS". "other CPU s" is the CPU time the rest of the machine used
during a run (from ``/proc/stat``); before each run the script waits for the machine to be quiet
(``--idle-below``, ``--max-wait``). ``--snapshot`` runs the sources committed at HEAD instead of
the working tree. Results also go to ``bench/results/`` (JSON). See docs/performance.md.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # bench/generate.py, found through the sys.path entry above

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------------
# measuring one command
# ------------------------------------------------------------------------------------------------


class TreeRSS(threading.Thread):
    """Samples the summed RSS of a process and its descendants from /proc."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def _tree(self) -> list[int]:
        parents: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(parents.get(pid, ()))
        return out

    def _sample(self) -> None:
        total = 0
        for pid in self._tree():
            try:
                with open(f"/proc/{pid}/statm", "rb") as fh:
                    total += int(fh.read().split()[1]) * PAGE_KIB
            except (OSError, IndexError, ValueError):
                pass
        self.peak_kib = max(self.peak_kib, total)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self._sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def busy_seconds() -> float:
    """CPU seconds spent busy (all CPUs, everything on the machine) since boot, from /proc/stat."""
    try:
        with open("/proc/stat", "rb") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLK_TCK


def wait_until_idle(limit: float, max_wait: float) -> float:
    """Wait (up to ``max_wait`` s) until other processes use less than ``limit`` CPUs over 1 s;
    return the last measured background load (CPUs)."""
    start = time.monotonic()
    said = -10.0
    while True:
        before = busy_seconds()
        time.sleep(1.0)
        load = busy_seconds() - before
        waited = time.monotonic() - start
        if load < limit or waited >= max_wait:
            if load >= limit:
                progress(
                    f"  (gave up waiting after {waited:.0f} s: other processes use {load:.1f} CPUs)"
                )
            return load
        if waited - said >= 10:
            said = waited
            progress(f"  (waiting for a quiet machine: other processes use {load:.1f} CPUs)")


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    maxrss_kib: int
    tree_rss_kib: int
    returncode: int
    stdout: Path
    stderr: Path
    other_cpu_seconds: float = 0.0  # CPU used by other processes during the run


def run_once(cmd: list[str], cwd: Path, env: dict[str, str], workdir: Path, tag: str) -> Run:
    stdout_path = workdir / f"{tag}.stdout"
    stderr_path = workdir / f"{tag}.stderr"
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        busy_before = busy_seconds()
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        sampler = TreeRSS(proc.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted: take the command's whole process group down with us
            sampler.stop()
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                os.waitpid(proc.pid, 0)
            except OSError:
                pass
            raise
        seconds = time.perf_counter() - start
        busy = busy_seconds() - busy_before
        sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: keep Popen from waiting again
    return Run(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        maxrss_kib=usage.ru_maxrss,  # KiB on Linux
        tree_rss_kib=sampler.peak_kib,
        returncode=proc.returncode,
        stdout=stdout_path,
        stderr=stderr_path,
        other_cpu_seconds=max(0.0, busy - (usage.ru_utime + usage.ru_stime)),
    )


@dataclass
class Row:
    name: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""  # "not available (...)" when it could not run

    @property
    def ok(self) -> bool:
        return bool(self.runs) and not self.note

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def summary(self, lines: int) -> dict:
        if not self.ok:
            return {"name": self.name, "note": self.note}
        secs = [r.seconds for r in self.runs]
        return {
            "name": self.name,
            "median_s": round(self.median, 3),
            "min_s": round(min(secs), 3),
            "max_s": round(max(secs), 3),
            "runs_s": [round(s, 3) for s in secs],
            "lines_per_s": round(lines / self.median),
            "peak_rss_mib": round(max(r.maxrss_kib for r in self.runs) / 1024, 1),
            "tree_rss_mib": round(max(r.tree_rss_kib for r in self.runs) / 1024, 1),
            "cpu_s_median": round(statistics.median(r.cpu_seconds for r in self.runs), 2),
            "other_cpu_s_max": round(max(r.other_cpu_seconds for r in self.runs), 2),
        }


def tail(path: Path, n: int = 12) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-n:])


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# tools, corpus, machine
# ------------------------------------------------------------------------------------------------


def find_tool(name: str, explicit: str | None, venvs: list[Path]) -> str | None:
    if explicit:
        return explicit if (os.sep in explicit or shutil.which(explicit)) else None
    for venv in venvs:
        candidate = venv / "bin" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def version_of(cmd: list[str], env: dict[str, str], timeout: float = 180) -> tuple[str | None, str]:
    try:
        done = subprocess.run(
            cmd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return None, lines[-1] if lines else f"exit {done.returncode}"
    text = (done.stdout or done.stderr).strip()
    return (text.splitlines()[0] if text else "?"), ""


def script_python(script: str) -> str | None:
    """The interpreter of a console script (its shebang), to profile it and report its version."""
    try:
        with open(script, "rb") as fh:
            first = fh.readline().decode(errors="replace").strip()
    except OSError:
        return None
    if first.startswith("#!"):
        parts = first[2:].split()
        if parts and "python" in Path(parts[-1] if parts[0].endswith("env") else parts[0]).name:
            return parts[-1] if parts[0].endswith("env") else parts[0]
    return None


def short_version(text: str | None) -> str:
    """``cio-lint, version 0.1.0`` / ``ruff 0.17.6`` / ``Python 3.11.7`` -> the version number."""
    if not text:
        return "?"
    m = re.search(r"\d+(?:\.\d+)+\S*", text)
    return m.group(0) if m else text


def src_digest() -> str:
    """A digest of cio-lint's sources, to notice when they change during a run (editable install)."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted((REPO / "src").rglob("*.py")):
        h.update(str(path).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def count_lines(corpus: Path) -> tuple[int, int]:
    files = lines = 0
    for path in corpus.rglob("*.py"):
        data = path.read_bytes()  # also warms the page cache for every tool
        files += 1
        lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return files, lines


def ensure_corpus(corpus: Path, lines: int, seed: int, regenerate: bool) -> dict:
    manifest_path = corpus / "manifest.json"
    manifest = None
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        wanted = (generate.generator_sha(), lines, seed)
        have = (
            manifest.get("generator_sha"),
            manifest.get("lines_requested"),
            manifest.get("seed"),
        )
        if have != wanted or regenerate:
            progress(
                f"corpus {corpus}: (generator, lines, seed) = {have}, wanted {wanted}: regenerating"
            )
            manifest = None
        elif manifest.get("content_sha") != generate.corpus_digest(corpus):
            progress(f"corpus {corpus}: files were edited since it was generated: regenerating")
            manifest = None
    elif corpus.exists() and any(corpus.iterdir()):
        raise SystemExit(
            f"{corpus}: exists, is not empty and has no manifest.json: not a generated corpus"
        )
    if manifest is None:
        if corpus.exists():
            shutil.rmtree(corpus)
        progress(f"generating {corpus} (--lines {lines} --seed {seed}) ...")
        manifest = generate.generate(corpus, lines, seed)
    return manifest


def machine() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "bench_python": platform.python_version(),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        m = re.search(r"model name\s*:\s*(.+)", cpuinfo)
        if m:
            info["cpu_model"] = m.group(1).strip()
        mem = Path("/proc/meminfo").read_text()
        m = re.search(r"MemTotal:\s*(\d+) kB", mem)
        if m:
            info["mem_gib"] = round(int(m.group(1)) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def git_describe() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "?"
    return head + (" (+ uncommitted changes in src/)" if dirty else "")


def snapshot_cio_lint(
    cio: str, python: str | None, into: Path, rev: str = "HEAD"
) -> tuple[str, str]:
    """A cio-lint that runs the sources committed at ``rev`` (``git archive``), not the working
    tree: other people's edits of src/ during a long run then cannot change the figures midway."""
    if python is None:
        raise SystemExit(f"--snapshot: cannot tell which Python runs {cio}")
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", rev],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    into = into / head
    src = into / "snapshot"
    src.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev, "src"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    # Byte-compile it, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE set (some CI images
    # and sandboxes set it) every run would otherwise compile cio-lint's modules again (~0.15 s).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [python, "-m", "compileall", "-q", str(src / "src")],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    script = into / "cio-lint"
    script.write_text(
        f"#!{python}\nimport sys\nsys.path.insert(0, {str(src / 'src')!r})\n"
        "from cio_lint import cli\ngetattr(cli, 'run', cli.main)()\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return str(script), head


def findings_of(path: Path) -> list[dict] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, list) else None


def finding_keys(findings: list[dict]) -> set[tuple]:
    return {
        (f.get("path"), f.get("line"), f.get("column"), f.get("code"), f.get("message"))
        for f in findings
    }


# ------------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark cio-lint against ruff and semgrep.")
    parser.add_argument(
        "--lines", type=int, default=1_000_000, help="corpus size in lines (default 1000000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per row (default 5)")
    parser.add_argument("--corpus", type=Path, default=BENCH / "corpus")
    parser.add_argument(
        "--regenerate", action="store_true", help="regenerate the corpus even if it matches"
    )
    parser.add_argument(
        "--cio-lint", dest="cio_lint", help="cio-lint executable (default: on PATH)"
    )
    parser.add_argument("--ruff", help="ruff executable (default: --tools-venv, then PATH)")
    parser.add_argument("--semgrep", help="semgrep executable (default: --tools-venv, then PATH)")
    parser.add_argument(
        "--tools-venv",
        type=Path,
        action="append",
        help="venv holding ruff and semgrep (default: $CIO_BENCH_VENV, else ../benchvenv next to the repository)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="semgrep --jobs (default 2)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated rows to skip: cold,warm,touched,edited,ruff,semgrep",
    )
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time a snapshot of git revision REV (cold and warm rows, interleaved with the "
        "others): the before/after figures of a change from one run",
    )
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="run cio-lint from a copy of src/ as committed at HEAD (git archive), with the same Python",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run cio-lint cold once under cProfile (top 40 by cumtime)",
    )
    parser.add_argument(
        "--idle-below",
        type=float,
        default=0.25,
        help="before each timed run, wait until other processes use fewer CPUs than this (default 0.25)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=300,
        help="longest wait for that, in seconds (default 300)",
    )
    parser.add_argument(
        "--results", type=Path, default=BENCH / "results", help="where the JSON results go"
    )
    args = parser.parse_args(argv)
    signal.signal(
        signal.SIGTERM, lambda *_: sys.exit(143)
    )  # run the cleanups (restore touched files)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    corpus = args.corpus.resolve()
    manifest = ensure_corpus(corpus, args.lines, args.seed, args.regenerate)
    n_files, n_lines = count_lines(corpus)
    planted = json.loads((corpus / "planted.json").read_text(encoding="utf-8"))

    if args.tools_venv:
        venvs = args.tools_venv
    elif os.environ.get("CIO_BENCH_VENV"):
        venvs = [Path(os.environ["CIO_BENCH_VENV"])]
    else:
        venvs = [REPO.parent / "benchvenv"]
    env = dict(os.environ)
    env.update(
        {"SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0", "NO_COLOR": "1"}
    )
    cio = find_tool("cio-lint", args.cio_lint, [Path(sys.prefix)])
    ruff = find_tool("ruff", args.ruff, venvs)
    semgrep = find_tool("semgrep", args.semgrep, venvs)

    versions: dict[str, str] = {}
    if cio is None:
        raise SystemExit("cio-lint: not found (activate its venv or pass --cio-lint)")
    work = Path(tempfile.mkdtemp(prefix="cio-bench-"))
    atexit.register(shutil.rmtree, work, True)
    cio_python = script_python(cio)
    baseline: str | None = None
    if args.baseline:
        baseline, base_head = snapshot_cio_lint(cio, cio_python, work, args.baseline)
        versions["baseline"] = f"git {base_head}"
    if args.snapshot:
        cio, head = snapshot_cio_lint(cio, cio_python, work)
        where = f"git {head}, snapshot of HEAD"
    else:
        where = f"git {git_describe()}"
    versions["cio-lint"] = short_version(version_of([cio, "--version"], env)[0]) + f" ({where})"
    if cio_python:
        versions["python (cio-lint)"] = short_version(version_of([cio_python, "--version"], env)[0])
    ruff_note = semgrep_note = ""
    if ruff is None:
        ruff_note = "not available (ruff not found: pass --ruff or --tools-venv)"
    else:
        v, err = version_of([ruff, "--version"], env)
        if v is None:
            ruff_note = f"not available ({err})"
        else:
            versions["ruff"] = short_version(v)
    if semgrep is None:
        semgrep_note = "not available (semgrep not found: pass --semgrep or --tools-venv)"
    elif "semgrep" not in skip:
        v, err = version_of([semgrep, "--version", "--disable-version-check", "--metrics=off"], env)
        if v is None:
            semgrep_note = f"not available ({err})"
        else:
            versions["semgrep"] = short_version(v)

    digest_before = src_digest()
    load_before = os.getloadavg()
    cache_dir = work / "cio-lint-cache"
    rows: list[Row] = []
    checks: list[str] = []
    cold_findings: list[dict] | None = None
    touched_restore: dict[Path, bytes] = {}
    print(
        f"corpus: {corpus} ({n_files} .py files, {n_lines:,} lines; --lines {manifest['lines_requested']} --seed {manifest['seed']};"
        f" {manifest['modules']['sender']} modules send events)",
        flush=True,
    )
    mi = machine()
    print(
        f"machine: {mi.get('cpus')} CPUs ({mi.get('cpu_model', '?')}), {mi.get('mem_gib', '?')} GiB, {mi['platform']}",
        flush=True,
    )
    print("tools: " + "; ".join(f"{k} {v}" for k, v in versions.items()), flush=True)
    print(f"repeat: {args.repeat} (median wall time; peak RSS = max over the runs)", flush=True)

    @dataclass
    class Spec:
        name: str
        cmd: list[str]
        before: object = None  # called with the repetition's index before each run
        after: object = None  # and after it
        row: Row | None = None

    def run_spec(spec: Spec, i: int) -> None:
        row = spec.row
        assert row is not None
        if row.note:
            return  # failed earlier: not run again
        if spec.before is not None:
            spec.before(i)  # type: ignore[operator]
        wait_until_idle(args.idle_below, args.max_wait)
        run = run_once(spec.cmd, corpus, env, work, f"{spec.name.replace(' ', '_')}_{i}")
        if run.returncode not in (0, 1):
            row.note = f"failed (exit {run.returncode}): {tail(run.stderr, 3)}"
            progress(f"{spec.name}: exit {run.returncode}\n{tail(run.stderr)}")
            return
        row.runs.append(run)
        progress(
            f"  {spec.name} {i + 1}/{args.repeat}: {run.seconds:.2f} s, {run.maxrss_kib / 1024:.0f} MiB,"
            f" other processes used {run.other_cpu_seconds:.1f} CPU s meanwhile"
        )
        if spec.after is not None:
            spec.after(i)  # type: ignore[operator]

    try:
        cold_cmd = [cio, "--no-cache", "--format", "json", "."]
        warm_cmd = [cio, "--cache-dir", str(cache_dir), "--format", "json", "."]
        specs: list[Spec] = []
        if "cold" not in skip:
            specs.append(Spec("cio-lint cold", cold_cmd))
        warm_ok = False
        if "warm" not in skip or "touched" not in skip:
            progress("  filling the cio-lint cache (untimed) ...")
            fill = run_once(warm_cmd, corpus, env, work, "fill")
            if fill.returncode in (0, 1):
                warm_ok = True
            else:
                reason = tail(fill.stderr, 2).replace("\n", " ")
                note = f"not available ({'--cache-dir rejected' if 'no such option' in reason.lower() else 'exit ' + str(fill.returncode)}: {reason})"
                for name in ("cio-lint warm", "cio-lint touched"):
                    key = name.split()[1]
                    if key not in skip:
                        rows.append(Row(name, note=note))
        if warm_ok and "warm" not in skip:
            specs.append(Spec("cio-lint warm", warm_cmd))
        if baseline is not None:
            base_cache = work / "baseline-cache"
            base_warm = [baseline, "--cache-dir", str(base_cache), "--format", "json", "."]
            if "cold" not in skip:
                specs.append(
                    Spec("baseline cold", [baseline, "--no-cache", "--format", "json", "."])
                )
            if "warm" not in skip and run_once(
                base_warm, corpus, env, work, "fill-baseline"
            ).returncode in (0, 1):
                specs.append(Spec("baseline warm", base_warm))
        if warm_ok and "touched" not in skip:
            senders = sorted(manifest["sender_modules"])
            step = 37 if len(senders) % 37 else 1

            def touch(i: int) -> None:
                path = corpus / senders[(i * step) % len(senders)]
                if path not in touched_restore:
                    touched_restore[path] = path.read_bytes()
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(f"# bench: touched before repetition {i + 1} at {time.time():.6f}\n")

            specs.append(Spec("cio-lint touched", warm_cmd, before=touch))
        edited_paths: dict[int, str] = {}
        if warm_ok and "edited" not in skip:
            senders = sorted(manifest["sender_modules"])
            step = 37 if len(senders) % 37 else 1

            edited_saved: dict[int, bytes] = {}

            def edit(i: int) -> None:
                # A line added at the top: every position in the file moves, so its facts
                # change and the whole project is linked and checked again.
                rel = senders[(i * step + len(senders) // 2) % len(senders)]
                edited_paths[i] = rel
                path = corpus / rel
                touched_restore.setdefault(path, path.read_bytes())
                edited_saved[i] = path.read_bytes()
                path.write_bytes(
                    f"# bench: edited before repetition {i + 1}\n".encode() + edited_saved[i]
                )

            def unedit(i: int) -> None:
                (corpus / edited_paths[i]).write_bytes(edited_saved.pop(i))
                run_once(
                    warm_cmd, corpus, env, work, f"refresh_{i}"
                )  # untimed: the cache as before

            specs.append(Spec("cio-lint edited", warm_cmd, before=edit, after=unedit))
        if "ruff" not in skip:
            if ruff_note:
                rows.append(Row("ruff", note=ruff_note))
            else:
                seen = subprocess.run(
                    [ruff, "check", "--no-cache", "--show-files", "."],
                    cwd=corpus,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                n_ruff = sum(1 for line in seen.splitlines() if line.strip().endswith(".py"))
                checks.append(f"ruff checks {n_ruff}/{n_files} .py files")
                specs.append(
                    Spec("ruff", [ruff, "check", "--no-cache", "--quiet", "--exit-zero", "."])
                )
        out_json = work / "semgrep.json"
        if "semgrep" not in skip:
            if semgrep_note:
                rows.append(Row("semgrep", note=semgrep_note))
            else:
                specs.append(
                    Spec(
                        "semgrep",
                        [
                            semgrep,
                            "scan",
                            "--config",
                            str(BENCH / "semgrep-rule.yaml"),
                            "--metrics=off",
                            "--disable-version-check",
                            "--jobs",
                            str(args.jobs),
                            "--no-git-ignore",
                            "--oss-only",
                            "--quiet",
                            "--json",
                            "--output",
                            str(out_json),
                            ".",
                        ],
                    )
                )
        for spec in specs:
            spec.row = Row(spec.name)
            rows.append(spec.row)
        # Interleaved: each repetition runs every row once, in order, so that a change in the
        # machine's speed during the bench (it happens on shared hosts) weighs on every row alike.
        for i in range(args.repeat):
            for spec in specs:
                run_spec(spec, i)
        by_name = {spec.name: spec.row for spec in specs}
        cold_row = by_name.get("cio-lint cold")
        if cold_row is not None and cold_row.ok:
            cold_findings = findings_of(cold_row.runs[0].stdout)
        for name, label in (("cio-lint warm", "warm"), ("cio-lint touched", "touched")):
            row = by_name.get(name)
            if row is not None and row.ok and cold_findings is not None:
                same = all(
                    finding_keys(findings_of(r.stdout) or []) == finding_keys(cold_findings)
                    for r in row.runs
                )
                checks.append(f"{label} output identical to cold: {'yes' if same else 'NO'}")
        row = by_name.get("cio-lint edited")
        if row is not None and row.ok and cold_findings is not None:
            same = True
            for i, run in enumerate(row.runs):
                moved = [
                    {**f, "line": f.get("line", 0) + 1}
                    if f.get("path") == edited_paths.get(i)
                    else f
                    for f in cold_findings
                ]
                same = same and finding_keys(findings_of(run.stdout) or []) == finding_keys(moved)
            checks.append(
                f"edited output identical to cold, the edited file's findings one line down: {'yes' if same else 'NO'}"
            )
        semgrep_row = by_name.get("semgrep")
        if semgrep_row is not None and semgrep_row.ok:
            try:
                result = json.loads(out_json.read_text(encoding="utf-8"))
                scanned = len(result.get("paths", {}).get("scanned", []))
                checks.append(
                    f"semgrep scanned {scanned}/{n_files} .py files, {len(result.get('results', []))} matches,"
                    f" {len(result.get('errors', []))} errors"
                )
            except (OSError, ValueError):
                checks.append("semgrep: could not read its JSON output")
        if args.profile and cio_python:
            import pstats

            prof = work / "cold.prof"
            progress("  profiling cio-lint cold (cProfile) ...")
            subprocess.run(
                [
                    cio_python,
                    "-m",
                    "cProfile",
                    "-o",
                    str(prof),
                    cio,
                    "--no-cache",
                    "--format",
                    "json",
                    ".",
                ],
                cwd=corpus,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            args.results.mkdir(parents=True, exist_ok=True)
            with open(args.results / "profile.txt", "w", encoding="utf-8") as fh:
                pstats.Stats(str(prof), stream=fh).sort_stats("cumtime").print_stats(40)
            checks.append(f"profile: {args.results / 'profile.txt'}")
    finally:
        for path, data in touched_restore.items():
            path.write_bytes(data)

    load_after = os.getloadavg()
    if generate.corpus_digest(corpus) != manifest.get("content_sha"):
        checks.append(
            "WARNING: corpus files were edited during the run (by someone else?): figures may be off"
        )
    if src_digest() != digest_before and not args.snapshot:
        checks.append("WARNING: src/ changed during the run: the cio-lint figures may mix versions")
    checks.append(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f}")

    # ---- report --------------------------------------------------------------------------------
    print()
    header = (
        f"{'tool':<18} {'median s':>9} {'min s':>8} {'max s':>8} {'lines/s':>11} {'peak RSS MiB':>13}"
        f" {'tree RSS MiB':>13} {'CPU s':>8} {'other CPU s':>12}"
    )
    print(header)
    print("-" * len(header))
    order = [
        "cio-lint cold",
        "cio-lint warm",
        "cio-lint touched",
        "cio-lint edited",
        "ruff",
        "semgrep",
    ]
    rows.sort(key=lambda r: order.index(r.name) if r.name in order else len(order))
    for row in rows:
        if not row.ok:
            print(f"{row.name:<18} {row.note}")
            continue
        s = row.summary(n_lines)
        print(
            f"{row.name:<18} {s['median_s']:>9.2f} {s['min_s']:>8.2f} {s['max_s']:>8.2f} {s['lines_per_s']:>11,} "
            f"{s['peak_rss_mib']:>13.1f} {s['tree_rss_mib']:>13.1f} {s['cpu_s_median']:>8.2f} {s['other_cpu_s_max']:>12.2f}"
        )
    by_name = {r.name: r for r in rows}

    def ratio(a: str, b: str) -> str:
        ra, rb = by_name.get(a), by_name.get(b)
        if ra is None or rb is None or not ra.ok or not rb.ok:
            return "n/a"
        return f"{ra.median / rb.median:.2f}x"

    ratios = {
        "cio-lint cold / ruff": ratio("cio-lint cold", "ruff"),
        "cio-lint cold / semgrep": ratio("cio-lint cold", "semgrep"),
        "cio-lint warm / ruff": ratio("cio-lint warm", "ruff"),
        "cio-lint touched / ruff": ratio("cio-lint touched", "ruff"),
        "cio-lint edited / ruff": ratio("cio-lint edited", "ruff"),
    }
    if "baseline cold" in by_name:
        ratios["cio-lint cold / baseline cold"] = ratio("cio-lint cold", "baseline cold")
    if "baseline warm" in by_name:
        ratios["cio-lint warm / baseline warm"] = ratio("cio-lint warm", "baseline warm")
    print()
    print("ratios (median wall time): " + ", ".join(f"{k} = {v}" for k, v in ratios.items()))

    # ---- planted violations --------------------------------------------------------------------
    missing: list[dict] = []
    planted_line = ""
    if cold_findings is not None:
        found = {(f["path"], f["line"], f["code"]) for f in cold_findings}
        missing = [p for p in planted if (p["path"], p["line"], p["code"]) not in found]
        planted_keys = {(p["path"], p["line"], p["code"]) for p in planted}
        extra = [f for f in cold_findings if (f["path"], f["line"], f["code"]) not in planted_keys]
        planted_line = f"planted: {len(planted) - len(missing)}/{len(planted)} found"
        print(planted_line)
        for p in missing:
            near = sorted(
                (
                    f["line"]
                    for f in cold_findings
                    if f["path"] == p["path"]
                    and f["code"] == p["code"]
                    and abs(f["line"] - p["line"]) <= 6
                ),
                key=lambda line: abs(line - p["line"]),
            )
            hint = f" (reported at line {near[0]} instead)" if near else ""
            print(f"  missing: {p['path']}:{p['line']} {p['code']}{hint}")
        print(f"findings not planted: {len(extra)}")
        for f in extra[:20]:
            print(f"  extra: {f['path']}:{f['line']} {f['code']} {f.get('message', '')}")
    elif "cold" not in skip:
        print("planted: not checked (no JSON from the cold run)")
    for line in checks:
        print(line)

    # ---- results file --------------------------------------------------------------------------
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "command": " ".join(
            [
                Path(sys.executable).name,
                "bench/run.py",
                *(argv if argv is not None else sys.argv[1:]),
            ]
        ),
        "corpus": {
            "path": str(corpus),
            "py_files": n_files,
            "lines": n_lines,
            "seed": manifest["seed"],
            "lines_requested": manifest["lines_requested"],
            "modules": manifest["modules"],
        },
        "machine": mi,
        "versions": versions,
        "repeat": args.repeat,
        "rows": [r.summary(n_lines) for r in rows],
        "ratios": ratios,
        "planted": {"total": len(planted), "missing": missing}
        if cold_findings is not None
        else None,
        "checks": checks,
    }
    for name in (f"run-{stamp}.json", "latest.json"):
        (args.results / name).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nresults: {args.results / f'run-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
