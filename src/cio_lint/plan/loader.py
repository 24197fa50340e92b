"""Find, read, validate and merge the files of a tracking plan into a ``Plan``.

Loading is all-or-nothing: every file is parsed and checked (meta-schema, ``check_schema``,
``$ref`` targets, duplicates across files) and *all* issues are raised together, so a user
fixes a broken plan in one round instead of one error per run.

``$ref`` resolves only inside the plan. Each plan file is a resource of a ``referencing``
registry under its ``file:`` URI, with the merged ``$defs`` of the whole plan (so
``#/$defs/NAME`` works from every file) and the registry refuses to retrieve anything else:
URLs and paths that leave the plan folder are reported, never fetched or read (``refs.py``).

A plan cannot make loading or linting hang, run out of memory or crash: file sizes, nesting,
YAML aliases (``limits.py``), ``$ref`` cycles, depth and expansion (``refs.py``) are bounded
before anything walks the data, and patterns are matched with a timeout (``patterns.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from jsonschema import Draft202012Validator

from cio_lint.plan import importers, limits, messages, patterns, refs
from cio_lint.plan.errors import PlanError, PlanIssue, json_path
from cio_lint.plan.model import EventSpec, Plan, SchemaStore, SpecKind, format_checker

PLAN_SUFFIXES = (".yaml", ".yml", ".json")
_SECTIONS = ("defaults", "identify", "group", "events", "$defs")
_TOP_LEVEL = ("version", *_SECTIONS)
_ALLOWED_TOP_LEVEL = frozenset({"$schema", "naming", *_TOP_LEVEL})
# Keywords that bring in properties from elsewhere: with one of them, a plan default of "no
# unknown properties" must be ``unevaluatedProperties`` (``additionalProperties`` only sees the
# schema's own ``properties`` and would reject everything declared by the referenced schema).
_COMPOSITION = frozenset(
    {"allOf", "anyOf", "oneOf", "$ref", "$dynamicRef", "if", "dependentSchemas"}
)
_FINGERPRINT_SALT = b"cio-lint-plan-v1\0"


def load_plan(path: Path) -> Plan:
    """Load a plan folder (every ``*.yaml``/``*.yml``/``*.json`` below it) or a single file.

    A single JSON file, or a folder, in a foreign format (Segment Typewriter v7/v8, RudderTyper,
    a Rudder CLI project, Iglu schemas, PostHog, OpenTrackPlan) is converted on the fly, so ``plan check`` works on an
    export before it is imported.
    """
    path = Path(path)
    shown = _display_path(path)
    if not path.exists():
        raise PlanError(f"Tracking plan {shown} does not exist")
    if path.is_dir():
        root = path.resolve()
        files = _discover(root)
        sources = [_read(f, _join(shown, f.relative_to(root).as_posix()), root) for f in files]
        rudder = _rudder_project(sources, root, shown) or _opentp_project(sources, root, shown)
        if rudder is not None:
            sources = [rudder]
        elif not files:
            iglu = _iglu_folder(root, shown)
            if iglu is None:
                raise PlanError(f"No tracking-plan files (*.yaml, *.yml, *.json) found in {shown}")
            sources = [iglu]
    else:
        root = path.resolve().parent
        sources = [_read(path.resolve(), shown, root)]
    return _build(root, shown, sources)


# --------------------------------------------------------------------------- reading files


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """SafeLoader without timestamps: JSON Schema has no dates, ``2024-01-01`` stays a string."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Lines:
    """Where a path inside a file's data is written (1-based line), as well as we can tell.

    YAML (and JSON that PyYAML can compose) is indexed from the node marks; otherwise (a
    converted foreign format, exotic JSON) the keys are searched for in the text.
    """

    def __init__(
        self, index: dict[tuple[str, ...], tuple[int, int]] | None = None, text: str = ""
    ) -> None:
        self._index = index
        self._text = text

    def line(self, path: Sequence[str | int]) -> int | None:
        return self.where(path)[0]

    def where(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """``(line, column)`` of the key (or item) ``path`` ends with, both 1-based; the
        column only when the file was composed (YAML, or JSON that PyYAML reads)."""
        if self._index is not None:
            key = tuple(str(p) for p in path)
            while key:
                if key in self._index:
                    return self._index[key]
                key = key[:-1]
            return None, None
        pos, found = 0, False
        for part in path:
            if isinstance(part, int):
                continue
            idx = self._text.find(json.dumps(part, ensure_ascii=False), pos)
            if idx >= 0:
                pos, found = idx, True
        return (self._text.count("\n", 0, pos) + 1 if found else None), None


@dataclass
class _Source:
    """One plan file (or a converted foreign folder) on its way into the plan."""

    path: Path
    display: str
    uri: str
    files: tuple[Path, ...]
    data: Any = None
    ok: bool = False
    lines: _Lines = field(default_factory=_Lines)
    issues: list[PlanIssue] = field(default_factory=list)
    # Problems that do not stop the plan from being used (unknown keywords): errors of
    # ``plan check``, warnings of a lint run.
    warnings: list[PlanIssue] = field(default_factory=list)
    # Converted from another tool's format: its extra keys (Segment's `key`...) are that
    # tool's metadata, not the user's typos, and are not reported.
    foreign: bool = False

    def issue(self, path: Sequence[str | int], message: str, *, warning: bool = False) -> None:
        line, column = self.lines.where(path)
        issue = PlanIssue(self.display, line, json_path(path), message, column)
        found = self.warnings if warning else self.issues
        if issue not in found:  # one problem found by two checks is reported once
            found.append(issue)


def _display_path(path: Path) -> str:
    """The path as the user would write it: relative to the current folder when inside it."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix() or "."
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _join(base: str, rel: str) -> str:
    return rel if base in ("", ".") else posixpath.join(base, rel)


def _discover(root: Path) -> list[Path]:
    found = [
        p
        for p in root.rglob("*")
        if p.suffix.lower() in PLAN_SUFFIXES
        and p.name != "customerio-workspace.json"  # the workspace snapshot (``workspace/``)
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _read(path: Path, display: str, root: Path) -> _Source:
    source = _Source(path=path, display=display, uri=path.as_uri(), files=(path,))
    try:
        with path.open("rb") as handle:
            raw = handle.read(limits.MAX_FILE_BYTES + 1)
            if len(raw) > limits.MAX_FILE_BYTES:
                source.issue((), limits.too_large(os.fstat(handle.fileno()).st_size))
                return source
    except OSError as exc:
        source.issue((), f"cannot be read: {exc.strerror or exc}")
        return source
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        source.issues.append(
            PlanIssue(
                display,
                line,
                "$",
                f"is not UTF-8 encoded (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8",
            )
        )
        return source
    if path.suffix.lower() in (".yaml", ".yml"):
        _parse_yaml(source, text)
    else:
        _parse_json(source, text)
    if source.ok:
        # Foreign shapes are told apart by keys a native plan file never has (``rules``, ``self``).
        fmt = importers.detect_format(source.data)
        if fmt is not None:
            source.foreign = True
            try:
                source.data = importers.convert(source.data, fmt)
            except PlanError as exc:
                source.issues.extend(
                    PlanIssue(display, i.line, i.pointer, i.message) for i in exc.issues
                )
                source.ok = False
            source.lines = _Lines(text=text)
    return source


def _parse_yaml(source: _Source, text: str) -> None:
    loader = _Loader(text)
    try:
        node = _compose_lines(source, loader)
        if source.issues:
            return
        source.data = loader.construct_document(node) if node is not None else None
        source.ok = True
    except yaml.YAMLError as exc:
        source.issues.append(_yaml_issue(source.display, exc, "YAML"))
    finally:
        loader.dispose()


def _compose_lines(source: _Source, loader: _Loader) -> yaml.Node | None:
    """Compose the document and index where each path is written (``source.lines``); also
    records duplicate keys as issues. Returns the node for constructing the data."""
    node: yaml.Node | None = loader.get_single_node()
    index: dict[tuple[str, ...], tuple[int, int]] = {}
    if node is not None:
        problem = limits.check_nodes(node)  # before anything expands the aliases
        if problem is not None:
            path, line, message = problem
            source.issues.append(PlanIssue(source.display, line, json_path(path), message))
            return None
        _index_nodes(source, node, (), index, set())
    source.lines = _Lines(index)
    return node


def _parse_json(source: _Source, text: str) -> None:
    try:
        source.data = json.loads(text)
    except json.JSONDecodeError as exc:
        source.issues.append(PlanIssue(source.display, exc.lineno, "$", f"invalid JSON: {exc.msg}"))
        return
    except RecursionError:
        source.issues.append(
            PlanIssue(source.display, None, "$", "invalid JSON: nested too deeply")
        )
        return
    problem = limits.data_depth_problem(source.data)
    if problem is not None:
        path, _, message = problem
        source.lines = _Lines(text=text)
        source.issue(path, message)
        return
    source.ok = True
    # JSON is (nearly) YAML: compose it for line numbers and duplicate keys, when PyYAML can.
    loader = _Loader(text)
    try:
        _compose_lines(source, loader)
    except (yaml.YAMLError, RecursionError):
        source.lines = _Lines(text=text)
    finally:
        loader.dispose()


def _yaml_issue(display: str, exc: yaml.YAMLError, kind: str) -> PlanIssue:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or "syntax error"
        if exc.context:
            detail = f"{exc.context}, {detail}"
        line = mark.line + 1 if mark is not None else None
        return PlanIssue(display, line, "$", f"invalid {kind}: {detail}")
    return PlanIssue(display, None, "$", f"invalid {kind}: {exc}")


def _index_nodes(
    source: _Source,
    node: yaml.Node,
    path: tuple[str, ...],
    index: dict[tuple[str, ...], tuple[int, int]],
    active: set[int],
) -> None:
    """Record the line of every key and item; report duplicate keys and recursive aliases."""
    if id(node) in active:
        source.issues.append(
            PlanIssue(
                source.display,
                node.start_mark.line + 1,
                json_path(path),
                "recursive alias",
                node.start_mark.column + 1,
            )
        )
        return
    if isinstance(node, yaml.MappingNode):
        active.add(id(node))
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key, line = key_node.value, key_node.start_mark.line + 1
            column = key_node.start_mark.column + 1
            if key in seen and key != "<<":
                source.issues.append(
                    PlanIssue(
                        source.display,
                        line,
                        json_path((*path, key)),
                        f"duplicate key `{key}` (first on line {seen[key]})",
                        column,
                    )
                )
            seen.setdefault(key, line)
            index[(*path, key)] = (line, column)
            _index_nodes(source, value_node, (*path, key), index, active)
        active.discard(id(node))
    elif isinstance(node, yaml.SequenceNode):
        active.add(id(node))
        for i, item in enumerate(node.value):
            index[(*path, str(i))] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _index_nodes(source, item, (*path, str(i)), index, active)
        active.discard(id(node))


def _rudder_project(sources: list[_Source], root: Path, shown: str) -> _Source | None:
    """A Rudder CLI "data catalog as code" folder, converted as a whole (or ``None``)."""
    docs = [s.data for s in sources if s.ok]
    if not docs or len(docs) != len(sources) or not all(importers.is_rudder_doc(d) for d in docs):
        return None
    source = _Source(
        path=root,
        display=shown,
        uri=root.as_uri() + "/",
        files=tuple(s.path for s in sources),
        foreign=True,
    )
    try:
        source.data = importers.convert_rudder_project(docs)
        source.ok = True
    except PlanError as exc:
        source.issues.extend(PlanIssue(shown, None, i.pointer, i.message) for i in exc.issues)
    return source


def _opentp_project(sources: list[_Source], root: Path, shown: str) -> _Source | None:
    """An OpenTrackPlan folder (a root ``opentp.yaml``), converted as a whole (or ``None``)."""
    from cio_lint.plan import importers_more

    if not (root / "opentp.yaml").is_file() or not sources:
        return None
    if not all(s.ok and importers_more.is_opentp_doc(s.data) for s in sources):
        return None
    docs = [(s.path.relative_to(root).as_posix(), s.data) for s in sources]
    source = _Source(
        path=root, display=shown, uri=root.as_uri() + "/", files=tuple(s.path for s in sources)
    )
    source.foreign = True
    try:
        source.data = importers_more.convert_opentp(docs)
        source.ok = True
    except PlanError as exc:
        source.issues.extend(PlanIssue(shown, None, i.pointer, i.message) for i in exc.issues)
    return source


def _iglu_folder(root: Path, shown: str) -> _Source | None:
    """A folder of Iglu self-describing schemas (no file extensions), or ``None``."""
    found = importers.iglu_files(root)
    if not found:
        return None
    source = _Source(
        path=root,
        display=shown,
        uri=root.as_uri() + "/",
        files=tuple(p for p, _ in found),
        foreign=True,
    )
    source.data = importers.convert_iglu([doc for _, doc in found])
    source.ok = True
    return source


# --------------------------------------------------------------------------- checking files


@lru_cache(maxsize=1)
def _meta_validator() -> Draft202012Validator:
    text = resources.files("cio_lint.plan").joinpath("metaschema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text), format_checker=format_checker())


@lru_cache(maxsize=1)
def _schema_checker() -> Draft202012Validator:
    """Like ``Draft202012Validator.check_schema``, but yields every error instead of the first."""
    cls = Draft202012Validator
    return cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)


def _non_string_keys(
    node: object, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                yield path, key
            else:
                yield from _non_string_keys(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _non_string_keys(value, (*path, i))


def _check_file(source: _Source) -> None:
    """Shape of one file: top-level keys, meta-schema, and every schema against 2020-12."""
    data = source.data
    if data is None:
        source.issue((), "is empty; a plan file has `events`, `identify`, `group` or `$defs`")
        source.ok = False
        return
    if not isinstance(data, dict):
        source.issue((), f"must be a mapping of plan keys, not {type(data).__name__}")
        source.ok = False
        return
    bad_keys = list(_non_string_keys(data, ()))
    for path, key in bad_keys:
        source.issue(path, f"key {key!r} is not a string; quote it")
    if bad_keys:
        source.ok = False
        return
    for key in data:
        if key not in _ALLOWED_TOP_LEVEL and not key.startswith("x-"):
            source.issue(
                (key,),
                f"unknown top-level key `{key}`: expected `version`, `defaults`, `identify`, "
                "`group`, `events`, `$defs` or `naming` (or an `x-` key)",
            )
    if not any(key in data for key in _SECTIONS):
        source.issue((), "has none of `events`, `identify`, `group`, `$defs` or `defaults`")
    # An empty YAML entry (``App Opened:``) is an event without properties.
    for key in ("events", "$defs", "defaults"):
        if key in data and data[key] is None:
            data[key] = {}
    for key in ("identify", "group"):
        if key in data and data[key] is None:
            data[key] = {}
    if isinstance(data.get("events"), dict):
        for name, schema in data["events"].items():
            if schema is None:
                data["events"][name] = {}

    seen: set[tuple[str, str]] = set()

    def report(path: tuple[str | int, ...], message: str) -> None:
        pointer = json_path(path)
        if (pointer, message) not in seen:
            seen.add((pointer, message))
            source.issue(path, message)

    for error in _meta_validator().iter_errors(data):
        if error.validator == "additionalProperties" and not error.absolute_path:
            continue  # unknown top-level keys, reported above with a better message
        report(tuple(error.absolute_path), messages.humanize(error))
    for prefix, schema in _schemas(data):
        if not isinstance(schema, (dict, bool)):
            continue
        deep = refs.depth_problem(schema, prefix)
        if deep is not None:  # the meta-schema's validation would recurse too deeply
            report(deep, refs.too_deep())
            continue
        for error in _schema_checker().iter_errors(schema):
            report((*prefix, *error.absolute_path), messages.humanize(error))
        for path, node in refs.walk(schema, prefix):
            for where, pattern in _patterns(node, path):
                problem = patterns.unsupported(pattern)
                if problem is not None:
                    report(where, problem)
    if not source.foreign:
        for where, message in messages.unknown_keywords(_schemas(data)):
            source.issue(where, message, warning=True)


def _patterns(
    schema: object, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The regular expressions of one schema (not of its subschemas), with their paths."""
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("pattern"), str):
        yield (*path, "pattern"), schema["pattern"]
    if isinstance(schema.get("patternProperties"), dict):
        for key in schema["patternProperties"]:
            if isinstance(key, str):
                yield (*path, "patternProperties", key), key


def _schemas(data: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every JSON Schema of a plan file, with its path in the file."""
    for key in ("identify", "group"):
        if key in data:
            yield (key,), data[key]
    for section in ("events", "$defs"):
        entries = data.get(section)
        if isinstance(entries, dict):
            for name, schema in entries.items():
                yield (section, name), schema


# --------------------------------------------------------------------------- building


def _effective(schema: Any, default_additional: bool) -> Any:
    """The schema a message is validated against: ``type: object`` and the plan default added."""
    if not isinstance(schema, dict):
        return schema
    effective = {k: v for k, v in schema.items() if k != "$schema"}
    effective.setdefault("type", "object")
    if "additionalProperties" not in effective and "unevaluatedProperties" not in effective:
        if not default_additional and _COMPOSITION & effective.keys():
            effective["unevaluatedProperties"] = False
        else:
            effective["additionalProperties"] = default_additional
    return effective


def _pointer_uri(base: str, parts: Iterable[str]) -> str:
    escaped = (quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)
    return base + "#/" + "/".join(escaped)


def _fingerprint(root: Path, files: Iterable[Path]) -> str:
    digest = hashlib.sha256(_FINGERPRINT_SALT)
    entries = []
    for f in files:
        try:
            rel = f.relative_to(root).as_posix()
        except ValueError:
            rel = f.as_posix()
        try:
            entries.append((rel, f.read_bytes()))
        except OSError:
            entries.append((rel, b""))
    for rel, content in sorted(entries):
        digest.update(rel.encode("utf-8") + b"\0" + str(len(content)).encode() + b"\0" + content)
    return digest.hexdigest()


def _build(root: Path, shown: str, sources: list[_Source]) -> Plan:
    for source in sources:
        if source.ok:
            _check_file(source)
    good = [s for s in sources if s.ok and isinstance(s.data, dict)]

    events: dict[str, tuple[_Source, Any]] = {}
    defs: dict[str, tuple[_Source, Any]] = {}
    singles: dict[str, tuple[_Source, Any]] = {}
    default: tuple[_Source, bool] | None = None
    for source in good:
        data = source.data
        for section, merged in (("events", events), ("$defs", defs)):
            entries = data.get(section)
            if not isinstance(entries, dict):
                continue
            for name, schema in entries.items():
                if name in merged:
                    other = merged[name][0]
                    what = "event" if section == "events" else "`$defs` entry"
                    source.issue(
                        (section, name),
                        f"{what} `{name}` is also defined in {_where(other, (section, name))}",
                    )
                else:
                    merged[name] = (source, schema)
        for key in ("identify", "group"):
            if key in data:
                if key in singles:
                    other = singles[key][0]
                    source.issue((key,), f"`{key}` is also defined in {_where(other, (key,))}")
                else:
                    singles[key] = (source, data[key])
        value = (
            data.get("defaults", {}).get("additionalProperties")
            if isinstance(data.get("defaults"), dict)
            else None
        )
        if isinstance(value, bool):
            if default is not None and default[1] != value:
                path = ("defaults", "additionalProperties")
                source.issue(
                    path,
                    f"`defaults.additionalProperties` is {str(value).lower()} here but "
                    f"{str(default[1]).lower()} in {_where(default[0], path)}",
                )
            elif default is None:
                default = (source, value)
    default_additional = default[1] if default else False
    naming: dict[str, str] = {}
    for source in good:
        declared = source.data.get("naming")
        for key, value in (declared if isinstance(declared, dict) else {}).items():
            if key in naming and naming[key] != value:
                source.issue(("naming", key), f"`naming.{key}` is also set, to `{naming[key]}`")
            naming.setdefault(key, value)

    # Every file becomes a registry resource: its own content with its effective event schemas
    # and the *merged* ``$defs``, so ``#/$defs/NAME`` means the same in every file.
    shared_defs = {name: schema for name, (_, schema) in defs.items()}
    effective: dict[tuple[int, str, str], Any] = {}
    documents: list[tuple[str, dict[str, Any]]] = []
    for i, source in enumerate(good):
        doc: dict[str, Any] = {k: v for k, v in source.data.items() if k != "$schema"}
        doc["$defs"] = shared_defs
        if isinstance(doc.get("events"), dict):
            doc["events"] = {}
            for name, schema in source.data["events"].items():
                effective[(i, "events", name)] = _effective(schema, default_additional)
                doc["events"][name] = effective[(i, "events", name)]
        for key in ("identify", "group"):
            if key in doc:
                effective[(i, key, key)] = _effective(doc[key], default_additional)
                doc[key] = effective[(i, key, key)]
        documents.append((source.uri, doc))
    store = SchemaStore(documents)
    root_uri = root.as_uri().rstrip("/") + "/"
    for source in good:
        for at, message in refs.check_refs(_schemas(source.data), source.uri, store, root_uri):
            source.issue(at, message)
    _check_shape(good, documents, defs, store)

    order = {s.display: n for n, s in enumerate(sources)}

    def in_order(found: Iterable[PlanIssue]) -> list[PlanIssue]:
        return sorted(found, key=lambda i: (order.get(i.path, len(order)), i.line or 0))

    warnings = in_order(w for source in sources for w in source.warnings)
    issues = [issue for source in sources for issue in source.issues]
    if issues:
        # a plan that fails anyway is fixed in one round: its unknown keywords are listed too
        issues = in_order([*issues, *warnings])
        files_with_issues = {i.path for i in issues}
        where = files_with_issues.pop() if len(files_with_issues) == 1 else shown
        raise PlanError(f"{where} is not a valid tracking plan", issues)

    index = {id(s): i for i, s in enumerate(good)}

    def spec(name: str, kind: SpecKind, source: _Source, key: tuple[str, ...]) -> EventSpec:
        return EventSpec(
            name=name,
            kind=kind,
            source=source.display,
            line=source.lines.line(key),
            schema=effective[(index[id(source)], key[0], key[-1])],
            store=store,
            uri=_pointer_uri(source.uri, key),
            base_uri=source.uri,
        )

    specs = {name: spec(name, "event", s, ("events", name)) for name, (s, _) in events.items()}
    identify = (
        spec("identify", "identify", singles["identify"][0], ("identify",))
        if "identify" in singles
        else None
    )
    group = spec("group", "group", singles["group"][0], ("group",)) if "group" in singles else None
    files = tuple(f for s in sources for f in s.files)
    return Plan(
        root=root,
        files=files,
        events=specs,
        identify=identify,
        group=group,
        defaults_additional_properties=default_additional,
        fingerprint=_fingerprint(root, files),
        warnings=tuple(warnings),
        naming=naming,
    )


def _check_shape(
    good: list[_Source],
    documents: list[tuple[str, dict[str, Any]]],
    defs: dict[str, tuple[_Source, Any]],
    store: SchemaStore,
) -> None:
    """``$ref`` cycles, and applied schemas too deep or too large once references are followed
    (``refs.check_graph``), reported in the file and at the place where each is written."""
    by_uri = {source.uri: source for source in good}
    roots = []
    for source, (uri, doc) in zip(good, documents):
        for prefix, schema in _schemas(doc):
            if prefix[0] != "$defs":
                roots.append(refs.Root(source, prefix, schema, uri, applied=True))
        own = source.data.get("$defs")
        for name, schema in (own if isinstance(own, dict) else {}).items():
            roots.append(refs.Root(source, ("$defs", name), schema, uri, applied=False))

    def locate(document: str, fragment: str) -> refs.Where | None:
        path = refs.pointer(fragment)
        owner = by_uri.get(document)
        if path is None or owner is None:
            return None
        if len(path) > 1 and path[0] == "$defs" and path[1] in defs:
            owner = defs[str(path[1])][0]  # the shared ``$defs``: where the entry is written
        return owner, path

    def report(owner: object, path: tuple[str | int, ...], message: str) -> None:
        assert isinstance(owner, _Source)
        owner.issue(path, message)

    refs.check_graph(roots, store, locate, report)


def _where(source: _Source, path: Sequence[str | int]) -> str:
    line = source.lines.line(path)
    return f"{source.display}:{line}" if line is not None else source.display
