"""`cio-lint server` spoken to byte by byte (a raw stdio client): what a typed client cannot
send (malformed params, unknown methods), the exit status, the capabilities; and the
position helpers (UTF-16 units, the string at the cursor). The feature tests are in
tests/test_server.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pygls.uris import from_fs_path

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


def uri(path: Path) -> str:
    found = from_fs_path(str(path))
    assert found is not None
    return found


def demo(project: Path) -> Path:
    return project / "examples" / "acme" / "lsp_demo.py"


class RawClient:
    """The server as a subprocess, spoken to byte by byte: for what a typed client cannot
    send (malformed params, unknown methods) and to see the exit status."""

    def __init__(self, project: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cio_lint", "server"],
            cwd=project,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.project = project

    def send(self, message: dict[str, object]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        length = 0
        while True:
            header = self.proc.stdout.readline()
            assert header, "the server closed its output"
            header = header.strip()
            if not header:
                break
            name, _, value = header.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        data = json.loads(self.proc.stdout.read(length))
        assert isinstance(data, dict)
        return data

    def answer(self, request_id: int) -> dict[str, object]:
        """The response to ``request_id`` (notifications and requests on the way are skipped)."""
        while True:
            message = self.receive()
            if message.get("id") == request_id and "method" not in message:
                return message

    def initialize(self) -> dict[str, object]:
        self.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": uri(self.project), "capabilities": {}},
            }
        )
        result = self.answer(1)["result"]
        assert isinstance(result, dict)
        self.send({"method": "initialized", "params": {}})
        return result

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def raw(project: Path) -> Iterator[RawClient]:
    client = RawClient(project)
    try:
        yield client
    finally:
        client.close()


def test_malformed_requests_get_errors_and_the_server_goes_on(
    raw: RawClient, project: Path
) -> None:
    raw.initialize()
    path = demo(project)
    raw.send(
        {
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": uri(path),
                    "languageId": "python",
                    "version": 1,
                    "text": DEMO,
                }
            },
        }
    )
    raw.send({"id": 2, "method": "textDocument/hover", "params": {"bogus": 1}})
    bad = raw.answer(2)
    error = bad.get("error")
    assert isinstance(error, dict) and error["code"] == -32602  # invalid params
    raw.send({"id": 3, "method": "cio/noSuchMethod", "params": {}})
    unknown = raw.answer(3).get("error")
    assert isinstance(unknown, dict) and unknown["code"] == -32601  # method not found
    raw.send({"id": 4, "method": "textDocument/hover", "params": "not an object"})
    assert "error" in raw.answer(4)
    line = DEMO.splitlines()[5]
    raw.send(
        {
            "id": 5,
            "method": "textDocument/hover",
            "params": {
                "textDocument": {"uri": uri(path)},
                "position": {"line": 5, "character": line.index("Signed Up") + 1},
            },
        }
    )
    result = raw.answer(5).get("result")
    assert isinstance(result, dict) and "Signed Up" in str(result["contents"])
    assert result["contents"]["kind"] == "plaintext"  # this client declared no Markdown


def test_shutdown_and_exit_are_clean(raw: RawClient) -> None:
    caps = raw.initialize()["capabilities"]
    assert isinstance(caps, dict)
    assert caps["completionProvider"] and caps["hoverProvider"] and caps["definitionProvider"]
    assert "source.fixAll.cio-lint" in caps["codeActionProvider"]["codeActionKinds"]
    raw.send({"id": 2, "method": "shutdown", "params": None})
    assert raw.answer(2).get("result") is None
    raw.send({"method": "exit", "params": None})
    assert raw.proc.wait(timeout=TIMEOUT) == 0
    assert raw.proc.stderr is not None
    assert b"Traceback" not in raw.proc.stderr.read()


def test_positions_count_utf16_units_and_strings_are_found_on_the_line() -> None:
    from cio_lint.server.features import from_units, string_at, to_units

    line = 'x = {"\U0001f600": 1, "é": ""}'
    # the emoji is one code point and two UTF-16 units
    assert to_units(line, line.index("\U0001f600") + 2) == line.index("\U0001f600") + 2
    after = line.index('"é"')
    assert to_units(line, after + 1) == after + 1
    assert from_units(line, to_units(line, after + 1)) == after + 1
    found = string_at(line, line.index('""') + 2)
    assert found is not None and found.key is False and found.text == ""
    key = string_at(line, after + 2)
    assert key is not None and key.key is True
    assert string_at("f(x)  # 'not code'", 12) is None
