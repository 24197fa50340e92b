"""``plan docs --format md``: the catalogue as Markdown for a wiki (GitHub-flavoured tables).

One heading per event, preceded by an HTML anchor with the same id as the HTML page's
(``<a id="event-signed-up"></a>``), a table per properties list. Text from the plan or the
code is escaped: Markdown punctuation and ``<``/``>``/``&`` get a backslash, so a pipe cannot
end a table cell, a backtick cannot open code, and a description holding HTML shows as text.
Line breaks in a value become spaces (a table row is one line).
"""

from __future__ import annotations

import re

from cio_lint.plan.catalogue import Catalogue, Entry, Property, Site

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# what would start a block (heading, list, quote) at the start of a paragraph
_BLOCK_START = re.compile(r"^(\s*)([#+=-]|\d+(?=[.)]))")
_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x0b\x0c\x85]+")


_PLURAL = {"Property": "properties", "Trait": "traits"}


def md_escape(text: str) -> str:
    """``text`` as literal Markdown inline text, on one line (outer white space dropped: four
    spaces would start a code block)."""
    escaped = _SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text).strip())
    return _BLOCK_START.sub(_block_escape, escaped)


def _block_escape(match: re.Match[str]) -> str:
    mark = match.group(2)
    return f"{match.group(1)}{mark}\\" if mark[0].isdigit() else f"{match.group(1)}\\{mark}"


def _code(text: str, cell: bool = False) -> str:
    """``text`` in a code span: fenced with more backticks than it holds; in a table ``cell``,
    pipes escaped (a cell ends at a bare pipe even inside code)."""
    flat = _LINE_BREAKS.sub(" ", text)
    if not flat:
        return "` `"  # an empty span is no span
    if cell:
        flat = flat.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    # one space inside each fence is dropped by the reader when both are there: add one
    spaced = flat.startswith(" ") and flat.endswith(" ") and bool(flat.strip())
    pad = " " if flat.startswith("`") or flat.endswith("`") or spaced else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _site(site: Site) -> str:
    text = _code(site.where)
    if site.via:
        text += f" through {_code(site.via)}"
    text += f" ({md_escape(site.sdk)})"
    if site.note:
        text += f": {md_escape(site.note)}"
    return f"- {text}"


def _values(prop: Property) -> str:
    parts = [_code(v, cell=True) for v in prop.values]
    if prop.const is not None:
        parts.append(f"always {_code(prop.const, cell=True)}")
    if prop.format:
        parts.append(f"format {_code(prop.format, cell=True)}")
    if prop.pattern:
        parts.append(f"pattern {_code(prop.pattern, cell=True)}")
    parts.extend(md_escape(c) for c in prop.constraints)
    if prop.ref:
        parts.append(f"from {_code(prop.ref, cell=True)}")
    return ", ".join(parts)


def _row(prop: Property) -> str:
    name = ("&nbsp;&nbsp;" * prop.depth) + _code(prop.name, cell=True)
    if prop.matching:
        name = f"any name matching {name}"
    if prop.deprecated:
        name += " (deprecated)"
    cells = [
        name,
        md_escape(prop.type),
        "yes" if prop.required else "",
        _values(prop),
        md_escape(prop.description),
    ]
    return "| " + " | ".join(cells) + " |"


def _entry(catalogue: Catalogue, entry: Entry, anchors: dict[str, str]) -> list[str]:
    label = "Property" if entry.kind == "event" else "Trait"
    title = md_escape(entry.name) if entry.kind == "event" else f"{entry.name} traits"
    flags = " (deprecated)" if entry.deprecated else ""
    lines = [f'<a id="{entry.anchor}"></a>', "", f"### {title}{flags}", ""]
    if entry.description:
        lines += [md_escape(entry.description), ""]
    if entry.replaced_by:
        target = anchors.get(entry.replaced_by)
        name = md_escape(entry.replaced_by)
        lines += [f"Replaced by {f'[{name}](#{target})' if target else name}.", ""]
    if entry.source:
        lines += [f"Defined in {_code(entry.source)}.", ""]
    if entry.properties:
        lines += [
            f"| {label} | Type | Required | Allowed values | Description |",
            "|---|---|---|---|---|",
            *(_row(p) for p in entry.properties),
            "",
        ]
    else:
        lines += [f"No {_PLURAL[label]} declared.", ""]
    other = "allowed" if entry.open else "not allowed (unknown ones are findings)"
    lines += [f"Other {_PLURAL[label]}: {other}.", ""]
    if catalogue.analyzed:
        if entry.sites:
            lines += ["Sent from:", "", *(_site(s) for s in entry.sites), ""]
        else:
            lines += ["Sent from: no call of the analyzed code sends it.", ""]
    return lines


def render_md(catalogue: Catalogue) -> str:
    """The Markdown page: the same catalogue always gives the same text."""
    anchors = {e.name: e.anchor for e in (*catalogue.events, *catalogue.unplanned)}
    count = len(catalogue.events)
    lines = [
        "# Tracking plan",
        "",
        f"Plan {_code(catalogue.plan)}: {count} event{'' if count == 1 else 's'}.",
    ]
    if catalogue.analyzed:
        shown = ", ".join(catalogue.paths) or "."
        lines[-1] += (
            f" Code analyzed: {_code(shown)}; {len(catalogue.unplanned)} sent but not planned, "
            f"{len(catalogue.unemitted)} planned but never sent."
        )
    lines += ["", "## Events", ""]
    for entry in catalogue.events:
        lines += _entry(catalogue, entry, anchors)
    traits = [e for e in (catalogue.identify, catalogue.group) if e is not None and e.planned]
    if traits:
        lines += ["## Traits", ""]
        for entry in traits:
            lines += _entry(catalogue, entry, anchors)
    if catalogue.analyzed:
        lines += ["## Sent but not planned", ""]
        unplanned_traits = [
            e for e in (catalogue.identify, catalogue.group) if e is not None and not e.planned
        ]
        if not catalogue.unplanned and not unplanned_traits:
            lines += ["Every event the code sends is planned.", ""]
        for entry in catalogue.unplanned:
            hint = ""
            if entry.closest:
                target = anchors.get(entry.closest, "")
                hint = f" (did you mean [{md_escape(entry.closest)}](#{target})?)"
            lines += [f'<a id="{entry.anchor}"></a>', "", f"### {md_escape(entry.name)}", ""]
            lines += [f"Not in the plan{hint}. Sent from:", ""]
            lines += [*(_site(s) for s in entry.sites), ""]
        for entry in unplanned_traits:
            lines += [
                f"### {entry.name}",
                "",
                f"Called, but the plan has no `{entry.name}` schema:",
            ]
            lines += ["", *(_site(s) for s in entry.sites), ""]
        lines += ["## Planned but never sent", ""]
        if catalogue.unemitted:
            lines += [f"- [{md_escape(e.name)}](#{e.anchor})" for e in catalogue.unemitted]
        else:
            lines.append("The analyzed code sends every planned event.")
        lines += ["", "## Event names not known statically", ""]
        if catalogue.dynamic:
            lines += ["Computed at run time: check these calls by hand.", ""]
            lines += [_site(s) for s in catalogue.dynamic]
        else:
            lines.append("Every event name in the analyzed code is known.")
        lines.append("")
    return "\n".join(lines)
