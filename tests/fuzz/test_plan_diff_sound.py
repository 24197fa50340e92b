"""`plan diff` is sound: when it reports no breaking change, no message the old plan accepts is
rejected by the new one.

Plans are drawn from a small grammar of the keywords the diff classifies (type, enum, const,
bounds, lengths, pattern, format, required, additionalProperties), messages from a pool of values
that hit their edges; the oracle is the plan's own validator (``EventSpec.validate``), the one
the rules and the pytest plugin use.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from cio_lint.plan import load_plan
from cio_lint.plan.diff import diff_plans
from fuzz.budget import examples

NAMES = ("a", "b", "c")
POOL: list[Any] = ["", "a", "ab", "abcde", "2024-01-02T03:04:05Z", "x@y.z", 0, 1, -3, 2.5, 7]
POOL += [True, None, [], ["a"]]
TYPES = ("string", "integer", "number", "boolean", "null", "array")


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if all(json.dumps(value) != json.dumps(v) for v in out):
            out.append(value)
    return out


@st.composite
def property_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if draw(st.booleans()):
        types = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True))
        schema["type"] = types[0] if len(types) == 1 else types
    if draw(st.integers(0, 3)) == 0:
        schema["enum"] = _unique(draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=4)))
    if draw(st.integers(0, 5)) == 0:
        schema["const"] = draw(st.sampled_from(POOL))
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if draw(st.integers(0, 3)) == 0:
            schema[key] = draw(st.integers(-4, 8))
    for key in ("minLength", "maxLength", "minItems", "maxItems"):
        if draw(st.integers(0, 3)) == 0:
            schema[key] = draw(st.integers(0, 4))
    if draw(st.integers(0, 3)) == 0:
        schema["pattern"] = draw(st.sampled_from(["^a", "b$", "^[a-z]+$", "^$"]))
    if draw(st.integers(0, 4)) == 0:
        schema["format"] = draw(st.sampled_from(["date-time", "email"]))
    return schema


@st.composite
def event_schemas(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
    schema: dict[str, Any] = {"properties": {n: draw(property_schemas()) for n in names}}
    required = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
    if required:
        schema["required"] = required
    if draw(st.booleans()):
        schema["additionalProperties"] = draw(st.booleans())
    return schema


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    events = draw(st.lists(st.sampled_from(["E1", "E2"]), min_size=1, max_size=2, unique=True))
    return {"version": 1, "events": {e: draw(event_schemas()) for e in events}}


messages = st.lists(
    st.dictionaries(st.sampled_from(("a", "b", "c", "d")), st.sampled_from(POOL), max_size=4),
    min_size=1,
    max_size=25,
)


def _load(root: Path, data: dict[str, Any]) -> Any:
    root.mkdir()
    (root / "plan.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_plan(root)


@examples(60)
@given(old=plans(), new=plans(), sample=messages)
# found by this test: a constrained property declared in an open event narrows what was free
@example(
    old={"version": 1, "events": {"E1": {"properties": {}, "additionalProperties": True}}},
    new={
        "version": 1,
        "events": {"E1": {"properties": {"a": {"pattern": "^a"}}, "additionalProperties": True}},
    },
    sample=[{"a": ""}],
)
def test_no_breaking_change_means_no_message_newly_rejected(
    old: dict[str, Any], new: dict[str, Any], sample: list[dict[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        old_plan, new_plan = _load(Path(tmp) / "old", old), _load(Path(tmp) / "new", new)
        assert diff_plans(old_plan, old_plan) == []
        changes = diff_plans(old_plan, new_plan)
        for change in changes:
            assert "\n" not in change.message
            json.dumps(change.to_json())
        if any(c.breaking for c in changes):
            return
        for name, spec in old_plan.events.items():
            after = new_plan.events[name]  # no event removed: nothing is breaking
            for message in sample:
                if not spec.validate(message):
                    assert not after.validate(message), (name, message, changes)


@st.composite
def loosened(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with keywords dropped, ``required`` names dropped and events opened: only
    ever more permissive."""
    out = json.loads(json.dumps(data))
    for schema in out["events"].values():
        for prop in schema["properties"].values():
            for key in list(prop):
                if draw(st.booleans()):
                    del prop[key]
        if "required" in schema:
            schema["required"] = [n for n in schema["required"] if draw(st.booleans())]
        if draw(st.booleans()):
            schema["additionalProperties"] = True
    return out


@examples(40)
@given(data=st.data(), old=plans(), sample=messages)
def test_loosening_a_plan_is_never_breaking(
    data: st.DataObject, old: dict[str, Any], sample: list[dict[str, Any]]
) -> None:
    new = data.draw(loosened(old))
    with tempfile.TemporaryDirectory() as tmp:
        old_plan, new_plan = _load(Path(tmp) / "old", old), _load(Path(tmp) / "new", new)
        changes = diff_plans(old_plan, new_plan)
        assert not [c for c in changes if c.breaking]
        for name, spec in old_plan.events.items():
            for message in sample:
                if not spec.validate(message):
                    assert not new_plan.events[name].validate(message), (name, message)
