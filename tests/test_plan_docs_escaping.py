"""`plan docs` shows any text of a plan as that text: random names, descriptions and values go
through the HTML renderer and come back unchanged from `html.parser`, and through the Markdown
renderer and come back unchanged from a CommonMark reader with GFM tables (markdown-it-py, raw
HTML enabled, as the most permissive wiki would render it) — and neither grows a tag of its own."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

from docs_page import parse, run
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cio_lint.plan.catalogue import Catalogue, Entry, Property, Site
from cio_lint.plan.render_html import render_html
from cio_lint.plan.render_md import render_md

# what a plan file can hold (YAML has no control characters; surrogates are not text), with the
# characters that mean something to HTML or Markdown made frequent
_SPECIAL = st.sampled_from(list("<>&\"'|`\\*_[]()#!-+=.~{}:/ \n\t1") + ["&amp;", "</script>"])
_TEXT = st.lists(
    st.one_of(_SPECIAL, st.characters(blacklist_categories=("Cs", "Cc"))), max_size=24
).map("".join)

_OUR_HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "input",
    "div", "nav", "ul", "li", "a", "main", "section", "span", "code", "table", "thead", "tbody",
    "tr", "th", "td", "script",
}  # fmt: skip
_MD_TAGS = {"h1", "h2", "h3", "p", "a", "code", "table", "thead", "tbody", "tr", "th", "td"}
_MD_TAGS |= {"ul", "li"}


def _catalogue(name: str, description: str, prop: str, value: str, prop_doc: str) -> Catalogue:
    entry = Entry(
        name=name,
        anchor="event-x",
        kind="event",
        description=description,
        properties=(
            Property(
                name=prop, type="string", required=True, values=(value,), description=prop_doc
            ),
        ),
        sites=(Site(path="app.py", line=3, sdk="segment-family", via=None),),
    )
    return Catalogue(plan="tracking_plan", events=(entry,), identify=None, group=None)


class _Reader(HTMLParser):
    """Every tag, and the text of every element, by tag (what a reader sees of each)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[dict[str, str]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.append({k: v or "" for k, v in attrs})
        if tag not in ("meta", "input", "br", "img", "hr"):
            self._open.append((tag, []))

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, parts = self._open.pop()
            self.texts.setdefault(open_tag, []).append("".join(parts))
            if open_tag == tag:
                break


def _read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def _flat(text: str) -> str:
    """Text as a Markdown reader gives it back: one line, outer white space gone."""
    return " ".join(text.split())


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT)
def test_html_shows_any_text_as_text(
    name: str, description: str, prop: str, value: str, prop_doc: str
) -> None:
    page = _read(render_html(_catalogue(name, description, prop, value, prop_doc)))
    assert set(page.tags) <= _OUR_HTML_TAGS
    assert page.tags.count("script") == 1
    section = next(a for a in page.attrs if "entry" in a.get("class", ""))
    assert section["data-name"] == name
    row = next(a for a in page.attrs if a.get("class", "").startswith("property"))
    assert row["data-property"] == prop
    if description:
        assert description in page.texts["p"]
    assert value in page.texts["code"]
    assert prop_doc in page.texts["td"]


_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT)
def test_markdown_shows_any_text_as_text(
    name: str, description: str, prop: str, value: str, prop_doc: str
) -> None:
    text = render_md(_catalogue(name, description, prop, value, prop_doc))
    page = _read(_MD.render(text))
    assert set(page.tags) <= _MD_TAGS, text
    assert _flat(name) in [_flat(t) for t in page.texts["h3"]]
    if description.strip():
        assert _flat(description) in [_flat(t) for t in page.texts["p"]]
    cells = page.texts["td"]
    assert len(cells) == 5, text  # one row of five cells: no pipe split it
    assert _flat(cells[4]) == _flat(prop_doc)
    codes = [_flat(t) for t in page.texts["code"]]
    assert _flat(value) in codes and _flat(prop) in codes


# --------------------------------------------------------------------------- hostile plans

HOSTILE = textwrap.dedent(
    """\
    version: 1
    events:
      "<img src=x onerror=alert(1)>":
        description: "<script>alert('plan')</script> & \\"quotes\\" | pipes `ticks`"
        properties:
          "a\\"b<i>":
            type: string
            enum: ["</script><script>alert(2)</script>", "x|y", "`z`"]
            description: "1. not a list | `not code` <b>not bold</b>"
          "# heading":
            type: string
            pattern: "^a|b$"
    """
)


def test_everything_from_the_plan_is_escaped(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(HOSTILE)
    code, out, err = run("plan", "docs", "--plan", str(plan), "--no-code", "-o", "-")
    assert code == 0, err
    page = parse(out)
    assert [t for t, _ in page.tags if t in ("img", "i", "b")] == []
    assert len(page.scripts) == 1 and "alert" not in page.scripts[0]
    (entry,) = page.entries
    assert entry.name == "<img src=x onerror=alert(1)>"
    assert entry.texts["description"].startswith("<script>alert('plan')</script> &")
    row = entry.rows[0]
    assert row.name == 'a"b<i>'
    assert row.values == ['"</script><script>alert(2)</script>"', '"x|y"', '"`z`"']
    assert row.cells["description"] == "1. not a list | `not code` <b>not bold</b>"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def test_markdown_headings_tables_and_escaping(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(HOSTILE)
    code, out, err = run("plan", "docs", "--plan", str(plan), "--no-code", "--format", "md")
    assert code == 0, err
    # raw HTML only inside code spans, where Markdown shows it as text
    prose = re.sub(r"(?<![\\`])(`+)(?!`).*?(?<!`)\1(?!`)", "", out)
    assert "alert(2)" not in prose and "<a id=" in prose
    assert re.findall(r"(?<!\\)<(?!a id=|/a>)", prose) == []
    lines = out.splitlines()
    headings = [line for line in lines if line.startswith("### ")]
    assert len(headings) == 1 and "onerror" in headings[0]
    table = [line for line in lines if line.startswith("|")]
    assert _cells(table[0]) == ["Property", "Type", "Required", "Allowed values", "Description"]
    for line in table:
        assert len(_cells(line)) == 5, line
    # the description's backticks cannot open a code span, its `1.` cannot start a list
    description = _cells(table[2])[4]
    assert "\\`not code\\`" in description and "\\<b\\>" in description
    para = next(line for line in lines if "alert('plan')" in line)
    assert para.startswith("\\<script\\>")
