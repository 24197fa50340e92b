"""Plan errors a user can act on: a clean location, which value is wrong and what would be
right (``plan/messages.py``), and unknown keywords (``propertes:``) reported by ``plan check``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cio_lint.cli import main
from cio_lint.plan import PlanError, load_plan
from cio_lint.plan.messages import schema_keywords

REALWORLD = Path(__file__).resolve().parent / "data" / "realworld-plans"  # vendored

# The brief's example: a typo'd type and a typo'd keyword.
TYPO_PLAN = """\
version: 1
events:
  Item Created:
    properties:
      color:
        type: strng
    propertes:
      size: {type: integer}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tracking_plan").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n", "utf-8")
    return tmp_path


def plan(root: Path, text: str, name: str = "plan.yaml") -> None:
    (root / "tracking_plan" / name).write_text(textwrap.dedent(text), "utf-8")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def messages(root: Path) -> list[str]:
    with pytest.raises(PlanError) as info:
        load_plan(Path("tracking_plan"))
    return [str(issue) for issue in info.value.issues]


def test_an_invalid_type_names_the_value_the_valid_types_and_the_closest(project: Path) -> None:
    plan(project, TYPO_PLAN)
    code, _, err = run("plan", "check")
    assert code == 2
    assert err.splitlines() == [
        "Error: tracking_plan/plan.yaml is not a valid tracking plan",
        (
            "  tracking_plan/plan.yaml:6:9: $.events['Item Created'].properties.color.type: "
            "`strng` is not a JSON Schema type: use `array`, `boolean`, `integer`, `null`, "
            "`number`, `object` or `string`; did you mean `string`?"
        ),
        (
            "  tracking_plan/plan.yaml:7:5: $.events['Item Created'].propertes: unknown keyword "
            "`propertes`: JSON Schema ignores it, so it constrains nothing; "
            "did you mean `properties`?"
        ),
    ]
    assert "::" not in err


def test_a_list_of_types_names_the_wrong_member(project: Path) -> None:
    plan(
        project,
        """\
        events:
          A:
            properties:
              a: {type: [integr, "null"]}
              b: {type: [string, nul, bogus]}
              c: {type: wholly-unlike}
        """,
    )
    assert messages(project) == [
        (
            "tracking_plan/plan.yaml:4:11: $.events.A.properties.a.type: `integr` is not a JSON "
            "Schema type: use `array`, `boolean`, `integer`, `null`, `number`, `object` or "
            "`string`; did you mean `integer`?"
        ),
        (
            "tracking_plan/plan.yaml:5:11: $.events.A.properties.b.type: `nul` is not a JSON "
            "Schema type (nor is `bogus`): use `array`, `boolean`, `integer`, `null`, `number`, "
            "`object` or `string`; did you mean `null`?"
        ),
        (
            "tracking_plan/plan.yaml:6:11: $.events.A.properties.c.type: `wholly-unlike` is not a "
            "JSON Schema type: use `array`, `boolean`, `integer`, `null`, `number`, `object` or "
            "`string`"
        ),
    ]


def test_a_json_plan_file_has_a_line_without_the_empty_column(project: Path) -> None:
    plan(
        project,
        '{"events": {"A": {"properties": {"a": {"type": "strng"}}}}}\n',
        name="plan.json",
    )
    (line,) = messages(project)
    assert line.startswith("tracking_plan/plan.json:1:")
    assert "::" not in line and "did you mean `string`?" in line


def test_unknown_keywords_anywhere_in_a_schema_are_reported_with_their_place(
    project: Path,
) -> None:
    plan(
        project,
        """\
        identify:
          properties:
            email: {type: string, fromat: email}
        events:
          A:
            requird: [a]
            properties:
              a:
                type: array
                itmes: {type: string}
        $defs:
          p: {enum: [x], x-owner: growth, descripton: d}
        """,
    )
    code, _, err = run("plan", "check")
    assert code == 2
    lines = err.splitlines()[1:]
    assert [line.split(": ")[0].strip() for line in lines] == [
        "tracking_plan/plan.yaml:3:27",
        "tracking_plan/plan.yaml:6:5",
        "tracking_plan/plan.yaml:10:9",
        "tracking_plan/plan.yaml:12:35",
    ]
    assert "did you mean `format`?" in lines[0]
    assert "did you mean `required`?" in lines[1]
    assert "did you mean `items`?" in lines[2]
    assert "did you mean `description`?" in lines[3]
    assert all("x-owner" not in line for line in lines)


def test_json_schema_keywords_are_not_flagged(project: Path) -> None:
    plan(
        project,
        """\
        version: 1
        $defs:
          plan: {enum: [free, pro], title: Plan, $comment: shared}
        events:
          Order Completed:
            $schema: "https://json-schema.org/draft/2020-12/schema"
            description: An order went through.
            deprecated: true
            x-replaced-by: Order Placed
            x-owner: growth
            examples: [{total: 1}]
            required: [total]
            dependentRequired: {coupon: [total]}
            unevaluatedProperties: false
            allOf: [{properties: {plan: {$ref: "#/$defs/plan"}}}]
            properties:
              total: {type: number, minimum: 0, exclusiveMaximum: 1000000, multipleOf: 0.01}
              coupon: {type: string, pattern: "^[A-Z]+$", minLength: 1, maxLength: 9}
              when: {type: string, format: date-time, default: "", readOnly: true}
              items:
                type: array
                items: {type: object, properties: {sku: {type: string}}, required: [sku]}
                prefixItems: [{type: object}]
                minItems: 1
                uniqueItems: true
                contains: {type: object}
              meta:
                type: object
                patternProperties: {"^k_": {type: string}}
                propertyNames: {maxLength: 20}
                additionalProperties: {type: [string, "null"], const: x}
              legacy: {id: "#legacy", definitions: {}, additionalItems: false}
              properties: {type: string}
              propertes: {type: string}
          Item Created:
        """,
    )
    loaded = load_plan(Path("tracking_plan"))
    assert loaded.warnings == ()
    code, out, _ = run("plan", "check")
    assert code == 0 and "valid tracking plan (2 events)" in out


def test_the_allowed_set_is_json_schema_2020_12_plus_earlier_drafts() -> None:
    keywords = schema_keywords()
    for keyword in ("type", "enum", "format", "pattern", "minimum", "items", "$ref", "$defs"):
        assert keyword in keywords
    for keyword in ("description", "deprecated", "unevaluatedProperties", "id", "definitions"):
        assert keyword in keywords
    assert "propertes" not in keywords and "x-replaced-by" not in keywords


def test_unknown_keywords_are_a_warning_of_the_lint_run(project: Path) -> None:
    plan(
        project,
        """\
        events:
          A:
            propertes:
              a: {type: string}
        """,
    )
    code, out, err = run("app.py")
    assert code == 0
    assert "All checks passed" in out
    assert err.splitlines() == [
        (
            "warning: tracking_plan/plan.yaml:3:5: $.events.A.propertes: unknown keyword "
            "`propertes`: JSON Schema ignores it, so it constrains nothing; "
            "did you mean `properties`?"
        )
    ]
    code, _, err = run("plan", "check")
    assert code == 2
    assert err.splitlines()[0] == "Error: tracking_plan is not a valid tracking plan"


def test_a_keyword_nothing_is_close_to_suggests_an_extension(project: Path) -> None:
    plan(project, "events:\n  A:\n    owner: growth\n")
    code, _, err = run("plan", "check")
    assert code == 2
    assert err.splitlines()[1] == (
        "  tracking_plan/plan.yaml:3:5: $.events.A.owner: unknown keyword `owner`: JSON Schema "
        "ignores it, so it constrains nothing; an extension is spelt `x-owner`"
    )


def test_the_plan_formats_own_values_say_what_is_expected(project: Path) -> None:
    plan(project, "version: 2\nevents:\n  A:\n    type: objetc\n")
    assert messages(project) == [
        (
            "tracking_plan/plan.yaml:1:1: $.version: plan format version `2` is not supported: "
            "use `version: 1`"
        ),
        (
            "tracking_plan/plan.yaml:4:5: $.events.A.type: `type` is `objetc`, but an event, "
            "`identify` or `group` schema describes the properties (or traits) object: leave "
            "`type` out (or write `object`) and put the schema of each property under `properties`"
        ),
        # the same place against the JSON Schema meta-schema: the closest type
        (
            "tracking_plan/plan.yaml:4:5: $.events.A.type: `objetc` is not a JSON Schema type: use "
            "`array`, `boolean`, `integer`, `null`, `number`, `object` or `string`; "
            "did you mean `object`?"
        ),
    ]


def test_foreign_plans_keep_their_tools_metadata_unflagged() -> None:
    path = REALWORLD / "segment-typewriter" / "typewriter-telemetry-plan.v8-publicapi.json"
    assert load_plan(path).warnings == ()


def test_a_type_in_the_wrong_case_suggests_the_lowercase_one(project: Path) -> None:
    plan(project, "events:\n  A:\n    properties:\n      a: {type: STRING}\n")
    (line,) = messages(project)
    assert line.endswith("; did you mean `string`?")
