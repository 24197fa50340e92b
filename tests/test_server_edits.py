"""`cio-lint server` end to end, while a document is edited: a burst of keystrokes ends with the
diagnostics of the last version (none of an older one after them), and edits that the server
re-parses in part (``analysis.reparse``) give what the command line finds in the same text.
The server runs as a subprocess and is spoken to over stdio (pytest-lsp's client)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_server import (  # the server fixture and helpers
    DEMO,
    change_doc,
    cli_json,
    client,
    demo,
    open_doc,
    project,
    uri,
)

__all__ = ["client", "project"]  # fixtures, used by name

SIGNED_UP = '    analytics.track(uid, "signed up", {"plan": "free", "signup_method": "email"})\n'


def record_publishes(client: LanguageClient) -> list[types.PublishDiagnosticsParams]:
    """Every ``publishDiagnostics`` the client receives from now on, in order (with its
    version), besides what pytest-lsp's own handler keeps."""
    published: list[types.PublishDiagnosticsParams] = []
    features = client.protocol.fm.features
    method = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
    original = features[method]

    def record(params: types.PublishDiagnosticsParams) -> object:
        published.append(params)
        return original(params)

    features[method] = record
    return published


async def published_version(
    published: list[types.PublishDiagnosticsParams], path: Path, version: int
) -> types.PublishDiagnosticsParams:
    async def wait() -> types.PublishDiagnosticsParams:
        while True:
            for params in published:
                if params.uri == uri(path) and params.version == version:
                    return params
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(wait(), 30)


def as_cli(diags: list[types.Diagnostic]) -> list[tuple[str, int, int, str]]:
    return sorted(
        (str(d.code), d.range.start.line + 1, d.range.start.character + 1, d.message) for d in diags
    )


def cli_findings(project: Path, path: Path) -> list[tuple[str, int, int, str]]:
    shown = path.relative_to(project).as_posix()
    found = [f for f in cli_json(project, path) if f["path"] == shown]
    return sorted((f["code"], f["line"], f["column"], f["message"]) for f in found)  # type: ignore[misc]


@pytest.mark.asyncio
async def test_a_burst_of_edits_ends_with_the_last_versions_diagnostics(
    client: LanguageClient, project: Path
) -> None:
    path = demo(project)
    published = record_publishes(client)
    open_doc(client, path)
    await published_version(published, path, 1)
    # ten keystrokes without waiting: the event name typed letter by letter, then a typo
    # (CIO002) as the last version
    typed = "Signed U"
    versions = []
    for n in range(1, len(typed) + 1):
        line = f'    analytics.track(uid, "{typed[:n]}", {{"plan": "free"}})\n'
        versions.append(DEMO + line)
    versions += [DEMO + SIGNED_UP.replace("signed up", "signed u"), DEMO + SIGNED_UP]
    for number, text in enumerate(versions, 2):
        change_doc(client, path, text, number)
    last = len(versions) + 1
    final = await published_version(published, path, last)
    await asyncio.sleep(1.0)  # anything still to come would come now
    after = [p for p in published[published.index(final) + 1 :] if p.uri == uri(path)]
    assert all(p.version == last for p in after), [p.version for p in after]
    assert client.diagnostics[uri(path)] == final.diagnostics
    checked = {p.version for p in published if p.uri == uri(path)}
    assert len(checked) < len(versions)  # keystrokes that came during a check were coalesced
    cio002 = [d for d in final.diagnostics if d.code == "CIO002"]
    assert [d.range.start.line for d in cio002] == [6]  # the typo of the last version
    path.write_text(versions[-1], encoding="utf-8")
    assert as_cli(list(final.diagnostics)) == cli_findings(project, path)


@pytest.mark.asyncio
async def test_edits_of_one_function_give_what_a_fresh_check_finds(
    client: LanguageClient, project: Path
) -> None:
    """The server re-parses only the statements an edit touched: each edited text's
    diagnostics equal the command line's on the same text (a full parse, no cache)."""
    billing = project / "examples" / "acme" / "billing.py"
    text = billing.read_text(encoding="utf-8")
    published = record_publishes(client)
    open_doc(client, billing)
    await published_version(published, billing, 1)
    edits = [
        # a property value in one function: the plan's enum no longer allows it
        text.replace(
            '"plan": "platinum", "trial_days": 30', '"plan": "platinium", "trial_days": 30'
        ),
        # a new function between two others, with an unplanned event
        text.replace(
            "\n\ndef restart_trial(",
            '\n\ndef extra(user: User) -> None:\n    analytics.track(user.id, "Mystery Event", {})\n'
            "\n\ndef restart_trial(",
        ),
        # typing: the file does not parse for a moment (CIO900, as the command line says)
        text.replace("def change_plan(user", "def change_plan((user"),
        # a decorator and a comment above a def, and lines added at the end of the file
        text.replace("\n\ndef change_plan(", "\n\n# plans\n@staticmethod\ndef change_plan(")
        + '\n\ndef tail(user: User) -> None:\n    analytics.track(user.id, "signed up", {})\n',
    ]
    for version, edited in enumerate(edits, 2):
        change_doc(client, billing, edited, version)
        got = await published_version(published, billing, version)
        billing.write_text(edited, encoding="utf-8")  # what the command line then reads
        assert as_cli(list(got.diagnostics)) == cli_findings(project, billing), version
    billing.write_text(text, encoding="utf-8")
