"""Files -> findings: discover, prefilter, extract (parallel), link, check, suppress.

The engine parses only files that can matter (``prefilter``): in rounds, the files whose
import lines name an SDK package or something earlier rounds found relevant, each trimmed of
the functions that cannot matter (``analysis.trim``); modules a relevant call resolves through
(constants, Enums) are extracted on demand by the linker. It schedules the parsing on worker
processes, reads and writes the cache, and on a rerun stops early when no changed file's facts
changed (``_early_cutoff``).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cio_lint import prefilter, sdk_versions, sdks
from cio_lint.analysis.facts import FileFacts
from cio_lint.analysis.roots import ImportRoots, dotted
from cio_lint.cache import Cache, FactsMemory, findings_fit
from cio_lint.config import Config, ConfigError
from cio_lint.discovery import OVERLAY, check_paths, discover
from cio_lint.model import Finding, relative
from cio_lint.plan.handle import loaded
from cio_lint.prefilter import (
    SDK_TOP_LEVEL,
    SourceFile,
    local_names,
    member_names,
    module_words,
    relevant_modules,
)
from cio_lint.workspace.snapshot import Snapshot, snapshot_for

if TYPE_CHECKING:
    # (the linker, the receivers' check and the process pools are imported where they are
    # used: a run the cache answers needs none of them)
    from concurrent.futures import Future, ProcessPoolExecutor

    from cio_lint.analysis.link import Project, Resolved, WrapperInfo
    from cio_lint.analysis.receivers import Unresolved

_PARALLEL_MIN_FILES = 24
_EARLY_CUTOFF_MAX_FILES = 16  # more changed files than this: a full run is as cheap


@dataclass
class LintResult:
    findings: list[Finding]
    files_checked: int = 0
    files_parsed: int = 0
    wrappers: list[WrapperInfo] = field(default_factory=list)
    resolved: list[Resolved] = field(default_factory=list)
    from_cache: bool = False
    by_member_name: dict[tuple[str, int, int], str] = field(default_factory=dict)  # call -> member
    # What was checked (``count_calls``): call sites in the target files that make an SDK call,
    # directly or through a wrapper, each counted once; and how many of them go through one.
    sdk_calls: int = 0
    through_wrappers: int = 0
    files: tuple[str, ...] = ()  # every file of the run: the only ones ``--fix`` may write
    # ``--show-files``: the target files, and every file whose facts the run used (parsed or
    # from the cache); a target not read was skipped by the prefilter. Full runs only.
    targets: tuple[str, ...] = ()
    read: frozenset[str] = frozenset()


def count_calls(resolved: Sequence[Resolved]) -> tuple[int, int]:
    """(SDK calls checked, of which through wrappers): each call site of a target file that
    resolves to at least one SDK call counts once, however many SDK calls it makes (a wrapper
    that tracks twice is one call site); it goes through wrappers when one of its emissions
    does (``Emission.via``). Calls inside a wrapper's own body are direct calls of its file."""
    sites: dict[tuple[str, int], bool] = {}
    for item in resolved:
        where = (item.module.path, item.fact.id)
        sites[where] = sites.get(where, False) or bool(item.emission.via)
    return len(sites), sum(sites.values())


class ModuleNamer:
    """Module names from the package layout: walk up while the folder has ``__init__.py``."""

    def __init__(self) -> None:
        self._prefix: dict[str, tuple[str, ...]] = {}
        self._roots: dict[str, str] = {}  # folder -> the import root of its files

    def _package_parts(self, directory: str) -> tuple[str, ...]:
        """The dotted parts of the package ``directory`` is (empty when it is no package)."""
        found = self._prefix.get(directory)
        if found is None:
            parent = os.path.dirname(directory)
            if parent != directory and os.path.isfile(os.path.join(directory, "__init__.py")):
                found = (*self._package_parts(parent), os.path.basename(directory))
            else:
                found = ()
            self._prefix[directory] = found
        return found

    def name(self, path: Path) -> tuple[str, bool]:
        text = str(path)
        prefix = self._package_parts(os.path.dirname(text))
        base = os.path.basename(text)
        is_init = base == "__init__.py"
        names = prefix if is_init else (*prefix, base.rsplit(".", 1)[0])
        return ".".join(names), is_init

    def root(self, path: Path) -> str:
        """The import root of ``path``: the folder above its top-level package (a file outside
        any package: its own folder)."""
        parent = os.path.dirname(str(path))
        found = self._roots.get(parent)
        if found is None:
            directory = parent
            for _ in self._package_parts(parent):
                directory = os.path.dirname(directory)
            found = self._roots[parent] = directory
        return found


R = TypeVar("R")


def _result(future: Future[R]) -> R | None:
    """A helper's answer, or None if it failed (the caller then reads the files itself)."""
    try:
        return future.result()
    except Exception:  # noqa: BLE001  (a killed or broken helper only costs time)
        return None


def _warm_worker() -> None:
    import cio_lint.analysis.extract  # noqa: F401  (libcst, before the first file arrives)


# path, module, is_package, bytes, trim tails, trim tops, max-file-size (the memory budget)
Work = tuple[str, str, bool, bytes, Any, tuple[str, ...], int]


def _extract(args: Work) -> FileFacts:
    path, module, is_package, data, tails, tops, limit = args
    from cio_lint.analysis.extract import extract_file  # libcst: only when a file is parsed

    trim = None if tails is None else (tails, tops)
    return extract_file(path, module, is_package, data, trim, max_file_bytes=limit)


def _isolated(work: Work) -> FileFacts:
    """``_extract`` in a process of its own: a crash of the parser is the file's CIO900."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(_extract, work).result()
        except BrokenProcessPool:
            facts = FileFacts(path=work[0], module=work[1], is_package=work[2])
            facts.error = (
                1,
                1,
                "The parser crashed on this file (too deeply nested?): not checked",
            )
            return facts


Progress = Callable[[int, int], None]


class Engine:
    def __init__(
        self,
        config: Config,
        plan: object,
        jobs: int | None = None,
        progress: Progress | None = None,
        memory: FactsMemory | None = None,
    ) -> None:
        """``memory``: facts kept between runs in this process (the language server)."""
        self.config = config
        self.plan = plan
        self.jobs = jobs or config.jobs or os.cpu_count() or 1
        self.progress = progress
        self.files: dict[str, SourceFile] = {}  # module name -> file
        self.by_path: dict[Path, SourceFile] = {}
        self.facts: dict[str, FileFacts] = {}  # module -> facts
        self.parsed_modules: set[str] = set()
        # target files and folders that could not be read: path -> (is a folder, why): CIO903
        self.unreadable: dict[Path, tuple[bool, str]] = {}
        self.roots: ImportRoots | None = None  # None: one module namespace (``_discover``)
        self._pool: ProcessPoolExecutor | None = None
        self._workers = 0
        self._helper: ProcessPoolExecutor | None = None  # reads import lines on a first run
        self._scanned: list[SourceFile] = []  # the files it reads, in its order
        self._frozen = False  # ``gc.freeze()`` before the workers were forked
        # (tails, tops) of the SDK and relevant modules a function must mention to be kept
        self.trim_context: (
            tuple[tuple[tuple[str, tuple[str, ...] | None], ...], tuple[str, ...]] | None
        ) = None
        # module -> (facts key, trim context) of the facts in ``facts`` (key "": not cached)
        self.facts_keys: dict[str, tuple[str, Any]] = {}
        self._parsed: dict[str, FileFacts] = {}  # facts key -> facts the early cutoff parsed
        self.members: set[str] = set()  # member names that resolve by name (``prefilter``)
        self.declared_names: set[str] = set()  # functions and classes of declared wrappers
        self._attributes_done = False
        self.workspace: Snapshot | None = None  # the workspace snapshot: the CIO3xx rules run
        cache_dir = None
        if config.cache:
            cache_dir = config.cache_dir or (config.root / ".cio-lint-cache")
        self.cache = Cache(cache_dir, memory if cache_dir is not None else None)

    # ------------------------------------------------------------------ extraction
    def _extract_many(
        self, files: Sequence[SourceFile], meanwhile: Callable[[], None] | None = None
    ) -> None:
        """Extract ``files``, or take their facts from the cache. Files to parse go to the
        workers first; cached facts are decoded, and ``meanwhile`` (the work the next round
        needs) runs, in this process while the workers parse."""
        # the trim context and the memory budget (``max-file-size``) decide the facts too
        context = repr((self.trim_context, self.config.max_file_bytes)).encode()
        todo: list[tuple[SourceFile, str]] = []
        cached: list[tuple[SourceFile, str]] = []
        for f in files:
            if f.module in self.facts:
                continue
            data = f.read()
            if len(data) > self.config.max_file_bytes:
                self.facts[f.module] = _too_large(f, data, self.config.max_file_bytes)
                self.facts_keys[f.module] = ("", self.trim_context)
                continue
            key = (
                Cache.facts_key(str(f.path), f.module, f.is_package, data + context)
                if self.cache.enabled
                else ""
            )
            self.facts_keys[f.module] = (key, self.trim_context)
            if key in self._parsed:  # parsed by the early cutoff of this run
                self.facts[f.module] = self._parsed.pop(key)
                continue
            (cached if key and self.cache.has("facts", key) else todo).append((f, key))
        results = self._submit(todo)
        unreadable: list[tuple[SourceFile, str]] = []
        for f, key in cached:
            facts = self.cache.get_facts(key)
            if facts is None:
                unreadable.append((f, key))
            else:
                self.facts[f.module] = facts
        if meanwhile is not None:
            meanwhile()
        self._collect(todo, results)
        if unreadable:  # corrupt or foreign entries: parse those files too
            self._collect(unreadable, self._submit(unreadable))

    def _submit(self, todo: Sequence[tuple[SourceFile, str]]) -> Iterable[FileFacts]:
        """Start parsing ``todo``: in the pool (``map`` submits at once) or lazily here."""
        tails, tops = self.trim_context if self.trim_context is not None else (None, ())
        limit = self.config.max_file_bytes
        work = [
            (str(f.path), f.module, f.is_package, f.read(), tails, tops, limit) for f, _ in todo
        ]
        if len(work) >= 2:
            self._start_workers()
            if self._pool is not None and self._workers < self.jobs and len(work) >= 4 * self.jobs:
                self._pool.shutdown()  # the one worker of a rerun: many files need parsing after all
                self._pool = None
                self._start_workers()
        if self._pool is not None and work:
            return self._pool.map(
                _extract, work, chunksize=max(1, min(8, len(work) // (self.jobs * 8)))
            )
        return map(_extract, work)

    def _collect(
        self, todo: Sequence[tuple[SourceFile, str]], results: Iterable[FileFacts]
    ) -> None:
        results = self._surviving(todo, results)
        for done, ((file, key), facts) in enumerate(zip(todo, results), 1):
            self.facts[file.module] = facts
            if key:
                # an open document's unsaved text: in memory only (``FactsMemory``)
                self.cache.put_facts(key, facts, not OVERLAY or str(file.path) not in OVERLAY)
            if self.progress is not None:
                self.progress(done, len(todo))
        self.parsed_modules.update(f.module for f, _ in todo)

    def _surviving(
        self, todo: Sequence[tuple[SourceFile, str]], results: Iterable[FileFacts]
    ) -> Iterator[FileFacts]:
        """``results``, in order; if a worker dies (a native crash of the parser: the pool is
        broken), every file not yet done is parsed alone in a new process, and a file whose
        process dies too is that file's CIO900. Later rounds start a new pool."""
        from concurrent.futures.process import BrokenProcessPool

        done = 0
        try:
            for facts in results:
                done += 1
                yield facts
            return
        except BrokenProcessPool:
            pass
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        tails, tops = self.trim_context if self.trim_context is not None else (None, ())
        for f, _ in todo[done:]:
            limit = self.config.max_file_bytes
            yield _isolated((str(f.path), f.module, f.is_package, f.read(), tails, tops, limit))

    def _start_scans(self) -> tuple[Future[list[Any]], Future[list[Any]]] | None:
        """Import words of every file, read by a helper process: first those of the files whose
        bytes name an SDK package (None for the others), then all. Only where the workers are
        forked (``_start_workers``), for the prefilter, on projects worth a pool."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if not (
            self.config.prefilter
            and self.jobs > 1
            and len(self.by_path) >= _PARALLEL_MIN_FILES
            and multiprocessing.get_start_method() == "fork"
        ):
            return None
        self._scanned = list(self.by_path.values())  # ``scan_mentions`` names them by position
        paths = [str(f.path) for f in self._scanned]
        self._helper = ProcessPoolExecutor(max_workers=1)
        first = self._helper.submit(prefilter.scan_imports, paths, True)
        second = self._helper.submit(prefilter.scan_imports, paths, False)
        return first, second

    def _start_workers(self, inherit: bool = True, workers: int | None = None) -> None:
        """One pool for the whole run (a pool per round cost more than small rounds gain),
        once the project has enough files. ``inherit``: import libcst here, then fork the
        workers, which inherit it; otherwise each worker imports it while this process goes on."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if self.jobs > 1 and self._pool is None and len(self.by_path) >= _PARALLEL_MIN_FILES:
            if inherit and multiprocessing.get_start_method() == "fork":
                _warm_worker()
                # What exists now (libcst, the plan, the file list) lives until the end of the
                # run: out of the collector's sight here and in the forked workers (a young
                # collection of them took 70 ms, and copy-on-write pages in every worker).
                gc.freeze()
                self._frozen = True
            count = self._workers = min(workers or self.jobs, self.jobs)
            self._pool = ProcessPoolExecutor(max_workers=count)
            for _ in range(count):
                self._pool.submit(_warm_worker)

    def _set_trim(
        self, relevant: dict[str, set[str]], guess: set[str] | frozenset[str] = frozenset()
    ) -> None:
        """What trimming keeps: names of relevant modules, and every name of the ``guess``
        modules (in the first round, modules that import the SDK: their wrappers are not known
        yet, and blanking calls to them would mean parsing those files twice)."""
        if not self.config.prefilter:
            self.trim_context = None
            return
        names: dict[str, set[str] | None] = {}
        for module, found in relevant.items():
            current = names.setdefault(dotted(module).rsplit(".", 1)[-1], set())
            if current is not None:
                current.update(found)
        for module in guess:
            names[dotted(module).rsplit(".", 1)[-1]] = None
        tails = tuple(
            sorted(
                (
                    (tail, None if found is None else tuple(sorted(found)))
                    for tail, found in names.items()
                ),
                key=lambda item: item[0],
            )
        )
        tops = (
            {dotted(m) for m in relevant if "." not in dotted(m)}
            | set(SDK_TOP_LEVEL)
            | self.members
            | self.declared_names
        )
        self.trim_context = (tails, tuple(sorted(tops)))

    def _member_mentions(
        self, candidates: list[SourceFile], new: frozenset[str]
    ) -> Callable[[], None] | None:
        """Which files mention the new member names. On a first run the helper process looks
        for just these names in the bytes it read, while this process goes on: the function
        returned takes its answer (until then, files must not be asked about these names). On
        a rerun each file's attribute words come from the cache's index (unchanged files) or
        are read here, and are stored for the next."""
        if self._helper is not None:
            scanned = self._scanned
            wanted = [i for i, f in enumerate(scanned) if f._attrs is None]
            future = self._helper.submit(prefilter.scan_mentions, wanted, new)

            def take() -> None:
                found = _result(future)
                if found is not None:  # else each file looks for the names itself, if asked
                    for i in wanted:
                        scanned[i].note_mentions(new, found.get(i, frozenset()))

            return take  # nothing is stored: the next run (a rerun) collects the attribute words
        if not self.cache.enabled or self._attributes_done:
            return None
        self._attributes_done = True
        known = self.cache.get_attributes()
        hits = 0
        for f in candidates:
            row = known.get(str(f.path))
            if f._attrs is None and row is not None and f.stamp and row[0] == f.stamp:
                f._attrs = row[1]
                hits += 1
        if hits != len(candidates):
            self.cache.put_attributes(
                {str(f.path): (f.stamp, f.attributes()) for f in candidates if f.stamp}
            )
        return None

    def _declared_files(self) -> list[SourceFile]:
        """The modules that define declared wrappers: always extracted in the first round, and
        the wrappers' own names kept by trimming (a declared wrapper may show no SDK call)."""
        found = []
        for qualname in self.config.wrappers:
            parts = qualname.split(".")
            for i in range(len(parts) - 1, 0, -1):
                file = self.files.get(".".join(parts[:i]))
                if file is not None:
                    found.append(file)
                    self.declared_names.add(parts[i])
                    break
        return found

    def _load(self, module: str) -> FileFacts | None:
        file = self.files.get(module)
        if file is None:
            return None
        self._extract_many([file])
        return self.facts.get(module)

    def _load_whole(self, module: str) -> FileFacts | None:
        """A module's facts without trimming, for a helper function trimming left out (its
        returns give an event name). Not registered as the module's facts; the module's record
        loses its facts key, so that any change to it means a full rerun (no early cutoff)."""
        file = self.files.get(module)
        if file is None:
            return None
        data = file.read()
        if len(data) > self.config.max_file_bytes:
            return None
        key = ""
        if self.cache.enabled:
            key = Cache.facts_key(
                str(file.path),
                module,
                file.is_package,
                data + repr((None, self.config.max_file_bytes)).encode(),
            )
        facts = self.cache.get_facts(key) if key and self.cache.has("facts", key) else None
        if facts is None:
            limit = self.config.max_file_bytes
            facts = _extract((str(file.path), module, file.is_package, data, None, (), limit))
            if key:
                self.cache.put_facts(key, facts)
        self.facts_keys[module] = ("", self.facts_keys.get(module, ("", None))[1])
        return facts

    # ------------------------------------------------------------------ run
    def _discover(self, paths: Sequence[Path]) -> list[SourceFile]:
        check_paths(paths)
        if self._root_covers(paths):
            found = discover([self.config.root], self.config)
            universe = set(found.files)
            resolved = [str(p.resolve()) for p in paths]
            given = discover([Path(r) for r in resolved if os.path.isfile(r)], self.config)
            explicit = set(given.files)
            dirs = tuple(r.rstrip(os.sep) + os.sep for r in resolved if os.path.isdir(r))
            targets = {p for p in universe if str(p).startswith(dirs)} | explicit
            universe |= explicit
            self.unreadable = {
                p: why for p, why in found.unreadable.items() if (str(p) + os.sep).startswith(dirs)
            }
            self.unreadable.update(given.unreadable)
        else:
            found = discover(paths, self.config)
            targets = set(found.files)
            universe = set()
            self.unreadable = dict(found.unreadable)
        namer = ModuleNamer()
        paths_ = sorted(universe | targets, key=str)
        named = [(path, *namer.name(path), namer.root(path)) for path in paths_]
        roots = ImportRoots(((r, name) for _, name, _, r in named), str(self.config.root.resolve()))
        self.roots = None if roots.trivial else roots
        for path, name, is_init, root in named:
            module = name if self.roots is None else roots.key(root, name)
            file = SourceFile(path, module, is_init, path in targets)
            self.by_path[path] = file
            # Two files claiming one module key (`app.py` beside `app/`): keep the target.
            if module not in self.files or (file.target and not self.files[module].target):
                self.files[module] = file
        return [f for f in self.by_path.values() if f.target]

    @functools.cached_property
    def _sdk_versions(self) -> dict[str, tuple[int, ...]]:
        """The version of each distribution that picks an SDK's signatures (``sdks.VERSIONED``)
        for this run (``sdk_versions``: configuration, the project's pins, the installed
        package, else the newest), decided once."""
        names = tuple(sdks.VERSIONED)
        decided = sdk_versions.decide(self.config.root, self.config.sdk_versions, names)
        return {name: decided.version(name) for name in names}

    def _run_key(self, paths: Sequence[Path]) -> tuple[str, str] | None:
        """The key of this exact run (every file's stamp included) and of this project (the
        same without the stamps: plan, configuration, paths, cwd, SDK version)."""
        if not self.cache.enabled:
            return None
        stamps = []
        for name, file in sorted((str(p), f) for p, f in self.by_path.items()):
            held = OVERLAY.get(name) if OVERLAY else None
            if held is not None:  # an editor's unsaved buffer (``cio-lint server``): its content
                stamp = "overlay:" + hashlib.sha256(held).hexdigest()
                file.stamp = stamp
                stamps.append((name, 0, len(held)))
                stamps.append((stamp, 0, 0))
                continue
            try:
                st = os.stat(name)
            except OSError:
                return None
            stamp = f"{st.st_ino}:{st.st_ctime_ns}:{st.st_mtime_ns}:{st.st_size}"
            file.stamp = stamp
            stamps.append((name, st.st_mtime_ns, st.st_size))
            stamps.append((stamp, 0, 0))
        fingerprint = getattr(self.plan, "fingerprint", "")
        extra = repr(
            (
                sorted(str(p.resolve()) for p in paths),
                sorted(str(p) for p in self.unreadable),
                str(Path.cwd()),
                sorted(self._sdk_versions.items()),
                self.workspace.fingerprint if self.workspace is not None else "",
            )
        )
        return Cache.run_key(fingerprint, repr(self.config), stamps, extra), Cache.run_key(
            fingerprint, repr(self.config), [], extra
        )

    def _changed(self, state: dict[str, Any] | None) -> list[SourceFile] | None:
        """The files whose stamp differs from the last full run's (None: files were added or
        removed, or there is no last run)."""
        if state is None or set(state["stamps"]) != {str(p) for p in self.by_path}:
            return None
        stamps = state["stamps"]
        return [f for p, f in self.by_path.items() if stamps[str(p)] != f.stamp]

    def _early_cutoff(
        self, state: dict[str, Any], changed: list[SourceFile], index: dict[str, Any]
    ) -> list[Finding] | None:
        """The previous run's findings, if every file that changed since is one whose change
        cannot matter: its import lines have the same words (so it is selected, or not, as
        before) and, if it was parsed, parsing it again with the same trim context gives equal
        facts (a comment, a docstring, a function that trimming leaves out). Everything
        downstream — relevance, wrappers, resolution, findings — is a function of those, so it
        is not recomputed (the early cutoff of build systems). ``None``: run in full."""
        stamps, files, words = state["stamps"], state["files"], state["words"]
        if not changed or len(changed) > _EARLY_CUTOFF_MAX_FILES:
            return None
        before: list[tuple[SourceFile, FileFacts, Any]] = []
        for f in changed:
            old = words.get(str(f.path)) or index.get(str(f.path))
            if old is None or old[0] != stamps[str(f.path)] or f.imports() != old[1:]:
                return None
            record = files.get(str(f.path))
            if record is None:
                members = state.get("members", frozenset())
                if members and not f.attributes().isdisjoint(members):
                    return None  # it may reach a client by member name now
                continue  # never parsed, and still is not
            key, context = record
            old_facts = self.cache.get_facts(key) if key else None
            if old_facts is None:
                return None
            before.append((f, old_facts, context))
        for f, old_facts, context in before:
            self.trim_context = context
            self._extract_many([f])
            if self.facts.get(f.module) != old_facts:
                # parsed with the last run's context: the full run decides again, and takes
                # these facts for a file whose key (its bytes, that context) is the same
                for module, (key, _) in self.facts_keys.items():
                    if key and module in self.facts:
                        self._parsed[key] = self.facts[module]
                self.facts.clear()
                self.facts_keys.clear()
                self.trim_context = None
                return None
        for f, _, _ in before:
            files[str(f.path)] = self.facts_keys[f.module]
        for f in changed:  # the index is rewritten by the next full run
            words[str(f.path)] = (f.stamp, *f.imports())
        state["stamps"] = {str(p): f.stamp for p, f in self.by_path.items()}
        return list(state["findings"])

    def _fits(self, findings: list[Finding]) -> bool:
        """Whether cached findings fit this run (``cache.findings_fit``): a forged entry that
        names other files is a miss, never a result."""
        cwd = Path.cwd()
        files = {relative(str(p), cwd): p for p in self.by_path}
        targets = [rel for rel, p in files.items() if self.by_path[p].target]
        if self.workspace is not None:  # the CIO3xx findings about the snapshot itself
            targets.append(relative(str(self.workspace.path), cwd))
        return findings_fit(findings, targets, files)

    def run(self, paths: Sequence[Path], use_run_cache: bool = True) -> LintResult:
        try:
            result = self._run(paths, use_run_cache)
            result.files = tuple(str(p) for p in self.by_path)
            return result
        finally:
            for pool in (self._pool, self._helper):
                if pool is not None:
                    pool.shutdown()
            self._pool = self._helper = None
            self._parsed.clear()  # (the early cutoff's facts are for the run that follows it)
            if self._frozen:
                gc.unfreeze()  # a library caller's garbage is collectable again
                self._frozen = False

    def _run(self, paths: Sequence[Path], use_run_cache: bool) -> LintResult:
        target_files = self._discover(paths)
        self.workspace = snapshot_for(self.config.workspace, self.plan)
        keys = self._run_key(paths) if use_run_cache else None
        if keys is not None:
            cached = self.cache.get_run(keys[0])
            if cached is not None and self._fits(cached["findings"]):
                _noted(self.plan, cached["plan_warnings"])
                return LintResult(
                    findings=cached["findings"],
                    files_checked=int(cached["files_checked"]),
                    files_parsed=0,
                    from_cache=True,
                    sdk_calls=int(cached.get("sdk_calls", 0)),
                    through_wrappers=int(cached.get("through_wrappers", 0)),
                )
        # A rerun (the cache has an index) usually parses one file, or none: a single worker
        # imports libcst while this process reads the cache (``_submit`` starts a full pool if
        # many files need parsing after all). A first run parses many: a helper process reads
        # every file's import lines (those that can import an SDK first) while this process
        # imports libcst and forks the workers, which inherit it.
        rerun = self.cache.has("index", "files")
        if rerun:
            self._start_workers(inherit=False, workers=1)
        index = self.cache.get_index() if self.cache.enabled else {}
        state = self.cache.get_state(keys[1]) if keys is not None else None
        changed = self._changed(state)
        scans = None
        if not rerun:
            scans = self._start_scans()
            self._start_workers()
        if (
            keys is not None
            and state is not None
            and changed is not None
            and self._fits(state["findings"])
        ):
            findings = self._early_cutoff(state, changed, index)
            if findings is not None:
                counts = _state_counts(state)
                warnings = state["plan_warnings"]
                _noted(self.plan, warnings)
                self.cache.put_state(keys[1], state)
                self.cache.put_run(
                    keys[0], findings, len(target_files), len(self.parsed_modules), counts, warnings
                )
                return LintResult(
                    findings=findings,
                    files_checked=len(target_files),
                    files_parsed=len(self.parsed_modules),
                    from_cache=True,
                    sdk_calls=counts[0],
                    through_wrappers=counts[1],
                )
        from cio_lint.analysis.link import Project
        from cio_lint.analysis.receivers import unresolved_calls

        project = Project(
            {},
            {name: str(f.path) for name, f in self.files.items()},
            self._load,
            self._sdk_versions,
            self.config.wrappers
            if self.roots is None
            else self.roots.declared(self.config.wrappers),
        )
        project.load_whole = self._load_whole
        project.roots = self.roots
        # Wrappers and clients may live outside the paths given (a pre-commit run on one file):
        # the prefilter looks at every file of the project; findings are for the targets only.
        candidates = list(self.by_path.values())
        sdk_names = frozenset(SDK_TOP_LEVEL)
        index_hits = 0
        for f in candidates:
            known = index.get(str(f.path))
            if known is not None and f.stamp and known[0] == f.stamp:
                f._words = known[1:]
                index_hits += 1
        first = _result(scans[0]) if scans is not None else None
        for f, words in zip(candidates, first or ()):
            if words is None:
                f.sdk_free = True
            else:
                f._words = words
        relevant: dict[str, set[str]] = {}
        if self.config.prefilter:
            declared = self._declared_files()
            selected = [
                f
                for f in candidates
                if f in declared
                or (f.may_import_sdk() and (f.imports_sdk(sdk_names) or f.may_trigger_broadcast()))
            ]
        else:
            selected = list(candidates)
        self._set_trim(relevant, {f.module for f in selected})

        def read_imports() -> None:  # for the next rounds, while the workers parse this one
            loaded(self.plan)  # a deferred plan (``plan.handle``): the rules will need it
            for f, words in zip(
                candidates, (_result(scans[1]) if scans is not None else None) or ()
            ):
                if f._words is None:
                    f._words = words
            for f in candidates:
                f.imports()  # all of them when there was no helper, or it failed

        self._extract_many(selected, read_imports)
        done: set[Path] = set()
        while True:
            for f in selected:
                if f.module in self.facts:
                    project.modules[f.module] = self.facts[f.module]
            project.forget_derived()
            with project.no_loading():
                now = relevant_modules(project)
                new_members = member_names(project) - self.members
            self.members |= new_members
            # Files that mention a new member name are parsed in the next round, while the
            # helper looks for them during this one (it is the new names' first round).
            pending = (
                self._member_mentions(candidates, frozenset(new_members)) if new_members else None
            )
            searched = self.members - new_members if pending is not None else self.members
            before = {m: set(found) for m, found in relevant.items()}
            added = {m for m, found in now.items() if not found <= relevant.get(m, set())}
            for m, found in now.items():
                relevant.setdefault(m, set()).update(found)
            names = {n for found in relevant.values() for n in found}
            done.update(f.path for f in selected)
            relevant_dotted = {dotted(m) for m in relevant}
            relevant_words = module_words(relevant_dotted)
            more = [
                f
                for f in candidates
                if f.path not in done
                and f.module not in self.facts
                and (
                    f.imports_relevant(names, relevant_dotted, relevant_words)
                    or f.module in relevant
                    or (searched and f.mentions(searched))
                )
            ]
            if self.config.prefilter and new_members:
                # files trimmed before these member names were known: trim them again
                for f in candidates:
                    facts = self.facts.get(f.module)
                    if (
                        f.path in done
                        and facts is not None
                        and not facts.dropped.isdisjoint(new_members)
                    ):
                        del self.facts[f.module]
                        more.append(f)
            if self.config.prefilter and added:
                # files trimmed before these names were known to matter: trim them again
                new_names = {n for m in added for n in now[m] - before.get(m, set())}
                new_modules = {
                    part for m in added if m not in before for part in dotted(m).split(".")
                }
                for f in candidates:
                    facts = self.facts.get(f.module)
                    if (
                        f.path in done
                        and facts is not None
                        and facts.dropped
                        and f.imports_any(new_names, new_modules)
                        and not facts.dropped.isdisjoint(local_names(f, new_names, new_modules))
                        and f not in more
                    ):
                        del self.facts[f.module]
                        more.append(f)
            if not more and pending is not None:
                pending()  # nothing else to parse: the mentions decide whether there is more
                pending = None
                more = [
                    f
                    for f in candidates
                    if f.path not in done and f.module not in self.facts and f.mentions(new_members)
                ]
            if not more:
                break
            self._set_trim(relevant)
            self._extract_many(more, pending)
            selected = more
        if self.cache.enabled and index_hits != len(candidates):
            self.cache.put_index(
                {
                    str(f.path): (f.stamp, *f.imports())
                    for f in candidates
                    if f.stamp and f._words is not None and f.read_error is None
                }
            )
        if project.declaration_errors:
            raise ConfigError(
                f"{self.config.source or 'configuration'}: {project.declaration_errors[0]}"
            )

        target_facts = [
            self.facts[f.module]
            for f in target_files
            if f.module in self.facts and self.facts[f.module].path == str(f.path)
        ]
        # Files that were extracted only to resolve names are still reported if they are targets.
        for f in target_files:
            facts = self.facts.get(f.module)
            if facts is not None and facts.path == str(f.path) and facts not in target_facts:
                target_facts.append(facts)
        resolved = project.resolve_calls(target_facts)
        unresolved = unresolved_calls(project, target_facts, relevant)
        findings = list(self._findings(resolved, target_facts, project, unresolved))
        counts = count_calls(resolved)
        if keys is not None:
            warnings = tuple(str(w) for w in getattr(self.plan, "warnings", ()))
            self.cache.put_run(
                keys[0], findings, len(target_files), len(self.parsed_modules), counts, warnings
            )
            self.cache.put_state(
                keys[1],
                {
                    "stamps": {str(p): f.stamp for p, f in self.by_path.items()},
                    "files": {
                        str(self.files[m].path): record
                        for m, record in self.facts_keys.items()
                        if m in self.files
                    },
                    "findings": findings,
                    "members": frozenset(self.members),  # member names that resolved by name
                    "words": {},  # import words of files changed since the index was written
                    "counts": counts,
                    "plan_warnings": warnings,
                },
            )
        return LintResult(
            findings=findings,
            files_checked=len(target_files),
            files_parsed=len(self.parsed_modules),
            wrappers=project.all_wrappers(),
            resolved=resolved,
            by_member_name=dict(project.by_member_name),
            sdk_calls=counts[0],
            through_wrappers=counts[1],
            targets=tuple(sorted(str(f.path) for f in target_files)),
            read=frozenset(f.path for f in self.facts.values()),
        )

    def _root_covers(self, paths: Sequence[Path]) -> bool:
        root = self.config.root.resolve()
        for path in paths:
            try:
                path.resolve().relative_to(root)
            except ValueError:
                return False
        return True

    # ------------------------------------------------------------------ findings
    def _findings(
        self,
        resolved: list[Resolved],
        facts: list[FileFacts],
        project: Project,
        unresolved: Sequence[Unresolved] = (),
    ) -> Iterable[Finding]:
        # (imported here: the rules, the plan's model and jsonschema are not needed by a run
        # the cache answers)
        from cio_lint.checking import Scope, collect_findings

        scope = Scope(self.config, loaded(self.plan), self.by_path, self.unreadable, self.workspace)
        return collect_findings(scope, resolved, facts, project, unresolved)


def _state_counts(state: dict[str, Any]) -> tuple[int, int]:
    """The last full run's counts: an early cutoff changes no resolution, so they stand."""
    counts = state.get("counts")
    if isinstance(counts, tuple) and len(counts) == 2 and all(type(c) is int for c in counts):
        return counts[0], counts[1]
    return 0, 0


def _too_large(file: SourceFile, data: bytes, limit: int) -> FileFacts:
    """A file too large to parse within the memory budget (generated code, bundles): CIO901."""
    facts = FileFacts(path=str(file.path), module=file.module, is_package=file.is_package)
    lines = data.count(b"\n") + 1
    facts.error = (
        1,
        1,
        f"File is {len(data) // 1024} KiB ({lines} lines), over the {limit // 1024} KiB limit: not checked",
    )
    facts.too_large = True
    return facts


def _noted(plan: object, warnings: tuple[str, ...]) -> None:
    """A run answered from the cache: the plan (a ``plan.handle.PlanHandle`` not loaded) warns
    what it warned when the run was made."""
    note = getattr(plan, "note_warnings", None)
    if note is not None:
        note(warnings)


def lint_paths(
    paths: Sequence[Path | str],
    config: Config,
    plan: object,
    jobs: int | None = None,
    progress: Progress | None = None,
    use_run_cache: bool = True,
) -> LintResult:
    """Check ``paths`` against ``plan``: the public entry point."""
    engine = Engine(config, plan, jobs, progress)
    return engine.run([Path(p) for p in paths], use_run_cache)
