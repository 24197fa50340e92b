"""``plan docs --format html``: the catalogue as one self-contained HTML page.

No network: the CSS and the small filter script are inline, there are no fonts, images or
frameworks. Every string from the plan or the code goes through ``html.escape`` (a description
holding ``<script>`` is shown as text). Each entry has a stable id (``#event-signed-up``,
``#identify``); the markup carries ``data-`` attributes (``data-name``, ``data-property``,
``data-site``) so that the page can be read back by a parser, as the tests do.
"""

from __future__ import annotations

from html import escape

from cio_lint.plan.catalogue import Catalogue, Entry, Property, Site

_CSS = """
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --accent: #2563eb;
  --warn: #b45309; --bad: #b91c1c; --chip: rgba(127,127,127,.14); }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 .25rem; font-size: 1.4rem; }
.meta { color: var(--muted); margin: 0 0 .75rem; }
#filter { width: min(32rem, 100%); padding: .45rem .6rem; font: inherit;
  border: 1px solid var(--line); border-radius: 6px; }
.layout { display: grid; grid-template-columns: 16rem 1fr; }
nav { border-right: 1px solid var(--line); padding: 1rem; position: sticky; top: 0;
  height: 100vh; overflow: auto; font-size: .9rem; }
nav ul { list-style: none; margin: 0 0 1rem; padding: 0; }
nav h2 { font-size: .8rem; text-transform: uppercase; color: var(--muted); margin: .5rem 0; }
nav a { color: inherit; text-decoration: none; }
nav a:hover { color: var(--accent); }
main { padding: 1rem 1.5rem; min-width: 0; }
.entry { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem;
  margin: 0 0 1rem; }
.entry h2, .entry h3 { margin: 0 0 .4rem; }
.entry h2 { font-size: 1.15rem; }
.entry h2 a { color: inherit; text-decoration: none; }
.entry h3 { font-size: .95rem; margin-top: .75rem; }
.badge { font-size: .75rem; padding: .05rem .45rem; border-radius: 999px; background: var(--chip);
  vertical-align: middle; }
.badge.deprecated, .badge.unsent { color: var(--warn); }
.badge.unplanned { color: var(--bad); }
.source, .open, .none { color: var(--muted); font-size: .85rem; margin: .2rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); }
th { font-weight: 600; }
td code, li code { background: var(--chip); padding: 0 .25rem; border-radius: 4px;
  overflow-wrap: anywhere; }
.value { margin-right: .25rem; }
.rule { display: block; color: var(--muted); font-size: .8rem; }
.depth-1 td.name { padding-left: 1.5rem; }
.depth-2 td.name { padding-left: 2.5rem; }
ul.sites { margin: .2rem 0; padding-left: 1.2rem; }
.site .via, .site .sdk, .site .note { color: var(--muted); font-size: .85rem; }
.site .note { color: var(--warn); }
.hidden { display: none; }
@media (max-width: 800px) { .layout { display: block; } nav { position: static;
  height: auto; border-right: 0; } }
"""

# Hides what does not contain every word typed in the filter box (entries, their links in
# the table of contents, and items of the lists). Text only: nothing is built from the page.
_SCRIPT = """
(function () {
  var box = document.getElementById("filter");
  if (!box) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var links = {};
  Array.prototype.forEach.call(document.querySelectorAll("nav a[href^='#']"), function (a) {
    links[a.getAttribute("href").slice(1)] = a.parentNode;
  });
  box.addEventListener("input", function () {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    items.forEach(function (el) {
      var text = el.textContent.toLowerCase();
      var shown = words.every(function (w) { return text.indexOf(w) !== -1; });
      el.classList.toggle("hidden", !shown);
      if (el.id && links[el.id]) { links[el.id].classList.toggle("hidden", !shown); }
    });
  });
})();
"""


_PLURAL = {"Property": "properties", "Trait": "traits"}


def _e(text: str) -> str:
    return escape(text, quote=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _site(site: Site) -> str:
    parts = [f'<code class="where">{_e(site.where)}</code>']
    if site.via:
        parts.append(f'<span class="via">through <code>{_e(site.via)}</code></span>')
    parts.append(f'<span class="sdk">{_e(site.sdk)}</span>')
    if site.note:
        parts.append(f'<span class="note">{_e(site.note)}</span>')
    attrs = f'data-site="{_e(site.where)}" data-sdk="{_e(site.sdk)}"'
    if site.via:
        attrs += f' data-via="{_e(site.via)}"'
    return f'<li class="site" {attrs}>{" · ".join(parts)}</li>'


def _sites(sites: tuple[Site, ...]) -> list[str]:
    return ['<ul class="sites">', *(_site(s) for s in sites), "</ul>"]


def _values(prop: Property) -> str:
    cells = [f'<code class="value">{_e(v)}</code>' for v in prop.values]
    if prop.const is not None:
        cells.append(
            f'<span class="rule const-rule">always <code class="const">'
            f"{_e(prop.const)}</code></span>"
        )
    if prop.format:
        cells.append(f'<span class="rule format">format <code>{_e(prop.format)}</code></span>')
    if prop.pattern:
        cells.append(f'<span class="rule pattern">pattern <code>{_e(prop.pattern)}</code></span>')
    cells.extend(f'<span class="rule constraint">{_e(c)}</span>' for c in prop.constraints)
    if prop.ref:
        cells.append(f'<span class="rule ref">from <code>{_e(prop.ref)}</code></span>')
    return "".join(cells)


def _property_row(prop: Property) -> str:
    name = f"<code>{_e(prop.name)}</code>"
    if prop.matching:
        name = f"any name matching {name}"
    if prop.deprecated:
        name += ' <span class="badge deprecated">deprecated</span>'
    required = "yes" if prop.required else ""
    return (
        f'<tr class="property depth-{prop.depth}" data-property="{_e(prop.name)}" '
        f'data-required="{str(prop.required).lower()}">'
        f'<td class="name">{name}</td><td class="type">{_e(prop.type)}</td>'
        f'<td class="required">{required}</td><td class="values">{_values(prop)}</td>'
        f'<td class="description">{_e(prop.description)}</td></tr>'
    )


def _properties(entry: Entry, label: str) -> list[str]:
    lines: list[str] = []
    if entry.properties:
        lines += [
            '<table class="properties">',
            (
                f"<thead><tr><th>{label}</th><th>Type</th><th>Required</th>"
                "<th>Allowed values</th><th>Description</th></tr></thead>"
            ),
            "<tbody>",
            *(_property_row(p) for p in entry.properties),
            "</tbody></table>",
        ]
    else:
        lines.append(f'<p class="none">No {_PLURAL[label]} declared.</p>')
    other = "allowed" if entry.open else "not allowed (unknown ones are findings)"
    lines.append(f'<p class="open">Other {_PLURAL[label]}: {other}.</p>')
    return lines


def _entry(catalogue: Catalogue, entry: Entry, anchors: dict[str, str]) -> list[str]:
    label = "Property" if entry.kind == "event" else "Trait"
    title = entry.name if entry.kind == "event" else f"{entry.name} traits"
    badges = ""
    if entry.deprecated:
        badges += ' <span class="badge deprecated">deprecated</span>'
    if catalogue.analyzed and entry.planned and not any(not s.note for s in entry.sites):
        badges += ' <span class="badge unsent">never sent</span>'
    attrs = (
        f'id="{_e(entry.anchor)}" data-filter data-name="{_e(entry.name)}" '
        f'data-kind="{_e(entry.kind)}" data-deprecated="{str(entry.deprecated).lower()}"'
    )
    lines = [
        f'<section class="entry {_e(entry.kind)}" {attrs}>',
        f'<h2><a href="#{_e(entry.anchor)}">{_e(title)}</a>{badges}</h2>',
    ]
    if entry.description:
        lines.append(f'<p class="description">{_e(entry.description)}</p>')
    if entry.replaced_by:
        target = anchors.get(entry.replaced_by)
        name = _e(entry.replaced_by)
        shown = f'<a href="#{_e(target)}">{name}</a>' if target else name
        lines.append(f'<p class="replaced-by">Replaced by {shown}.</p>')
    if entry.source:
        lines.append(f'<p class="source">Defined in <code>{_e(entry.source)}</code></p>')
    lines += _properties(entry, label)
    if catalogue.analyzed:
        lines.append("<h3>Sent from</h3>")
        if entry.sites:
            lines += _sites(entry.sites)
        else:
            lines.append('<p class="none">No call of the analyzed code sends it.</p>')
    lines.append("</section>")
    return lines


def _toc(catalogue: Catalogue) -> list[str]:
    lines = ["<nav>", "<h2>Events</h2>", "<ul>"]
    for entry in catalogue.events:
        mark = " (deprecated)" if entry.deprecated else ""
        lines.append(f'<li><a href="#{_e(entry.anchor)}">{_e(entry.name)}</a>{mark}</li>')
    lines.append("</ul>")
    traits = [e for e in (catalogue.identify, catalogue.group) if e is not None and e.planned]
    if traits:
        lines += ["<h2>Traits</h2>", "<ul>"]
        lines += [f'<li><a href="#{_e(e.anchor)}">{_e(e.name)}</a></li>' for e in traits]
        lines.append("</ul>")
    if catalogue.analyzed:
        lines += ["<h2>Code</h2>", "<ul>"]
        for anchor, title in (
            ("unplanned", "Sent but not planned"),
            ("unemitted", "Planned but never sent"),
            ("dynamic", "Names not known statically"),
        ):
            lines.append(f'<li><a href="#{anchor}">{title}</a></li>')
        lines.append("</ul>")
    lines.append("</nav>")
    return lines


def _unplanned(catalogue: Catalogue, anchors: dict[str, str]) -> list[str]:
    lines = ['<section class="list" id="unplanned">', "<h2>Sent but not planned</h2>"]
    items = list(catalogue.unplanned)
    traits = [e for e in (catalogue.identify, catalogue.group) if e is not None and not e.planned]
    if not items and not traits:
        lines.append('<p class="none">Every event the code sends is planned.</p>')
    lines.append('<ul class="unplanned">')
    for entry in items:
        hint = ""
        if entry.closest:
            target = anchors.get(entry.closest, "")
            hint = (
                f' <span class="hint">did you mean <a href="#{_e(target)}">'
                f"{_e(entry.closest)}</a>?</span>"
            )
        lines.append(
            f'<li class="unplanned-event" id="{_e(entry.anchor)}" data-filter '
            f'data-event="{_e(entry.name)}"><code>{_e(entry.name)}</code>'
            f' <span class="badge unplanned">not in the plan</span>{hint}'
        )
        lines += [*_sites(entry.sites), "</li>"]
    for entry in traits:
        lines.append(
            f'<li class="unplanned-traits" data-filter data-event="{_e(entry.name)}">'
            f"<code>{_e(entry.name)}</code> is called, but the plan has no "
            f"<code>{_e(entry.name)}</code> schema"
        )
        lines += [*_sites(entry.sites), "</li>"]
    lines += ["</ul>", "</section>"]
    return lines


def _unemitted(catalogue: Catalogue) -> list[str]:
    lines = ['<section class="list" id="unemitted">', "<h2>Planned but never sent</h2>"]
    if not catalogue.unemitted:
        lines.append('<p class="none">The analyzed code sends every planned event.</p>')
    lines.append('<ul class="unemitted">')
    for entry in catalogue.unemitted:
        lines.append(
            f'<li data-filter data-event="{_e(entry.name)}">'
            f'<a href="#{_e(entry.anchor)}">{_e(entry.name)}</a></li>'
        )
    lines += ["</ul>", "</section>"]
    return lines


def _dynamic(catalogue: Catalogue) -> list[str]:
    lines = ['<section class="list" id="dynamic">', "<h2>Event names not known statically</h2>"]
    if catalogue.dynamic:
        lines.append(
            '<p class="none">These calls send an event whose name is computed at run time: '
            "check them by hand.</p>"
        )
        lines += _sites(catalogue.dynamic)
    else:
        lines.append('<p class="none">Every event name in the analyzed code is known.</p>')
    lines.append("</section>")
    return lines


def render_html(catalogue: Catalogue) -> str:
    """The page: the same catalogue always gives the same text."""
    anchors = {e.name: e.anchor for e in (*catalogue.events, *catalogue.unplanned)}
    meta = [f"Plan <code>{_e(catalogue.plan)}</code>", _plural(len(catalogue.events), "event")]
    if catalogue.analyzed:
        shown = ", ".join(catalogue.paths) or "."
        meta.append(f"code analyzed: <code>{_e(shown)}</code>")
        meta.append(f"{len(catalogue.unplanned)} sent but not planned")
        meta.append(f"{len(catalogue.unemitted)} planned but never sent")
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Tracking plan: {_e(catalogue.plan)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>Tracking plan</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
        (
            '<input type="search" id="filter" placeholder="Filter: event, property, file..." '
            'aria-label="Filter the catalogue">'
        ),
        "</header>",
        '<div class="layout">',
        *_toc(catalogue),
        "<main>",
        '<div id="events">',
    ]
    for entry in catalogue.events:
        lines += _entry(catalogue, entry, anchors)
    lines.append("</div>")
    traits = [e for e in (catalogue.identify, catalogue.group) if e is not None and e.planned]
    if traits:
        lines.append('<div id="traits">')
        for entry in traits:
            lines += _entry(catalogue, entry, anchors)
        lines.append("</div>")
    if catalogue.analyzed:
        lines += _unplanned(catalogue, anchors) + _unemitted(catalogue) + _dynamic(catalogue)
    lines += ["</main>", "</div>", f"<script>{_SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(lines)
