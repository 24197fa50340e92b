"""``cio-lint server``: the protocol wiring (pygls) of the language server, over stdio.

Documents are checked as soon as the server is idle (``Checker``: one check at a time, on a
worker thread, so requests are answered meanwhile; the edits made during a check are checked
together when it ends). After a slow check (over ``SLOW``) an edit waits for ``debounceMs`` of
quiet instead, so that a burst of keystrokes is one check. Completion, hover and definition
first bring the document's results up to date with its text. A change to a plan file (saved in the editor, or reported by
``workspace/didChangeWatchedFiles``) reloads the plan and re-checks every open document.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from cio_lint import __version__
from cio_lint.server import features, fixes
from cio_lint.server.workspace import Workspace

DEBOUNCE = 0.15  # seconds of quiet after the last edit, when the last check was slow
SLOW = 1.0  # seconds: a check that took longer makes the next edits wait for the debounce
log = logging.getLogger("cio_lint.server")


def path_of(uri: str) -> str | None:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return str(Path(path).resolve()) if path else None


class Checker:
    """Checks of the open documents, published as diagnostics: at once when the server is
    idle and the last check was quick; else (a slow check) ``debounce`` after the last edit.
    A newer edit replaces a pending check; edits during a check are checked when it ends."""

    def __init__(self, ls: CioServer) -> None:
        self.ls = ls
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._dirty = False  # texts changed since the last check started
        self.debounce = DEBOUNCE  # initializationOptions ``{"debounceMs": N}`` changes it
        self.took = 0.0  # seconds the last check took
        self._edited = 0.0  # when the last edit came (the loop's clock)
        self._logged: str | None = None  # the last error logged

    def schedule(self, delay: float | None = None) -> None:
        """Check the open documents after ``delay`` seconds (None: as an edit is, see above)."""
        self._dirty = True
        loop = asyncio.get_running_loop()
        self._edited = loop.time()
        if self._timer is not None:
            self._timer.cancel()
        if delay is None:
            self._timer = loop.call_later(self._wait(), self._start)
        else:
            self._timer = loop.call_later(delay, self._start, True)

    def _wait(self) -> float:
        """How long an edit still waits before its check: nothing after a quick check, else
        what is left of the debounce since the last edit."""
        if self.took <= SLOW:
            return 0.0
        return max(0.0, self._edited + self.debounce - asyncio.get_running_loop().time())

    def _start(self, forced: bool = False) -> None:
        """Start checking unless a check runs (it checks the new edits when it ends)."""
        self._timer = None
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run(forced))

    async def flush(self) -> None:
        """Bring every result up to date with the editor's texts (before a request): no
        debounce then."""
        while True:
            if self._task is not None and not self._task.done():
                await asyncio.shield(self._task)
                continue
            if not self._dirty:
                return
            if self._timer is not None:
                self._timer.cancel()
            self._start(forced=True)

    def logged(self, error: str | None) -> None:
        """``error`` was told to the client: the checks do not repeat it."""
        self._logged = error

    async def calls(self, path: str) -> None:
        """Results up to date, with the resolved calls of ``path`` (for completion, hover and
        definition), which a check answered from the cache does not have."""
        await self.flush()
        ws = self.ls.project()
        if ws.needs_calls(path):
            await asyncio.get_running_loop().run_in_executor(None, ws.resolve)

    async def _run(self, forced: bool = False) -> None:
        ws = self.ls.project()
        loop = asyncio.get_running_loop()
        while self._dirty:
            wait = 0.0 if forced else self._wait()
            if wait > 0:  # edits during a slow check: a burst is one check
                self._timer = loop.call_later(wait, self._start)
                return
            self._dirty = False
            versions = self.ls.open_versions()
            ws.docs = self.ls.open_texts()
            started = loop.time()
            try:
                states = await loop.run_in_executor(None, ws.check)
                self.took = loop.time() - started
            except Exception:  # a bug in a check must not stop the server
                log.exception("check failed")
                self.ls.window_log_message(
                    types.LogMessageParams(types.MessageType.Error, "cio-lint: check failed")
                )
                continue
            if ws.error and ws.error != self._logged:
                self.ls.window_log_message(
                    types.LogMessageParams(types.MessageType.Error, f"cio-lint: {ws.error}")
                )
            self._logged = ws.error  # each error once, until it changes
            for path in ws.docs:
                if path not in self.ls.uris:
                    continue  # closed meanwhile: its diagnostics were cleared
                state = states.get(path)
                text = ws.docs[path]
                found = state.findings if state is not None else []
                self.ls.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(
                        uri=fixes.uri_of(path),
                        diagnostics=[fixes.diagnostic(f, text) for f in found],
                        version=versions.get(path),
                    )
                )
            if not gc.get_freeze_count():  # the first check, or one whose run unfroze it
                _settle_heap()


def _settle_heap() -> None:
    """After the first check (published): what exists now — the plan, libcst, jsonschema, the
    project's facts — lives as long as the server, so it leaves the collector's sight
    (``gc.freeze``); each later collection walks only what checks made since. A full
    collection of the whole heap took a sixth of an edit's check (docs/performance.md). What
    becomes cyclic garbage of the frozen objects later (a reloaded plan) is not collected:
    once, not per edit. A run that forked workers unfreezes the heap as it ends (engine.py):
    the next check settles it again."""
    gc.collect()
    gc.freeze()


class _Rejected:
    """A request answered with an error before any handler saw it (``CioProtocol``)."""


class CioProtocol(LanguageServerProtocol):
    """pygls's protocol, with a malformed request answered: pygls logs a request whose params
    do not fit the method and drops it, and a client would wait for its answer forever. Here
    it is logged (stderr and ``window/logMessage``) and answered with the error, by its id."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            request_id = data.get("id")
            if "method" not in data or not isinstance(request_id, (int, str)):
                raise
            method = str(data.get("method"))
            log.warning("rejected request %s (%s): %s", request_id, method, exc.message)
            self.notify(
                types.WINDOW_LOG_MESSAGE,
                types.LogMessageParams(
                    types.MessageType.Error, f"cio-lint: {method}: {exc.message}"
                ),
            )
            self._send_response(
                request_id, error=types.ResponseError(code=exc.code, message=exc.message)
            )
            return _Rejected()

    def handle_message(self, message: Any) -> None:
        if not isinstance(message, _Rejected):
            super().handle_message(message)


class CioServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("cio-lint", __version__, protocol_cls=CioProtocol)
        self._workspace: Workspace | None = None
        self.uris: dict[str, str] = {}  # path -> uri of the open documents
        self.checker = Checker(self)

    def project(self) -> Workspace:
        if self._workspace is None:
            root = Path(self.workspace.root_path or os.getcwd())
            folders = self.workspace.folders
            if not self.workspace.root_path and folders:
                first = path_of(next(iter(folders.values())).uri)
                root = Path(first) if first else root
            os.chdir(root)  # findings' and the plan's paths are relative to the current folder
            self._workspace = Workspace(root)
        return self._workspace

    def open_texts(self) -> dict[str, str]:
        return {
            path: self.workspace.get_text_document(uri).source for path, uri in self.uris.items()
        }

    def markdown(self, feature: str) -> bool:
        """Whether the client reads Markdown in completion documentation or hovers."""
        caps = self.client_capabilities.text_document
        formats = None
        if caps is not None and feature == "completion" and caps.completion is not None:
            item = caps.completion.completion_item
            formats = item.documentation_format if item is not None else None
        elif caps is not None and feature == "hover" and caps.hover is not None:
            formats = caps.hover.content_format
        return bool(formats) and types.MarkupKind.Markdown in (formats or [])

    def open_versions(self) -> dict[str, int]:
        out = {}
        for path, uri in self.uris.items():
            version = self.workspace.get_text_document(uri).version
            if version is not None:
                out[path] = version
        return out

    def position(self, path: str, pos: types.Position) -> tuple[int, int]:
        """(line, column), 1-based code points, of an LSP position in ``path``'s text."""
        text = self.open_texts().get(path)
        if text is None:
            text = self.project().text_of(path)
        line = pos.line + 1
        return line, features.from_units(features.line_of(text, line), pos.character)


server = CioServer()


@server.feature(types.INITIALIZE)
def initialize(ls: CioServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        delay = options.get("debounceMs")
        if isinstance(delay, (int, float)) and not isinstance(delay, bool) and 0 <= delay <= 10_000:
            ls.checker.debounce = delay / 1000


@server.feature(types.INITIALIZED)
def initialized(ls: CioServer, params: types.InitializedParams) -> None:
    ws = ls.project()
    if ws.error:
        ls.window_log_message(
            types.LogMessageParams(types.MessageType.Error, f"cio-lint: {ws.error}")
        )
        ls.checker.logged(ws.error)
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps is not None else None
    if watched is not None and watched.dynamic_registration:
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern="**/*.{yaml,yml,json}")]
        )
        ls.client_register_capability(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="cio-lint-plan",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=options,
                    )
                ]
            )
        )


def _opened(ls: CioServer, uri: str) -> str | None:
    path = path_of(uri)
    if path is None or not path.endswith((".py", ".pyi")):
        return None
    ls.uris[path] = uri
    ls.checker.schedule()
    return path


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CioServer, params: types.DidOpenTextDocumentParams) -> None:
    _opened(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CioServer, params: types.DidChangeTextDocumentParams) -> None:
    _opened(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: CioServer, params: types.DidSaveTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    if path is not None and ls.project().is_plan_file(path):
        _reload(ls)
    else:
        _opened(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: CioServer, params: types.DidCloseTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    if path is not None and ls.uris.pop(path, None) is not None:
        ls.project().files.pop(path, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched(ls: CioServer, params: types.DidChangeWatchedFilesParams) -> None:
    ws = ls.project()
    paths = [path_of(change.uri) for change in params.changes]
    if any(p is not None and ws.is_plan_file(p) for p in paths):
        _reload(ls)
    elif ls.uris:
        ls.checker.schedule()  # a file the open documents may import changed


def _reload(ls: CioServer) -> None:
    ls.project().load()
    ls.checker.schedule(0)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, fixes.FIX_ALL]),
)
async def code_action(ls: CioServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    path = path_of(params.text_document.uri)
    if path is None:
        return []
    await ls.checker.flush()
    only = [str(k) for k in params.context.only] if params.context.only else None
    return fixes.code_actions(ls.project(), path, params.range, only)


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=['"', "'"])
)
async def completion(ls: CioServer, params: types.CompletionParams) -> types.CompletionList:
    path = path_of(params.text_document.uri)
    items: list[types.CompletionItem] = []
    if path is not None:
        await ls.checker.calls(path)
        line, column = ls.position(path, params.position)
        text = ls.open_texts().get(path) or ""
        row = features.line_of(text, line)
        for item in features.complete(ls.project(), path, line, column):
            kind = (
                types.CompletionItemKind.Event
                if item.kind == "event"
                else types.CompletionItemKind.Property
            )
            label = item.label + "=" if item.kind == "keyword" else item.label
            edit_range = types.Range(
                start=types.Position(line - 1, features.to_units(row, item.start)),
                end=types.Position(line - 1, features.to_units(row, item.end)),
            )
            doc: str | types.MarkupContent | None = None
            if item.documentation:
                doc = (
                    types.MarkupContent(kind=types.MarkupKind.Markdown, value=item.documentation)
                    if ls.markdown("completion")
                    else item.documentation
                )
            items.append(
                types.CompletionItem(
                    label=item.label,
                    kind=kind,
                    detail=item.detail,
                    documentation=doc,
                    text_edit=types.TextEdit(range=edit_range, new_text=label),
                )
            )
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: CioServer, params: types.HoverParams) -> types.Hover | None:
    path = path_of(params.text_document.uri)
    if path is None:
        return None
    await ls.checker.calls(path)
    found = features.event_at(ls.project(), path, *ls.position(path, params.position))
    if found is None:
        return None
    value = features.hover_text(ls.project(), *found)
    kind = types.MarkupKind.Markdown if ls.markdown("hover") else types.MarkupKind.PlainText
    return types.Hover(contents=types.MarkupContent(kind=kind, value=value))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
async def definition(ls: CioServer, params: types.DefinitionParams) -> list[types.Location]:
    path = path_of(params.text_document.uri)
    if path is None:
        return []
    await ls.checker.calls(path)
    found = features.event_at(ls.project(), path, *ls.position(path, params.position))
    where = features.definition(ls.project(), found[1]) if found is not None else None
    if where is None:
        return []
    plan_file, line = where
    start = types.Position(line - 1, 0)
    return [types.Location(uri=fixes.uri_of(plan_file), range=types.Range(start, start))]


def serve() -> None:
    """Serve on stdin/stdout until ``exit``; the process then ends with pygls's status (0 after
    ``shutdown``, else 1). Logs go to stderr."""
    logging.basicConfig(level=logging.WARNING, format="cio-lint server: %(message)s")
    status = 1
    try:
        server.start_io()
        status = 0 if server.protocol._shutdown else 1
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        status = 130
    logging.shutdown()
    os._exit(status)  # stdout is closed by now: nothing is left to flush
