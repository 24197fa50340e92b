"""Completion, hover and go-to-definition over the plan, at the calls the last check resolved.

Where the cursor is comes from two places: the resolved calls of the file (``CallInfo``: where
its event argument and its properties dict are written) and a look at the cursor's line only
(is the cursor inside a string literal, and is that string a dict key). Nothing scans the file
for call-like text. While the buffer does not parse (a key being typed: ``{"plan": 1, "|"}``)
the calls of the last text that parsed are used, their end lines shifted by the lines added
since.

Positions: ``Location`` columns are 1-based code points; LSP's are 0-based UTF-16 units by
default (``to_units`` / ``from_units``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cio_lint.server.workspace import CallInfo, FileState, Workspace

_PREFIX_CHARS = set("rRbBuUfF")


def to_units(line: str, column: int) -> int:
    """The UTF-16 offset of the 1-based code-point ``column`` of ``line``."""
    head = line[: max(column - 1, 0)]
    return len(head.encode("utf-16-le", "surrogatepass")) // 2


def from_units(line: str, units: int) -> int:
    """The 1-based code-point column of the UTF-16 offset ``units`` in ``line``."""
    count = 0
    for i, ch in enumerate(line):
        if count >= units:
            return i + 1
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line) + 1


def line_of(text: str, line: int) -> str:
    """Line ``line`` (1-based) of ``text``, without its end; "" past the end."""
    lines = text.splitlines()
    return lines[line - 1] if 1 <= line <= len(lines) else ""


@dataclass(frozen=True)
class StringAt:
    """The string literal the cursor is in, on one line: the columns (1-based) of its opening
    quote and of its content's start and end (end: the closing quote, or the line's end)."""

    quote: int
    start: int
    end: int
    text: str  # the content before the cursor
    key: bool  # written where a dict key goes (after ``{`` or ``,``)


def _strings(line: str) -> list[StringAt]:
    """The string literals of ``line`` (single-line ones; a ``#`` outside strings ends the code),
    ``text`` being their whole content."""
    out = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "#":
            break
        if ch in "\"'":
            quote = ch * 3 if line.startswith(ch * 3, i) else ch
            begin = j = i + len(quote)
            while j < len(line) and not line.startswith(quote, j):
                j += 2 if line[j] == "\\" else 1
            end = min(j, len(line))
            before = line[:i].rstrip()
            while before and before[-1] in _PREFIX_CHARS:
                before = before[:-1]
            key = before.rstrip().endswith(("{", ","))
            out.append(StringAt(i + 1, begin + 1, end + 1, line[begin:end], key))
            i = end + len(quote)
            continue
        i += 1
    return out


def string_at(line: str, column: int) -> StringAt | None:
    """The string literal of ``line`` that holds the 1-based ``column`` (the cursor is between
    ``column - 1`` and ``column``), ``text`` cut at the cursor; or None."""
    for found in _strings(line):
        if found.start <= column <= found.end:
            cut = found.text[: column - found.start]
            return StringAt(found.quote, found.start, found.end, cut, found.key)
    return None


def keys_written(
    text: str, start: tuple[int, int], end: tuple[int, int], skip: tuple[int, int]
) -> set[str]:
    """The string keys written between ``start`` and ``end`` (a dict literal's span), but the
    one whose opening quote is at ``skip`` (the one being typed)."""
    lines = text.splitlines()
    found = set()
    for number in range(start[0], min(end[0], len(lines)) + 1):
        for s in _strings(lines[number - 1]):
            where = (number, s.quote)
            if s.key and where != skip and where > start and (number, s.end) < end:
                found.add(s.text)
    return found


class _Shift:
    """Maps positions of the text the calls were found in to the editor's text, across the one
    stretch where they differ (common prefix and suffix kept): a position before it stays, one
    after it moves by the length the text gained."""

    def __init__(self, old: str, new: str) -> None:
        self.old_starts = _line_starts(old)
        self.new_starts = _line_starts(new)
        limit = min(len(old), len(new))
        prefix = 0
        while prefix < limit and old[prefix] == new[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
            suffix += 1
        self.prefix, self.old_tail, self.delta = prefix, len(old) - suffix, len(new) - len(old)

    def __call__(self, line: int, column: int) -> tuple[int, int]:
        if not 1 <= line <= len(self.old_starts):
            return line, column
        offset = self.old_starts[line - 1] + column - 1
        if offset > self.prefix:
            offset = max(offset + self.delta, self.prefix) if offset >= self.old_tail else offset
        index = bisect.bisect_right(self.new_starts, offset) - 1
        return index + 1, offset - self.new_starts[index] + 1


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


Span = tuple[tuple[int, int], tuple[int, int]]


def _calls_at(
    state: FileState, text: str, line: int, column: int, attr: str
) -> list[tuple[Span, CallInfo]]:
    """The calls whose ``attr`` location holds (line, column), with that location in ``text``,
    the innermost first. For a text
    that did not parse, the locations of the last text that did are mapped to this one."""
    shift = None if state.parsed or state.text == text else _Shift(state.text, text)
    found = []
    for call in state.calls:
        loc = getattr(call, attr)
        if loc is None:
            continue
        start, end = (loc.line, loc.column), (loc.end_line, loc.end_column)
        if shift is not None:
            start, end = shift(*start), shift(*end)
        if start <= (line, column) <= end:
            found.append(((start, end), call))
    # the innermost first: a call written inside another call's argument
    found.sort(key=lambda item: (-item[0][0][0], -item[0][0][1]))
    return found


def spec_of(ws: Workspace, call: CallInfo) -> Any:
    """The plan entry whose properties (or traits) the call's dict holds."""
    plan = ws.plan
    if plan is None:
        return None
    if call.kind == "identify":
        return plan.identify
    if call.kind == "group":
        return plan.group
    return plan.event(call.event) if call.event is not None else None


# ---------------------------------------------------------------------- completion
@dataclass(frozen=True)
class Item:
    label: str
    detail: str
    documentation: str
    start: int  # the columns (1-based) the item replaces, on the cursor's line
    end: int
    kind: str  # "event" or "key"


def word_at(line: str, column: int) -> tuple[int, str] | None:
    """(start column, text) of the identifier being typed before the cursor where a keyword
    argument goes (after ``(`` or ``,``), or None."""
    start = column - 1
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    before = line[:start].rstrip()
    if not before.endswith(("(", ",")) or (
        start < len(line) and line[start : column - 1][:1].isdigit()
    ):
        return None
    return start + 1, line[start : column - 1]


def _keyword_items(
    ws: Workspace, text: str, line: int, column: int, state: FileState
) -> list[Item]:
    """Keyword-argument keys: inside ``dict(...)`` given as properties, or after the event of a
    wrapper whose properties are its keyword arguments."""
    row = line_of(text, line)
    word = word_at(row, column)
    if word is None:
        return []
    start, _ = word
    end = start
    while end <= len(row) and (row[end - 1 : end].isalnum() or row[end - 1 : end] == "_"):
        end += 1
    chosen = None
    for (begin, finish), call in _calls_at(state, text, line, column, "props_loc"):
        if _slice(text, begin, finish).startswith("dict("):
            chosen = (call, begin, finish)
            break
    if chosen is None:
        for (begin, finish), call in _calls_at(state, text, line, column, "loc"):
            if call.keywords and call.event_loc is not None:
                after = (call.event_loc.end_line, call.event_loc.end_column)
                if (line, column) > after:
                    chosen = (call, begin, finish)
                    break
    if chosen is None:
        return []
    call, begin, finish = chosen
    spec = spec_of(ws, call)
    if spec is None:
        return []
    present = set(_KEYWORD.findall(_slice(text, begin, finish)))
    present.discard(row[start - 1 : end - 1])
    items = []
    for name in spec.property_names:
        if name in present or not name.isidentifier():
            continue
        schema = _property_schema(spec, name)
        detail = type_text(schema) + (" (required)" if name in spec.required else "")
        items.append(Item(name, detail, schema.get("description", "") or "", start, end, "keyword"))
    return items


_KEYWORD = re.compile(r"([A-Za-z_]\w*)[ \t]*=(?!=)")


def _slice(text: str, start: tuple[int, int], end: tuple[int, int]) -> str:
    lines = text.splitlines(keepends=True)
    if not 1 <= start[0] <= len(lines):
        return ""
    head = "".join(lines[start[0] - 1 : end[0]])
    offset = start[1] - 1
    stop = len(head) - len(lines[end[0] - 1]) + end[1] - 1 if end[0] <= len(lines) else len(head)
    return head[offset:stop]


def complete(ws: Workspace, path: str, line: int, column: int) -> list[Item]:
    state = ws.files.get(path)
    if state is None or ws.plan is None:
        return []
    text = ws.text_of(path)
    at = string_at(line_of(text, line), column)
    if at is None:
        return _keyword_items(ws, text, line, column, state)
    events = _calls_at(state, text, line, at.quote, "event_loc")
    if events:
        return [
            Item(name, _event_detail(spec), spec.description or "", at.start, at.end, "event")
            for name, spec in sorted(ws.plan.events.items())
        ]
    if not at.key:
        return []
    for (start, end), call in _calls_at(state, text, line, at.quote, "props_loc"):
        spec = spec_of(ws, call)
        if spec is None:
            continue
        present = keys_written(text, start, end, (line, at.quote))
        items = []
        for name in spec.property_names:
            if name in present:
                continue
            schema = _property_schema(spec, name)
            detail = type_text(schema)
            if name in spec.required:
                detail += " (required)"
            items.append(
                Item(name, detail, schema.get("description", "") or "", at.start, at.end, "key")
            )
        return items
    return []


def _event_detail(spec: Any) -> str:
    count = len(spec.property_names)
    required = len(spec.required)
    return f"event: {count} propert{'y' if count == 1 else 'ies'}, {required} required"


def _property_schema(spec: Any, name: str) -> dict[str, Any]:
    props = spec.schema.get("properties")
    sub = props.get(name) if isinstance(props, dict) else None
    return sub if isinstance(sub, dict) else {}


def type_text(schema: dict[str, Any]) -> str:
    """A short type for a property's schema: ``string``, ``integer | null``, ``enum: a | b``,
    ``$defs/plan``."""
    if "enum" in schema and isinstance(schema["enum"], list):
        return "enum: " + " | ".join(
            repr(v) if isinstance(v, str) else str(v) for v in schema["enum"][:8]
        )
    if "const" in schema:
        return f"const {schema['const']!r}"
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(str(k) for k in kind)
    if isinstance(kind, str):
        return kind
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.rpartition("#/")[2] or ref
    return "any"


# ---------------------------------------------------------------------- hover, definition
def event_at(ws: Workspace, path: str, line: int, column: int) -> tuple[CallInfo, Any] | None:
    """The call whose event argument holds (line, column), with its plan entry (None: the
    event is not planned)."""
    state = ws.files.get(path)
    if state is None or ws.plan is None:
        return None
    for _, call in _calls_at(state, ws.text_of(path), line, column, "event_loc"):
        if call.event is not None:
            return call, ws.plan.event(call.event)
    return None


def hover_text(ws: Workspace, call: CallInfo, spec: Any) -> str:
    """The plan entry of the event as Markdown."""
    if spec is None:
        close = ws.plan.closest(call.event) if call.event else None
        hint = f" Did you mean `{close}`?" if close else ""
        return f"**`{call.event}`** is not in the tracking plan.{hint}"
    out = [f"**{spec.name}** (planned event)"]
    if spec.description:
        out += ["", spec.description]
    if spec.deprecated:
        out += ["", "*Deprecated*" + (f": use `{spec.replaced_by}`" if spec.replaced_by else "")]
    if spec.property_names:
        out += ["", "| property | type | required | description |", "| --- | --- | --- | --- |"]
        for name in spec.property_names:
            schema = _property_schema(spec, name)
            req = "yes" if name in spec.required else ""
            desc = str(schema.get("description", "")).replace("|", "\\|").replace("\n", " ")
            kind = type_text(schema).replace("|", "\\|")
            out.append(f"| `{name}` | {kind} | {req} | {desc} |")
    where = f"{spec.source}:{spec.line}" if spec.line else spec.source
    out += ["", f"Defined in `{where}`"]
    return "\n".join(out)


def definition(ws: Workspace, spec: Any) -> tuple[Path, int] | None:
    """(plan file, 1-based line) of a planned event."""
    if spec is None or not spec.source:
        return None
    return ws.absolute(spec.source), spec.line or 1
