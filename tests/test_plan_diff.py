"""`cio-lint plan diff`: changes between two plans, breaking or compatible, and the code sites
they affect (issue 16 item 2). The base plan and its edits are in ``plan_diff_cases.py``; the
``--base GIT_REF`` tests are in ``test_plan_diff_git.py``."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import REPO
from plan_diff_breaking import BREAKING
from plan_diff_cases import (
    BASE,
    COMPATIBLE,
    OC,
    PV,
    SU,
    Edit,
    P,
    as_json,
    delete_at,
    edited,
    make_project,
    rename,
    run,
    set_at,
    write_plan,
)
from realworld import realworld_sources as _realworld_sources

from cio_lint.plan import load_plan
from cio_lint.plan.diff import KINDS, Change, diff_plans


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_project(tmp_path, monkeypatch)


def _diff(tmp_path: Path, edit: Edit) -> list[Change]:
    new = copy.deepcopy(BASE)
    edit(new)
    old_plan = load_plan(write_plan(tmp_path / "old", BASE))
    new_plan = load_plan(write_plan(tmp_path / "new", new))
    return diff_plans(old_plan, new_plan)


def _as_tuples(changes: list[Change]) -> list[tuple[Any, ...]]:
    return [(c.kind, c.breaking, c.event, c.property, c.message) for c in changes]


@pytest.mark.parametrize(("edit", "expected"), BREAKING + COMPATIBLE)
def test_each_edit_is_classified_with_its_message(
    tmp_path: Path, edit: Edit, expected: list[tuple[Any, ...]]
) -> None:
    assert sorted(_as_tuples(_diff(tmp_path, edit))) == sorted(expected)


def test_every_kind_has_a_case_and_its_severity() -> None:
    seen: dict[str, bool] = {}
    for case in BREAKING + COMPATIBLE:
        for kind, breaking, *_ in case.values[1]:
            seen[kind] = breaking
    missing = set(KINDS) - set(seen) - {"traits-added"}
    assert not missing
    assert all(KINDS[kind] == breaking for kind, breaking in seen.items())


def test_traits_added_is_breaking(tmp_path: Path) -> None:
    old = copy.deepcopy(BASE)
    del old["group"]
    changes = diff_plans(
        load_plan(write_plan(tmp_path / "a", old)), load_plan(write_plan(tmp_path / "b", BASE))
    )
    assert _as_tuples(changes) == [
        (
            "traits-added",
            True,
            "group",
            None,
            "The group traits schema added (the traits the code sends are now checked)",
        )
    ]


def test_default_additional_properties_turned_off_closes_every_open_event(tmp_path: Path) -> None:
    old = copy.deepcopy(BASE)
    old["defaults"]["additionalProperties"] = True
    changes = diff_plans(
        load_plan(write_plan(tmp_path / "a", old)), load_plan(write_plan(tmp_path / "b", BASE))
    )
    closed = sorted(c.event for c in changes if c.kind == "properties-closed")
    # Page Viewed and the group keep their own `additionalProperties: true`
    assert closed == ["Order Completed", "Signed Up", "identify"]
    assert all(c.breaking for c in changes if c.kind == "properties-closed")


def test_a_rename_is_not_guessed_from_different_names_and_properties(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["events"][SU]
        data["events"]["Account Opened"] = {"properties": {"tier": {"type": "string"}}}

    kinds = sorted((c.kind, c.event) for c in _diff(tmp_path, edit))
    assert kinds == [("event-added", "Account Opened"), ("event-removed", SU)]


def test_renamed_event_also_lists_its_property_changes(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        rename(OC, "order_completed")(data)
        data["events"]["order_completed"]["properties"]["total"]["minimum"] = 5

    changes = _diff(tmp_path, edit)
    assert [(c.kind, c.event, c.old_event, c.property) for c in changes] == [
        ("event-renamed", "order_completed", OC, None),
        ("range-narrowed", "order_completed", OC, "total"),
    ]


# ------------------------------------------------------------------ the command, code sites
def test_sites_of_a_removed_event(project: Path) -> None:
    edited(project, delete_at(f"events/{SU}"))
    code, out, err = run(
        "plan", "diff", "tracking_plan", "new_plan", "--format", "json", "--paths", "app"
    )
    assert code == 1, err
    (change,) = as_json(out)["changes"]
    assert change["kind"] == "event-removed"
    assert change["sites"] == ["app/shop.py:4", "app/shop.py:7"]


def test_sites_of_a_narrowed_enum_are_the_calls_now_invalid(project: Path) -> None:
    edited(project, set_at("$defs/plan/enum", ["pro"]))
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--format", "json")
    assert code == 1
    sites = {c["event"]: c["sites"] for c in as_json(out)["changes"]}
    assert sites == {SU: ["app/shop.py:4"], "identify": []}  # "pro" is still valid


def test_sites_of_newly_required_and_closed(project: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["events"][OC]["required"] = ["order_id", "currency"]
        data["events"][PV]["additionalProperties"] = False

    edited(project, edit)
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--format", "json")
    assert code == 1
    sites = {c["kind"]: c["sites"] for c in as_json(out)["changes"]}
    assert sites == {
        "property-required": ["app/shop.py:10"],
        "properties-closed": ["app/shop.py:13"],
    }


def test_no_code_skips_the_analysis_and_exit_zero(project: Path) -> None:
    edited(project, delete_at(f"events/{SU}"))
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--no-code")
    assert code == 1
    assert "sent at" not in out and "no code site" not in out
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--exit-zero")
    assert code == 0
    assert "sent at app/shop.py:4, app/shop.py:7" in out
    assert (
        out.splitlines()[-1]
        == "1 breaking change, 0 compatible changes from tracking_plan to new_plan."
    )


def test_compatible_changes_exit_zero(project: Path) -> None:
    edited(project, set_at(f"{P}/tax", {"type": "number"}))
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan")
    assert code == 0
    assert "compatible property-added: Property `tax` of `Order Completed`: added" in out


OUTPUT_SCHEMA = {
    "type": "object",
    "required": ["version", "old", "new", "code_sites", "breaking", "compatible", "changes"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "old": {"type": "string"},
        "new": {"type": "string"},
        "code_sites": {"type": "boolean"},
        "breaking": {"type": "integer", "minimum": 0},
        "compatible": {"type": "integer", "minimum": 0},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "kind",
                    "breaking",
                    "scope",
                    "event",
                    "old_event",
                    "property",
                    "before",
                    "after",
                    "message",
                    "old_location",
                    "new_location",
                    "sites",
                ],
                "properties": {
                    "kind": {"enum": sorted(KINDS)},
                    "breaking": {"type": "boolean"},
                    "scope": {"enum": ["event", "identify", "group"]},
                    "event": {"type": "string"},
                    "old_event": {"type": ["string", "null"]},
                    "property": {"type": ["string", "null"]},
                    "before": True,
                    "after": True,
                    "message": {"type": "string", "pattern": "^[^\\n]+$"},
                    "old_location": {"type": ["string", "null"], "pattern": ":[0-9]+$"},
                    "new_location": {"type": ["string", "null"], "pattern": ":[0-9]+$"},
                    "sites": {"type": "array", "items": {"type": "string", "pattern": ":[0-9]+$"}},
                },
            },
        },
    },
}


def _many(data: dict[str, Any]) -> None:
    del data["events"][SU]
    data["events"][OC]["properties"]["note"]["type"] = "integer"
    data["events"][OC]["properties"]["tax"] = {"type": "number", "description": "a | b"}
    data["identify"]["required"] = ["email", "age"]
    data["events"][PV]["description"] = "Seen"


def test_json_output_matches_its_schema(project: Path) -> None:
    edited(project, _many)
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--format", "json")
    assert code == 1
    data = as_json(out)
    jsonschema.validate(data, OUTPUT_SCHEMA)
    flags = [c["breaking"] for c in data["changes"]]
    assert flags == sorted(flags, reverse=True)  # breaking first
    assert (data["breaking"], data["compatible"]) == (flags.count(True), flags.count(False))
    assert (data["breaking"], data["compatible"]) == (3, 2)


def _tables(markdown: str) -> dict[str, list[list[str]]]:
    """Each ``### heading`` -> the rows of the table under it (cells split on unescaped |)."""
    tables: dict[str, list[list[str]]] = {}
    heading = None
    for line in markdown.splitlines():
        if line.startswith("### "):
            heading = line[4:]
            tables[heading] = []
        elif heading and line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            tables[heading].append(cells)
    return tables


def test_markdown_has_a_table_of_breaking_then_compatible_changes(project: Path) -> None:
    edited(project, _many)
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--format", "markdown")
    assert code == 1
    assert out.startswith("## Tracking-plan changes\n")
    tables = _tables(out)
    assert list(tables) == ["Breaking changes (3)", "Compatible changes (2)"]
    head, *rows = tables["Breaking changes (3)"]
    assert head == ["Change", "Event", "Property", "What", "Code sites"]
    assert {(r[0], r[1], r[2]) for r in rows} == {
        ("`event-removed`", SU, ""),
        ("`type-narrowed`", OC, "note"),
        ("`property-required`", "(identify)", "age"),
    }
    removed = next(r for r in rows if r[0] == "`event-removed`")
    assert removed[4] == "app/shop.py:4, app/shop.py:7"
    head, *rows = tables["Compatible changes (2)"]
    assert len(head) == 4 and len(rows) == 2
    assert out.index("### Breaking") < out.index("### Compatible")


def test_the_demo_plan_against_itself_is_no_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run("plan", "diff", "tracking_plan", "tracking_plan")
    assert (code, err) == (0, "")
    assert out == "No changes from tracking_plan to tracking_plan.\n"


@pytest.mark.parametrize("source", _realworld_sources(), ids=lambda p: p.name)
def test_a_foreign_plan_and_its_import_are_no_change(source: Path, tmp_path: Path) -> None:
    assert source.exists()
    out_dir = tmp_path / "imported"
    code, _, err = run("plan", "import", str(source), "--to", str(out_dir))
    assert code == 0, err
    assert diff_plans(load_plan(source), load_plan(out_dir)) == []
    # and a real edit of the import is seen
    data = yaml.safe_load((out_dir / "plan.yaml").read_text())
    first = min(data["events"])
    del data["events"][first]
    (out_dir / "plan.yaml").write_text(yaml.safe_dump(data))
    changes = diff_plans(load_plan(source), load_plan(out_dir))
    assert [(c.kind, c.event) for c in changes] == [("event-removed", first)]


def test_an_unloadable_plan_is_exit_2_with_the_loader_message(project: Path) -> None:
    (project / "bad.yaml").write_text("events:\n  A: {properties: {x: {type: numbr}}}\n")
    code, out, err = run("plan", "diff", "tracking_plan", "bad.yaml")
    assert code == 2 and out == ""
    assert err.startswith("Error: bad.yaml is not a valid tracking plan")


def test_usage_errors(project: Path) -> None:
    code, _, err = run("plan", "diff", "tracking_plan")
    assert code == 2 and "OLD and NEW" in err
    code, _, err = run("plan", "diff", "--base", "HEAD", "a", "b")
    assert code == 2 and "at most one plan" in err


# Edits whose reverse is the opposite class: narrowing one way is widening the other.
_ONE_WAY = {
    "event-removed", "property-removed", "type-narrowed", "enum-lost-values", "const-added",
    "pattern-added", "minimum-raised", "maximum-lowered", "maxLength-reduced", "format-added",
    "property-newly-required", "event-additionalProperties-false",
    "nested-additionalProperties-false", "identify-trait-removed", "identify-trait-required",
    "group-additionalProperties-false", "traits-removed", "event-added", "optional-property-added",
    "type-widened", "enum-values-added", "required-dropped", "const-removed", "pattern-removed",
    "range-widened", "format-removed", "additionalProperties-true", "identify-trait-added",
}  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "expected"), [c for c in BREAKING + COMPATIBLE if c.id in _ONE_WAY]
)
def test_the_reverse_of_an_edit_is_the_other_class(
    tmp_path: Path, edit: Edit, expected: list[tuple[Any, ...]]
) -> None:
    new = copy.deepcopy(BASE)
    edit(new)
    forward = load_plan(write_plan(tmp_path / "new", new))
    backward = diff_plans(forward, load_plan(write_plan(tmp_path / "old", BASE)))
    assert backward
    assert {c.breaking for c in backward} == {not expected[0][1]}
    assert {(c.event, c.property) for c in backward} == {(e[2], e[3]) for e in expected}


RECURSIVE = {
    "version": 1,
    "events": {
        "Tree Saved": {"properties": {"root": {"$ref": "#/$defs/node"}}},
        "Nothing": {"properties": {"never": False, "anything": True}},
    },
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "label": {"type": "string"},
                "left": {"$ref": "#/$defs/node"},
                "right": {"$ref": "#/$defs/node"},
                "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
        }
    },
}


def test_a_recursive_schema_is_compared_in_bounded_time(tmp_path: Path) -> None:
    new = copy.deepcopy(RECURSIVE)
    new["$defs"]["node"]["properties"]["label"]["maxLength"] = 3
    old_plan = load_plan(write_plan(tmp_path / "old", RECURSIVE))
    new_plan = load_plan(write_plan(tmp_path / "new", new))
    assert diff_plans(old_plan, old_plan) == []
    changes = diff_plans(old_plan, new_plan)
    # once, where the definition is first used: not again for `left`, `right`, `kids.[]`...
    assert [(c.kind, c.property, c.message) for c in changes] == [
        (
            "range-narrowed",
            "root.label",
            "Property `root.label` of `Tree Saved`: `maxLength` changed from none to 3",
        )
    ]
    json.dumps([c.to_json() for c in changes])  # before/after are plain JSON, no cycle


def test_boolean_property_schemas(tmp_path: Path) -> None:
    new = copy.deepcopy(RECURSIVE)
    props = new["events"]["Nothing"]["properties"]
    props["never"], props["anything"] = True, False
    changes = diff_plans(
        load_plan(write_plan(tmp_path / "old", RECURSIVE)),
        load_plan(write_plan(tmp_path / "new", new)),
    )
    assert sorted((c.property, c.kind, c.breaking) for c in changes) == [
        ("anything", "schema-changed", True),
        ("never", "schema-changed", True),
    ]


def test_sites_of_a_renamed_event_and_of_traits(project: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        rename(SU, "signed_up")(data)
        del data["identify"]["properties"]["age"]
        data["identify"]["properties"]["email"]["maxLength"] = 3  # "a@b.co" is now too long

    edited(project, edit)
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--format", "json")
    assert code == 1
    sites = {(c["kind"], c["property"]): c["sites"] for c in as_json(out)["changes"]}
    assert sites == {
        ("event-renamed", None): ["app/shop.py:4", "app/shop.py:7"],
        ("property-removed", "age"): ["app/shop.py:16"],
        ("range-narrowed", "email"): ["app/shop.py:16"],
    }
