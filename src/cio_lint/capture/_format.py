"""How captured messages read in failure messages: one aligned line per message, and diffs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

_MAX_LINES = 40
_MAX_JSON = 240


def render_json(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _MAX_JSON else text[: _MAX_JSON - 1] + "…"


def show(value: Any) -> str:
    """A value inside a sentence: `u1`, `Order Completed`."""
    return f"`{value}`"


def payload(msg: Mapping[str, Any]) -> Any:
    if msg.get("type") in ("identify", "group"):
        return msg.get("traits")
    return msg.get("properties")


def subject(msg: Mapping[str, Any]) -> str:
    kind = msg.get("type")
    if kind == "track":
        return show(msg.get("event"))
    if kind == "identify":
        return str(msg.get("userId") or msg.get("anonymousId") or "?")
    if kind in ("page", "screen"):
        name = msg.get("name")
        return show(name) if name else "-"
    if kind == "group":
        return f"group={msg.get('groupId')}"
    if kind == "alias":
        return f"{msg.get('previousId')} -> {msg.get('userId')}"
    if kind == "transactional":
        return str(msg.get("channel") or "-")
    return "-"


def who(msg: Mapping[str, Any]) -> str:
    if msg.get("userId") is not None:
        return f"user={msg.get('userId')}"
    if msg.get("anonymousId") is not None:
        return f"anon={msg.get('anonymousId')}"
    return "user=?"


def lines(messages: Sequence[Mapping[str, Any]], indent: str = "  ") -> list[str]:
    """One aligned line per message, like ``track    `Signed Up`  user=u1  {"plan": "pro"}``."""
    if not messages:
        return []
    shown = list(messages[:_MAX_LINES])
    kind_w = max(8, *(len(str(m.get("type"))) for m in shown))
    subj_w = max(len(subject(m)) for m in shown)
    out = []
    for m in shown:
        head = f"{indent}{m.get('type')!s:<{kind_w}} {subject(m):<{subj_w}}"
        body = payload(m)
        parts = [head]
        if m.get("type") not in ("identify", "alias"):
            parts.append(who(m))
        if body is not None:
            parts.append(render_json(body))
        out.append("  ".join(parts).rstrip())
    if len(messages) > len(shown):
        out.append(f"{indent}… and {len(messages) - len(shown)} more")
    return out


def captured_block(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    if not messages:
        return [
            (
                "Captured: nothing. No supported SDK call ran in this process during the test "
                "(is the code under test calling the SDK, or is the call mocked out?)."
            )
        ]
    return ["Captured:", *lines(messages)]


def diff_mapping(expected: Mapping[str, Any], actual: Any, *, exact: bool, label: str) -> list[str]:
    """Readable differences between expected and captured properties (or traits)."""
    actual_map: Mapping[str, Any] = actual if isinstance(actual, Mapping) else {}
    out: list[str] = []
    for key, want in expected.items():
        if key not in actual_map:
            out.append(f"  {label}[{key!r}]: expected {want!r}, but it is missing")
        elif actual_map[key] != want:
            out.append(f"  {label}[{key!r}]: expected {want!r}, got {actual_map[key]!r}")
    if exact:
        for key, got in actual_map.items():
            if key not in expected:
                out.append(f"  {label}[{key!r}]: not expected (exact=True), got {got!r}")
    return out
