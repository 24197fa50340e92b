"""``plan diff`` output: text (terminal), JSON (tools) and Markdown (a pull-request comment).

Breaking changes come first in every format, then compatible ones, each group in the order
``diff_plans`` found them. ``REPORTERS`` maps a ``--format`` name to its function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from cio_lint.plan.diff import Change, summary

JSON_VERSION = 1
MAX_SITES_SHOWN = 10  # per change, in text and Markdown (JSON has them all)


def _ordered(changes: Sequence[Change]) -> list[Change]:
    return [c for c in changes if c.breaking] + [c for c in changes if not c.breaking]


def _counts(changes: Sequence[Change]) -> str:
    breaking, compatible = summary(list(changes))
    if not changes:
        return "No changes"
    b = f"{breaking} breaking change{'s' if breaking != 1 else ''}"
    c = f"{compatible} compatible change{'s' if compatible != 1 else ''}"
    return f"{b}, {c}"


def _sites_text(sites: Sequence[str]) -> str:
    shown = ", ".join(sites[:MAX_SITES_SHOWN])
    more = len(sites) - MAX_SITES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def render_text(changes: Sequence[Change], old: str, new: str, code: bool) -> str:
    lines = []
    for change in _ordered(changes):
        tag = "breaking" if change.breaking else "compatible"
        where = change.new_loc or change.old_loc or ""
        lines.append(f"{where}: {tag} {change.kind}: {change.message}")
        if change.breaking and code:
            if change.sites:
                lines.append(f"    sent at {_sites_text(change.sites)}")
            else:
                lines.append("    no code site found")
    lines.append(f"{_counts(changes)} from {old} to {new}.")
    return "\n".join(lines) + "\n"


def to_json(changes: Sequence[Change], old: str, new: str, code: bool) -> dict[str, Any]:
    breaking, compatible = summary(list(changes))
    return {
        "version": JSON_VERSION,
        "old": old,
        "new": new,
        "code_sites": code,
        "breaking": breaking,
        "compatible": compatible,
        "changes": [c.to_json() for c in _ordered(changes)],
    }


def render_json(changes: Sequence[Change], old: str, new: str, code: bool) -> str:
    return json.dumps(to_json(changes, old, new, code), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, no line breaks, no HTML."""
    text = " ".join(text.split())
    for char, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(char, escaped)
    return text


def _table(changes: Sequence[Change], code: bool) -> list[str]:
    head = ["Change", "Event", "Property", "What"] + (["Code sites"] if code else [])
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for change in changes:
        event = change.event if change.scope == "event" else f"({change.scope})"
        cells = [
            f"`{change.kind}`",
            _cell(event),
            _cell(change.property or ""),
            _cell(change.message),
        ]
        if code:
            sites = _sites_text(change.sites) if change.breaking else ""
            cells.append(_cell(sites) or ("none found" if change.breaking else ""))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def render_markdown(changes: Sequence[Change], old: str, new: str, code: bool) -> str:
    breaking = [c for c in changes if c.breaking]
    compatible = [c for c in changes if not c.breaking]
    lines = ["## Tracking-plan changes", "", f"{_counts(changes)} from `{old}` to `{new}`."]
    if breaking:
        lines += ["", f"### Breaking changes ({len(breaking)})", "", *_table(breaking, code)]
    if compatible:
        lines += ["", f"### Compatible changes ({len(compatible)})", ""]
        lines += _table(compatible, False)
    return "\n".join(lines) + "\n"


Renderer = Callable[[Sequence[Change], str, str, bool], str]
REPORTERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
