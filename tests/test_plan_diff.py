"""`cio-lint plan diff`: changes between two plans, breaking or compatible, and the code sites
they affect (issue 16 item 2)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from cio_lint.cli import main
from cio_lint.plan import load_plan
from cio_lint.plan.diff import KINDS, Change, diff_plans

REALWORLD = Path(__file__).resolve().parent / "data" / "realworld-plans"

BASE: dict[str, Any] = yaml.safe_load(
    textwrap.dedent(
        """\
        version: 1
        defaults: {additionalProperties: false}
        identify:
          properties:
            email: {type: string, format: email}
            plan: {$ref: "#/$defs/plan"}
            age: {type: integer}
          required: [email]
        group:
          additionalProperties: true
          properties:
            name: {type: string}
        events:
          Order Completed:
            description: An order was paid
            properties:
              order_id: {type: string, pattern: "^o_"}
              total: {type: number, minimum: 0, maximum: 10000}
              currency: {type: string, enum: [USD, EUR]}
              coupon: {type: [string, "null"], maxLength: 20}
              channel: {const: web}
              note: {type: string}
              items:
                type: array
                items:
                  type: object
                  properties:
                    sku: {type: string}
            required: [order_id]
          Signed Up:
            properties:
              plan: {$ref: "#/$defs/plan"}
          Page Viewed:
            additionalProperties: true
            properties:
              path: {type: string}
        $defs:
          plan: {type: string, enum: [free, pro]}
        """
    )
)

Edit = Callable[[dict[str, Any]], None]
OC, SU, PV = "Order Completed", "Signed Up", "Page Viewed"


def _oc(data: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = data["events"][OC]["properties"]
    return props


def _set(path: str, value: Any) -> Edit:
    """An edit that sets ``value`` at the ``/``-separated ``path`` of the plan data."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node = data
        for part in parents:
            node = node[part]
        node[last] = value

    return edit


def _delete(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node = data
        for part in parents:
            node = node[part]
        del node[last]

    return edit


def _rename(old: str, new: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["events"][new] = data["events"].pop(old)

    return edit


P = f"events/{OC}/properties"
# (edit, expected changes as (kind, breaking, event, property, message)); one case per class
BREAKING: list[Any] = [
    pytest.param(
        _delete(f"events/{SU}"),
        [("event-removed", True, SU, None, "Event `Signed Up` removed")],
        id="event-removed",
    ),
    pytest.param(
        _rename(SU, "signed_up"),
        [
            (
                "event-renamed",
                True,
                "signed_up",
                None,
                (
                    "Event `Signed Up` renamed to `signed_up`: code that sends `Signed Up` is now "
                    "unplanned"
                ),
            )
        ],
        id="event-renamed-normalised-name",
    ),
    pytest.param(
        _rename(OC, "Purchase Made"),
        [
            (
                "event-renamed",
                True,
                "Purchase Made",
                None,
                (
                    "Event `Order Completed` renamed to `Purchase Made`: code that sends "
                    "`Order Completed` is now unplanned"
                ),
            )
        ],
        id="event-renamed-same-properties",
    ),
    pytest.param(
        _delete(f"{P}/note"),
        [("property-removed", True, OC, "note", "Property `note` of `Order Completed`: removed")],
        id="property-removed",
    ),
    pytest.param(
        _set(f"{P}/coupon/type", "string"),
        [
            (
                "type-narrowed",
                True,
                OC,
                "coupon",
                (
                    "Property `coupon` of `Order Completed`: type changed from null or string to "
                    "string"
                ),
            )
        ],
        id="type-narrowed",
    ),
    pytest.param(
        _set(f"{P}/note/type", "integer"),
        [
            (
                "type-narrowed",
                True,
                OC,
                "note",
                "Property `note` of `Order Completed`: type changed from string to integer",
            )
        ],
        id="type-changed",
    ),
    pytest.param(
        _set(f"{P}/currency/enum", ["USD"]),
        [
            (
                "enum-narrowed",
                True,
                OC,
                "currency",
                'Property `currency` of `Order Completed`: enum lost ["EUR"]',
            )
        ],
        id="enum-lost-values",
    ),
    pytest.param(
        _set("$defs/plan/enum", ["free"]),
        [
            (
                "enum-narrowed",
                True,
                SU,
                "plan",
                'Property `plan` of `Signed Up`: enum lost ["pro"]',
            ),
            (
                "enum-narrowed",
                True,
                "identify",
                "plan",
                'Trait `plan` of identify: enum lost ["pro"]',
            ),
        ],
        id="enum-lost-values-through-ref",
    ),
    pytest.param(
        _set(f"{P}/note/const", "x"),
        [
            (
                "const-added",
                True,
                OC,
                "note",
                'Property `note` of `Order Completed`: `const` "x" added',
            )
        ],
        id="const-added",
    ),
    pytest.param(
        _set(f"{P}/channel/const", "app"),
        [
            (
                "const-changed",
                True,
                OC,
                "channel",
                'Property `channel` of `Order Completed`: `const` changed from "web" to "app"',
            )
        ],
        id="const-changed",
    ),
    pytest.param(
        _set(f"{P}/note/pattern", "^n"),
        [
            (
                "pattern-added",
                True,
                OC,
                "note",
                'Property `note` of `Order Completed`: `pattern` "^n" added',
            )
        ],
        id="pattern-added",
    ),
    pytest.param(
        _set(f"{P}/order_id/pattern", "^ord_"),
        [
            (
                "pattern-changed",
                True,
                OC,
                "order_id",
                'Property `order_id` of `Order Completed`: `pattern` changed from "^o_" to "^ord_"',
            )
        ],
        id="pattern-changed",
    ),
    pytest.param(
        _set(f"{P}/total/minimum", 1),
        [
            (
                "range-narrowed",
                True,
                OC,
                "total",
                "Property `total` of `Order Completed`: `minimum` changed from 0 to 1",
            )
        ],
        id="minimum-raised",
    ),
    pytest.param(
        _set(f"{P}/total/maximum", 100),
        [
            (
                "range-narrowed",
                True,
                OC,
                "total",
                "Property `total` of `Order Completed`: `maximum` changed from 10000 to 100",
            )
        ],
        id="maximum-lowered",
    ),
    pytest.param(
        _set(f"{P}/coupon/maxLength", 10),
        [
            (
                "range-narrowed",
                True,
                OC,
                "coupon",
                "Property `coupon` of `Order Completed`: `maxLength` changed from 20 to 10",
            )
        ],
        id="maxLength-reduced",
    ),
    pytest.param(
        _set(f"{P}/note/format", "date-time"),
        [
            (
                "format-added",
                True,
                OC,
                "note",
                'Property `note` of `Order Completed`: `format` "date-time" added',
            )
        ],
        id="format-added",
    ),
    pytest.param(
        _set("identify/properties/email/format", "idn-email"),
        [
            (
                "format-changed",
                True,
                "identify",
                "email",
                'Trait `email` of identify: `format` changed from "email" to "idn-email"',
            )
        ],
        id="format-changed",
    ),
    pytest.param(
        _set(f"events/{OC}/required", ["order_id", "currency"]),
        [
            (
                "property-required",
                True,
                OC,
                "currency",
                "Property `currency` of `Order Completed`: now required",
            )
        ],
        id="property-newly-required",
    ),
    pytest.param(
        lambda d: (
            _set(f"{P}/tax", {"type": "number"})(d),
            d["events"][OC]["required"].append("tax"),
        ),
        [
            (
                "property-required",
                True,
                OC,
                "tax",
                "Property `tax` of `Order Completed`: added as a required property",
            )
        ],
        id="required-property-added",
    ),
    pytest.param(
        _set(f"events/{PV}/additionalProperties", False),
        [
            (
                "properties-closed",
                True,
                PV,
                None,
                (
                    "Event `Page Viewed`: `additionalProperties` turned to false (unknown properties "
                    "are now rejected)"
                ),
            )
        ],
        id="event-additionalProperties-false",
    ),
    pytest.param(
        _set(f"{P}/items/items/additionalProperties", False),
        [
            (
                "properties-closed",
                True,
                OC,
                "items.[]",
                (
                    "Property `items.[]` of `Order Completed`: `additionalProperties` turned to false "
                    "(unknown properties are now rejected)"
                ),
            )
        ],
        id="nested-additionalProperties-false",
    ),
    pytest.param(
        _delete("identify/properties/age"),
        [("property-removed", True, "identify", "age", "Trait `age` of identify: removed")],
        id="identify-trait-removed",
    ),
    pytest.param(
        _set("identify/required", ["email", "age"]),
        [("property-required", True, "identify", "age", "Trait `age` of identify: now required")],
        id="identify-trait-required",
    ),
    pytest.param(
        _set("group/additionalProperties", False),
        [
            (
                "properties-closed",
                True,
                "group",
                None,
                (
                    "The group traits: `additionalProperties` turned to false (unknown properties are "
                    "now rejected)"
                ),
            )
        ],
        id="group-additionalProperties-false",
    ),
    pytest.param(
        _set(f"{P}/note/anyOf", [{"minLength": 2}, {"maxLength": 0}]),
        [
            (
                "schema-changed",
                True,
                OC,
                "note",
                (
                    'Property `note` of `Order Completed`: `anyOf` changed from null to [{"minLength": '
                    '2}, {"maxLength": 0}] (not classified: review it)'
                ),
            )
        ],
        id="unclassified-change",
    ),
    pytest.param(
        _delete("group"),
        [
            (
                "traits-removed",
                False,
                "group",
                None,
                "The group traits schema removed (traits are no longer checked)",
            )
        ],
        id="traits-removed",
    ),
]
COMPATIBLE: list[Any] = [
    pytest.param(
        _set("events/Cart Viewed", {"properties": {"cart_id": {"type": "string"}}}),
        [("event-added", False, "Cart Viewed", None, "Event `Cart Viewed` added")],
        id="event-added",
    ),
    pytest.param(
        _set(f"{P}/tax", {"type": "number"}),
        [("property-added", False, OC, "tax", "Property `tax` of `Order Completed`: added")],
        id="optional-property-added",
    ),
    pytest.param(
        _set(f"{P}/note/type", ["string", "null"]),
        [
            (
                "type-widened",
                False,
                OC,
                "note",
                "Property `note` of `Order Completed`: type changed from string to null or string",
            )
        ],
        id="type-widened",
    ),
    pytest.param(
        _set(f"{P}/currency/enum", ["USD", "EUR", "GBP"]),
        [
            (
                "enum-widened",
                False,
                OC,
                "currency",
                'Property `currency` of `Order Completed`: enum gained ["GBP"]',
            )
        ],
        id="enum-values-added",
    ),
    pytest.param(
        _set(f"events/{OC}/required", []),
        [
            (
                "required-dropped",
                False,
                OC,
                "order_id",
                "Property `order_id` of `Order Completed`: no longer required",
            )
        ],
        id="required-dropped",
    ),
    pytest.param(
        _set(f"events/{OC}/description", "A paid order"),
        [("description-changed", False, OC, None, "Event `Order Completed`: description changed")],
        id="description-changed",
    ),
    pytest.param(
        lambda d: d["events"][SU].update({"deprecated": True, "x-replaced-by": "Account Created"}),
        [
            (
                "deprecated",
                False,
                SU,
                None,
                "Event `Signed Up`: deprecated, replaced by `Account Created`",
            )
        ],
        id="deprecated",
    ),
    pytest.param(
        _delete(f"{P}/channel/const"),
        [
            (
                "const-removed",
                False,
                OC,
                "channel",
                'Property `channel` of `Order Completed`: `const` "web" removed',
            )
        ],
        id="const-removed",
    ),
    pytest.param(
        _delete(f"{P}/order_id/pattern"),
        [
            (
                "pattern-removed",
                False,
                OC,
                "order_id",
                'Property `order_id` of `Order Completed`: `pattern` "^o_" removed',
            )
        ],
        id="pattern-removed",
    ),
    pytest.param(
        _set(f"{P}/total/maximum", 20000),
        [
            (
                "range-widened",
                False,
                OC,
                "total",
                "Property `total` of `Order Completed`: `maximum` changed from 10000 to 20000",
            )
        ],
        id="range-widened",
    ),
    pytest.param(
        _delete("identify/properties/email/format"),
        [
            (
                "format-removed",
                False,
                "identify",
                "email",
                'Trait `email` of identify: `format` "email" removed',
            )
        ],
        id="format-removed",
    ),
    pytest.param(
        _set(f"events/{OC}/additionalProperties", True),
        [
            (
                "properties-opened",
                False,
                OC,
                None,
                "Event `Order Completed`: unknown properties are now allowed",
            )
        ],
        id="additionalProperties-true",
    ),
    pytest.param(
        _set("identify/properties/nickname", {"type": "string"}),
        [("property-added", False, "identify", "nickname", "Trait `nickname` of identify: added")],
        id="identify-trait-added",
    ),
]


def _write(root: Path, data: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return root


def _diff(tmp_path: Path, edit: Edit) -> list[Change]:
    new = copy.deepcopy(BASE)
    edit(new)
    old_plan = load_plan(_write(tmp_path / "old", BASE))
    new_plan = load_plan(_write(tmp_path / "new", new))
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
        load_plan(_write(tmp_path / "a", old)), load_plan(_write(tmp_path / "b", BASE))
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
        load_plan(_write(tmp_path / "a", old)), load_plan(_write(tmp_path / "b", BASE))
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
        _rename(OC, "order_completed")(data)
        data["events"]["order_completed"]["properties"]["total"]["minimum"] = 5

    changes = _diff(tmp_path, edit)
    assert [(c.kind, c.event, c.old_event, c.property) for c in changes] == [
        ("event-renamed", "order_completed", OC, None),
        ("range-narrowed", "order_completed", OC, "total"),
    ]


# ------------------------------------------------------------------ the command, code sites

APP = textwrap.dedent(
    """\
    from customerio import analytics

    def signup(user):
        analytics.track(user.id, "Signed Up", {"plan": "free"})

    def upgrade(user):
        analytics.track(user.id, "Signed Up", {"plan": "pro"})

    def order(user, total):
        analytics.track(user.id, "Order Completed", {"order_id": "o_1", "total": total})

    def page(user):
        analytics.track(user.id, "Page Viewed", {"path": "/", "ref": "x"})
    """
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "shop.py").write_text(APP)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cio-lint]\nsdk-versions = {customerio = "3.2"}\n'
    )
    _write(tmp_path / "tracking_plan", BASE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edited(root: Path, edit: Edit) -> Path:
    data = copy.deepcopy(BASE)
    edit(data)
    return _write(root / "new_plan", data)


def _json(out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out)
    return data


def test_sites_of_a_removed_event(project: Path) -> None:
    _edited(project, _delete(f"events/{SU}"))
    code, out, err = run(
        "plan", "diff", "tracking_plan", "new_plan", "--format", "json", "--paths", "app"
    )
    assert code == 1, err
    (change,) = _json(out)["changes"]
    assert change["kind"] == "event-removed"
    assert change["sites"] == ["app/shop.py:4", "app/shop.py:7"]


def test_sites_of_a_narrowed_enum_are_the_calls_now_invalid(project: Path) -> None:
    _edited(project, _set("$defs/plan/enum", ["pro"]))
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--format", "json")
    assert code == 1
    sites = {c["event"]: c["sites"] for c in _json(out)["changes"]}
    assert sites == {SU: ["app/shop.py:4"], "identify": []}  # "pro" is still valid


def test_sites_of_newly_required_and_closed(project: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["events"][OC]["required"] = ["order_id", "currency"]
        data["events"][PV]["additionalProperties"] = False

    _edited(project, edit)
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--format", "json")
    assert code == 1
    sites = {c["kind"]: c["sites"] for c in _json(out)["changes"]}
    assert sites == {
        "property-required": ["app/shop.py:10"],
        "properties-closed": ["app/shop.py:13"],
    }


def test_no_code_skips_the_analysis_and_exit_zero(project: Path) -> None:
    _edited(project, _delete(f"events/{SU}"))
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
    _edited(project, _set(f"{P}/tax", {"type": "number"}))
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
    _edited(project, _many)
    code, out, _ = run("plan", "diff", "tracking_plan", "new_plan", "--format", "json")
    assert code == 1
    data = _json(out)
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
    _edited(project, _many)
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


def _realworld_sources() -> list[Path]:
    found = sorted(REALWORLD.glob("segment-typewriter/*.json"))
    found += sorted(REALWORLD.glob("rudderstack-ruddertyper/*.json"))
    found += [
        REALWORLD / "rudderstack-rudder-cli-project",
        REALWORLD / "snowplow-iglu-central",
        REALWORLD / "snowplow-micro-examples",
        REALWORLD / "opentrackplan-opentp" / "coverage-valid",
    ]
    return found


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


# ------------------------------------------------------------------ --base GIT_REF


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout


@pytest.fixture
def repo(project: Path) -> Path:
    _git(project, "init", "-q", "-b", "main")
    _git(project, "config", "user.email", "t@example.com")
    _git(project, "config", "user.name", "T")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")
    return project


def test_base_head_compares_the_committed_plan(repo: Path) -> None:
    data = copy.deepcopy(BASE)
    del data["events"][SU]
    _write(repo / "tracking_plan", data)
    before = _git(repo, "status", "--porcelain")
    code, out, err = run("plan", "diff", "--base", "HEAD", "--format", "json")
    assert code == 1, err
    result = _json(out)
    assert result["old"] == "HEAD:tracking_plan" and result["new"] == "tracking_plan"
    (change,) = result["changes"]
    assert change["kind"] == "event-removed"
    assert change["old_location"].startswith("HEAD:tracking_plan/plan.yaml:")
    assert change["sites"] == ["app/shop.py:4", "app/shop.py:7"]
    assert _git(repo, "status", "--porcelain") == before  # nothing written in the repository
    # the committed plan against itself: no change
    _git(repo, "checkout", "-q", "--", "tracking_plan")
    code, out, _ = run("plan", "diff", "--base", "HEAD", "tracking_plan")
    assert (code, out) == (0, "No changes from HEAD:tracking_plan to tracking_plan.\n")


def test_base_with_a_single_plan_file(repo: Path) -> None:
    data = copy.deepcopy(BASE)
    data["events"][OC]["properties"]["total"]["minimum"] = 1
    _write(repo / "tracking_plan", data)
    code, out, _ = run("plan", "diff", "--base", "HEAD", "tracking_plan/plan.yaml", "--no-code")
    assert code == 1
    assert out.splitlines()[0].endswith(
        "breaking range-narrowed: Property `total` of `Order Completed`: `minimum` changed from 0 to 1"
    )


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-branch", "Error: 'no-such-branch' is not a commit in this repository\n"),
        (
            "--output=/tmp/x",
            "Error: refusing git ref '--output=/tmp/x': a ref cannot start with `-` or be empty\n",
        ),
        ("HEAD~5", "Error: 'HEAD~5' is not a commit in this repository\n"),
    ],
)
def test_bad_ref_is_exit_2_with_one_line(repo: Path, ref: str, message: str) -> None:
    code, out, err = run("plan", "diff", f"--base={ref}")
    assert (code, out, err) == (2, "", message)


def test_a_plan_not_in_git_is_exit_2(repo: Path) -> None:
    _write(repo / "other_plan", BASE)
    code, _, err = run("plan", "diff", "--base", "HEAD", "other_plan")
    assert code == 2
    assert err == "Error: other_plan is not in git at HEAD\n"


def test_outside_a_repository_is_exit_2(project: Path) -> None:
    code, _, err = run("plan", "diff", "--base", "HEAD", "tracking_plan")
    assert code == 2
    assert err == "Error: tracking_plan is not inside a git repository\n"


def test_a_committed_symlink_is_not_followed(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secret = tmp_path_factory.mktemp("outside") / "secret.yaml"
    secret.write_text("events:\n  Secret Event: {}\n")
    (repo / "tracking_plan" / "link.yaml").symlink_to(secret)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "link")
    (repo / "tracking_plan" / "link.yaml").unlink()
    code, out, _ = run("plan", "diff", "--base", "HEAD", "--no-code")
    # the committed link is skipped, not read: the working plan has no change against it
    assert (code, out) == (0, "No changes from HEAD:tracking_plan to tracking_plan.\n")


def test_committed_broken_plan_names_the_ref(repo: Path) -> None:
    (repo / "tracking_plan" / "plan.yaml").write_text("events: [1, 2\n")
    _git(repo, "commit", "-qam", "broken")
    _write(repo / "tracking_plan", BASE)
    code, _, err = run("plan", "diff", "--base", "HEAD")
    assert code == 2
    assert err.startswith("Error: HEAD:tracking_plan/plan.yaml")
    assert "cio-lint-base-" not in err
