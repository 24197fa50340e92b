"""`cio-lint plan docs`: the plan and the code's call sites as an HTML page or Markdown
(issue 16 item 1). The page is read back with the standard library's HTML parser, and what it
lists is compared with the loaded plan and the analyzer's resolved calls."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docs_page import Page, parse, run, shown
from realworld import realworld_sources as _realworld

from cio_lint.config import load_config
from cio_lint.engine import lint_paths
from cio_lint.model import Known, alternatives
from cio_lint.plan import Plan, load_plan

REPO = Path(__file__).resolve().parent.parent


def sent_events(resolved: list) -> dict[str, set[str]]:  # type: ignore[type-arg]
    """Where each statically known event name is tracked: the expectation, from the analyzer."""
    out: dict[str, set[str]] = {}
    for item in resolved:
        call = item.call
        if call.kind != "track" or call.event is None:
            continue
        for alt in alternatives(call.event):
            if isinstance(alt, Known) and isinstance(alt.value, str):
                out.setdefault(alt.value, set()).add(f"{shown(call.loc.path)}:{call.loc.line}")
    return out


@pytest.fixture(scope="module")
def demo() -> tuple[Plan, list, Page]:  # type: ignore[type-arg]
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        plan = load_plan(REPO / "tracking_plan")
        result = lint_paths(
            [Path("examples")], load_config(Path("examples")), plan, use_run_cache=False
        )
        code, out, err = run("plan", "docs", "examples", "-o", "-")
        assert code == 0, err
        return plan, result.resolved, parse(out)
    finally:
        os.chdir(cwd)


# --------------------------------------------------------------------------- the demo


def test_every_planned_event_with_its_properties(demo: tuple[Plan, list, Page]) -> None:  # type: ignore[type-arg]
    plan, _, page = demo
    events = [e for e in page.entries if e.kind == "event"]
    assert [e.name for e in events] == sorted(plan.events)
    assert len(set(page.ids)) == len(page.ids)
    for entry in events:
        spec = plan.events[entry.name]
        assert entry.id == "event-" + re.sub(r"[^a-z0-9]+", "-", entry.name.lower()).strip("-")
        assert entry.deprecated is spec.deprecated
        assert entry.texts.get("description", "") == (spec.description or "")
        top = [r for r in entry.rows if r.depth == 0]
        assert [r.name for r in top] == list(spec.property_names)
        for row in top:
            assert row.required is (row.name in spec.required)
            # every value the page allows is allowed by the plan, and the plan has no other
            for value in row.values:
                assert spec.value_errors(row.name, json.loads(value)) == [], (entry.name, row)
            if row.values:
                assert spec.value_errors(row.name, "certainly-not-an-allowed-value") != []
    by_name = {e.name: e for e in events}
    extended = plan.events["Trial Extended"]
    assert extended.deprecated and extended.replaced_by
    assert extended.replaced_by in by_name["Trial Extended"].texts["replaced-by"]
    assert "#event-signed-up" in [a.get("href") for t, a in page.tags if t == "a"]


def test_where_the_code_sends_each_event(demo: tuple[Plan, list, Page]) -> None:  # type: ignore[type-arg]
    plan, resolved, page = demo
    sent = sent_events(resolved)
    events = {e.name: e for e in page.entries if e.kind == "event"}
    for name, entry in events.items():
        assert {s["data-site"] for s in entry.sites} == sent.get(name, set()), name
    wrapped = [
        (item.call, f"{shown(item.call.loc.path)}:{item.call.loc.line}")
        for item in resolved
        if item.call.via
        and item.call.kind == "track"
        and isinstance(item.call.event, Known)
        and item.call.event.value in plan.events
    ]
    assert wrapped
    sites = [s for e in page.entries for s in e.sites]
    for call, where in wrapped:
        assert any(s["data-site"] == where and s.get("data-via") == call.via for s in sites)
    sdks = {s["data-sdk"] for s in sites}
    assert {item.call.sdk for item in resolved if item.call.kind == "track"} <= sdks | {
        item.call.sdk for item in resolved if item.call.event is None
    }
    assert len(sdks) >= 4  # the demo sends through several SDK families


def test_unplanned_unemitted_and_dynamic_lists(demo: tuple[Plan, list, Page]) -> None:  # type: ignore[type-arg]
    plan, resolved, page = demo
    sent = sent_events(resolved)
    assert page.lists["unplanned"] == sorted(n for n in sent if n not in plan.events)
    assert "signed up" in page.lists["unplanned"]  # a case variant of a planned name
    for name in page.lists["unplanned"]:
        assert set(page.list_sites[name]) == sent[name]
    assert page.lists["unemitted"] == sorted(n for n in plan.events if n not in sent)
    assert page.dynamic  # the demo computes some names at run time (jobs.py)


def test_identify_and_group_traits(demo: tuple[Plan, list, Page]) -> None:  # type: ignore[type-arg]
    plan, resolved, page = demo
    traits = {e.kind: e for e in page.entries if e.kind in ("identify", "group")}
    assert set(traits) == {"identify", "group"}
    for kind, spec in (("identify", plan.identify), ("group", plan.group)):
        assert spec is not None
        entry = traits[kind]
        assert entry.id == kind
        names = [r.name for r in entry.rows]
        assert names[: len(spec.property_names)] == list(spec.property_names)
        where = {
            f"{shown(i.call.loc.path)}:{i.call.loc.line}" for i in resolved if i.call.kind == kind
        }
        assert where <= {s["data-site"] for s in entry.sites}
    # identify's `patternProperties` is a row too, marked as a pattern
    assert any(r.name.startswith("^legacy_") for r in traits["identify"].rows)


def test_the_page_is_self_contained(demo: tuple[Plan, list, Page]) -> None:  # type: ignore[type-arg]
    _, _, page = demo
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].startswith("#"), attrs
    assert len(page.scripts) == 1 and page.scripts[0].strip()
    assert page.styles and "url(" not in page.styles[0] and "@import" not in page.styles[0]


def test_a_planned_event_nothing_sends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan_dir = tmp_path / "tracking_plan"
    shutil.copytree(REPO / "tracking_plan", plan_dir)
    (plan_dir / "events" / "extra.yaml").write_text(
        "events:\n  Report Exported:\n    description: Nobody sends this yet.\n"
    )
    monkeypatch.chdir(REPO)
    code, out, err = run("plan", "docs", "examples", "--plan", str(plan_dir), "-o", "-")
    assert code == 0, err
    page = parse(out)
    assert "Report Exported" in page.lists["unemitted"]
    entry = next(e for e in page.entries if e.name == "Report Exported")
    assert entry.sites == [] and entry.rows == []


def test_markdown_lists_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    plan = load_plan(REPO / "tracking_plan")
    code, out, err = run("plan", "docs", "examples", "--format", "md")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "# Tracking plan"
    sections = [line for line in lines if line.startswith("## ")]
    assert sections == [
        "## Events",
        "## Traits",
        "## Sent but not planned",
        "## Planned but never sent",
        "## Event names not known statically",
    ]
    events_part = lines[lines.index("## Events") : lines.index("## Traits")]
    headings = [
        line[4:].removesuffix(" (deprecated)") for line in events_part if line[:4] == "### "
    ]
    assert headings == sorted(plan.events)
    assert '<a id="event-signed-up"></a>' in lines


# --------------------------------------------------------------------------- determinism


def test_same_input_same_bytes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"page{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "cio_lint", "plan", "docs", "examples", "-o", str(target)],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"examples/acme/accounts.py:31" in outputs[0]


# --------------------------------------------------------------------------- real-world plans


def test_the_real_world_plans_are_there() -> None:
    assert len(_realworld()) >= 6 and all(p.exists() for p in _realworld())


@pytest.mark.parametrize("source", _realworld(), ids=lambda p: p.name)
def test_real_world_plans_render(source: Path, tmp_path: Path) -> None:
    plan = load_plan(source)
    out = tmp_path / "catalogue.html"
    code, stdout, err = run("plan", "docs", "--plan", str(source), "--no-code", "-o", str(out))
    assert code == 0, err
    assert stdout.startswith(f"Wrote {shown(str(out))} ({len(plan.events)} event")
    page = parse(out.read_text(encoding="utf-8"))
    assert [e.name for e in page.entries if e.kind == "event"] == sorted(plan.events)
    assert len(set(page.ids)) == len(page.ids)
    for entry in page.entries:
        if entry.kind == "event":
            spec = plan.events[entry.name]
            assert [r.name for r in entry.rows if r.depth == 0][: len(spec.property_names)] == [
                *spec.property_names
            ]
    code, md, err = run("plan", "docs", "--plan", str(source), "--no-code", "--format", "md")
    assert code == 0, err
    assert md.count("\n### ") == len(plan.events) + (plan.identify is not None) + (
        plan.group is not None
    )


# --------------------------------------------------------------------------- errors and output


def test_a_bad_plan_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text("version: 1\nevents:\n  Signed Up:\n    properties:\n      plan: {type: 5}\n")
    code, out, err = run("plan", "docs", "--plan", str(bad), "--no-code")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "plan.yaml:5" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("events: [\n")
    code, _, err = run("plan", "docs", "--plan", str(broken), "--no-code")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "broken.yaml" in err
    code, _, err = run("plan", "docs", "--plan", str(tmp_path / "missing"), "--no-code")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_default_file_and_no_overwriting_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "tracking_plan" / "plan.yaml"
    plan.parent.mkdir()
    plan.write_text("version: 1\nevents:\n  Signed Up: {}\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("plan", "docs", "--no-code")
    assert code == 0, err
    assert out.startswith("Wrote tracking-plan.html (1 event)")
    assert parse((tmp_path / "tracking-plan.html").read_text()).entries[0].name == "Signed Up"
    code, _, err = run("plan", "docs", "--no-code", "-o", "tracking_plan/plan.yaml")
    assert code == 2 and "not overwritten" in err
    assert plan.read_text() == "version: 1\nevents:\n  Signed Up: {}\n"
    code, _, err = run("plan", "docs", "--no-code", "-o", str(tmp_path))
    assert code == 2 and "folder" in err


def test_recursive_and_composed_schemas(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        textwrap.dedent(
            """\
            version: 1
            $defs:
              node:
                type: object
                description: A node of the outline.
                properties:
                  title: {type: string}
                  children: {type: array, items: {$ref: "#/$defs/node"}}
                required: [title]
              stamped:
                properties:
                  at: {type: string, format: date-time}
            events:
              Outline Saved:
                allOf: [{$ref: "#/$defs/stamped"}]
                properties:
                  root: {$ref: "#/$defs/node"}
                  mode: {const: draft}
                  kind: {oneOf: [{type: string}, {type: "null"}]}
                unevaluatedProperties: false
              Signed Up: {}
              signed_up: {}
            """
        )
    )
    code, out, err = run("plan", "docs", "--plan", str(plan_file), "--no-code", "-o", "-")
    assert code == 0, err
    page = parse(out)
    plan = load_plan(plan_file)
    entries = {e.name: e for e in page.entries}
    outline = entries["Outline Saved"]
    rows = {r.name: r for r in outline.rows}
    # the `allOf` part's property is listed with the event's own (as the validator sees it)
    assert set(plan.events["Outline Saved"].property_names) == {
        r.name for r in outline.rows if r.depth == 0
    }
    assert rows["root"].cells["type"] == "object"
    assert rows["root"].cells["description"] == "A node of the outline."
    assert rows["root.title"].required and not rows["root.children"].required
    assert rows["root.children"].cells["type"] == "array of object"
    assert rows["root.children[].title"].depth == 2
    assert max(r.depth for r in outline.rows) == 2  # a recursive schema stops at 3 levels
    assert "draft" in rows["mode"].cells["values"] and rows["mode"].cells["type"] == "string"
    assert rows["kind"].cells["type"] == "string | null"
    assert rows["at"].cells["values"].startswith("format date-time")
    # names that give the same anchor get distinct ones, in name order
    assert entries["Signed Up"].id == "event-signed-up"
    assert entries["signed_up"].id == "event-signed-up-2"
