"""Convert tracking plans exported by other tools into cio-lint's plan format.

Segment Protocols / Typewriter, RudderStack and Snowplow all describe an event's properties
with JSON Schema, so conversion mostly *moves* schemas: from where each tool nests them to
``events.NAME``, ``identify`` and ``group``. Schemas are kept as they are, except for what
draft 2020-12 or the plan's own ``$ref`` scoping cannot take (``$schema`` of an older draft,
``$id``, Iglu's ``self``).

Supported inputs:

- Typewriter v7 / Config API ``plan.json``: ``rules.events[].rules.properties.properties``.
- Typewriter v8 / Public API ``plan.json``: ``rules[]`` of ``{type: TRACK|IDENTIFY|GROUP, key,
  jsonSchema}``; ``jsonSchema`` is either the properties schema or the Segment envelope
  (``properties.properties`` / ``properties.traits``).
- RudderTyper ``plan.json``: ``rules.events[]`` with ``eventType`` track/identify/group.
- Rudder CLI "data catalog as code" projects (``version: rudder/v0.1`` YAML files).
- Iglu self-describing schema folders (``vendor/name/jsonschema/1-0-0``).
- PostHog ``posthog.events.yaml`` and OpenTrackPlan folders: ``importers_more.py``.

Page, screen and alias rules are dropped: cio-lint plans describe track, identify and group.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from cio_lint.plan import importers_more
from cio_lint.plan.errors import PlanError, PlanIssue

# Keys that hold data, not schemas: never rewritten when cleaning a schema.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})
_ENVELOPE_KEYS = frozenset({"context", "traits", "properties"})
_SCHEMAVER = re.compile(r"(\d+)-(\d+)-(\d+)")
_TYPEWRITER_ZERO_DATE = "0001-01-01"


def detect_format(data: object) -> str | None:
    """The foreign format a parsed JSON document is in, judged by its shape, or ``None``."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("data"), dict) and "rules" in data["data"]:
        return detect_format(data["data"])  # a raw Public API response
    rules = data.get("rules")
    if isinstance(rules, list) and all(
        isinstance(r, dict) and "type" in r and "jsonSchema" in r for r in rules
    ):
        return "typewriter-v8"
    if isinstance(rules, dict) and isinstance(rules.get("events"), list):
        if any(isinstance(e, dict) and "eventType" in e for e in rules["events"]):
            return "ruddertyper"
        return "typewriter-v7"
    if _is_iglu(data):
        return "iglu"
    if importers_more.is_posthog(data):
        return "posthog-events"
    return None


def convert(data: Any, fmt: str) -> dict[str, Any]:
    """Convert a document of format ``fmt`` (see ``detect_format``) into a plan dict."""
    if fmt == "typewriter-v8":
        if "rules" not in data and isinstance(data.get("data"), dict):
            data = data["data"]
        return _from_typewriter_v8(data)
    if fmt == "typewriter-v7":
        return _from_typewriter_v7(data)
    if fmt == "ruddertyper":
        return _from_ruddertyper(data)
    if fmt == "iglu":
        return convert_iglu([data])
    if fmt == "posthog-events":
        return importers_more.convert_posthog(data)
    raise ValueError(f"unknown plan format {fmt!r}")


def import_plan(path: Path) -> dict[str, Any]:
    """Read a foreign plan (a JSON file, a Rudder CLI project, an Iglu folder) as a plan dict.

    The result is plain data, ready to be dumped as ``tracking_plan/plan.yaml``.
    """
    path = Path(path)
    shown = path.as_posix()
    if path.is_dir():
        opentp = importers_more.opentp_files(path)
        if opentp is not None:
            return importers_more.convert_opentp(opentp)
        rudder_docs = []
        for f in sorted(path.rglob("*")):
            if f.suffix.lower() in (".yaml", ".yml") and f.is_file():
                doc = _load(f)
                if is_rudder_doc(doc):
                    rudder_docs.append(doc)
        if rudder_docs:
            try:
                return convert_rudder_project(rudder_docs)
            except PlanError as exc:
                issues = [PlanIssue(shown, None, i.pointer, i.message) for i in exc.issues]
                raise PlanError(f"{shown} cannot be imported", issues) from exc
        iglu = iglu_files(path)
        if iglu:
            return convert_iglu([doc for _, doc in iglu])
        parts = []
        for f in sorted(path.rglob("*.json")):
            doc = _load(f)
            fmt = detect_format(doc)
            if fmt is not None:
                parts.append(convert(doc, fmt))
        if parts:
            return _merge(parts, shown)
        raise _unrecognised(shown)
    try:
        doc = _load(path)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise PlanError(
            f"{shown} cannot be imported", [PlanIssue(shown, None, "$", str(exc))]
        ) from exc
    if is_rudder_doc(doc):
        return convert_rudder_project([doc])
    fmt = detect_format(doc)
    if fmt is None:
        raise _unrecognised(shown)
    return convert(doc, fmt)


def _unrecognised(shown: str) -> PlanError:
    return PlanError(
        f"{shown} is not a tracking plan cio-lint can import",
        [
            PlanIssue(
                shown,
                None,
                "$",
                "expected a Segment Typewriter v7/v8 or RudderTyper `plan.json`, a Rudder CLI "
                "project, an Iglu schema folder, a `posthog.events.yaml` or an OpenTrackPlan "
                "folder",
            )
        ],
    )


def _load(path: Path) -> Any:
    text = path.read_text("utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        return yaml.safe_load(text)
    return json.loads(text)


def _merge(parts: Iterable[dict[str, Any]], shown: str) -> dict[str, Any]:
    plan: dict[str, Any] = {"version": 1}
    issues = []
    for part in parts:
        for name, schema in part.get("events", {}).items():
            if name in plan.setdefault("events", {}):
                issues.append(PlanIssue(shown, None, "$", f"event `{name}` is defined twice"))
            plan["events"][name] = schema
        for key in ("identify", "group"):
            if key in part:
                plan[key] = part[key]
        plan.setdefault("$defs", {}).update(part.get("$defs", {}))
    if issues:
        raise PlanError(f"{shown} cannot be imported", issues)
    if not plan.get("$defs"):
        plan.pop("$defs", None)
    return plan


def _clean(schema: Any) -> Any:
    """Drop what a draft 2020-12 plan cannot take: ``$schema``/``$id`` of exporters, Iglu ``self``."""
    if isinstance(schema, list):
        return [_clean(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("$schema", "$id", "self"):
            continue
        out[key] = value if key in _DATA_KEYWORDS else _clean(value)
    return out


def _plan(events: dict[str, Any], identify: Any = None, group: Any = None) -> dict[str, Any]:
    plan: dict[str, Any] = {"version": 1}
    if identify is not None:
        plan["identify"] = identify
    if group is not None:
        plan["group"] = group
    plan["events"] = events
    return plan


def _with_description(schema: Any, description: object) -> Any:
    if isinstance(schema, dict) and isinstance(description, str) and description:
        return schema if "description" in schema else {"description": description, **schema}
    return schema


def _object_schema(schema: Any) -> dict[str, Any]:
    return _clean(schema) if isinstance(schema, dict) else {}


# --------------------------------------------------------------------------- Segment Typewriter


def _envelope_part(rules: Any, part: str) -> Any:
    """``properties.<part>`` of a Segment message schema (``context``/``traits``/``properties``)."""
    if isinstance(rules, dict):
        props = rules.get("properties")
        if isinstance(props, dict) and isinstance(props.get(part), dict):
            return props[part]
    return None


def _from_typewriter_v7(data: dict[str, Any]) -> dict[str, Any]:
    rules = data["rules"]
    events: dict[str, Any] = {}
    for event in rules.get("events", []):
        if not isinstance(event, dict) or not isinstance(event.get("name"), str):
            continue
        schema = _object_schema(_envelope_part(event.get("rules"), "properties"))
        events[event["name"]] = _with_description(schema, event.get("description"))
    identify = _v7_traits(rules.get("identify_traits") or rules.get("identify"))
    group = _v7_traits(rules.get("group_traits") or rules.get("group"))
    return _plan(events, identify, group)


def _v7_traits(rules: Any) -> dict[str, Any] | None:
    """Config API identify/group rules: a message schema, or a list of traits rules."""
    if isinstance(rules, list):
        merged: dict[str, Any] = {}
        for rule in rules:
            schema = _v7_traits(rule.get("rules", rule) if isinstance(rule, dict) else None)
            if schema:
                merged.setdefault("properties", {}).update(schema.get("properties", {}))
                merged.setdefault("required", []).extend(schema.get("required", []))
        return merged or None
    if isinstance(rules, dict):
        traits = _envelope_part(rules, "traits")
        if traits is not None:
            return _object_schema(traits)
        if "properties" in rules:
            return _object_schema(rules)
    return None


def _v8_payload(schema: Any, part: str) -> Any:
    """The properties (or traits) schema of a Public API rule, enveloped or not."""
    if not isinstance(schema, dict):
        return {}
    props = schema.get("properties")
    if isinstance(props, dict) and part in props and props.keys() <= _ENVELOPE_KEYS:
        return props[part] if isinstance(props[part], dict) else {}
    if part == "traits" and isinstance(props, dict) and props.keys() <= _ENVELOPE_KEYS and props:
        return {}
    payload = {k: v for k, v in schema.items() if k not in ("eventMetadata", "labels")}
    if schema.get("labels"):
        payload["x-labels"] = schema["labels"]
    return payload


def _from_typewriter_v8(data: dict[str, Any]) -> dict[str, Any]:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for rule in data["rules"]:
        kind, key = rule.get("type"), rule.get("key")
        if kind not in ("TRACK", "IDENTIFY", "GROUP"):
            continue
        name = key if kind == "TRACK" else kind
        if not isinstance(name, str):
            continue
        version = rule.get("version") if isinstance(rule.get("version"), int) else 0
        seen = latest.get((kind, name))
        if seen is None or version >= (seen.get("version") or 0):
            latest[(kind, name)] = rule
    events: dict[str, Any] = {}
    identify = group = None
    for (kind, name), rule in latest.items():
        part = "properties" if kind == "TRACK" else "traits"
        schema = _object_schema(_v8_payload(rule.get("jsonSchema"), part))
        schema = _with_description(schema, (rule.get("jsonSchema") or {}).get("description"))
        deprecated_at = rule.get("deprecatedAt")
        if isinstance(deprecated_at, str) and not deprecated_at.startswith(_TYPEWRITER_ZERO_DATE):
            schema = {**schema, "deprecated": True}
        if kind == "TRACK":
            events[name] = schema
        elif kind == "IDENTIFY":
            identify = schema
        else:
            group = schema
    return _plan(dict(sorted(events.items())), identify, group)


# --------------------------------------------------------------------------- RudderStack


def _from_ruddertyper(data: dict[str, Any]) -> dict[str, Any]:
    events: dict[str, Any] = {}
    identify = group = None
    for event in data["rules"]["events"]:
        if not isinstance(event, dict):
            continue
        kind = str(event.get("eventType", "track")).lower()
        rules = event.get("rules")
        if kind == "track" and isinstance(event.get("name"), str) and event["name"]:
            schema = _object_schema(_envelope_part(rules, "properties"))
            events[event["name"]] = _with_description(schema, event.get("description"))
        elif kind in ("identify", "group"):
            traits = _envelope_part(rules, "traits")
            if traits is None:
                traits = _envelope_part(rules, "context")  # RudderStack puts group traits there
            schema = _with_description(_object_schema(traits), event.get("description"))
            if kind == "identify":
                identify = schema
            else:
                group = schema
    return _plan(events, identify, group)


def is_rudder_doc(doc: object) -> bool:
    """Whether a YAML document is part of a Rudder CLI project (``version: rudder/v0.1``)."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("version"), str)
        and doc["version"].startswith("rudder/")
        and "kind" in doc
    )


_JSON_SCHEMA_KEYWORDS = frozenset(
    {
        "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "multipleOf", "minLength", "maxLength", "pattern", "format", "minItems", "maxItems",
        "uniqueItems", "minProperties", "maxProperties", "default", "examples",
    }
)  # fmt: skip


class _RudderCatalog:
    """The properties, custom types and events of a Rudder CLI project, by ``#/kind/group/id``."""

    def __init__(self, docs: Iterable[dict[str, Any]]) -> None:
        self.properties: dict[str, dict[str, Any]] = {}
        self.types: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.plans: list[dict[str, Any]] = []
        for doc in docs:
            group = (doc.get("metadata") or {}).get("name", "")
            spec = doc.get("spec") or {}
            kind = doc.get("kind")
            if kind == "properties":
                for prop in spec.get("properties", []):
                    self.properties[f"#/properties/{group}/{prop.get('id')}"] = prop
            elif kind == "custom-types":
                for typ in spec.get("types", []):
                    self.types[f"#/custom-types/{group}/{typ.get('id')}"] = typ
            elif kind == "events":
                for event in spec.get("events", []):
                    self.events[f"#/events/{group}/{event.get('id')}"] = event
            elif kind == "tp":
                self.plans.append(spec)
        self.defs: dict[str, Any] = {}

    def type_schema(self, type_: object, config: object) -> dict[str, Any]:
        schema: dict[str, Any] = {}
        if isinstance(type_, str) and type_.startswith("#/custom-types/"):
            schema["$ref"] = f"#/$defs/{self.custom_type(type_)}"
        elif isinstance(type_, str) and type_.strip():
            types = [t.strip() for t in type_.split(",") if t.strip()]
            schema["type"] = types[0] if len(types) == 1 else types
        if isinstance(config, dict):
            for key, value in config.items():
                if key == "itemTypes" and isinstance(value, list) and value:
                    schema["items"] = {"type": value[0] if len(value) == 1 else value}
                elif key in _JSON_SCHEMA_KEYWORDS:
                    schema[key] = value
                else:
                    schema[f"x-{key}"] = value
        return schema

    def custom_type(self, ref: str) -> str:
        typ = self.types.get(ref)
        if typ is None:
            raise PlanError("Rudder project cannot be imported", [_missing(ref)])
        name = str(typ.get("name") or typ.get("id"))
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: custom types may refer to each other
            schema = self.type_schema(typ.get("type"), typ.get("config") or typ.get("propConfig"))
            if typ.get("description"):
                schema = {"description": typ["description"], **schema}
            if typ.get("properties"):
                props, required = self.property_list(typ["properties"])
                schema["properties"] = props
                if required:
                    schema["required"] = required
            self.add_variants(schema, typ.get("variants"))
            self.defs[name] = schema
        return name

    def property_list(self, entries: Iterable[Any] | None) -> tuple[dict[str, Any], list[str]]:
        props: dict[str, Any] = {}
        required: list[str] = []
        for entry in entries or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("$ref"), str):
                continue
            prop = self.properties.get(entry["$ref"])
            if prop is None:
                raise PlanError("Rudder project cannot be imported", [_missing(entry["$ref"])])
            name = str(prop.get("name") or prop.get("id"))
            schema = self.type_schema(
                prop.get("type"), prop.get("propConfig") or prop.get("config")
            )
            if prop.get("description"):
                schema = {"description": prop["description"], **schema}
            if entry.get("properties"):
                nested, nested_required = self.property_list(entry["properties"])
                schema["properties"] = nested
                if nested_required:
                    schema["required"] = nested_required
            props[name] = schema
            if entry.get("required") is True:
                required.append(name)
        return props, required

    def add_variants(self, schema: dict[str, Any], variants: object) -> None:
        """Discriminated variants: each case's properties are declared, its requirements
        become ``if``/``then`` on the discriminator (an ``else`` for the default case)."""
        if not isinstance(variants, list):
            return
        conditions = []
        for variant in variants:
            if not isinstance(variant, dict) or variant.get("type") != "discriminator":
                continue
            disc_prop = self.properties.get(str(variant.get("discriminator")))
            if disc_prop is None:
                continue
            disc = str(disc_prop.get("name") or disc_prop.get("id"))
            matched: list[Any] = []
            for case in variant.get("cases") or []:
                props, required = self.property_list(case.get("properties"))
                for name, sub in props.items():
                    schema.setdefault("properties", {}).setdefault(name, sub)
                match = list(case.get("match") or [])
                matched.extend(match)
                if required:
                    conditions.append(
                        {
                            "if": {"properties": {disc: {"enum": match}}, "required": [disc]},
                            "then": {"required": required},
                        }
                    )
            props, required = self.property_list(variant.get("default"))
            for name, sub in props.items():
                schema.setdefault("properties", {}).setdefault(name, sub)
            if required:
                conditions.append(
                    {
                        "if": {"properties": {disc: {"enum": matched}}, "required": [disc]},
                        "else": {"required": required},
                    }
                )
        if conditions:
            schema["allOf"] = conditions


def _missing(ref: str) -> PlanIssue:
    return PlanIssue("rudder project", None, "$", f"`{ref}` is not defined in the project")


def convert_rudder_project(docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A Rudder CLI project (the YAML documents of its folder) as a plan dict."""
    catalog = _RudderCatalog(docs)
    events: dict[str, Any] = {}
    identify = group = None
    rules = [r for plan in catalog.plans for r in plan.get("rules") or [] if isinstance(r, dict)]
    if not catalog.plans:  # a catalog without a tracking plan: plan every event, unconstrained
        rules = [{"event": {"$ref": ref}} for ref in catalog.events]
    for rule in rules:
        event_ref = (rule.get("event") or {}).get("$ref")
        event = catalog.events.get(str(event_ref))
        if event is None:
            raise PlanError("Rudder project cannot be imported", [_missing(str(event_ref))])
        props, required = catalog.property_list(rule.get("properties"))
        schema: dict[str, Any] = {}
        if event.get("description"):
            schema["description"] = event["description"]
        schema["properties"] = props
        if required:
            schema["required"] = required
        allow = (rule.get("event") or {}).get("allow_unplanned")
        if isinstance(allow, bool):
            schema["additionalProperties"] = allow
        catalog.add_variants(schema, rule.get("variants"))
        kind = str(event.get("event_type", "track")).lower()
        if kind == "track":
            events[str(event.get("name") or event.get("id"))] = schema
        elif kind == "identify":
            identify = schema
        elif kind == "group":
            group = schema
    plan = _plan(events, identify, group)
    if catalog.defs:
        plan["$defs"] = dict(sorted(catalog.defs.items()))
    return plan


# --------------------------------------------------------------------------- Snowplow Iglu


def _is_iglu(doc: object) -> bool:
    if not isinstance(doc, dict):
        return False
    self_ = doc.get("self")
    return isinstance(self_, dict) and {"vendor", "name", "version"} <= self_.keys()


def iglu_files(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The self-describing JSON Schemas below ``root`` (``vendor/name/jsonschema/1-0-0``)."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(p.startswith(".") for p in path.relative_to(root).parts):
            continue
        if path.suffix and path.suffix.lower() != ".json":
            continue
        try:
            doc = json.loads(path.read_text("utf-8-sig"))
        except (OSError, ValueError):
            continue
        if _is_iglu(doc):
            found.append((path, doc))
    return found


def _schemaver(version: object) -> tuple[int, ...]:
    match = _SCHEMAVER.fullmatch(str(version))
    return tuple(int(g) for g in match.groups()) if match else (0, 0, 0)


def convert_iglu(docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Iglu schemas as events named after ``self.name`` (the newest SchemaVer of each).

    The same name under two vendors is qualified as ``vendor/name`` so neither is lost.
    """
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in docs:
        self_ = doc["self"]
        key = (str(self_["vendor"]), str(self_["name"]))
        seen = latest.get(key)
        if seen is None or _schemaver(self_["version"]) > _schemaver(seen["self"]["version"]):
            latest[key] = doc
    vendors: dict[str, int] = {}
    for _, name in latest:
        vendors[name] = vendors.get(name, 0) + 1
    events: dict[str, Any] = {}
    for (vendor, name), doc in sorted(latest.items()):
        self_ = doc["self"]
        schema = _clean(doc)
        schema["x-iglu"] = (
            f"iglu:{vendor}/{name}/{self_.get('format', 'jsonschema')}/{self_['version']}"
        )
        events[name if vendors[name] == 1 else f"{vendor}/{name}"] = schema
    return _plan(events)
