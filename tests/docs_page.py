"""Reading back the page of `cio-lint plan docs` with the standard library's HTML parser: its
entries (events, traits) with their property rows and sites, and the lists (sent but not
planned, planned but never sent, names not known statically). Shared by the plan-docs tests."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from cio_lint.cli import main

_VOID = frozenset({"meta", "input", "br", "hr", "img", "link", "wbr", "col", "source"})


@dataclass
class Row:
    name: str
    required: bool
    depth: int = 0
    cells: dict[str, str] = field(default_factory=dict)
    values: list[str] = field(default_factory=list)


@dataclass
class Section:
    id: str
    name: str
    kind: str
    deprecated: bool
    rows: list[Row] = field(default_factory=list)
    sites: list[dict[str, str]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # class of a <p> -> its text


class Page(HTMLParser):
    """What a reader sees: entries with their property rows and sites, and the lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.entries: list[Section] = []
        self.lists: dict[str, list[str]] = {"unplanned": [], "unemitted": []}
        self.list_sites: dict[str, list[str]] = {}
        self.dynamic: list[str] = []
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._section: Section | None = None
        self._row: Row | None = None
        self._text: list[str] | None = None
        self._text_key: tuple[str, str] | None = None
        self._list: str | None = None
        self._event: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        classes = a.get("class", "").split()
        if tag == "section" and "entry" in classes:
            self._section = Section(
                a["id"], a["data-name"], a["data-kind"], a["data-deprecated"] == "true"
            )
            self.entries.append(self._section)
        elif tag == "section" and a.get("id") in ("unplanned", "unemitted", "dynamic"):
            self._list = a["id"]
        elif tag == "tr" and "property" in classes and self._section is not None:
            depth = int(classes[1].removeprefix("depth-"))
            self._row = Row(a["data-property"], a["data-required"] == "true", depth)
            self._section.rows.append(self._row)
        elif tag == "td" and self._row is not None:
            self._start_text(("td", classes[0]))
        elif tag == "code" and "value" in classes and self._row is not None:
            self._start_text(("value", ""))
        elif tag == "p" and self._section is not None and classes:
            self._start_text(("p", classes[0]))
        elif tag == "li" and "site" in classes:
            if self._section is not None:
                self._section.sites.append(a)
            elif self._list == "dynamic":
                self.dynamic.append(a["data-site"])
            elif self._event is not None:
                self.list_sites.setdefault(self._event, []).append(a["data-site"])
        elif tag == "li" and "data-event" in a and self._list in self.lists:
            self._event = a["data-event"]
            self.lists[self._list].append(a["data-event"])
        if tag in ("script", "style"):
            self._start_text((tag, ""))
        if tag not in _VOID:
            self.stack.append((tag, a))

    def _start_text(self, key: tuple[str, str]) -> None:
        self._text, self._text_key = [], key

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._text is not None and self._text_key is not None:
            kind, cls = self._text_key
            closes = {"td": "td", "value": "code", "p": "p", "script": "script", "style": "style"}
            if closes[kind] == tag:
                text = "".join(self._text)
                if kind == "td" and self._row is not None:
                    self._row.cells[cls] = text
                elif kind == "value" and self._row is not None:
                    self._row.values.append(text)
                    self._start_text(("td", "values"))  # the rest of the cell
                    self._text = [text]
                elif kind == "p" and self._section is not None:
                    self._section.texts[cls] = text
                elif kind == "script":
                    self.scripts.append(text)
                elif kind == "style":
                    self.styles.append(text)
                if kind != "value":
                    self._text = self._text_key = None
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag == "section":
            self._section = self._list = None
        elif tag == "tr":
            self._row = None
        elif tag == "li" and self._section is None and not any(t == "li" for t, _ in self.stack):
            self._event = None


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def shown(path: str) -> str:
    rel = os.path.relpath(path, Path.cwd())
    return Path(path if rel.startswith("..") else rel).as_posix()
