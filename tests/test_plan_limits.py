"""The plan's resource limits (docs/plan.md, docs/security.md): a plan can make cio-lint neither
hang nor run out of memory nor crash. YAML aliases, nesting, ``$ref`` cycles and chains, and the
plan's regular expressions are each bounded; what is over a limit is a plan error (exit 2) that
names the file, the line and the place in it."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cio_lint.plan import PlanError, load_plan
from cio_lint.plan.limits import (
    MAX_ALIAS_EXPANSION,
    MAX_DATA_DEPTH,
    MAX_FILE_BYTES,
    MAX_SCHEMA_DEPTH,
    MAX_SCHEMA_SIZE,
)
from cio_lint.plan.patterns import MATCH_TIMEOUT

APP = (
    "from segment import analytics\n"
    "analytics.identify('u1', {'email': 'a@b.co'})\n"
    "analytics.track('u1', 'Order Completed', {'item': 1})\n"
)


def _limit_memory() -> None:  # pragma: no cover  (runs in the child)
    """Bound what a run that goes wrong can take: 2 GiB of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail an in-process test that runs over 10 s (``re`` checks signals while it matches)."""

    def expired(*_: object) -> None:
        raise AssertionError("still matching after 10 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 10)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cli(cwd: Path, *args: str, timeout: float = 30) -> tuple[int, str, str, float]:
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from cio_lint.cli import run; run()", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`cio-lint {' '.join(args)}` still running after {timeout} s")
    return done.returncode, done.stdout, done.stderr, time.monotonic() - start


def project(tmp_path: Path, plan: str, name: str = "plan.yaml", app: str = APP) -> Path:
    (tmp_path / "tracking_plan").mkdir(parents=True, exist_ok=True)
    (tmp_path / "tracking_plan" / name).write_text(textwrap.dedent(plan).lstrip("\n"))
    (tmp_path / "app.py").write_text(app)
    return tmp_path


def errors(root: Path) -> list[str]:
    """The plan's issues as printed (``file:line:column: $.path: message``), loaded in this process."""
    with pytest.raises(PlanError) as info:
        load_plan(root / "tracking_plan")
    return [str(issue).removeprefix(f"{root}/") for issue in info.value.issues]


def check_both(root: Path, expected: str) -> None:
    """``plan check`` and linting both refuse the plan: exit 2, the issue on stderr, fast."""
    for args in (["plan", "check"], ["--no-cache", "app.py"]):
        status, _, err, seconds = cli(root, *args)
        assert status == 2, err
        assert expected in err, err
        assert "Traceback" not in err
        assert seconds < 5, seconds


# --------------------------------------------------------------------------- YAML aliases

BOMB = "x-bomb:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def test_an_alias_bomb_fails_fast(tmp_path: Path) -> None:
    """Nine levels of nine aliases: 9**10 strings (gigabytes) once expanded; refused in
    well under two seconds from the composed nodes, before anything expands them."""
    root = project(tmp_path, BOMB + "events:\n  A: {}\n")
    for args in (["plan", "check"], ["--no-cache", "app.py"]):
        status, _, err, seconds = cli(root, *args)
        assert status == 2, err
        assert seconds < 2, seconds
        assert f"more than {MAX_ALIAS_EXPANSION:,} nodes" in err, err
    assert errors(root)[0].startswith("tracking_plan/plan.yaml:7: $['x-bomb'].a5: ")


def test_a_merge_key_bomb_fails_fast(tmp_path: Path) -> None:
    """``<<:`` merges of merges: the pairs PyYAML flattens grow eightfold a level."""
    merges = "".join(
        f"  m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 8)}]}}\n" for i in range(1, 12)
    )
    root = project(tmp_path, f"x-m:\n  m0: &m0 {{a: 1, b: 2}}\n{merges}events:\n  A: {{}}\n")
    status, _, err, seconds = cli(root, "plan", "check")
    assert (status, seconds < 2) == (2, True), err
    assert f"more than {MAX_ALIAS_EXPANSION:,} nodes" in err


def test_a_cycle_through_an_anchor_is_named_where_it_is_written(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'events:\n  A:\n    properties:\n      x: {$ref: "#foo"}\n'
        '$defs:\n  f: {$anchor: foo, allOf: [{$ref: "#foo"}]}\n',
    )
    assert errors(root)[0].startswith(
        "tracking_plan/plan.yaml:6:30: $.$defs.f.allOf[0].$ref: `$ref` to `#foo` is a cycle "
        "(#/$defs/f -> #foo)"
    )


def test_aliases_and_merge_keys_within_the_limit_still_work(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """
        x-common: &common
          order_id: {type: string}
          total: {type: number, minimum: 0}
        events:
          Order Completed:
            properties:
              <<: *common
              item: {type: integer}
          Order Refunded:
            properties: *common
        """,
    )
    plan = load_plan(root / "tracking_plan")
    assert plan.events["Order Completed"].property_names == ("order_id", "total", "item")
    assert plan.events["Order Refunded"].value_errors("total", -1)


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path, "events:\n  A: &a\n    properties:\n      p: *a\n")
    assert any("recursive alias" in e for e in errors(root))


# --------------------------------------------------------------------------- nesting and sizes


def test_data_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    deep = "[" * 990 + "]" * 990
    root = project(tmp_path, f"events:\n  A: {{}}\nx-deep: {deep}\n")
    check_both(root, f"nested more than {MAX_DATA_DEPTH} levels deep")
    assert errors(root)[0].startswith("tracking_plan/plan.yaml:3: $['x-deep']")


def test_json_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    deep = "[" * 900 + "]" * 900
    root = project(tmp_path, f'{{"events": {{"A": {{}}}}, "x-deep": {deep}}}', "plan.json")
    check_both(root, f"nested more than {MAX_DATA_DEPTH} levels deep")


def nested(levels: int, keyword: str = "properties") -> str:
    schema = "{type: string}"
    for _ in range(levels - 1):
        schema = (
            f"{{{keyword}: {{p: {schema}}}}}"
            if keyword == "properties"
            else f"{{{keyword}: {schema}}}"
        )
    return schema


def event(schema: str) -> str:
    return f"events:\n  Order Completed:\n    properties:\n      item: {schema}\n"


def test_a_schema_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    """100 levels crashed ``plan check`` and linting with a RecursionError: refused, as data
    (each level of ``properties`` is two levels of mappings) or as a schema."""
    check_both(project(tmp_path, event(nested(100))), "levels deep")
    deep = project(tmp_path / "items", event(nested(60, "items")))
    check_both(deep, f"nested more than {MAX_SCHEMA_DEPTH} levels deep")


def test_a_schema_at_the_depth_limit_loads_and_validates(tmp_path: Path) -> None:
    # the event itself is level 1, ``item`` level 2
    root = project(tmp_path, event(nested(MAX_SCHEMA_DEPTH - 1)))
    spec = load_plan(root / "tracking_plan").events["Order Completed"]
    value: object = 1
    for _ in range(MAX_SCHEMA_DEPTH - 2):
        value = {"p": value}
    assert spec.value_errors("item", value) == ["1 is not of type 'string'"]


def test_a_ref_chain_counts_towards_the_depth(tmp_path: Path) -> None:
    """400 schemas, each an ``allOf`` of a reference to the next: linting died of a
    RecursionError (each is shallow, the chain is not)."""
    defs = "".join(f"  d{i}: {{allOf: [{{$ref: '#/$defs/d{i + 1}'}}]}}\n" for i in range(400))
    root = project(
        tmp_path,
        "events:\n  Order Completed:\n    properties:\n      item: {$ref: '#/$defs/d0'}\n"
        f"$defs:\n{defs}  d400: {{type: integer}}\n",
    )
    check_both(root, f"nested more than {MAX_SCHEMA_DEPTH} levels deep")
    assert errors(root)[0].startswith("tracking_plan/plan.yaml:21:3: $.$defs.d15: ")


def test_a_ref_bomb_is_refused(tmp_path: Path) -> None:
    """Each level refers to the next ten times: 10**8 subschemas to validate once expanded."""
    refs = ", ".join(["{$ref: '#/$defs/d%d'}"] * 10)
    defs = "".join(f"  d{i}: {{allOf: [{refs % ((i + 1,) * 10)}]}}\n" for i in range(8))
    root = project(
        tmp_path,
        "events:\n  Order Completed:\n    properties:\n      item: {$ref: '#/$defs/d0'}\n"
        f"$defs:\n{defs}  d8: {{type: integer}}\n",
    )
    check_both(root, f"more than {MAX_SCHEMA_SIZE:,} subschemas")


def test_a_plan_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    root = project(tmp_path, "events:\n  A: {}\n")
    with (root / "tracking_plan" / "big.yaml").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs nothing to write
    check_both(root, f"over the {MAX_FILE_BYTES // (1 << 20)} MiB limit")


# --------------------------------------------------------------------------- $ref cycles

CYCLE = """
events:
  Order Completed:
    properties:
      item: {$ref: "#/$defs/a"}
$defs:
  a: {$ref: "#/$defs/b"}
  b: {$ref: "#/$defs/a"}
"""


def test_a_ref_cycle_is_a_plan_error(tmp_path: Path) -> None:
    """``plan check`` said valid, linting died of a RecursionError."""
    root = project(tmp_path, CYCLE)
    check_both(root, "is a cycle")
    assert errors(root) == [
        (
            "tracking_plan/plan.yaml:7:7: $.$defs.b.$ref: `$ref` to `#/$defs/a` is a cycle "
            "(#/$defs/a -> #/$defs/b -> #/$defs/a): each schema applies the next to the same "
            "value, so checking a value would never end; a reference back must go through "
            "`properties`, `items` or another keyword that applies to a part of the value"
        )
    ]


def test_a_cycle_through_allof_and_across_files_is_found(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'events:\n  A:\n    allOf: [{$ref: "b.yaml#/events/B"}]\n',
        "a.yaml",
    )
    (root / "tracking_plan" / "b.yaml").write_text('events:\n  B:\n    $ref: "a.yaml#/events/A"\n')
    found = errors(root)
    assert len(found) == 1 and "is a cycle" in found[0], found


def test_an_unused_cycle_is_still_an_error(tmp_path: Path) -> None:
    root = project(tmp_path, "events:\n  A: {}\n$defs:\n  a: {allOf: [{$ref: '#/$defs/a'}]}\n")
    assert (
        "tracking_plan/plan.yaml:4:16: $.$defs.a.allOf[0].$ref: `$ref` to `#/$defs/a` is a cycle"
        in errors(root)[0]
    )


def test_recursion_through_a_property_is_a_recursive_schema_not_a_cycle(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """
        events:
          Tree Saved:
            properties:
              root: {$ref: "#/$defs/node"}
        $defs:
          node:
            type: object
            properties:
              name: {type: string}
              children: {type: array, items: {$ref: "#/$defs/node"}}
        """,
    )
    spec = load_plan(root / "tracking_plan").events["Tree Saved"]
    tree = {"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]}
    assert spec.value_errors("root", tree) == ["3 is not of type 'string'"]
    deep: dict[str, object] = {"name": "x"}
    for _ in range(2000):  # a message a test sends can be nested deeper than any schema
        deep = {"name": "x", "children": [deep]}
    assert spec.value_errors("root", deep) == [
        "the value is nested too deeply to be checked against the plan"
    ]


# --------------------------------------------------------------------------- patterns


def redos_project(tmp_path: Path, pattern: str, value: str) -> Path:
    return project(
        tmp_path,
        f"events:\n  Order Completed:\n    properties:\n      code: {{type: string, pattern: {json.dumps(pattern)}}}\n",
        app=f"from segment import analytics\nanalytics.track('u1', 'Order Completed', {{'code': {value!r}}})\n",
    )


def test_a_backtracking_pattern_does_not_hang_a_run(tmp_path: Path) -> None:
    """``^(a+)+$`` against 35 characters backtracked for minutes in ``re``."""
    root = redos_project(tmp_path, "^(a+)+$", "a" * 34 + "!")
    status, out, err, seconds = cli(root, "--no-cache", "app.py")
    assert (status, seconds < 5) == (1, True), err
    assert "CIO006" in out and "does not match '^(a+)+$'" in out


def test_a_match_that_times_out_is_a_finding_naming_the_pattern(tmp_path: Path) -> None:
    root = redos_project(tmp_path, "^(a|a)*$", "a" * 40 + "!")
    status, out, err, seconds = cli(root, "--no-cache", "app.py")
    assert status == 1, err
    assert seconds < 5
    milliseconds = round(MATCH_TIMEOUT * 1000)
    assert f"could not be checked against pattern '^(a|a)*$' within {milliseconds} ms" in out, out


def test_pattern_properties_keys_are_bounded_too(tmp_path: Path, deadline: None) -> None:
    """Keys are matched by ``patternProperties`` itself, and by ``additionalProperties`` and
    ``unevaluatedProperties`` (an event built with ``allOf``), each with the timeout; the timeout
    is a problem of the value (CIO006), never an unknown property (CIO004)."""
    root = project(
        tmp_path,
        """
        events:
          Closed:
            patternProperties:
              "^(a|a)*$": {type: integer}
          Composed:
            patternProperties:
              "^(a|a)*$": {type: integer}
            allOf: [{required: []}]
        """,
    )
    slow = "a" * 40 + "!"
    for name in ("Closed", "Composed"):
        spec = load_plan(root / "tracking_plan").events[name]
        start = time.monotonic()
        assert spec.allows_property(slow)  # the validator says why, not "unknown"
        found = spec.validate({slow: 1, "aaa": "x"})
        assert time.monotonic() - start < 2
        timeouts = [
            v for v in found if "could not be checked against pattern '^(a|a)*$'" in v.message
        ]
        assert timeouts and {(v.kind, v.prop) for v in timeouts} == {("value", slow)}, found
        assert ("value", "'x' is not of type 'integer'") in {(v.kind, v.message) for v in found}
        assert spec.value_errors(slow, 1) == [timeouts[0].message]  # the static rules: CIO006


def test_patterns_keep_their_meaning(tmp_path: Path, deadline: None) -> None:
    """What matched with ``re`` still does: ``\\d``, lookarounds, backreferences, flags."""
    root = project(
        tmp_path,
        r"""
        events:
          Order Completed:
            properties:
              sku: {type: string, pattern: '(?i)^[a-z]{2}-\d+$'}
              twice: {type: string, pattern: '^(\w)\1$'}
              not_test: {type: string, pattern: '^(?!test_)'}
            patternProperties:
              '^x_\w+$': {type: integer}
        """,
    )
    spec = load_plan(root / "tracking_plan").events["Order Completed"]
    assert spec.value_errors("sku", "AB-12") == []
    assert spec.value_errors("sku", "AB-") == ["'AB-' does not match '(?i)^[a-z]{2}-\\\\d+$'"]
    assert spec.value_errors("twice", "aa") == [] and spec.value_errors("twice", "ab")
    assert spec.value_errors("not_test", "test_x") and spec.value_errors("not_test", "x") == []
    assert spec.allows_property("x_total") and not spec.allows_property("y_total")
    assert [v.message for v in spec.validate({"x_a": 1, "zzz": 1})] == [
        "Additional properties are not allowed ('zzz' was unexpected)"
    ]
