"""The persistent cache: per-file facts by content, whole-run results by file stamps.

Three kinds of entry live under ``.cio-lint-cache/`` (``--cache-dir``, ``--no-cache``):

- ``facts/``: the ``FileFacts`` of one file, keyed by cio-lint's version, the file's path,
  module name, bytes and trim context. Facts do not depend on the plan or the configuration,
  so after an edit only the edited file is parsed again; linking and checking always run.
- ``index/``: the words of every file's import lines, keyed by the file's stamp (the prefilter's
  view of unchanged files, so a rerun does not read them).
- ``runs/``: the findings of a whole run, keyed by version, plan fingerprint, configuration and
  the stamps of every file discovered. A rerun with nothing changed is a lookup.

An entry is a header line (format, version, key, SHA-256 of the payload) and a pickle of plain
data only: tuples, lists, dicts, sets, strings, numbers. It is loaded by an unpickler that
refuses every global, so an entry can name no class or function: a cache folder is not
trusted (a CI cache can be restored from another branch), and unpickling it can build data,
never run code. Decoding is several times faster than JSON, whose lists had to be turned back
into tuples in Python. An entry with another format, version or key, a payload that does not
match its digest, or the wrong shape is ignored and overwritten, never trusted. Writes are
atomic.

A digest only proves an entry is whole, not who wrote it: anyone who can write the folder can
forge a well-formed entry. So cached findings are used only when they fit the run that reads
them (``findings_fit``: every path is one of the run's files, every edit lies inside its
file), and a run whose results are written into the project (``--fix``, ``--diff``,
``--write-baseline``) reads no cache at all: what it writes comes from the files and the plan
alone (docs/security.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import operator
import pickle
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cio_lint import __version__
from cio_lint.analysis.facts import CallFact, ClassFacts, FileFacts, FuncFacts, Param
from cio_lint.files import write_atomic
from cio_lint.model import Edit, Finding, Fix

FORMAT = 2
_MAGIC = b"cio-lint-cache"
_NEWLINES = re.compile(rb"\r\n|\r|\n")


def code_version(root: Path | None = None) -> str:
    """cio-lint's version and a digest of its own source files (path, size, mtime): a
    development checkout, a reinstall or an upgrade that kept the version number never reads
    entries that other code wrote. About forty ``stat`` calls, once per run."""
    root = root or Path(__file__).resolve().parent
    digest_ = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:
            continue
        digest_.update(
            f"{path.relative_to(root).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
        )
    return f"{__version__}+{digest_.hexdigest()[:16]}"


_CODE_VERSION: str | None = None


def _version() -> str:
    global _CODE_VERSION
    if _CODE_VERSION is None:
        _CODE_VERSION = code_version()
    return _CODE_VERSION


class _DataOnlyUnpickler(pickle.Unpickler):
    """Builds containers and scalars; refuses every global (no class, no function, no code)."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"cache entries hold data only, not {module}.{name}")


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=5)


def loads(payload: bytes) -> Any:
    return _DataOnlyUnpickler(io.BytesIO(payload)).load()


def _getter(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """Every field of a dataclass instance, as a tuple (fields added later are carried)."""
    return operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))


_FILE, _CLASS, _FUNC, _PARAM, _CALL = (
    _getter(c) for c in (FileFacts, ClassFacts, FuncFacts, Param, CallFact)
)
_FILE_FIELDS = [f.name for f in dataclasses.fields(FileFacts)]


def facts_to_value(facts: FileFacts) -> tuple[Any, ...]:
    """Every field of the facts, as plain tuples (a field added to a facts class is carried)."""
    row = dict(zip(_FILE_FIELDS, _FILE(facts)))
    row["classes"] = {name: _CLASS(c) for name, c in facts.classes.items()}
    functions = {}
    for name, fn in facts.functions.items():
        values = _FUNC(fn)
        functions[name] = (*values[:2], tuple(_PARAM(p) for p in fn.params), *values[3:])
    row["functions"] = functions
    row["calls"] = [_CALL(c) for c in facts.calls]
    return tuple(row.values())


def facts_from_value(value: tuple[Any, ...]) -> FileFacts:
    if not isinstance(value, tuple) or len(value) != len(_FILE_FIELDS):
        raise TypeError("not the facts of a file")
    row = dict(zip(_FILE_FIELDS, value))
    if not (
        isinstance(row["path"], str)
        and isinstance(row["module"], str)
        and isinstance(row["bindings"], dict)
    ):
        raise TypeError("not the facts of a file")
    row["classes"] = {name: ClassFacts(*c) for name, c in row["classes"].items()}
    row["functions"] = {
        name: FuncFacts(fn[0], fn[1], tuple(Param(*p) for p in fn[2]), *fn[3:])
        for name, fn in row["functions"].items()
    }
    row["calls"] = [CallFact(*c) for c in row["calls"]]
    row["star_imports"] = list(row["star_imports"])
    row["suppressions"] = dict(row["suppressions"])
    row["dropped"] = frozenset(row["dropped"])
    row["is_package"] = bool(row["is_package"])
    generated: Any = row["generated"]
    if generated is not None:
        if not (
            isinstance(generated, (tuple, list))
            and len(generated) == 2
            and type(generated[0]) is int
            and type(generated[1]) is str
        ):
            raise TypeError("not the facts of a file")
        row["generated"] = (generated[0], generated[1])
    return FileFacts(**row)


def finding_to_row(f: Finding) -> list[Any]:
    fix = None
    if f.fix is not None:
        fix = [
            f.fix.applicability,
            f.fix.description,
            [[e.path, e.line, e.column, e.end_line, e.end_column, e.content] for e in f.fix.edits],
        ]
    return [
        f.code,
        f.name,
        f.severity,
        f.message,
        f.path,
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        fix,
        f.snippet,
    ]


def finding_from_row(row: list[Any]) -> Finding:
    """The finding of a row; ``TypeError`` if any field has the wrong type (a forged or foreign
    entry), so that nothing downstream meets a value it does not expect."""
    code, name, severity, message, path, line, column, end_line, end_column, fix, snippet = row
    _check_types((code, name, message, path, snippet), str)
    _check_types((line, column, end_line, end_column), int)
    if severity not in ("error", "warning"):
        raise TypeError("not a severity")
    parsed = None
    if fix is not None:
        applicability, description, edits = fix
        if applicability not in ("safe", "unsafe") or type(description) is not str:
            raise TypeError("not a fix")
        for edit in edits:
            _check_types((edit[0], edit[5]), str)
            _check_types(edit[1:5], int)
        parsed = Fix(tuple(Edit(*e) for e in edits), applicability, description)
    return Finding(
        code, name, severity, message, path, line, column, end_line, end_column, parsed, snippet
    )


def _check_types(values: Iterable[Any], kind: type) -> None:
    if not all(type(v) is kind for v in values):
        raise TypeError(f"not a {kind.__name__}")


def findings_fit(
    findings: Iterable[Finding], targets: Iterable[str], files: dict[str, Path]
) -> bool:
    """Whether cached findings could be this run's: each names one of its ``targets`` (paths as
    reported), each fix edit one of its ``files`` (reported path -> file), inside that file's
    lines, with edits of one fix in order and not overlapping. Only the files that fix edits
    name are read (few: fixable findings)."""
    targets = set(targets)
    lines: dict[str, int | None] = {}
    for finding in findings:
        if finding.path not in targets:
            return False
        if finding.fix is None:
            continue
        spans = []
        for edit in finding.fix.edits:
            if edit.path not in files:
                return False
            start, end = (edit.line, edit.column), (edit.end_line, edit.end_column)
            if min(*start, *end) < 1 or end < start:
                return False
            if edit.path not in lines:
                lines[edit.path] = _line_count(files[edit.path])
            count = lines[edit.path]
            if count is None or edit.end_line > count:
                return False
            spans.append((edit.path, start, end))
        reached: dict[str, tuple[int, int]] = {}  # per file, the furthest end so far
        for path, start, end in sorted(spans):
            if path in reached and start < reached[path]:
                return False
            reached[path] = max(end, reached.get(path, end))
    return True


def _line_count(path: Path) -> int | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return len(_NEWLINES.findall(data)) + 1


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _index_row(row: Any) -> bool:
    return (
        type(row) is tuple
        and len(row) == 4
        and type(row[0]) is str
        and type(row[1]) is frozenset
        and type(row[2]) is frozenset
        and type(row[3]) is frozenset
    )


def _strings(value: Any) -> bool:
    return type(value) is tuple and all(type(v) is str for v in value)


def _trim_context(value: Any) -> bool:
    """``Engine.trim_context``: None, or (tails, tops); its facts are parsed again with it."""
    if value is None:
        return True
    if type(value) is not tuple or len(value) != 2 or not _strings(value[1]):
        return False
    tails = value[0]
    return type(tails) is tuple and all(
        type(t) is tuple and len(t) == 2 and type(t[0]) is str and (t[1] is None or _strings(t[1]))
        for t in tails
    )


# How many files' facts a ``FactsMemory`` holds (the language server's open documents and the
# modules its checks load; a few hundred KB each at most)
MEMORY_FILES = 256


class FactsMemory:
    """Facts by key, in memory, for a process that checks again and again (``cio-lint server``):
    a hit is not read and unpickled from disk, and the facts of an open document, which change
    with every edit, are not written there. Facts are not changed once extracted, so one
    object serves every check; the least recently used go first."""

    def __init__(self, size: int = MEMORY_FILES) -> None:
        self.size = size
        self._facts: dict[str, FileFacts] = {}

    def get(self, key: str) -> FileFacts | None:
        facts = self._facts.pop(key, None)
        if facts is not None:
            self._facts[key] = facts  # the most recent now
        return facts

    def put(self, key: str, facts: FileFacts) -> None:
        self._facts.pop(key, None)
        self._facts[key] = facts
        while len(self._facts) > self.size:
            del self._facts[next(iter(self._facts))]

    def __contains__(self, key: str) -> bool:
        return key in self._facts

    def __len__(self) -> int:
        return len(self._facts)


class Cache:
    def __init__(self, directory: Path | None, memory: FactsMemory | None = None) -> None:
        self.directory = directory
        self.memory = memory  # None: facts are read from and written to disk only
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    # ------------------------------------------------------------------ files
    def _entry(self, kind: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / kind / key[:2] / key

    def _read(self, kind: str, key: str) -> Any:
        if self.directory is None:
            return None
        try:
            with open(self._entry(kind, key), "rb") as handle:
                header = handle.readline().split()
                payload = handle.read()
        except OSError:
            return None
        expected = [_MAGIC, str(FORMAT).encode(), _version().encode(), key.encode()]
        if (
            header[:4] != expected
            or len(header) != 5
            or header[4] != hashlib.sha256(payload).hexdigest().encode()
        ):
            return None
        try:
            return loads(payload)
        except Exception:  # noqa: BLE001  (any malformed payload: ignored, never trusted)
            return None

    def has(self, kind: str, key: str) -> bool:
        if kind == "facts" and self.memory is not None and key in self.memory:
            return True
        return self.directory is not None and self._entry(kind, key).is_file()

    def _write(self, kind: str, key: str, value: Any) -> None:
        if self.directory is None:
            return
        path = self._entry(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._mark(self.directory)
            payload = dumps(value)
            header = b" ".join(
                [
                    _MAGIC,
                    str(FORMAT).encode(),
                    _version().encode(),
                    key.encode(),
                    hashlib.sha256(payload).hexdigest().encode(),
                ]
            )
            write_atomic(path, header + b"\n" + payload, durable=False)
        except OSError:
            pass  # a read-only checkout still lints, just without a cache

    @staticmethod
    def _mark(directory: Path) -> None:
        gitignore = directory / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# created by cio-lint\n*\n")
            (directory / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# cio-lint cache\n"
            )

    # ------------------------------------------------------------------ facts
    @staticmethod
    def facts_key(path: str, module: str, is_package: bool, data: bytes) -> str:
        return digest(_version(), path, module, str(is_package), data)

    def get_facts(self, key: str) -> FileFacts | None:
        if self.memory is not None:
            held = self.memory.get(key)
            if held is not None:
                self.hits += 1
                return held
        value = self._read("facts", key)
        if value is None:
            self.misses += 1
            return None
        try:
            facts = facts_from_value(value)
        except (KeyError, TypeError, ValueError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        if self.memory is not None:
            self.memory.put(key, facts)
        return facts

    def put_facts(self, key: str, facts: FileFacts, disk: bool = True) -> None:
        """Keep ``facts``; with a memory, on disk only if ``disk`` (not an open document's)."""
        if self.memory is not None:
            self.memory.put(key, facts)
            if not disk:
                return
        self._write("facts", key, facts_to_value(facts))

    # ------------------------------------------------------------------ index
    def get_index(self) -> dict[str, tuple[str, frozenset[str], frozenset[str], frozenset[str]]]:
        """path -> (stamp, from-modules, from-names, bare words): the prefilter's view of
        unchanged files."""
        value = self._read("index", "files")
        if not isinstance(value, dict):
            return {}
        return {path: row for path, row in value.items() if _index_row(row)}

    def put_index(
        self, index: dict[str, tuple[str, frozenset[str], frozenset[str], frozenset[str]]]
    ) -> None:
        # One object per distinct word, so that pickle writes each word once (a third of the size)
        words: dict[str, str] = {}
        self._write(
            "index",
            "files",
            {
                path: (
                    stamp,
                    *(frozenset([words.setdefault(w, w) for w in group]) for group in groups),
                )
                for path, (stamp, *groups) in index.items()
            },
        )

    def get_attributes(self) -> dict[str, tuple[str, frozenset[str]]]:
        """path -> (stamp, attribute words): the member-name test's view of unchanged files."""
        value = self._read("index", "attributes")
        if not isinstance(value, dict):
            return {}
        return {
            path: row
            for path, row in value.items()
            if type(row) is tuple
            and len(row) == 2
            and type(row[0]) is str
            and type(row[1]) is frozenset
        }

    def put_attributes(self, rows: dict[str, tuple[str, frozenset[str]]]) -> None:
        self._write("index", "attributes", rows)

    # ------------------------------------------------------------------ state
    def get_state(self, key: str) -> dict[str, Any] | None:
        """The last full run of this project: every file's stamp, the facts key and trim
        context of each file it parsed, its findings (``Engine._early_cutoff``)."""
        value = self._read("state", key)
        if not (
            isinstance(value, dict)
            and isinstance(value.get("stamps"), dict)
            and isinstance(value.get("files"), dict)
        ):
            return None
        try:
            value["findings"] = [finding_from_row(row) for row in value["findings"]]
        except (KeyError, TypeError, ValueError):
            return None
        if not all(isinstance(v, str) for v in value["stamps"].values()):
            return None
        if not (
            isinstance(value.get("words"), dict)
            and all(_index_row(r) for r in value["words"].values())
        ):
            return None
        members = value.get("members", frozenset())
        if not (isinstance(members, frozenset) and all(isinstance(m, str) for m in members)):
            return None
        if not _strings(value.get("plan_warnings")):
            return None
        if not all(
            isinstance(r, tuple) and len(r) == 2 and isinstance(r[0], str) and _trim_context(r[1])
            for r in value["files"].values()
        ):
            return None
        return value

    def put_state(self, key: str, state: dict[str, Any]) -> None:
        self._write(
            "state", key, {**state, "findings": [finding_to_row(f) for f in state["findings"]]}
        )

    # ------------------------------------------------------------------ runs
    @staticmethod
    def run_key(
        plan_fingerprint: str, config: str, stamps: Iterable[tuple[str, int, int]], extra: str = ""
    ) -> str:
        h = hashlib.sha256()
        for part in (_version(), plan_fingerprint, config, extra):
            h.update(part.encode() + b"\0")
        for path, mtime, size in stamps:
            h.update(f"{path}\0{mtime}\0{size}\n".encode())
        return h.hexdigest()

    def get_run(self, key: str) -> dict[str, Any] | None:
        value = self._read("runs", key)
        if not isinstance(value, dict):
            return None
        try:
            value["findings"] = [finding_from_row(row) for row in value["findings"]]
        except (KeyError, TypeError, ValueError):
            return None
        counts = ("files_checked", "files_parsed", "sdk_calls", "through_wrappers")
        if not all(type(value.get(name)) is int for name in counts):
            return None  # an entry of an older format, or malformed: run again
        if not _strings(value.get("plan_warnings")):
            return None
        return value

    def put_run(
        self,
        key: str,
        findings: list[Finding],
        files_checked: int,
        files_parsed: int,
        counts: tuple[int, int] = (0, 0),
        plan_warnings: tuple[str, ...] = (),
    ) -> None:
        """``counts``: SDK calls checked and how many through wrappers (the summary line);
        ``plan_warnings``: what loading the plan warned about (a hit does not load it)."""
        self._write(
            "runs",
            key,
            {
                "findings": [finding_to_row(f) for f in findings],
                "files_checked": files_checked,
                "files_parsed": files_parsed,
                "sdk_calls": counts[0],
                "through_wrappers": counts[1],
                "plan_warnings": tuple(plan_warnings),
            },
        )
