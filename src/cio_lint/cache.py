"""The persistent cache: per-file facts by content, whole-run results by file stamps.

Two kinds of entry live under ``.cio-lint-cache/`` (``--cache-dir``, ``--no-cache``):

- ``facts/``: the ``FileFacts`` of one file, keyed by cio-lint's version, the file's path,
  module name and bytes. Facts do not depend on the plan or the configuration, so after an edit
  only the edited file is parsed again; linking and checking always run (they are cheap).
- ``runs/``: the findings of a whole run, keyed by version, plan fingerprint, configuration and
  the (path, mtime, size) of every file discovered. A rerun with nothing changed is a lookup.

Entries are JSON (never pickle: a cache folder is not trusted), written atomically. An entry
that does not parse, has another version or key, or has the wrong shape is ignored and
overwritten, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cio_lint import __version__
from cio_lint.analysis.facts import CallFact, ClassFacts, FileFacts, FuncFacts, Param
from cio_lint.model import Edit, Finding, Fix

FORMAT = 1


def _tuplify(value: Any) -> Any:
    if type(value) is list:
        return tuple([_tuplify(v) if type(v) is list else v for v in value])
    return value


def facts_to_json(facts: FileFacts) -> dict[str, Any]:
    return {
        "path": facts.path,
        "module": facts.module,
        "is_package": facts.is_package,
        "bindings": facts.bindings,
        "classes": {
            name: [c.qualname, c.bases, c.attrs, c.inst_attrs, c.methods] for name, c in facts.classes.items()
        },
        "functions": {
            name: [f.qualname, f.cls, [[p.name, p.kind, p.default] for p in f.params], f.decorators, f.loc, f.calls]
            for name, f in facts.functions.items()
        },
        "calls": [
            [c.id, c.scope, c.func, c.args, c.kwargs, c.loc, c.key, sorted(c.must, key=repr), c.conditional, c.snippet]
            for c in facts.calls
        ],
        "star_imports": facts.star_imports,
        "suppressions": [[line, sorted(codes) if codes is not None else None] for line, codes in facts.suppressions.items()],
        "error": facts.error,
        "dropped": sorted(facts.dropped),
    }


def facts_from_json(data: dict[str, Any]) -> FileFacts:
    facts = FileFacts(path=str(data["path"]), module=str(data["module"]), is_package=bool(data["is_package"]))
    facts.bindings = {str(k): _tuplify(v) for k, v in data["bindings"].items()}
    for name, (qualname, bases, attrs, inst, methods) in data["classes"].items():
        facts.classes[name] = ClassFacts(
            qualname,
            _tuplify(bases),
            {k: _tuplify(v) for k, v in attrs.items()},
            {k: _tuplify(v) for k, v in inst.items()},
            dict(methods),
        )
    for name, (qualname, cls, params, decorators, loc, calls) in data["functions"].items():
        facts.functions[name] = FuncFacts(
            qualname,
            cls,
            tuple(Param(p, kind, _tuplify(default)) for p, kind, default in params),
            tuple(decorators),
            _tuplify(loc),
            [int(c) for c in calls],
        )
    for cid, scope, func, args, kwargs, loc, key, must, conditional, snippet in data["calls"]:
        facts.calls.append(
            CallFact(
                int(cid), scope, _tuplify(func), _tuplify(args), _tuplify(kwargs), _tuplify(loc),
                _tuplify(key), frozenset(_tuplify(m) for m in must), bool(conditional), str(snippet),
            )
        )
    facts.star_imports = [str(s) for s in data["star_imports"]]
    facts.suppressions = {
        int(line): (frozenset(codes) if codes is not None else None) for line, codes in data["suppressions"]
    }
    facts.error = _tuplify(data["error"]) if data["error"] is not None else None
    facts.dropped = frozenset(str(w) for w in data["dropped"])
    return facts


def finding_to_json(f: Finding) -> list[Any]:
    fix = None
    if f.fix is not None:
        fix = [f.fix.applicability, f.fix.description,
               [[e.path, e.line, e.column, e.end_line, e.end_column, e.content] for e in f.fix.edits]]
    return [f.code, f.name, f.severity, f.message, f.path, f.line, f.column, f.end_line, f.end_column, fix, f.snippet]


def finding_from_json(row: list[Any]) -> Finding:
    code, name, severity, message, path, line, column, end_line, end_column, fix, snippet = row
    parsed = None
    if fix is not None:
        applicability, description, edits = fix
        parsed = Fix(tuple(Edit(*e) for e in edits), applicability, description)
    return Finding(code, name, severity, message, path, line, column, end_line, end_column, parsed, snippet)


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class Cache:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    # ------------------------------------------------------------------ files
    def _entry(self, kind: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / kind / key[:2] / f"{key}.json"

    def _read(self, kind: str, key: str) -> Any:
        if self.directory is None:
            return None
        try:
            with open(self._entry(kind, key), encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != __version__:
            return None
        if data.get("key") != key:
            return None
        return data.get("value")

    def _write(self, kind: str, key: str, value: Any) -> None:
        if self.directory is None:
            return
        path = self._entry(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._mark(self.directory)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            text = json.dumps({"format": FORMAT, "version": __version__, "key": key, "value": value})
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only checkout still lints, just without a cache

    @staticmethod
    def _mark(directory: Path) -> None:
        gitignore = directory / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# created by cio-lint\n*\n")
            (directory / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n# cio-lint cache\n")

    # ------------------------------------------------------------------ facts
    @staticmethod
    def facts_key(path: str, module: str, is_package: bool, data: bytes) -> str:
        return digest(__version__, path, module, str(is_package), data)

    def get_facts(self, key: str) -> FileFacts | None:
        value = self._read("facts", key)
        if value is None:
            self.misses += 1
            return None
        try:
            facts = facts_from_json(value)
        except (KeyError, TypeError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return facts

    def put_facts(self, key: str, facts: FileFacts) -> None:
        self._write("facts", key, facts_to_json(facts))

    # ------------------------------------------------------------------ index
    def get_index(self) -> dict[str, list[Any]]:
        """path -> [stamp, from-modules, from-names, bare words]: the prefilter's view of
        unchanged files."""
        value = self._read("index", "files")
        if not isinstance(value, dict):
            return {}
        out: dict[str, list[Any]] = {}
        for path, row in value.items():
            if isinstance(row, list) and len(row) == 4 and isinstance(row[0], str):
                if all(isinstance(part, list) for part in row[1:]):
                    out[path] = row
        return out

    def put_index(self, index: dict[str, list[Any]]) -> None:
        self._write("index", "files", index)

    # ------------------------------------------------------------------ runs
    @staticmethod
    def run_key(plan_fingerprint: str, config: str, stamps: Iterable[tuple[str, int, int]], extra: str = "") -> str:
        h = hashlib.sha256()
        for part in (__version__, plan_fingerprint, config, extra):
            h.update(part.encode() + b"\0")
        for path, mtime, size in stamps:
            h.update(f"{path}\0{mtime}\0{size}\n".encode())
        return h.hexdigest()

    def get_run(self, key: str) -> dict[str, Any] | None:
        value = self._read("runs", key)
        if not isinstance(value, dict):
            return None
        try:
            value["findings"] = [finding_from_json(row) for row in value["findings"]]
        except (KeyError, TypeError, ValueError):
            return None
        return value

    def put_run(self, key: str, findings: list[Finding], files_checked: int, files_parsed: int) -> None:
        self._write(
            "runs",
            key,
            {
                "findings": [finding_to_json(f) for f in findings],
                "files_checked": files_checked,
                "files_parsed": files_parsed,
            },
        )
