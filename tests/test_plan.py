"""Tests of ``cio_lint.plan``: loading, merging, validating, ``$ref`` scoping and importers."""

from __future__ import annotations

import json
import pickle
import socket
import textwrap
import urllib.request
from pathlib import Path

import pytest

from cio_lint.plan import (
    PlanError,
    PlanIssue,
    SchemaViolation,
    find_plan,
    load_plan,
    normalize_name,
)
from cio_lint.plan.importers import import_plan

# public plans vendored with their licences (tests/data/realworld-plans/SOURCE.md)
REALWORLD = Path(__file__).resolve().parent / "data" / "realworld-plans"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return path


@pytest.fixture
def plan_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``tracking_plan/`` in the current folder, so paths print as users see them."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "tracking_plan"
    folder.mkdir()
    return folder


def load_error(path: Path | str) -> PlanError:
    with pytest.raises(PlanError) as info:
        load_plan(Path(path))
    return info.value


SPEC_PLAN = """
version: 1
defaults:
  additionalProperties: false
identify:
  properties:
    email: {type: string, format: email}
    plan: {$ref: "#/$defs/plan"}
    created_at: {type: integer, description: Unix seconds}
events:
  Signed Up:
    description: A person created an account.
    properties:
      plan: {$ref: "#/$defs/plan"}
      referrer: {type: [string, "null"]}
    required: [plan]
  Order Completed:
    properties:
      order_id: {type: string}
      total: {type: number, minimum: 0}
      currency: {enum: [USD, EUR, GBP]}
      contact: {type: string, format: email}
      placed_at: {type: string, format: date-time}
      address:
        type: object
        properties:
          city: {type: string}
        additionalProperties: false
    required: [order_id, total]
  Trial Extended:
    deprecated: true
    x-replaced-by: Trial Started
$defs:
  plan: {enum: [free, pro, enterprise]}
"""


# --------------------------------------------------------------------------- loading & merging


def test_spec_example_loads(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", SPEC_PLAN)
    plan = load_plan(Path("tracking_plan"))
    assert set(plan.events) == {"Signed Up", "Order Completed", "Trial Extended"}
    assert plan.root == plan_dir.resolve()
    assert plan.files == ((plan_dir / "plan.yaml").resolve(),)
    assert plan.defaults_additional_properties is False
    signed_up = plan.event("Signed Up")
    assert signed_up is not None
    assert signed_up.kind == "event"
    assert signed_up.source == "tracking_plan/plan.yaml"
    assert signed_up.line == 10
    assert signed_up.description == "A person created an account."
    assert signed_up.required == ("plan",)
    assert signed_up.property_names == ("plan", "referrer")
    assert signed_up.schema["type"] == "object"
    assert signed_up.schema["additionalProperties"] is False
    trial = plan.event("Trial Extended")
    assert trial is not None and trial.deprecated and trial.replaced_by == "Trial Started"
    assert plan.identify is not None and plan.identify.kind == "identify"
    assert plan.identify.property_names == ("email", "plan", "created_at")
    assert plan.group is None
    assert plan.event("Nope") is None


def test_files_are_merged(plan_dir: Path) -> None:
    write(
        plan_dir,
        "orders.yaml",
        """
        events:
          Order Completed:
            properties:
              plan: {$ref: "#/$defs/plan"}
        """,
    )
    write(
        plan_dir,
        "sub/people.yml",
        """
        version: 1
        identify:
          properties:
            email: {type: string}
        $defs:
          plan: {enum: [free, pro]}
        """,
    )
    write(plan_dir, "z.json", json.dumps({"events": {"Signed Up": {}}}, indent=2))
    plan = load_plan(plan_dir)
    assert sorted(plan.events) == ["Order Completed", "Signed Up"]
    assert plan.identify is not None and plan.identify.source == "tracking_plan/sub/people.yml"
    assert [f.name for f in plan.files] == ["orders.yaml", "people.yml", "z.json"]
    # ``$defs`` of another file resolve from ``#/$defs``
    order = plan.event("Order Completed")
    assert order is not None
    assert order.value_errors("plan", "gold") == ["'gold' is not one of ['free', 'pro']"]
    signed_up = plan.event("Signed Up")
    assert (
        signed_up is not None and signed_up.line == 3 and signed_up.source == "tracking_plan/z.json"
    )


def test_duplicate_event_names_both_files(plan_dir: Path) -> None:
    write(plan_dir, "a.yaml", "events:\n  Signed Up: {}\n")
    write(plan_dir, "b.yaml", "version: 1\nevents:\n  Other: {}\n  Signed Up: {}\n")
    error = load_error("tracking_plan")
    assert error.headline == "tracking_plan/b.yaml is not a valid tracking plan"
    assert len(error.issues) == 1
    issue = error.issues[0]
    assert (issue.path, issue.line, issue.pointer) == (
        "tracking_plan/b.yaml",
        4,
        "$.events['Signed Up']",
    )
    assert "tracking_plan/a.yaml:2" in issue.message
    assert str(error) == (
        "tracking_plan/b.yaml is not a valid tracking plan\n"
        "  tracking_plan/b.yaml:4:3: $.events['Signed Up']: event `Signed Up` is also defined in "
        "tracking_plan/a.yaml:2"
    )


def test_duplicate_defs_identify_and_conflicting_defaults(plan_dir: Path) -> None:
    write(
        plan_dir,
        "a.yaml",
        """
        defaults: {additionalProperties: true}
        identify: {}
        $defs:
          plan: {type: string}
        """,
    )
    write(
        plan_dir,
        "b.yaml",
        """
        defaults: {additionalProperties: false}
        identify: {}
        $defs:
          plan: {type: string}
        """,
    )
    error = load_error(plan_dir)
    messages = [str(i) for i in error.issues]
    assert any(
        "`$defs` entry `plan` is also defined in tracking_plan/a.yaml:4" in m for m in messages
    )
    assert any("`identify` is also defined in tracking_plan/a.yaml:2" in m for m in messages)
    assert any("`defaults.additionalProperties` is false here but true" in m for m in messages)
    assert all(i.path == "tracking_plan/b.yaml" for i in error.issues)


def test_case_collision_is_not_a_load_error(plan_dir: Path) -> None:
    write(plan_dir, "a.yaml", "events:\n  Event Collided: {}\n")
    write(plan_dir, "b.yaml", "events:\n  event_collided: {}\n")
    plan = load_plan(plan_dir)
    assert plan.collisions() == [("Event Collided", "event_collided")]


def test_duplicate_key_within_a_yaml_file(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", "events:\n  Signed Up: {}\n  Signed Up: {}\n")
    (issue,) = load_error(plan_dir).issues
    assert issue.line == 3
    assert issue.message == "duplicate key `Signed Up` (first on line 2)"


def test_empty_yaml_event_means_no_properties(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", "events:\n  App Opened:\n")
    spec = load_plan(plan_dir).event("App Opened")
    assert spec is not None
    assert spec.property_names == ()
    assert not spec.allows_property("anything")


# --------------------------------------------------------------------------- broken plans


def test_yaml_syntax_error_has_line(plan_dir: Path) -> None:
    write(
        plan_dir, "plan.yaml", "events:\n  Signed Up:\n    properties: {plan: [free\n  Other: {}\n"
    )
    (issue,) = load_error("tracking_plan").issues
    assert issue.path == "tracking_plan/plan.yaml"
    assert issue.line == 4
    assert issue.pointer == "$"
    assert issue.message.startswith("invalid YAML: ")


def test_json_syntax_error_has_line(plan_dir: Path) -> None:
    write(plan_dir, "plan.json", '{\n  "events": {\n    "A": {},\n  }\n}\n')
    (issue,) = load_error(plan_dir).issues
    assert issue.line == 4
    assert issue.message.startswith("invalid JSON: ")


def test_invalid_schema_reports_file_line_and_pointer(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", SPEC_PLAN.replace("total: {type: number", "total: {type: numbr"))
    error = load_error("tracking_plan")
    assert str(error) == (
        "tracking_plan/plan.yaml is not a valid tracking plan\n"
        "  tracking_plan/plan.yaml:19:15: $.events['Order Completed'].properties.total.type: "
        "`numbr` is not a JSON Schema type: use `array`, `boolean`, `integer`, `null`, "
        "`number`, `object` or `string`; did you mean `number`?"
    )


def test_all_issues_of_all_files_are_collected(plan_dir: Path) -> None:
    write(plan_dir, "a.yaml", "events:\n  A:\n    required: yes\n")
    write(plan_dir, "b.yaml", "events:\n  B:\n    type: string\n")
    write(plan_dir, "c.yaml", "events: [\n")
    error = load_error(plan_dir)
    assert error.headline == "tracking_plan is not a valid tracking plan"
    assert [(i.path, i.line) for i in error.issues] == [
        ("tracking_plan/a.yaml", 3),
        ("tracking_plan/b.yaml", 3),
        ("tracking_plan/c.yaml", 2),
    ]
    assert error.issues[0].pointer == "$.events.A.required"
    assert error.issues[1].message == (
        "`type` is `string`, but an event, `identify` or `group` schema describes the "
        "properties (or traits) object: leave `type` out (or write `object`) and put the "
        "schema of each property under `properties`"
    )


def test_json_issue_lines(plan_dir: Path) -> None:
    doc = {"events": {"Order Completed": {"properties": {"total": {"type": "numbr"}}}}}
    write(plan_dir, "plan.json", json.dumps(doc, indent=2))
    (issue,) = load_error(plan_dir).issues
    assert issue.line == 6
    assert issue.pointer == "$.events['Order Completed'].properties.total.type"


def test_unknown_top_level_key(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", "version: 1\nx-owner: growth\nevents: {}\nevent:\n  A: {}\n")
    (issue,) = load_error(plan_dir).issues
    assert (issue.line, issue.pointer) == (4, "$.event")
    assert issue.message.startswith("unknown top-level key `event`")


def test_file_without_plan_keys(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", "version: 1\n")
    write(plan_dir, "empty.yaml", "")
    messages = [i.message for i in load_error(plan_dir).issues]
    assert messages[0].startswith("is empty")
    assert messages[1].startswith("has none of `events`")


def test_wrong_version_and_blank_event_name(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", "version: 2\nevents:\n  '': {}\n")
    messages = {i.pointer: i.message for i in load_error(plan_dir).issues}
    assert messages["$.version"] == "plan format version `2` is not supported: use `version: 1`"
    assert "should be non-empty" in messages["$.events"]


def test_non_utf8_file(plan_dir: Path) -> None:
    (plan_dir / "plan.yaml").write_bytes(b"events:\n  Caf\xe9 Visited: {}\n")
    (issue,) = load_error("tracking_plan").issues
    assert issue.path == "tracking_plan/plan.yaml"
    assert issue.line == 2
    assert "not UTF-8" in issue.message


def test_empty_folder_says_where_it_looked(plan_dir: Path) -> None:
    write(plan_dir, "README.md", "not a plan\n")
    error = load_error("tracking_plan")
    assert error.headline == "No tracking-plan files (*.yaml, *.yml, *.json) found in tracking_plan"


def test_missing_path() -> None:
    error = load_error("/nonexistent/tracking_plan")
    assert "does not exist" in error.headline


def test_plan_issue_str_without_line() -> None:
    issue = PlanIssue("plan.json", None, "$.events", "bad")
    assert str(issue) == "plan.json: $.events: bad"
    assert str(PlanIssue("p.yaml", 3, "$", "bad")) == "p.yaml:3: $: bad"


# --------------------------------------------------------------------------- $ref scoping


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every network access fail loudly, and record attempts."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args))
        raise AssertionError("cio-lint must never touch the network while loading a plan")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_url_ref_is_refused_and_never_fetched(plan_dir: Path, no_network: list[str]) -> None:
    write(
        plan_dir,
        "plan.yaml",
        """
        events:
          Signed Up:
            properties:
              plan: {$ref: "https://example.com/schemas/plan.json"}
              other: {$ref: "file:///etc/passwd"}
        """,
    )
    issues = load_error(plan_dir).issues
    assert [(i.line, i.pointer) for i in issues] == [
        (4, "$.events['Signed Up'].properties.plan.$ref"),
        (5, "$.events['Signed Up'].properties.other.$ref"),
    ]
    assert "is refused" in issues[0].message and "never fetched" in issues[0].message
    assert no_network == []


def test_ref_leaving_the_plan_folder_is_refused(plan_dir: Path, no_network: list[str]) -> None:
    (plan_dir.parent / "outside.json").write_text('{"$defs": {"x": {"type": "string"}}}')
    write(
        plan_dir,
        "plan.yaml",
        """
        events:
          Signed Up:
            properties:
              a: {$ref: "../outside.json#/$defs/x"}
              b: {$ref: "/etc/passwd"}
              c: {$ref: "missing.yaml#/$defs/x"}
        """,
    )
    issues = load_error(plan_dir).issues
    assert [i.line for i in issues] == [4, 5, 6]
    assert "leaves the plan folder" in issues[0].message
    assert "absolute path" in issues[1].message
    assert "not part of the plan" in issues[2].message
    assert no_network == []


def test_unresolvable_local_ref(plan_dir: Path) -> None:
    write(
        plan_dir,
        "plan.yaml",
        "events:\n  A:\n    properties:\n      p: {$ref: '#/$defs/missing'}\n$defs: {}\n",
    )
    (issue,) = load_error(plan_dir).issues
    assert issue.line == 4
    assert issue.message == "`$ref` to `#/$defs/missing` does not resolve to anything in the plan"


def test_relative_file_ref_inside_the_plan(plan_dir: Path) -> None:
    write(plan_dir, "common/defs.yaml", "$defs:\n  currency: {enum: [USD, EUR]}\n")
    write(
        plan_dir,
        "orders/plan.yaml",
        """
        events:
          Order Completed:
            properties:
              currency: {$ref: "../common/defs.yaml#/$defs/currency"}
        """,
    )
    spec = load_plan(plan_dir).event("Order Completed")
    assert spec is not None
    assert spec.value_errors("currency", "JPY") == ["'JPY' is not one of ['USD', 'EUR']"]


def test_defs_ref_in_value_errors_and_validate(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", SPEC_PLAN)
    plan = load_plan(plan_dir)
    spec = plan.event("Signed Up")
    assert spec is not None
    assert spec.value_errors("plan", "gold") == [
        "'gold' is not one of ['free', 'pro', 'enterprise']"
    ]
    assert spec.value_errors("plan", "pro") == []
    assert spec.validate({"plan": "gold"}) == [
        SchemaViolation(
            "value", "plan", "'gold' is not one of ['free', 'pro', 'enterprise']", ("plan",)
        )
    ]
    assert plan.identify is not None
    assert plan.identify.value_errors("plan", "x") == [
        "'x' is not one of ['free', 'pro', 'enterprise']"
    ]


def test_event_that_is_a_ref_uses_unevaluated_properties(plan_dir: Path) -> None:
    write(
        plan_dir,
        "plan.yaml",
        """
        events:
          Order Completed:
            $ref: "#/$defs/order"
        $defs:
          order:
            properties:
              total: {type: number}
            required: [total]
        """,
    )
    spec = load_plan(plan_dir).event("Order Completed")
    assert spec is not None
    assert spec.schema["unevaluatedProperties"] is False
    assert spec.property_names == ("total",) and spec.required == ("total",)
    assert spec.allows_property("total") and not spec.allows_property("extra")
    assert spec.value_errors("total", "x") == ["'x' is not of type 'number'"]
    kinds = {(v.kind, v.prop) for v in spec.validate({"extra": 1})}
    assert kinds == {("required", "total"), ("unknown", "extra")}


def test_id_is_not_supported(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", "events:\n  A:\n    properties:\n      p: {$id: 'https://x/y'}\n")
    (issue,) = load_error(plan_dir).issues
    assert issue.message.startswith("`$id` is not supported")


# --------------------------------------------------------------------------- additionalProperties


@pytest.mark.parametrize(
    ("defaults", "expected"),
    [
        ("", False),
        ("defaults: {additionalProperties: false}\n", False),
        ("defaults: {additionalProperties: true}\n", True),
    ],
)
def test_defaults_additional_properties(plan_dir: Path, defaults: str, expected: bool) -> None:
    write(
        plan_dir,
        "plan.yaml",
        defaults
        + "events:\n  Open:\n    properties: {a: {}}\n"
        + "  Closed:\n    additionalProperties: false\n"
        + "  Loose:\n    additionalProperties: true\n",
    )
    plan = load_plan(plan_dir)
    assert plan.defaults_additional_properties is expected
    assert plan.events["Open"].allows_property("zzz") is expected
    assert plan.events["Open"].schema["additionalProperties"] is expected
    assert plan.events["Closed"].allows_property("zzz") is False
    assert plan.events["Loose"].allows_property("zzz") is True
    assert plan.events["Loose"].validate({"zzz": 1}) == []
    unknown = plan.events["Closed"].validate({"zzz": 1})
    assert [(v.kind, v.prop, v.path) for v in unknown] == [("unknown", "zzz", ("zzz",))]


def test_defaults_in_one_file_apply_to_all(plan_dir: Path) -> None:
    write(plan_dir, "a.yaml", "defaults: {additionalProperties: true}\n")
    write(plan_dir, "b.yaml", "events:\n  Open: {}\n")
    assert load_plan(plan_dir).events["Open"].allows_property("zzz")


def test_allows_property_with_pattern_properties(plan_dir: Path) -> None:
    write(
        plan_dir,
        "plan.yaml",
        """
        events:
          Experiment Viewed:
            properties:
              experiment: {type: string}
            patternProperties:
              "^variant_": {type: integer}
        """,
    )
    spec = load_plan(plan_dir).event("Experiment Viewed")
    assert spec is not None
    assert spec.allows_property("experiment")
    assert spec.allows_property("variant_color")
    assert not spec.allows_property("color")
    assert spec.value_errors("variant_color", "red") == ["'red' is not of type 'integer'"]
    assert spec.value_errors("color", "red") == []  # unknown, not a value problem


def test_additional_properties_schema_is_used_for_values(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", "events:\n  A:\n    additionalProperties: {type: string}\n")
    spec = load_plan(plan_dir).event("A")
    assert spec is not None
    assert spec.allows_property("anything")
    assert spec.value_errors("anything", 3) == ["3 is not of type 'string'"]


# --------------------------------------------------------------------------- values & validation


@pytest.fixture
def order(plan_dir: Path):  # type: ignore[no-untyped-def]
    write(plan_dir, "plan.yaml", SPEC_PLAN)
    spec = load_plan(plan_dir).event("Order Completed")
    assert spec is not None
    return spec


def test_value_errors(order) -> None:  # type: ignore[no-untyped-def]
    assert order.value_errors("currency", "JPY") == ["'JPY' is not one of ['USD', 'EUR', 'GBP']"]
    assert order.value_errors("order_id", 42) == ["42 is not of type 'string'"]
    assert order.value_errors("total", -1) == ["-1 is less than the minimum of 0"]
    assert order.value_errors("contact", "not-an-email") == ["'not-an-email' is not a 'email'"]
    assert order.value_errors("placed_at", "yesterday") == ["'yesterday' is not a 'date-time'"]
    assert order.value_errors("placed_at", "2024-05-01T10:00:00Z") == []
    assert order.value_errors("address", {"city": 1}) == ["1 is not of type 'string'"]
    assert order.value_errors("total", 10) == []
    assert order.value_errors("undeclared", "x") == []


def test_validate_classifies_every_error(order) -> None:  # type: ignore[no-untyped-def]
    violations = order.validate(
        {"total": "ten", "colour": "red", "address": {"city": 3, "zip": "x"}}
    )
    found = {(v.kind, v.prop, v.path) for v in violations}
    assert found == {
        ("value", "total", ("total",)),
        ("unknown", "colour", ("colour",)),
        ("required", "order_id", ("order_id",)),
        ("value", "address", ("address", "city")),
        ("unknown", "address", ("address",)),
    }
    messages = {v.prop: v.message for v in violations if v.kind != "unknown"}
    assert messages["order_id"] == "'order_id' is a required property"
    assert messages["total"] == "'ten' is not of type 'number'"


def test_annotations_do_not_cause_issues(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", SPEC_PLAN)
    spec = load_plan(plan_dir).event("Trial Extended")
    assert spec is not None
    assert spec.validate({}) == []


# --------------------------------------------------------------------------- names


def test_normalize_name() -> None:
    assert normalize_name("Order Completed") == "ordercompleted"
    assert (
        normalize_name("order_completed") == normalize_name("ORDER-completed.") == "ordercompleted"
    )


def test_case_variants_closest_and_collisions(plan_dir: Path) -> None:
    write(
        plan_dir,
        "plan.yaml",
        """
        events:
          Order Completed: {}
          order_completed: {}
          Signed Up: {}
          Trial Started: {}
          trial-started: {}
          TRIAL.STARTED: {}
        """,
    )
    plan = load_plan(plan_dir)
    assert plan.case_variants("order completed") == ["Order Completed", "order_completed"]
    assert plan.case_variants("Order Completed") == ["order_completed"]
    assert plan.case_variants("Signed Up") == []
    assert plan.closest("Signed Upp") == "Signed Up"
    assert plan.closest("signed_up") == "Signed Up"
    assert plan.closest("Completely Different Thing") is None
    assert plan.collisions() == [
        ("Order Completed", "order_completed"),
        ("TRIAL.STARTED", "Trial Started", "trial-started"),
    ]


# --------------------------------------------------------------------------- misc


def test_fingerprint_changes_with_content(plan_dir: Path) -> None:
    path = write(plan_dir, "plan.yaml", "events:\n  A: {}\n")
    first = load_plan(plan_dir).fingerprint
    assert load_plan(plan_dir).fingerprint == first
    path.write_text("events:\n  B: {}\n")
    second = load_plan(plan_dir).fingerprint
    assert second != first
    write(plan_dir, "more.yaml", "events:\n  C: {}\n")
    assert load_plan(plan_dir).fingerprint not in (first, second)


def test_find_plan(tmp_path: Path) -> None:
    (tmp_path / "tracking_plan").mkdir()
    source = write(tmp_path, "app/shop/orders.py", "")
    assert find_plan(source) == (tmp_path / "tracking_plan").resolve()
    assert find_plan(source.parent) == (tmp_path / "tracking_plan").resolve()
    assert find_plan(tmp_path / "tracking_plan") == (tmp_path / "tracking_plan").resolve()


def test_find_plan_none(tmp_path: Path) -> None:
    # nothing here: the answer is whatever is above the temporary folder, usually nothing
    above = [p / "tracking_plan" for p in tmp_path.resolve().parents]
    expected = next((p.resolve() for p in above if p.is_dir()), None)
    assert find_plan(tmp_path) == expected


def test_single_file_plan(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.yaml", "events:\n  A: {}\n")
    plan = load_plan(path)
    assert list(plan.events) == ["A"]
    assert plan.root == tmp_path.resolve()


def test_plan_pickles(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", SPEC_PLAN)
    plan = pickle.loads(pickle.dumps(load_plan(plan_dir)))
    spec = plan.event("Signed Up")
    assert spec.value_errors("plan", "gold") == [
        "'gold' is not one of ['free', 'pro', 'enterprise']"
    ]
    error = pickle.loads(pickle.dumps(PlanError("head", [PlanIssue("p", 1, "$", "m")])))
    assert str(error) == "head\n  p:1: $: m"


def test_yaml_dates_stay_strings(plan_dir: Path) -> None:
    write(plan_dir, "plan.yaml", "events:\n  A:\n    properties:\n      day: {const: 2024-01-01}\n")
    spec = load_plan(plan_dir).event("A")
    assert spec is not None
    assert spec.value_errors("day", "2024-01-01") == []


# --------------------------------------------------------------------------- real-world imports


@pytest.fixture
def realworld() -> Path:
    assert REALWORLD.is_dir(), f"{REALWORLD} is missing"  # vendored: never skipped
    return REALWORLD


def test_import_typewriter_v7_example(realworld: Path) -> None:
    path = realworld / "segment-typewriter" / "typewriter-example-plan.v7-configapi.json"
    plan = import_plan(path)
    assert list(plan["events"]) == [
        "Sign In Failed",
        "Sign In Submitted",
        "Sign In Succeeded",
        "User Signed Out",
    ]
    failed = plan["events"]["Sign In Failed"]
    assert failed["required"] == ["id"]
    assert failed["description"].startswith("Fired after a user's signin attempt fails")
    assert set(failed["properties"]) == {"id", "numAttempts", "rememberMe"}
    loaded = load_plan(path)
    spec = loaded.event("Sign In Failed")
    assert spec is not None
    assert spec.value_errors("numAttempts", "3") == ["'3' is not of type 'integer'"]
    assert spec.line is not None


def test_import_typewriter_v7_e2e(realworld: Path) -> None:
    path = realworld / "segment-typewriter" / "typewriter-e2e-plan.v7-configapi.json"
    names = set(import_plan(path)["events"])
    assert {"Empty Event", "Property Object Name Collision #1", "Union Type"} <= names
    assert len(names) == 24
    assert load_plan(path).collisions() == [("Event Collided", "event_collided")]


def test_import_typewriter_v8_e2e(realworld: Path) -> None:
    path = realworld / "segment-typewriter" / "typewriter-e2e-plan.v8-publicapi.json"
    plan = import_plan(path)
    assert len(plan["events"]) == 25
    assert {
        "Event Collided",
        "event_collided",
        "NoID Type",
        "42_--terrible==\\\"event'++name~!3",
    } <= set(plan["events"])
    assert "$schema" not in plan["events"]["Union Type"]
    loaded = load_plan(path)
    assert loaded.collisions() == [("Event Collided", "event_collided")]
    custom = loaded.event("Custom Violation Handler")
    assert custom is not None
    assert custom.required == ("regex property",)
    assert custom.value_errors("regex property", "Rick") == [
        "'Rick' does not match 'Lawyer Morty|Evil Morty'"
    ]
    weird = loaded.event("42_--terrible==\\\"event'++name~!3")
    assert weird is not None and weird.validate({}) == []


def test_import_typewriter_v8_telemetry(realworld: Path) -> None:
    path = realworld / "segment-typewriter" / "typewriter-telemetry-plan.v8-publicapi.json"
    assert list(import_plan(path)["events"]) == [
        "Command Build",
        "Command Error",
        "Command Help",
        "Command Init",
        "KitchenSink",
        "VersionCommand",
    ]
    build = load_plan(path).event("Command Build")
    assert build is not None
    assert build.value_errors("mode", "staging") == ["'staging' is not one of ['dev', 'prod']"]
    assert "workspace" in build.required


def test_import_ruddertyper(realworld: Path) -> None:
    path = realworld / "rudderstack-ruddertyper" / "ruddertyper-sample-plan.json"
    plan = import_plan(path)
    assert list(plan["events"]) == ["Sample event 1"]
    assert plan["identify"]["properties"] == {"Sample property 1": {}}
    assert plan["group"]["additionalProperties"] is False
    loaded = load_plan(path)
    assert loaded.identify is not None and not loaded.identify.allows_property("other")
    assert loaded.group is not None


def test_import_rudder_cli_project(realworld: Path) -> None:
    path = realworld / "rudderstack-rudder-cli-project"
    plan = import_plan(path)
    assert list(plan["events"]) == [
        "Some Track Event",
        "Some Empty Track Event",
        "Some Empty Track Event With Additional Properties",
        "Some Track Event With Variants",
    ]
    track = plan["events"]["Some Track Event"]
    assert track["required"] == [
        "someString",
        "someInteger",
        "someNumber",
        "someBoolean",
        "someObject",
    ]
    assert track["properties"]["someCustomString"]["$ref"] == "#/$defs/SomeStringType"
    loaded = load_plan(path)
    spec = loaded.event("Some Track Event")
    assert spec is not None
    assert spec.value_errors("someStringWithEnum", "HEAD") == [
        "'HEAD' is not one of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH']"
    ]
    assert spec.value_errors("someCustomString", 1) == ["1 is not of type 'string'"]
    assert loaded.events["Some Empty Track Event With Additional Properties"].allows_property("x")
    variants = loaded.event("Some Track Event With Variants")
    assert variants is not None
    missing = [v.prop for v in variants.validate({"someString": "case_1"}) if v.kind == "required"]
    assert missing == ["someInteger"]


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        (
            "snowplow-iglu-central",
            [
                "alias",
                "context",
                "event",
                "group",
                "identify",
                "link_click",
                "page",
                "screen",
                "traits",
            ],
        ),
        ("snowplow-micro-examples", ["cart_action", "product_entity", "purchase_event"]),
    ],
)
def test_import_iglu(realworld: Path, folder: str, expected: list[str]) -> None:
    plan = import_plan(realworld / folder)
    assert sorted(plan["events"]) == expected
    for schema in plan["events"].values():
        assert "self" not in schema and "$schema" not in schema
    assert sorted(load_plan(realworld / folder).events) == expected


def test_iglu_keeps_the_newest_schemaver(realworld: Path) -> None:
    plan = import_plan(realworld / "snowplow-iglu-central")
    link_click = plan["events"]["link_click"]
    assert link_click["x-iglu"] == "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
    assert "elementContent" in link_click["properties"]
    purchase = load_plan(realworld / "snowplow-micro-examples").event("purchase_event")
    assert purchase is not None
    assert purchase.value_errors("total", -5) == ["-5 is less than the minimum of 0"]


def test_unrecognised_import(tmp_path: Path) -> None:
    path = write(tmp_path, "thing.json", '{"hello": "world"}')
    with pytest.raises(PlanError, match="not a tracking plan cio-lint can import"):
        import_plan(path)


def test_closest_prunes_with_quick_ratios_without_changing_answers() -> None:
    """``closest`` skips candidates whose quick upper bounds cannot win: the same answer as
    computing every ratio, on typos of every planned name of the demo plan."""
    import difflib
    import random
    import string

    from cio_lint.plan.model import normalize_name

    plan = load_plan(Path(__file__).resolve().parent.parent / "tracking_plan")

    def every_ratio(name: str) -> str | None:
        best: tuple[float, str] | None = None
        for planned in sorted(plan.events):
            ratio = max(
                difflib.SequenceMatcher(None, name, planned).ratio(),
                difflib.SequenceMatcher(
                    None, normalize_name(name), normalize_name(planned)
                ).ratio(),
            )
            if ratio >= 0.6 and (best is None or ratio > best[0]):
                best = (ratio, planned)
        return best[1] if best else None

    rng = random.Random(7)
    names = ["", "x", "signed up", "ORDER_COMPLETED", "a completely different thing"]
    for planned in sorted(plan.events):
        for _ in range(20):
            chars = list(planned)
            for _ in range(rng.randint(1, 6)):
                at = rng.randrange(len(chars) + 1)
                roll = rng.random()
                if roll < 0.3 and chars:
                    chars.pop(min(at, len(chars) - 1))
                elif roll < 0.6:
                    chars.insert(at, rng.choice(string.ascii_letters + " _-"))
                elif chars:
                    chars[min(at, len(chars) - 1)] = rng.choice(string.ascii_letters)
            names.append("".join(chars))
    assert len(names) > 100
    assert [plan.closest(n) for n in names] == [every_ratio(n) for n in names]
    assert sum(plan.closest(n) is not None for n in names) > 50


def test_value_errors_are_remembered_per_type_and_value(plan_dir: Path) -> None:
    """A literal checked once is not validated again, and ``True`` is not taken for ``1``."""
    write(
        plan_dir,
        "plan.yaml",
        """
        version: 1
        events:
          Counted:
            properties:
              n: {type: integer, minimum: 1}
    """,
    )
    spec = load_plan(plan_dir).events["Counted"]
    assert spec.value_errors("n", 1) == []
    assert spec.value_errors("n", True) == ["True is not of type 'integer'"]
    first = spec.value_errors("n", 0)
    assert first == ["0 is less than the minimum of 1"]
    first.append("changed by a caller")
    assert spec.value_errors("n", 0) == ["0 is less than the minimum of 1"]
    assert spec.value_errors("n", 1.5) == ["1.5 is not of type 'integer'"]
