"""The language server's view of one project: its configuration and plan, the documents the
editor has open (their unsaved text), and what the last check found in each.

A check runs the engine on the open documents as targets (the whole project is still scanned
for wrappers and clients, as ``cio-lint FILE`` does), with the open buffers in
``discovery.OVERLAY`` so that the engine reads the unsaved text instead of the file on disk.
The engine's caches work as on the command line, an open buffer's stamp being a digest of its
text (``Engine._run_key``): an edit re-parses the edited file, every other file's facts and
import words come from the cache, and an edit that changes no fact (a comment) is answered by
the early cutoff without relinking. The re-parse of an open document is of the top-level
statements the edit touched only (``analysis.reparse``: the workspace keeps each open
document's libcst tree; the command line keeps none).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cio_lint import discovery
from cio_lint.cache import FactsMemory
from cio_lint.config import Config, ConfigError, load_config
from cio_lint.model import DictVal, Finding, Known, Location, alternatives
from cio_lint.source import SourceError, declared_encoding


@dataclass(frozen=True)
class CallInfo:
    """One resolved SDK or wrapper call of a file: what completion, hover and definition need."""

    kind: str  # "track", "identify", "group", ...
    loc: Location  # the whole call
    event: str | None  # the event name, when it is one known string
    event_loc: Location | None  # where the event argument is written (at this call)
    props_loc: Location | None  # where the properties / traits dict literal is written
    props: tuple[str, ...] = ()  # the keys it already has
    keywords: bool = False  # through a wrapper whose properties are its keyword arguments


@dataclass
class FileState:
    findings: list[Finding] = field(default_factory=list)
    calls: list[CallInfo] = field(default_factory=list)
    parsed: bool = True  # False: the text did not parse; ``calls`` are from the last text that did
    text: str = ""  # the text ``calls`` were found in
    # False: the findings came from the cache, which keeps no calls (``Workspace.resolve``)
    calls_known: bool = True


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.docs: dict[str, str] = {}  # absolute path -> the editor's text
        self.files: dict[str, FileState] = {}  # absolute path -> the last check's results
        self.config: Config | None = None
        self.plan: Any = None
        self.plan_path: Path | None = None
        self.error: str | None = None  # why the project cannot be checked (config, plan)
        self._lock = threading.Lock()
        self.reparser: Any = None  # ``analysis.reparse.Reparser``: each open document's tree
        self.memory = FactsMemory()  # the facts of the files checks parsed or read
        self.load()

    # ------------------------------------------------------------------ project
    def load(self) -> None:
        """(Re)read the configuration and the plan; ``error`` says why they cannot be used."""
        from cio_lint.plan import PlanError, find_plan, load_plan

        self.error = None
        try:
            config = load_config(self.root, None)
            path = config.plan or find_plan(self.root)
            if path is None:
                raise ConfigError(
                    f"no tracking plan found: looked for `tracking_plan/` in {self.root}"
                )
            if not path.exists():
                raise ConfigError(f"{path}: tracking plan not found")
            self.plan_path = path.resolve()
            self.plan = load_plan(path)
            self.config = config
        except (ConfigError, PlanError) as exc:
            self.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.plan = None

    def plan_files(self) -> set[str]:
        """The plan's files (absolute): a change to one reloads the plan."""
        if self.plan is None:
            return set()
        return {str(self.absolute(str(p))) for p in getattr(self.plan, "files", ())}

    def is_plan_file(self, path: str) -> bool:
        if path in self.plan_files():
            return True
        base = self.plan_path
        if base is None:
            return False
        inside = path == str(base) or path.startswith(str(base) + os.sep)
        return inside and path.endswith((".yaml", ".yml", ".json"))

    def absolute(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else Path.cwd() / p

    # ------------------------------------------------------------------ documents
    def text_of(self, path: str) -> str:
        """The editor's text of ``path``, else the file's (decoded as the engine decodes it)."""
        held = self.docs.get(path)
        if held is not None:
            return held
        from cio_lint.source import decode

        try:
            return decode(discovery.read_source(path)).text
        except (OSError, SourceError):
            return ""

    def _overlay(self) -> dict[str, bytes]:
        out = {}
        for path, text in self.docs.items():
            data = text.encode("utf-8", "surrogatepass")
            try:
                codec, _ = declared_encoding(data)
                if codec != "utf-8":
                    data = text.encode(codec)
            except (SourceError, LookupError, UnicodeError):
                pass  # the engine reports the declaration as CIO900
            out[path] = data
        return out

    # ------------------------------------------------------------------ checking
    def check(self, use_run_cache: bool = True) -> dict[str, FileState]:
        with self._lock:  # one engine run at a time: ``discovery.OVERLAY`` is global
            return self._check(use_run_cache)

    def _check(self, use_run_cache: bool) -> dict[str, FileState]:
        """Check the open documents; their states by absolute path (also kept in ``files``).
        A result from the run cache or the early cutoff has findings but no resolved calls:
        the states say so (``calls_known``) unless the text is the one the calls are of."""
        from cio_lint.analysis import reparse
        from cio_lint.engine import Engine

        if self.reparser is None:
            self.reparser = reparse.Reparser()
        if self.config is None or self.plan is None:
            return {}
        targets = [Path(p) for p in self.docs if Path(p).is_file()]
        if not targets:
            return {}
        self.error = None  # the configuration and plan loaded; a run may still refuse them
        discovery.OVERLAY.clear()
        discovery.OVERLAY.update(self._overlay())
        try:
            with reparse.active(self.reparser, self.docs):
                engine = Engine(self.config, self.plan, jobs=1, memory=self.memory)
                result = engine.run(targets, use_run_cache)
        except ConfigError as exc:
            self.error = str(exc)
            return {}
        finally:
            discovery.OVERLAY.clear()
        states = {str(p): FileState(text=self.docs.get(str(p), "")) for p in targets}
        named: dict[str, FileState | None] = {}  # a result's path -> its state (hundreds share one)

        def state_of(path: str) -> FileState | None:
            if path not in named:
                named[path] = states.get(str(self.absolute(path)))
            return named[path]

        for finding in result.findings:
            found = state_of(finding.path)
            if found is not None:
                found.findings.append(finding)
                if finding.code == "CIO900":
                    found.parsed = False
        for item in result.resolved:
            found = state_of(item.call.loc.path)
            if found is not None:
                found.calls.append(_call_info(item.call))
        for path, state in states.items():
            old = self.files.get(path)
            if old is None:
                state.calls_known = not result.from_cache
            elif not state.parsed:
                state.calls, state.text = old.calls, old.text  # the last text that parsed
                state.calls_known = old.calls_known
            elif result.from_cache:
                same = old.calls_known and old.text == state.text
                state.calls, state.calls_known = (old.calls, True) if same else ([], False)
        self.files.update(states)
        return states

    def needs_calls(self, path: str) -> bool:
        state = self.files.get(path)
        return state is not None and not state.calls_known

    def resolve(self) -> None:
        """The calls of every open document, when the last check came from the cache: the same
        check without the run cache (file facts still come from the cache)."""
        self.check(use_run_cache=False)


def _call_info(call: Any) -> CallInfo:
    event = call.event
    name = event.value if isinstance(event, Known) and isinstance(event.value, str) else None
    props = call.properties
    props_loc = None
    keys: tuple[str, ...] = ()
    keywords = False
    for option in alternatives(props) if props is not None else []:
        value = option.value if isinstance(option, Known) else option
        if isinstance(value, DictVal) and value.loc is not None:
            props_loc, keys = value.loc, tuple(value.keys())
            break
        if isinstance(value, DictVal) and call.via is not None:
            # ``track_event(user, "X", plan="free")``: a wrapper's ``**props``
            keys, keywords = tuple(value.keys()), True
            break
        if isinstance(option, Known) and option.loc is not None and isinstance(value, dict):
            props_loc, keys = option.loc, tuple(str(k) for k in value)
            break
    return CallInfo(
        kind=call.kind,
        loc=call.loc,
        event=name,
        event_loc=getattr(event, "loc", None),
        props_loc=props_loc,
        props=keys,
        keywords=keywords,
    )
