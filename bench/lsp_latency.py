#!/usr/bin/env python3
"""Latency of `cio-lint server`: a keystroke edit to published diagnostics, and completion.

    python bench/lsp_latency.py [--edits 50] [--lines 1000] [--debounce-ms 150] [--server CMD]

Makes a project in a temporary folder (this repository's ``tracking_plan/`` and a package
``app/`` whose ``sending.py`` has ``--lines`` lines of functions that identify and track), starts
the server (default: this Python's ``-m cio_lint server``) and speaks LSP to it over stdio:

- **edit**: ``--edits`` times, a property value in the middle of ``sending.py`` changes
  (``"free0"``, ``"free1"``, ...: one or two characters, and a text never checked before, so
  neither the run cache nor the early cutoff answers and each edit changes the file's facts)
  in a ``didChange``; the time is from writing that message to reading the
  ``publishDiagnostics`` that carries its version. The server's debounce is part of it
  (``--debounce-ms``, sent as ``initializationOptions.debounceMs``; the server's default is 150;
  since 2026-12-04 it applies only after a check slower than 1 s, docs/editors.md).
- **completion**: ``--edits`` completion requests inside ``analytics.track(uid, "|")`` of the
  checked text; the time is from the request to its response.

Prints the median and p95 (nearest rank) of each, in milliseconds, and the number of items
the completion returned. The server is spoken to over its stdin and stdout only.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FUNCTION = '''

def flow_{i}(uid: str, email: str) -> None:
    """Sign-up flow {i}."""
    analytics.identify(uid, {{"email": email, "plan": "free"}})
    analytics.track(uid, "Signed Up", {{"plan": "{plan}", "signup_method": "email"}})
    analytics.track(uid, "Logged In", {{"method": "password", "mfa": False}})
'''


def module(lines: int, plan_at: int, plan: str, blank: bool = False) -> tuple[str, int]:
    """The sending module: about ``lines`` lines; function ``plan_at``'s plan value is ``plan``
    (and, if ``blank``, an empty line follows its docstring). Also the line (0-based) of the
    completion probe ``analytics.track(uid, "")`` at the end."""
    head = "from customerio import analytics\n"
    parts = [head]
    count = max(1, (lines - 8) // FUNCTION.count("\n"))
    for i in range(count):
        function = FUNCTION.format(i=i, plan=plan if i == plan_at else "free")
        if blank and i == plan_at:
            function = function.replace('."""\n', '."""\n\n', 1)
        parts.append(function)
    parts.append('\n\ndef probe(uid: str) -> None:\n    analytics.track(uid, "")\n')
    text = "".join(parts)
    return text, text.count("\n") - 1


class Client:
    def __init__(self, command: list[str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.next_id = 0

    def send(self, message: dict[str, object]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("the server closed its output")
            if not line.strip():
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        message = json.loads(self.proc.stdout.read(length))
        assert isinstance(message, dict)
        if "method" in message and "id" in message:  # a request of the server: answer it
            self.send({"id": message["id"], "result": None})
        return message

    def request(self, method: str, params: object) -> dict[str, object]:
        self.next_id += 1
        wanted = self.next_id
        self.send({"id": wanted, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == wanted and "method" not in message:
                return message

    def diagnostics(self, uri: str, version: int, deadline: float) -> list[object]:
        while time.monotonic() < deadline:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                assert isinstance(params, dict)
                if params["uri"] == uri and params.get("version") == version:
                    found = params["diagnostics"]
                    assert isinstance(found, list)
                    return found
        raise SystemExit(f"no diagnostics for version {version}")

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.send({"method": "exit", "params": None})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--debounce-ms", type=float, default=150)
    parser.add_argument(
        "--edit",
        choices=["value", "line"],
        default="value",
        help="value: characters of a line change; line: also an empty line is added or removed"
        " in the edited function, every other edit (the lines below it move)",
    )
    parser.add_argument("--server", nargs="+", default=[sys.executable, "-m", "cio_lint", "server"])
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="cio-lint-lsp-bench-"))
    try:
        shutil.copytree(REPO / "tracking_plan", folder / "tracking_plan")
        (folder / "app").mkdir()
        (folder / "app" / "__init__.py").write_text("")
        middle = args.lines // FUNCTION.count("\n") // 2
        text, probe_line = module(args.lines, middle, "free")
        path = folder / "app" / "sending.py"
        path.write_text(text)
        uri = path.as_uri()
        client = Client(args.server, folder)
        try:
            client.request(
                "initialize",
                {
                    "processId": None,
                    "rootUri": folder.as_uri(),
                    "capabilities": {},
                    "initializationOptions": {"debounceMs": args.debounce_ms},
                },
            )
            client.send({"method": "initialized", "params": {}})
            doc = {"uri": uri, "languageId": "python", "version": 1, "text": text}
            client.send({"method": "textDocument/didOpen", "params": {"textDocument": doc}})
            first = client.diagnostics(uri, 1, time.monotonic() + 120)
            edits: list[float] = []
            for n in range(args.edits):
                version = n + 2
                new, _ = module(args.lines, middle, f"free{n}", args.edit == "line" and n % 2 == 0)
                started = time.perf_counter()
                client.send(
                    {
                        "method": "textDocument/didChange",
                        "params": {
                            "textDocument": {"uri": uri, "version": version},
                            "contentChanges": [{"text": new}],
                        },
                    }
                )
                client.diagnostics(uri, version, time.monotonic() + 60)
                edits.append((time.perf_counter() - started) * 1000)
            column = len('    analytics.track(uid, "')
            completions: list[float] = []
            items = 0
            for _ in range(args.edits):
                started = time.perf_counter()
                answer = client.request(
                    "textDocument/completion",
                    {
                        "textDocument": {"uri": uri},
                        "position": {"line": probe_line, "character": column},
                    },
                )
                completions.append((time.perf_counter() - started) * 1000)
                result = answer.get("result")
                items = len(result["items"]) if isinstance(result, dict) else 0
        finally:
            client.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"module: {text.count(chr(10))} lines; first check: {len(first)} diagnostics")
    print(
        f"debounce: {args.debounce_ms:g} ms; {args.edits} edits ({args.edit}), "
        f"{args.edits} completions"
    )
    for name, values in (("edit -> diagnostics", edits), ("completion", completions)):
        print(
            f"{name:20} median {statistics.median(values):7.1f} ms   p95 {percentile(values, 95):7.1f} ms"
            f"   min {min(values):7.1f} ms   max {max(values):7.1f} ms"
        )
    print(f"completion items: {items}")


if __name__ == "__main__":
    main()
