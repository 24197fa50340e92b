"""`cio-lint plan import`: foreign plans -> native YAML, equivalent to loading them directly
(issue 14 item 3)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from realworld import REALWORLD
from realworld import realworld_sources as _realworld_sources

from cio_lint.cli import main
from cio_lint.plan import EventSpec, Plan, load_plan
from cio_lint.plan.importers import import_plan

# Our own PostHog input (the format of `posthog-cli exp schema init`), never a copy of one.
POSTHOG = textwrap.dedent(
    """\
    version: 1
    naming:
      event: snake_case_past_tense
    baselines: [blank]
    property_groups:
      billing:
        description: What every billing event carries
        properties:
          plan: {type: string, required: true, description: The plan id}
          amount: {type: numeric, required: true}
      device:
        description: Where it happened
        properties:
          platform: {type: string}
          app_version: {type: string}
    events:
      subscription_started:
        type: custom
        description: A workspace started paying
        owner: growth
        tags: [revenue]
        property_groups: [billing, device]
        properties:
          trial: {type: boolean}
          started_at: {type: date_time, required: true}
        primary_property: plan
        status: active
      invoice_paid:
        type: custom
        description: An invoice was paid
        owner: finance
        property_groups: [billing]
        properties:
          invoice: {type: object, color: blue}
        status: deprecated
    """
)

# Our own OpenTrackPlan input: a root with a global payload schema and a dictionary, and one
# event with a plain payload and one per platform with versions.
OPENTP = {
    "opentp.yaml": """\
        opentp: 2026-01
        info: {title: Test, version: 1.0.0}
        spec:
          paths:
            events: {root: /events, template: "{event}.yaml"}
            dictionaries: {root: /dictionaries}
          events:
            payload:
              schema:
                app: {type: string, dict: apps, required: true}
                screen: {type: string, required: false, valueRequired: true}
                count: {type: integer, required: false, unit: items}
        """,
    "dictionaries/apps.yaml": """\
        opentp: 2026-01
        dict: {type: string, values: [web, ios]}
        """,
    "events/cart_viewed.yaml": """\
        opentp: 2026-01
        event:
          key: cart_viewed
          lifecycle: {status: deprecated}
          payload:
            schema:
              app: {value: web}
              count: {required: true}
        """,
    "events/item_added.yaml": """\
        opentp: 2026-01
        event:
          key: item_added
          taxonomy: {action: Someone adds an item}
          payload:
            web:
              schema:
                app: {value: web}
                screen: {}
            ios:
              current: stable
              stable: "2"
              "1":
                schema:
                  app: {value: ios}
                  count: {required: true}
              "2":
                $ref: "1"
                schema:
                  screen: {required: true}
        """,
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _write_opentp(root: Path) -> Path:
    for rel, text in OPENTP.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return root


def _own_sources(tmp: Path) -> list[Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "posthog.events.yaml").write_text(POSTHOG)
    return [tmp / "posthog.events.yaml", _write_opentp(tmp / "opentp")]


# ---------------------------------------------------------------- messages to compare verdicts

_SAMPLES: list[Any] = ["x", 1, 1.5, True, None, [], {}, "2024-01-02T03:04:05Z"]


def _candidates(schema: Any) -> list[Any]:
    """Values a property schema suggests (its const, enum, examples, default), then one of
    each JSON type."""
    out: list[Any] = []
    if isinstance(schema, dict):
        if "const" in schema:
            out.append(schema["const"])
        out += list(schema.get("enum") or [])[:2]
        out += list(schema.get("examples") or [])[:1]
        if "default" in schema:
            out.append(schema["default"])
    return out + _SAMPLES


def _messages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A valid-looking message (every declared property with its first suggestion), and
    invalid ones: each property with each other JSON type, each required one missing, an
    unknown key."""
    props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
    base = {name: _candidates(schema)[0] for name, schema in props.items()}
    out = [base, {}, {**base, "zz_not_planned": "x"}]
    for name, schema in props.items():
        for value in _candidates(schema)[1:]:
            out.append({**base, name: value})
    for name in data.get("required") or []:
        out.append({k: v for k, v in base.items() if k != name})
    return out


def _verdict(spec: EventSpec, message: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted((v.kind, v.prop) for v in spec.validate(message))


def _specs(plan: Plan) -> dict[str, EventSpec]:
    specs = dict(plan.events)
    for kind in ("identify", "group"):
        spec = getattr(plan, kind)
        if spec is not None:
            specs[f"<{kind}>"] = spec
    return specs


def _check_round_trip(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    code, _, err = run("plan", "import", str(source), "--to", str(out))
    assert code == 0, err
    direct, imported = load_plan(source), load_plan(out)
    assert imported.warnings == ()  # native now: every foreign key became an `x-` key
    assert sorted(imported.events) == sorted(direct.events)
    assert (imported.identify is None) == (direct.identify is None)
    assert (imported.group is None) == (direct.group is None)
    data = yaml.safe_load((out / "plan.yaml").read_text())
    schemas = {
        **data.get("events", {}),
        **{f"<{k}>": data[k] for k in ("identify", "group") if k in data},
    }
    failing = 0
    for name, spec in _specs(direct).items():
        other = _specs(imported)[name]
        for message in _messages(schemas[name]):
            verdict = _verdict(spec, message)
            failing += bool(verdict)
            assert _verdict(other, message) == verdict, (name, message)
    assert failing, "the generated messages never fail: they test nothing"


@pytest.mark.parametrize("source", _realworld_sources(), ids=lambda p: p.name)
def test_import_round_trip_realworld(source: Path, tmp_path: Path) -> None:
    _check_round_trip(source, tmp_path)


@pytest.mark.parametrize("which", ["posthog", "opentp"])
def test_import_round_trip_own_inputs(which: str, tmp_path: Path) -> None:
    sources = dict(zip(["posthog", "opentp"], _own_sources(tmp_path / "src")))
    _check_round_trip(sources[which], tmp_path)


def test_posthog_groups_are_inlined(tmp_path: Path) -> None:
    source = _own_sources(tmp_path)[0]
    plan = import_plan(source)
    started = plan["events"]["subscription_started"]
    assert started["properties"] == {
        "plan": {"description": "The plan id", "type": "string"},
        "amount": {"type": "number"},
        "platform": {"type": "string"},
        "app_version": {"type": "string"},
        "trial": {"type": "boolean"},
        "started_at": {"type": "string", "format": "date-time"},
    }
    assert started["required"] == ["plan", "amount", "started_at"]
    assert started["x-posthog"]["owner"] == "growth"
    assert plan["events"]["invoice_paid"]["deprecated"] is True
    spec = load_plan(source).events["subscription_started"]
    good = {"plan": "pro", "amount": 9, "started_at": "2024-01-02T03:04:05Z"}
    assert spec.validate(good) == []
    assert [v.kind for v in spec.validate({**good, "amount": "9"})] == ["value"]


def test_opentp_platforms_versions_and_dictionaries(tmp_path: Path) -> None:
    plan = import_plan(_write_opentp(tmp_path))
    cart = plan["events"]["cart_viewed"]
    assert cart["deprecated"] is True
    assert cart["properties"]["app"] == {"type": "string", "const": "web", "enum": ["web", "ios"]}
    assert cart["required"] == ["app", "count"]
    item = plan["events"]["item_added"]
    assert item["description"] == "Someone adds an item"
    # web sends app=web, ios (its current version "2", built on "1") app=ios: either is fine
    assert item["properties"]["app"]["enum"] == ["web", "ios"]
    assert item["required"] == ["app"]  # `count` and `screen` are required on ios only
    assert item["properties"]["screen"]["not"] == {"enum": [None, ""]}  # valueRequired


def test_what_cannot_be_expressed_is_reported_line_by_line(tmp_path: Path) -> None:
    posthog, opentp = _own_sources(tmp_path)
    code, _, err = run("plan", "import", str(posthog), "--to", str(tmp_path / "a"))
    assert code == 0
    lines = err.splitlines()
    shown = str(posthog)
    assert (
        f"{shown}: events.invoice_paid.properties.invoice.color: not part of the PostHog format: dropped"
        in lines
    )
    assert (
        f"{shown}: naming.event: the convention `snake_case_past_tense` is kept as "
        "`x-posthog.naming`; cio-lint does not check it"
    ) in lines
    code, _, err = run("plan", "import", str(opentp), "--to", str(tmp_path / "b"))
    assert code == 0
    lines = err.splitlines()
    assert f"{opentp}: count.unit: not a keyword cio-lint can express: dropped" in [
        line.replace("cart_viewed.payload.", "") for line in lines
    ]
    assert (
        f"{opentp}: item_added: the payloads of web, ios are merged into one schema (a cio-lint plan is not per platform)"
        in lines
    )
    assert any("payload.ios: only the current version `2` is imported" in line for line in lines)


def test_dropped_rules_and_foreign_keys_are_reported(tmp_path: Path) -> None:
    source = REALWORLD / "rudderstack-ruddertyper" / "ruddertyper-sample-plan.json"
    code, _, err = run("plan", "import", str(source), "--to", str(tmp_path / "r"))
    assert code == 0
    assert f"{source}: `page` (page): not imported" in err.splitlines()
    source = REALWORLD / "snowplow-iglu-central"
    code, _, err = run("plan", "import", str(source), "--to", str(tmp_path / "i"))
    assert code == 0
    assert (
        f"{source}: iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-0: replaced by "
        "1-0-1, not imported"
    ) in err.splitlines()
    source = REALWORLD / "segment-typewriter" / "typewriter-e2e-plan.v8-publicapi.json"
    code, _, err = run("plan", "import", str(source), "--to", str(tmp_path / "t"))
    assert code == 0
    assert "`key` is not a JSON Schema keyword: kept as `x-key`" in err
    text = (tmp_path / "t" / "plan.yaml").read_text()
    assert "x-key:" in text and "&id" not in text  # no YAML anchors in what people read


def test_refuses_to_overwrite_and_bad_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = _own_sources(tmp_path)[0]
    assert run("plan", "import", str(source))[0] == 0
    assert (tmp_path / "tracking_plan" / "plan.yaml").is_file()
    code, _, err = run("plan", "import", str(source))
    assert code == 2 and "pass --force" in err
    assert run("plan", "import", str(source), "--force")[0] == 0
    code, _, err = run("plan", "import", "missing.json", "--to", "x")
    assert (code, err) == (2, "Error: missing.json: no such file or directory\n")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    code, _, err = run("plan", "import", "other.json", "--to", "x")
    assert code == 2 and "posthog.events.yaml" in err and "OpenTrackPlan" in err
    assert not (tmp_path / "x").exists()


def test_an_undefined_property_group_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "version: 1\nnaming: {event: snake_case_past_tense}\nevents:\n"
        "  a_done: {type: custom, property_groups: [nope]}\n"
    )
    code, _, err = run("plan", "import", str(tmp_path / "p.yaml"), "--to", str(tmp_path / "o"))
    assert code == 2
    assert "property group `nope` is not defined" in err


def test_segment_rules_that_are_not_imported_are_named(tmp_path: Path) -> None:
    import json

    v8 = {
        "rules": [
            {"type": "TRACK", "key": "Ordered", "version": 1, "jsonSchema": {"properties": {}}},
            {"type": "TRACK", "key": "Ordered", "version": 2, "jsonSchema": {"properties": {}}},
            {"type": "PAGE", "key": "Home", "version": 1, "jsonSchema": {}},
        ]
    }
    context = {"properties": {"context": {"properties": {"ip": {"type": "string"}}}}}
    v7 = {"rules": {"events": [{"name": "Ordered", "rules": context}], "global": context}}
    for name, doc in (("v8.json", v8), ("v7.json", v7)):
        (tmp_path / name).write_text(json.dumps(doc))
    code, _, err = run("plan", "import", str(tmp_path / "v8.json"), "--to", str(tmp_path / "a"))
    assert code == 0
    shown = (tmp_path / "v8.json").as_posix()
    assert err.splitlines() == [
        f"{shown}: rule `Ordered` version 1: replaced by version 2, not imported",
        f"{shown}: rule `Home` (PAGE): only TRACK, IDENTIFY and GROUP rules are imported",
    ]
    code, _, err = run("plan", "import", str(tmp_path / "v7.json"), "--to", str(tmp_path / "b"))
    assert code == 0
    shown = (tmp_path / "v7.json").as_posix()
    assert err.splitlines() == [
        f"{shown}: `rules.global`: not imported (cio-lint plans describe track, identify and group)",
        f"{shown}: event `Ordered`: its `context` rules are not imported",
    ]
