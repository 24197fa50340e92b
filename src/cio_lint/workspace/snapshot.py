"""Load ``tracking_plan/customerio-workspace.json``: the snapshot of a Customer.io workspace.

The file is untrusted input (it is committed, and anyone may edit it): anything malformed is a
``SnapshotError`` with one line naming the file, never a crash. Unknown keys are ignored, so a
newer ``workspace pull`` can add keys without breaking an older cio-lint. The contract is in
``docs/workspace-rules.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cio_lint.config import ConfigError

FORMAT = "cio-lint-workspace/1"
DEFAULT_NAME = "customerio-workspace.json"  # beside the plan, in ``tracking_plan/``
MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64


class SnapshotError(ConfigError):
    """A snapshot that cannot be used: one line naming the file (exit 2)."""


@dataclass(frozen=True)
class Action:
    """One message of a journey or broadcast (or one content of a transactional message)."""

    id: int
    name: str
    type: str
    sending_state: str  # automatic | draft | off | unknown
    variables: tuple[str, ...]  # Liquid variable paths, dotted, root first
    liquid_error: str | None = None

    @property
    def live(self) -> bool:
        return self.sending_state == "automatic"


@dataclass(frozen=True)
class Journey:
    id: int
    name: str
    state: str
    active: bool
    trigger_type: str  # event | segment | date | unknown
    trigger_event: str | None
    actions: tuple[Action, ...]
    line: int = 1  # where its id is written in the file (1 when it cannot be found cheaply)


@dataclass(frozen=True)
class Broadcast:
    id: int
    name: str
    state: str
    active: bool
    api_triggered: bool
    actions: tuple[Action, ...]
    line: int = 1


@dataclass(frozen=True)
class Transactional:
    id: int
    name: str
    trigger_name: str | None
    contents: tuple[Action, ...]  # sending_state "automatic": a template sends when called
    line: int = 1


@dataclass(frozen=True)
class Snapshot:
    path: Path
    region: str
    journeys: tuple[Journey, ...]
    broadcasts: tuple[Broadcast, ...]
    transactional: tuple[Transactional, ...]
    fingerprint: str  # sha256 of the file's bytes: part of the run cache's key


def find_snapshot(explicit: Path | None, plan_root: Path | None) -> Path | None:
    """The snapshot to read: ``explicit`` (``--workspace`` / ``[tool.cio-lint] workspace``),
    which must exist, else ``customerio-workspace.json`` in the plan's folder, if there is one."""
    if explicit is not None:
        if not explicit.is_file():
            raise SnapshotError(f"{explicit}: workspace snapshot not found")
        return explicit
    if plan_root is None:
        return None
    found = plan_root / DEFAULT_NAME
    return found if found.is_file() else None


def load_snapshot(path: Path) -> Snapshot:
    """Read and check ``path``; ``SnapshotError`` for anything malformed."""
    shown = _shown(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SnapshotError(f"{shown}: cannot read the workspace snapshot: {exc.strerror or exc}")
    if len(raw) > MAX_BYTES:
        raise SnapshotError(f"{shown}: workspace snapshot is over {MAX_BYTES // 1024 // 1024} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SnapshotError(f"{shown}:{line}: workspace snapshot is not UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{shown}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise SnapshotError(f"{shown}: nested deeper than {MAX_DEPTH} levels") from None
    if _depth(data) > MAX_DEPTH:
        raise SnapshotError(f"{shown}: nested deeper than {MAX_DEPTH} levels")
    return _Reader(shown, text).snapshot(path, data, hashlib.sha256(raw).hexdigest())


def _shown(path: Path) -> str:
    """``path`` as messages show it: relative to the current directory when it is below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (iteratively: no recursion limit)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


_TOP_KEY = re.compile(r'^(\s*)"([a-z_]+)"\s*:')
_ID_LINE = re.compile(r'^(\s*)"id"\s*:\s*(-?\d+)\s*,?\s*$')


def _id_lines(text: str) -> dict[tuple[str, int], int]:
    """(section, id) -> line of the id of each item of the top-level lists, for a file laid out
    as ``workspace pull`` writes it (one key a line): in each section, the ids written least
    indented are the items' own (an action's id is deeper). Other layouts: line 1."""
    seen: dict[str, list[tuple[int, int, int]]] = {}  # section -> (indent, id, line)
    section, top_indent = "", -1
    for number, line in enumerate(text.splitlines(), 1):
        key = _TOP_KEY.match(line)
        if key is not None and (top_indent < 0 or len(key.group(1)) <= top_indent):
            top_indent, section = len(key.group(1)), key.group(2)
            continue
        match = _ID_LINE.match(line)
        if match is not None and section:
            seen.setdefault(section, []).append((len(match.group(1)), int(match.group(2)), number))
    found: dict[tuple[str, int], int] = {}
    for name, ids in seen.items():
        least = min(indent for indent, _, _ in ids)
        for indent, item_id, number in ids:
            if indent == least:
                found.setdefault((name, item_id), number)
    return found


class _Reader:
    """Checks the decoded JSON against the contract, naming the JSON path of what is wrong."""

    def __init__(self, shown: str, text: str) -> None:
        self.shown = shown
        self.text = text

    def fail(self, where: str, what: str) -> SnapshotError:
        return SnapshotError(f"{self.shown}: `{where}` {what}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        return value

    def items(self, parent: dict[str, Any], key: str, where: str) -> Iterator[tuple[str, Any]]:
        value = parent.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{where}{key}", "must be a list")
        for i, item in enumerate(value):
            yield f"{where}{key}[{i}]", self.obj(item, f"{where}{key}[{i}]")

    def int_(self, parent: dict[str, Any], key: str, where: str) -> int:
        value = parent.get(key)
        if type(value) is not int:
            raise self.fail(f"{where}.{key}", "must be an integer")
        return value

    def str_(self, parent: dict[str, Any], key: str, where: str, default: str | None = "") -> Any:
        value = parent.get(key, default)
        if value is None and default is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "must be a string")
        return value

    def bool_(self, parent: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = parent.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "must be true or false")
        return value

    def action(self, item: dict[str, Any], where: str, state: str | None) -> Action:
        variables = item.get("variables", [])
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            raise self.fail(f"{where}.variables", "must be a list of strings")
        sending = state if state is not None else self.str_(item, "sending_state", where)
        return Action(
            id=self.int_(item, "id", where),
            name=self.str_(item, "name", where),
            type=self.str_(item, "type", where),
            sending_state=sending or "unknown",
            variables=tuple(sorted(set(variables))),
            liquid_error=self.str_(item, "liquid_error", where, None),
        )

    def snapshot(self, path: Path, data: Any, fingerprint: str) -> Snapshot:
        top = self.obj(data, "$")
        if top.get("format") != FORMAT:
            found = json.dumps(top.get("format"))[:40]
            raise SnapshotError(
                f"{self.shown}: not a cio-lint workspace snapshot (`format` is {found}, "
                f"expected `{FORMAT}`)"
            )
        region = self.str_(top, "region", "$", "us")
        if region not in ("us", "eu"):
            raise self.fail("$.region", 'must be "us" or "eu"')
        if top.get("complete", True) is not True:
            raise self.fail("$.complete", "is not true: a partial pull cannot be checked against")
        lines = _id_lines(self.text)
        journeys = []
        for where, item in self.items(top, "journeys", "$."):
            trigger = self.obj(item.get("trigger", {}), f"{where}.trigger")
            kind = self.str_(trigger, "type", f"{where}.trigger", "unknown")
            event = self.str_(trigger, "event", f"{where}.trigger", None)
            state = self.str_(item, "state", where, "unknown").lower() or "unknown"
            journey_id = self.int_(item, "id", where)
            journeys.append(
                Journey(
                    id=journey_id,
                    name=self.str_(item, "name", where),
                    state=state,
                    active=self.bool_(item, "active", where, state == "running"),
                    trigger_type=kind,
                    trigger_event=event if kind == "event" else None,
                    actions=tuple(
                        self.action(a, w, None) for w, a in self.items(item, "actions", where + ".")
                    ),
                    line=lines.get(("journeys", journey_id), 1),
                )
            )
        broadcasts = []
        for where, item in self.items(top, "broadcasts", "$."):
            state = self.str_(item, "state", where, "unknown").lower() or "unknown"
            broadcast_id = self.int_(item, "id", where)
            broadcasts.append(
                Broadcast(
                    id=broadcast_id,
                    name=self.str_(item, "name", where),
                    state=state,
                    active=self.bool_(item, "active", where, state == "running"),
                    api_triggered=self.bool_(item, "api_triggered", where, False),
                    actions=tuple(
                        self.action(a, w, None) for w, a in self.items(item, "actions", where + ".")
                    ),
                    line=lines.get(("broadcasts", broadcast_id), 1),
                )
            )
        transactional = []
        for where, item in self.items(top, "transactional", "$."):
            message_id = self.int_(item, "id", where)
            contents = self.items(item, "contents", where + ".")
            transactional.append(
                Transactional(
                    id=message_id,
                    name=self.str_(item, "name", where),
                    trigger_name=self.str_(item, "trigger_name", where, None),
                    contents=tuple(self.action(c, w, "automatic") for w, c in contents),
                    line=lines.get(("transactional", message_id), 1),
                )
            )
        return Snapshot(
            path=path,
            region=region,
            journeys=tuple(sorted(journeys, key=lambda j: j.id)),
            broadcasts=tuple(sorted(broadcasts, key=lambda b: b.id)),
            transactional=tuple(sorted(transactional, key=lambda t: t.id)),
            fingerprint=fingerprint,
        )


def snapshot_for(explicit: Path | None, plan: object) -> Snapshot | None:
    """The snapshot of a run: ``explicit``, else the one beside ``plan`` (a loaded plan with
    files: ``Plan.root`` is its folder), else none (the CIO3xx rules do not run)."""
    files = getattr(plan, "files", ())
    root = getattr(plan, "root", None) if files else None
    found = find_snapshot(explicit, root if isinstance(root, Path) else None)
    return load_snapshot(found) if found is not None else None
