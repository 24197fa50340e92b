"""`cio-lint server` end to end: the server runs as a subprocess (`python -m cio_lint server`)
and the tests speak LSP to it over stdio with pytest-lsp's client, on a copy of the demo
(`examples/` and `tracking_plan/`) in tmp_path. Malformed messages, the exit status and the
position helpers: tests/test_server_protocol.py."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0

DEMO = """from customerio import analytics


def welcome(uid: str) -> None:
    analytics.identify(uid, {"email": "a@example.com"})
    analytics.track(uid, "Signed Up", {"plan": "free", "signup_method": "email"})
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    shutil.copytree(REPO / "tracking_plan", tmp_path / "tracking_plan")
    (tmp_path / "examples" / "acme" / "lsp_demo.py").write_text(DEMO, encoding="utf-8")
    return tmp_path


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "cio_lint", "server"])
)
async def client(lsp_client: LanguageClient, project: Path) -> AsyncIterator[None]:
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations = list(params.registrations)  # type: ignore[attr-defined]

    markdown = [types.MarkupKind.Markdown, types.MarkupKind.PlainText]
    caps = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(documentation_format=markdown)
            ),
            hover=types.HoverClientCapabilities(content_format=markdown),
        ),
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            )
        ),
    )
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps, root_uri=uri(project))
    )
    yield
    await lsp_client.shutdown_session()


def uri(path: Path) -> str:
    found = from_fs_path(str(path))
    assert found is not None
    return found


def demo(project: Path) -> Path:
    return project / "examples" / "acme" / "lsp_demo.py"


def open_doc(client: LanguageClient, path: Path, text: str | None = None) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(path),
                language_id="python",
                version=1,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        )
    )


def change_doc(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics_for(
    client: LanguageClient, path: Path, until: object = None
) -> list[types.Diagnostic]:
    """The next diagnostics published for ``path`` (that satisfy ``until``, a predicate)."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            found = client.diagnostics.get(uri(path))
            if found is not None and (until is None or until(found)):  # type: ignore[operator]
                return list(found)

    return await asyncio.wait_for(wait(), TIMEOUT)


def codes(diags: list[types.Diagnostic]) -> list[str]:
    return [str(d.code) for d in diags]


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (ASCII text: UTF-16 units are characters) to ``text``."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(p: types.Position) -> int:
        return starts[p.line] + p.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def cli_json(project: Path, target: Path) -> list[dict[str, object]]:
    out = subprocess.run(
        [sys.executable, "-m", "cio_lint", "--format", "json", "--no-cache", str(target)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    data = json.loads(out.stdout)
    return data["findings"] if isinstance(data, dict) else data


# ---------------------------------------------------------------------------- diagnostics
@pytest.mark.asyncio
async def test_diagnostics_of_a_demo_file_match_the_cli(
    client: LanguageClient, project: Path
) -> None:
    accounts = project / "examples" / "acme" / "accounts.py"
    # the CLI also reports findings in the workspace snapshot (CIO3xx): only the file's count
    expected = [f for f in cli_json(project, accounts) if f["path"] == "examples/acme/accounts.py"]
    assert expected, "the demo file has findings"
    open_doc(client, accounts)
    diags = await diagnostics_for(client, accounts)
    got = sorted(
        (str(d.code), d.range.start.line + 1, d.range.start.character + 1, d.message) for d in diags
    )
    want = sorted((f["code"], f["line"], f["column"], f["message"]) for f in expected)  # type: ignore[misc]
    assert got == want
    for d in diags:
        assert d.source == "cio-lint"
        assert d.code_description is not None
        assert d.code_description.href.startswith("https://")
        assert d.code_description.href.endswith(
            "#"
            + str(d.code).lower()
            + "-"
            + next(
                f["name"]
                for f in expected
                if f["code"] == d.code  # type: ignore[index]
            )
        )
        assert d.severity in (types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Warning)


@pytest.mark.asyncio
async def test_unsaved_edit_is_checked_and_quick_fix_removes_it(
    client: LanguageClient, project: Path
) -> None:
    path = demo(project)
    open_doc(client, path)
    assert "CIO002" not in codes(await diagnostics_for(client, path))
    edited = (
        DEMO + '    analytics.track(uid, "signed up", {"plan": "free", "signup_method": "email"})\n'
    )
    change_doc(client, path, edited, 2)
    diags = await diagnostics_for(client, path, lambda ds: "CIO002" in codes(list(ds)))
    assert path.read_text(encoding="utf-8") == DEMO  # the buffer was checked, not the file
    cio002 = next(d for d in diags if d.code == "CIO002")
    assert cio002.range.start.line == 6
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            range=cio002.range,
            context=types.CodeActionContext(diagnostics=[cio002]),
        )
    )
    assert actions is not None
    quick = [a for a in actions if isinstance(a, types.CodeAction) and a.kind == "quickfix"]
    assert quick, actions
    edit = quick[0].edit
    assert edit is not None and edit.changes is not None
    fixed = apply(edited, list(edit.changes[uri(path)]))
    assert '"Signed Up"' in fixed.splitlines()[6]
    change_doc(client, path, fixed, 3)
    after = await diagnostics_for(client, path, lambda ds: "CIO002" not in codes(list(ds)))
    assert "CIO002" not in codes(after)


@pytest.mark.asyncio
async def test_quick_fix_of_a_constant_edits_the_file_that_defines_it(
    client: LanguageClient, project: Path
) -> None:
    consts = project / "examples" / "acme" / "lsp_consts.py"
    consts.write_text('WELCOME = "signed up"\n', encoding="utf-8")
    path = demo(project)
    text = DEMO.replace(
        "from customerio import analytics\n",
        "from customerio import analytics\n\nfrom acme.lsp_consts import WELCOME\n",
    )
    text += '    analytics.track(uid, WELCOME, {"plan": "free", "signup_method": "email"})\n'
    open_doc(client, path, text)
    diags = await diagnostics_for(client, path, lambda ds: "CIO002" in codes(list(ds)))
    cio002 = next(d for d in diags if d.code == "CIO002")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            range=cio002.range,
            context=types.CodeActionContext(diagnostics=[cio002], only=["quickfix"]),
        )
    )
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.edit is not None
    assert action.edit.changes is not None
    assert set(action.edit.changes) == {uri(consts)}  # the constant's file, not the call's
    fixed = apply(consts.read_text(encoding="utf-8"), list(action.edit.changes[uri(consts)]))
    assert fixed == 'WELCOME = "Signed Up"\n'


@pytest.mark.asyncio
async def test_fix_all(client: LanguageClient, project: Path) -> None:
    path = demo(project)
    edited = (
        DEMO
        + '    analytics.track(uid, "signed up", {"plan": "free", "signup_method": "email"})\n'
        + '    analytics.track(uid, "logged_in", {"method": "password", "mfa": False})\n'
    )
    open_doc(client, path, edited)
    diags = await diagnostics_for(client, path, lambda ds: codes(list(ds)).count("CIO002") == 2)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.cio-lint"]),
        )
    )
    assert actions is not None
    assert [a.kind for a in actions if isinstance(a, types.CodeAction)] == [
        "source.fixAll.cio-lint"
    ]
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.edit is not None
    assert action.edit.changes is not None
    fixed = apply(edited, list(action.edit.changes[uri(path)]))
    assert '"Signed Up"' in fixed.splitlines()[6] and '"Logged In"' in fixed.splitlines()[7]
    change_doc(client, path, fixed, 2)
    after = await diagnostics_for(client, path, lambda ds: "CIO002" not in codes(list(ds)))
    assert len(after) < len(diags)


# ---------------------------------------------------------------------------- completion
async def complete_at(
    client: LanguageClient, path: Path, line: int, character: int
) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            position=types.Position(line, character),
        )
    )
    assert isinstance(result, types.CompletionList)
    return list(result.items)


def planned_events(project: Path) -> set[str]:
    import yaml

    names: set[str] = set()
    for f in (project / "tracking_plan" / "events").glob("*.yaml"):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        names.update((data.get("events") or data).keys())
    return names


@pytest.mark.asyncio
async def test_completion_of_event_names(client: LanguageClient, project: Path) -> None:
    path = demo(project)
    line = '    analytics.track(uid, "")'
    open_doc(client, path, DEMO + line + "\n")
    items = await complete_at(client, path, 6, line.index('""') + 1)
    labels = {i.label for i in items}
    assert labels == planned_events(project)
    signed = next(i for i in items if i.label == "Signed Up")
    assert signed.detail and "propert" in signed.detail
    assert isinstance(signed.documentation, types.MarkupContent)
    assert "created an account" in signed.documentation.value
    assert isinstance(signed.text_edit, types.TextEdit)
    start = line.index('""') + 1
    assert signed.text_edit.range.start.character == start
    # outside the event argument: nothing
    assert await complete_at(client, path, 6, 6) == []
    # an undo back to a text checked before: its findings come from the run cache, which keeps
    # no calls; completion still knows where the event argument is
    change_doc(client, path, DEMO, 2)
    await diagnostics_for(client, path, lambda ds: "CIO101" not in codes(list(ds)))
    change_doc(client, path, DEMO + line + "\n", 3)
    await diagnostics_for(client, path, lambda ds: "CIO101" in codes(list(ds)))
    again = await complete_at(client, path, 6, line.index('""') + 1)
    assert {i.label for i in again} == planned_events(project)


@pytest.mark.asyncio
async def test_completion_of_property_and_trait_keys(client: LanguageClient, project: Path) -> None:
    path = demo(project)
    # a key being typed: the buffer does not parse; the calls of the last text that did are used
    line = '    analytics.track(uid, "Signed Up", {"plan": "free", ""})'
    open_doc(client, path)
    await diagnostics_for(client, path)
    change_doc(client, path, DEMO.replace(DEMO.splitlines()[5], line), 2)
    column = line.index('""') + 1
    items = await complete_at(client, path, 5, column)
    by_label = {i.label: i for i in items}
    assert set(by_label) == {"signup_method", "referrer"}  # `plan` is there already
    assert (
        by_label["signup_method"].detail
        == "enum: 'email' | 'google' | 'github' | 'saml' (required)"
    )
    assert by_label["referrer"].detail == "string | null"
    # identify: the traits of the plan's `identify`
    ident = '    analytics.identify(uid, {"email": "a@example.com", "": 1})'
    change_doc(client, path, DEMO.replace(DEMO.splitlines()[4], ident), 3)
    items = await complete_at(client, path, 4, ident.index('""') + 1)
    labels = {i.label for i in items}
    assert "timezone" in labels and "created_at" in labels and "email" not in labels
    created = next(i for i in items if i.label == "created_at")
    assert created.detail == "integer"
    assert isinstance(created.documentation, types.MarkupContent)
    assert "Unix seconds" in created.documentation.value


WRAPPED = """from acme.analytics_helpers import track_event
from acme.models import User


def go(user: User) -> None:
    track_event(user, "")
    track_event(user, "Signed Up", plan="free", )
"""


@pytest.mark.asyncio
async def test_completion_in_wrapper_calls_and_keyword_arguments(
    client: LanguageClient, project: Path
) -> None:
    # `track_event(user, name, **props)` (examples/acme/analytics_helpers.py) is a wrapper
    path = project / "examples" / "acme" / "wrapped.py"
    path.write_text(WRAPPED, encoding="utf-8")
    open_doc(client, path)
    lines = WRAPPED.splitlines()
    items = await complete_at(client, path, 5, lines[5].index('""') + 1)
    assert {i.label for i in items} == planned_events(project)
    column = lines[6].index(", )") + 2
    items = await complete_at(client, path, 6, column)
    by_label = {i.label: i for i in items}
    assert set(by_label) == {"signup_method", "referrer"}
    edit = by_label["signup_method"].text_edit
    assert isinstance(edit, types.TextEdit) and edit.new_text == "signup_method="
    # `dict(...)` as the properties: its keyword arguments are keys
    text = WRAPPED.replace(
        lines[6], '    analytics.track(user.id, "Logged In", dict(method="sso", ))'
    ).replace("from acme.models", "from customerio import analytics\nfrom acme.models")
    change_doc(client, path, text, 2)
    row = text.splitlines()[7]
    items = await complete_at(client, path, 7, row.index(", )") + 2)
    assert {i.label for i in items} == {"mfa"}


# ---------------------------------------------------------------------------- hover, definition
@pytest.mark.asyncio
async def test_hover_and_definition_of_an_event_name(client: LanguageClient, project: Path) -> None:
    path = demo(project)
    open_doc(client, path)
    line = DEMO.splitlines()[5]
    position = types.Position(5, line.index("Signed Up") + 2)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)), position=position
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    text = hover.contents.value
    assert "**Signed Up**" in text and "created an account" in text
    assert "`signup_method`" in text and "`plan`" in text
    found = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)), position=position
        )
    )
    assert isinstance(found, list) and len(found) == 1
    plan_file = project / "tracking_plan" / "events" / "product.yaml"
    assert found[0].uri == uri(plan_file)
    lines = plan_file.read_text(encoding="utf-8").splitlines()
    assert lines[found[0].range.start.line].strip() == "Signed Up:"
    # not on an event: no hover
    none = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)), position=types.Position(0, 2)
        )
    )
    assert none is None


# ---------------------------------------------------------------------------- plan reload
@pytest.mark.asyncio
async def test_plan_change_rechecks_open_files(client: LanguageClient, project: Path) -> None:
    path = demo(project)
    text = DEMO + '    analytics.track(uid, "Team Renamed", {})\n'
    open_doc(client, path, text)
    assert "CIO001" in codes(await diagnostics_for(client, path))
    plan_file = project / "tracking_plan" / "events" / "product.yaml"
    plan_file.write_text(
        plan_file.read_text(encoding="utf-8") + "\n  Team Renamed:\n    description: renamed\n",
        encoding="utf-8",
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(plan_file), type=types.FileChangeType.Changed)]
        )
    )
    after = await diagnostics_for(client, path, lambda ds: "CIO001" not in codes(list(ds)))
    assert "CIO001" not in codes(after)


@pytest.mark.asyncio
async def test_a_broken_plan_is_reported_and_its_repair_rechecks(
    client: LanguageClient, project: Path
) -> None:
    path = demo(project)
    text = (
        DEMO + '    analytics.track(uid, "signed up", {"plan": "free", "signup_method": "email"})\n'
    )
    open_doc(client, path, text)
    assert "CIO002" in codes(await diagnostics_for(client, path))
    plan_file = project / "tracking_plan" / "events" / "product.yaml"
    good = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(good + "\n  Broken: [unclosed\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(plan_file), type=types.FileChangeType.Changed)]
        )
    )
    # the plan cannot be used: no findings are claimed, and the log says which file is wrong
    assert await diagnostics_for(client, path, lambda ds: not ds) == []
    errors = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
    assert any("product.yaml" in m for m in errors), errors
    plan_file.write_text(good, encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(plan_file), type=types.FileChangeType.Changed)]
        )
    )
    assert "CIO002" in codes(
        await diagnostics_for(client, path, lambda ds: "CIO002" in codes(list(ds)))
    )


@pytest.mark.asyncio
async def test_hover_over_a_constant_that_names_an_event(
    client: LanguageClient, project: Path
) -> None:
    accounts = project / "examples" / "acme" / "accounts.py"
    open_doc(client, accounts)
    lines = accounts.read_text(encoding="utf-8").splitlines()
    number = next(i for i, row in enumerate(lines) if "Event.SIGNED_UP, props" in row)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(accounts)),
            position=types.Position(number, lines[number].index("SIGNED_UP") + 1),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**Signed Up**" in hover.contents.value


def test_without_the_extra_the_command_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from cio_lint.cli import main

    monkeypatch.setitem(sys.modules, "pygls", None)  # as if not installed: import fails
    result = CliRunner().invoke(main, ["server"])
    assert result.exit_code == 2
    assert "install cio-lint[lsp]" in result.output
